//! A typed client of the server's API (`/api/v1`, same origin, cookie session): each call sends
//! the session's CSRF token and turns a refusal into [`ApiErrorBody`] with the server's stable code
//! (`protocol::api`).

use std::cell::RefCell;

use serde::{de::DeserializeOwned, Serialize};

pub use protocol::api::{
    ApiCode, ApiErrorBody, ApplicationState, Challenge, HistoryEvent, InsuranceStatus,
    Registration, Reservation, SessionInfo,
};
use protocol::api::{
    BulkApplication, InsuranceApplication, LoginRequest, PointApplication, Services,
};

thread_local! {
    /// The page runs on a public terminal: its session asks for the terminal's idle timeout.
    static TERMINAL: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Marks the page as a public terminal's: every `GET /session` then asks the server for the
/// terminal's idle timeout (60 s), which the server enforces whatever its default.
pub fn set_terminal(on: bool) {
    TERMINAL.with(|t| t.set(on));
}

thread_local! {
    static CSRF: RefCell<String> = const { RefCell::new(String::new()) };
    /// Empty: the page's own origin.
    static SERVER: RefCell<String> = const { RefCell::new(String::new()) };
}

const BASE: &str = "/api/v1";

/// Sends the API calls to the server at `origin` (running with `--cors`) instead of the page's
/// own origin, with its cookie. The browser tests use it: their page is served by the test
/// runner. Not reachable from JavaScript.
pub fn use_server(origin: &str) {
    SERVER.with(|s| origin.trim_end_matches('/').clone_into(&mut s.borrow_mut()));
}

/// Sends one request to `path` (absolute, on the server); the body of a successful answer
/// (`null` when empty: 204), or the refusal. Not generic, so that the fetch machinery is compiled
/// once, not once per answer type.
async fn send(method: &str, path: String, body: Option<String>) -> Result<String, ApiErrorBody> {
    use gloo_net::http::{Method, RequestBuilder};
    let server = SERVER.with(|s| s.borrow().clone());
    let mut builder = RequestBuilder::new(&format!("{server}{path}"))
        .method(if method == "POST" {
            Method::POST
        } else {
            Method::GET
        })
        .credentials(if server.is_empty() {
            web_sys::RequestCredentials::SameOrigin
        } else {
            web_sys::RequestCredentials::Include
        });
    let csrf = CSRF.with(|c| c.borrow().clone());
    if !csrf.is_empty() {
        builder = builder.header("X-CSRF-Token", &csrf);
    }
    let request = match body {
        Some(body) => builder
            .header("Content-Type", "application/json")
            .body(body),
        None => builder.build(),
    }
    .map_err(|_| ApiErrorBody::network("request"))?;
    let response = request
        .send()
        .await
        .map_err(|_| ApiErrorBody::network("the server cannot be reached"))?;
    let text = response.text().await.unwrap_or_default();
    if response.ok() {
        // 204 answers carry no body: `()` and `Option` read `null`.
        Ok(if text.is_empty() { "null".into() } else { text })
    } else {
        Err(serde_json::from_str(&text)
            .unwrap_or_else(|_| ApiErrorBody::network(format!("HTTP {}", response.status()))))
    }
}

async fn call<T: DeserializeOwned>(
    method: &str,
    path: &str,
    body: Option<String>,
) -> Result<T, ApiErrorBody> {
    let text = send(method, format!("{BASE}{path}"), body).await?;
    serde_json::from_str(&text).map_err(|_| ApiErrorBody::network("unexpected answer"))
}

async fn post<T: DeserializeOwned>(path: &str, body: &impl Serialize) -> Result<T, ApiErrorBody> {
    let body = serde_json::to_string(body).map_err(|_| ApiErrorBody::network("encoding"))?;
    call("POST", path, Some(body)).await
}

/// A text kept as data (`app/public/content/{lang}/{name}.html`, copied to `dist/content/`): an HTML
/// fragment of the project's own, fetched when a screen shows it instead of being compiled into
/// the wasm (long texts — terms, the leaflets' guidance — would otherwise grow each first page;
/// BENCHMARKS.md).
///
/// # Errors
/// `NETWORK` when it cannot be fetched, or the server's refusal (404 for an unknown name).
pub async fn content(lang: &str, name: &str) -> Result<String, ApiErrorBody> {
    send("GET", format!("/content/{lang}/{name}.html"), None).await
}

/// The maintenance windows on now or announced (`GET /service-state`, no session needed).
///
/// # Errors
/// [`ApiErrorBody`]: the server's refusal, or `NETWORK` when the server cannot be reached or
/// its answer cannot be read.
pub async fn service_state() -> Result<protocol::maintenance::ServiceState, ApiErrorBody> {
    call("GET", "/service-state", None).await
}

/// Whether a maintenance window stops `scope` now (`GET /service-state/{scope}`): `Ok` when
/// the service is open.
///
/// # Errors
/// `MAINTENANCE` with `until` when a window stops it; `NETWORK` when the server cannot be
/// reached or its answer cannot be read.
pub async fn service_open(scope: protocol::maintenance::Scope) -> Result<(), ApiErrorBody> {
    call::<Option<serde::de::IgnoredAny>>(
        "GET",
        &format!("/service-state/{}", scope.as_str()),
        None,
    )
    .await
    .map(|_| ())
}

/// Starts or resumes the session and keeps its CSRF token.
///
/// # Errors
/// [`ApiErrorBody`]: the server's refusal, or `NETWORK` when the server cannot be reached or
/// its answer cannot be read.
pub async fn session() -> Result<SessionInfo, ApiErrorBody> {
    let path = if TERMINAL.with(std::cell::Cell::get) {
        "/session?terminal=1"
    } else {
        "/session"
    };
    let info: SessionInfo = call("GET", path, None).await?;
    CSRF.with(|c| c.borrow_mut().clone_from(&info.csrf_token));
    Ok(info)
}

/// A write the card step signs with its login (`docs/contract.md`, "Signed writes"): the
/// purpose's wire name and the write's request body, sent again unchanged as the write.
pub type Write = (protocol::signing::WritePurpose, String);

/// A login challenge; with `write`, bound to that write, so that the card signs it too.
///
/// # Errors
/// [`ApiErrorBody`]: the server's refusal, or `NETWORK` when the server cannot be reached or
/// its answer cannot be read.
pub async fn challenge(write: Option<Write>) -> Result<Challenge, ApiErrorBody> {
    let (query, body) = write.map_or(("", None), |(purpose, body)| (purpose.as_str(), Some(body)));
    call("POST", &format!("/auth/challenge?purpose={query}"), body).await
}

/// `value` as a request body.
fn body(value: &impl Serialize) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// Logs in with what the card returned; the session moves to a new id.
///
/// # Errors
/// [`ApiErrorBody`]: the server's refusal, or `NETWORK` when the server cannot be reached or
/// its answer cannot be read.
pub async fn login(
    token: &protocol::bridge::AuthenticateResult,
) -> Result<SessionInfo, ApiErrorBody> {
    // Without the bridge's `reader`: the server refuses unknown keys.
    let request = LoginRequest {
        certificate: token.certificate.clone(),
        signature: token.signature.clone(),
        algorithm: token.algorithm.clone(),
        format: token.format.clone(),
    };
    let info: SessionInfo = post("/auth/login", &request).await?;
    CSRF.with(|c| c.borrow_mut().clone_from(&info.csrf_token));
    Ok(info)
}

/// Ends the session.
///
/// # Errors
/// [`ApiErrorBody`]: the server's refusal, or `NETWORK` when the server cannot be reached or
/// its answer cannot be read.
pub async fn logout() -> Result<(), ApiErrorBody> {
    crate::session_card::forget();
    call::<Option<serde::de::IgnoredAny>>("POST", "/auth/logout", None)
        .await
        .map(|_| ())
}

/// F1: the application that the card step signs ([`Write`]).
pub fn insurance_write(register_portal_user: bool, terms_version: &str) -> Write {
    (
        protocol::signing::WritePurpose::InsuranceApplication,
        body(&InsuranceApplication {
            register_portal_user,
            terms_version: terms_version.to_owned(),
        }),
    )
}

/// Sends the write the card step signed.
///
/// # Errors
/// [`ApiErrorBody`]: the server's refusal, or `NETWORK` when the server cannot be reached or
/// its answer cannot be read.
async fn write<T: DeserializeOwned>(path: &str, (_, body): Write) -> Result<T, ApiErrorBody> {
    call("POST", path, Some(body)).await
}

/// F1: the application (idempotent), as [`insurance_write`] made it.
///
/// # Errors
/// [`ApiErrorBody`]: the server's refusal, or `NETWORK` when the server cannot be reached or
/// its answer cannot be read.
pub async fn apply_insurance(signed: Write) -> Result<InsuranceStatus, ApiErrorBody> {
    write("/insurance/application", signed).await
}

/// 「これは私ではない」 for the link as shown, the write its card step signs ([`Write`]).
pub fn dispute_write(link: &protocol::api::InsurerLink) -> Write {
    (
        protocol::signing::WritePurpose::LinkDispute,
        body(&protocol::api::LinkDispute {
            insurer_name: link.insurer_name.clone(),
            symbol: link.symbol.clone(),
            number: link.number.clone(),
            as_of: link.as_of.clone(),
        }),
    )
}

/// Sends the dispute its card step signed; the receipt.
///
/// # Errors
/// [`ApiErrorBody`]: the server's refusal, or `NETWORK` when the server cannot be reached or
/// its answer cannot be read.
pub async fn dispute(signed: Write) -> Result<protocol::api::DisputeReceipt, ApiErrorBody> {
    write("/insurance/link/dispute", signed).await
}

/// The cancellation of the registration whose application has `application_receipt`, the
/// write its card step signs ([`Write`]).
pub fn cancellation_write(request_certificate: bool, application_receipt: Option<String>) -> Write {
    (
        protocol::signing::WritePurpose::InsuranceCancellation,
        body(&protocol::api::InsuranceCancellation {
            request_certificate,
            application_receipt,
        }),
    )
}

/// The eligibility certificate's request on its own, the write its card step signs (no
/// fields: the purpose is what is signed).
pub fn certificate_write() -> Write {
    (
        protocol::signing::WritePurpose::CertificateRequest,
        "{}".into(),
    )
}

/// Sends the cancellation or the certificate's request its card step signed; the receipt.
///
/// # Errors
/// [`ApiErrorBody`]: the server's refusal, or `NETWORK` when the server cannot be reached or
/// its answer cannot be read.
pub async fn insurance_request(
    signed: Write,
) -> Result<protocol::api::RequestReceipt, ApiErrorBody> {
    let path = match signed.0 {
        protocol::signing::WritePurpose::InsuranceCancellation => "/insurance/cancellation",
        _ => "/insurance/certificate",
    };
    write(path, signed).await
}

/// やりとり履歴: every receipt of the card that logged in, newest first.
///
/// # Errors
/// [`ApiErrorBody`]: the server's refusal, or `NETWORK` when the server cannot be reached or
/// its answer cannot be read.
pub async fn receipts() -> Result<protocol::api::Receipts, ApiErrorBody> {
    call("GET", "/receipts", None).await
}

/// F2: the status table.
///
/// # Errors
/// [`ApiErrorBody`]: the server's refusal, or `NETWORK` when the server cannot be reached or
/// its answer cannot be read.
pub async fn insurance_status() -> Result<InsuranceStatus, ApiErrorBody> {
    call("GET", "/insurance/status", None).await
}

pub use protocol::mynapoint::{Receipt, Service};

/// F4: the MyKey ID (issued once; the same on a second call).
///
/// # Errors
/// [`ApiErrorBody`]: the server's refusal, or `NETWORK` when the server cannot be reached or
/// its answer cannot be read.
pub async fn reserve() -> Result<Reservation, ApiErrorBody> {
    write("/mynapoint/reservation", reservation_write()).await
}

/// F4: the reservation the card step signs (no fields: the purpose is what is signed).
pub fn reservation_write() -> Write {
    (
        protocol::signing::WritePurpose::MynapointReservation,
        "{}".into(),
    )
}

/// The MyKey ID already issued.
///
/// # Errors
/// [`ApiErrorBody`]: the server's refusal, or `NETWORK` when the server cannot be reached or
/// its answer cannot be read.
pub async fn reservation() -> Result<Reservation, ApiErrorBody> {
    call("GET", "/mynapoint/reservation", None).await
}

/// `q` percent-encoded for a query string.
fn encode_query(q: &str) -> String {
    String::from(js_sys::encode_uri_component(q))
}

/// F5 step 1: the services matching a keyword (any kana script).
///
/// # Errors
/// [`ApiErrorBody`]: the server's refusal, or `NETWORK` when the server cannot be reached or
/// its answer cannot be read.
pub async fn services(q: &str) -> Result<Vec<Service>, ApiErrorBody> {
    let found: Services = call(
        "GET",
        &format!("/mynapoint/services?q={}", encode_query(q)),
        None,
    )
    .await?;
    Ok(found.services)
}

/// F5: with `check`, step 5's 「確認」 (`POST /mynapoint/application/check`: every check of the
/// application, the provider's included, nothing applied; `false`, no body); without, the signed
/// application after step 7 (`true`: the server answered with the receipt, which the receipt
/// part reads again with [`point_application`]).
///
/// # Errors
/// [`ApiErrorBody`]: the server's refusal, or `NETWORK` when the server cannot be reached or
/// its answer cannot be read.
pub async fn apply_point(signed: Write, check: bool) -> Result<bool, ApiErrorBody> {
    write::<Option<serde::de::IgnoredAny>>(
        if check {
            "/mynapoint/application/check"
        } else {
            "/mynapoint/application"
        },
        signed,
    )
    .await
    .map(|receipt| receipt.is_some())
}

/// F5: the application the final card step signs (and step 5's check sends unsigned).
pub fn point_write(
    service_code: &str,
    input: &crate::validate::PaymentInput,
    kiosk: bool,
) -> Write {
    (
        protocol::signing::WritePurpose::MynapointApplication,
        body(&PointApplication {
            service_code: service_code.to_owned(),
            payment_service_id: input.payment_service_id.clone(),
            security_code: input.security_code.clone(),
            phone_last4: input.phone_last4.clone(),
            kiosk,
            terms_version: protocol::site::MYNAPOINT_TERMS_VERSION.to_owned(),
        }),
    )
}

/// The receipt of the citizen's MyNa Point application (`GET /mynapoint/application`; 404
/// before any).
///
/// # Errors
/// [`ApiErrorBody`]: the server's refusal, or `NETWORK` when the server cannot be reached or
/// its answer cannot be read.
pub async fn point_application() -> Result<Receipt, ApiErrorBody> {
    call("GET", "/mynapoint/application", None).await
}

/// F6: 一括利用申込 on the authenticated session.
///
/// # Errors
/// [`ApiErrorBody`]: the server's refusal, or `NETWORK` when the server cannot be reached or
/// its answer cannot be read.
pub async fn bulk(portal_user: bool, insurance: bool) -> Result<(), ApiErrorBody> {
    post::<serde::de::IgnoredAny>(
        "/bulk-application",
        &BulkApplication {
            portal_user,
            insurance,
            terms_version: Some(protocol::site::PORTAL_TERMS_VERSION.to_owned()),
        },
    )
    .await
    .map(|_| ())
}
