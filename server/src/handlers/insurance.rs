//! Health-insurance registration (F1) and its status (F2).

use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{
    domain::eligibility::{self, CardEvent},
    error::ApiError,
    handlers::ApiJson,
    session::{Authenticated, AuthenticatedCsrf},
    AppState,
};

/// The F1 application.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Application {
    /// 「マイナポータルの利用者登録を行う」.
    pub register_portal_user: bool,
    /// The terms version the user agreed to.
    pub terms_version: String,
}

/// The rows of the F2 status table.
#[derive(Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    /// 申込状況: `received` (正常に受け付けました) or `not_applied`.
    pub application: &'static str,
    /// When the application was received (RFC 3339, JST).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub applied_at: Option<String>,
    /// 健康保険証としての登録状況: `preparing` (システム準備中), `completed` (登録完了) or
    /// `contact_insurer` (no insurer record); absent before an application.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registration: Option<&'static str>,
    /// The date in 「{date}までに登録完了予定」 while preparing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_by: Option<String>,
    /// マイナポータルの利用者登録: `received`, only when the user opted in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub portal_user: Option<&'static str>,
}

async fn person(state: &AppState, auth: &Authenticated) -> Result<String, ApiError> {
    state
        .db
        .person_of(&auth.certificate_key)
        .await?
        .ok_or(ApiError::UnknownPerson)
}

async fn status_of(state: &AppState, person: &str) -> Result<Status, ApiError> {
    let Some(application) = state.db.insurance_application(person).await? else {
        return Ok(Status {
            application: "not_applied",
            applied_at: None,
            registration: None,
            expected_by: None,
            portal_user: None,
        });
    };
    let registration = match state.db.insurer_record(person).await? {
        Some(true) => "completed",
        Some(false) => "contact_insurer",
        None => "preparing",
    };
    Ok(Status {
        application: "received",
        applied_at: Some(crate::rfc3339(application.applied_ms)),
        registration: Some(registration),
        expected_by: (registration == "preparing")
            .then(|| state.settings.registration_expected_by.clone()),
        portal_user: application.register_portal_user.then_some("received"),
    })
}

/// `POST /api/v1/insurance/application`: idempotent; refused with `NOT_YET_ELIGIBLE` and the exact
/// time to try again after a recent card event (F3).
pub async fn apply(
    State(state): State<AppState>,
    AuthenticatedCsrf(auth): AuthenticatedCsrf,
    ApiJson(application): ApiJson<Application>,
) -> Result<ApiJson<Status>, ApiError> {
    if application.terms_version != state.settings.terms_version {
        return Err(ApiError::TermsChanged);
    }
    let person = person(&state, &auth).await?;
    let now = state.now_ms();
    if let Some((kind, occurred_ms, auth_revoked)) = state.db.latest_card_event(&person).await? {
        let event: CardEvent = kind
            .parse()
            .map_err(|e| ApiError::Internal(format!("stored card event: {e}")))?;
        let occurred = DateTime::<Utc>::from_timestamp_millis(occurred_ms).unwrap_or_default();
        match eligibility::available_from(
            event,
            occurred,
            auth_revoked,
            state.settings.eligibility_cut_over,
        ) {
            None => return Err(ApiError::NotEligible),
            Some(from) if from.timestamp_millis() > now => {
                return Err(ApiError::NotYetEligible {
                    available_from: crate::rfc3339(from.timestamp_millis()),
                })
            }
            Some(_) => {}
        }
    }
    state
        .db
        .apply_insurance(
            &person,
            application.register_portal_user,
            &application.terms_version,
            now,
        )
        .await?;
    Ok(ApiJson(status_of(&state, &person).await?))
}

/// `GET /api/v1/insurance/status`: the F2 table.
pub async fn status(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<ApiJson<Status>, ApiError> {
    let person = person(&state, &auth).await?;
    Ok(ApiJson(status_of(&state, &person).await?))
}
