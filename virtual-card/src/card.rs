//! The card itself: a pure state machine that takes a command APDU and returns a response APDU,
//! following the emulator checklist of `docs/card.md` §9. No I/O: the vpcd loop and the in-process
//! transport feed it, and the edge persists [`CardState`] when [`VirtualCard::take_state_change`]
//! says it changed.

use std::sync::Arc;

use jpki::{files, Command, Response, StatusWord};
use rsa::{Pkcs1v15Sign, RsaPrivateKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What kind of card this pretends to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CardKind {
    /// A My Number Card with the JPKI application.
    Jpki,
    /// Some other ISO 7816 card: every SELECT of an application fails.
    Other,
}

/// A PIN as the card keeps it: a salted SHA-256, so the card directory never holds the PIN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinHash {
    /// Random salt, hex.
    pub salt: String,
    /// SHA-256(salt ‖ PIN), hex.
    pub hash: String,
}

impl PinHash {
    /// Hashes a new PIN with a fresh salt.
    pub fn new(pin: &[u8]) -> Self {
        let salt: [u8; 16] = rand::random();
        let salt = hex::encode(salt);
        let hash = hex::encode(Self::digest(&salt, pin));
        Self { salt, hash }
    }

    fn digest(salt: &str, pin: &[u8]) -> [u8; 32] {
        let mut hasher = Sha256::new();
        hasher.update(salt.as_bytes());
        hasher.update(pin);
        hasher.finalize().into()
    }

    /// Whether `pin` is this PIN.
    pub fn matches(&self, pin: &[u8]) -> bool {
        hex::encode(Self::digest(&self.salt, pin)) == self.hash
    }
}

/// What survives a power cycle and a restart of the card process: the tries and the PINs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CardState {
    /// Tries left of the user-authentication PIN.
    pub auth_pin_tries: u8,
    /// Tries left of the signing password.
    pub sign_pin_tries: u8,
    /// The user-authentication PIN.
    pub auth_pin: PinHash,
    /// The signing password.
    pub sign_pin: PinHash,
}

/// What never changes on a card: its kind, certificates and keys.
pub struct CardProfile {
    /// What kind of card it is.
    pub kind: CardKind,
    /// User-authentication certificate (DER).
    pub auth_cert: Vec<u8>,
    /// Its CA certificate (DER).
    pub auth_ca_cert: Vec<u8>,
    /// Signing certificate (DER).
    pub sign_cert: Vec<u8>,
    /// Its CA certificate (DER).
    pub sign_ca_cert: Vec<u8>,
    /// User-authentication private key.
    pub auth_key: RsaPrivateKey,
    /// Signing private key.
    pub sign_key: RsaPrivateKey,
}

/// Size of the certificate EFs; the DER object is followed by `FF` filler up to this size.
const CERT_EF_SIZE: usize = 2048;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pin {
    Auth,
    Sign,
}

/// The card: a profile plus the volatile and persistent state.
pub struct VirtualCard {
    profile: Arc<CardProfile>,
    state: CardState,
    state_changed: bool,
    jpki_selected: bool,
    common_selected: bool,
    current_ef: Option<u16>,
    auth_verified: bool,
    sign_verified: bool,
    token_info: Vec<u8>,
    card_number_record: Vec<u8>,
}

/// The card number record of the common application: a BER TLV (tag `30`) around 15 ASCII
/// characters, two letters and a 13-digit card number — the shape that public reader code takes
/// apart (no public specification of it was found). The number is derived from the
/// authentication certificate, so each test card has its own and it is stable; it is not a My
/// Number and not personal data.
fn card_number_record(auth_cert: &[u8]) -> Vec<u8> {
    let digest = Sha256::digest(auth_cert);
    let mut text = b"TC".to_vec();
    text.extend(digest.iter().take(13).map(|b| b'0' + b % 10));
    let mut record = vec![0x30, text.len() as u8];
    record.extend_from_slice(&text);
    record
}

fn padded(der: &[u8], size: usize) -> Vec<u8> {
    let mut out = der.to_vec();
    if out.len() < size {
        out.resize(size, 0xFF);
    }
    out
}

impl VirtualCard {
    /// A powered-up card.
    pub fn new(profile: Arc<CardProfile>, state: CardState) -> Self {
        let mut token_info = format!("{:<32}", files::TOKEN_LABEL_MY_NUMBER_CARD).into_bytes();
        token_info.resize(files::TOKEN_INFO_LEN, 0x00);
        let card_number_record = card_number_record(&profile.auth_cert);
        Self {
            profile,
            state,
            state_changed: false,
            jpki_selected: false,
            common_selected: false,
            current_ef: None,
            auth_verified: false,
            sign_verified: false,
            token_info,
            card_number_record,
        }
    }

    /// The persistent state.
    pub fn state(&self) -> &CardState {
        &self.state
    }

    /// Whether the persistent state changed since the last call (the edge then saves it).
    pub fn take_state_change(&mut self) -> bool {
        std::mem::take(&mut self.state_changed)
    }

    /// The card leaves the field or is unpowered: the security state is lost.
    pub fn power_off(&mut self) {
        self.jpki_selected = false;
        self.common_selected = false;
        self.current_ef = None;
        self.auth_verified = false;
        self.sign_verified = false;
    }

    /// A warm reset: the selection is lost but, as on the real card (`docs/card.md` §3), the verified
    /// state is kept until power-off.
    pub fn warm_reset(&mut self) {
        self.jpki_selected = false;
        self.common_selected = false;
        self.current_ef = None;
    }

    /// Whether the user-authentication PIN is verified (for tests of the bridge's power cycle).
    pub fn auth_verified(&self) -> bool {
        self.auth_verified
    }

    /// Processes one command APDU.
    pub fn process(&mut self, apdu: &[u8]) -> Vec<u8> {
        let response = match Command::parse(apdu) {
            Ok(command) => self.dispatch(&command),
            Err(_) => Response::status(StatusWord::WrongLength),
        };
        response.to_bytes()
    }

    fn dispatch(&mut self, command: &Command) -> Response {
        if command.cla & 0x0C != 0 {
            // Secure messaging is not supported by the JPKI application (docs/card.md §8).
            return Response::status(StatusWord::Other(0x6882));
        }
        match (command.cla, command.ins) {
            (0x00, 0xA4) => self.select(command),
            (0x00, 0xB0) => self.read_binary(command),
            (0x00, 0xB2) => self.read_record(command),
            (0x00, 0x20) => self.verify(command),
            (0x00, 0x24) => self.change_reference_data(command),
            (0x80, 0x2A) => self.compute_signature(command),
            (0x00 | 0x80, _) => Response::status(StatusWord::InstructionNotSupported),
            _ => Response::status(StatusWord::ClassNotSupported),
        }
    }

    fn select(&mut self, command: &Command) -> Response {
        if command.p2 != 0x0C {
            return Response::status(StatusWord::IncorrectP1P2);
        }
        match command.p1 {
            0x04 => {
                self.current_ef = None;
                self.jpki_selected = false;
                self.common_selected = false;
                if self.profile.kind == CardKind::Jpki && command.data == files::JPKI_AID {
                    self.jpki_selected = true;
                    Response::status(StatusWord::Success)
                } else if self.profile.kind == CardKind::Jpki && command.data == files::COMMON_AID {
                    self.common_selected = true;
                    Response::status(StatusWord::Success)
                } else {
                    Response::status(StatusWord::FileNotFound)
                }
            }
            0x02 => {
                let Ok(fid) = <[u8; 2]>::try_from(command.data.as_slice()) else {
                    return Response::status(StatusWord::WrongLength);
                };
                let fid = u16::from_be_bytes(fid);
                let exists = if self.common_selected {
                    fid == files::EF_COMMON_CARD_NUMBER
                } else {
                    self.jpki_selected && self.ef_exists(fid)
                };
                if exists {
                    self.current_ef = Some(fid);
                    Response::status(StatusWord::Success)
                } else {
                    Response::status(StatusWord::FileNotFound)
                }
            }
            _ => Response::status(StatusWord::IncorrectP1P2),
        }
    }

    fn ef_exists(&self, fid: u16) -> bool {
        matches!(
            fid,
            files::EF_SIGN_CERT
                | files::EF_SIGN_CA_CERT
                | files::EF_TOKEN_INFO
                | files::EF_AUTH_CERT
                | files::EF_AUTH_CA_CERT
                | files::EF_AUTH_KEY
                | files::EF_AUTH_PIN
                | files::EF_SIGN_KEY
                | files::EF_SIGN_PIN
        )
    }

    /// The P2 = `80 | SFI` shortcut of VERIFY and COMPUTE SIGNATURE, or the current EF for `80`.
    fn target_ef(&self, p2: u8) -> Option<u16> {
        match p2 {
            0x80 => self.current_ef,
            p2 if p2 & 0xE0 == 0x80 && self.jpki_selected => Some(u16::from(p2 & 0x1F)),
            _ => None,
        }
    }

    fn read_binary(&mut self, command: &Command) -> Response {
        let (fid, offset) = if command.p1 & 0x80 != 0 {
            // Short EF identifier: P1 = 80 | SFI, P2 = offset (docs/card.md §2).
            let sfi = u16::from(command.p1 & 0x1F);
            if !self.jpki_selected || !self.ef_exists(sfi) {
                return Response::status(StatusWord::FileNotFound);
            }
            self.current_ef = Some(sfi);
            (sfi, usize::from(command.p2))
        } else {
            let Some(fid) = self.current_ef else {
                return Response::status(StatusWord::CommandNotAllowed);
            };
            (
                fid,
                usize::from(u16::from_be_bytes([command.p1, command.p2])),
            )
        };
        let content = match fid {
            files::EF_AUTH_CERT => padded(&self.profile.auth_cert, CERT_EF_SIZE),
            files::EF_AUTH_CA_CERT => padded(&self.profile.auth_ca_cert, CERT_EF_SIZE),
            files::EF_SIGN_CA_CERT => padded(&self.profile.sign_ca_cert, CERT_EF_SIZE),
            files::EF_SIGN_CERT if self.sign_verified => {
                padded(&self.profile.sign_cert, CERT_EF_SIZE)
            }
            files::EF_SIGN_CERT => return Response::status(StatusWord::SecurityStatusNotSatisfied),
            files::EF_TOKEN_INFO => self.token_info.clone(),
            _ => return Response::status(StatusWord::CommandNotAllowed),
        };
        if offset >= content.len() {
            return Response::status(StatusWord::WrongParameters);
        }
        let le = command.le.unwrap_or(256);
        let end = content.len().min(offset + le);
        Response::new(&content[offset..end], StatusWord::Success)
    }

    /// READ RECORD of the common application's card number: record 1 (P1), of the current EF
    /// (P2 = `04`) or of short EF identifier 1 (P2 = `0C`).
    fn read_record(&mut self, command: &Command) -> Response {
        if !self.common_selected {
            return Response::status(StatusWord::CommandNotAllowed);
        }
        let file = match command.p2 {
            0x04 => self.current_ef,
            p2 if p2 & 0x07 == 0x04 => Some(u16::from(p2 >> 3)),
            _ => return Response::status(StatusWord::IncorrectP1P2),
        };
        if file != Some(files::EF_COMMON_CARD_NUMBER) {
            return Response::status(StatusWord::FileNotFound);
        }
        if command.p1 != 1 {
            return Response::status(StatusWord::Other(0x6A83));
        }
        self.current_ef = file;
        let le = command.le.unwrap_or(256);
        let end = self.card_number_record.len().min(le);
        Response::new(&self.card_number_record[..end], StatusWord::Success)
    }

    fn pin_of(fid: u16) -> Option<Pin> {
        match fid {
            files::EF_AUTH_PIN => Some(Pin::Auth),
            files::EF_SIGN_PIN => Some(Pin::Sign),
            _ => None,
        }
    }

    fn verify(&mut self, command: &Command) -> Response {
        if command.p1 != 0x00 {
            return Response::status(StatusWord::IncorrectP1P2);
        }
        let Some(pin) = self.target_ef(command.p2).and_then(Self::pin_of) else {
            return Response::status(StatusWord::CommandNotAllowed);
        };
        let (tries, verified, hash, max) = match pin {
            Pin::Auth => (
                &mut self.state.auth_pin_tries,
                &mut self.auth_verified,
                &self.state.auth_pin,
                files::AUTH_PIN_MAX_TRIES,
            ),
            Pin::Sign => (
                &mut self.state.sign_pin_tries,
                &mut self.sign_verified,
                &self.state.sign_pin,
                files::SIGN_PIN_MAX_TRIES,
            ),
        };
        if command.data.is_empty() {
            // Case 1: report the counter without spending a try.
            return if *verified {
                Response::status(StatusWord::Success)
            } else {
                Response::status(StatusWord::VerifyFailed { tries_left: *tries })
            };
        }
        if *tries == 0 {
            return Response::status(StatusWord::ReferenceDataBlocked);
        }
        if hash.matches(&command.data) {
            if *tries != max {
                *tries = max;
                self.state_changed = true;
            }
            *verified = true;
            Response::status(StatusWord::Success)
        } else {
            *tries -= 1;
            *verified = false;
            self.state_changed = true;
            Response::status(StatusWord::VerifyFailed { tries_left: *tries })
        }
    }

    fn change_reference_data(&mut self, command: &Command) -> Response {
        if command.p1 != 0x01 {
            return Response::status(StatusWord::IncorrectP1P2);
        }
        let Some(pin) = self.target_ef(command.p2).and_then(Self::pin_of) else {
            return Response::status(StatusWord::CommandNotAllowed);
        };
        let new = &command.data;
        let (verified, valid) = match pin {
            Pin::Auth => (
                self.auth_verified,
                new.len() == 4 && new.iter().all(u8::is_ascii_digit),
            ),
            Pin::Sign => (
                self.sign_verified,
                (6..=16).contains(&new.len())
                    && new
                        .iter()
                        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()),
            ),
        };
        if !verified {
            return Response::status(StatusWord::SecurityStatusNotSatisfied);
        }
        if !valid {
            return Response::status(StatusWord::Other(0x6A80));
        }
        let hash = PinHash::new(new);
        match pin {
            Pin::Auth => self.state.auth_pin = hash,
            Pin::Sign => self.state.sign_pin = hash,
        }
        self.state_changed = true;
        Response::status(StatusWord::Success)
    }

    fn compute_signature(&mut self, command: &Command) -> Response {
        if command.p1 != 0x00 {
            return Response::status(StatusWord::IncorrectP1P2);
        }
        let (key, verified) = match self.target_ef(command.p2) {
            Some(files::EF_AUTH_KEY) => (&self.profile.auth_key, self.auth_verified),
            Some(files::EF_SIGN_KEY) => (&self.profile.sign_key, self.sign_verified),
            _ => return Response::status(StatusWord::CommandNotAllowed),
        };
        if !verified {
            return Response::status(StatusWord::SecurityStatusNotSatisfied);
        }
        if command.data.is_empty() || command.data.len() > 245 {
            return Response::status(StatusWord::WrongLength);
        }
        // PKCS#1 v1.5 type-1 padding of the data as given (a DigestInfo), then the private-key
        // operation: exactly what the real card does with P1 = 00.
        match key.sign(Pkcs1v15Sign::new_unprefixed(), &command.data) {
            Ok(signature) => Response::new(signature, StatusWord::Success),
            Err(_) => Response::status(StatusWord::Other(0x6F00)),
        }
    }
}
