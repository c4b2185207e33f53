//! Command and response APDUs as values (ISO/IEC 7816-4 §5.1), short and extended length.
//!
//! This is a hand-written codec because the format is tiny and fixed, and because both sides of the
//! project need it: the bridge encodes commands, the virtual card parses them. The crates that exist
//! for it either pull in I/O or do not parse the card side.

use crate::status::StatusWord;

/// A command APDU.
#[derive(Clone, PartialEq, Eq)]
pub struct Command {
    /// Class byte.
    pub cla: u8,
    /// Instruction byte.
    pub ins: u8,
    /// First parameter.
    pub p1: u8,
    /// Second parameter.
    pub p2: u8,
    /// Command data (Lc is its length); empty for cases 1 and 2.
    pub data: Vec<u8>,
    /// Expected response length (Ne); `None` for cases 1 and 3. Short APDUs carry 1–256,
    /// extended ones 1–65536.
    pub le: Option<usize>,
}

impl Drop for Command {
    // The data of a VERIFY is a PIN: every command, and every copy of one (a resend with the
    // right Le clones it), wipes its data when it goes (`docs/security.md` 4).
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.data);
    }
}

impl std::fmt::Debug for Command {
    // The data of a VERIFY is a PIN: never print command data.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Command({:02X} {:02X} {:02X} {:02X}, {} data bytes, le {:?})",
            self.cla,
            self.ins,
            self.p1,
            self.p2,
            self.data.len(),
            self.le
        )
    }
}

/// Why a byte string is not a command APDU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CommandParseError {
    /// Fewer than the four header bytes.
    #[error("a command APDU needs at least 4 bytes")]
    TooShort,
    /// The length fields do not agree with the number of bytes.
    #[error("the length fields of the command APDU do not match its size")]
    BadLength,
}

impl Command {
    /// A command with no data and no Le (case 1).
    pub fn new(cla: u8, ins: u8, p1: u8, p2: u8) -> Self {
        Self {
            cla,
            ins,
            p1,
            p2,
            data: Vec::new(),
            le: None,
        }
    }

    /// Adds command data (case 3, or case 4 with [`Command::with_le`]).
    pub fn with_data(mut self, data: impl Into<Vec<u8>>) -> Self {
        self.data = data.into();
        self
    }

    /// Adds an expected length (case 2, or case 4 with data).
    pub fn with_le(mut self, le: usize) -> Self {
        self.le = Some(le);
        self
    }

    /// SELECT by DF name (AID), no FCI: `00 A4 04 0C Lc AID`.
    pub fn select_df(aid: &[u8]) -> Self {
        Self::new(0x00, 0xA4, 0x04, 0x0C).with_data(aid)
    }

    /// SELECT an EF in the current DF: `00 A4 02 0C 02 FID`.
    pub fn select_ef(fid: u16) -> Self {
        Self::new(0x00, 0xA4, 0x02, 0x0C).with_data(fid.to_be_bytes())
    }

    /// READ BINARY of the current EF at a 15-bit offset.
    pub fn read_binary(offset: u16, le: usize) -> Self {
        let [p1, p2] = (offset & 0x7FFF).to_be_bytes();
        Self::new(0x00, 0xB0, p1, p2).with_le(le)
    }

    /// VERIFY of the current PIN EF. Without data it only asks for the tries left (case 1).
    pub fn verify(pin: &[u8]) -> Self {
        Self::new(0x00, 0x20, 0x00, 0x80).with_data(pin)
    }

    /// VERIFY without data: reports the tries left without spending one.
    pub fn verify_status() -> Self {
        Self::new(0x00, 0x20, 0x00, 0x80)
    }

    /// COMPUTE DIGITAL SIGNATURE with the current key EF: `80 2A 00 80 Lc DigestInfo 00`.
    pub fn compute_signature(digest_info: &[u8]) -> Self {
        Self::new(0x80, 0x2A, 0x00, 0x80)
            .with_data(digest_info)
            .with_le(256)
    }

    /// GET RESPONSE for `61 xx`.
    pub fn get_response(n: u8) -> Self {
        Self::new(0x00, 0xC0, 0x00, 0x00).with_le(if n == 0 { 256 } else { usize::from(n) })
    }

    /// Whether this command must use extended length fields.
    pub fn is_extended(&self) -> bool {
        self.data.len() > 255 || self.le.is_some_and(|le| le > 256)
    }

    /// Encodes the command, in short form when it fits and extended form otherwise.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(4 + 3 + self.data.len() + 3);
        out.extend_from_slice(&[self.cla, self.ins, self.p1, self.p2]);
        let extended = self.is_extended();
        if !self.data.is_empty() {
            if extended {
                // Lc fits in u16 because callers never build more than 65535 bytes of data.
                let lc = self.data.len().min(0xFFFF) as u16;
                out.push(0x00);
                out.extend_from_slice(&lc.to_be_bytes());
            } else {
                out.push(self.data.len() as u8);
            }
            out.extend_from_slice(&self.data);
        }
        if let Some(le) = self.le {
            if extended {
                if self.data.is_empty() {
                    out.push(0x00);
                }
                let field = if le >= 65536 { 0 } else { le as u16 };
                out.extend_from_slice(&field.to_be_bytes());
            } else {
                out.push(if le >= 256 { 0 } else { le as u8 });
            }
        }
        out
    }

    /// Parses a command APDU in any of the seven cases of ISO/IEC 7816-3 §12.1.
    ///
    /// # Errors
    /// [`CommandParseError::TooShort`] under 4 bytes; [`CommandParseError::BadLength`] when the length
    /// fields do not match the size.
    pub fn parse(bytes: &[u8]) -> Result<Self, CommandParseError> {
        let (header, body) = match bytes {
            [cla, ins, p1, p2, body @ ..] => ([*cla, *ins, *p1, *p2], body),
            _ => return Err(CommandParseError::TooShort),
        };
        let [cla, ins, p1, p2] = header;
        let mut command = Self::new(cla, ins, p1, p2);
        let short_le = |b: u8| if b == 0 { 256 } else { usize::from(b) };
        let extended_le = |hi: u8, lo: u8| {
            let v = usize::from(u16::from_be_bytes([hi, lo]));
            if v == 0 {
                65536
            } else {
                v
            }
        };
        match body {
            // Case 1.
            [] => {}
            // Case 2 short.
            [le] => command.le = Some(short_le(*le)),
            // Case 2 extended.
            [0x00, hi, lo] => command.le = Some(extended_le(*hi, *lo)),
            // Extended cases 3 and 4 start with 00 and a non-zero two-byte Lc.
            [0x00, hi, lo, rest @ ..] if u16::from_be_bytes([*hi, *lo]) != 0 => {
                let lc = usize::from(u16::from_be_bytes([*hi, *lo]));
                if rest.len() == lc {
                    command.data = rest.to_vec();
                } else if rest.len() == lc + 2 {
                    command.data = rest[..lc].to_vec();
                    command.le = Some(extended_le(rest[lc], rest[lc + 1]));
                } else {
                    return Err(CommandParseError::BadLength);
                }
            }
            // Short cases 3 and 4.
            [lc, rest @ ..] if *lc != 0 => {
                let lc = usize::from(*lc);
                if rest.len() == lc {
                    command.data = rest.to_vec();
                } else if rest.len() == lc + 1 {
                    command.data = rest[..lc].to_vec();
                    command.le = Some(short_le(rest[lc]));
                } else {
                    return Err(CommandParseError::BadLength);
                }
            }
            _ => return Err(CommandParseError::BadLength),
        }
        Ok(command)
    }
}

/// A response APDU: data followed by the status word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// Response data (may be empty).
    pub data: Vec<u8>,
    /// The status word.
    pub sw: StatusWord,
}

impl Response {
    /// A response with data and a status word.
    pub fn new(data: impl Into<Vec<u8>>, sw: StatusWord) -> Self {
        Self {
            data: data.into(),
            sw,
        }
    }

    /// A response with only a status word.
    pub fn status(sw: StatusWord) -> Self {
        Self {
            data: Vec::new(),
            sw,
        }
    }

    /// Splits the bytes the reader returned; `None` when fewer than two bytes came back
    /// (the pcsc crate returns an empty answer when the card drops mid-command).
    pub fn parse(bytes: &[u8]) -> Option<Self> {
        let split = bytes.len().checked_sub(2)?;
        let (data, sw) = bytes.split_at(split);
        Some(Self {
            data: data.to_vec(),
            sw: StatusWord::from_bytes(sw[0], sw[1]),
        })
    }

    /// Encodes data ‖ SW1 SW2.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.data.len() + 2);
        out.extend_from_slice(&self.data);
        out.extend_from_slice(&self.sw.to_bytes());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s.replace(' ', "")).expect("test vector is hex")
    }

    #[test]
    fn builders_match_the_vectors_of_the_card_doc() {
        // docs/card.md §5, steps 1, 3, 4, 6, 7, 8 and 10.
        let cases = [
            (
                Command::select_df(&files::JPKI_AID),
                "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01",
            ),
            (
                Command::select_ef(files::EF_AUTH_CERT),
                "00 A4 02 0C 02 00 0A",
            ),
            (Command::read_binary(0, 7), "00 B0 00 00 07"),
            (Command::read_binary(0x0107, 256), "00 B0 01 07 00"),
            (
                Command::select_ef(files::EF_AUTH_PIN),
                "00 A4 02 0C 02 00 18",
            ),
            (Command::verify_status(), "00 20 00 80"),
            (Command::verify(b"1234"), "00 20 00 80 04 31 32 33 34"),
            (Command::get_response(0x10), "00 C0 00 00 10"),
        ];
        for (command, expected) in cases {
            assert_eq!(command.to_bytes(), h(expected), "{command:?}");
            assert_eq!(Command::parse(&command.to_bytes()), Ok(command));
        }
    }

    #[test]
    fn compute_signature_is_case_4_short_with_le_00() {
        let digest_info = crate::sha256_digest_info(&[0xAB; 32]);
        let bytes = Command::compute_signature(&digest_info).to_bytes();
        assert_eq!(&bytes[..5], &h("80 2A 00 80 33")[..]);
        assert_eq!(&bytes[5..56], &digest_info[..]);
        assert_eq!(bytes[56], 0x00);
        assert_eq!(bytes.len(), 57);
    }

    #[test]
    fn extended_length_encodes_and_parses() {
        // jsapdu's whole-file read: 00 B0 8A 00 00 00 00 (extended Le = 65536).
        let command = Command::new(0x00, 0xB0, 0x8A, 0x00).with_le(65536);
        assert_eq!(command.to_bytes(), h("00 B0 8A 00 00 00 00"));
        assert_eq!(Command::parse(&h("00 B0 8A 00 00 00 00")), Ok(command));

        // c-3lab's extended Le for a whole certificate: 00 B0 00 00 00 06 2F.
        let command = Command::read_binary(0, 0x062F);
        assert_eq!(command.to_bytes(), h("00 B0 00 00 00 06 2F"));

        // Extended case 4: 300 bytes of data and Le 512.
        let command = Command::new(0x80, 0x2A, 0x00, 0x80)
            .with_data(vec![7u8; 300])
            .with_le(512);
        let bytes = command.to_bytes();
        assert_eq!(&bytes[4..7], &[0x00, 0x01, 0x2C]);
        assert_eq!(&bytes[bytes.len() - 2..], &[0x02, 0x00]);
        assert_eq!(Command::parse(&bytes), Ok(command));

        // Extended case 3.
        let command = Command::new(0x00, 0xD6, 0x00, 0x00).with_data(vec![1u8; 256]);
        assert_eq!(Command::parse(&command.to_bytes()), Ok(command));
    }

    #[test]
    fn malformed_commands_are_rejected() {
        assert_eq!(
            Command::parse(&h("00 A4 04")),
            Err(CommandParseError::TooShort)
        );
        assert_eq!(
            Command::parse(&h("00 A4 04 0C 0A D3 92")),
            Err(CommandParseError::BadLength)
        );
        assert_eq!(
            Command::parse(&h("00 A4 04 0C 02 00 0A 00 00")),
            Err(CommandParseError::BadLength)
        );
        assert_eq!(
            Command::parse(&h("00 B0 00 00 00 00")),
            Err(CommandParseError::BadLength)
        );
    }

    #[test]
    fn response_splits_data_and_status() {
        let response = Response::parse(&h("30 82 06 2B 90 00")).expect("four bytes and a status");
        assert_eq!(response.data, h("30 82 06 2B"));
        assert_eq!(response.sw, StatusWord::Success);
        assert_eq!(response.to_bytes(), h("30 82 06 2B 90 00"));
        assert_eq!(
            Response::parse(&h("63 C2")).map(|r| r.sw),
            Some(StatusWord::VerifyFailed { tries_left: 2 })
        );
        assert_eq!(Response::parse(&[0x90]), None);
        assert_eq!(Response::parse(&[]), None);
    }

    #[test]
    fn debug_never_prints_command_data() {
        let text = format!("{:?}", Command::verify(b"9876"));
        assert!(!text.contains("39") && !text.contains("9876"), "{text}");
    }
}
