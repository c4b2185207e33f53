//! The login sequence on the card, written once over any [`jpki::Transport`] and tested with APDU
//! scripts: the certificate, the tries, the last-try rule, VERIFY, the signature over the
//! challenge (`docs/card.md` §5, `docs/security.md` 4). The PC/SC service only finds the card,
//! holds it and runs these steps; the order of the APDUs is decided here.

use jpki::{sha256_digest_info, AuthPin, JpkiCard, PinStatus, Transport, TransportError};
use protocol::signing;

use crate::errors::BridgeError;

/// What the signature is over: the page's origin and the server's nonce.
#[derive(Debug, Clone, Copy)]
pub struct Challenge<'a> {
    /// The origin the browser reported for the page.
    pub origin: &'a str,
    /// The server's nonce (32–64 bytes).
    pub nonce: &'a [u8],
}

/// What a login gives back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    /// The user-authentication certificate, DER.
    pub certificate: Vec<u8>,
    /// The RSA-2048 signature over the challenge.
    pub signature: Vec<u8>,
}

/// How [`verify_and_sign`] failed: before VERIFY went out (no try spent, the caller may look
/// for the card again) or after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PinStep {
    /// The link failed on the first APDU (the SELECT of the PIN's EF): VERIFY was not sent.
    NotSent(TransportError),
    /// Anything from VERIFY on; a try may have been spent.
    Failed(BridgeError),
}

/// The last-try rule: a blocked PIN is refused, and the last try is spent only when the citizen
/// confirmed it (`docs/security.md` 4).
///
/// # Errors
/// [`BridgeError::PinBlocked`]; [`BridgeError::LastTryUnconfirmed`] at one try left without
/// `confirm_last_try`.
pub fn check_tries(tries: PinStatus, confirm_last_try: bool) -> Result<(), BridgeError> {
    match tries {
        PinStatus::Blocked => Err(BridgeError::PinBlocked),
        PinStatus::Remaining(1) if !confirm_last_try => Err(BridgeError::LastTryUnconfirmed),
        PinStatus::Remaining(_) | PinStatus::Verified => Ok(()),
    }
}

/// VERIFY of the PIN, then the signature over the challenge: 4 APDUs on a card whose JPKI
/// application is selected and whose tries passed [`check_tries`].
///
/// # Errors
/// [`PinStep::NotSent`] when the first APDU's link failed; otherwise [`PinStep::Failed`] with
/// [`BridgeError::PinIncorrect`], [`BridgeError::PinBlocked`] or a card or link failure.
pub fn verify_and_sign<T: Transport>(
    card: &mut JpkiCard<T>,
    challenge: Challenge<'_>,
    pin: &AuthPin,
) -> Result<Vec<u8>, PinStep> {
    let before = card.n_apdus();
    let signed = card.verify_auth_pin(pin).and_then(|()| {
        let digest_info =
            sha256_digest_info(&signing::signed_hash(challenge.origin, challenge.nonce));
        card.sign_with_auth_key(&digest_info)
    });
    match signed {
        Ok(signature) => Ok(signature),
        // `n_apdus` counts an exchange before sending it: only the SELECT of the PIN's EF went.
        Err(jpki::Error::Transport(link)) if card.n_apdus() - before == 1 => {
            Err(PinStep::NotSent(link))
        }
        Err(error) => Err(PinStep::Failed(error.into())),
    }
}

/// The whole login on a card whose JPKI application is selected: the certificate, the tries,
/// the last-try rule, VERIFY and the signature.
///
/// # Errors
/// Every [`BridgeError`] of the card: [`BridgeError::LastTryUnconfirmed`] and
/// [`BridgeError::PinBlocked`] before VERIFY, [`BridgeError::PinIncorrect`] after it, and the
/// link's failures at any step.
pub fn login<T: Transport>(
    card: &mut JpkiCard<T>,
    challenge: Challenge<'_>,
    pin: &AuthPin,
    confirm_last_try: bool,
) -> Result<Signed, BridgeError> {
    let certificate = card.read_auth_certificate()?;
    check_tries(card.auth_pin_status()?, confirm_last_try)?;
    let signature = verify_and_sign(card, challenge, pin).map_err(|step| match step {
        PinStep::NotSent(link) => BridgeError::from(jpki::Error::Transport(link)),
        PinStep::Failed(error) => error,
    })?;
    Ok(Signed {
        certificate,
        signature,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jpki::script::{h, Script};

    const SELECT_AUTH_CERT: &str = "00 A4 02 0C 02 00 0A";
    const READ_FIRST_CHUNK: &str = "00 B0 00 00 00";
    const SELECT_AUTH_PIN: &str = "00 A4 02 0C 02 00 18";
    const VERIFY_STATUS: &str = "00 20 00 80";
    const VERIFY_1234: &str = "00 20 00 80 04 31 32 33 34";
    const SELECT_AUTH_KEY: &str = "00 A4 02 0C 02 00 17";
    const ORIGIN: &str = "https://myna.example";
    const NONCE: [u8; 32] = [7; 32];

    fn challenge() -> Challenge<'static> {
        Challenge {
            origin: ORIGIN,
            nonce: &NONCE,
        }
    }

    fn pin() -> AuthPin {
        AuthPin::parse("1234").expect("4 digits")
    }

    /// A 40-byte DER object (30 26 …), padded with FF as on the card.
    fn certificate() -> Vec<u8> {
        let mut der = vec![0x30, 0x26];
        der.extend([0x5A; 0x26]);
        der
    }

    fn ok(data: &[u8]) -> Vec<u8> {
        [data, &[0x90, 0x00][..]].concat()
    }

    /// The certificate read, then the tries read (answering `tries`).
    fn before_pin(tries: &str) -> Script {
        let mut file = certificate();
        file.extend([0xFF; 216]);
        Script::new()
            .step(SELECT_AUTH_CERT, "90 00")
            .step_bytes(h(READ_FIRST_CHUNK), ok(&file))
            .step(SELECT_AUTH_PIN, "90 00")
            .step(VERIFY_STATUS, tries)
    }

    /// COMPUTE DIGITAL SIGNATURE over exactly the challenge's DigestInfo.
    fn signature_step(script: Script, signature: &[u8]) -> Script {
        let digest_info = sha256_digest_info(&signing::signed_hash(ORIGIN, &NONCE));
        let mut command = h("80 2A 00 80 33");
        command.extend(digest_info);
        command.push(0x00);
        script
            .step(SELECT_AUTH_KEY, "90 00")
            .step_bytes(command, ok(signature))
    }

    #[test]
    fn a_login_reads_then_verifies_then_signs_the_challenge() {
        let signature = [0xA5; 256];
        let script = signature_step(
            before_pin("63 C3")
                .step(SELECT_AUTH_PIN, "90 00")
                .step(VERIFY_1234, "90 00"),
            &signature,
        );
        let mut card = JpkiCard::new(script);
        let signed = login(&mut card, challenge(), &pin(), false).expect("signed");
        assert_eq!(signed.certificate, certificate());
        assert_eq!(signed.signature, signature);
        assert!(card.into_inner().finished());
    }

    #[test]
    fn the_last_try_is_not_spent_without_confirmation() {
        // The script ends after the tries: a VERIFY with the PIN would fail the test.
        let mut card = JpkiCard::new(before_pin("63 C1"));
        assert_eq!(
            login(&mut card, challenge(), &pin(), false),
            Err(BridgeError::LastTryUnconfirmed)
        );
        assert!(card.into_inner().finished());
    }

    #[test]
    fn the_last_try_is_spent_when_confirmed() {
        let script = before_pin("63 C1")
            .step(SELECT_AUTH_PIN, "90 00")
            .step(VERIFY_1234, "63 C0");
        let mut card = JpkiCard::new(script);
        assert_eq!(
            login(&mut card, challenge(), &pin(), true),
            Err(BridgeError::PinBlocked)
        );
        assert!(card.into_inner().finished());
    }

    #[test]
    fn a_blocked_pin_sends_no_verify() {
        for blocked in ["63 C0", "69 84"] {
            let mut card = JpkiCard::new(before_pin(blocked));
            assert_eq!(
                login(&mut card, challenge(), &pin(), true),
                Err(BridgeError::PinBlocked)
            );
            assert!(card.into_inner().finished());
        }
    }

    #[test]
    fn a_wrong_pin_says_the_tries_left_and_signs_nothing() {
        let script = before_pin("63 C3")
            .step(SELECT_AUTH_PIN, "90 00")
            .step(VERIFY_1234, "63 C2");
        let mut card = JpkiCard::new(script);
        assert_eq!(
            login(&mut card, challenge(), &pin(), false),
            Err(BridgeError::PinIncorrect { tries_left: 2 })
        );
        assert!(card.into_inner().finished());
    }

    #[test]
    fn a_card_gone_before_verify_is_told_apart_from_one_gone_after() {
        let gone_before = Script::new().fail(SELECT_AUTH_PIN, TransportError::CardRemoved);
        let mut card = JpkiCard::new(gone_before);
        assert_eq!(
            verify_and_sign(&mut card, challenge(), &pin()),
            Err(PinStep::NotSent(TransportError::CardRemoved))
        );
        let gone_during = Script::new()
            .step(SELECT_AUTH_PIN, "90 00")
            .fail(VERIFY_1234, TransportError::CardRemoved);
        let mut card = JpkiCard::new(gone_during);
        assert_eq!(
            verify_and_sign(&mut card, challenge(), &pin()),
            Err(PinStep::Failed(BridgeError::CardRemoved))
        );
    }

    #[test]
    fn a_verified_card_signs_without_the_confirmation() {
        // `90 00` to the tries: verified in this power cycle, the counter is full.
        let script = signature_step(
            before_pin("90 00")
                .step(SELECT_AUTH_PIN, "90 00")
                .step(VERIFY_1234, "90 00"),
            &[1; 256],
        );
        let mut card = JpkiCard::new(script);
        assert!(login(&mut card, challenge(), &pin(), false).is_ok());
    }
}
