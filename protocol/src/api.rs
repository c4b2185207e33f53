//! The portal API's refusals (`/api/v1`): one stable code per reason and the body that carries
//! it. The server sends them (`server/src/error.rs` maps its errors to a code and an HTTP
//! status); the SPA turns each code into its own text in one exhaustive match, so a code added
//! here is a compile error there, not a silent "internal". The server sends codes and data
//! (dates as RFC 3339, field names, seconds), never display text: the page writes the words in
//! the reader's language.

use serde::{Deserialize, Serialize};

/// Why the API refused a request. On the wire as `SCREAMING_SNAKE_CASE` (`"NO_SESSION"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ApiCode {
    /// The body is not what the endpoint takes.
    InvalidRequest,
    /// The body is larger than the API accepts.
    TooLarge,
    /// The `X-CSRF-Token` header is missing or wrong.
    CsrfFailed,
    /// No session, or it expired.
    NoSession,
    /// The session has not logged in with the card.
    NotAuthenticated,
    /// No challenge is pending, or it was used.
    NoChallenge,
    /// The challenge expired.
    ChallengeExpired,
    /// The token's signature algorithm is not RS256.
    AlgorithmUnsupported,
    /// A part of the token is larger than a real card produces.
    TokenSize,
    /// The certificate cannot be parsed.
    CertificateGarbled,
    /// The certificate does not chain to a trusted JPKI CA.
    CertificateUntrusted,
    /// The certificate has expired.
    CertificateExpired,
    /// The certificate is not valid yet.
    CertificateNotYetValid,
    /// The certificate is revoked (the CA's CRL lists it).
    CertificateRevoked,
    /// The certificate is not a user-authentication certificate.
    CertificateKeyUsage,
    /// The signature over the challenge does not verify.
    SignatureInvalid,
    /// Revocation cannot be checked now (the CRL is stale and the server refuses then).
    RevocationUnavailable,
    /// The certificate is not linked to a person by the registry.
    UnknownPerson,
    /// Not eligible yet; `availableFrom` says from when.
    NotYetEligible,
    /// Not eligible with this certificate.
    NotEligible,
    /// The terms version is not the current one.
    TermsChanged,
    /// A field of the input is not acceptable; `field` names it.
    InvalidField,
    /// Too many requests; `retryAfter` says how many seconds to wait.
    RateLimited,
    /// No payment service has this registration number.
    UnknownService,
    /// This payment service cannot be applied for at the MyNa Point terminal.
    KioskNotAvailable,
    /// MyNa Point needs a MyKey ID first (the reservation).
    MykeyRequired,
    /// The person has applied for MyNa Point already; the service cannot change.
    AlreadyApplied,
    /// The payment-service ID is already registered for MyNa Point.
    PaymentIdTaken,
    /// The payment provider cannot confirm the ID and security code.
    ProviderRejected,
    /// The payment provider cannot be reached.
    ProviderUnavailable,
    /// Nothing there yet (no reservation, no application).
    NotFound,
    /// An internal failure (logged by the server, never described on the wire).
    Internal,
    /// Never sent by the server: the page could not reach it, or could not read its answer.
    Network,
    /// A code this build does not know (a newer server): shown as an unexpected failure.
    #[serde(other)]
    Unknown,
}

impl ApiCode {
    /// Every code, for tests that each has its text and its wire spelling.
    pub const ALL: [Self; 34] = [
        Self::InvalidRequest,
        Self::TooLarge,
        Self::CsrfFailed,
        Self::NoSession,
        Self::NotAuthenticated,
        Self::NoChallenge,
        Self::ChallengeExpired,
        Self::AlgorithmUnsupported,
        Self::TokenSize,
        Self::CertificateGarbled,
        Self::CertificateUntrusted,
        Self::CertificateExpired,
        Self::CertificateNotYetValid,
        Self::CertificateRevoked,
        Self::CertificateKeyUsage,
        Self::SignatureInvalid,
        Self::RevocationUnavailable,
        Self::UnknownPerson,
        Self::NotYetEligible,
        Self::NotEligible,
        Self::TermsChanged,
        Self::InvalidField,
        Self::RateLimited,
        Self::UnknownService,
        Self::KioskNotAvailable,
        Self::MykeyRequired,
        Self::AlreadyApplied,
        Self::PaymentIdTaken,
        Self::ProviderRejected,
        Self::ProviderUnavailable,
        Self::NotFound,
        Self::Internal,
        Self::Network,
        Self::Unknown,
    ];

    /// The code as on the wire, e.g. `NO_SESSION` (for logs and the page's "code: …" line).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "INVALID_REQUEST",
            Self::TooLarge => "TOO_LARGE",
            Self::CsrfFailed => "CSRF_FAILED",
            Self::NoSession => "NO_SESSION",
            Self::NotAuthenticated => "NOT_AUTHENTICATED",
            Self::NoChallenge => "NO_CHALLENGE",
            Self::ChallengeExpired => "CHALLENGE_EXPIRED",
            Self::AlgorithmUnsupported => "ALGORITHM_UNSUPPORTED",
            Self::TokenSize => "TOKEN_SIZE",
            Self::CertificateGarbled => "CERTIFICATE_GARBLED",
            Self::CertificateUntrusted => "CERTIFICATE_UNTRUSTED",
            Self::CertificateExpired => "CERTIFICATE_EXPIRED",
            Self::CertificateNotYetValid => "CERTIFICATE_NOT_YET_VALID",
            Self::CertificateRevoked => "CERTIFICATE_REVOKED",
            Self::CertificateKeyUsage => "CERTIFICATE_KEY_USAGE",
            Self::SignatureInvalid => "SIGNATURE_INVALID",
            Self::RevocationUnavailable => "REVOCATION_UNAVAILABLE",
            Self::UnknownPerson => "UNKNOWN_PERSON",
            Self::NotYetEligible => "NOT_YET_ELIGIBLE",
            Self::NotEligible => "NOT_ELIGIBLE",
            Self::TermsChanged => "TERMS_CHANGED",
            Self::InvalidField => "INVALID_FIELD",
            Self::RateLimited => "RATE_LIMITED",
            Self::UnknownService => "UNKNOWN_SERVICE",
            Self::KioskNotAvailable => "KIOSK_NOT_AVAILABLE",
            Self::MykeyRequired => "MYKEY_REQUIRED",
            Self::AlreadyApplied => "ALREADY_APPLIED",
            Self::PaymentIdTaken => "PAYMENT_ID_TAKEN",
            Self::ProviderRejected => "PROVIDER_REJECTED",
            Self::ProviderUnavailable => "PROVIDER_UNAVAILABLE",
            Self::NotFound => "NOT_FOUND",
            Self::Internal => "INTERNAL",
            Self::Network => "NETWORK",
            Self::Unknown => "UNKNOWN",
        }
    }
}

impl std::fmt::Display for ApiCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The body of every refusal of the API: `{ "code": …, "message": …, … }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ApiErrorBody {
    /// The stable code.
    pub code: ApiCode,
    /// An English explanation for developers and logs (the page shows its own text per code).
    #[serde(default)]
    pub message: String,
    /// `NOT_YET_ELIGIBLE`: from when (RFC 3339, JST).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available_from: Option<String>,
    /// `INVALID_FIELD`: which field (its API name, e.g. `paymentId`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// `RATE_LIMITED`: seconds to wait.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

impl ApiErrorBody {
    /// A body with `code` and `message` only.
    pub fn new(code: ApiCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            available_from: None,
            field: None,
            retry_after: None,
        }
    }

    /// The page's own failure to reach the server or to read its answer (`NETWORK`).
    pub fn network(message: impl Into<String>) -> Self {
        Self::new(ApiCode::Network, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_spelled_on_the_wire_as_as_str_says() {
        for code in ApiCode::ALL {
            let wire = serde_json::to_value(code).expect("serialises");
            assert_eq!(wire, code.as_str(), "{code:?}");
            let back: ApiCode = serde_json::from_value(wire).expect("parses");
            assert_eq!(back, code);
        }
    }

    #[test]
    fn a_code_from_a_newer_server_is_unknown_not_an_error() {
        let body: ApiErrorBody =
            serde_json::from_str(r#"{"code":"SOMETHING_NEW","message":"m","extra":1}"#)
                .expect("parses");
        assert_eq!(body.code, ApiCode::Unknown);
        assert_eq!(body.message, "m");
    }

    #[test]
    fn only_the_data_a_code_needs_is_sent() {
        let body = ApiErrorBody::new(ApiCode::NoSession, "no session");
        assert_eq!(
            serde_json::to_string(&body).expect("serialises"),
            r#"{"code":"NO_SESSION","message":"no session"}"#
        );
    }
}
