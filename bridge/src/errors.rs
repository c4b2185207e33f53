//! The bridge's failures: one internal type, [`BridgeError`], and its one translation into the
//! contract's error codes ([`BridgeError::to_wire`], `docs/contract.md`). Everything in the
//! bridge returns a `BridgeError` and decides on its variants; only the frame loop turns one into
//! a wire error. Messages are English for logs and developers; the SPA shows its own translated
//! text for each code. No message ever carries a PIN or card data (`docs/security.md` 4).

use jpki::{PinFormatError, TransportError};
use protocol::{bridge::RequestError, ErrorBody, ErrorCode};

/// Everything that can make a bridge request fail.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BridgeError {
    /// The frame is not a valid request ([`RequestError`] says how).
    #[error(transparent)]
    Request(#[from] RequestError),
    /// The frame could not even be read as text of an allowed size.
    #[error("{0}")]
    Frame(String),
    /// The page's origin is not in the allow-list (`docs/security.md` 2).
    #[error("this site is not allowed to use the My Number Card")]
    OriginNotAllowed,
    /// The browser named a calling extension that is not this project's (`docs/security.md` 3).
    #[error("the calling extension is not allowed to use this host")]
    ExtensionNotAllowed,
    /// The PIN is not 4 digits; checked before any APDU.
    #[error(transparent)]
    PinFormat(#[from] PinFormatError),
    /// The PC/SC service is not running.
    #[error("the smart-card service (PC/SC) is not running")]
    NoService,
    /// No card reader is connected, or the one in use went away.
    #[error("no card reader is connected")]
    NoReader,
    /// No My Number Card was put on a reader.
    #[error("no My Number Card is on a reader")]
    NoCard,
    /// The card in the reader has no JPKI application.
    #[error("the card in the reader is not a My Number Card")]
    NotMyNumberCard,
    /// The card left the reader during the operation.
    #[error("the card was removed during the operation")]
    CardRemoved,
    /// Another program holds the reader (PC/SC's sharing violation).
    #[error("another program is using the card reader")]
    ReaderInUse,
    /// VERIFY refused the PIN; this many tries are left (1 or more).
    #[error("the PIN is incorrect")]
    PinIncorrect {
        /// Tries left after this attempt.
        tries_left: u8,
    },
    /// The PIN is blocked (0 tries left).
    #[error("the PIN is blocked; the municipal office must unlock the card")]
    PinBlocked,
    /// One try is left and the citizen did not confirm spending it (`docs/security.md` 4).
    #[error("only one try is left; the user must confirm before it is spent")]
    LastTryUnconfirmed,
    /// The card (or the reader's service) did not answer within the deadline.
    #[error("the card did not answer in time")]
    Timeout,
    /// The card answered something no other variant names (an unexpected status word, a
    /// malformed answer, a reader fault during an exchange).
    #[error("the card answered unexpectedly: {0}")]
    Card(jpki::Error),
    /// A PC/SC failure no other variant names.
    #[error("the reader reported a failure: {0}")]
    Pcsc(pcsc::Error),
    /// The bridge's configuration could not be loaded; the reason is in the log at start.
    #[error("the bridge configuration is unusable")]
    Configuration,
    /// A fault of the bridge itself (a worker thread, a panic, a reply too large to send).
    #[error("{0}")]
    Internal(&'static str),
}

impl BridgeError {
    /// The contract's code for this failure: the one translation.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Request(_) | Self::Frame(_) => ErrorCode::InvalidRequest,
            Self::OriginNotAllowed | Self::ExtensionNotAllowed => ErrorCode::OriginNotAllowed,
            Self::PinFormat(_) => ErrorCode::PinFormat,
            Self::NoService => ErrorCode::NoPcscService,
            Self::NoReader => ErrorCode::NoReader,
            Self::NoCard => ErrorCode::NoCard,
            Self::NotMyNumberCard => ErrorCode::NotMynumberCard,
            Self::CardRemoved => ErrorCode::CardRemoved,
            Self::ReaderInUse => ErrorCode::ReaderInUse,
            Self::PinIncorrect { .. } => ErrorCode::PinIncorrect,
            Self::PinBlocked => ErrorCode::PinBlocked,
            Self::LastTryUnconfirmed => ErrorCode::PinLastTry,
            Self::Timeout => ErrorCode::Timeout,
            Self::Card(_) | Self::Pcsc(_) | Self::Configuration | Self::Internal(_) => {
                ErrorCode::Internal
            }
        }
    }

    /// The error as the extension receives it: the code, an English explanation, and the tries
    /// left where the PIN window shows them. A fault's detail (the card's status word, PC/SC's
    /// error) stays in the bridge's log: `INTERNAL` carries a fixed text on the wire.
    pub fn to_wire(&self) -> ErrorBody {
        let message = match self {
            Self::Card(_) => "the card answered unexpectedly".to_owned(),
            Self::Pcsc(_) => "the reader reported a failure".to_owned(),
            other => other.to_string(),
        };
        let body = ErrorBody::new(self.code(), message);
        match self {
            Self::PinIncorrect { tries_left } => body.with_tries_left(*tries_left),
            Self::PinBlocked => body.with_tries_left(0),
            Self::LastTryUnconfirmed => body.with_tries_left(1),
            _ => body,
        }
    }

    /// Whether a cached PC/SC context may be what failed (pcscd restarted and its socket was
    /// re-activated; a reader fault; Windows's service started again with a new reader, which
    /// an old context sees as no reader): the caller may try once more on a new context.
    pub fn may_be_stale_context(&self) -> bool {
        matches!(
            self,
            Self::NoService | Self::NoReader | Self::Card(_) | Self::Pcsc(_)
        )
    }
}

/// A card error from the JPKI verbs, classified.
impl From<jpki::Error> for BridgeError {
    fn from(error: jpki::Error) -> Self {
        use jpki::Error as E;
        match error {
            E::Transport(TransportError::NoCard) => Self::NoCard,
            E::Transport(TransportError::CardRemoved) => Self::CardRemoved,
            E::Transport(TransportError::Timeout) => Self::Timeout,
            E::Transport(TransportError::ReaderGone) => Self::NoReader,
            E::NotJpkiCard => Self::NotMyNumberCard,
            E::PinIncorrect { tries_left: 0 } | E::PinBlocked => Self::PinBlocked,
            E::PinIncorrect { tries_left } => Self::PinIncorrect { tries_left },
            other => Self::Card(other),
        }
    }
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
impl From<pcsc::Error> for BridgeError {
    fn from(error: pcsc::Error) -> Self {
        pcsc_on(Platform::CURRENT, error)
    }
}

/// A PC/SC error outside an APDU exchange, as `platform` means it.
pub fn pcsc_on(platform: Platform, error: pcsc::Error) -> BridgeError {
    use pcsc::Error as P;
    match error {
        // Windows starts its smart-card service with the first reader.
        P::NoService | P::ServiceStopped if platform == Platform::Windows => BridgeError::NoReader,
        P::NoService | P::ServiceStopped => BridgeError::NoService,
        P::NoReadersAvailable | P::UnknownReader | P::ReaderUnavailable => BridgeError::NoReader,
        P::NoSmartcard => BridgeError::NoCard,
        P::RemovedCard | P::ResetCard | P::UnpoweredCard | P::UnresponsiveCard => {
            BridgeError::CardRemoved
        }
        P::Timeout => BridgeError::Timeout,
        P::SharingViolation => BridgeError::ReaderInUse,
        other => BridgeError::Pcsc(other),
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

    fn wire(error: impl Into<BridgeError>) -> (ErrorCode, Option<u8>) {
        let body = error.into().to_wire();
        (body.code, body.tries_left)
    }

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
            assert_eq!(wire(error.clone()), (code, tries), "{error:?}");
        }
        assert_eq!(
            wire(BridgeError::LastTryUnconfirmed),
            (ErrorCode::PinLastTry, Some(1))
        );
    }

    #[test]
    fn a_faults_detail_stays_off_the_wire() {
        let card = BridgeError::from(jpki::Error::UnexpectedStatus {
            step: "VERIFY auth PIN",
            sw: jpki::StatusWord::from_bytes(0x6A, 0x88),
        });
        let pcsc = BridgeError::from(pcsc::Error::InsufficientBuffer);
        for error in [card, pcsc] {
            let wire = error.to_wire();
            assert_eq!(wire.code, ErrorCode::Internal);
            assert!(!wire.message.contains("VERIFY"), "{}", wire.message);
            assert!(!wire.message.contains("6A88"), "{}", wire.message);
            assert!(!wire.message.contains(':'), "{}", wire.message);
            // The log keeps it.
            assert!(error.to_string().contains(':'), "{error}");
        }
    }

    #[test]
    fn pcsc_errors_map_to_contract_codes() {
        assert_eq!(
            pcsc_on(Platform::Other, pcsc::Error::NoService).code(),
            ErrorCode::NoPcscService
        );
        assert_eq!(
            BridgeError::from(pcsc::Error::NoReadersAvailable).code(),
            ErrorCode::NoReader
        );
        assert_eq!(
            BridgeError::from(pcsc::Error::NoSmartcard).code(),
            ErrorCode::NoCard
        );
        assert_eq!(
            BridgeError::from(pcsc::Error::RemovedCard).code(),
            ErrorCode::CardRemoved
        );
        assert_eq!(
            BridgeError::from(pcsc::Error::SharingViolation).code(),
            ErrorCode::ReaderInUse
        );
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
                BridgeError::from(jpki::Error::Transport(gone)).code(),
                ErrorCode::NoReader
            );
        }
    }

    #[test]
    fn no_service_on_windows_means_no_reader() {
        for error in [pcsc::Error::NoService, pcsc::Error::ServiceStopped] {
            assert_eq!(
                pcsc_on(Platform::Windows, error).code(),
                ErrorCode::NoReader,
                "{error:?}"
            );
            assert_eq!(
                pcsc_on(Platform::Other, error).code(),
                ErrorCode::NoPcscService,
                "{error:?}"
            );
        }
        // The rest means the same everywhere.
        for platform in [Platform::Windows, Platform::Other] {
            assert_eq!(
                pcsc_on(platform, pcsc::Error::NoReadersAvailable).code(),
                ErrorCode::NoReader
            );
            assert_eq!(
                pcsc_on(platform, pcsc::Error::NoSmartcard).code(),
                ErrorCode::NoCard
            );
        }
    }
}
