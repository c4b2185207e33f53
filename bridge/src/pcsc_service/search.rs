//! `authenticate` without a hold: wait for a My Number Card in any reader, then the whole login.

use std::time::{Duration, Instant};

use jpki::{AuthPin, JpkiCard};
use pcsc::{Context, Disposition, ShareMode};
use protocol::bridge::AuthenticateResult;

use super::{hold::*, link::*};
use crate::{
    errors::BridgeError,
    login::{self, Challenge},
};

/// Finds a reader holding a My Number Card, waiting up to `wait` for one to be presented.
/// With `card_left`, a card found leaving is waited past like an empty reader.
pub(super) fn find_card(
    context: &Context,
    wait: Duration,
    card_left: bool,
) -> Result<(String, Connected), BridgeError> {
    let names = reader_names(context)?;
    if names.is_empty() {
        return Err(BridgeError::NoReader);
    }
    let give_up = Instant::now() + wait;
    let mut states = reader_states(context, &names)?;
    loop {
        let mut saw_other = false;
        // A reader that another program holds is no answer while another reader may hold the
        // My Number Card: it is skipped, and named only if nothing else can work. (A card that
        // fails is an answer: its error ends the request.)
        let mut unusable: Option<BridgeError> = None;
        for state in &states {
            if !card_present(state) {
                continue;
            }
            match probe(
                context,
                state.name(),
                ShareMode::Exclusive,
                Disposition::UnpowerCard,
            ) {
                Ok(Probe::Jpki(connected)) => return Ok((display(state.name()), connected)),
                Ok(Probe::Other) => saw_other = true,
                Ok(Probe::Gone) => {}
                Ok(Probe::Removed) if card_left => {}
                Ok(Probe::Removed) => return Err(BridgeError::CardRemoved),
                Err(error) if error == BridgeError::ReaderInUse => {
                    let reader = display(state.name());
                    tracing::warn!(%reader, "reader held by another program: skipped");
                    unusable = Some(error);
                }
                Err(error) => return Err(error),
            }
        }
        // Another card (a security key, a SIM slot, the OS's virtual smart card) is no answer
        // while a reader is free: the My Number Card may still come there. Only when every
        // reader holds another card is there nothing to wait for.
        if saw_other && unusable.is_none() && states.iter().all(card_present) {
            return Err(BridgeError::NotMyNumberCard);
        }
        let remaining = give_up.saturating_duration_since(Instant::now());
        let no_card = || BridgeError::NoCard;
        if remaining.is_zero() {
            // A free reader means the card was not put on (a held reader most often holds
            // something else: a security key that another program keeps open); with none free,
            // the held reader is what stands in the way. The page says the same from `status`.
            return Err(if states.iter().all(card_present) {
                unusable.unwrap_or_else(no_card)
            } else {
                no_card()
            });
        }
        for state in &mut states {
            state.sync_current_state();
        }
        // A held reader shows no change when its holder lets go: look again every 250 ms.
        let poll = unusable.is_some();
        let step = if poll {
            remaining.min(Duration::from_millis(250))
        } else {
            remaining
        };
        match context.get_status_change(Some(step), &mut states) {
            Ok(()) => {}
            Err(pcsc::Error::Timeout) if poll => {}
            Err(pcsc::Error::Timeout) => return Err(no_card()),
            Err(e) => return Err(e.into()),
        }
    }
}

/// Signs the challenge. The connection comes back with the result so that the caller can answer
/// before the card is unpowered.
pub(super) fn authenticate_now(
    context: &Context,
    challenge: Challenge<'_>,
    pin: &AuthPin,
    confirm_last_try: bool,
    wait: Duration,
    card_left: bool,
) -> (Result<AuthenticateResult, BridgeError>, Option<Connected>) {
    let started = Instant::now();
    let (reader, connected) = match find_card(context, wait, card_left) {
        Ok(found) => found,
        Err(e) => return (Err(e), None),
    };
    let Some(card) = connected.card() else {
        return (Err(BridgeError::CardRemoved), Some(connected));
    };
    let mut jpki = JpkiCard::new(PcscTransport::new(card));
    let result = login::login(&mut jpki, challenge, pin, confirm_last_try).map(|signed| {
        // One APDU went to the card during the probe.
        let n_apdus = jpki.n_apdus() + 1;
        tracing::info!(%reader, n_apdus, elapsed_ms = started.elapsed().as_millis() as u64, "signed");
        authenticate_result(&signed, reader)
    });
    drop(jpki);
    (result, Some(connected))
}
