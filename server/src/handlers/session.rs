//! `GET /api/v1/session`: the SPA's first call. It creates a session when there is none and
//! returns its CSRF token.

use axum::{
    extract::{Query, State},
    http::{header, HeaderMap},
    response::{IntoResponse, Response},
};
use serde::Deserialize;

use crate::{
    error::ApiError,
    handlers::ApiJson,
    limits::{self, ClientIp},
    session, AppState,
};

pub use protocol::api::SessionInfo;

/// The answer for a session with this CSRF token.
pub fn session_info(state: &AppState, csrf_token: String, authenticated: bool) -> SessionInfo {
    SessionInfo {
        csrf_token,
        authenticated,
        idle_timeout_seconds: state.settings.idle_timeout_secs,
        certificate_expires_at: None,
    }
}

/// `GET /session`'s query.
#[derive(Debug, Default, Deserialize)]
pub struct SessionQuery {
    /// `1`: the page runs on a public terminal; the session then ends after
    /// `--terminal-idle-timeout-secs` without a request.
    #[serde(default)]
    pub terminal: Option<String>,
}

/// Returns the live session or starts one (the start counts against the address's rate limit).
/// A terminal's page asks with `?terminal=1`: its session, new or already running, then ends
/// after the terminal's idle timeout (60 s), whatever the server's default.
#[utoipa::path(get, path = "/session", tag = "session",
    params(("terminal" = Option<String>, Query, description = "`1` on a public terminal")),
    responses((status = 200, body = SessionInfo), (status = 429, body = protocol::api::ApiErrorBody)))]
/// # Errors
/// [`ApiError`]: the refusals this route's OpenAPI responses list (`#[utoipa::path]`).
pub async fn get(
    State(state): State<AppState>,
    ip: ClientIp,
    Query(query): Query<SessionQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let terminal = matches!(query.terminal.as_deref(), Some("1" | "true"));
    let terminal_idle = terminal.then(|| state.settings.terminal_idle_ms());
    if let Some(found) = session::Session::find(&headers, &state).await? {
        let authenticated = found.row.certificate_key.is_some();
        let idle_ms = match (terminal_idle, found.row.idle_ms) {
            (Some(wanted), current) if current != Some(wanted) => {
                state.db.set_session_idle(&found.id_hash, wanted).await?;
                Some(wanted)
            }
            (_, current) => current,
        };
        let mut info = session_info(&state, found.row.csrf_token, authenticated);
        if let Some(ms) = idle_ms {
            info.idle_timeout_seconds = u64::try_from(ms / 1000).unwrap_or(0);
        }
        info.certificate_expires_at = found.row.certificate_expires_ms.map(crate::rfc3339);
        return Ok(ApiJson(info).into_response());
    }
    limits::per_ip(&state, ip).await?;
    let id = session::random_token();
    let csrf_token = session::random_token();
    state
        .db
        .create_session(
            &session::hash_id(&id),
            &csrf_token,
            state.now_ms(),
            terminal_idle,
        )
        .await?;
    let mut info = session_info(&state, csrf_token, false);
    if terminal {
        info.idle_timeout_seconds = state.settings.terminal_idle_timeout_secs;
    }
    Ok(with_cookie(&state, &id, info))
}

/// The session answer for a new session id, with the cookie that carries it.
pub fn with_cookie(state: &AppState, id: &str, info: SessionInfo) -> Response {
    let mut response = ApiJson(info).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        session::set_cookie(id, state.settings.secure_cookies()),
    );
    response
}
