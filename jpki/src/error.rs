//! Everything that can go wrong while talking to the card, decoded once from status words.

use crate::{der::DerError, status::StatusWord, transport::TransportError};

/// An error of a card verb. Split like libelectronic-id's errors: [`Error::is_retriable`] says
/// whether the user can fix it (present a card, retype a PIN) or it is a fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The transport failed (no card, card removed, timeout, reader error).
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The card has no JPKI application: it is not a My Number Card.
    #[error("the card has no JPKI application; it is not a My Number Card")]
    NotJpkiCard,
    /// VERIFY refused the PIN; `tries_left` more attempts are possible (0 means now blocked).
    #[error("the PIN is incorrect; {tries_left} tries left")]
    PinIncorrect {
        /// Tries left after this attempt.
        tries_left: u8,
    },
    /// The PIN is blocked; only the municipal office can reset it.
    #[error("the PIN is blocked")]
    PinBlocked,
    /// The key was used without a verified PIN (`69 82`).
    #[error("the PIN has not been verified")]
    PinNotVerified,
    /// The card answered a status word that makes no sense at this step.
    #[error("unexpected status {sw} during {step}")]
    UnexpectedStatus {
        /// What the host was doing.
        step: &'static str,
        /// What the card answered.
        sw: StatusWord,
    },
    /// The card answered `90 00` with data of the wrong shape.
    #[error("malformed answer during {step}: {reason}")]
    MalformedResponse {
        /// What the host was doing.
        step: &'static str,
        /// What was wrong with it.
        reason: &'static str,
    },
    /// A certificate file does not hold a DER object.
    #[error("the certificate file is not DER: {0}")]
    Certificate(#[from] DerError),
}

impl Error {
    /// Whether the user can act on this error and try again (as opposed to a fault of the card,
    /// the reader or this code).
    pub fn is_retriable(&self) -> bool {
        match self {
            Self::Transport(e) => e.is_retriable(),
            Self::NotJpkiCard | Self::PinIncorrect { .. } => true,
            Self::PinBlocked
            | Self::PinNotVerified
            | Self::UnexpectedStatus { .. }
            | Self::MalformedResponse { .. }
            | Self::Certificate(_) => false,
        }
    }
}
