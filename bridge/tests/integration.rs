//! The bridge binary over stdin/stdout against a private pcscd, the vpcd virtual reader and the
//! virtual card: the real stack of `docs/test-stack.md`, with a physical card as the only stand-in.

mod stack;

use std::{process::Command, time::Duration};

use base64::Engine as _;
use serde_json::json;
use stack::{error_code, Bridge, Stack, EXTENSION, NONCE, ORIGIN, PIN};
use virtual_card::{vpcd::Behaviour, CardKind};

fn b64(text: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .expect("base64")
}

#[test]
fn hello_answers_the_protocol_version() {
    let stack = Stack::with_card();
    let mut bridge = stack.bridge();
    let reply = bridge.request(json!({"id": 1, "command": "hello"}));
    assert_eq!(reply["id"], 1);
    assert_eq!(reply["result"]["protocol"], protocol::PROTOCOL_VERSION);
    assert_eq!(reply["result"]["version"], env!("CARGO_PKG_VERSION"));
    assert!(bridge.close().success());
}

#[test]
fn authenticate_signature_verifies_with_openssl() {
    let stack = Stack::with_card();
    let mut bridge = stack.bridge();
    let status = stack.wait_for_cards(&mut bridge, 1);
    assert_eq!(status["result"]["authPinTriesLeft"], 3);
    assert_eq!(status["result"]["reader"], "Virtual PCD 00 00");
    assert_eq!(
        status["result"]["readers"][1],
        json!({"name": "Virtual PCD 00 01", "card": "absent"})
    );

    let apdus_before = stack.card().n_apdus();
    let reply = bridge.authenticate(PIN, false);
    let result = &reply["result"];
    assert_eq!(result["algorithm"], "RS256", "{reply}");
    assert_eq!(result["format"], "myna-auth:1");
    assert_eq!(result["reader"], "Virtual PCD 00 00");
    let n_apdus = stack.card().n_apdus() - apdus_before;
    assert!(n_apdus <= 15, "{n_apdus} APDUs");

    // Verify with OpenSSL, an implementation independent of ours.
    let dir = stack.dir.path();
    std::fs::write(
        dir.join("cert.der"),
        b64(result["certificate"].as_str().expect("cert")),
    )
    .expect("w");
    std::fs::write(
        dir.join("sig.bin"),
        b64(result["signature"].as_str().expect("sig")),
    )
    .expect("w");
    std::fs::write(
        dir.join("tbs.bin"),
        protocol::signing::to_be_signed(ORIGIN, &b64(NONCE)),
    )
    .expect("w");
    let run = |args: &[&str]| {
        let output = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("openssl");
        assert!(
            output.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    run(&[
        "x509", "-inform", "der", "-in", "cert.der", "-out", "cert.pem",
    ]);
    run(&[
        "x509", "-in", "cert.pem", "-pubkey", "-noout", "-out", "pub.pem",
    ]);
    let verified = run(&[
        "dgst",
        "-sha256",
        "-verify",
        "pub.pem",
        "-signature",
        "sig.bin",
        "tbs.bin",
    ]);
    assert!(verified.contains("Verified OK"), "{verified}");
    let ca = stack::ca_cert_path();
    let chain = run(&["verify", "-CAfile", ca.to_str().expect("utf-8"), "cert.pem"]);
    assert!(chain.contains("OK"), "{chain}");
    // A signature over another origin does not verify.
    std::fs::write(
        dir.join("tbs.bin"),
        protocol::signing::to_be_signed("https://evil.example", &b64(NONCE)),
    )
    .expect("w");
    let output = Command::new("openssl")
        .args([
            "dgst",
            "-sha256",
            "-verify",
            "pub.pem",
            "-signature",
            "sig.bin",
            "tbs.bin",
        ])
        .current_dir(dir)
        .output()
        .expect("openssl");
    assert!(!output.status.success());

    // The card is unpowered right after the answer; the next request waits for that, and then
    // the verified state is gone.
    bridge.request(json!({"id": 8, "command": "status"}));
    assert!(!stack.card().auth_verified());
}

#[test]
fn wrong_pin_then_blocked_after_three() {
    let stack = Stack::with_card();
    let mut bridge = stack.bridge();
    stack.wait_for_cards(&mut bridge, 1);
    let reply = bridge.authenticate("0000", false);
    assert_eq!(
        (error_code(&reply), &reply["error"]["triesLeft"]),
        ("PIN_INCORRECT", &json!(2))
    );
    let status = bridge.request(json!({"id": 2, "command": "status"}));
    assert_eq!(status["result"]["authPinTriesLeft"], 2);
    let reply = bridge.authenticate("0001", false);
    assert_eq!(
        (error_code(&reply), &reply["error"]["triesLeft"]),
        ("PIN_INCORRECT", &json!(1))
    );
    // One try left: refused without the user's explicit confirmation, and no try is spent.
    let reply = bridge.authenticate("0002", false);
    assert_eq!(
        (error_code(&reply), &reply["error"]["triesLeft"]),
        ("PIN_LAST_TRY", &json!(1))
    );
    assert_eq!(stack.card().auth_pin_tries(), 1);
    let reply = bridge.authenticate("0002", true);
    assert_eq!(
        (error_code(&reply), &reply["error"]["triesLeft"]),
        ("PIN_BLOCKED", &json!(0))
    );
    // Blocked: even the right PIN is refused before any VERIFY is sent.
    let reply = bridge.authenticate(PIN, true);
    assert_eq!(error_code(&reply), "PIN_BLOCKED");
    let status = bridge.request(json!({"id": 3, "command": "status"}));
    assert_eq!(status["result"]["authPinTriesLeft"], 0);
}

#[test]
fn confirmed_last_try_with_the_right_pin_signs_and_resets_the_counter() {
    let stack = Stack::with_card();
    let mut bridge = stack.bridge();
    stack.wait_for_cards(&mut bridge, 1);
    for pin in ["1111", "2222"] {
        assert_eq!(
            error_code(&bridge.authenticate(pin, false)),
            "PIN_INCORRECT"
        );
    }
    assert_eq!(error_code(&bridge.authenticate(PIN, false)), "PIN_LAST_TRY");
    let reply = bridge.authenticate(PIN, true);
    assert_eq!(reply["result"]["algorithm"], "RS256", "{reply}");
    let status = bridge.request(json!({"id": 2, "command": "status"}));
    assert_eq!(status["result"]["authPinTriesLeft"], 3);
}

#[test]
fn tries_persist_across_restarts_of_the_card() {
    let stack = Stack::with_card();
    let mut bridge = stack.bridge();
    stack.wait_for_cards(&mut bridge, 1);
    assert_eq!(
        error_code(&bridge.authenticate("0000", false)),
        "PIN_INCORRECT"
    );
    let card_dir = virtual_card::CardDir::new(stack.dir.path().join("card0"));
    assert_eq!(card_dir.load_state().expect("state").auth_pin_tries, 2);
}

#[test]
fn no_pcsc_service() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("bridge.json");
    std::fs::write(
        &config,
        json!({"allowedOrigins": [ORIGIN], "allowedExtensions": [EXTENSION]}).to_string(),
    )
    .expect("config");
    let mut bridge = Bridge::start(None, &config, &[EXTENSION], &dir.path().join("log"));
    assert_eq!(
        error_code(&bridge.request(json!({"id": 1, "command": "status"}))),
        "NO_PCSC_SERVICE"
    );
    assert_eq!(
        error_code(&bridge.authenticate(PIN, false)),
        "NO_PCSC_SERVICE"
    );
    // hello needs no card service.
    Stack::assert_alive(&mut bridge);
}

#[test]
fn no_reader() {
    let stack = Stack::without_readers();
    let mut bridge = stack.bridge();
    let status = bridge.request(json!({"id": 1, "command": "status"}));
    assert_eq!(
        status["result"],
        json!({"readers": [], "authPinTriesLeft": null, "reader": null})
    );
    assert_eq!(error_code(&bridge.authenticate(PIN, false)), "NO_READER");
}

#[test]
fn no_card_then_a_card_put_on_the_reader_while_waiting() {
    let stack = Stack::with_card();
    stack.write_config(json!({"cardWaitMs": 300}));
    let mut bridge = stack.bridge();
    stack.wait_for_cards(&mut bridge, 1);
    stack.card().remove();
    stack.wait_for_cards(&mut bridge, 0);
    let status = bridge.request(json!({"id": 1, "command": "status"}));
    assert_eq!(status["result"]["readers"][0]["card"], "absent");
    assert_eq!(status["result"]["authPinTriesLeft"], json!(null));
    assert_eq!(error_code(&bridge.authenticate(PIN, false)), "NO_CARD");

    // With a longer wait, a card presented during the wait is used.
    stack.write_config(json!({"cardWaitMs": 8000}));
    let mut bridge = stack.bridge();
    let inserter = std::thread::spawn({
        let delay = Duration::from_millis(500);
        move || std::thread::sleep(delay)
    });
    inserter.join().expect("sleep");
    stack.card().insert();
    let reply = bridge.authenticate(PIN, false);
    assert_eq!(reply["result"]["algorithm"], "RS256", "{reply}");
}

/// Sends `authenticate`, lets the card swallow its `n`-th APDU of this request, then pulls it.
fn remove_at_apdu(n: usize) -> serde_json::Value {
    let stack = Stack::with_card();
    let mut bridge = stack.bridge();
    stack.wait_for_cards(&mut bridge, 1);
    let before = stack.card().n_apdus();
    stack.card().set_behaviour(Behaviour::HangFrom(before + n));
    bridge.send_authenticate();
    stack.wait_for_apdus(before + n);
    stack.card().remove();
    let reply = bridge.read_reply();
    assert_eq!(reply["id"], 9);
    reply
}

#[test]
fn card_removed_mid_operation() {
    // During the first SELECT, while reading the certificate, and while signing (APDU 11 of 12).
    for n in [1, 4, 11] {
        let reply = remove_at_apdu(n);
        assert_eq!(error_code(&reply), "CARD_REMOVED", "at APDU {n}: {reply}");
    }
}

#[test]
fn a_hanging_card_times_out_and_the_host_stays_responsive() {
    let stack = Stack::with_card();
    stack.write_config(json!({"cardTimeoutMs": 800, "cardWaitMs": 0}));
    let mut bridge = stack.bridge();
    stack.wait_for_cards(&mut bridge, 1);
    stack.card().set_behaviour(Behaviour::Hang);
    let started = std::time::Instant::now();
    assert_eq!(error_code(&bridge.authenticate(PIN, false)), "TIMEOUT");
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "the deadline was not kept"
    );
    Stack::assert_alive(&mut bridge);
}

#[test]
fn a_card_answering_garbage_is_an_internal_error_not_a_crash() {
    let stack = Stack::with_card();
    let mut bridge = stack.bridge();
    stack.wait_for_cards(&mut bridge, 1);
    stack.card().set_behaviour(Behaviour::Garbage);
    let code = error_code(&bridge.authenticate(PIN, false)).to_owned();
    assert!(code == "INTERNAL" || code == "CARD_REMOVED", "{code}");
    assert_eq!(stack.card().auth_pin_tries(), 3, "no try spent");
    Stack::assert_alive(&mut bridge);
}

#[test]
fn another_card_is_reported_and_never_used() {
    let stack = Stack::with_cards(&[(0, CardKind::Other)]);
    stack.write_config(json!({"cardWaitMs": 300}));
    let mut bridge = stack.bridge();
    let status = stack.wait_for_cards(&mut bridge, 1);
    assert_eq!(status["result"]["readers"][0]["card"], "other");
    assert_eq!(status["result"]["reader"], json!(null));
    // vpcd's second reader is free: the My Number Card is waited for there, and none came.
    // (Every reader holding another card answers NOT_MYNUMBER_CARD at once: the test below.)
    assert_eq!(error_code(&bridge.authenticate(PIN, false)), "NO_CARD");
}

#[test]
fn several_readers_use_the_one_with_the_my_number_card() {
    let stack = Stack::with_cards(&[(0, CardKind::Other), (1, CardKind::Jpki)]);
    let mut bridge = stack.bridge();
    let status = stack.wait_for_cards(&mut bridge, 2);
    assert_eq!(status["result"]["readers"][0]["card"], "other");
    assert_eq!(status["result"]["readers"][1]["card"], "jpki");
    assert_eq!(status["result"]["reader"], "Virtual PCD 00 01");
    let reply = bridge.authenticate(PIN, false);
    assert_eq!(reply["result"]["reader"], "Virtual PCD 00 01", "{reply}");
}

#[test]
fn malformed_frames_are_invalid_requests_and_the_process_stays_sane() {
    let stack = Stack::with_card();
    let mut bridge = stack.bridge();
    let cases: Vec<Vec<u8>> = vec![
        b"{}".to_vec(),
        b"not json at all".to_vec(),
        vec![0xC3, 0x28, 0xA0, 0xA1, 0xFF, 0xFE],
        br#"{"id":1,"command":"sign"}"#.to_vec(),
        br#"{"id":1,"command":"hello","extra":true}"#.to_vec(),
        br#"{"id":1,"command":"authenticate","origin":"https://myna.example","pin":"9753"}"#.to_vec(),
        format!(r#"{{"id":1,"command":"authenticate","origin":"https://myna.example/x","nonce":"{NONCE}","pin":"9753"}}"#).into_bytes(),
    ];
    for payload in cases {
        bridge.send_frame(&payload);
        let reply = bridge.read_reply();
        assert_eq!(
            error_code(&reply),
            "INVALID_REQUEST",
            "{}",
            String::from_utf8_lossy(&payload)
        );
    }
    // An oversize frame: the bridge drains it and answers.
    bridge.send_frame(&vec![b' '; 9000]);
    assert_eq!(error_code(&bridge.read_reply()), "INVALID_REQUEST");
    // A frame announcing 1 GiB: refused without reading it into memory, then stdin closes.
    assert_eq!(
        bridge.request(json!({"id": 5, "command": "hello"}))["id"],
        5
    );
    assert_eq!(stack.card().auth_pin_tries(), 3);
}

#[test]
fn origins_and_callers_not_allowed_never_reach_the_card() {
    let stack = Stack::with_card();
    let mut bridge = stack.bridge();
    stack.wait_for_cards(&mut bridge, 1);
    let before = stack.card().n_apdus();
    for origin in ["https://evil.example", "http://127.0.0.1:9999"] {
        let reply = bridge.request(json!({
            "id": 1, "command": "authenticate", "origin": origin, "nonce": NONCE, "pin": PIN,
        }));
        assert_eq!(error_code(&reply), "ORIGIN_NOT_ALLOWED", "{origin}");
    }
    // A malformed PIN never costs a try: refused before any APDU.
    for pin in ["123", "12345", "abcd", "１２３４"] {
        assert_eq!(
            error_code(&bridge.authenticate(pin, false)),
            "PIN_FORMAT",
            "{pin}"
        );
    }
    assert_eq!(stack.card().n_apdus(), before);

    // Loopback http only when the developer list says so.
    let reply = bridge.request(json!({
        "id": 2, "command": "authenticate", "origin": "http://127.0.0.1:8080", "nonce": NONCE, "pin": PIN,
    }));
    assert_eq!(reply["result"]["algorithm"], "RS256", "{reply}");

    // Another extension, or none: everything refused.
    for args in [
        &["chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba/"][..],
        &[][..],
    ] {
        let mut other = Bridge::start(
            Some(stack.pcscd.socket()),
            &stack.config,
            args,
            &stack.dir.path().join("other.log"),
        );
        assert_eq!(
            error_code(&other.request(json!({"id": 1, "command": "hello"}))),
            "ORIGIN_NOT_ALLOWED"
        );
    }
    // Firefox's argument form.
    let manifest = stack.dir.path().join("jp.myna.bridge.json");
    let manifest = manifest.to_str().expect("utf-8");
    let mut firefox = Bridge::start(
        Some(stack.pcscd.socket()),
        &stack.config,
        &[manifest, "helper@myna.example"],
        &stack.dir.path().join("ff.log"),
    );
    assert_eq!(
        firefox.request(json!({"id": 1, "command": "hello"}))["result"]["protocol"],
        protocol::PROTOCOL_VERSION
    );
}

#[test]
fn the_pin_never_reaches_the_log() {
    let stack = Stack::with_card();
    let mut bridge = stack.bridge();
    stack.wait_for_cards(&mut bridge, 1);
    assert_eq!(
        error_code(&bridge.authenticate("8642", false)),
        "PIN_INCORRECT"
    );
    assert_eq!(
        bridge.authenticate(PIN, false)["result"]["algorithm"],
        "RS256"
    );
    bridge.send_frame(br#"{"id":1,"command":"authenticate","origin":"https://myna.example","nonce":"x","pin":"8642","zz":1}"#);
    bridge.read_reply();
    drop(bridge);
    let log = stack.log();
    assert!(
        log.contains("authenticate"),
        "the log is being written: {log}"
    );
    // Timestamps could contain any digits: look at each line without its timestamp.
    for line in log.lines() {
        let text = line.split_once(' ').map_or(line, |(_, rest)| rest);
        for secret in ["9753", "8642", "39373533", "38363432"] {
            assert!(!text.contains(secret), "the log shows a PIN: {line}");
        }
    }
}

#[test]
fn install_and_uninstall_write_and_remove_the_manifests() {
    let home = tempfile::tempdir().expect("home");
    let exe_dir = tempfile::tempdir().expect("exe dir");
    let exe = exe_dir.path().join("myna-bridge");
    std::fs::copy(env!("CARGO_BIN_EXE_myna-bridge"), &exe).expect("copy the binary");
    let run = |args: &[&str]| {
        Command::new(&exe)
            .args(args)
            .env("HOME", home.path())
            .output()
            .expect("runs")
    };
    // The reported input: the id without its trailing slash (Chromium rejects such a manifest,
    // "Empty path"); it is written as the browsers read it.
    let output = run(&[
        "install",
        "--extension",
        EXTENSION.trim_end_matches('/'),
        "--extension",
        "helper@myna.example",
        "--origin",
        ORIGIN,
        "--developer-origin",
        "http://127.0.0.1:8080",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let chromium = home
        .path()
        .join(".config/chromium/NativeMessagingHosts/jp.myna.bridge.json");
    let chrome = home
        .path()
        .join(".config/google-chrome/NativeMessagingHosts/jp.myna.bridge.json");
    let edge = home
        .path()
        .join(".config/microsoft-edge/NativeMessagingHosts/jp.myna.bridge.json");
    let firefox = home
        .path()
        .join(".mozilla/native-messaging-hosts/jp.myna.bridge.json");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&chromium).expect("chromium manifest"))
            .expect("json");
    assert_eq!(manifest["name"], "jp.myna.bridge");
    assert_eq!(manifest["type"], "stdio");
    assert_eq!(manifest["path"], exe.to_str().expect("utf-8"));
    assert_eq!(manifest["allowed_origins"], json!([EXTENSION]));
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&firefox).expect("firefox manifest")).expect("json");
    assert_eq!(
        manifest["allowed_extensions"],
        json!(["helper@myna.example"])
    );
    assert!(chrome.exists() && edge.exists());
    let config = bridge::config::Config::load(&exe_dir.path().join("bridge.json")).expect("config");
    assert_eq!(config.allowed_origins, vec![ORIGIN.to_owned()]);
    assert!(config.allowed_extensions.contains(&EXTENSION.to_owned()));

    // install read back what it wrote; doctor says the same.
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("ok ")).count(),
        4,
        "{stdout}"
    );
    let output = run(&["doctor"]);
    assert!(output.status.success(), "{output:?}");
    // What a browser would reject, doctor names: a manifest edited back to the slash-less id, an
    // executable gone.
    let edited = std::fs::read_to_string(&chromium)
        .expect("manifest")
        .replace(EXTENSION, EXTENSION.trim_end_matches('/'));
    std::fs::write(&chromium, edited).expect("edit");
    let output = run(&["doctor", "--browser", "chromium", "--browser", "chrome"]);
    assert!(!output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        stdout.contains("FAIL  chromium") && stdout.contains("ok    chrome"),
        "{stdout}"
    );
    std::fs::remove_file(&exe).expect("remove the executable");
    let output = Command::new(env!("CARGO_BIN_EXE_myna-bridge"))
        .args(["doctor", "--browser", "firefox"])
        .env("HOME", home.path())
        .output()
        .expect("runs");
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("is not an executable file"),
        "{output:?}"
    );
    std::fs::copy(env!("CARGO_BIN_EXE_myna-bridge"), &exe).expect("copy the binary back");

    // A browser started with its own --user-data-dir reads the manifest there (issue 12: a
    // profile of its own could not find the bridge).
    let profile = home.path().join("kiosk-profile");
    let profile_text = profile.to_string_lossy().into_owned();
    let output = run(&[
        "install",
        "--browser",
        "chromium",
        "--extension",
        EXTENSION,
        "--origin",
        ORIGIN,
        "--user-data-dir",
        &profile_text,
    ]);
    assert!(output.status.success(), "{output:?}");
    let manifest: serde_json::Value = serde_json::from_slice(
        &std::fs::read(profile.join("NativeMessagingHosts/jp.myna.bridge.json"))
            .expect("the profile's manifest"),
    )
    .expect("json");
    assert_eq!(manifest["allowed_origins"], json!([EXTENSION]));
    assert_eq!(manifest["path"], exe.to_str().expect("utf-8"));
    let output = run(&[
        "doctor",
        "--browser",
        "chromium",
        "--user-data-dir",
        &profile_text,
    ]);
    assert!(output.status.success(), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("ok    profile"));

    // What is not an extension id is refused, saying what to give: nothing is written.
    for wrong in [
        "chrome-extension://abc/",
        "moz-extension://0d4e8c1a-0000-4000-8000-000000000000/",
    ] {
        let output = run(&["install", "--extension", wrong, "--origin", ORIGIN]);
        assert!(!output.status.success(), "{wrong}");
        assert!(
            String::from_utf8_lossy(&output.stderr).contains(wrong),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    // An http origin cannot be a production origin.
    let output = run(&[
        "install",
        "--extension",
        EXTENSION,
        "--origin",
        "http://127.0.0.1:8080",
    ]);
    assert!(!output.status.success());

    let output = run(&["uninstall"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for path in [&chromium, &chrome, &edge, &firefox] {
        assert!(!path.exists(), "{} still there", path.display());
    }
    assert!(!exe_dir.path().join("bridge.json").exists());
}

/// pcscd restarted under a running bridge (a package upgrade, a socket re-activation): the
/// bridge's PC/SC context is stale, and its next `status` and `authenticate` must still work —
/// the citizen is never told to restart the PC for what the bridge can recover (issue 12).
#[test]
fn a_pcscd_restart_under_a_running_bridge_is_invisible() {
    let mut stack = Stack::with_card();
    let mut bridge = stack.bridge();
    stack.wait_for_cards(&mut bridge, 1);
    for round in 0..2 {
        stack.pcscd.restart().expect("pcscd restarted");
        // A fresh bridge (a fresh context) sees when the card is back; the running one is asked
        // nothing until then, so its next request is the first after the restart.
        stack.wait_for_cards(&mut stack.bridge(), 1);
        if round == 0 {
            let status = bridge.request(json!({"id": 1, "command": "status"}));
            assert_eq!(status["result"]["reader"], "Virtual PCD 00 00", "{status}");
        } else {
            let reply = bridge.authenticate(PIN, false);
            assert_eq!(reply["result"]["algorithm"], "RS256", "{reply}");
        }
    }
}

/// A reader that always holds another card (a security key, a SIM slot, the OS's virtual smart
/// card) beside an empty one: `authenticate` waits for a My Number Card in any reader instead of
/// answering NOT_MYNUMBER_CARD at once (issue 12).
#[test]
fn another_card_in_one_reader_does_not_stop_the_wait_for_the_my_number_card() {
    let stack = Stack::with_cards(&[(0, CardKind::Other), (1, CardKind::Jpki)]);
    stack.write_config(json!({"cardWaitMs": 8000}));
    let mut bridge = stack.bridge();
    stack.wait_for_cards(&mut bridge, 2);
    stack.cards[1].remove();
    stack.wait_for_cards(&mut bridge, 1);
    let reply = std::thread::scope(|scope| {
        scope.spawn(|| {
            std::thread::sleep(Duration::from_millis(700));
            stack.cards[1].insert();
        });
        bridge.authenticate(PIN, false)
    });
    assert_eq!(reply["result"]["reader"], "Virtual PCD 00 01", "{reply}");

    // Without a My Number Card put on during the wait: no card, not "not a My Number Card".
    stack.write_config(json!({"cardWaitMs": 500}));
    let mut bridge = stack.bridge();
    stack.cards[1].remove();
    stack.wait_for_cards(&mut bridge, 1);
    assert_eq!(error_code(&bridge.authenticate(PIN, false)), "NO_CARD");
    // Every reader holding another card: nothing to wait for.
    let stack = Stack::with_cards(&[(0, CardKind::Other), (1, CardKind::Other)]);
    let mut bridge = stack.bridge();
    stack.wait_for_cards(&mut bridge, 2);
    assert_eq!(
        error_code(&bridge.authenticate(PIN, false)),
        "NOT_MYNUMBER_CARD"
    );
}

/// A reader held exclusively by another program (here a host stuck on a silent card in reader
/// 0), the My Number Card in reader 1: the card step must use reader 1 — it answered INTERNAL
/// "another program is using the card" after the PIN and never tried reader 1 (issue 12).
#[test]
fn a_reader_held_by_another_program_is_skipped_for_the_one_with_the_card() {
    let stack = Stack::with_cards(&[(0, CardKind::Other), (1, CardKind::Jpki)]);
    stack.write_config(json!({"cardTimeoutMs": 800, "cardWaitMs": 0}));
    let mut holder = stack.bridge();
    stack.wait_for_cards(&mut holder, 2);
    stack.cards[0].set_behaviour(Behaviour::Hang);
    // The holder's worker connects to reader 0 exclusively and stays there on the silent card.
    assert_eq!(error_code(&holder.authenticate(PIN, false)), "TIMEOUT");
    stack.write_config(json!({"cardWaitMs": 2000}));
    let mut bridge = stack.bridge();
    let status = bridge.request(json!({"id": 1, "command": "status"}));
    assert_eq!(status["result"]["reader"], "Virtual PCD 00 01", "{status}");
    // The held reader is said to be in use (not "another card").
    assert_eq!(status["result"]["readers"][0]["card"], "inUse", "{status}");
    let reply = bridge.authenticate(PIN, false);
    assert_eq!(reply["result"]["reader"], "Virtual PCD 00 01", "{reply}");
    // Without the My Number Card in the free reader, the wait ends on the held reader's code.
    stack.write_config(json!({"cardWaitMs": 600}));
    let mut bridge = stack.bridge();
    stack.cards[1].remove();
    stack.wait_for_cards(&mut bridge, 1);
    assert_eq!(error_code(&bridge.authenticate(PIN, false)), "NO_CARD");
    stack.cards[0].set_behaviour(Behaviour::Normal);
}

/// `presence` (issue 14, a shared terminal): after the card signed, its reader and card-event
/// count say whether that card is still there — true while it stays (also after the bridge
/// unpowered it), false once it left, and still false when a card is put back (another card, or
/// the same one: the session it logged in is over either way), false for a reader unplugged.
#[test]
fn presence_tells_the_card_that_signed_from_one_put_there_since() {
    let stack = Stack::with_card();
    let mut bridge = stack.bridge();
    stack.wait_for_cards(&mut bridge, 1);
    let signed = bridge.authenticate(PIN, false);
    let reader = signed["result"]["reader"]
        .as_str()
        .expect("reader")
        .to_owned();
    let events = signed["result"]["events"].as_u64().expect("events");
    let ask = |bridge: &mut Bridge, events: u64| {
        bridge.request(json!({"id": 7, "command": "presence", "reader": reader, "events": events}))
    };
    // Several times: the unpowering after the signature is no removal.
    for _ in 0..3 {
        let reply = ask(&mut bridge, events);
        assert_eq!(reply["result"]["present"], true, "{reply}");
        std::thread::sleep(Duration::from_millis(200));
    }
    // Another count (a card that came since) is not the same card.
    assert_eq!(ask(&mut bridge, events + 2)["result"]["present"], false);
    stack.card().remove();
    stack.wait_for_cards(&mut bridge, 0);
    assert_eq!(ask(&mut bridge, events)["result"]["present"], false);
    stack.card().insert();
    stack.wait_for_cards(&mut bridge, 1);
    let reply = ask(&mut bridge, events);
    assert_eq!(
        reply["result"]["present"], false,
        "a card put back is a new session: {reply}"
    );
    // A reader that is not there.
    let reply = bridge.request(
        json!({"id": 8, "command": "presence", "reader": "No Such Reader 00 00", "events": 0}),
    );
    assert_eq!(reply["result"]["present"], false, "{reply}");
    // A malformed request never reaches PC/SC.
    let reply = bridge.request(json!({"id": 9, "command": "presence", "reader": reader}));
    assert_eq!(error_code(&reply), "INVALID_REQUEST", "{reply}");
}
