//! `GET /healthz`: the database answers.

use axum::{extract::State, http::StatusCode};

use crate::AppState;

/// 200 when the database answers, 503 otherwise.
pub async fn get(State(state): State<AppState>) -> StatusCode {
    match state.db.ping().await {
        Ok(()) => StatusCode::OK,
        Err(error) => {
            tracing::error!(%error, "health check failed");
            StatusCode::SERVICE_UNAVAILABLE
        }
    }
}
