//! Health-insurance registration (F1) and its status (F2).

use axum::extract::State;
use chrono::{DateTime, Utc};

use crate::{
    domain::{
        eligibility::{self, CardEvent},
        schedule,
    },
    error::ApiError,
    handlers::ApiJson,
    session::{Authenticated, AuthenticatedCsrf},
    AppState,
};

use protocol::api::{
    ApplicationState, InsuranceApplication as Application, InsuranceStatus as Status, Received,
    Registration,
};

async fn status_of(state: &AppState, person: &str) -> Result<Status, ApiError> {
    let Some(row) = state.db.insurance_status(person).await? else {
        return Ok(Status {
            application: ApplicationState::NotApplied,
            applied_at: None,
            registration: None,
            expected_by: None,
            portal_user: None,
        });
    };
    let registration = match row.insurer {
        Some(true) => Registration::Completed,
        Some(false) => Registration::ContactInsurer,
        None => Registration::Preparing,
    };
    Ok(Status {
        application: ApplicationState::Received,
        applied_at: Some(crate::rfc3339(row.applied_ms)),
        registration: Some(registration),
        expected_by: (registration == Registration::Preparing).then(|| {
            schedule::expected_by(
                row.applied_ms,
                state.now_ms(),
                state.settings.registration_expected_by,
            )
            .to_string()
        }),
        portal_user: row.portal_user.then_some(Received::Received),
    })
}

/// `POST /api/v1/insurance/application`: idempotent; refused with `NOT_YET_ELIGIBLE` and the exact
/// time to try again after a recent card event (F3).
#[utoipa::path(post, path = "/insurance/application", tag = "insurance", request_body = Application,
    params(("X-CSRF-Token" = String, Header)),
    responses((status = 200, body = Status), (status = "4XX", body = protocol::api::ApiErrorBody)))]
/// # Errors
/// [`ApiError`]: the refusals this route's OpenAPI responses list (`#[utoipa::path]`).
pub async fn apply(
    State(state): State<AppState>,
    AuthenticatedCsrf(auth): AuthenticatedCsrf,
    ApiJson(application): ApiJson<Application>,
) -> Result<ApiJson<Status>, ApiError> {
    if application.terms_version != state.settings.terms_version {
        return Err(ApiError::TermsChanged);
    }
    let person = auth.person()?.to_owned();
    let content = crate::writes::insurance_content(&application);
    apply_for(
        &state,
        &person,
        application.register_portal_user,
        Signed::Write(&auth, &content),
    )
    .await?;
    Ok(ApiJson(status_of(&state, &person).await?))
}

/// Refuses an application before the F3 rule allows it: `NOT_YET_ELIGIBLE` with the exact time.
async fn check_eligible(state: &AppState, person: &str, now: i64) -> Result<(), ApiError> {
    let Some((kind, occurred_ms, auth_revoked)) = state.db.latest_card_event(person).await? else {
        return Ok(());
    };
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
        None => Err(ApiError::NotEligible),
        Some(from) if from.timestamp_millis() > now => Err(ApiError::NotYetEligible {
            available_from: crate::rfc3339(from.timestamp_millis()),
        }),
        Some(_) => Ok(()),
    }
}

/// What signs a write of the health-insurance application (`crate::writes`).
pub enum Signed<'a> {
    /// F1: the card signed this content in the card step before it.
    Write(&'a Authenticated, &'a [u8]),
    /// F6: the MyNa Point application's signature on the same session covers it.
    Bulk(&'a Authenticated),
}

impl Signed<'_> {
    /// Claims the signature for `person`'s write.
    ///
    /// # Errors
    /// `WRITE_NOT_SIGNED`, or a database failure.
    pub async fn claim(&self, state: &AppState, person: &str) -> Result<(), ApiError> {
        match self {
            Self::Write(auth, content) => crate::writes::claim(
                state,
                auth,
                protocol::signing::WritePurpose::InsuranceApplication,
                content,
                person,
            )
            .await
            .map(|_| ()),
            Self::Bulk(auth) => crate::writes::cover_bulk(state, auth, person).await,
        }
    }
}

/// Records the application (idempotent) once the F3 rule allows it and the card's signature
/// is claimed, and the portal-user registration when opted in. Shared by F1 and the bulk
/// application of F6.
///
/// # Errors
/// The refusals of [`apply`] (`NOT_YET_ELIGIBLE`, `TERMS_CHANGED`, `WRITE_NOT_SIGNED`, …).
pub async fn apply_for(
    state: &AppState,
    person: &str,
    register_portal_user: bool,
    signed: Signed<'_>,
) -> Result<(), ApiError> {
    let now = state.now_ms();
    check_eligible(state, person, now).await?;
    signed.claim(state, person).await?;
    state
        .db
        .apply_insurance(
            person,
            register_portal_user,
            &state.settings.terms_version,
            now,
        )
        .await?;
    if register_portal_user {
        state
            .db
            .register_portal_user(person, &state.settings.terms_version, now)
            .await?;
    }
    Ok(())
}

/// The F2 table of `person`.
///
/// # Errors
/// [`ApiError::Internal`] when the database fails.
pub async fn status_for(state: &AppState, person: &str) -> Result<Status, ApiError> {
    status_of(state, person).await
}

/// `GET /api/v1/insurance/status`: the F2 table.
#[utoipa::path(get, path = "/insurance/status", tag = "insurance",
    responses((status = 200, body = Status), (status = "4XX", body = protocol::api::ApiErrorBody)))]
/// # Errors
/// [`ApiError`]: the refusals this route's OpenAPI responses list (`#[utoipa::path]`).
pub async fn status(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<ApiJson<Status>, ApiError> {
    let person = auth.person()?.to_owned();
    Ok(ApiJson(status_of(&state, &person).await?))
}
