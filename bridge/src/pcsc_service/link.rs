//! The link to a reader: APDUs over a connected card (`PcscTransport`), a connection that
//! disconnects on every path (`Connected`), the readers and their states, and what a reader
//! holds, found by SELECT of the JPKI application (`probe`).

use std::{
    ffi::{CStr, CString},
    time::{Duration, Instant},
};

use jpki::{JpkiCard, Transport, TransportError};
use pcsc::{Context, Disposition, Protocols, ReaderState, ShareMode, State};

use crate::{
    errors::{self, BridgeError},
    service::{self},
};

/// APDUs over a connected PC/SC card.
pub(super) struct PcscTransport<'a> {
    pub(super) card: &'a pcsc::Card,
    pub(super) buffer: Vec<u8>,
}

impl<'a> PcscTransport<'a> {
    pub(super) fn new(card: &'a pcsc::Card) -> Self {
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

pub(super) fn reader_names(context: &Context) -> Result<Vec<CString>, BridgeError> {
    match context.list_readers_owned() {
        Ok(names) => Ok(names),
        Err(pcsc::Error::NoReadersAvailable) => Ok(Vec::new()),
        Err(e) => Err(e.into()),
    }
}

pub(super) fn reader_states(
    context: &Context,
    names: &[CString],
) -> Result<Vec<ReaderState>, BridgeError> {
    let mut states: Vec<ReaderState> = names
        .iter()
        .map(|name| ReaderState::new(name.clone(), State::UNAWARE))
        .collect();
    match context.get_status_change(Some(Duration::ZERO), &mut states) {
        Ok(()) | Err(pcsc::Error::Timeout) => Ok(states),
        Err(e) => Err(e.into()),
    }
}

/// One reader's state now, `None` when there is no such reader.
fn one_reader(context: &Context, reader: &str) -> Result<Option<ReaderState>, BridgeError> {
    let Ok(name) = CString::new(reader) else {
        return Ok(None);
    };
    let mut states = [ReaderState::new(name, State::UNAWARE)];
    match context.get_status_change(Some(Duration::ZERO), &mut states) {
        Ok(()) | Err(pcsc::Error::Timeout) => {}
        Err(pcsc::Error::UnknownReader | pcsc::Error::ReaderUnavailable) => return Ok(None),
        Err(e) => return Err(e.into()),
    }
    let [state] = states;
    Ok((!state.event_state().contains(State::UNKNOWN)).then_some(state))
}

/// The reader's card-event count (each insertion and removal counts), when it can be read.
pub(super) fn reader_events(context: &Context, reader: &str) -> Option<u32> {
    one_reader(context, reader)
        .ok()
        .flatten()
        .map(|state| state.event_count())
}

/// Whether a card is on `reader` and no card left or came since its count was `events`.
pub(super) fn reader_presence(
    context: &Context,
    reader: &str,
    events: u32,
) -> Result<bool, BridgeError> {
    Ok(one_reader(context, reader)?
        .is_some_and(|state| card_present(&state) && state.event_count() == events))
}

pub(super) fn card_present(state: &ReaderState) -> bool {
    let event = state.event_state();
    event.contains(State::PRESENT) && !event.contains(State::MUTE)
}

pub(super) fn display(name: &CStr) -> String {
    name.to_string_lossy().into_owned()
}

/// Disconnects a card on every path: unpowered after `authenticate`, left alone after `status`.
pub(super) struct Connected {
    pub(super) card: Option<pcsc::Card>,
    pub(super) disposition: Disposition,
}

impl Connected {
    pub(super) fn card(&self) -> Option<&pcsc::Card> {
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
pub(super) enum Probe {
    Jpki(Connected),
    Other,
    /// No card after all (it left between the presence check and the connection).
    Gone,
    /// The card was there and went away during the SELECT.
    Removed,
}

pub(super) fn probe(
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
