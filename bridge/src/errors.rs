//! The one place where the bridge's failures become contract error codes. Messages are English
//! for logs and developers; the SPA shows its own translated text for each code. No message ever
//! carries a PIN or card data.

use jpki::TransportError;
use protocol::{bridge::RequestError, ErrorBody, ErrorCode};

/// A request that could not be parsed or checked.
pub fn request(error: &RequestError) -> ErrorBody {
    ErrorBody::new(ErrorCode::InvalidRequest, error.to_string())
}

/// A card error from the JPKI verbs.
pub fn card(error: &jpki::Error) -> ErrorBody {
    use jpki::Error as E;
    match error {
        E::Transport(TransportError::NoCard) => {
            ErrorBody::new(ErrorCode::NoCard, "no card in the reader")
        }
        E::Transport(TransportError::CardRemoved) => ErrorBody::new(
            ErrorCode::CardRemoved,
            "the card was removed during the operation",
        ),
        E::Transport(TransportError::Timeout) => {
            ErrorBody::new(ErrorCode::Timeout, "the card did not answer in time")
        }
        E::Transport(TransportError::ReaderGone) => ErrorBody::new(
            ErrorCode::NoReader,
            "the card reader was disconnected during the operation",
        ),
        E::Transport(TransportError::Failed(_)) => {
            ErrorBody::new(ErrorCode::Internal, "the reader reported a failure")
        }
        E::NotJpkiCard => ErrorBody::new(
            ErrorCode::NotMynumberCard,
            "the card in the reader is not a My Number Card",
        ),
        E::PinIncorrect { tries_left: 0 } | E::PinBlocked => pin_blocked(),
        E::PinIncorrect { tries_left } => {
            ErrorBody::new(ErrorCode::PinIncorrect, "the PIN is incorrect")
                .with_tries_left(*tries_left)
        }
        E::PinNotVerified => ErrorBody::new(ErrorCode::Internal, "the card refused to sign"),
        E::UnexpectedStatus { .. } | E::MalformedResponse { .. } | E::Certificate(_) => {
            ErrorBody::new(ErrorCode::Internal, "the card answered unexpectedly")
        }
        _ => ErrorBody::new(ErrorCode::Internal, "card error"),
    }
}

/// The PIN is blocked (0 tries left).
pub fn pin_blocked() -> ErrorBody {
    ErrorBody::new(
        ErrorCode::PinBlocked,
        "the PIN is blocked; the municipal office must unlock the card",
    )
    .with_tries_left(0)
}

/// Where the bridge runs, for the errors whose meaning depends on the platform's PC/SC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    /// Windows: its smart-card service stops when the last reader is unplugged and is not
    /// started while none was ever connected (Microsoft's "Smart Card service" documentation),
    /// so "no service" there means "no reader".
    Windows,
    /// pcsc-lite (Linux, the BSDs) and macOS: the service runs (or is socket-activated)
    /// whether readers are connected or not, so "no service" means it is stopped or broken.
    Other,
}

impl Platform {
    /// The platform this bridge was built for.
    pub const CURRENT: Self = if cfg!(windows) {
        Self::Windows
    } else {
        Self::Other
    };
}

/// A PC/SC error outside an APDU exchange, on this platform.
pub fn pcsc(error: pcsc::Error) -> ErrorBody {
    pcsc_on(Platform::CURRENT, error)
}

/// A PC/SC error outside an APDU exchange, as `platform` means it.
pub fn pcsc_on(platform: Platform, error: pcsc::Error) -> ErrorBody {
    use pcsc::Error as P;
    match error {
        P::NoService | P::ServiceStopped if platform == Platform::Windows => ErrorBody::new(
            ErrorCode::NoReader,
            "no card reader is connected (Windows starts its smart-card service with the first reader)",
        ),
        P::NoService | P::ServiceStopped => ErrorBody::new(
            ErrorCode::NoPcscService,
            "the smart-card service (PC/SC) is not running",
        ),
        P::NoReadersAvailable | P::UnknownReader | P::ReaderUnavailable => {
            ErrorBody::new(ErrorCode::NoReader, "no card reader is connected")
        }
        P::NoSmartcard => ErrorBody::new(ErrorCode::NoCard, "no card in the reader"),
        P::RemovedCard | P::ResetCard | P::UnpoweredCard | P::UnresponsiveCard => ErrorBody::new(
            ErrorCode::CardRemoved,
            "the card was removed during the operation",
        ),
        P::Timeout => ErrorBody::new(ErrorCode::Timeout, "the card did not answer in time"),
        P::SharingViolation => ErrorBody::new(
            ErrorCode::ReaderInUse,
            "another program is using the card reader",
        ),
        _ => ErrorBody::new(ErrorCode::Internal, "the reader reported a failure"),
    }
}

/// A PC/SC error during an APDU exchange, as the JPKI verbs see it.
pub fn transport(error: pcsc::Error) -> TransportError {
    use pcsc::Error as P;
    match error {
        P::NoSmartcard => TransportError::NoCard,
        P::RemovedCard
        | P::ResetCard
        | P::UnpoweredCard
        | P::NotTransacted
        | P::UnresponsiveCard => TransportError::CardRemoved,
        P::Timeout => TransportError::Timeout,
        // The reader unplugged, or its service gone with it, mid-exchange (pcsc-lite's client
        // answers a communication error when the daemon's socket closes under a transmit).
        P::CommError
        | P::ReaderUnavailable
        | P::UnknownReader
        | P::NoReadersAvailable
        | P::NoService
        | P::ServiceStopped => TransportError::ReaderGone,
        other => {
            tracing::warn!(error = %other, "transmit failed");
            TransportError::Failed(other.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_errors_map_to_contract_codes() {
        let cases = [
            (jpki::Error::NotJpkiCard, ErrorCode::NotMynumberCard, None),
            (
                jpki::Error::PinIncorrect { tries_left: 2 },
                ErrorCode::PinIncorrect,
                Some(2),
            ),
            (
                jpki::Error::PinIncorrect { tries_left: 0 },
                ErrorCode::PinBlocked,
                Some(0),
            ),
            (jpki::Error::PinBlocked, ErrorCode::PinBlocked, Some(0)),
            (
                jpki::Error::Transport(TransportError::CardRemoved),
                ErrorCode::CardRemoved,
                None,
            ),
            (
                jpki::Error::Transport(TransportError::NoCard),
                ErrorCode::NoCard,
                None,
            ),
            (
                jpki::Error::Transport(TransportError::Timeout),
                ErrorCode::Timeout,
                None,
            ),
            (jpki::Error::PinNotVerified, ErrorCode::Internal, None),
        ];
        for (error, code, tries) in cases {
            let body = card(&error);
            assert_eq!((body.code, body.tries_left), (code, tries), "{error:?}");
        }
    }

    #[test]
    fn pcsc_errors_map_to_contract_codes() {
        assert_eq!(
            pcsc_on(Platform::Other, pcsc::Error::NoService).code,
            ErrorCode::NoPcscService
        );
        assert_eq!(
            pcsc(pcsc::Error::ServiceStopped).code,
            ErrorCode::NoPcscService
        );
        assert_eq!(
            pcsc(pcsc::Error::NoReadersAvailable).code,
            ErrorCode::NoReader
        );
        assert_eq!(pcsc(pcsc::Error::NoSmartcard).code, ErrorCode::NoCard);
        assert_eq!(pcsc(pcsc::Error::RemovedCard).code, ErrorCode::CardRemoved);
        assert_eq!(
            transport(pcsc::Error::NotTransacted),
            TransportError::CardRemoved
        );
    }

    #[test]
    fn a_reader_gone_mid_exchange_means_no_reader() {
        for error in [
            pcsc::Error::CommError,
            pcsc::Error::ReaderUnavailable,
            pcsc::Error::UnknownReader,
            pcsc::Error::NoService,
            pcsc::Error::ServiceStopped,
        ] {
            let gone = transport(error);
            assert_eq!(gone, TransportError::ReaderGone, "{error:?}");
            assert_eq!(
                card(&jpki::Error::Transport(gone)).code,
                ErrorCode::NoReader
            );
        }
    }

    #[test]
    fn no_service_on_windows_means_no_reader() {
        for error in [pcsc::Error::NoService, pcsc::Error::ServiceStopped] {
            assert_eq!(
                pcsc_on(Platform::Windows, error).code,
                ErrorCode::NoReader,
                "{error:?}"
            );
            assert_eq!(
                pcsc_on(Platform::Other, error).code,
                ErrorCode::NoPcscService,
                "{error:?}"
            );
        }
        // The rest means the same everywhere.
        for platform in [Platform::Windows, Platform::Other] {
            assert_eq!(
                pcsc_on(platform, pcsc::Error::NoReadersAvailable).code,
                ErrorCode::NoReader
            );
            assert_eq!(
                pcsc_on(platform, pcsc::Error::NoSmartcard).code,
                ErrorCode::NoCard
            );
        }
    }
}
