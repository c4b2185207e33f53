//! The portal API (`/api/v1`): its requests and answers, and its refusals — one stable code per
//! reason and the body that carries it. The server sends them (`server/src/error.rs` maps its errors to a code and an HTTP
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
    /// A maintenance window stops this service now (`crate::maintenance`); `until` says when
    /// it is expected to end, when the operators said.
    Maintenance,
    /// A write that needs the card's signature over its content came without one on this
    /// session (never signed, signed for other content, already used, or expired;
    /// `docs/contract.md`, "Signed writes").
    WriteNotSigned,
    /// The card is registered as the health-insurance card: the eligibility certificate
    /// (資格確認書) is for people without the registration (cancel it first; the cancellation
    /// can ask for the certificate).
    StillRegistered,
    /// No registration to cancel, or not the one the page showed: another window cancelled or
    /// applied since (the page reads the status again).
    NotRegistered,
    /// An internal failure (logged by the server, never described on the wire).
    Internal,
    /// Never sent by the server: the page could not reach it, or could not read its answer.
    Network,
    /// Never sent by the server: a code this build of the page does not know (a newer server),
    /// shown with the code as sent (`ApiErrorBody::code_text`).
    #[serde(other)]
    Unknown,
}

impl ApiCode {
    /// Every code, for tests that each has its text and its wire spelling.
    pub const ALL: [Self; 38] = [
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
        Self::Maintenance,
        Self::WriteNotSigned,
        Self::StillRegistered,
        Self::NotRegistered,
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
            Self::Maintenance => "MAINTENANCE",
            Self::WriteNotSigned => "WRITE_NOT_SIGNED",
            Self::StillRegistered => "STILL_REGISTERED",
            Self::NotRegistered => "NOT_REGISTERED",
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
#[serde(rename_all = "camelCase", from = "ApiErrorWire")]
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
    /// `MAINTENANCE`: when the window is expected to end (RFC 3339, JST), when the operators
    /// said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    /// The code as a newer server sent it, when this page does not know it
    /// ([`ApiCode::Unknown`]): the page shows it so that a help desk can tell what happened.
    #[serde(skip)]
    pub unknown_code: Option<String>,
}

/// [`ApiErrorBody`] as read: the code as text first, so that an unknown one is kept.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ApiErrorWire {
    code: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    available_from: Option<String>,
    #[serde(default)]
    field: Option<String>,
    #[serde(default)]
    retry_after: Option<u64>,
    #[serde(default)]
    until: Option<String>,
}

impl From<ApiErrorWire> for ApiErrorBody {
    fn from(wire: ApiErrorWire) -> Self {
        let code = ApiCode::ALL
            .into_iter()
            .find(|code| *code != ApiCode::Unknown && code.as_str() == wire.code)
            .unwrap_or(ApiCode::Unknown);
        Self {
            code,
            message: wire.message,
            available_from: wire.available_from,
            field: wire.field,
            retry_after: wire.retry_after,
            until: wire.until,
            unknown_code: (code == ApiCode::Unknown).then_some(wire.code),
        }
    }
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
            until: None,
            unknown_code: None,
        }
    }

    /// `INVALID_FIELD`'s field, typed; `None` for another refusal, or for a field this build does
    /// not know (a newer server's: the page then shows the refusal's own text). On the wire it
    /// is the field's API name, so that a reader never fails on a new one.
    pub fn invalid_field(&self) -> Option<crate::payment::Field> {
        (self.code == ApiCode::InvalidField)
            .then(|| {
                self.field
                    .as_deref()
                    .and_then(crate::payment::Field::from_api_name)
            })
            .flatten()
    }

    /// `INVALID_FIELD` naming `field` (its API name on the wire).
    pub fn invalid(field: crate::payment::Field, message: impl Into<String>) -> Self {
        Self {
            field: Some(field.api_name().to_owned()),
            ..Self::new(ApiCode::InvalidField, message)
        }
    }

    /// The code to show: the wire's spelling, or what a newer server sent.
    pub fn code_text(&self) -> &str {
        self.unknown_code
            .as_deref()
            .unwrap_or_else(|| self.code.as_str())
    }

    /// The page's own failure to reach the server or to read its answer (`NETWORK`).
    pub fn network(message: impl Into<String>) -> Self {
        Self::new(ApiCode::Network, message)
    }
}

/// `GET /session`, and the answer of `POST /auth/login`: the session as the page sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SessionInfo {
    /// Echo it in `X-CSRF-Token` on every state-changing call.
    pub csrf_token: String,
    /// Whether the session logged in with the card.
    pub authenticated: bool,
    /// Seconds of inactivity after which the session ends.
    pub idle_timeout_seconds: u64,
    /// After a card login: when the card's user-authentication certificate expires (RFC 3339,
    /// JST), so the page can warn in the last three months before it. It lasts until the
    /// holder's fifth birthday after issue; renewal is at the municipal office.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_expires_at: Option<String>,
}

/// `POST /auth/challenge`: a new single-use challenge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Challenge {
    /// 32 random bytes, standard base64: what the bridge expects.
    pub nonce: String,
    /// RFC 3339.
    pub expires_at: String,
}

/// `POST /auth/login`: what the bridge returned, without its `reader`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LoginRequest {
    /// Base64 DER.
    pub certificate: String,
    /// Base64.
    pub signature: String,
    /// `RS256`.
    pub algorithm: String,
    /// `myna-auth:1`.
    pub format: String,
}

/// `POST /insurance/application` (F1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InsuranceApplication {
    /// 「マイナポータルの利用者登録を行う」.
    pub register_portal_user: bool,
    /// The terms version the user agreed to.
    pub terms_version: String,
}

/// 申込状況.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ApplicationState {
    /// 正常に受け付けました.
    Received,
    /// Not applied yet.
    NotApplied,
    /// The registration was cancelled (`POST /insurance/cancellation`); a new application
    /// registers again.
    Cancelled,
}

/// 健康保険証としての登録状況.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Registration {
    /// システム準備中: the insurer's record is not there yet; `expectedBy` gives the month.
    Preparing,
    /// 登録完了.
    Completed,
    /// The insurer has no record of the person: ask the insurer.
    ContactInsurer,
    /// The person said the link is not theirs (「これは私ではない」): frozen until the insurer
    /// corrects it.
    Frozen,
}

/// What the insurer's record links the person to, as the status screen shows it: never the My
/// Number or the four basic attributes, the symbol and number only by their last characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct InsurerLink {
    /// The insurer (保険者名).
    pub insurer_name: String,
    /// The insured person's symbol (記号), masked but for its last characters (`＊＊45`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symbol: Option<String>,
    /// The insured person's number (番号), masked but for its last characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// When the insurer's record was last updated (`YYYY-MM-DD`, JST), when the insurer said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<String>,
}

/// One event of the registration's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    /// When (RFC 3339, JST).
    pub at: String,
    /// What happened.
    pub event: HistoryEvent,
    /// The receipt's number, where the event is a write with one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt_number: Option<String>,
}

/// What happened to the registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum HistoryEvent {
    /// The application was received.
    Applied,
    /// The insurer's record linked the person (registration completed).
    Linked,
    /// The person reported that the link is not theirs.
    Disputed,
    /// The person cancelled the registration.
    Cancelled,
    /// The person asked for the eligibility certificate (資格確認書).
    CertificateRequested,
}

/// `POST /insurance/link/dispute`: 「これは私ではない」 for the link as the page showed it (the
/// card signs exactly this; a link that changed since is not the one disputed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LinkDispute {
    /// [`InsurerLink::insurer_name`] as shown.
    pub insurer_name: String,
    /// [`InsurerLink::symbol`] as shown (masked).
    #[serde(default)]
    pub symbol: Option<String>,
    /// [`InsurerLink::number`] as shown (masked).
    #[serde(default)]
    pub number: Option<String>,
    /// [`InsurerLink::as_of`] as shown.
    #[serde(default)]
    pub as_of: Option<String>,
}

/// The receipt of a dispute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DisputeReceipt {
    /// 受付番号 (`XXXX XXXX XXXX XXXX XXXX`).
    pub receipt_number: String,
    /// When it was received (RFC 3339, JST).
    pub reported_at: String,
}

/// `POST /insurance/cancellation`: cancels the health-insurance use registration (the card
/// signs exactly this, `docs/contract.md`, "Cancellation and the eligibility certificate").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InsuranceCancellation {
    /// Also ask the insurer for the eligibility certificate (資格確認書).
    pub request_certificate: bool,
    /// The receipt of the application cancelled, as the status showed it (absent for one
    /// received before receipts were numbered): the card signs the cancellation of that
    /// registration, not of a later one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_receipt: Option<String>,
}

/// `POST /insurance/certificate`: asks the insurer for the eligibility certificate (資格確認書)
/// without the registration. Nothing but the request itself: the insurer sends it to the
/// address it holds (the portal never stores an address).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CertificateRequest {}

/// The receipt of a cancellation or an eligibility certificate's request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RequestReceipt {
    /// 受付番号 (`XXXX XXXX XXXX XXXX XXXX`).
    pub receipt_number: String,
    /// When it was received (RFC 3339, JST).
    pub received_at: String,
    /// Whether the insurer is asked for the eligibility certificate.
    pub certificate: bool,
}

/// What a receipt of やりとり履歴 is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReceiptKind {
    /// F1 (or F6's bulk application): the health-insurance use registration.
    InsuranceApplication,
    /// Its cancellation.
    InsuranceCancellation,
    /// The eligibility certificate's request, on its own.
    CertificateRequest,
    /// 「これは私ではない」.
    LinkDispute,
    /// F4: the MyKey ID's reservation.
    MynapointReservation,
    /// F5: the MyNa Point application.
    MynapointApplication,
    /// マイナポータルの利用者登録 (with F1, or F6's bulk application).
    PortalUser,
}

/// Where a receipt's write stands now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReceiptStatus {
    /// Received; nothing further is expected of the portal (a request passed to the insurer, a
    /// MyNa Point application).
    Received,
    /// The registration waits for the insurer's record.
    Preparing,
    /// Done: the registration is complete, the MyKey ID is set.
    Completed,
    /// The insurer has no record of the person: ask the insurer.
    ContactInsurer,
    /// The registration's link is frozen by a dispute.
    Frozen,
    /// The registration was cancelled later.
    Cancelled,
    /// A dispute the insurer has answered with a different or newer record.
    Resolved,
}

/// One receipt of やりとり履歴 (`GET /receipts`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ReceiptEntry {
    /// What was written.
    pub kind: ReceiptKind,
    /// When (RFC 3339, JST).
    pub at: String,
    /// 受付番号; absent for a write received before receipts were numbered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt_number: Option<String>,
    /// Where it stands now.
    pub status: ReceiptStatus,
}

/// `GET /receipts`: every receipt of the person, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Receipts {
    /// The receipts, newest first.
    pub receipts: Vec<ReceiptEntry>,
}

/// A request that was received (マイナポータルの利用者登録).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Received {
    /// Received.
    Received,
}

/// The rows of the F2 status table (`GET /insurance/status`, and the answer of the F1
/// application).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct InsuranceStatus {
    /// 申込状況.
    pub application: ApplicationState,
    /// When the application was received (RFC 3339, JST).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applied_at: Option<String>,
    /// 健康保険証としての登録状況; absent before an application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration: Option<Registration>,
    /// The month (`YYYY-MM`, never past) of 「{month}までに登録完了予定」 while preparing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_by: Option<String>,
    /// マイナポータルの利用者登録, only when the user opted in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub portal_user: Option<Received>,
    /// What the insurer's record links the person to, once it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<InsurerLink>,
    /// The registration's history, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<HistoryEntry>,
}

/// `POST`/`GET /mynapoint/reservation`: the MyKey ID.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Reservation {
    /// マイキーID: 8 characters.
    pub my_key_id: String,
}

/// `GET /mynapoint/services?q=`: the services found, in catalogue order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Services {
    /// In catalogue order.
    pub services: Vec<crate::mynapoint::Service>,
}

/// `POST /mynapoint/application` and `…/check` (F5 step 5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PointApplication {
    /// The service's registration number (`MP…`).
    pub service_code: String,
    /// 決済サービスID.
    pub payment_service_id: String,
    /// セキュリティコード: checked with the provider, never stored.
    pub security_code: String,
    /// 電話番号(下4桁), optional.
    #[serde(default)]
    pub phone_last4: Option<String>,
    /// Sent by the MyNa Point terminal: services that cannot be applied for there are refused.
    #[serde(default)]
    pub kiosk: bool,
    /// The version of the MyNa Point terms the citizen agreed to (`TERMS_CHANGED` unless the
    /// current one); stored with the application.
    pub terms_version: String,
}

/// `POST /bulk-application` (F6): the two boxes of 「政府からのご案内」.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BulkApplication {
    /// マイナポータル利用者登録の申込.
    pub portal_user: bool,
    /// マイナンバーカード健康保険証利用の申込.
    pub insurance: bool,
    /// The version of 利用規約（共通） shown; the current one when absent.
    #[serde(default)]
    pub terms_version: Option<String>,
}

/// What the bulk application did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct BulkResult {
    /// Set when the portal-user registration was applied for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub portal_user: Option<Received>,
    /// The F2 status after the insurance application, when applied for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insurance: Option<InsuranceStatus>,
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
    fn an_invalid_field_is_typed_and_a_new_one_is_not_an_error() {
        use crate::payment::Field;
        let known = ApiErrorBody::invalid(Field::SecurityCode, "m");
        let wire = serde_json::to_value(&known).expect("serialises");
        assert_eq!(wire["field"], "securityCode");
        let back: ApiErrorBody = serde_json::from_value(wire).expect("parses");
        assert_eq!(back.invalid_field(), Some(Field::SecurityCode));
        let newer: ApiErrorBody =
            serde_json::from_str(r#"{"code":"INVALID_FIELD","field":"birthday"}"#).expect("parses");
        assert_eq!(newer.invalid_field(), None);
        let other = ApiErrorBody::new(ApiCode::RateLimited, "m");
        assert_eq!(other.invalid_field(), None);
    }

    #[test]
    fn a_code_from_a_newer_server_is_unknown_not_an_error() {
        let body: ApiErrorBody =
            serde_json::from_str(r#"{"code":"SOMETHING_NEW","message":"m","extra":1}"#)
                .expect("parses");
        assert_eq!(body.code, ApiCode::Unknown);
        assert_eq!(body.message, "m");
        assert_eq!(body.code_text(), "SOMETHING_NEW");
        let known: ApiErrorBody =
            serde_json::from_str(r#"{"code":"RATE_LIMITED","retryAfter":30}"#).expect("parses");
        assert_eq!(
            (known.code, known.retry_after, known.code_text()),
            (ApiCode::RateLimited, Some(30), "RATE_LIMITED")
        );
    }

    #[test]
    fn the_status_states_keep_their_wire_spelling() {
        let status = InsuranceStatus {
            application: ApplicationState::Received,
            applied_at: None,
            registration: Some(Registration::ContactInsurer),
            expected_by: None,
            portal_user: Some(Received::Received),
            link: None,
            history: Vec::new(),
        };
        assert_eq!(
            serde_json::to_string(&status).expect("serialises"),
            r#"{"application":"received","registration":"contact_insurer","portalUser":"received"}"#
        );
        let frozen = InsuranceStatus {
            registration: Some(Registration::Frozen),
            link: Some(InsurerLink {
                insurer_name: "X".into(),
                symbol: Some("＊＊45".into()),
                number: None,
                as_of: Some("2026-11-02".into()),
            }),
            history: vec![HistoryEntry {
                at: "2026-11-20T15:00:00+09:00".into(),
                event: HistoryEvent::Disputed,
                receipt_number: Some("1".into()),
            }],
            ..status
        };
        assert_eq!(
            serde_json::to_value(&frozen).expect("serialises"),
            serde_json::json!({"application": "received", "registration": "frozen", "portalUser": "received",
                "link": {"insurerName": "X", "symbol": "＊＊45", "asOf": "2026-11-02"},
                "history": [{"at": "2026-11-20T15:00:00+09:00", "event": "disputed", "receiptNumber": "1"}]})
        );
        let none: InsuranceStatus =
            serde_json::from_str(r#"{"application":"not_applied"}"#).expect("parses");
        assert_eq!(none.application, ApplicationState::NotApplied);
    }

    #[test]
    fn a_maintenance_refusal_says_until_when() {
        let body: ApiErrorBody = serde_json::from_str(
            r#"{"code":"MAINTENANCE","message":"m","until":"2026-12-01T06:00:00+09:00"}"#,
        )
        .expect("parses");
        assert_eq!(body.code, ApiCode::Maintenance);
        assert_eq!(body.until.as_deref(), Some("2026-12-01T06:00:00+09:00"));
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
