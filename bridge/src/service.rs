//! What the frame loop needs from the card ([`CardService`]), and the card's share of a request's
//! time. [`crate::pcsc_service::PcscService`] is the real service; tests and the fuzz target
//! plug in their own.

use std::sync::atomic::{AtomicU64, Ordering};

use jpki::AuthPin;
use protocol::bridge::{AuthenticateResult, DiagnoseResult, StatusResult};

use crate::errors::BridgeError;

/// What the host needs from the card.
pub trait CardService {
    /// Readers, cards and PIN tries; spends no try.
    ///
    /// # Errors
    /// [`BridgeError::NoService`] and the other PC/SC failures; a card that cannot be read is a
    /// reader entry, not an error.
    fn status(&self) -> Result<StatusResult, BridgeError>;
    /// As [`CardService::status`], and the My Number Card found is held for the
    /// `authenticate` that follows (`protocol::bridge::Request::Prepare`). A service that
    /// cannot hold a card answers the status.
    ///
    /// # Errors
    /// As [`CardService::status`].
    fn prepare(&self) -> Result<StatusResult, BridgeError> {
        self.status()
    }
    /// Ends a hold without a PIN; true when a card was held.
    ///
    /// # Errors
    /// [`BridgeError::Timeout`] when the card worker is stuck.
    fn release(&self) -> Result<bool, BridgeError> {
        Ok(false)
    }
    /// The card side of `diagnose`: the PC/SC service, readers, the My Number Card's tries
    /// and certificate expiry (the host adds its version and the browsers' registrations). A
    /// service that cannot read certificates answers from its status.
    fn diagnose(&self) -> DiagnoseResult {
        let mut result = DiagnoseResult::default();
        match self.status() {
            Ok(status) => {
                result.readers = status.readers;
                result.reader = status.reader;
                result.auth_pin_tries_left = status.auth_pin_tries_left;
            }
            Err(error) => result.pcsc_problem = Some(error.code()),
        }
        result
    }
    /// Whether a card is on `reader` and the reader's card-event count is still `events` (the
    /// card that signed has not left; `protocol::bridge::Request::Presence`). A service that
    /// cannot tell answers from its status: some reader holds a My Number Card.
    ///
    /// # Errors
    /// The PC/SC failures of [`CardService::status`]; an unknown reader is `false`, not an
    /// error.
    fn presence(&self, reader: &str, events: u32) -> Result<bool, BridgeError> {
        let _ = (reader, events);
        Ok(self
            .status()?
            .readers
            .iter()
            .any(|r| r.card == protocol::bridge::CardPresence::Jpki))
    }
    /// Verifies the PIN and signs the challenge of `origin` and `nonce`.
    ///
    /// # Errors
    /// Every card and reader failure of [`BridgeError`]; [`BridgeError::LastTryUnconfirmed`]
    /// and [`BridgeError::PinBlocked`] before VERIFY; [`BridgeError::PinIncorrect`] after it.
    fn authenticate(
        &self,
        origin: &str,
        nonce: &[u8],
        pin: AuthPin,
        confirm_last_try: bool,
    ) -> Result<AuthenticateResult, BridgeError>;
}

/// Microseconds spent exchanging APDUs since the process started: the card's share of an
/// operation (with pcscd and the reader), logged per request by the host.
static CARD_MICROS: AtomicU64 = AtomicU64::new(0);

/// [`CARD_MICROS`] now.
pub fn card_micros() -> u64 {
    CARD_MICROS.load(Ordering::Relaxed)
}

/// Adds one exchange's time to [`CARD_MICROS`].
pub fn add_card_time(elapsed: std::time::Duration) {
    CARD_MICROS.fetch_add(
        u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX),
        Ordering::Relaxed,
    );
}
