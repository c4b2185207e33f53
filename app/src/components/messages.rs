//! The message of every error code, one exhaustive match per wire: the extension's and the
//! bridge's codes ([`card_message`]) and the server's ([`api_message`]), so that a code added to
//! the contract does not compile until it has its text in both languages.

use leptos::prelude::*;
use protocol::{ErrorBody, ErrorCode, InstalledPart};

use super::{
    maintenance::{sentence, Piece},
    text::tx,
};
use crate::{
    api::{ApiCode, ApiErrorBody},
    card::Readiness,
    format,
    i18n::*,
};

/// The message of a code of the extension or the bridge (`protocol::ErrorCode`): every code
/// has its text here, so a code added to the contract does not compile until it has one.
pub fn card_message(code: ErrorCode) -> AnyView {
    match code {
        ErrorCode::ExtensionUnavailable => {
            tx(|l| td_string!(l, card_error.extension_unavailable)).into_any()
        }
        ErrorCode::BridgeUnavailable => {
            tx(|l| td_string!(l, card_error.bridge_unavailable)).into_any()
        }
        ErrorCode::VersionMismatch => tx(|l| td_string!(l, card_error.version_mismatch)).into_any(),
        ErrorCode::OriginNotAllowed => {
            tx(|l| td_string!(l, card_error.origin_not_allowed)).into_any()
        }
        ErrorCode::InvalidRequest => tx(|l| td_string!(l, card_error.invalid_request)).into_any(),
        ErrorCode::NoPcscService => tx(|l| td_string!(l, card_error.no_pcsc_service)).into_any(),
        ErrorCode::NoReader => tx(|l| td_string!(l, card_error.no_reader)).into_any(),
        ErrorCode::NoCard => tx(|l| td_string!(l, card_error.no_card)).into_any(),
        ErrorCode::CardRemoved => tx(|l| td_string!(l, card_error.card_removed)).into_any(),
        ErrorCode::NotMynumberCard => {
            tx(|l| td_string!(l, card_error.not_mynumber_card)).into_any()
        }
        ErrorCode::ReaderInUse => tx(|l| td_string!(l, card_error.reader_in_use)).into_any(),
        ErrorCode::PinFormat => tx(|l| td_string!(l, card_error.pin_format)).into_any(),
        ErrorCode::PinIncorrect => tx(|l| td_string!(l, card_error.pin_incorrect)).into_any(),
        ErrorCode::PinBlocked => tx(|l| td_string!(l, card_error.pin_blocked)).into_any(),
        ErrorCode::PinLastTry => tx(|l| td_string!(l, card_error.pin_last_try)).into_any(),
        ErrorCode::UserCancelled => tx(|l| td_string!(l, card_error.user_cancelled)).into_any(),
        ErrorCode::Timeout => tx(|l| td_string!(l, card_error.timeout)).into_any(),
        // A newer extension's or bridge's code: the unexpected failure's words (the failure
        // message adds the code as sent).
        ErrorCode::Internal | ErrorCode::Unknown => {
            tx(|l| td_string!(l, card_error.internal)).into_any()
        }
    }
}

/// The card step's message for a verdict of the pre-card check.
pub fn readiness_message(readiness: &Readiness) -> AnyView {
    match readiness.code() {
        None => tx(|l| td_string!(l, card_error.ready)).into_any(),
        Some(code) => card_message(code),
    }
}

/// After a `VERSION_MISMATCH`: which part to update, when the extension said.
pub fn update_hint(update: Option<InstalledPart>) -> Option<AnyView> {
    update.map(|part| {
        let text = match part {
            InstalledPart::Bridge => tx(|l| td_string!(l, card.update_bridge)),
            InstalledPart::Extension => tx(|l| td_string!(l, card.update_extension)),
        };
        view! { <p class="update">{text}</p> }.into_any()
    })
}

/// The message of a refusal of the server: every [`ApiCode`] has its text here, so a code added
/// to `protocol::api` does not compile until it has one.
pub fn api_message(error: &ApiErrorBody) -> AnyView {
    let i18n = use_i18n();
    match error.code {
        ApiCode::NotYetEligible => {
            let at = error.available_from.clone().unwrap_or_default();
            let date = move || format::date_time(&at, i18n.get_locale() == Locale::ja);
            t!(i18n, api_error.not_yet_eligible, date).into_any()
        }
        ApiCode::NotEligible => tx(|l| td_string!(l, api_error.not_eligible)).into_any(),
        ApiCode::UnknownPerson => tx(|l| td_string!(l, api_error.unknown_person)).into_any(),
        ApiCode::CertificateExpired => {
            tx(|l| td_string!(l, api_error.certificate_expired)).into_any()
        }
        ApiCode::CertificateRevoked => {
            tx(|l| td_string!(l, api_error.certificate_revoked)).into_any()
        }
        ApiCode::RevocationUnavailable => {
            tx(|l| td_string!(l, api_error.revocation_unavailable)).into_any()
        }
        ApiCode::CertificateUntrusted
        | ApiCode::CertificateGarbled
        | ApiCode::CertificateNotYetValid
        | ApiCode::CertificateKeyUsage
        | ApiCode::SignatureInvalid
        | ApiCode::AlgorithmUnsupported
        | ApiCode::TokenSize => tx(|l| td_string!(l, api_error.certificate_invalid)).into_any(),
        ApiCode::NoSession
        | ApiCode::NotAuthenticated
        | ApiCode::NoChallenge
        | ApiCode::ChallengeExpired
        // The card's signature for this write expired or was for other content: the card
        // step again, as after an ended session.
        | ApiCode::WriteNotSigned => tx(|l| td_string!(l, api_error.session_ended)).into_any(),
        ApiCode::RateLimited => {
            let seconds = error.retry_after.unwrap_or(60);
            t!(i18n, api_error.rate_limited, seconds).into_any()
        }
        ApiCode::TermsChanged => tx(|l| td_string!(l, api_error.terms_changed)).into_any(),
        ApiCode::Network => tx(|l| td_string!(l, api_error.network)).into_any(),
        ApiCode::ProviderRejected => tx(|l| td_string!(l, mynapoint.provider_rejected)).into_any(),
        ApiCode::PaymentIdTaken => tx(|l| td_string!(l, mynapoint.payment_id_taken)).into_any(),
        ApiCode::AlreadyApplied => tx(|l| td_string!(l, mynapoint.already_applied)).into_any(),
        ApiCode::ProviderUnavailable => {
            tx(|l| td_string!(l, mynapoint.provider_unavailable)).into_any()
        }
        ApiCode::KioskNotAvailable => {
            tx(|l| td_string!(l, mynapoint.kiosk_not_applicable)).into_any()
        }
        ApiCode::MykeyRequired => tx(|l| td_string!(l, mynapoint.reserve_first)).into_any(),
        ApiCode::StillRegistered => tx(|l| td_string!(l, api_error.still_registered)).into_any(),
        ApiCode::NotRegistered => tx(|l| td_string!(l, status.changed_elsewhere)).into_any(),
        ApiCode::Maintenance => match error.until.clone() {
            Some(at) => sentence(vec![
                Piece::Text(|l| td_string!(l, api_error.maintenance)),
                Piece::Time(at),
                Piece::Text(|l| td_string!(l, maintenance.retry_end)),
            ])
            .into_any(),
            None => tx(|l| td_string!(l, api_error.maintenance_open)).into_any(),
        },
        // Refusals a page that works does not cause (or a field the page does not know): the
        // general text with the code, for the help desk.
        ApiCode::InvalidRequest
        | ApiCode::InvalidField
        | ApiCode::TooLarge
        | ApiCode::CsrfFailed
        | ApiCode::UnknownService
        | ApiCode::NotFound
        | ApiCode::Internal
        | ApiCode::Unknown => {
            let code = error.code_text().to_owned();
            t!(i18n, api_error.other, code).into_any()
        }
    }
}

/// What went wrong in the card step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// From the extension or the bridge, with a contract code.
    Card(ErrorBody),
    /// From the server.
    Api(ApiErrorBody),
}

/// A failure's message, with the tries left after a wrong PIN.
#[component]
pub fn FailureMessage(failure: Failure) -> impl IntoView {
    let i18n = use_i18n();
    match failure {
        Failure::Card(body) => {
            let tries = body.tries_left;
            let sent = (body.code == ErrorCode::Unknown).then(|| format!("({})", body.code_text()));
            view! {
                <div class="error" role="alert">
                    <p>{card_message(body.code)}</p>
                    {sent.map(|code| view! { <p class="code">{code}</p> })}
                    {update_hint(body.update)}
                    {tries.map(|count| view! { <p>{t!(i18n, card.tries_left, count)}</p> })}
                </div>
            }
            .into_any()
        }
        Failure::Api(error) => {
            view! { <div class="error" role="alert"><p>{api_message(&error)}</p></div> }.into_any()
        }
    }
}
