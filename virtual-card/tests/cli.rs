//! The `virtual-card` command makes certificates of every shape real cards have: a CA named in
//! Japanese, a card whose serial has the high bit set (DER adds a 00 byte).

use std::process::Command;

use der::Decode as _;
use x509_cert::Certificate;

fn virtual_card(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_virtual-card"))
        .args(args)
        .env("VIRTUAL_CARD_LOG", "warn")
        .output()
        .expect("virtual-card runs")
}

#[test]
fn a_card_of_a_chosen_serial_under_a_ca_of_a_chosen_name() {
    let dir = tempfile::tempdir().expect("dir");
    let ca = dir.path().join("ca");
    let card = dir.path().join("card");
    let (ca_text, card_text) = (ca.to_string_lossy(), card.to_string_lossy());
    let output = virtual_card(&["ca", "--out", &ca_text, "--issuer", "japanese"]);
    assert!(output.status.success(), "{output:?}");
    let output = virtual_card(&[
        "new",
        "--out",
        &card_text,
        "--ca",
        &ca_text,
        "--serial",
        "80A1B2C3D4E5F601",
    ]);
    assert!(output.status.success(), "{output:?}");
    let der = std::fs::read(card.join("auth.cert.der")).expect("certificate");
    let certificate = Certificate::from_der(&der).expect("parses");
    let tbs = certificate.tbs_certificate;
    assert_eq!(
        tbs.serial_number.as_bytes(),
        [0x00, 0x80, 0xA1, 0xB2, 0xC3, 0xD4, 0xE5, 0xF6, 0x01]
    );
    assert!(
        tbs.issuer
            .to_string()
            .contains("地方公共団体情報システム機構"),
        "{}",
        tbs.issuer
    );
    // Shapes by name, and refusals that say what is wanted.
    let other = dir.path().join("other").to_string_lossy().into_owned();
    let output = virtual_card(&[
        "new", "--out", &other, "--ca", &ca_text, "--serial", "one-byte",
    ]);
    assert!(output.status.success(), "{output:?}");
    let output = virtual_card(&["new", "--out", &other, "--ca", &ca_text, "--serial", "xyz"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("hex"));
    let output = virtual_card(&["ca", "--out", &other, "--bits", "1024"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("2048"));
}

/// Issue 12: `new --out DIR` without `--ca` replaced the CA beside it (`DIR/../ca` was looked up
/// through the folder not yet made), so every earlier card became untrusted. A second card
/// beside the first uses the same CA, and nothing overwrites a CA or a card.
#[test]
fn a_new_card_never_replaces_a_ca_or_a_card() {
    let dir = tempfile::tempdir().expect("dir");
    let ca = dir.path().join("ca");
    let ca_text = ca.to_string_lossy().into_owned();
    let output = virtual_card(&["ca", "--out", &ca_text]);
    assert!(output.status.success(), "{output:?}");
    let read_ca = || {
        [
            "auth-ca.cert.der",
            "sign-ca.cert.der",
            "auth-ca.TEST-ONLY.key.pem",
        ]
        .map(|file| std::fs::read(ca.join(file)).expect("CA file"))
    };
    let before = read_ca();
    for name in ["card1", "card2"] {
        let card = dir.path().join(name).to_string_lossy().into_owned();
        let output = virtual_card(&["new", "--out", &card]);
        assert!(output.status.success(), "{output:?}");
        assert!(read_ca() == before, "new --out {name} replaced the CA");
    }
    // Asked to make a CA or a card where one is, it refuses and says why.
    let output = virtual_card(&["ca", "--out", &ca_text]);
    assert!(!output.status.success(), "{output:?}");
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("already"),
        "{output:?}"
    );
    assert!(read_ca() == before);
    let card1 = dir.path().join("card1");
    let state = std::fs::read(card1.join("auth.cert.der")).expect("card");
    let output = virtual_card(&["new", "--out", &card1.to_string_lossy()]);
    assert!(!output.status.success(), "{output:?}");
    assert_eq!(
        std::fs::read(card1.join("auth.cert.der")).expect("card"),
        state
    );
}
