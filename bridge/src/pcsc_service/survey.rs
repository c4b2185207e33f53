//! `status`, `prepare` and `diagnose`: every reader, what it holds, the My Number Card's tries
//! and its certificate's last day.

use std::{ffi::CString, sync::Mutex, time::Duration};

use jpki::{JpkiCard, PinStatus, TransportError};
use pcsc::{Context, Disposition, ReaderState, ShareMode};
use protocol::bridge::{CardPresence, ReaderStatus, StatusResult};

use super::{hold::*, link::*, worker::*};
use crate::errors::BridgeError;

/// What `survey` found to hold: the reader, the exclusive connection, the tries.
pub(super) type Found = (String, Connected, PinStatus);

/// Readers, cards and tries (`status`); with `hold`, the first My Number Card is connected
/// exclusively and kept (`prepare`). A card already held by this bridge is reported from the
/// hold, without an APDU (its exclusive connection keeps everyone else out, this bridge's
/// own look included); a hold whose card left the reader is dropped.
pub(super) fn survey(
    context: &Context,
    held: &Mutex<Option<Held>>,
    hold: bool,
) -> Result<(StatusResult, Option<Found>), BridgeError> {
    let names = reader_names(context)?;
    let states = reader_states(context, &names)?;
    let mut result = StatusResult {
        readers: Vec::new(),
        auth_pin_tries_left: None,
        reader: None,
    };
    let mut found = None;
    let mut held_guard = lock(held);
    for state in &states {
        let name = display(state.name());
        let mut card = CardPresence::Absent;
        if let Some(hold) = held_guard.as_ref().filter(|h| h.reader == name) {
            if card_present(state)
                && hold
                    .connected
                    .card()
                    .is_some_and(|c| c.status2_owned().is_ok())
            {
                result.readers.push(ReaderStatus {
                    name: name.clone(),
                    card: CardPresence::Jpki,
                });
                if result.reader.is_none() {
                    result.auth_pin_tries_left = Some(tries_left(hold.tries));
                    result.reader = Some(name);
                }
                continue;
            }
            *held_guard = None;
        }
        if card_present(state) {
            let (share, disposition) = if hold && found.is_none() {
                (ShareMode::Exclusive, Disposition::LeaveCard)
            } else {
                (ShareMode::Shared, Disposition::LeaveCard)
            };
            match probe(context, state.name(), share, disposition) {
                Ok(Probe::Jpki(connected)) => {
                    card = CardPresence::Jpki;
                    if result.reader.is_none() {
                        // The JPKI application is still selected after the probe.
                        let tries = match connected.card() {
                            Some(pcsc_card) => {
                                JpkiCard::new(PcscTransport::new(pcsc_card)).auth_pin_status()
                            }
                            None => Err(jpki::Error::Transport(TransportError::CardRemoved)),
                        };
                        match tries {
                            Ok(tries) => {
                                result.auth_pin_tries_left = Some(tries_left(tries));
                                result.reader = Some(name.clone());
                                // A blocked card is not held: no PIN window follows.
                                if hold && !matches!(tries, PinStatus::Blocked) {
                                    found = Some((name.clone(), connected, tries));
                                }
                            }
                            Err(jpki::Error::Transport(e)) if e.is_retriable() => {
                                // Taken away between the SELECT and the tries.
                                card = CardPresence::Absent;
                            }
                            Err(error) => {
                                tracing::warn!(%error, "could not read the PIN tries");
                                result.reader = Some(name.clone());
                            }
                        }
                    }
                }
                Ok(Probe::Other) => card = CardPresence::Other,
                Ok(Probe::Gone) => {}
                Ok(Probe::Removed) => {
                    // pcscd still lists a card that is gone: give it the time of one presence
                    // poll to notice, so that the next request sees an empty reader.
                    let mut states = [ReaderState::new(
                        state.name().to_owned(),
                        state.event_state(),
                    )];
                    let _ = context.get_status_change(Some(Duration::from_secs(1)), &mut states);
                }
                Err(error) => {
                    tracing::warn!(reader = %name, %error, "probe failed");
                    card = if error == BridgeError::ReaderInUse {
                        CardPresence::InUse
                    } else {
                        CardPresence::Other
                    };
                }
            }
        }
        result.readers.push(ReaderStatus { name, card });
    }
    Ok((result, found))
}

/// The user-authentication certificate of the My Number Card in `reader`: the held card's, or
/// read through a shared connection (no PIN needed).
pub(super) fn certificate_of(
    context: &Context,
    held: &Mutex<Option<Held>>,
    reader: &str,
) -> Option<Vec<u8>> {
    if let Some(hold) = lock(held).as_ref().filter(|h| h.reader == reader) {
        return match &hold.certificate {
            Some(Ok(certificate)) => Some(certificate.clone()),
            _ => None,
        };
    }
    let name = CString::new(reader).ok()?;
    let Ok(Probe::Jpki(connected)) =
        probe(context, &name, ShareMode::Shared, Disposition::LeaveCard)
    else {
        return None;
    };
    let read = match connected.card() {
        Some(card) => JpkiCard::new(PcscTransport::new(card)).read_auth_certificate(),
        None => return None,
    };
    match read {
        Ok(certificate) => Some(certificate),
        Err(error) => {
            tracing::warn!(%error, "could not read the certificate");
            None
        }
    }
}

/// The last day of a certificate, `YYYY-MM-DD` in UTC.
pub(super) fn not_after(certificate: &[u8]) -> Option<String> {
    use der::Decode as _;
    let certificate = x509_cert::Certificate::from_der(certificate).ok()?;
    let end = certificate
        .tbs_certificate
        .validity
        .not_after
        .to_date_time();
    Some(format!(
        "{:04}-{:02}-{:02}",
        end.year(),
        end.month(),
        end.day()
    ))
}

/// The tries as `status` reports them.
pub(super) fn tries_left(tries: PinStatus) -> u8 {
    match tries {
        PinStatus::Remaining(n) => n,
        // Verified means a successful VERIFY reset the counter to its maximum.
        PinStatus::Verified => jpki::files::AUTH_PIN_MAX_TRIES,
        PinStatus::Blocked => 0,
    }
}
