//! Card-signed writes (issue 14; `docs/contract.md`, "Signed writes").
//!
//! A write — the health-insurance application, the MyNa Point reservation and application — is
//! accepted only with a fresh card signature over a digest of exactly what it writes, bound to
//! the portal's origin and a server nonce: the login's signing contract with a different nonce.
//! `POST /auth/challenge?purpose=…` with the write's body answers a nonce of 64 bytes, the
//! server's 32 random bytes then [`protocol::signing::write_digest`] of the write's canonical
//! content ([`content`]); the card signs it in the same PIN entry as the login, the login keeps
//! the verified signature for the session ([`crate::db::SignedWriteRow`]), and the write claims
//! it once, in the write's own transaction ([`begin`]) — so a session left open cannot write
//! anything its card did not sign, and the stored signature is the evidence behind the receipt
//! of a write that was made (never of one that was not).

use protocol::{
    api::{
        CertificateRequest, InsuranceApplication, InsuranceCancellation, LinkDispute,
        PointApplication,
    },
    signing::{write_digest, WritePurpose},
};

use crate::{
    db::{Claim, Cover, SignedWrite},
    error::ApiError,
    session::Authenticated,
    AppState,
};

/// How long after the login a write may claim its signature (ms): the reservation's 「発行」 →
/// 「予約確定」 happen on screens after the card step; and how long after the MyNa Point
/// application its bulk application (F6) may follow.
pub const SIGNED_WRITE_TTL_MS: i64 = 10 * 60 * 1000;

/// The purpose under which the F6 bulk application is recorded: the MyNa Point application's
/// signature covers it (the leaflet files it on the same session, without a second PIN).
pub const BULK_PURPOSE: &str = "bulk-application";

/// The canonical content of a write: the server's own serialisation of the typed request (so a
/// page's spacing or key order does not matter), holding what is written and nothing the
/// server does not keep (the MyNa Point security code is not in it; its payment-service ID only
/// as the stored key and last four characters).
///
/// # Errors
/// `INVALID_REQUEST` when `body` is not the purpose's request; the purpose's own refusals of
/// its content (an unknown service, an input field).
pub fn content(state: &AppState, purpose: WritePurpose, body: &[u8]) -> Result<Vec<u8>, ApiError> {
    fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
        serde_json::from_slice(body).map_err(|e| ApiError::InvalidRequest(e.to_string()))
    }
    match purpose {
        WritePurpose::InsuranceApplication => {
            Ok(insurance_content(&parse::<InsuranceApplication>(body)?))
        }
        WritePurpose::MynapointReservation => Ok(reservation_content()),
        WritePurpose::MynapointApplication => {
            point_content(state, &parse::<PointApplication>(body)?)
        }
        WritePurpose::LinkDispute => Ok(dispute_content(&parse::<LinkDispute>(body)?)),
        WritePurpose::InsuranceCancellation => {
            Ok(cancellation_content(&parse::<InsuranceCancellation>(body)?))
        }
        WritePurpose::CertificateRequest => {
            parse::<CertificateRequest>(body)?;
            Ok(certificate_content())
        }
    }
}

/// A cancellation's content: the request as it is (one flag).
pub fn cancellation_content(cancellation: &InsuranceCancellation) -> Vec<u8> {
    // Serialising a struct of a bool cannot fail.
    serde_json::to_vec(cancellation).unwrap_or_default()
}

/// The eligibility certificate's request has no fields: the purpose tag is what is signed.
pub fn certificate_content() -> Vec<u8> {
    b"{}".to_vec()
}

/// F1's content: the request as it is (two fields, nothing secret).
pub fn insurance_content(application: &InsuranceApplication) -> Vec<u8> {
    // Serialising a struct of a string and a bool cannot fail.
    serde_json::to_vec(application).unwrap_or_default()
}

/// A dispute's content: the link as the page showed it.
pub fn dispute_content(dispute: &LinkDispute) -> Vec<u8> {
    // Serialising a struct of strings cannot fail.
    serde_json::to_vec(dispute).unwrap_or_default()
}

/// F4's content: the reservation has no fields; the purpose tag is what is signed.
pub fn reservation_content() -> Vec<u8> {
    b"{}".to_vec()
}

/// The canonical content of a MyNa Point application that the card signs (`crate::writes`):
/// what the server writes — the service, the stored key of the payment-service ID and its last
/// four characters, the phone's last four digits, the terminal flag and the terms version —
/// and never the security code, which is not kept.
///
/// # Errors
/// `UNKNOWN_SERVICE`, `INVALID_FIELD`, as the application's own checks.
pub fn point_content(
    state: &AppState,
    application: &PointApplication,
) -> Result<Vec<u8>, ApiError> {
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Content<'a> {
        service_code: &'a str,
        payment_key: String,
        payment_id_last4: String,
        phone_last4: Option<String>,
        kiosk: bool,
        terms_version: &'a str,
    }
    let service = state
        .catalogue
        .get(&application.service_code)
        .ok_or(ApiError::UnknownService)?;
    let input = crate::domain::mynapoint::parse_input(
        &application.payment_service_id,
        &application.security_code,
        application.phone_last4.as_deref(),
    )?;
    let content = Content {
        service_code: &service.registration_number,
        payment_key: crate::domain::mynapoint::payment_key(&input, &service.registration_number),
        payment_id_last4: input.last4(),
        phone_last4: input.phone_last4.clone(),
        kiosk: application.kiosk,
        terms_version: &application.terms_version,
    };
    serde_json::to_vec(&content).map_err(|e| ApiError::Internal(e.to_string()))
}

/// The digest of `content` for `purpose`, as the database keeps it (hex).
pub fn digest_hex(purpose: WritePurpose, content: &[u8]) -> String {
    hex::encode(write_digest(purpose, content))
}

/// Begins the write of exactly this content for `person` by claiming the signature this
/// session's login kept for it: the write's statements then run in the returned transaction,
/// which keeps them and the claim together on commit, or neither.
///
/// # Errors
/// `WRITE_NOT_SIGNED` when there is none (no card step signed it, it signed other content, it
/// was used already or expired); a database failure.
pub async fn begin(
    state: &AppState,
    auth: &Authenticated,
    purpose: WritePurpose,
    content: &[u8],
    person: &str,
) -> Result<SignedWrite, ApiError> {
    let digest = digest_hex(purpose, content);
    state
        .db
        .begin_signed(&Claim {
            session_id_hash: &auth.session.id_hash,
            purpose: purpose.as_str(),
            digest: &digest,
            certificate_key: &auth.certificate_key,
            person_id: person,
            now_ms: state.now_ms(),
        })
        .await?
        .ok_or(ApiError::WriteNotSigned)
}

/// F6: begins the bulk application under the signature of the MyNa Point application this
/// session made within [`SIGNED_WRITE_TTL_MS`] (one application covers one bulk application),
/// recorded as [`BULK_PURPOSE`] in the returned transaction, as [`begin`].
///
/// # Errors
/// `WRITE_NOT_SIGNED` when the session made no such application; a database failure.
pub async fn begin_bulk(
    state: &AppState,
    auth: &Authenticated,
    person: &str,
) -> Result<SignedWrite, ApiError> {
    let now = state.now_ms();
    let id = crate::session::random_token();
    state
        .db
        .begin_covered(&Cover {
            session_id_hash: &auth.session.id_hash,
            purpose: WritePurpose::MynapointApplication.as_str(),
            certificate_key: &auth.certificate_key,
            since_ms: now - SIGNED_WRITE_TTL_MS,
            id: &id,
            covered_purpose: BULK_PURPOSE,
            person_id: person,
            now_ms: now,
        })
        .await?
        .ok_or(ApiError::WriteNotSigned)
}
