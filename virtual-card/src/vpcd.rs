//! The card as a vsmartcard `vpcd` card: the thin socket edge around [`VirtualCard`].
//!
//! vpcd (the virtual reader driver loaded by pcscd) listens on TCP and the card connects to it.
//! Both ways a message is a big-endian `u16` length and its bytes. A 1-byte message from vpcd is
//! control: `00` power off, `01` power on, `02` reset, `04` get ATR (answered with the ATR); any
//! longer message is a command APDU, answered with data ‖ SW1 SW2. Closing the socket removes the
//! card. The framing is vsmartcard's own and no crate implements it, hence this small loop.
//! `TCP_QUICKACK` is set before every read, or each APDU waits 40 ms for a delayed ACK
//! (`docs/test-stack.md`).

use std::{
    io::{self, Read, Write},
    net::{Shutdown, SocketAddr, TcpStream},
    sync::{
        atomic::{AtomicBool, AtomicUsize, Ordering},
        Arc, Mutex, MutexGuard,
    },
    thread::JoinHandle,
    time::Duration,
};

use crate::{
    card::VirtualCard,
    link::{CardModel, Link, T0Link},
    store::CardDir,
    StoreError,
};

/// The ATR the card sends: T=1 only, like the real card's contact interface.
pub const ATR: [u8; 5] = [0x3B, 0x80, 0x80, 0x01, 0x01];

/// How the card answers command APDUs, for fault tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// As a card should.
    Normal,
    /// Never answers a command APDU (control messages are still answered).
    Hang,
    /// Answers every command APDU with one meaningless byte.
    Garbage,
    /// Answers normally until this many command APDUs have arrived in all, then hangs.
    HangFrom(usize),
    /// Answers normally until the command APDU with this number (counted in all, from 1)
    /// arrives; then the card leaves the reader without answering it, as a citizen's hand
    /// takes it away. It stays out until [`VpcdCard::insert`].
    RemoveAt(usize),
}

struct Shared {
    dir: CardDir,
    card: Mutex<VirtualCard>,
    behaviour: Mutex<Behaviour>,
    model: Mutex<CardModel>,
    t0: Mutex<T0Link>,
    inserted: AtomicBool,
    stopped: AtomicBool,
    connection: Mutex<Option<TcpStream>>,
    n_apdus: AtomicUsize,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic in the loop thread must not take the test harness down with a poisoned lock.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A running vpcd card. Dropping it removes the card and stops the thread.
pub struct VpcdCard {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl VpcdCard {
    /// Loads the card from its directory and connects it to vpcd at `addr` (retrying until vpcd
    /// listens). The card starts inserted.
    ///
    /// # Errors
    /// [`StoreError`] when the card's directory cannot be read.
    pub fn start(dir: CardDir, addr: SocketAddr) -> Result<Self, StoreError> {
        let (profile, state) = dir.open()?;
        let shared = Arc::new(Shared {
            dir,
            card: Mutex::new(VirtualCard::new(profile, state)),
            behaviour: Mutex::new(Behaviour::Normal),
            model: Mutex::new(CardModel::INSTANT),
            t0: Mutex::new(T0Link::default()),
            inserted: AtomicBool::new(true),
            stopped: AtomicBool::new(false),
            connection: Mutex::new(None),
            n_apdus: AtomicUsize::new(0),
        });
        let thread_shared = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("vpcd-card".into())
            .spawn(move || run(&thread_shared, addr))
            .map_err(|source| StoreError::Io {
                path: "vpcd thread".into(),
                source,
            })?;
        Ok(Self {
            shared,
            thread: Some(thread),
        })
    }

    /// Takes the card out of the reader (the socket is shut down and the card loses power).
    pub fn remove(&self) {
        self.shared.inserted.store(false, Ordering::SeqCst);
        if let Some(stream) = lock(&self.shared.connection).take() {
            let _ = stream.shutdown(Shutdown::Both);
        }
        lock(&self.shared.card).power_off();
    }

    /// Puts the card back.
    pub fn insert(&self) {
        self.shared.inserted.store(true, Ordering::SeqCst);
    }

    /// Changes how the card answers.
    pub fn set_behaviour(&self, behaviour: Behaviour) {
        *lock(&self.shared.behaviour) = behaviour;
    }

    /// Changes how long the card and its reader take, and the link's shape (T=0): see
    /// [`crate::link`].
    pub fn set_model(&self, model: CardModel) {
        *lock(&self.shared.model) = model;
        *lock(&self.shared.t0) = T0Link::default();
    }

    /// Command APDUs received so far.
    pub fn n_apdus(&self) -> usize {
        self.shared.n_apdus.load(Ordering::SeqCst)
    }

    /// Whether the user-authentication PIN is currently verified on the card.
    pub fn auth_verified(&self) -> bool {
        lock(&self.shared.card).auth_verified()
    }

    /// Tries left of the user-authentication PIN.
    pub fn auth_pin_tries(&self) -> u8 {
        lock(&self.shared.card).state().auth_pin_tries
    }
}

impl Drop for VpcdCard {
    fn drop(&mut self) {
        self.shared.stopped.store(true, Ordering::SeqCst);
        self.remove();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn run(shared: &Shared, addr: SocketAddr) {
    while !shared.stopped.load(Ordering::SeqCst) {
        if !shared.inserted.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(10));
            continue;
        }
        let stream = match TcpStream::connect_timeout(&addr, Duration::from_millis(500)) {
            Ok(stream) => stream,
            Err(_) => {
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        match stream.try_clone() {
            Ok(clone) => *lock(&shared.connection) = Some(clone),
            Err(_) => continue,
        }
        // Re-check: a remove() between connect and storing the clone would be missed.
        if !shared.inserted.load(Ordering::SeqCst) || shared.stopped.load(Ordering::SeqCst) {
            let _ = stream.shutdown(Shutdown::Both);
            continue;
        }
        tracing::debug!(%addr, "card inserted into vpcd");
        if let Err(error) = serve(shared, stream) {
            tracing::debug!(%error, "vpcd connection ended");
        }
        lock(&shared.card).power_off();
        // vpcd needs a moment to notice the closed socket before the card comes back.
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn read_frame(stream: &mut TcpStream) -> io::Result<Vec<u8>> {
    let quickack = |s: &TcpStream| socket2::SockRef::from(s).set_quickack(true);
    quickack(stream)?;
    let mut length = [0u8; 2];
    stream.read_exact(&mut length)?;
    let mut frame = vec![0u8; usize::from(u16::from_be_bytes(length))];
    quickack(stream)?;
    stream.read_exact(&mut frame)?;
    Ok(frame)
}

fn write_frame(stream: &mut TcpStream, bytes: &[u8]) -> io::Result<()> {
    let length = u16::try_from(bytes.len()).map_err(|_| io::Error::other("frame too long"))?;
    let mut out = Vec::with_capacity(bytes.len() + 2);
    out.extend_from_slice(&length.to_be_bytes());
    out.extend_from_slice(bytes);
    stream.write_all(&out)
}

fn serve(shared: &Shared, mut stream: TcpStream) -> io::Result<()> {
    loop {
        let frame = read_frame(&mut stream)?;
        match frame.as_slice() {
            [0x00] => {
                lock(&shared.card).power_off();
                *lock(&shared.t0) = T0Link::default();
            }
            [0x01] => {}
            [0x02] => lock(&shared.card).warm_reset(),
            [0x04] => write_frame(&mut stream, &ATR)?,
            [_] => {}
            apdu => {
                let n_apdus = shared.n_apdus.fetch_add(1, Ordering::SeqCst) + 1;
                let behaviour = *lock(&shared.behaviour);
                match behaviour {
                    Behaviour::Hang => continue,
                    Behaviour::HangFrom(n) if n_apdus >= n => continue,
                    Behaviour::RemoveAt(n) if n_apdus == n => {
                        shared.inserted.store(false, Ordering::SeqCst);
                        // The clone kept for remove() holds the socket open: shut it too.
                        if let Some(kept) = lock(&shared.connection).take() {
                            let _ = kept.shutdown(Shutdown::Both);
                        }
                        lock(&shared.card).power_off();
                        return Err(io::Error::other("the card was taken out mid-command"));
                    }
                    Behaviour::Garbage => write_frame(&mut stream, &[0x5A])?,
                    Behaviour::Normal | Behaviour::HangFrom(_) | Behaviour::RemoveAt(_) => {
                        let model = *lock(&shared.model);
                        let process = |apdu: &[u8]| {
                            let mut card = lock(&shared.card);
                            let response = card.process(apdu);
                            if card.take_state_change() {
                                if let Err(error) = shared.dir.save_state(card.state()) {
                                    tracing::error!(%error, "could not save the card state");
                                }
                            }
                            response
                        };
                        let response = if model.link == Link::ContactT0 {
                            lock(&shared.t0).exchange(apdu, process)
                        } else {
                            process(apdu)
                        };
                        std::thread::sleep(model.exchange_time(apdu, &response));
                        write_frame(&mut stream, &response)?;
                    }
                }
            }
        }
    }
}
