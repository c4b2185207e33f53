//! `GET /service-state`: the maintenance windows on now or announced, and whether one stops a
//! service (`crate::maintenance`).

use axum::{
    extract::{Path, State},
    http::StatusCode,
};
use protocol::maintenance::{Scope, ServiceState};

use crate::{error::ApiError, handlers::ApiJson, AppState};

/// `GET /api/v1/service-state`: the windows that are on now or start within a week, earliest
/// first; no session needed, so a page asks before the citizen takes out the card.
#[utoipa::path(get, path = "/service-state", tag = "service",
    responses((status = 200, body = ServiceState), (status = "5XX", body = protocol::api::ApiErrorBody)))]
/// # Errors
/// [`ApiError::Internal`] when the database fails.
pub async fn state(State(state): State<AppState>) -> Result<ApiJson<ServiceState>, ApiError> {
    Ok(ApiJson(
        crate::maintenance::service_state(&state.db, state.now_ms()).await?,
    ))
}

/// `GET /api/v1/service-state/{scope}`: whether a maintenance window stops `scope` (`all`,
/// `insurance`, `mynapoint`, `bulk`) now — 204 when it is open, else the refusal its requests
/// would get (503 `MAINTENANCE` with `until`). What a card step asks before it asks for the
/// card, and again before the PIN window opens.
#[utoipa::path(get, path = "/service-state/{scope}", tag = "service",
    params(("scope" = String, Path, description = "all, insurance, mynapoint or bulk")),
    responses((status = 204), (status = "4XX", body = protocol::api::ApiErrorBody),
        (status = 503, body = protocol::api::ApiErrorBody)))]
/// # Errors
/// [`ApiError::Maintenance`] when a window stops `scope`; [`ApiError::NotFound`] for a scope
/// that does not exist; [`ApiError::Internal`] when the database fails.
pub async fn open(
    State(state): State<AppState>,
    Path(scope): Path<String>,
) -> Result<StatusCode, ApiError> {
    let scope = Scope::from_name(&scope).ok_or(ApiError::NotFound("no such service"))?;
    crate::maintenance::check(&state, scope).await?;
    Ok(StatusCode::NO_CONTENT)
}
