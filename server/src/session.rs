//! Cookie sessions kept in the database, and the extractors handlers use: [`Session`],
//! [`CsrfSession`] (state-changing calls) and [`Authenticated`] (after a card login).
//!
//! The cookie holds 32 random bytes; the database holds only their SHA-256, so a copy of the
//! database cannot be replayed as cookies. `SameSite=Strict; HttpOnly; Secure` (Secure is left out
//! only for plain http on a loopback host in development). State-changing calls also need the
//! session's CSRF token in `X-CSRF-Token`.

use axum::{
    extract::FromRequestParts,
    http::{header, request::Parts, HeaderMap, HeaderValue},
};
use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::{db::SessionRow, error::ApiError, AppState};

/// The session cookie's name.
pub const COOKIE: &str = "myna_session";
/// The CSRF header.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// 32 random bytes, base64url.
pub fn random_token() -> String {
    let bytes: [u8; 32] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// What the database stores for a cookie value.
pub fn hash_id(id: &str) -> String {
    hex::encode(Sha256::digest(id.as_bytes()))
}

/// The `Set-Cookie` value for a session id.
pub fn set_cookie(id: &str, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{COOKIE}={id}; Path=/; HttpOnly; SameSite=Strict{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("myna_session=; Path=/"))
}

/// The `Set-Cookie` value that removes the cookie.
pub fn clear_cookie(secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("myna_session=; Path=/; Max-Age=0"))
}

fn cookie_value(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_owned())
        .filter(|value| !value.is_empty() && value.len() <= 64)
}

/// Constant-time equality for tokens.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A live session (its idle time is reset by the request).
#[derive(Debug, Clone)]
pub struct Session {
    /// SHA-256 of the cookie value.
    pub id_hash: String,
    /// The stored session.
    pub row: SessionRow,
}

impl Session {
    /// Reads the session of the request, if it is alive.
    ///
    /// # Errors
    /// [`ApiError::Internal`] when the database fails.
    pub async fn find(headers: &HeaderMap, state: &AppState) -> Result<Option<Self>, ApiError> {
        let Some(id) = cookie_value(headers) else {
            return Ok(None);
        };
        let id_hash = hash_id(&id);
        let now = state.now_ms();
        let row = state
            .db
            .touch_session(
                &id_hash,
                state.settings.idle_since_ms(now),
                state.settings.pending_since_ms(now),
                now,
            )
            .await?;
        match row {
            // A CRL imported since the login revokes the certificate: the session ends at this
            // request, on whichever instance it arrives.
            Some(row) if row.revoked => {
                state.db.delete_session(&id_hash).await?;
                tracing::info!("session of a revoked certificate ended");
                Err(ApiError::Login(
                    crate::domain::certificate::LoginError::Revoked,
                ))
            }
            row => Ok(row.map(|row| Self { id_hash, row })),
        }
    }
}

impl FromRequestParts<AppState> for Session {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Self::find(&parts.headers, state)
            .await?
            .ok_or(ApiError::NoSession)
    }
}

/// A session whose request carries its CSRF token.
#[derive(Debug, Clone)]
pub struct CsrfSession(pub Session);

impl FromRequestParts<AppState> for CsrfSession {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let session = Session::from_request_parts(parts, state).await?;
        let token = parts
            .headers
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !same(token, &session.row.csrf_token) {
            return Err(ApiError::CsrfFailed);
        }
        Ok(Self(session))
    }
}

/// A session that logged in with the card.
#[derive(Debug, Clone)]
pub struct Authenticated {
    /// The session.
    pub session: Session,
    /// issuer|serial of the certificate.
    pub certificate_key: String,
}

impl Authenticated {
    /// The person the registry links the certificate to (read with the session), or
    /// `UNKNOWN_PERSON`.
    ///
    /// # Errors
    /// `UNKNOWN_PERSON` when the registry links no person; [`ApiError::Internal`] when the database
    /// fails.
    pub fn person(&self) -> Result<&str, ApiError> {
        self.session
            .row
            .person_id
            .as_deref()
            .ok_or(ApiError::UnknownPerson)
    }

    fn from_session(session: Session) -> Result<Self, ApiError> {
        let certificate_key = session
            .row
            .certificate_key
            .clone()
            .ok_or(ApiError::NotAuthenticated)?;
        Ok(Self {
            session,
            certificate_key,
        })
    }
}

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Self::from_session(Session::from_request_parts(parts, state).await?)
    }
}

/// A logged-in session whose request carries its CSRF token.
#[derive(Debug, Clone)]
pub struct AuthenticatedCsrf(pub Authenticated);

impl FromRequestParts<AppState> for AuthenticatedCsrf {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let CsrfSession(session) = CsrfSession::from_request_parts(parts, state).await?;
        Ok(Self(Authenticated::from_session(session)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; myna_session=abc; b=2"),
        );
        assert_eq!(cookie_value(&headers), Some("abc".into()));
        let secure = set_cookie("abc", true);
        assert_eq!(
            secure.to_str().ok(),
            Some("myna_session=abc; Path=/; HttpOnly; SameSite=Strict; Secure")
        );
        assert!(!set_cookie("abc", false)
            .to_str()
            .unwrap_or("Secure")
            .contains("Secure"));
        assert!(same("abc", "abc") && !same("abc", "abd") && !same("abc", "ab"));
    }
}
