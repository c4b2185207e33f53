//! Benchmarks of BENCHMARKS.md for the card stack: bridge start-up, and `authenticate` through the
//! real pcscd + vpcd + virtual card, next to the same APDU sequence sent directly with the `pcsc`
//! crate and to the virtual card alone, so that each layer's share is visible.
//!
//! Run with `cargo xtask bench` (or `cargo bench -p bridge --bench card`).

#[path = "../tests/stack/mod.rs"]
mod stack;

use std::time::{Duration, Instant};

use jpki::{sha256_digest_info, AuthPin, JpkiCard, Transport, TransportError};
use serde_json::json;
use stack::{Stack, EXTENSION, NONCE, ORIGIN, PIN};
use virtual_card::{
    link::{CardModel, Link},
    CardDir, InProcessCard, VirtualCard,
};

const RUNS: usize = 60;

fn summary(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let median = ms(samples[samples.len() / 2]);
    let p90 = ms(samples[samples.len() * 9 / 10]);
    println!(
        "| {name} | {} | {median:.2} | {p90:.2} | {:.2} |",
        samples.len(),
        ms(samples[0])
    );
}

fn bridge_start_to_hello(stack: &Stack) -> Vec<Duration> {
    (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            let mut bridge = stack.bridge();
            let reply = bridge.request(json!({"id": 1, "command": "hello"}));
            let elapsed = started.elapsed();
            assert_eq!(reply["result"]["protocol"], protocol::PROTOCOL_VERSION);
            elapsed
        })
        .collect()
}

fn authenticate_through_bridge(stack: &Stack) -> (Vec<Duration>, usize) {
    let mut bridge = stack.bridge();
    stack.wait_for_cards(&mut bridge, 1);
    after_ok(stack, &mut bridge, false, RUNS)
}

struct Direct<'a>(&'a pcsc::Card, Vec<u8>);

impl Transport for Direct<'_> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.0
            .transmit(command, &mut self.1)
            .map(<[u8]>::to_vec)
            .map_err(|e| TransportError::Failed(e.to_string()))
    }
}

/// The bridge's sequence: SELECT, certificate, tries, VERIFY, sign, with the card held
/// exclusively and unpowered afterwards.
fn sequence<T: Transport>(card: &mut JpkiCard<T>) {
    let pin = AuthPin::parse(PIN).expect("pin");
    card.select_jpki_ap().expect("select");
    card.read_auth_certificate().expect("certificate");
    card.auth_pin_status().expect("tries");
    card.verify_auth_pin(&pin).expect("verify");
    let digest_info = sha256_digest_info(&protocol::signing::signed_hash(ORIGIN, &[0; 32]));
    card.sign_with_auth_key(&digest_info).expect("sign");
}

fn same_sequence_with_pcsc(stack: &Stack) -> Vec<Duration> {
    // libpcsclite reads the socket name once, at the first call of this process.
    std::env::set_var("PCSCLITE_CSOCK_NAME", stack.pcscd.socket());
    let context = pcsc::Context::establish(pcsc::Scope::User).expect("pcscd");
    let reader =
        std::ffi::CString::new(virtual_card::pcscd::PrivatePcscd::reader_name(0)).expect("name");
    (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            let card = context
                .connect(&reader, pcsc::ShareMode::Exclusive, pcsc::Protocols::ANY)
                .expect("connect");
            let mut jpki = JpkiCard::new(Direct(&card, vec![0; pcsc::MAX_BUFFER_SIZE_EXTENDED]));
            sequence(&mut jpki);
            drop(jpki);
            card.disconnect(pcsc::Disposition::UnpowerCard)
                .map_err(|(_, e)| e)
                .expect("disconnect");
            started.elapsed()
        })
        .collect()
}

fn same_sequence_in_process(card_dir: &CardDir) -> Vec<Duration> {
    let (profile, state) = card_dir.open().expect("card");
    (0..RUNS)
        .map(|_| {
            let mut card = JpkiCard::new(InProcessCard {
                card: VirtualCard::new(profile.clone(), state.clone()),
            });
            let started = Instant::now();
            sequence(&mut card);
            started.elapsed()
        })
        .collect()
}

fn main() {
    let _ = EXTENSION;
    let _ = NONCE;
    println!("| measurement | runs | median ms | p90 ms | min ms |");
    println!("|---|---|---|---|---|");
    let stack = Stack::with_card();
    summary(
        "bridge process start → `hello` reply",
        bridge_start_to_hello(&stack),
    );
    let (samples, n_apdus) = authenticate_through_bridge(&stack);
    summary(
        &format!("`authenticate` through the bridge ({n_apdus} APDUs)"),
        samples,
    );
    summary(
        "same APDU sequence, `pcsc` crate directly",
        same_sequence_with_pcsc(&stack),
    );
    let card_dir = CardDir::new(stack.dir.path().join("card0"));
    summary(
        "same APDU sequence, virtual card in-process (no PC/SC)",
        same_sequence_in_process(&card_dir),
    );
    realistic(&stack);
}

/// Runs of each realistic line: a second or more each.
const REALISTIC_RUNS: usize = 7;

/// After OK on a card of each realism model: `authenticate` after `prepare` (the card held, its
/// certificate read while the PIN was typed) and without it (everything after OK, as before
/// protocol 2), next to the floor the model implies for the APDUs that must follow the PIN.
fn realistic(stack: &Stack) {
    println!();
    println!("| realistic card: after OK | runs | median ms | p90 ms | min ms |");
    println!("|---|---|---|---|---|");
    let mut bridge = stack.bridge();
    stack.wait_for_cards(&mut bridge, 1);
    for (name, model) in [
        ("contact T=1, 9,600 bit/s", CardModel::contact_t1()),
        ("contact T=0, 9,600 bit/s", CardModel::contact_t0()),
        ("contactless, 424 kbit/s", CardModel::contactless()),
    ] {
        stack.card().set_model(model);
        let (held, held_apdus) = after_ok(stack, &mut bridge, true, REALISTIC_RUNS);
        summary(
            &format!("{name}: `authenticate` after `prepare` ({held_apdus} APDUs)"),
            held,
        );
        let (plain, plain_apdus) = after_ok(stack, &mut bridge, false, REALISTIC_RUNS);
        summary(
            &format!("{name}: `authenticate` alone ({plain_apdus} APDUs)"),
            plain,
        );
        summary(
            &format!("{name}: floor, the model's time for the APDUs after OK"),
            vec![floor(&model)],
        );
    }
    stack.card().set_model(CardModel::INSTANT);
}

/// `authenticate`'s time and APDUs over `runs` runs, each after a `prepare` (and its certificate
/// read: the PIN window's time) when `prepared`.
fn after_ok(
    stack: &Stack,
    bridge: &mut stack::Bridge,
    prepared: bool,
    runs: usize,
) -> (Vec<Duration>, usize) {
    let mut n_apdus = 0;
    let samples = (0..runs)
        .map(|_| {
            if prepared {
                bridge.request(json!({"id": 1, "command": "prepare"}));
                bridge.request(json!({"id": 2, "command": "status"}));
            }
            let before = stack.card().n_apdus();
            let started = Instant::now();
            let reply = bridge.authenticate(PIN, false);
            let elapsed = started.elapsed();
            assert_eq!(reply["result"]["algorithm"], "RS256", "{reply}");
            n_apdus = stack.card().n_apdus() - before;
            elapsed
        })
        .collect();
    (samples, n_apdus)
}

/// The model's own time for SELECT PIN, VERIFY, SELECT key and the signature (and GET RESPONSE
/// on T=0): what no host can avoid after the PIN.
fn floor(model: &CardModel) -> Duration {
    let ok = [0x90, 0x00];
    let select = jpki::Command::select_ef(0x0018).to_bytes();
    let verify = jpki::Command::verify(PIN.as_bytes()).to_bytes();
    let sign = jpki::Command::compute_signature(&[0; 51]).to_bytes();
    let signature = vec![0; 258];
    let mut total = model.exchange_time(&select, &ok) * 2 + model.exchange_time(&verify, &ok);
    if model.link == Link::ContactT0 {
        total += model.exchange_time(&sign, &[0x61, 0x00]);
        total += model.exchange_time(&jpki::Command::get_response(0).to_bytes(), &signature);
    } else {
        total += model.exchange_time(&sign, &signature);
    }
    total
}
