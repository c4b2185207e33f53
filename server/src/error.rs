//! The one place where a refusal becomes an HTTP status and `{ code, message }`.

use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use serde::Serialize;

use crate::{db::DbError, domain::certificate::LoginError};

/// Every refusal of the API, with a stable code.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The body is not what the endpoint takes.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// The body is larger than the API accepts.
    #[error("the request is too large")]
    TooLarge,
    /// The `X-CSRF-Token` header is missing or wrong.
    #[error("missing or wrong CSRF token")]
    CsrfFailed,
    /// No session, or it expired.
    #[error("no session; it may have expired")]
    NoSession,
    /// The session has not logged in with the card.
    #[error("log in with the My Number Card first")]
    NotAuthenticated,
    /// No challenge is pending, or it was used.
    #[error("no pending challenge; ask for a new one")]
    NoChallenge,
    /// The challenge expired.
    #[error("the challenge expired; ask for a new one")]
    ChallengeExpired,
    /// The token was refused.
    #[error(transparent)]
    Login(#[from] LoginError),
    /// The certificate is not linked to a person by the registry.
    #[error("this certificate is not registered yet")]
    UnknownPerson,
    /// Not eligible yet (F3); try again from `available_from`.
    #[error("you can apply from {available_from}")]
    NotYetEligible {
        /// RFC 3339, JST.
        available_from: String,
    },
    /// Not eligible with this certificate.
    #[error("this certificate cannot be used to apply")]
    NotEligible,
    /// The terms version is not the current one.
    #[error("the terms have changed; read them again")]
    TermsChanged,
    /// An internal failure (logged, never shown).
    #[error("internal error")]
    Internal(String),
}

impl From<DbError> for ApiError {
    fn from(error: DbError) -> Self {
        Self::Internal(error.to_string())
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Body<'a> {
    code: &'a str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    available_from: Option<&'a str>,
}

impl ApiError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidRequest(_) => "INVALID_REQUEST",
            Self::TooLarge => "TOO_LARGE",
            Self::CsrfFailed => "CSRF_FAILED",
            Self::NoSession => "NO_SESSION",
            Self::NotAuthenticated => "NOT_AUTHENTICATED",
            Self::NoChallenge => "NO_CHALLENGE",
            Self::ChallengeExpired => "CHALLENGE_EXPIRED",
            Self::Login(LoginError::UnsupportedAlgorithm) => "ALGORITHM_UNSUPPORTED",
            Self::Login(LoginError::TokenSize) => "TOKEN_SIZE",
            Self::Login(LoginError::CertificateGarbled) => "CERTIFICATE_GARBLED",
            Self::Login(LoginError::Untrusted) => "CERTIFICATE_UNTRUSTED",
            Self::Login(LoginError::Expired) => "CERTIFICATE_EXPIRED",
            Self::Login(LoginError::NotYetValid) => "CERTIFICATE_NOT_YET_VALID",
            Self::Login(LoginError::Revoked) => "CERTIFICATE_REVOKED",
            Self::Login(LoginError::KeyUsage) => "CERTIFICATE_KEY_USAGE",
            Self::Login(LoginError::BadSignature) => "SIGNATURE_INVALID",
            Self::UnknownPerson => "UNKNOWN_PERSON",
            Self::NotYetEligible { .. } => "NOT_YET_ELIGIBLE",
            Self::NotEligible => "NOT_ELIGIBLE",
            Self::TermsChanged => "TERMS_CHANGED",
            Self::Internal(_) => "INTERNAL",
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            Self::InvalidRequest(_) | Self::TermsChanged => StatusCode::BAD_REQUEST,
            Self::CsrfFailed | Self::UnknownPerson | Self::NotEligible => StatusCode::FORBIDDEN,
            Self::NoSession
            | Self::NotAuthenticated
            | Self::NoChallenge
            | Self::ChallengeExpired
            | Self::Login(_) => StatusCode::UNAUTHORIZED,
            Self::NotYetEligible { .. } => StatusCode::CONFLICT,
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let Self::Internal(detail) = &self {
            tracing::error!(%detail, "internal error");
        } else {
            tracing::info!(code = self.code(), "refused");
        }
        let available_from = match &self {
            Self::NotYetEligible { available_from } => Some(available_from.as_str()),
            _ => None,
        };
        let body = Body {
            code: self.code(),
            message: self.to_string(),
            available_from,
        };
        (self.status(), Json(body)).into_response()
    }
}
