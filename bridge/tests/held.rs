//! `prepare`: the card held from before the PIN window to the signature (issue 12, "fewer card
//! round trips after OK"), over the real pcscd + vpcd + virtual card, with the card taken away
//! at every APDU of a login in turn, the reader's service gone mid-signature, a T=0 reader and
//! the realistic timing models.

mod stack;

use std::time::Duration;

use base64::Engine as _;
use serde_json::{json, Value};
use stack::{error_code, Bridge, Stack, PIN};
use virtual_card::{link::CardModel, vpcd::Behaviour, CardDir};

fn prepare(bridge: &mut Bridge) -> Value {
    bridge.request(json!({"id": 3, "command": "prepare"}))
}

/// APDUs `prepare` sends before it answers: the probe's SELECT of the JPKI application, then
/// SELECT of the PIN's EF and VERIFY without data (the tries).
const PREPARE_BEFORE_ANSWER: usize = 3;

/// `prepare` and its certificate read, to the end (a `status` waits for the card to be free
/// and sends nothing to a held card).
fn prepare_fully(bridge: &mut Bridge) -> Value {
    let prepared = prepare(bridge);
    let status = bridge.request(json!({"id": 4, "command": "status"}));
    assert_eq!(status["result"], prepared["result"], "{status}");
    prepared
}

fn certificate(reply: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(
            reply["result"]["certificate"]
                .as_str()
                .expect("certificate"),
        )
        .expect("base64")
}

#[test]
fn after_ok_only_four_apdus_reach_the_card() {
    let stack = Stack::with_card();
    let mut bridge = stack.bridge();
    stack.wait_for_cards(&mut bridge, 1);
    let before = stack.card().n_apdus();
    let prepared = prepare_fully(&mut bridge);
    assert_eq!(prepared["result"]["authPinTriesLeft"], 3, "{prepared}");
    assert_eq!(prepared["result"]["reader"], "Virtual PCD 00 00");
    let before_ok = stack.card().n_apdus() - before;
    assert!(
        before_ok > PREPARE_BEFORE_ANSWER,
        "the certificate was read"
    );

    let at_ok = stack.card().n_apdus();
    let reply = bridge.authenticate(PIN, false);
    assert_eq!(reply["result"]["algorithm"], "RS256", "{reply}");
    let after_ok = stack.card().n_apdus() - at_ok;
    // SELECT PIN, VERIFY, SELECT key, COMPUTE DIGITAL SIGNATURE.
    assert_eq!(after_ok, 4, "APDUs after OK");
    let card_cert = CardDir::new(stack.dir.path().join("card0"))
        .auth_cert()
        .expect("cert");
    assert_eq!(certificate(&reply), card_cert);
    // The card is unpowered right after the answer: the PIN is no longer verified.
    let give_up = std::time::Instant::now() + Duration::from_secs(5);
    while stack.card().auth_verified() {
        assert!(
            std::time::Instant::now() < give_up,
            "the card stayed verified"
        );
        std::thread::sleep(Duration::from_millis(10));
    }

    // Without `prepare` (an older extension, a second tab), authenticate does it all.
    let at_ok = stack.card().n_apdus();
    let reply = bridge.authenticate(PIN, false);
    assert_eq!(reply["result"]["algorithm"], "RS256", "{reply}");
    assert!(stack.card().n_apdus() - at_ok > 4);
}

#[test]
fn a_held_card_is_kept_from_other_programs_until_released() {
    let stack = Stack::with_card();
    let mut bridge = stack.bridge();
    stack.wait_for_cards(&mut bridge, 1);
    prepare_fully(&mut bridge);
    // This bridge's own status reports the held card, without an APDU.
    let before = stack.card().n_apdus();
    let status = bridge.request(json!({"id": 5, "command": "status"}));
    assert_eq!(status["result"]["readers"][0]["card"], "jpki", "{status}");
    assert_eq!(stack.card().n_apdus(), before);
    // Another program (a second bridge) finds the reader in use meanwhile.
    let mut other = stack.bridge();
    let seen = other.request(json!({"id": 1, "command": "status"}));
    assert_eq!(seen["result"]["readers"][0]["card"], "inUse", "{seen}");
    let released = bridge.request(json!({"id": 6, "command": "release"}));
    assert_eq!(released["result"], json!({"released": true}));
    let seen = other.request(json!({"id": 2, "command": "status"}));
    assert_eq!(seen["result"]["readers"][0]["card"], "jpki", "{seen}");
    let again = bridge.request(json!({"id": 7, "command": "release"}));
    assert_eq!(again["result"], json!({"released": false}));
}

#[test]
fn two_tabs_each_get_their_signature() {
    let stack = Stack::with_card();
    let mut bridge = stack.bridge();
    stack.wait_for_cards(&mut bridge, 1);
    // Tab A prepares, tab B prepares (A's hold is taken over), A signs on the hold, B's
    // authenticate finds no hold and does the whole login.
    prepare(&mut bridge);
    prepare(&mut bridge);
    for tab in ["A", "B"] {
        let reply = bridge.authenticate(PIN, false);
        assert_eq!(reply["result"]["algorithm"], "RS256", "tab {tab}: {reply}");
    }
}

#[test]
fn the_last_try_rule_holds_on_a_held_card() {
    let stack = Stack::with_card();
    let mut bridge = stack.bridge();
    stack.wait_for_cards(&mut bridge, 1);
    for expected in [2, 1] {
        prepare_fully(&mut bridge);
        let reply = bridge.authenticate("0000", false);
        assert_eq!(error_code(&reply), "PIN_INCORRECT", "{reply}");
        assert_eq!(reply["error"]["triesLeft"], expected);
    }
    let prepared = prepare_fully(&mut bridge);
    assert_eq!(prepared["result"]["authPinTriesLeft"], 1);
    let at_ok = stack.card().n_apdus();
    let reply = bridge.authenticate(PIN, false);
    assert_eq!(error_code(&reply), "PIN_LAST_TRY", "{reply}");
    assert_eq!(stack.card().n_apdus(), at_ok, "nothing reached the card");
    assert_eq!(stack.card().auth_pin_tries(), 1);
}

/// After a removal test: the card behaves again and goes back on the reader once pcscd has seen it
/// gone, a moment later, as a hand takes one (put back at once, the virtual reader misses it when
/// the bridge's unpowering of the gone card comes after).
fn put_back(stack: &Stack, bridge: &mut Bridge) {
    stack.card().set_behaviour(Behaviour::Normal);
    stack.wait_for_cards(bridge, 0);
    std::thread::sleep(Duration::from_millis(1000));
    stack.card().insert();
}

/// The card taken away at each APDU of `prepare` + `authenticate` in turn, and kept away. Before
/// VERIFY the citizen is asked to put the card back (the status says no card, or authenticate
/// waits for it and answers NO_CARD); from VERIFY on the answer is CARD_REMOVED. Never another
/// code, never a try spent, and the bridge works again once the card is back.
#[test]
fn the_card_removed_at_each_apdu_of_a_login() {
    let stack = Stack::with_card();
    stack.write_config(json!({"cardWaitMs": 600}));
    let mut bridge = stack.bridge();
    stack.wait_for_cards(&mut bridge, 1);
    let before = stack.card().n_apdus();
    prepare_fully(&mut bridge);
    let n_prepare = stack.card().n_apdus() - before;
    let reply = bridge.authenticate(PIN, false);
    assert_eq!(reply["result"]["algorithm"], "RS256", "{reply}");
    let n_login = stack.card().n_apdus() - before;
    assert_eq!(n_login, n_prepare + 4);

    for index in 1..=n_login {
        stack.wait_for_cards(&mut bridge, 1);
        let start = stack.card().n_apdus();
        stack
            .card()
            .set_behaviour(Behaviour::RemoveAt(start + index));
        let prepared = prepare(&mut bridge);
        let what = format!("card removed at APDU {index} of {n_login}");
        if index <= PREPARE_BEFORE_ANSWER {
            assert_eq!(
                prepared["result"]["reader"],
                Value::Null,
                "{what}: {prepared}"
            );
            assert_eq!(
                prepared["result"]["readers"][0]["card"],
                "absent",
                "{what}: {prepared}\n{}",
                stack.log()
            );
        } else {
            assert_eq!(
                prepared["result"]["authPinTriesLeft"], 3,
                "{what}: {prepared}"
            );
            let reply = bridge.authenticate(PIN, false);
            let expected = if index <= n_prepare + 1 {
                // During the certificate read or the SELECT of the PIN: nothing was verified,
                // the bridge looked for the card again and it did not come back.
                "NO_CARD"
            } else {
                "CARD_REMOVED"
            };
            assert_eq!(error_code(&reply), expected, "{what}: {reply}");
        }
        assert_eq!(stack.card().auth_pin_tries(), 3, "{what}: a try was spent");
        put_back(&stack, &mut bridge);
    }
    stack.wait_for_cards(&mut bridge, 1);
    prepare(&mut bridge);
    let reply = bridge.authenticate(PIN, false);
    assert_eq!(reply["result"]["algorithm"], "RS256", "{reply}");
}

/// Taken away while the PIN is typed and put back before OK: the login still works (the bridge
/// finds the card again and reads it anew).
#[test]
fn a_card_put_back_while_the_pin_is_typed_still_signs() {
    let stack = Stack::with_card();
    stack.write_config(json!({"cardWaitMs": 8000}));
    let mut bridge = stack.bridge();
    stack.wait_for_cards(&mut bridge, 1);
    prepare_fully(&mut bridge);
    for away in [1000, 2000] {
        stack.card().remove();
        std::thread::sleep(Duration::from_millis(away));
        stack.card().insert();
        let reply = bridge.authenticate(PIN, false);
        assert_eq!(
            reply["result"]["algorithm"],
            "RS256",
            "{away} ms: {reply}\n{}",
            stack.log()
        );
        prepare_fully(&mut bridge);
    }
}

/// The reader's service gone during the signature (the reader unplugged takes its readers away
/// the same way): a specific answer, not INTERNAL, and the next request works once it is back.
#[test]
fn the_reader_gone_during_the_signature() {
    let mut stack = Stack::with_card();
    stack
        .card()
        .set_model(CardModel::contactless().with_signature(Duration::from_millis(1500)));
    let mut bridge = stack.bridge();
    stack.wait_for_cards(&mut bridge, 1);
    prepare_fully(&mut bridge);
    let at_ok = stack.card().n_apdus();
    bridge.send_authenticate();
    // The fourth APDU after OK is the signature.
    stack.wait_for_apdus(at_ok + 4);
    stack.pcscd.stop();
    let reply = bridge.read_reply();
    assert_eq!(error_code(&reply), "NO_READER", "{reply}\n{}", stack.log());
    stack.pcscd.restart().expect("pcscd back");
    stack.card().set_model(CardModel::INSTANT);
    stack.wait_for_cards(&mut stack.bridge(), 1);
    let reply = bridge.authenticate(PIN, false);
    assert_eq!(reply["result"]["algorithm"], "RS256", "{reply}");
}

/// A T=0 reader (short APDUs only, the signature fetched with GET RESPONSE) and the contact
/// and contactless timing models: the login works on each, and after OK one APDU more on T=0.
#[test]
fn t0_and_the_timing_models_log_in() {
    let stack = Stack::with_card();
    let mut bridge = stack.bridge();
    stack.wait_for_cards(&mut bridge, 1);
    for (model, after_ok) in [
        (CardModel::contact_t0(), 5),
        (CardModel::contact_t1(), 4),
        (CardModel::contactless(), 4),
    ] {
        let model = model.with_signature(Duration::from_millis(100));
        stack.card().set_model(model);
        prepare_fully(&mut bridge);
        let at_ok = stack.card().n_apdus();
        let reply = bridge.authenticate(PIN, false);
        assert_eq!(reply["result"]["algorithm"], "RS256", "{model:?}: {reply}");
        assert_eq!(stack.card().n_apdus() - at_ok, after_ok, "{model:?}");
    }
}

/// `diagnose` (the page's self-diagnosis): the bridge's version, the readers, the card's tries
/// and its certificate's last day, each browser's registration — without a PIN, without a try,
/// and the same for a card this bridge holds.
#[test]
fn diagnose_reports_each_part() {
    use der::Decode as _;
    let stack = Stack::with_card();
    let mut bridge = stack.bridge();
    stack.wait_for_cards(&mut bridge, 1);
    let certificate = CardDir::new(stack.dir.path().join("card0"))
        .auth_cert()
        .expect("cert");
    let end = x509_cert::Certificate::from_der(&certificate)
        .expect("certificate")
        .tbs_certificate
        .validity
        .not_after
        .to_date_time();
    let last_day = format!("{:04}-{:02}-{:02}", end.year(), end.month(), end.day());
    for held in [false, true] {
        if held {
            prepare_fully(&mut bridge);
        }
        let reply = bridge.request(json!({"id": 8, "command": "diagnose"}));
        let result = &reply["result"];
        assert_eq!(result["version"], env!("CARGO_PKG_VERSION"), "{reply}");
        assert_eq!(result["pcscProblem"], Value::Null);
        assert_eq!(result["reader"], "Virtual PCD 00 00");
        assert_eq!(result["readers"][0]["card"], "jpki");
        assert_eq!(result["readers"][1]["card"], "absent");
        assert_eq!(result["authPinTriesLeft"], 3);
        assert_eq!(
            result["certificateNotAfter"],
            last_day.as_str(),
            "held: {held}"
        );
        let browsers: Vec<&str> = result["browsers"]
            .as_array()
            .expect("browsers")
            .iter()
            .filter_map(|b| b["browser"].as_str())
            .collect();
        assert_eq!(browsers, ["chrome", "chromium", "edge", "firefox"]);
    }
    assert_eq!(stack.card().auth_pin_tries(), 3);
    // The hold survives the diagnosis: the login after it is still 4 APDUs.
    let at_ok = stack.card().n_apdus();
    let reply = bridge.authenticate(PIN, false);
    assert_eq!(reply["result"]["algorithm"], "RS256", "{reply}");
    assert_eq!(stack.card().n_apdus() - at_ok, 4);
}

/// Without pcscd the diagnosis still answers, naming the service as the problem.
#[test]
fn diagnose_without_pcscd_names_the_service() {
    let mut stack = Stack::with_card();
    stack.pcscd.stop();
    let mut bridge = stack.bridge();
    let reply = bridge.request(json!({"id": 8, "command": "diagnose"}));
    assert_eq!(reply["result"]["pcscProblem"], "NO_PCSC_SERVICE", "{reply}");
    assert_eq!(reply["result"]["readers"], json!([]));
}

/// pcscd restarted while the PIN is typed (the hold's connection belongs to the old service):
/// nothing was verified, so the bridge finds the card again on a fresh context and signs, as
/// without a hold (issue 12, Found 1, on the held path).
#[test]
fn a_pcscd_restart_under_a_held_card_is_invisible() {
    let mut stack = Stack::with_card();
    let mut bridge = stack.bridge();
    stack.wait_for_cards(&mut bridge, 1);
    prepare_fully(&mut bridge);
    stack.pcscd.restart().expect("pcscd restarted");
    stack.wait_for_cards(&mut stack.bridge(), 1);
    let reply = bridge.authenticate(PIN, false);
    assert_eq!(
        reply["result"]["algorithm"],
        "RS256",
        "{reply}\n{}",
        stack.log()
    );
    assert_eq!(stack.card().auth_pin_tries(), 3);
}

/// The same removal loop without `prepare` (a second tab, an older extension: `authenticate`
/// does the whole login) and on a T=0 link (GET RESPONSE adds a position): each removal is
/// answered NO_CARD or CARD_REMOVED, never another code, never with a try spent.
#[test]
fn the_card_removed_at_each_apdu_without_a_hold_and_on_t0() {
    let stack = Stack::with_card();
    stack.write_config(json!({"cardWaitMs": 600}));
    let mut bridge = stack.bridge();
    for model in [
        CardModel::INSTANT,
        CardModel::contact_t0().with_signature(Duration::ZERO),
    ] {
        let fast = CardModel {
            command: Duration::ZERO,
            verify: Duration::ZERO,
            bits_per_second: if model.bits_per_second == 0 {
                0
            } else {
                10_000_000
            },
            ..model
        };
        stack.card().set_model(fast);
        stack.wait_for_cards(&mut bridge, 1);
        let before = stack.card().n_apdus();
        let reply = bridge.authenticate(PIN, false);
        assert_eq!(reply["result"]["algorithm"], "RS256", "{reply}");
        let n_login = stack.card().n_apdus() - before;
        for index in 1..=n_login {
            stack.wait_for_cards(&mut bridge, 1);
            let start = stack.card().n_apdus();
            stack
                .card()
                .set_behaviour(Behaviour::RemoveAt(start + index));
            let reply = bridge.authenticate(PIN, false);
            let what = format!("{:?}: removed at APDU {index} of {n_login}", model.link);
            assert!(
                matches!(error_code(&reply), "NO_CARD" | "CARD_REMOVED"),
                "{what}: {reply}"
            );
            assert_eq!(stack.card().auth_pin_tries(), 3, "{what}: a try was spent");
            put_back(&stack, &mut bridge);
        }
    }
}

/// A hold that no `authenticate` or `release` followed (a PIN window that never answered) ends
/// after `cardHoldMs`: other programs have the card again, and `authenticate` finds it anew.
#[test]
fn an_unused_hold_expires() {
    let stack = Stack::with_card();
    stack.write_config(json!({"cardHoldMs": 2000}));
    let mut bridge = stack.bridge();
    stack.wait_for_cards(&mut bridge, 1);
    prepare_fully(&mut bridge);
    let mut other = stack.bridge();
    let seen = other.request(json!({"id": 1, "command": "status"}));
    assert_eq!(seen["result"]["readers"][0]["card"], "inUse", "{seen}");
    std::thread::sleep(Duration::from_millis(3000));
    let seen = other.request(json!({"id": 2, "command": "status"}));
    assert_eq!(seen["result"]["readers"][0]["card"], "jpki", "{seen}");
    let released = bridge.request(json!({"id": 6, "command": "release"}));
    assert_eq!(released["result"], json!({"released": false}));
    let at_ok = stack.card().n_apdus();
    let reply = bridge.authenticate(PIN, false);
    assert_eq!(reply["result"]["algorithm"], "RS256", "{reply}");
    assert!(
        stack.card().n_apdus() - at_ok > 4,
        "the whole login: the hold was gone"
    );
}

/// A `prepare` answered after the bridge's deadline (the extension was told TIMEOUT and opens
/// no PIN window, so nothing would use or release a hold) leaves the card free.
#[test]
fn a_prepare_answered_too_late_holds_nothing() {
    let stack = Stack::with_card();
    stack.write_config(json!({"cardTimeoutMs": 500}));
    let mut bridge = stack.bridge();
    stack.wait_for_cards(&mut bridge, 1);
    stack.card().set_model(CardModel {
        command: Duration::from_millis(400),
        verify: Duration::from_millis(400),
        ..CardModel::contactless()
    });
    let reply = prepare(&mut bridge);
    assert_eq!(error_code(&reply), "TIMEOUT", "{reply}");
    stack.card().set_model(CardModel::INSTANT);
    // The worker finishes its look at the card (1.2 s) meanwhile.
    std::thread::sleep(Duration::from_millis(2500));
    let mut other = stack.bridge();
    let seen = other.request(json!({"id": 1, "command": "status"}));
    assert_eq!(seen["result"]["readers"][0]["card"], "jpki", "{seen}");
    // The late worker read no certificate either: nothing was going to use it.
    let reply = bridge.authenticate(PIN, false);
    assert_eq!(reply["result"]["algorithm"], "RS256", "{reply}");
}

/// `prepare` on a blocked card answers its tries (0) but does not hold it: no PIN window follows,
/// and other programs keep the card.
#[test]
fn a_blocked_card_is_not_held() {
    let stack = Stack::with_card();
    let mut bridge = stack.bridge();
    stack.wait_for_cards(&mut bridge, 1);
    for (confirm, code) in [
        (false, "PIN_INCORRECT"),
        (false, "PIN_INCORRECT"),
        (true, "PIN_BLOCKED"),
    ] {
        let reply = bridge.authenticate("0000", confirm);
        assert_eq!(error_code(&reply), code, "{reply}");
    }
    assert_eq!(stack.card().auth_pin_tries(), 0);
    let prepared = prepare_fully(&mut bridge);
    assert_eq!(prepared["result"]["authPinTriesLeft"], 0, "{prepared}");
    let mut other = stack.bridge();
    let seen = other.request(json!({"id": 1, "command": "status"}));
    assert_eq!(seen["result"]["readers"][0]["card"], "jpki", "{seen}");
    let released = bridge.request(json!({"id": 6, "command": "release"}));
    assert_eq!(released["result"], json!({"released": false}));
}
