//! The card verbs against scripted APDU exchanges, one comment per exchange, as in
//! libelectronic-id's `tests/mock/`. Vectors come from `docs/card.md` §5.

use jpki::{
    script::{h, Script},
    sha256_digest_info, AuthPin, Error, JpkiCard, PinStatus, StatusWord, TokenKind, TransportError,
};

const SELECT_JPKI: &str = "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01";
const SELECT_AUTH_CERT: &str = "00 A4 02 0C 02 00 0A";
const SELECT_AUTH_PIN: &str = "00 A4 02 0C 02 00 18";
const SELECT_AUTH_KEY: &str = "00 A4 02 0C 02 00 17";

/// A fake 600-byte DER object (30 82 02 54 …) stored with FF filler, as on the card.
fn certificate() -> Vec<u8> {
    let mut der = vec![0x30, 0x82, 0x02, 0x54];
    der.extend((0..0x254).map(|i| (i % 251) as u8));
    der
}

#[test]
fn reads_the_certificate_in_256_byte_chunks_and_trims_the_filler() {
    let der = certificate();
    let mut file = der.clone();
    file.extend([0xFF; 300]);
    let ok = |bytes: &[u8]| [bytes, &[0x90, 0x00][..]].concat();
    let script = Script::new()
        .step(SELECT_JPKI, "90 00") // SELECT JPKI-AP
        .step(SELECT_AUTH_CERT, "90 00") // SELECT EF 000A
        .step_bytes(h("00 B0 00 00 00"), ok(&file[..256])) // header and the first 256 bytes
        .step_bytes(h("00 B0 01 00 00"), ok(&file[256..512])) // offset 0x100
        .step_bytes(h("00 B0 02 00 58"), ok(&file[512..600])); // the last 88 bytes
    let mut card = JpkiCard::new(script);
    card.select_jpki_ap().expect("select");
    assert_eq!(card.read_auth_certificate().expect("read"), der);
    assert_eq!(card.n_apdus(), 5);
    assert!(card.into_inner().finished());
}

#[test]
fn the_whole_authentication_sequence() {
    let digest_info = sha256_digest_info(&[0x5A; 32]);
    let signature = vec![0x42u8; 256];
    let script = Script::new()
        .step(SELECT_JPKI, "90 00") // SELECT JPKI-AP
        .step(SELECT_AUTH_PIN, "90 00") // SELECT EF 0018
        .step("00 20 00 80", "63 C3") // tries left, no try spent
        .step(SELECT_AUTH_PIN, "90 00") // SELECT EF 0018
        .step("00 20 00 80 04 31 32 33 34", "90 00") // VERIFY 1234
        .step(SELECT_AUTH_KEY, "90 00") // SELECT EF 0017
        .step_bytes(
            [&h("80 2A 00 80 33")[..], &digest_info[..], &[0x00]].concat(),
            [&signature[..], &[0x90, 0x00]].concat(),
        ); // COMPUTE DIGITAL SIGNATURE
    let mut card = JpkiCard::new(script);
    card.select_jpki_ap().expect("select");
    assert_eq!(
        card.auth_pin_status().expect("status"),
        PinStatus::Remaining(3)
    );
    card.verify_auth_pin(&AuthPin::parse("1234").expect("pin"))
        .expect("verify");
    assert_eq!(
        card.sign_with_auth_key(&digest_info).expect("sign"),
        signature
    );
    assert!(card.into_inner().finished());
}

#[test]
fn pin_status_is_never_zero_when_verified() {
    for (answer, expected) in [
        ("63 C2", PinStatus::Remaining(2)),
        ("63 C1", PinStatus::Remaining(1)),
        ("90 00", PinStatus::Verified),
        ("63 C0", PinStatus::Blocked),
        ("69 84", PinStatus::Blocked),
    ] {
        let script = Script::new()
            .step(SELECT_AUTH_PIN, "90 00") // SELECT EF 0018
            .step("00 20 00 80", answer); // tries left
        assert_eq!(
            JpkiCard::new(script).auth_pin_status(),
            Ok(expected),
            "{answer}"
        );
    }
}

#[test]
fn verify_maps_every_status_word() {
    for (answer, expected) in [
        ("63 C2", Err(Error::PinIncorrect { tries_left: 2 })),
        ("63 C0", Err(Error::PinIncorrect { tries_left: 0 })),
        ("69 84", Err(Error::PinBlocked)),
        (
            "6A 86",
            Err(Error::UnexpectedStatus {
                step: "VERIFY auth PIN",
                sw: StatusWord::IncorrectP1P2,
            }),
        ),
        ("90 00", Ok(())),
    ] {
        let script = Script::new()
            .step(SELECT_AUTH_PIN, "90 00") // SELECT EF 0018
            .step("00 20 00 80 04 30 30 30 30", answer); // VERIFY 0000
        let result = JpkiCard::new(script).verify_auth_pin(&AuthPin::parse("0000").expect("pin"));
        assert_eq!(result, expected, "{answer}");
    }
}

#[test]
fn signing_without_a_verified_pin_is_refused() {
    let digest_info = sha256_digest_info(&[0; 32]);
    let script = Script::new()
        .step(SELECT_AUTH_KEY, "90 00") // SELECT EF 0017
        .step_bytes(
            [&h("80 2A 00 80 33")[..], &digest_info[..], &[0x00]].concat(),
            h("69 82"),
        );
    assert_eq!(
        JpkiCard::new(script).sign_with_auth_key(&digest_info),
        Err(Error::PinNotVerified)
    );
}

#[test]
fn a_short_signature_is_malformed() {
    let digest_info = sha256_digest_info(&[0; 32]);
    let script = Script::new()
        .step(SELECT_AUTH_KEY, "90 00") // SELECT EF 0017
        .step_bytes(
            [&h("80 2A 00 80 33")[..], &digest_info[..], &[0x00]].concat(),
            h("01 02 03 90 00"),
        );
    assert!(matches!(
        JpkiCard::new(script).sign_with_auth_key(&digest_info),
        Err(Error::MalformedResponse { .. })
    ));
}

#[test]
fn a_card_without_the_jpki_application_is_not_a_my_number_card() {
    let script = Script::new().step(SELECT_JPKI, "6A 82"); // SELECT JPKI-AP: not found
    assert_eq!(
        JpkiCard::new(script).select_jpki_ap(),
        Err(Error::NotJpkiCard)
    );
}

#[test]
fn six_f_zero_after_power_up_is_retried_once() {
    let script = Script::new()
        .step(SELECT_JPKI, "6F 00") // first APDU after a power cycle
        .step(SELECT_JPKI, "90 00"); // the same again
    let mut card = JpkiCard::new(script);
    assert_eq!(card.select_jpki_ap(), Ok(()));
    assert!(card.into_inner().finished());
}

#[test]
fn get_response_and_wrong_le_are_followed() {
    let script = Script::new()
        .step("00 A4 02 0C 02 00 06", "90 00") // SELECT EF 0006
        .step("00 B0 00 00 20", "6C 10") // wrong Le: 16 bytes available
        .step("00 B0 00 00 10", "61 10") // the proxy says 16 bytes wait
        .step(
            "00 C0 00 00 10",
            "4A 50 4B 49 41 50 49 43 43 54 4F 4B 45 4E 32 20 90 00",
        ); // GET RESPONSE: "JPKIAPICCTOKEN2 "
    assert_eq!(
        JpkiCard::new(script).read_token_kind(),
        Ok(TokenKind::MyNumberCard)
    );
}

#[test]
fn token_labels() {
    let label = |s: &str| format!("{s:<32}").into_bytes();
    assert_eq!(
        TokenKind::from_label(&label("JPKIAPICCTOKEN2")),
        TokenKind::MyNumberCard
    );
    assert_eq!(
        TokenKind::from_label(&label("JPKIAPICCTOKEN")),
        TokenKind::JukiCard
    );
    assert_eq!(
        TokenKind::from_label(&label("JPKIAPGPSETOKEN")),
        TokenKind::Android
    );
    assert_eq!(
        TokenKind::from_label(&label("JPKIAPIOSTOKEN")),
        TokenKind::Iphone
    );
    assert_eq!(
        TokenKind::from_label(&label("OTHER")),
        TokenKind::Unknown("OTHER".into())
    );
}

#[test]
fn a_card_pulled_mid_command_is_card_removed() {
    let script = Script::new().step(SELECT_JPKI, ""); // the reader returns nothing
    assert_eq!(
        JpkiCard::new(script).select_jpki_ap(),
        Err(Error::Transport(TransportError::CardRemoved))
    );
    let script = Script::new().step(SELECT_JPKI, "90"); // one byte: garbage, not a removal
    assert!(matches!(
        JpkiCard::new(script).select_jpki_ap(),
        Err(Error::MalformedResponse { .. })
    ));
    let script = Script::new().fail(SELECT_JPKI, TransportError::Timeout);
    assert_eq!(
        JpkiCard::new(script).select_jpki_ap(),
        Err(Error::Transport(TransportError::Timeout))
    );
}

#[test]
fn a_file_that_ends_inside_its_object_is_malformed() {
    let der = certificate();
    let ok = |bytes: &[u8]| [bytes, &[0x90, 0x00][..]].concat();
    let script = Script::new()
        .step(SELECT_AUTH_CERT, "90 00") // SELECT EF 000A
        .step_bytes(h("00 B0 00 00 00"), ok(&der[..256])) // the first chunk
        .step("00 B0 01 00 00", "6B 00"); // offset past the end of the file
    assert!(matches!(
        JpkiCard::new(script).read_auth_certificate(),
        Err(Error::MalformedResponse { .. })
    ));
}

#[test]
fn retriable_errors() {
    assert!(Error::PinIncorrect { tries_left: 2 }.is_retriable());
    assert!(Error::Transport(TransportError::NoCard).is_retriable());
    assert!(!Error::PinBlocked.is_retriable());
    assert!(!Error::Transport(TransportError::Failed("x".into())).is_retriable());
}
