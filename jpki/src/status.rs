//! Status words (SW1 SW2) as a typed value, decoded in one place.

use std::fmt;

/// A status word the card answered with, decoded into what it means for the JPKI application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusWord {
    /// `90 00`: success.
    Success,
    /// `61 xx`: more response bytes are waiting; fetch them with GET RESPONSE.
    BytesAvailable(u8),
    /// `62 82`: end of file reached before Le bytes were read.
    EndOfFileWarning,
    /// `63 Cx`: a VERIFY failed (or a case-1 VERIFY reported the counter); `x` tries are left.
    VerifyFailed {
        /// Tries left after this answer.
        tries_left: u8,
    },
    /// `67 00`: wrong length (Lc or Le).
    WrongLength,
    /// `69 82`: security status not satisfied (the PIN has not been verified).
    SecurityStatusNotSatisfied,
    /// `69 84`: the reference data (PIN) is blocked.
    ReferenceDataBlocked,
    /// `69 85`: conditions of use not satisfied.
    ConditionsNotSatisfied,
    /// `69 86`: command not allowed (no current EF).
    CommandNotAllowed,
    /// `6A 82`: file or application not found.
    FileNotFound,
    /// `6A 86`: incorrect P1 or P2.
    IncorrectP1P2,
    /// `6B 00`: offset outside the file.
    WrongParameters,
    /// `6C xx`: wrong Le; resend with Le = `xx`.
    WrongLe(u8),
    /// `6D 00`: instruction not supported.
    InstructionNotSupported,
    /// `6E 00`: class not supported.
    ClassNotSupported,
    /// `6F 00`: no precise diagnosis (seen once right after a power cycle).
    NoPreciseDiagnosis,
    /// Any other status word.
    Other(u16),
}

impl StatusWord {
    /// Decodes SW1 SW2.
    pub fn from_bytes(sw1: u8, sw2: u8) -> Self {
        match (sw1, sw2) {
            (0x90, 0x00) => Self::Success,
            (0x61, n) => Self::BytesAvailable(n),
            (0x62, 0x82) => Self::EndOfFileWarning,
            (0x63, n) if n & 0xF0 == 0xC0 => Self::VerifyFailed {
                tries_left: n & 0x0F,
            },
            (0x67, 0x00) => Self::WrongLength,
            (0x69, 0x82) => Self::SecurityStatusNotSatisfied,
            (0x69, 0x84) => Self::ReferenceDataBlocked,
            (0x69, 0x85) => Self::ConditionsNotSatisfied,
            (0x69, 0x86) => Self::CommandNotAllowed,
            (0x6A, 0x82) => Self::FileNotFound,
            (0x6A, 0x86) => Self::IncorrectP1P2,
            (0x6B, 0x00) => Self::WrongParameters,
            (0x6C, n) => Self::WrongLe(n),
            (0x6D, 0x00) => Self::InstructionNotSupported,
            (0x6E, 0x00) => Self::ClassNotSupported,
            (0x6F, 0x00) => Self::NoPreciseDiagnosis,
            _ => Self::Other(u16::from_be_bytes([sw1, sw2])),
        }
    }

    /// Encodes the status word as SW1 SW2.
    pub fn to_bytes(self) -> [u8; 2] {
        let value: u16 = match self {
            Self::Success => 0x9000,
            Self::BytesAvailable(n) => 0x6100 | u16::from(n),
            Self::EndOfFileWarning => 0x6282,
            Self::VerifyFailed { tries_left } => 0x63C0 | u16::from(tries_left & 0x0F),
            Self::WrongLength => 0x6700,
            Self::SecurityStatusNotSatisfied => 0x6982,
            Self::ReferenceDataBlocked => 0x6984,
            Self::ConditionsNotSatisfied => 0x6985,
            Self::CommandNotAllowed => 0x6986,
            Self::FileNotFound => 0x6A82,
            Self::IncorrectP1P2 => 0x6A86,
            Self::WrongParameters => 0x6B00,
            Self::WrongLe(n) => 0x6C00 | u16::from(n),
            Self::InstructionNotSupported => 0x6D00,
            Self::ClassNotSupported => 0x6E00,
            Self::NoPreciseDiagnosis => 0x6F00,
            Self::Other(v) => v,
        };
        value.to_be_bytes()
    }

    /// Whether the command succeeded.
    pub fn is_success(self) -> bool {
        self == Self::Success
    }
}

impl fmt::Display for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [sw1, sw2] = self.to_bytes();
        write!(f, "{sw1:02X}{sw2:02X}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_named_status_word_round_trips() {
        let cases: &[(u16, StatusWord)] = &[
            (0x9000, StatusWord::Success),
            (0x6112, StatusWord::BytesAvailable(0x12)),
            (0x6282, StatusWord::EndOfFileWarning),
            (0x63C3, StatusWord::VerifyFailed { tries_left: 3 }),
            (0x63C0, StatusWord::VerifyFailed { tries_left: 0 }),
            (0x6700, StatusWord::WrongLength),
            (0x6982, StatusWord::SecurityStatusNotSatisfied),
            (0x6984, StatusWord::ReferenceDataBlocked),
            (0x6985, StatusWord::ConditionsNotSatisfied),
            (0x6986, StatusWord::CommandNotAllowed),
            (0x6A82, StatusWord::FileNotFound),
            (0x6A86, StatusWord::IncorrectP1P2),
            (0x6B00, StatusWord::WrongParameters),
            (0x6C20, StatusWord::WrongLe(0x20)),
            (0x6D00, StatusWord::InstructionNotSupported),
            (0x6E00, StatusWord::ClassNotSupported),
            (0x6F00, StatusWord::NoPreciseDiagnosis),
            (0x6A88, StatusWord::Other(0x6A88)),
        ];
        for &(raw, expected) in cases {
            let [sw1, sw2] = raw.to_be_bytes();
            assert_eq!(StatusWord::from_bytes(sw1, sw2), expected, "{raw:04X}");
            assert_eq!(expected.to_bytes(), [sw1, sw2], "{raw:04X}");
        }
    }

    #[test]
    fn sixty_three_without_c_nibble_is_not_a_pin_counter() {
        // 63 00 means "no retry limit"/"verification failed" without a counter: not 63Cx.
        assert_eq!(
            StatusWord::from_bytes(0x63, 0x00),
            StatusWord::Other(0x6300)
        );
    }

    #[test]
    fn displays_as_hex() {
        assert_eq!(
            StatusWord::VerifyFailed { tries_left: 2 }.to_string(),
            "63C2"
        );
    }
}
