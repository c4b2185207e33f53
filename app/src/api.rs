//! A typed client of the server's API (`/api/v1`, same origin, cookie session): each call sends
//! the session's CSRF token and turns a refusal into [`ApiError`] with the server's stable code.

use std::cell::RefCell;

use serde::{de::DeserializeOwned, Deserialize, Serialize};
use wasm_bindgen::JsCast;

/// A refusal of the server (`{ code, message, … }`), or `NETWORK` when it could not be asked.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiError {
    /// The stable code (`server/src/error.rs`).
    pub code: String,
    /// The server's English explanation (the page shows its own text for the code).
    #[serde(default)]
    pub message: String,
    /// `NOT_YET_ELIGIBLE`: from when (RFC 3339, JST).
    #[serde(default)]
    pub available_from: Option<String>,
    /// `INVALID_FIELD`: which field.
    #[serde(default)]
    pub field: Option<String>,
    /// `RATE_LIMITED`: seconds to wait.
    #[serde(default)]
    pub retry_after: Option<u64>,
}

impl ApiError {
    fn network(message: &str) -> Self {
        Self {
            code: "NETWORK".into(),
            message: message.into(),
            available_from: None,
            field: None,
            retry_after: None,
        }
    }
}

/// `GET /session`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionInfo {
    /// Echoed in `X-CSRF-Token`.
    pub csrf_token: String,
    /// Whether the card logged in.
    pub authenticated: bool,
    /// Seconds without a request after which the session ends.
    pub idle_timeout_seconds: u64,
}

/// `POST /auth/challenge`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Challenge {
    /// Standard base64.
    pub nonce: String,
}

/// The F2 table.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InsuranceStatus {
    /// `received` or `not_applied`.
    pub application: String,
    /// RFC 3339, JST.
    #[serde(default)]
    pub applied_at: Option<String>,
    /// `preparing`, `completed`, `contact_insurer`.
    #[serde(default)]
    pub registration: Option<String>,
    /// 「{date}までに登録完了予定」.
    #[serde(default)]
    pub expected_by: Option<String>,
    /// `received` when opted in.
    #[serde(default)]
    pub portal_user: Option<String>,
}

thread_local! {
    static CSRF: RefCell<String> = const { RefCell::new(String::new()) };
}

const BASE: &str = "/api/v1";

async fn call<T: DeserializeOwned>(
    method: &str,
    path: &str,
    body: Option<String>,
) -> Result<T, ApiError> {
    let window = web_sys::window().ok_or_else(|| ApiError::network("no window"))?;
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    init.set_credentials(web_sys::RequestCredentials::SameOrigin);
    let headers = web_sys::Headers::new().map_err(|_| ApiError::network("headers"))?;
    let csrf = CSRF.with(|c| c.borrow().clone());
    if !csrf.is_empty() {
        let _ = headers.set("X-CSRF-Token", &csrf);
    }
    if let Some(body) = &body {
        let _ = headers.set("Content-Type", "application/json");
        init.set_body(&wasm_bindgen::JsValue::from_str(body));
    }
    init.set_headers(&headers);
    let request = web_sys::Request::new_with_str_and_init(&format!("{BASE}{path}"), &init)
        .map_err(|_| ApiError::network("request"))?;
    let response: web_sys::Response =
        wasm_bindgen_futures::JsFuture::from(window.fetch_with_request(&request))
            .await
            .map_err(|_| ApiError::network("the server cannot be reached"))?
            .dyn_into()
            .map_err(|_| ApiError::network("not a response"))?;
    let text = match response.text() {
        Ok(promise) => wasm_bindgen_futures::JsFuture::from(promise)
            .await
            .ok()
            .and_then(|value| value.as_string())
            .unwrap_or_default(),
        Err(_) => String::new(),
    };
    if response.ok() {
        // 204 answers carry no body: `()` and `Option` read `null`.
        let text = if text.is_empty() {
            "null"
        } else {
            text.as_str()
        };
        serde_json::from_str(text).map_err(|_| ApiError::network("unexpected answer"))
    } else {
        Err(serde_json::from_str(&text)
            .unwrap_or_else(|_| ApiError::network(&format!("HTTP {}", response.status()))))
    }
}

async fn post<T: DeserializeOwned>(path: &str, body: &impl Serialize) -> Result<T, ApiError> {
    let body = serde_json::to_string(body).map_err(|_| ApiError::network("encoding"))?;
    call("POST", path, Some(body)).await
}

/// Starts or resumes the session and keeps its CSRF token.
pub async fn session() -> Result<SessionInfo, ApiError> {
    let info: SessionInfo = call("GET", "/session", None).await?;
    CSRF.with(|c| c.borrow_mut().clone_from(&info.csrf_token));
    Ok(info)
}

/// A login challenge.
pub async fn challenge() -> Result<Challenge, ApiError> {
    call("POST", "/auth/challenge", None).await
}

/// Logs in with what the card returned; the session moves to a new id.
pub async fn login(token: &protocol::bridge::AuthenticateResult) -> Result<SessionInfo, ApiError> {
    let info: SessionInfo = post("/auth/login", token).await?;
    CSRF.with(|c| c.borrow_mut().clone_from(&info.csrf_token));
    Ok(info)
}

/// Ends the session.
pub async fn logout() -> Result<(), ApiError> {
    call::<Option<serde_json::Value>>("POST", "/auth/logout", None)
        .await
        .map(|_| ())
}

/// F1: the application (idempotent).
pub async fn apply_insurance(
    register_portal_user: bool,
    terms_version: &str,
) -> Result<InsuranceStatus, ApiError> {
    post(
        "/insurance/application",
        &serde_json::json!({ "registerPortalUser": register_portal_user, "termsVersion": terms_version }),
    )
    .await
}

/// F2: the status table.
pub async fn insurance_status() -> Result<InsuranceStatus, ApiError> {
    call("GET", "/insurance/status", None).await
}
