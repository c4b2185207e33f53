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
    ffi::{CStr, CString},
    sync::{mpsc, Arc, Mutex, MutexGuard},
    time::{Duration, Instant},
};

use base64::Engine as _;
use jpki::{AuthPin, JpkiCard, PinStatus, Transport, TransportError};
use pcsc::{Context, Disposition, Protocols, ReaderState, Scope, ShareMode, State};
use protocol::{
    bridge::{AuthenticateResult, CardPresence, DiagnoseResult, ReaderStatus, StatusResult},
    signing,
};

use crate::{
    config::Config,
    errors::{self, BridgeError},
    login::{self, Challenge, PinStep, Signed},
    service::{self, CardService},
};

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

/// A My Number Card held exclusively between `prepare` and `authenticate`, with what was read
/// from it before the PIN.
struct Held {
    reader: String,
    connected: Connected,
    tries: PinStatus,
    /// Read after `prepare` answered; `None` until then.
    certificate: Option<Result<Vec<u8>, jpki::Error>>,
    /// Tells this hold from a later one, for the expiry thread.
    generation: u64,
}

static HOLD_GENERATION: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Held by the worker for a whole card operation, clean-up included, so that the next operation
/// starts only once the card has been unpowered.
static CARD_IN_USE: Mutex<()> = Mutex::new(());

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
                    Some(result) => {
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
            // Answer first: unpowering the card takes a power cycle of the reader, and the card
            // stays exclusively ours until it is done.
            reply(result);
            drop(connected);
        })
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn context(contexts: &Mutex<Option<Context>>) -> Result<Context, BridgeError> {
    let mut slot = lock(contexts);
    if let Some(context) = slot.as_ref() {
        if context.is_valid().is_ok() {
            return Ok(context.clone());
        }
    }
    let context = Context::establish(Scope::User)?;
    *slot = Some(context.clone());
    Ok(context)
}

/// Drops the cached context after an error that a stale context gives
/// ([`BridgeError::may_be_stale_context`]); true when it did, so that the caller may try once
/// more on a new one. A new context costs a few milliseconds.
fn forget_context_on_service_loss<T>(
    contexts: &Mutex<Option<Context>>,
    result: &Result<T, BridgeError>,
) -> bool {
    let lost = matches!(result, Err(e) if e.may_be_stale_context());
    if lost {
        *lock(contexts) = None;
    }
    lost
}

/// Runs `op` on a worker thread and gives up after `deadline`. `op` answers through the callback
/// it is given and may go on cleaning up afterwards. A worker stuck on a silent card is left
/// behind; the host stays responsive and answers `TIMEOUT`.
fn with_deadline<T: Send + 'static>(
    deadline: Duration,
    op: impl FnOnce(&dyn Fn(Result<T, BridgeError>) -> bool) + Send + 'static,
) -> Result<T, BridgeError> {
    let (sender, receiver) = mpsc::channel();
    // `None` once the caller stopped waiting: a reply after that is refused, so the worker
    // knows its answer was never seen (and keeps nothing it would have handed over).
    let waiting = Arc::new(Mutex::new(Some(sender)));
    let worker_side = Arc::clone(&waiting);
    let spawned = std::thread::Builder::new()
        .name("card".into())
        .spawn(move || {
            op(&|result| {
                lock(&worker_side)
                    .as_ref()
                    .is_some_and(|sender| sender.send(result).is_ok())
            });
        });
    if spawned.is_err() {
        return Err(BridgeError::Internal("could not start the card worker"));
    }
    match receiver.recv_timeout(deadline) {
        Ok(result) => result,
        Err(mpsc::RecvTimeoutError::Timeout) => {
            lock(&waiting).take();
            // Answered between the deadline and the line above: that answer counts.
            if let Ok(result) = receiver.try_recv() {
                return result;
            }
            tracing::warn!(
                deadline_ms = deadline.as_millis() as u64,
                "card operation timed out"
            );
            Err(BridgeError::Timeout)
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            Err(BridgeError::Internal("the card worker failed"))
        }
    }
}

/// APDUs over a connected PC/SC card.
struct PcscTransport<'a> {
    card: &'a pcsc::Card,
    buffer: Vec<u8>,
}

impl<'a> PcscTransport<'a> {
    fn new(card: &'a pcsc::Card) -> Self {
        Self {
            card,
            buffer: vec![0; pcsc::MAX_BUFFER_SIZE_EXTENDED],
        }
    }
}

impl Transport for PcscTransport<'_> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        let started = Instant::now();
        let answer = self.card.transmit(command, &mut self.buffer);
        service::add_card_time(started.elapsed());
        Ok(answer.map_err(errors::transport)?.to_vec())
    }
}

impl Drop for PcscTransport<'_> {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.buffer);
    }
}

fn reader_names(context: &Context) -> Result<Vec<CString>, BridgeError> {
    match context.list_readers_owned() {
        Ok(names) => Ok(names),
        Err(pcsc::Error::NoReadersAvailable) => Ok(Vec::new()),
        Err(e) => Err(e.into()),
    }
}

fn reader_states(context: &Context, names: &[CString]) -> Result<Vec<ReaderState>, BridgeError> {
    let mut states: Vec<ReaderState> = names
        .iter()
        .map(|name| ReaderState::new(name.clone(), State::UNAWARE))
        .collect();
    match context.get_status_change(Some(Duration::ZERO), &mut states) {
        Ok(()) | Err(pcsc::Error::Timeout) => Ok(states),
        Err(e) => Err(e.into()),
    }
}

fn card_present(state: &ReaderState) -> bool {
    let event = state.event_state();
    event.contains(State::PRESENT) && !event.contains(State::MUTE)
}

fn display(name: &CStr) -> String {
    name.to_string_lossy().into_owned()
}

/// Disconnects a card on every path: unpowered after `authenticate`, left alone after `status`.
struct Connected {
    card: Option<pcsc::Card>,
    disposition: Disposition,
}

impl Connected {
    fn card(&self) -> Option<&pcsc::Card> {
        self.card.as_ref()
    }
}

impl Drop for Connected {
    fn drop(&mut self) {
        if let Some(card) = self.card.take() {
            if let Err((_, error)) = card.disconnect(self.disposition) {
                tracing::debug!(%error, "disconnect failed");
            }
        }
    }
}

/// What a reader holds, found by SELECT of the JPKI application (never by ATR).
enum Probe {
    Jpki(Connected),
    Other,
    /// No card after all (it left between the presence check and the connection).
    Gone,
    /// The card was there and went away during the SELECT.
    Removed,
}

fn probe(
    context: &Context,
    name: &CStr,
    share: ShareMode,
    disposition: Disposition,
) -> Result<Probe, BridgeError> {
    let card = match context.connect(name, share, Protocols::ANY) {
        Ok(card) => card,
        Err(pcsc::Error::NoSmartcard | pcsc::Error::RemovedCard) => return Ok(Probe::Gone),
        Err(e) => return Err(e.into()),
    };
    let connected = Connected {
        card: Some(card),
        disposition,
    };
    let Some(card) = connected.card() else {
        return Ok(Probe::Gone);
    };
    let result = JpkiCard::new(PcscTransport::new(card)).select_jpki_ap();
    match result {
        Ok(()) => Ok(Probe::Jpki(connected)),
        Err(jpki::Error::NotJpkiCard) => Ok(Probe::Other),
        Err(jpki::Error::Transport(TransportError::NoCard)) => Ok(Probe::Gone),
        Err(jpki::Error::Transport(TransportError::CardRemoved)) => Ok(Probe::Removed),
        Err(e) => Err(e.into()),
    }
}

/// What `survey` found to hold: the reader, the exclusive connection, the tries.
type Found = (String, Connected, PinStatus);

/// Readers, cards and tries (`status`); with `hold`, the first My Number Card is connected
/// exclusively and kept (`prepare`). A card already held by this bridge is reported from the
/// hold, without an APDU (its exclusive connection keeps everyone else out, this bridge's
/// own look included); a hold whose card left the reader is dropped.
fn survey(
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
fn certificate_of(context: &Context, held: &Mutex<Option<Held>>, reader: &str) -> Option<Vec<u8>> {
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
fn not_after(certificate: &[u8]) -> Option<String> {
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
fn tries_left(tries: PinStatus) -> u8 {
    match tries {
        PinStatus::Remaining(n) => n,
        // Verified means a successful VERIFY reset the counter to its maximum.
        PinStatus::Verified => jpki::files::AUTH_PIN_MAX_TRIES,
        PinStatus::Blocked => 0,
    }
}

/// Lets the hold `generation` go after `after` (`cardHoldMs`, by default
/// [`protocol::bridge::CARD_HOLD_MS`]) if it is still there: a PIN window that never answered
/// must not keep the card from other programs.
fn expire_later(held: &Arc<Mutex<Option<Held>>>, generation: u64, after: Duration) {
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
fn sign_with_hold(
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

fn authenticate_result(signed: &Signed, reader: String) -> AuthenticateResult {
    let b64 = base64::engine::general_purpose::STANDARD;
    AuthenticateResult {
        certificate: b64.encode(&signed.certificate),
        signature: b64.encode(&signed.signature),
        algorithm: signing::ALGORITHM.to_owned(),
        format: signing::FORMAT.to_owned(),
        reader,
    }
}

/// Finds a reader holding a My Number Card, waiting up to `wait` for one to be presented.
/// With `card_left`, a card found leaving is waited past like an empty reader.
fn find_card(
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
fn authenticate_now(
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
