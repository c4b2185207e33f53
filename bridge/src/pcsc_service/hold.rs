//! The card `prepare` holds for the `authenticate` that follows: its expiry, and the signature
//! on it after the PIN (4 APDUs).

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use base64::Engine as _;
use jpki::{AuthPin, JpkiCard, PinStatus};
use pcsc::Disposition;
use protocol::{bridge::AuthenticateResult, signing};

use super::{link::*, worker::*};
use crate::{
    errors::BridgeError,
    login::{self, Challenge, PinStep, Signed},
};

/// A My Number Card held exclusively between `prepare` and `authenticate`, with what was read
/// from it before the PIN.
pub(super) struct Held {
    pub(super) reader: String,
    pub(super) connected: Connected,
    pub(super) tries: PinStatus,
    /// Read after `prepare` answered; `None` until then.
    pub(super) certificate: Option<Result<Vec<u8>, jpki::Error>>,
    /// Tells this hold from a later one, for the expiry thread.
    pub(super) generation: u64,
}

pub(super) static HOLD_GENERATION: std::sync::atomic::AtomicU64 =
    std::sync::atomic::AtomicU64::new(0);

/// Lets the hold `generation` go after `after` (`cardHoldMs`, by default
/// [`protocol::bridge::CARD_HOLD_MS`]) if it is still there: a PIN window that never answered
/// must not keep the card from other programs.
pub(super) fn expire_later(held: &Arc<Mutex<Option<Held>>>, generation: u64, after: Duration) {
    let held = Arc::clone(held);
    let spawned = std::thread::Builder::new()
        .name("card-hold".into())
        .spawn(move || {
            std::thread::sleep(after);
            let _card = lock(&CARD_IN_USE);
            let mut slot = lock(&held);
            if slot.as_ref().is_some_and(|h| h.generation == generation) {
                tracing::info!("the held card was not used in time: let go");
                *slot = None;
            }
        });
    if spawned.is_err() {
        // Without the timer the hold ends at the next request or when the browser goes.
        tracing::warn!("could not start the hold's timer");
    }
}

/// `authenticate` on a held card: VERIFY and the signature (the certificate and the tries were
/// read before the PIN). `None` when the card left the reader before VERIFY went out: the caller
/// then looks for it as without a hold.
pub(super) fn sign_with_hold(
    hold: &mut Held,
    challenge: Challenge<'_>,
    pin: &AuthPin,
    confirm_last_try: bool,
) -> Option<Result<AuthenticateResult, BridgeError>> {
    let certificate = match hold.certificate.take()? {
        Ok(certificate) => certificate,
        // Any link failure before the PIN (the card gone, pcscd restarted under the hold): the
        // search starts again on a fresh context; nothing was verified.
        Err(jpki::Error::Transport(_)) => return None,
        Err(error) => return Some(Err(error.into())),
    };
    if let Err(refusal) = login::check_tries(hold.tries, confirm_last_try) {
        return Some(Err(refusal));
    }
    // From here the PIN may be verified: the card is unpowered when the hold ends.
    hold.connected.disposition = Disposition::UnpowerCard;
    let card = hold.connected.card()?;
    let mut jpki = JpkiCard::new(PcscTransport::new(card));
    match login::verify_and_sign(&mut jpki, challenge, pin) {
        // The card left, or pcscd restarted, while the PIN was typed. VERIFY never went.
        Err(PinStep::NotSent(_)) => None,
        Err(PinStep::Failed(error)) => Some(Err(error)),
        Ok(signature) => {
            tracing::info!(reader = %hold.reader, n_apdus = jpki.n_apdus(), "signed on the held card");
            Some(Ok(authenticate_result(
                &Signed {
                    certificate,
                    signature,
                },
                hold.reader.clone(),
            )))
        }
    }
}

pub(super) fn authenticate_result(signed: &Signed, reader: String) -> AuthenticateResult {
    let b64 = base64::engine::general_purpose::STANDARD;
    AuthenticateResult {
        certificate: b64.encode(&signed.certificate),
        signature: b64.encode(&signed.signature),
        algorithm: signing::ALGORITHM.to_owned(),
        format: signing::FORMAT.to_owned(),
        reader,
        events: None,
    }
}
