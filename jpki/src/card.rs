//! The host side of the JPKI application, written once against a [`Transport`].
//!
//! Callers use verbs (`read_auth_certificate`, `auth_pin_status`, `verify_auth_pin`,
//! `sign_with_auth_key`) and never name an APDU; every status word is turned into an [`Error`] here.

use crate::{
    apdu::{Command, Response},
    der::der_total_length,
    digest::SHA256_DIGEST_INFO_LEN,
    error::Error,
    files,
    pin::AuthPin,
    status::StatusWord,
    transport::{Transport, TransportError},
};

/// What the token-info file says the token is (`docs/card.md` §2, EF 0006).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenKind {
    /// `JPKIAPICCTOKEN2`: a My Number Card.
    MyNumberCard,
    /// `JPKIAPICCTOKEN`: the old Basic Resident Registration card.
    JukiCard,
    /// `JPKIAPGPSETOKEN`: the Android phone certificate.
    Android,
    /// `JPKIAPIOSTOKEN`: the iPhone certificate.
    Iphone,
    /// Any other label.
    Unknown(String),
}

impl TokenKind {
    /// Decodes the space-padded label at the start of the token-info file.
    pub fn from_label(label: &[u8]) -> Self {
        let text = String::from_utf8_lossy(label);
        let text = text.trim_end_matches([' ', '\0']);
        match text {
            files::TOKEN_LABEL_MY_NUMBER_CARD => Self::MyNumberCard,
            files::TOKEN_LABEL_JUKI_CARD => Self::JukiCard,
            files::TOKEN_LABEL_ANDROID => Self::Android,
            files::TOKEN_LABEL_IPHONE => Self::Iphone,
            other => Self::Unknown(other.to_owned()),
        }
    }
}

/// The state of the user-authentication PIN, read without spending a try.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinStatus {
    /// Not verified; this many tries are left (1..=3).
    Remaining(u8),
    /// Already verified in this power cycle: the card answers `90 00` instead of a counter, and a
    /// successful VERIFY has reset the counter to its maximum. Never reported as "0 tries".
    Verified,
    /// Blocked: `63 C0` or `69 84`.
    Blocked,
}

/// Largest object a 15-bit READ BINARY offset can reach.
const MAX_FILE_LEN: usize = 0x7FFF;
/// Largest chunk of a short READ BINARY.
const CHUNK: usize = 256;

/// The JPKI application of a card behind a transport.
pub struct JpkiCard<T> {
    transport: T,
    n_apdus: usize,
}

impl<T: Transport> JpkiCard<T> {
    /// Wraps a transport. Nothing is sent until a verb is called.
    pub fn new(transport: T) -> Self {
        Self {
            transport,
            n_apdus: 0,
        }
    }

    /// How many APDUs went to the card so far (GET RESPONSE and Le retries included).
    pub fn n_apdus(&self) -> usize {
        self.n_apdus
    }

    /// Gives the transport back.
    pub fn into_inner(self) -> T {
        self.transport
    }

    fn exchange(&mut self, command: &Command) -> Result<Response, Error> {
        self.n_apdus += 1;
        let mut bytes = command.to_bytes();
        let result = self.transport.transmit(&bytes);
        // The encoded VERIFY holds the PIN: wipe every encoded command.
        zeroize::Zeroize::zeroize(&mut bytes);
        let raw = result?;
        match raw.len() {
            // A card dropped mid-command comes back as an empty answer.
            0 => Err(Error::Transport(TransportError::CardRemoved)),
            1 => Err(Error::MalformedResponse {
                step: "APDU exchange",
                reason: "answer shorter than a status word",
            }),
            _ => Response::parse(&raw).ok_or(Error::Transport(TransportError::CardRemoved)),
        }
    }

    /// Sends a command and follows `61 xx` (GET RESPONSE) and `6C xx` (resend with the right Le),
    /// which a T=0 link or a proxy can produce.
    fn call(&mut self, command: &Command) -> Result<Response, Error> {
        let mut response = self.exchange(command)?;
        if let StatusWord::WrongLe(n) = response.sw {
            let mut again = command.clone();
            again.le = Some(if n == 0 { 256 } else { usize::from(n) });
            response = self.exchange(&again)?;
        }
        let mut data = std::mem::take(&mut response.data);
        // A bounded loop: 64 × 256 bytes is far more than any JPKI answer.
        for _ in 0..64 {
            let StatusWord::BytesAvailable(n) = response.sw else {
                return Ok(Response::new(data, response.sw));
            };
            response = self.exchange(&Command::get_response(n))?;
            data.extend_from_slice(&response.data);
        }
        Err(Error::MalformedResponse {
            step: "GET RESPONSE",
            reason: "endless 61xx chain",
        })
    }

    /// Selects the JPKI application. A card without it is not a My Number Card.
    ///
    /// # Errors
    /// [`Error::NotJpkiCard`] when the card has no JPKI application; [`Error::Transport`] when the
    /// link fails; [`Error::UnexpectedStatus`] for any other status word.
    pub fn select_jpki_ap(&mut self) -> Result<(), Error> {
        let command = Command::select_df(&files::JPKI_AID);
        let mut sw = self.call(&command)?.sw;
        if sw == StatusWord::NoPreciseDiagnosis {
            // Real cards answered the first APDU after a power cycle with 6F00 (docs/card.md §3).
            sw = self.call(&command)?.sw;
        }
        match sw {
            StatusWord::Success => Ok(()),
            StatusWord::FileNotFound
            | StatusWord::IncorrectP1P2
            | StatusWord::InstructionNotSupported
            | StatusWord::ClassNotSupported => Err(Error::NotJpkiCard),
            sw => Err(Error::UnexpectedStatus {
                step: "SELECT JPKI-AP",
                sw,
            }),
        }
    }

    fn select_ef(&mut self, fid: u16, step: &'static str) -> Result<(), Error> {
        match self.call(&Command::select_ef(fid))?.sw {
            StatusWord::Success => Ok(()),
            sw => Err(Error::UnexpectedStatus { step, sw }),
        }
    }

    /// Reads the token label (EF 0006) to tell a My Number Card from the other JPKI tokens.
    ///
    /// # Errors
    /// [`Error::Transport`] when the link fails; [`Error::UnexpectedStatus`] when the file cannot be
    /// selected or read.
    pub fn read_token_kind(&mut self) -> Result<TokenKind, Error> {
        self.select_ef(files::EF_TOKEN_INFO, "SELECT token info")?;
        let response = self.call(&Command::read_binary(0, files::TOKEN_LABEL_LEN))?;
        match response.sw {
            StatusWord::Success | StatusWord::EndOfFileWarning => {}
            sw => {
                return Err(Error::UnexpectedStatus {
                    step: "READ token info",
                    sw,
                })
            }
        }
        let label = response
            .data
            .get(..files::TOKEN_LABEL_LEN)
            .unwrap_or(&response.data);
        Ok(TokenKind::from_label(label))
    }

    /// Reads the DER object in a transparent EF of the current application, without its filler.
    fn read_der_file(&mut self, fid: u16, step: &'static str) -> Result<Vec<u8>, Error> {
        self.select_ef(fid, step)?;
        // The first chunk carries the header; one full chunk saves an APDU over a 7-byte probe.
        let mut content = self.read_chunk(0, CHUNK, step)?;
        let total = der_total_length(&content)?;
        if total > MAX_FILE_LEN {
            return Err(Error::MalformedResponse {
                step,
                reason: "object larger than an EF can be",
            });
        }
        while content.len() < total {
            let offset = content.len();
            let want = (total - offset).min(CHUNK);
            let chunk = self.read_chunk(offset, want, step)?;
            if chunk.is_empty() {
                return Err(Error::MalformedResponse {
                    step,
                    reason: "file ends inside the object",
                });
            }
            content.extend_from_slice(&chunk);
        }
        content.truncate(total);
        Ok(content)
    }

    fn read_chunk(
        &mut self,
        offset: usize,
        le: usize,
        step: &'static str,
    ) -> Result<Vec<u8>, Error> {
        let offset = u16::try_from(offset)
            .ok()
            .filter(|&o| usize::from(o) <= MAX_FILE_LEN)
            .ok_or(Error::MalformedResponse {
                step,
                reason: "offset beyond 15 bits",
            })?;
        let response = self.call(&Command::read_binary(offset, le))?;
        match response.sw {
            StatusWord::Success | StatusWord::EndOfFileWarning => Ok(response.data),
            StatusWord::WrongParameters => Ok(Vec::new()),
            sw => Err(Error::UnexpectedStatus { step, sw }),
        }
    }

    /// Reads the user-authentication certificate (EF 000A), DER, filler trimmed. Needs no PIN.
    ///
    /// # Errors
    /// [`Error::Transport`] when the link fails; [`Error::UnexpectedStatus`] when the file cannot be
    /// selected or read; [`Error::Certificate`] or [`Error::MalformedResponse`] when it does not hold
    /// one whole DER object.
    pub fn read_auth_certificate(&mut self) -> Result<Vec<u8>, Error> {
        self.read_der_file(files::EF_AUTH_CERT, "READ auth certificate")
    }

    /// Reads the CA certificate of the user-authentication certificate (EF 000B).
    ///
    /// # Errors
    /// As [`JpkiCard::read_auth_certificate`].
    pub fn read_auth_ca_certificate(&mut self) -> Result<Vec<u8>, Error> {
        self.read_der_file(files::EF_AUTH_CA_CERT, "READ auth CA certificate")
    }

    /// Reads how many tries the user-authentication PIN has left, without spending one.
    ///
    /// # Errors
    /// [`Error::Transport`] when the link fails; [`Error::UnexpectedStatus`] for a status word that
    /// is no count of tries.
    pub fn auth_pin_status(&mut self) -> Result<PinStatus, Error> {
        self.select_ef(files::EF_AUTH_PIN, "SELECT auth PIN")?;
        match self.call(&Command::verify_status())?.sw {
            StatusWord::VerifyFailed { tries_left: 0 } | StatusWord::ReferenceDataBlocked => {
                Ok(PinStatus::Blocked)
            }
            StatusWord::VerifyFailed { tries_left } => Ok(PinStatus::Remaining(tries_left)),
            StatusWord::Success => Ok(PinStatus::Verified),
            sw => Err(Error::UnexpectedStatus {
                step: "VERIFY (tries left)",
                sw,
            }),
        }
    }

    /// Verifies the user-authentication PIN. Each failure costs a try until the municipal office
    /// resets the card: callers read [`JpkiCard::auth_pin_status`] first.
    ///
    /// # Errors
    /// [`Error::PinIncorrect`] with the tries left (0: now blocked); [`Error::PinBlocked`];
    /// [`Error::Transport`] when the link fails; [`Error::UnexpectedStatus`] otherwise.
    pub fn verify_auth_pin(&mut self, pin: &AuthPin) -> Result<(), Error> {
        self.select_ef(files::EF_AUTH_PIN, "SELECT auth PIN")?;
        // The command wipes its PIN bytes when dropped (`Command`'s `Drop`).
        let result = self.call(&Command::verify(pin.as_bytes()));
        match result?.sw {
            StatusWord::Success => Ok(()),
            StatusWord::VerifyFailed { tries_left } => Err(Error::PinIncorrect { tries_left }),
            StatusWord::ReferenceDataBlocked => Err(Error::PinBlocked),
            sw => Err(Error::UnexpectedStatus {
                step: "VERIFY auth PIN",
                sw,
            }),
        }
    }

    /// Signs a SHA-256 DigestInfo with the user-authentication key (EF 0017). The card adds the
    /// PKCS#1 v1.5 padding; the answer is the 256-byte RSA-2048 signature.
    ///
    /// # Errors
    /// [`Error::PinNotVerified`] when no VERIFY preceded it in this power cycle;
    /// [`Error::MalformedResponse`] when the signature is not 256 bytes; [`Error::Transport`] when the
    /// link fails; [`Error::UnexpectedStatus`] otherwise.
    pub fn sign_with_auth_key(
        &mut self,
        digest_info: &[u8; SHA256_DIGEST_INFO_LEN],
    ) -> Result<Vec<u8>, Error> {
        self.select_ef(files::EF_AUTH_KEY, "SELECT auth key")?;
        let response = self.call(&Command::compute_signature(digest_info))?;
        match response.sw {
            StatusWord::Success if response.data.len() == 256 => Ok(response.data),
            StatusWord::Success => Err(Error::MalformedResponse {
                step: "COMPUTE DIGITAL SIGNATURE",
                reason: "signature is not 256 bytes",
            }),
            StatusWord::SecurityStatusNotSatisfied => Err(Error::PinNotVerified),
            sw => Err(Error::UnexpectedStatus {
                step: "COMPUTE DIGITAL SIGNATURE",
                sw,
            }),
        }
    }
}
