//! What the page checks before the card step, in the order the user must fix things: the
//! extension, the bridge, a reader, a card, a My Number Card, the PIN's tries left
//! (docs/flows.md F0). Pure: the extension's answers in, one verdict out.

use protocol::{
    bridge::{CardPresence, StatusResult},
    ErrorBody, ErrorCode, InstalledPart,
};

/// The verdict of the pre-card check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    /// The extension did not acknowledge: install it.
    NoExtension,
    /// The extension answered but could not reach the bridge: install the bridge.
    NoBridge,
    /// Extension and bridge disagree on the protocol: update the named part.
    VersionMismatch(Option<InstalledPart>),
    /// The PC/SC service is not running.
    NoPcscService,
    /// No card reader is connected.
    NoReader,
    /// A reader, but no card on it.
    NoCard,
    /// A card, but not a My Number Card.
    NotMyNumberCard,
    /// The PIN is blocked: only the municipal office can unlock it.
    Blocked,
    /// One try left: the next wrong PIN blocks the card.
    LastTry,
    /// Ready; `tries_left` when the card said (3 or 2).
    Ready {
        /// Tries left of the user-authentication PIN.
        tries_left: Option<u8>,
    },
    /// Any other refusal, with its code (shown with that code's message).
    Failed(ErrorCode),
}

impl Readiness {
    /// Whether the card step may start (at one try left, only after the user confirms).
    pub fn can_read(&self) -> bool {
        matches!(self, Self::Ready { .. } | Self::LastTry)
    }

    /// The code whose message says what to do; `None` when ready.
    pub fn code(&self) -> Option<ErrorCode> {
        Some(match self {
            Self::NoExtension => ErrorCode::ExtensionUnavailable,
            Self::NoBridge => ErrorCode::BridgeUnavailable,
            Self::VersionMismatch(_) => ErrorCode::VersionMismatch,
            Self::NoPcscService => ErrorCode::NoPcscService,
            Self::NoReader => ErrorCode::NoReader,
            Self::NoCard => ErrorCode::NoCard,
            Self::NotMyNumberCard => ErrorCode::NotMynumberCard,
            Self::Blocked => ErrorCode::PinBlocked,
            Self::LastTry => ErrorCode::PinLastTry,
            Self::Ready { .. } => return None,
            Self::Failed(code) => *code,
        })
    }

    /// The verdict as the page's `data-readiness` shows it: `READY` or the code.
    pub fn key(&self) -> &'static str {
        self.code().map_or("READY", ErrorCode::as_str)
    }

    /// The extension or the bridge must be installed or updated first.
    pub fn needs_setup(&self) -> bool {
        self.code().is_some_and(ErrorCode::needs_setup)
    }
}

/// The verdict from the extension's answer to `status`.
pub fn readiness(answer: Result<StatusResult, ErrorBody>) -> Readiness {
    let status = match answer {
        Ok(status) => status,
        Err(error) => {
            return match error.code {
                ErrorCode::ExtensionUnavailable => Readiness::NoExtension,
                ErrorCode::BridgeUnavailable => Readiness::NoBridge,
                ErrorCode::VersionMismatch => Readiness::VersionMismatch(error.update),
                ErrorCode::NoPcscService => Readiness::NoPcscService,
                ErrorCode::NoReader => Readiness::NoReader,
                ErrorCode::NoCard => Readiness::NoCard,
                ErrorCode::NotMynumberCard => Readiness::NotMyNumberCard,
                ErrorCode::PinBlocked => Readiness::Blocked,
                other => Readiness::Failed(other),
            }
        }
    };
    if status.readers.is_empty() {
        return Readiness::NoReader;
    }
    if status
        .readers
        .iter()
        .all(|reader| reader.card == CardPresence::Absent)
    {
        return Readiness::NoCard;
    }
    if !status
        .readers
        .iter()
        .any(|reader| reader.card == CardPresence::Jpki)
    {
        // Another card beside a free reader (a security key, a SIM slot): the My Number Card
        // goes on the free one, and the bridge waits for it there.
        let any = |card| status.readers.iter().any(|reader| reader.card == card);
        return if any(CardPresence::Absent) {
            Readiness::NoCard
        } else if any(CardPresence::InUse) {
            // The card may be in the reader another program holds: close that program.
            Readiness::Failed(ErrorCode::ReaderInUse)
        } else {
            Readiness::NotMyNumberCard
        };
    }
    match status.auth_pin_tries_left {
        Some(0) => Readiness::Blocked,
        Some(1) => Readiness::LastTry,
        tries_left => Readiness::Ready { tries_left },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::bridge::ReaderStatus;

    fn status(cards: &[CardPresence], tries: Option<u8>) -> Result<StatusResult, ErrorBody> {
        Ok(StatusResult {
            readers: cards
                .iter()
                .enumerate()
                .map(|(i, card)| ReaderStatus {
                    name: format!("Reader {i}"),
                    card: *card,
                })
                .collect(),
            auth_pin_tries_left: tries,
            reader: None,
        })
    }

    #[test]
    fn a_version_mismatch_names_the_part_to_update() {
        let mut body = ErrorBody::new(ErrorCode::VersionMismatch, "x");
        body.update = Some(InstalledPart::Bridge);
        assert_eq!(
            readiness(Err(body)),
            Readiness::VersionMismatch(Some(InstalledPart::Bridge))
        );
        let unnamed = ErrorBody::new(ErrorCode::VersionMismatch, "x");
        assert_eq!(readiness(Err(unnamed)), Readiness::VersionMismatch(None));
    }

    #[test]
    fn the_checks_come_in_the_order_the_user_fixes_them() {
        let refused = |code| Err(ErrorBody::new(code, "x"));
        assert_eq!(
            readiness(refused(ErrorCode::ExtensionUnavailable)),
            Readiness::NoExtension
        );
        assert_eq!(
            readiness(refused(ErrorCode::BridgeUnavailable)),
            Readiness::NoBridge
        );
        assert_eq!(
            readiness(refused(ErrorCode::NoPcscService)),
            Readiness::NoPcscService
        );
        assert_eq!(readiness(status(&[], None)), Readiness::NoReader);
        assert_eq!(
            readiness(status(&[CardPresence::Absent, CardPresence::Absent], None)),
            Readiness::NoCard
        );
        assert_eq!(
            readiness(status(&[CardPresence::Other], None)),
            Readiness::NotMyNumberCard
        );
        // A reader that always holds another card beside an empty one: put the card on.
        assert_eq!(
            readiness(status(&[CardPresence::Other, CardPresence::Absent], None)),
            Readiness::NoCard
        );
        assert_eq!(
            readiness(status(&[CardPresence::Other, CardPresence::Other], None)),
            Readiness::NotMyNumberCard
        );
        // A reader another program holds, and no other place for the card.
        assert_eq!(
            readiness(status(&[CardPresence::InUse, CardPresence::Other], None)),
            Readiness::Failed(ErrorCode::ReaderInUse)
        );
        assert_eq!(
            readiness(status(&[CardPresence::InUse, CardPresence::Jpki], Some(3))),
            Readiness::Ready {
                tries_left: Some(3)
            }
        );
        assert_eq!(
            readiness(status(&[CardPresence::Other, CardPresence::Jpki], Some(0))),
            Readiness::Blocked
        );
        assert_eq!(
            readiness(status(&[CardPresence::Jpki], Some(1))),
            Readiness::LastTry
        );
        assert_eq!(
            readiness(status(&[CardPresence::Jpki], Some(3))),
            Readiness::Ready {
                tries_left: Some(3)
            }
        );
        assert_eq!(
            readiness(refused(ErrorCode::Internal)),
            Readiness::Failed(ErrorCode::Internal)
        );
    }

    #[test]
    fn only_ready_and_last_try_may_read() {
        assert!(Readiness::Ready { tries_left: None }.can_read());
        assert!(Readiness::LastTry.can_read());
        assert!(!Readiness::Blocked.can_read());
        assert!(!Readiness::NoCard.can_read());
    }
}
