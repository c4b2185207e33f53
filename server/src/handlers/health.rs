//! `GET /healthz`: the database answers, and the revocation lists are in date.

use axum::{extract::State, http::StatusCode, Json};
use serde::Serialize;

use crate::{revocation::CrlStatus, AppState};

/// The health answer.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Health {
    /// `ok`; `degraded` when a CRL is past its nextUpdate (the instance still serves: every
    /// instance shares the same lists, so taking it out of a balancer would help nobody);
    /// `unavailable` when the database does not answer.
    pub status: &'static str,
    /// Every imported CRL.
    pub crls: Vec<CrlStatus>,
}

/// 200 with `ok` or `degraded`; 503 when the database does not answer.
pub async fn get(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let unavailable = || {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(Health {
                status: "unavailable",
                crls: Vec::new(),
            }),
        )
    };
    if let Err(error) = state.db.ping().await {
        tracing::error!(%error, "health check failed");
        return unavailable();
    }
    match crate::revocation::status(&state, state.now_ms()).await {
        Ok(crls) => {
            let stale = crls.iter().any(|crl| crl.stale);
            if stale {
                tracing::warn!("a CRL is past its nextUpdate");
            }
            (
                StatusCode::OK,
                Json(Health {
                    status: if stale { "degraded" } else { "ok" },
                    crls,
                }),
            )
        }
        Err(error) => {
            tracing::error!(%error, "health check failed");
            unavailable()
        }
    }
}
