//! The card through PC/SC: the only module that talks to readers.
//!
//! Every operation runs on a worker thread and the host waits for it with a deadline, because
//! PC/SC has no transmit timeout and a silent card would otherwise hang the host forever
//! (`docs/test-stack.md`). `authenticate` holds the card exclusively from the first SELECT to the
//! signature and then unpowers it, so the verified PIN does not linger (`docs/security.md` 5).
//!
//! `prepare` takes that hold earlier, before the PIN window opens: it finds the My Number Card,
//! reads the tries, answers, and reads the certificate while the citizen types. `authenticate`
//! then sends only SELECT PIN, VERIFY, SELECT key and the signature (4 APDUs after OK instead
//! of 12). If the held card left the reader meanwhile (the first of those APDUs fails, so no
//! VERIFY went out), `authenticate` starts over as without a hold: it waits for the card.

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use jpki::{AuthPin, JpkiCard, TransportError};
use pcsc::Context;
use protocol::bridge::{AuthenticateResult, DiagnoseResult, StatusResult};

mod hold;
mod link;
mod search;
mod survey;
mod worker;

use self::{hold::*, link::*, search::*, survey::*, worker::*};
use crate::{config::Config, errors::BridgeError, login::Challenge, service::CardService};

/// The real card service.
pub struct PcscService {
    timeout: Duration,
    wait: Duration,
    /// How long a held card waits for `authenticate` or `release`.
    hold: Duration,
    /// One PC/SC context for the life of the host, re-established when pcscd restarts.
    context: Arc<Mutex<Option<Context>>>,
    /// The card `prepare` holds for the next `authenticate`.
    held: Arc<Mutex<Option<Held>>>,
}

impl PcscService {
    /// A service with the configuration's deadlines.
    pub fn new(config: &Config) -> Self {
        Self {
            timeout: config.card_timeout(),
            wait: config.card_wait(),
            hold: config.card_hold(),
            context: Arc::new(Mutex::new(None)),
            held: Arc::new(Mutex::new(None)),
        }
    }
}

impl CardService for PcscService {
    fn status(&self) -> Result<StatusResult, BridgeError> {
        let contexts = Arc::clone(&self.context);
        let held = Arc::clone(&self.held);
        with_deadline(self.timeout, move |reply| {
            let _card = lock(&CARD_IN_USE);
            let survey = || context(&contexts).and_then(|c| survey(&c, &held, false));
            let mut result = survey();
            if forget_context_on_service_loss(&contexts, &result) {
                // pcscd restarted under us: once more on a new context (nothing reached a
                // card that a second look would repeat harmfully).
                result = survey();
                forget_context_on_service_loss(&contexts, &result);
            }
            reply(result.map(|(status, _)| status));
        })
    }

    fn prepare(&self) -> Result<StatusResult, BridgeError> {
        let contexts = Arc::clone(&self.context);
        let held = Arc::clone(&self.held);
        let hold_for = self.hold;
        with_deadline(self.timeout, move |reply| {
            let _card = lock(&CARD_IN_USE);
            // A card held before (a second tab, a second prepare) is let go and found again:
            // what it says may have changed.
            if let Some(old) = lock(&held).take() {
                drop(old);
            }
            let survey = || context(&contexts).and_then(|c| survey(&c, &held, true));
            let mut result = survey();
            if forget_context_on_service_loss(&contexts, &result) {
                result = survey();
                forget_context_on_service_loss(&contexts, &result);
            }
            let (status, found) = match result {
                Ok(found) => found,
                Err(error) => {
                    reply(Err(error));
                    return;
                }
            };
            let answered = reply(Ok(status));
            let Some((reader, connected, tries)) = found else {
                return;
            };
            if !answered {
                // The answer came after the deadline: the extension was told TIMEOUT and opens
                // no PIN window, so nothing would use or release this hold.
                tracing::info!("prepare answered too late: the card is not held");
                return;
            }
            // While the citizen types the PIN: the certificate (needs no PIN).
            let certificate = match connected.card() {
                Some(card) => JpkiCard::new(PcscTransport::new(card)).read_auth_certificate(),
                None => Err(jpki::Error::Transport(TransportError::CardRemoved)),
            };
            let generation = HOLD_GENERATION.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            *lock(&held) = Some(Held {
                reader,
                connected,
                tries,
                certificate: Some(certificate),
                generation,
            });
            expire_later(&held, generation, hold_for);
        })
    }

    fn diagnose(&self) -> DiagnoseResult {
        let contexts = Arc::clone(&self.context);
        let held = Arc::clone(&self.held);
        let mut result = DiagnoseResult::default();
        let found = with_deadline(self.timeout, move |reply| {
            let _card = lock(&CARD_IN_USE);
            let mut found = context(&contexts).and_then(|c| {
                let (status, _) = survey(&c, &held, false)?;
                Ok((c, status))
            });
            if forget_context_on_service_loss(&contexts, &found) {
                found = context(&contexts).and_then(|c| {
                    let (status, _) = survey(&c, &held, false)?;
                    Ok((c, status))
                });
            }
            let answer = found.map(|(context, status)| {
                let certificate = status
                    .reader
                    .as_deref()
                    .and_then(|reader| certificate_of(&context, &held, reader));
                (status, certificate.as_deref().and_then(not_after))
            });
            reply(answer);
        });
        match found {
            Ok((status, not_after)) => {
                result.readers = status.readers;
                result.reader = status.reader;
                result.auth_pin_tries_left = status.auth_pin_tries_left;
                result.certificate_not_after = not_after;
            }
            Err(error) => result.pcsc_problem = Some(error.code()),
        }
        result
    }

    fn presence(&self, reader: &str, events: u32) -> Result<bool, BridgeError> {
        // The reader's state only: no connection, no APDU and not `CARD_IN_USE`, so that it
        // answers at once even while another request holds the card.
        let contexts = Arc::clone(&self.context);
        let reader = reader.to_owned();
        with_deadline(self.timeout, move |reply| {
            let look = || context(&contexts).and_then(|c| reader_presence(&c, &reader, events));
            let mut result = look();
            if forget_context_on_service_loss(&contexts, &result) {
                result = look();
                forget_context_on_service_loss(&contexts, &result);
            }
            reply(result);
        })
    }

    fn release(&self) -> Result<bool, BridgeError> {
        let held = Arc::clone(&self.held);
        with_deadline(self.timeout, move |reply| {
            let _card = lock(&CARD_IN_USE);
            let old = lock(&held).take();
            reply(Ok(old.is_some()));
        })
    }

    fn authenticate(
        &self,
        origin: &str,
        nonce: &[u8],
        pin: AuthPin,
        confirm_last_try: bool,
    ) -> Result<AuthenticateResult, BridgeError> {
        let origin = origin.to_owned();
        let nonce = nonce.to_vec();
        let wait = self.wait;
        let contexts = Arc::clone(&self.context);
        let held = Arc::clone(&self.held);
        with_deadline(self.timeout + wait, move |reply| {
            let _card = lock(&CARD_IN_USE);
            let hold = lock(&held).take();
            // The held card left the reader while the PIN was typed: the citizen has been asked
            // for nothing that failed yet, so the bridge waits for the card to come back (a
            // card seen leaving then is no answer).
            let mut card_left = false;
            let challenge = Challenge {
                origin: &origin,
                nonce: &nonce,
            };
            if let Some(mut hold) = hold {
                match sign_with_hold(&mut hold, challenge, &pin, confirm_last_try) {
                    Some(mut result) => {
                        if let Ok(signed) = &mut result {
                            signed.events = context(&contexts)
                                .ok()
                                .and_then(|c| reader_events(&c, &signed.reader));
                        }
                        reply(result);
                        drop(hold);
                        return;
                    }
                    None => {
                        tracing::info!(reader = %hold.reader, "the held card left the reader: looking again");
                        drop(hold);
                        card_left = true;
                    }
                }
            }
            let attempt = || match context(&contexts) {
                Ok(c) => authenticate_now(&c, challenge, &pin, confirm_last_try, wait, card_left),
                Err(e) => (Err(e), None),
            };
            let (mut result, mut connected) = attempt();
            // pcscd restarted under us before a card was connected (so before the PIN was
            // sent): once more on a new context. After the connection a failure is the
            // answer: VERIFY is never sent twice for one request.
            if forget_context_on_service_loss(&contexts, &result) && connected.is_none() {
                (result, connected) = attempt();
                forget_context_on_service_loss(&contexts, &result);
            }
            // The reader's card-event count once the card signed: `presence` compares it.
            if let Ok(signed) = &mut result {
                signed.events = context(&contexts)
                    .ok()
                    .and_then(|c| reader_events(&c, &signed.reader));
            }
            // Answer first: unpowering the card takes a power cycle of the reader, and the card
            // stays exclusively ours until it is done.
            reply(result);
            drop(connected);
        })
    }
}
