//! The virtual card driven by the real host code (`jpki::JpkiCard`) in-process, checking each
//! point of the emulator checklist in `docs/card.md` §9.

use std::sync::OnceLock;

use der::{Decode, Encode};
use jpki::{
    sha256_digest_info, AuthPin, Command, Error, JpkiCard, PinStatus, StatusWord, TokenKind,
};
use rsa::{pkcs1v15::VerifyingKey, pkcs8::DecodePublicKey, signature::Verifier};
use sha2::{Digest, Sha256};
use virtual_card::fixtures::Templates;
use virtual_card::{
    pki::CardCertOptions,
    store::{CaDir, NewCard},
    CardDir, CardKind, InProcessCard, VirtualCard,
};
use x509_cert::Certificate;

/// Keys take a while to make: one CA and two cards per test binary, copied per test.
fn templates() -> &'static Templates {
    static TEMPLATES: OnceLock<Templates> = OnceLock::new();
    TEMPLATES.get_or_init(|| Templates::new("1234").expect("test cards"))
}

struct Fixture {
    _dir: tempfile::TempDir,
    card_dir: CardDir,
}

fn fixture(kind: CardKind) -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let card_dir = templates().copy_card(kind, dir.path()).expect("copy");
    Fixture {
        _dir: dir,
        card_dir,
    }
}

fn open(fixture: &Fixture) -> JpkiCard<InProcessCard> {
    let (profile, state) = fixture.card_dir.open().expect("open");
    JpkiCard::new(InProcessCard {
        card: VirtualCard::new(profile, state),
    })
}

fn pin(text: &str) -> AuthPin {
    AuthPin::parse(text).expect("pin format")
}

#[test]
fn authentication_signature_verifies_against_the_certificate() {
    let fixture = fixture(CardKind::Jpki);
    let mut card = open(&fixture);
    card.select_jpki_ap().expect("select");
    assert_eq!(
        card.read_token_kind().expect("token"),
        TokenKind::MyNumberCard
    );
    let cert_der = card.read_auth_certificate().expect("cert");
    assert_eq!(
        cert_der,
        fixture.card_dir.auth_cert().expect("file"),
        "filler trimmed"
    );
    assert_eq!(
        card.auth_pin_status().expect("tries"),
        PinStatus::Remaining(3)
    );
    card.verify_auth_pin(&pin("1234")).expect("verify");
    assert_eq!(card.auth_pin_status().expect("tries"), PinStatus::Verified);

    let message = b"to be signed";
    let digest: [u8; 32] = Sha256::digest(message).into();
    let signature = card
        .sign_with_auth_key(&sha256_digest_info(&digest))
        .expect("sign");

    let cert = Certificate::from_der(&cert_der).expect("cert parses");
    let spki = cert
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .expect("spki");
    let key = VerifyingKey::<Sha256>::from_public_key_der(&spki).expect("rsa key");
    let signature = rsa::pkcs1v15::Signature::try_from(signature.as_slice()).expect("sig");
    key.verify(message, &signature)
        .expect("RS256 signature verifies");
}

#[test]
fn wrong_pins_count_down_to_blocked_and_the_count_persists() {
    let fixture = fixture(CardKind::Jpki);
    let mut card = open(&fixture);
    card.select_jpki_ap().expect("select");
    assert_eq!(
        card.verify_auth_pin(&pin("0000")),
        Err(Error::PinIncorrect { tries_left: 2 })
    );
    assert_eq!(card.auth_pin_status(), Ok(PinStatus::Remaining(2)));
    // The edge saves the state after each APDU; a new process sees 2 tries.
    let inner = card.into_inner();
    fixture
        .card_dir
        .save_state(inner.card.state())
        .expect("save");
    let mut card = open(&fixture);
    card.select_jpki_ap().expect("select");
    assert_eq!(card.auth_pin_status(), Ok(PinStatus::Remaining(2)));
    // A right PIN resets the counter.
    card.verify_auth_pin(&pin("1234")).expect("right pin");
    assert_eq!(card.into_inner().card.state().auth_pin_tries, 3);

    let mut card = open(&fixture);
    card.select_jpki_ap().expect("select");
    assert_eq!(
        card.verify_auth_pin(&pin("1111")),
        Err(Error::PinIncorrect { tries_left: 1 })
    );
    assert_eq!(
        card.verify_auth_pin(&pin("1111")),
        Err(Error::PinIncorrect { tries_left: 0 })
    );
    assert_eq!(card.auth_pin_status(), Ok(PinStatus::Blocked));
    // Even the right PIN is refused once blocked.
    assert_eq!(card.verify_auth_pin(&pin("1234")), Err(Error::PinBlocked));
}

#[test]
fn signing_needs_the_pin_and_power_off_forgets_it() {
    let fixture = fixture(CardKind::Jpki);
    let (profile, state) = fixture.card_dir.open().expect("open");
    let mut vcard = VirtualCard::new(profile, state);
    let digest_info = sha256_digest_info(&[7; 32]);
    {
        let mut card = JpkiCard::new(virtual_card::InProcessCard { card: vcard });
        card.select_jpki_ap().expect("select");
        assert_eq!(
            card.sign_with_auth_key(&digest_info),
            Err(Error::PinNotVerified)
        );
        card.verify_auth_pin(&pin("1234")).expect("verify");
        vcard = card.into_inner().card;
    }
    // A warm reset keeps the verified state (as on the real card); power-off clears it.
    vcard.warm_reset();
    assert!(vcard.auth_verified());
    vcard.power_off();
    assert!(!vcard.auth_verified());
    let mut card = JpkiCard::new(virtual_card::InProcessCard { card: vcard });
    card.select_jpki_ap().expect("select");
    assert_eq!(
        card.sign_with_auth_key(&digest_info),
        Err(Error::PinNotVerified)
    );
}

fn raw(card: &mut VirtualCard, command: Command) -> (Vec<u8>, StatusWord) {
    let response = jpki::Response::parse(&card.process(&command.to_bytes())).expect("response");
    (response.data, response.sw)
}

#[test]
fn emulator_checklist_by_raw_apdus() {
    let fixture = fixture(CardKind::Jpki);
    let (profile, state) = fixture.card_dir.open().expect("open");
    let mut card = VirtualCard::new(profile, state);
    let ok = StatusWord::Success;
    // EF select before any AP: not found.
    assert_eq!(
        raw(&mut card, Command::select_ef(0x000A)).1,
        StatusWord::FileNotFound
    );
    // Unknown AID and the card-info input AP: not found (the portal has no business there).
    assert_eq!(
        raw(&mut card, Command::select_df(&[0xA0, 0, 0, 0, 1])).1,
        StatusWord::FileNotFound
    );
    assert_eq!(
        raw(
            &mut card,
            Command::select_df(&jpki::files::CARD_INFO_INPUT_AID)
        )
        .1,
        StatusWord::FileNotFound
    );
    assert_eq!(
        raw(&mut card, Command::select_df(&jpki::files::JPKI_AID)).1,
        ok
    );
    assert_eq!(
        raw(&mut card, Command::select_ef(0x0099)).1,
        StatusWord::FileNotFound
    );
    // The signing certificate needs the signing password.
    assert_eq!(raw(&mut card, Command::select_ef(0x0001)).1, ok);
    assert_eq!(
        raw(&mut card, Command::read_binary(0, 256)).1,
        StatusWord::SecurityStatusNotSatisfied
    );
    // Auth certificate: FF filler after the DER, 6B00 past the end of the EF.
    assert_eq!(raw(&mut card, Command::select_ef(0x000A)).1, ok);
    let der_len = fixture.card_dir.auth_cert().expect("cert").len();
    let (tail, sw) = raw(&mut card, Command::read_binary(der_len as u16, 4));
    assert_eq!((tail, sw), (vec![0xFF; 4], ok));
    assert_eq!(
        raw(&mut card, Command::read_binary(0x7000, 4)).1,
        StatusWord::WrongParameters
    );
    // Extended-length READ BINARY of the whole certificate in one APDU.
    let (whole, sw) = raw(&mut card, Command::read_binary(0, 4096));
    assert_eq!(sw, ok);
    assert_eq!(jpki::trim_to_der(&whole).expect("der").len(), der_len);
    // Short EF identifier read: 00 B0 86 00 20 reads the token info without a SELECT.
    let (label, sw) = raw(&mut card, Command::new(0x00, 0xB0, 0x86, 0x00).with_le(32));
    assert_eq!(sw, ok);
    assert_eq!(TokenKind::from_label(&label), TokenKind::MyNumberCard);
    // Keys and PINs cannot be read.
    assert_eq!(raw(&mut card, Command::select_ef(0x0017)).1, ok);
    assert_eq!(
        raw(&mut card, Command::read_binary(0, 16)).1,
        StatusWord::CommandNotAllowed
    );
    // Other P1 of COMPUTE SIGNATURE: 6A86. Secure messaging: 6882. Unknown INS: 6D00.
    let sign = Command::new(0x80, 0x2A, 0x01, 0x80)
        .with_data([0u8; 32])
        .with_le(256);
    assert_eq!(raw(&mut card, sign).1, StatusWord::IncorrectP1P2);
    assert_eq!(
        raw(&mut card, Command::new(0x0C, 0xB0, 0, 0).with_le(4)).1,
        StatusWord::Other(0x6882)
    );
    assert_eq!(
        raw(&mut card, Command::new(0x00, 0x84, 0, 0).with_le(8)).1,
        StatusWord::InstructionNotSupported
    );
    // VERIFY by SFI (P2 = 80 | 18) and CHANGE REFERENCE DATA after it.
    assert_eq!(
        raw(
            &mut card,
            Command::new(0x00, 0x20, 0x00, 0x98).with_data(*b"1234")
        )
        .1,
        ok
    );
    assert_eq!(raw(&mut card, Command::select_ef(0x0018)).1, ok);
    assert_eq!(
        raw(
            &mut card,
            Command::new(0x00, 0x24, 0x01, 0x80).with_data(*b"12a4")
        )
        .1,
        StatusWord::Other(0x6A80)
    );
    assert_eq!(
        raw(
            &mut card,
            Command::new(0x00, 0x24, 0x01, 0x80).with_data(*b"5678")
        )
        .1,
        ok
    );
    card.power_off();
    assert_eq!(
        raw(&mut card, Command::select_df(&jpki::files::JPKI_AID)).1,
        ok
    );
    assert_eq!(raw(&mut card, Command::select_ef(0x0018)).1, ok);
    assert_eq!(raw(&mut card, Command::verify(b"5678")).1, ok);
    // The signing password: 5 tries.
    assert_eq!(raw(&mut card, Command::select_ef(0x001B)).1, ok);
    assert_eq!(
        raw(&mut card, Command::verify_status()).1,
        StatusWord::VerifyFailed { tries_left: 5 }
    );
    assert_eq!(
        raw(&mut card, Command::verify(b"WRONG1")).1,
        StatusWord::VerifyFailed { tries_left: 4 }
    );
    assert_eq!(raw(&mut card, Command::verify(b"ABC123")).1, ok);
    assert_eq!(raw(&mut card, Command::select_ef(0x0001)).1, ok);
    assert_eq!(raw(&mut card, Command::read_binary(0, 4)).1, ok);
    // Garbage APDUs.
    assert_eq!(
        jpki::Response::parse(&card.process(&[0x00, 0xA4])).map(|r| r.sw),
        Some(StatusWord::WrongLength)
    );
}

#[test]
fn a_card_that_is_not_a_my_number_card() {
    let fixture = fixture(CardKind::Other);
    let mut card = open(&fixture);
    assert_eq!(card.select_jpki_ap(), Err(Error::NotJpkiCard));
}

#[test]
fn new_card_refuses_bad_pins() {
    let root = tempfile::tempdir().expect("temp dir");
    let ca = CaDir::open(&templates().ca_dir()).expect("ca");
    for (pin, password) in [
        ("123", "ABC123"),
        ("12345", "ABC123"),
        ("1234", "abc123"),
        ("1234", "ABC12"),
    ] {
        let new = NewCard {
            pin,
            sign_password: password,
            kind: CardKind::Jpki,
            certs: CardCertOptions::default(),
        };
        assert!(
            CardDir::create(&root.path().join("x"), &ca, &new).is_err(),
            "{pin} {password}"
        );
    }
}

/// The common application's card number record, read the way peer hosts read it (SELECT by
/// AID, then READ RECORD 1 of short EF 1, or SELECT EF 0001 and READ RECORD of the current EF).
#[test]
fn common_application_answers_the_card_number_record() {
    let fixture = fixture(CardKind::Jpki);
    let (profile, state) = fixture.card_dir.open().expect("open");
    let cert = profile.auth_cert.clone();
    let mut card = VirtualCard::new(profile, state);
    let ok = StatusWord::Success;
    let read_record = |p2: u8| Command::new(0x00, 0xB2, 0x01, p2).with_le(256);
    // Not before the application is selected.
    assert_eq!(
        raw(&mut card, read_record(0x0C)).1,
        StatusWord::CommandNotAllowed
    );
    assert_eq!(
        raw(&mut card, Command::select_df(&jpki::files::COMMON_AID)).1,
        ok
    );
    let (by_sfi, sw) = raw(&mut card, read_record(0x0C));
    assert_eq!(sw, ok);
    assert_eq!(by_sfi[0], 0x30);
    assert_eq!(usize::from(by_sfi[1]), by_sfi.len() - 2);
    let text = std::str::from_utf8(&by_sfi[2..]).expect("ASCII");
    assert_eq!(text.len(), 15);
    assert!(text[2..].bytes().all(|b| b.is_ascii_digit()), "{text}");
    assert_eq!(
        raw(
            &mut card,
            Command::select_ef(jpki::files::EF_COMMON_CARD_NUMBER)
        )
        .1,
        ok
    );
    assert_eq!(raw(&mut card, read_record(0x04)), (by_sfi.clone(), ok));
    // Only record 1 exists; the JPKI files are not in this application.
    assert_eq!(
        raw(&mut card, Command::new(0x00, 0xB2, 0x02, 0x04).with_le(256)).1,
        StatusWord::Other(0x6A83)
    );
    assert_eq!(
        raw(&mut card, Command::select_ef(jpki::files::EF_AUTH_CERT)).1,
        StatusWord::FileNotFound
    );
    // Selecting the JPKI application leaves the common one: READ RECORD is refused again.
    assert_eq!(
        raw(&mut card, Command::select_df(&jpki::files::JPKI_AID)).1,
        ok
    );
    assert_eq!(
        raw(&mut card, read_record(0x0C)).1,
        StatusWord::CommandNotAllowed
    );
    // The number is the card's own and stable across power cycles.
    card.power_off();
    assert_eq!(
        raw(&mut card, Command::select_df(&jpki::files::COMMON_AID)).1,
        ok
    );
    assert_eq!(raw(&mut card, read_record(0x0C)).0, by_sfi);
    // Another person's card has another number.
    let dir = tempfile::tempdir().expect("temp dir");
    let other = templates().another_person(dir.path()).expect("card");
    let (profile, state) = other.open().expect("open");
    assert_ne!(profile.auth_cert, cert);
    let mut other = VirtualCard::new(profile, state);
    raw(&mut other, Command::select_df(&jpki::files::COMMON_AID));
    assert_ne!(raw(&mut other, read_record(0x0C)).0, by_sfi);
}
