//! The one place where a refusal becomes an HTTP status and `{ code, message }`.

use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use protocol::api::{ApiCode, ApiErrorBody};

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
    /// A maintenance window stops this service now (`crate::maintenance`).
    #[error("this service is stopped for maintenance; try again later")]
    Maintenance {
        /// When the window is expected to end (RFC 3339, JST), when the operators said.
        until: Option<String>,
    },
    /// A write came without the card's signature over its content on this session
    /// (`crate::writes`).
    #[error("this write needs the card's signature over its content: read the card again")]
    WriteNotSigned,
    /// The eligibility certificate while the card is registered.
    #[error("the card is registered as the health-insurance card: cancel the registration first")]
    StillRegistered,
    /// A cancellation without the registration it names.
    #[error("no registration to cancel, or not the one shown: read the status again")]
    NotRegistered,
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

impl ApiError {
    /// The stable code.
    pub fn code(&self) -> ApiCode {
        match self {
            Self::InvalidRequest(_) => ApiCode::InvalidRequest,
            Self::TooLarge => ApiCode::TooLarge,
            Self::CsrfFailed => ApiCode::CsrfFailed,
            Self::NoSession => ApiCode::NoSession,
            Self::NotAuthenticated => ApiCode::NotAuthenticated,
            Self::NoChallenge => ApiCode::NoChallenge,
            Self::ChallengeExpired => ApiCode::ChallengeExpired,
            Self::Login(LoginError::UnsupportedAlgorithm) => ApiCode::AlgorithmUnsupported,
            Self::Login(LoginError::TokenSize) => ApiCode::TokenSize,
            Self::Login(LoginError::CertificateGarbled) => ApiCode::CertificateGarbled,
            Self::Login(LoginError::Untrusted) => ApiCode::CertificateUntrusted,
            Self::Login(LoginError::Expired) => ApiCode::CertificateExpired,
            Self::Login(LoginError::NotYetValid) => ApiCode::CertificateNotYetValid,
            Self::Login(LoginError::Revoked) => ApiCode::CertificateRevoked,
            Self::Login(LoginError::KeyUsage) => ApiCode::CertificateKeyUsage,
            Self::Login(LoginError::BadSignature) => ApiCode::SignatureInvalid,
            Self::RevocationUnavailable => ApiCode::RevocationUnavailable,
            Self::UnknownPerson => ApiCode::UnknownPerson,
            Self::NotYetEligible { .. } => ApiCode::NotYetEligible,
            Self::NotEligible => ApiCode::NotEligible,
            Self::TermsChanged => ApiCode::TermsChanged,
            Self::InvalidField(_) => ApiCode::InvalidField,
            Self::RateLimited { .. } => ApiCode::RateLimited,
            Self::UnknownService => ApiCode::UnknownService,
            Self::KioskNotAvailable => ApiCode::KioskNotAvailable,
            Self::MykeyRequired => ApiCode::MykeyRequired,
            Self::AlreadyApplied => ApiCode::AlreadyApplied,
            Self::PaymentIdTaken => ApiCode::PaymentIdTaken,
            Self::ProviderRejected => ApiCode::ProviderRejected,
            Self::ProviderUnavailable => ApiCode::ProviderUnavailable,
            Self::NotFound(_) => ApiCode::NotFound,
            Self::Maintenance { .. } => ApiCode::Maintenance,
            Self::WriteNotSigned => ApiCode::WriteNotSigned,
            Self::StillRegistered => ApiCode::StillRegistered,
            Self::NotRegistered => ApiCode::NotRegistered,
            Self::Internal(_) => ApiCode::Internal,
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
            | Self::PaymentIdTaken
            | Self::StillRegistered
            | Self::NotRegistered => StatusCode::CONFLICT,
            Self::ProviderRejected => StatusCode::UNPROCESSABLE_ENTITY,
            Self::ProviderUnavailable => StatusCode::BAD_GATEWAY,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::CsrfFailed | Self::UnknownPerson | Self::NotEligible | Self::WriteNotSigned => {
                StatusCode::FORBIDDEN
            }
            Self::NoSession
            | Self::NotAuthenticated
            | Self::NoChallenge
            | Self::ChallengeExpired
            | Self::Login(_) => StatusCode::UNAUTHORIZED,
            Self::NotYetEligible { .. } => StatusCode::CONFLICT,
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Self::RevocationUnavailable | Self::Maintenance { .. } => {
                StatusCode::SERVICE_UNAVAILABLE
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let Self::Internal(detail) = &self {
            tracing::error!(%detail, "internal error");
        } else {
            tracing::info!(code = self.code().as_str(), "refused");
        }
        let body = ApiErrorBody {
            code: self.code(),
            message: self.to_string(),
            available_from: match &self {
                Self::NotYetEligible { available_from } => Some(available_from.clone()),
                _ => None,
            },
            field: match &self {
                Self::InvalidField(field) => Some(field.api_name().to_owned()),
                _ => None,
            },
            retry_after: match &self {
                Self::RateLimited { retry_after } => Some(*retry_after),
                _ => None,
            },
            until: match &self {
                Self::Maintenance { until } => until.clone(),
                _ => None,
            },
            unknown_code: None,
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
