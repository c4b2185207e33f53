//! Card login: `challenge`, `login`, `logout` (docs/contract.md, docs/security.md 12–15).

use axum::{
    body::Bytes,
    extract::{
        rejection::{BytesRejection, QueryRejection},
        Query, State,
    },
    http::{header, StatusCode},
    response::{IntoResponse, Response},
};
use base64::Engine as _;

use crate::{
    domain::certificate::{CertificateId, LoginToken},
    error::ApiError,
    handlers::ApiJson,
    limits::{self, ClientIp},
    session::{self, CsrfSession},
    AppState,
};

/// How long a challenge stays valid.
pub const CHALLENGE_TTL_MS: i64 = 5 * 60 * 1000;

pub use protocol::api::{Challenge, LoginRequest};
use protocol::signing::WritePurpose;

/// The query of `POST /auth/challenge`.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChallengeQuery {
    /// The write the card step signs (`protocol::signing::WritePurpose`'s wire name), whose
    /// request is the body (`crate::writes`); absent or empty for a login alone.
    #[serde(default)]
    pub purpose: String,
}

/// `POST /api/v1/auth/challenge`: a single-use nonce bound to the session, valid 5 minutes. A
/// session keeps up to `db::MAX_CHALLENGES` outstanding (one per open card step: two tabs, F1
/// and F2 at once); a new one does not cancel the others. With `?purpose=` and the write's
/// request as the body, the nonce also carries the digest of that write (`crate::writes`): the
/// login it signs then allows that one write.
#[utoipa::path(post, path = "/auth/challenge", tag = "auth",
    params(("X-CSRF-Token" = String, Header),
        ("purpose" = Option<String>, Query, description = "insurance-application, mynapoint-reservation, mynapoint-application, link-dispute, insurance-cancellation or certificate-request: the body is that write's request")),
    responses((status = 200, body = Challenge), (status = "4XX", body = protocol::api::ApiErrorBody)))]
/// # Errors
/// [`ApiError`]: the refusals this route's OpenAPI responses list (`#[utoipa::path]`).
pub async fn challenge(
    State(state): State<AppState>,
    ip: ClientIp,
    CsrfSession(session): CsrfSession,
    query: Result<Query<ChallengeQuery>, QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<ApiJson<Challenge>, ApiError> {
    limits::per_ip(&state, ip).await?;
    let Query(query) = query.map_err(|e| ApiError::InvalidRequest(e.body_text()))?;
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::TooLarge
        } else {
            ApiError::InvalidRequest(e.body_text())
        }
    })?;
    let random: [u8; 32] = rand::random();
    let purpose = match query.purpose.as_str() {
        "" => None,
        name => Some(
            WritePurpose::ALL
                .into_iter()
                .find(|purpose| purpose.as_str() == name)
                .ok_or_else(|| ApiError::InvalidRequest(format!("unknown purpose {name:?}")))?,
        ),
    };
    let nonce = match purpose {
        None => base64::engine::general_purpose::STANDARD.encode(random),
        Some(purpose) => {
            let content = crate::writes::content(&state, purpose, &body)?;
            let digest = protocol::signing::write_digest(purpose, &content);
            base64::engine::general_purpose::STANDARD
                .encode(protocol::signing::write_nonce(&random, &digest))
        }
    };
    let expires_ms = state.now_ms() + CHALLENGE_TTL_MS;
    state
        .db
        .add_challenge(&session.id_hash, &nonce, state.now_ms(), expires_ms)
        .await?;
    Ok(ApiJson(Challenge {
        nonce,
        expires_at: crate::rfc3339(expires_ms),
    }))
}

/// `POST /api/v1/auth/login`: checks the token against the session's challenge and the server's
/// own origin, then moves the session to a new id bound to the certificate.
#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginRequest,
    params(("X-CSRF-Token" = String, Header)),
    responses((status = 200, body = crate::handlers::session::SessionInfo),
        (status = "4XX", body = protocol::api::ApiErrorBody)))]
/// # Errors
/// [`ApiError`]: the refusals this route's OpenAPI responses list (`#[utoipa::path]`).
pub async fn login(
    State(state): State<AppState>,
    CsrfSession(session): CsrfSession,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Response, ApiError> {
    // No per-address count here: a login needs a challenge, and challenges are counted per
    // address; the per-certificate count follows once the certificate is read.
    let now = state.now_ms();
    let b64 = base64::engine::general_purpose::STANDARD;
    // Bound the sizes before decoding: 4096 bytes of DER is at most 5464 base64 characters.
    if request.certificate.len() > 5464 || request.signature.len() > 1024 {
        return Err(ApiError::Login(
            crate::domain::certificate::LoginError::TokenSize,
        ));
    }
    let certificate = b64
        .decode(&request.certificate)
        .map_err(|_| ApiError::InvalidRequest("certificate is not base64".into()))?;
    let signature = b64
        .decode(&request.signature)
        .map_err(|_| ApiError::InvalidRequest("signature is not base64".into()))?;
    let claimed = CertificateId::of_der(&certificate).map(|id| id.key());
    if let Some(key) = &claimed {
        limits::per_certificate(&state, key).await?;
    }
    // Every outstanding challenge of the session is taken in one statement (with whether the
    // claimed certificate is revoked); those the token did not use are put back. The common
    // case, one challenge, costs that one statement, as a single-challenge design would.
    let taken = state
        .db
        .take_challenges(&session.id_hash, claimed.as_deref().unwrap_or(""))
        .await?;
    if taken.challenges.is_empty() {
        return Err(ApiError::NoChallenge);
    }
    let restore = |except: Option<usize>, under: String| {
        let state = state.clone();
        let kept: Vec<crate::db::ChallengeRow> = taken
            .challenges
            .iter()
            .enumerate()
            .filter(|(i, c)| Some(*i) != except && c.expires_ms >= now)
            .map(|(_, c)| c.clone())
            .collect();
        async move {
            if !kept.is_empty() {
                state.db.restore_challenges(&under, &kept).await?;
            }
            Ok::<(), ApiError>(())
        }
    };
    let outcome = async {
        let nonces = taken
            .challenges
            .iter()
            .map(|c| b64.decode(&c.nonce))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        let token = LoginToken {
            certificate: &certificate,
            signature: &signature,
            algorithm: &request.algorithm,
            format: &request.format,
        };
        let nonce_refs: Vec<&[u8]> = nonces.iter().map(Vec::as_slice).collect();
        let verified =
            state
                .trust
                .verify_login(&token, &state.settings.origin, &nonce_refs, now / 1000)?;
        if now > taken.challenges[verified.nonce_index].expires_ms {
            return Err(ApiError::ChallengeExpired);
        }
        crate::revocation::check_login(&state, &verified, taken.revoked, now).await?;
        // A write's nonce: the login also allows the write whose digest it carries.
        let write = protocol::signing::digest_of_nonce(&nonces[verified.nonce_index]);
        Ok((verified, write))
    }
    .await;
    let (verified, write) = match outcome {
        Ok(verified) => verified,
        Err(error) => {
            // A refused token spends nothing: another tab may still be using its challenge.
            restore(None, session.id_hash.clone()).await?;
            return Err(error);
        }
    };
    let new_id = session::random_token();
    let new_id_hash = session::hash_id(&new_id);
    let key = verified.key();
    // A session logged in with another certificate is another person's: it changes hands with
    // a new CSRF token and without the first person's pending challenges.
    let new_csrf = session
        .row
        .certificate_key
        .as_deref()
        .is_some_and(|previous| previous != key)
        .then(session::random_token);
    let login = crate::db::SessionLogin {
        new_id_hash: &new_id_hash,
        certificate_key: &key,
        certificate_expires_ms: verified.not_after.saturating_mul(1000),
        new_csrf: new_csrf.as_deref(),
    };
    if !state
        .db
        .authenticate_session(&session.id_hash, &login, now)
        .await?
    {
        return Err(ApiError::NoSession);
    }
    // The other tabs' challenges follow the session to its new id (same person only).
    if new_csrf.is_none() {
        restore(Some(verified.nonce_index), new_id_hash.clone()).await?;
        state
            .db
            .move_signed_writes(&session.id_hash, &new_id_hash)
            .await?;
    }
    if let Some(digest) = write {
        state
            .db
            .add_signed_write(&crate::db::SignedWriteRow {
                id: session::random_token(),
                session_id_hash: new_id_hash.clone(),
                purpose: None,
                digest: hex::encode(digest),
                nonce: taken.challenges[verified.nonce_index].nonce.clone(),
                signature: request.signature.clone(),
                certificate: request.certificate.clone(),
                certificate_key: key.clone(),
                signed_ms: now,
                expires_ms: now + crate::writes::SIGNED_WRITE_TTL_MS,
            })
            .await?;
    }
    tracing::info!(serial = %verified.id.serial(), "card login");
    let csrf_token = new_csrf.unwrap_or(session.row.csrf_token);
    let mut info = crate::handlers::session::session_info(&state, csrf_token, true);
    info.certificate_expires_at = Some(crate::rfc3339(verified.not_after.saturating_mul(1000)));
    Ok(crate::handlers::session::with_cookie(&state, &new_id, info))
}

/// `POST /api/v1/auth/logout`: ends the session.
#[utoipa::path(post, path = "/auth/logout", tag = "auth", params(("X-CSRF-Token" = String, Header)),
    responses((status = 204, description = "the session ended"), (status = "4XX", body = protocol::api::ApiErrorBody)))]
/// # Errors
/// [`ApiError`]: the refusals this route's OpenAPI responses list (`#[utoipa::path]`).
pub async fn logout(
    State(state): State<AppState>,
    CsrfSession(session): CsrfSession,
) -> Result<Response, ApiError> {
    state.db.delete_session(&session.id_hash).await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        session::clear_cookie(state.settings.secure_cookies()),
    );
    Ok(response)
}
