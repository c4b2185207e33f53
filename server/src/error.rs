//! The one place where a refusal becomes an HTTP status and `{ code, message }`.

use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use serde::Serialize;

use crate::{
    db::DbError,
    domain::{certificate::LoginError, mynapoint::FieldError},
    provider::ProviderError,
};

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
    /// The CRL of the certificate's CA is past its nextUpdate and `--stale-crl refuse` is set.
    #[error("revocation cannot be checked right now; try again later")]
    RevocationUnavailable,
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
    /// A field of the input is not acceptable.
    #[error(transparent)]
    InvalidField(#[from] FieldError),
    /// Too many requests from this address or certificate; try again after `retry_after` s.
    #[error("too many requests; try again in {retry_after} s")]
    RateLimited {
        /// Seconds.
        retry_after: u64,
    },
    /// No such payment service.
    #[error("no payment service has this registration number")]
    UnknownService,
    /// The MyNa Point terminal cannot apply for this service (its app or shop can).
    #[error("this payment service cannot be applied for at this terminal")]
    KioskNotAvailable,
    /// MyNa Point needs a MyKey ID first (F4).
    #[error("reserve MyNa Point (issue a MyKey ID) first")]
    MykeyRequired,
    /// The person has applied for MyNa Point with another service or ID; it cannot change.
    #[error("you have already applied for MyNa Point; the service cannot be changed")]
    AlreadyApplied,
    /// The payment-service ID is already registered for MyNa Point.
    #[error("this payment-service ID is already registered for MyNa Point")]
    PaymentIdTaken,
    /// The provider cannot confirm the ID and security code.
    #[error("the payment-service ID or security code could not be confirmed by the provider")]
    ProviderRejected,
    /// The provider could not be asked.
    #[error("the payment provider cannot be reached; try again later")]
    ProviderUnavailable,
    /// Nothing there yet (no reservation, no application).
    #[error("{0}")]
    NotFound(&'static str),
    /// An internal failure (logged, never shown).
    #[error("internal error")]
    Internal(String),
}

impl From<DbError> for ApiError {
    fn from(error: DbError) -> Self {
        Self::Internal(error.to_string())
    }
}

impl From<ProviderError> for ApiError {
    fn from(error: ProviderError) -> Self {
        match error {
            ProviderError::Rejected => Self::ProviderRejected,
            ProviderError::Unavailable(detail) => {
                tracing::warn!(%detail, "payment provider unavailable");
                Self::ProviderUnavailable
            }
        }
    }
}

/// The body of every refusal.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody<'a> {
    /// The stable code.
    code: &'a str,
    /// An English explanation (the SPA shows its own text for each code).
    message: String,
    /// `NOT_YET_ELIGIBLE`: from when (RFC 3339, JST).
    #[serde(skip_serializing_if = "Option::is_none")]
    available_from: Option<&'a str>,
    /// `INVALID_FIELD`: which field.
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
    /// `RATE_LIMITED`: seconds to wait.
    #[serde(skip_serializing_if = "Option::is_none")]
    retry_after: Option<u64>,
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
            Self::RevocationUnavailable => "REVOCATION_UNAVAILABLE",
            Self::UnknownPerson => "UNKNOWN_PERSON",
            Self::NotYetEligible { .. } => "NOT_YET_ELIGIBLE",
            Self::NotEligible => "NOT_ELIGIBLE",
            Self::TermsChanged => "TERMS_CHANGED",
            Self::InvalidField(_) => "INVALID_FIELD",
            Self::RateLimited { .. } => "RATE_LIMITED",
            Self::UnknownService => "UNKNOWN_SERVICE",
            Self::KioskNotAvailable => "KIOSK_NOT_AVAILABLE",
            Self::MykeyRequired => "MYKEY_REQUIRED",
            Self::AlreadyApplied => "ALREADY_APPLIED",
            Self::PaymentIdTaken => "PAYMENT_ID_TAKEN",
            Self::ProviderRejected => "PROVIDER_REJECTED",
            Self::ProviderUnavailable => "PROVIDER_UNAVAILABLE",
            Self::NotFound(_) => "NOT_FOUND",
            Self::Internal(_) => "INTERNAL",
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            Self::InvalidRequest(_)
            | Self::TermsChanged
            | Self::InvalidField(_)
            | Self::UnknownService => StatusCode::BAD_REQUEST,
            Self::KioskNotAvailable
            | Self::MykeyRequired
            | Self::AlreadyApplied
            | Self::PaymentIdTaken => StatusCode::CONFLICT,
            Self::ProviderRejected => StatusCode::UNPROCESSABLE_ENTITY,
            Self::ProviderUnavailable => StatusCode::BAD_GATEWAY,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::CsrfFailed | Self::UnknownPerson | Self::NotEligible => StatusCode::FORBIDDEN,
            Self::NoSession
            | Self::NotAuthenticated
            | Self::NoChallenge
            | Self::ChallengeExpired
            | Self::Login(_) => StatusCode::UNAUTHORIZED,
            Self::NotYetEligible { .. } => StatusCode::CONFLICT,
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Self::RevocationUnavailable => StatusCode::SERVICE_UNAVAILABLE,
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
        let body = ErrorBody {
            code: self.code(),
            message: self.to_string(),
            available_from,
            field: match &self {
                Self::InvalidField(field) => Some(field.api_name()),
                _ => None,
            },
            retry_after: match &self {
                Self::RateLimited { retry_after } => Some(*retry_after),
                _ => None,
            },
        };
        let mut response = (self.status(), Json(body)).into_response();
        if let Self::RateLimited { retry_after } = &self {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(*retry_after),
            );
        }
        response
    }
}
