//! How long a real card and reader take, and how a T=0 link shapes APDUs: the virtual card's
//! realism model (`docs/virtual-card.md`, "The realism model").
//!
//! The virtual card answers in microseconds; a real My Number Card does not. A [`CardModel`]
//! says how long each exchange takes — the bytes on the wire at the link's rate plus the card's
//! own processing (an RSA-2048 signature dominates: about 0.5–1 s on the card) — and, for a T=0
//! link, turns answers into what such a reader delivers: no extended APDUs, the data of a case-4
//! command fetched with GET RESPONSE after `61 xx`, and a case-2 command with the wrong Le
//! answered `6C xx`. The figures are a model of public descriptions of the card and of ISO/IEC
//! 7816-3 and 14443-4 rates, not measurements of a card: they make the ordering and the share of
//! each step visible in tests and benchmarks.

use std::time::Duration;

use jpki::{Command, Response, StatusWord};

/// The link between reader and card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// No time at all (the default: tests run at the speed of the software).
    Instant,
    /// Contact, T=1 (block protocol), as the card's ATR offers.
    ContactT1,
    /// Contact, T=0 (character protocol), as some readers run it: short APDUs only, `61 xx`
    /// and `6C xx` procedure answers.
    ContactT0,
    /// Contactless (ISO/IEC 14443-4, type B), as NFC readers and phones reach the card.
    Contactless,
}

/// A timing and shaping model of a card behind a reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CardModel {
    /// The link.
    pub link: Link,
    /// Bits per second on the wire.
    pub bits_per_second: u32,
    /// Bit times (etu) per byte on the wire: start bit, 8 data bits, parity and guard time.
    pub bits_per_byte: u32,
    /// Bytes of framing per exchange and direction (T=1 prologue and epilogue, 14443-4 PCB and
    /// CRC, T=0 procedure byte).
    pub frame_bytes: u32,
    /// The card's time for an ordinary command (SELECT, READ BINARY, GET RESPONSE).
    pub command: Duration,
    /// The card's time for VERIFY (a PIN comparison and a counter write).
    pub verify: Duration,
    /// The card's time for COMPUTE DIGITAL SIGNATURE (the RSA-2048 private-key operation).
    pub signature: Duration,
}

/// The signature time of the models unless told otherwise: the middle of the 0.5–1 s that real
/// cards are reported to take.
pub const DEFAULT_SIGNATURE: Duration = Duration::from_millis(700);

impl CardModel {
    /// No time at all: the virtual card as fast as it runs.
    pub const INSTANT: Self = Self {
        link: Link::Instant,
        bits_per_second: 0,
        bits_per_byte: 0,
        frame_bytes: 0,
        command: Duration::ZERO,
        verify: Duration::ZERO,
        signature: Duration::ZERO,
    };

    /// Contact T=1 at the default rate of ISO/IEC 7816-3 (Fi = 372, Di = 1 at 3.57 MHz: 9,600
    /// bit/s), 11 etu a character, 4 bytes of block framing each way.
    pub const fn contact_t1() -> Self {
        Self {
            link: Link::ContactT1,
            bits_per_second: 9_600,
            bits_per_byte: 11,
            frame_bytes: 4,
            command: Duration::from_millis(10),
            verify: Duration::from_millis(30),
            signature: DEFAULT_SIGNATURE,
        }
    }

    /// Contact T=0 at the default rate, 12 etu a character (two stop bits' guard time), a
    /// procedure byte each way; short APDUs only.
    pub const fn contact_t0() -> Self {
        Self {
            link: Link::ContactT0,
            bits_per_second: 9_600,
            bits_per_byte: 12,
            frame_bytes: 1,
            command: Duration::from_millis(10),
            verify: Duration::from_millis(30),
            signature: DEFAULT_SIGNATURE,
        }
    }

    /// Contactless at 424 kbit/s, 10 bit times a byte, 3 bytes of framing (PCB, CRC) each way.
    pub const fn contactless() -> Self {
        Self {
            link: Link::Contactless,
            bits_per_second: 424_000,
            bits_per_byte: 10,
            frame_bytes: 3,
            command: Duration::from_millis(10),
            verify: Duration::from_millis(30),
            signature: DEFAULT_SIGNATURE,
        }
    }

    /// The same model with another signature time.
    pub const fn with_signature(mut self, signature: Duration) -> Self {
        if !matches!(self.link, Link::Instant) {
            self.signature = signature;
        }
        self
    }

    /// How long one exchange takes: both directions' bytes on the wire and the card's time for
    /// the instruction.
    pub fn exchange_time(&self, command: &[u8], response: &[u8]) -> Duration {
        if self.link == Link::Instant || self.bits_per_second == 0 {
            return Duration::ZERO;
        }
        let bytes = command.len() as u64 + response.len() as u64 + 2 * u64::from(self.frame_bytes);
        let wire = Duration::from_micros(
            bytes * u64::from(self.bits_per_byte) * 1_000_000 / u64::from(self.bits_per_second),
        );
        let card = match command.get(1) {
            Some(0x2A) => self.signature,
            Some(0x20) if command.len() > 5 => self.verify,
            _ => self.command,
        };
        wire + card
    }
}

/// What a T=0 link makes of the card's answers. Holds the data a `61 xx` announced until GET
/// RESPONSE takes it.
#[derive(Debug, Default)]
pub struct T0Link {
    pending: Vec<u8>,
}

impl T0Link {
    /// Passes one command to `card` the way a T=0 reader and card exchange it.
    pub fn exchange(&mut self, apdu: &[u8], card: impl FnOnce(&[u8]) -> Vec<u8>) -> Vec<u8> {
        let Ok(command) = Command::parse(apdu) else {
            self.pending.clear();
            return Response::status(StatusWord::WrongLength).to_bytes();
        };
        if command.is_extended() || (apdu.len() > 5 && apdu[4] == 0x00) {
            // T=0 carries only short APDUs (ISO/IEC 7816-3 §12.2: extended lengths need an
            // ENVELOPE, which the JPKI application does not offer).
            self.pending.clear();
            return Response::status(StatusWord::WrongLength).to_bytes();
        }
        if command.cla == 0x00 && command.ins == 0xC0 {
            return self.get_response(command.le.unwrap_or(256));
        }
        self.pending.clear();
        let raw = card(apdu);
        let Some(response) = Response::parse(&raw) else {
            return raw;
        };
        if response.data.is_empty() {
            return raw;
        }
        if !command.data.is_empty() {
            // Case 4: T=0 cannot send data both ways in one exchange; the card announces it.
            self.pending = response.data;
            return Response::status(announce(self.pending.len())).to_bytes();
        }
        let le = command.le.unwrap_or(256);
        if le != response.data.len() && response.sw == StatusWord::Success {
            // Case 2 with the wrong Le: the card names the length to ask for.
            return Response::status(StatusWord::WrongLe(wire_length(response.data.len())))
                .to_bytes();
        }
        raw
    }

    fn get_response(&mut self, le: usize) -> Vec<u8> {
        if self.pending.is_empty() {
            return Response::status(StatusWord::ConditionsNotSatisfied).to_bytes();
        }
        let available = self.pending.len().min(256);
        if le > available {
            return Response::status(StatusWord::WrongLe(wire_length(available))).to_bytes();
        }
        let data: Vec<u8> = self.pending.drain(..le).collect();
        let sw = if self.pending.is_empty() {
            StatusWord::Success
        } else {
            announce(self.pending.len())
        };
        Response::new(data, sw).to_bytes()
    }
}

/// `61 xx` for `n` bytes waiting (`00` meaning 256 or more).
fn announce(n: usize) -> StatusWord {
    StatusWord::BytesAvailable(wire_length(n.min(256)))
}

/// A length of 1..=256 as its one-byte field (256 is `00`).
fn wire_length(n: usize) -> u8 {
    if n >= 256 {
        0
    } else {
        n as u8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn echo(n: usize) -> impl FnOnce(&[u8]) -> Vec<u8> {
        move |_| {
            let mut out = vec![0xAB; n];
            out.extend_from_slice(&[0x90, 0x00]);
            out
        }
    }

    #[test]
    fn case_4_data_is_fetched_with_get_response() {
        let mut link = T0Link::default();
        let sign = Command::compute_signature(&[0; 51]).to_bytes();
        assert_eq!(link.exchange(&sign, echo(256)), vec![0x61, 0x00]);
        let first = link.exchange(&Command::get_response(0).to_bytes(), echo(0));
        assert_eq!(first.len(), 258);
        assert_eq!(&first[256..], &[0x90, 0x00]);
        // Nothing is left.
        let again = link.exchange(&Command::get_response(0).to_bytes(), echo(0));
        assert_eq!(again, vec![0x69, 0x85]);
    }

    #[test]
    fn longer_answers_come_in_pieces() {
        let mut link = T0Link::default();
        let case4 = Command::new(0x00, 0xCA, 0, 0)
            .with_data([1])
            .with_le(256)
            .to_bytes();
        assert_eq!(link.exchange(&case4, echo(300)), vec![0x61, 0x00]);
        let first = link.exchange(&Command::get_response(0).to_bytes(), echo(0));
        assert_eq!(&first[256..], &[0x61, 44]);
        // Asking for more than is left: the card names the length.
        assert_eq!(
            link.exchange(&Command::get_response(0).to_bytes(), echo(0)),
            vec![0x6C, 44]
        );
        let rest = link.exchange(&Command::get_response(44).to_bytes(), echo(0));
        assert_eq!(rest.len(), 46);
        assert_eq!(&rest[44..], &[0x90, 0x00]);
    }

    #[test]
    fn case_2_with_the_wrong_le_is_answered_6c() {
        let mut link = T0Link::default();
        let read = Command::read_binary(0, 256).to_bytes();
        assert_eq!(link.exchange(&read, echo(32)), vec![0x6C, 32]);
        let exact = Command::read_binary(0, 32).to_bytes();
        assert_eq!(link.exchange(&exact, echo(32)).len(), 34);
    }

    #[test]
    fn extended_apdus_are_refused() {
        let mut link = T0Link::default();
        let long = Command::read_binary(0, 1000).to_bytes();
        let mut called = false;
        let answer = link.exchange(&long, |_| {
            called = true;
            vec![0x90, 0x00]
        });
        assert_eq!(answer, vec![0x67, 0x00]);
        assert!(!called, "the card never sees an extended APDU on T=0");
    }

    #[test]
    fn the_signature_dominates_and_the_wire_counts_bytes() {
        let model = CardModel::contact_t1();
        let sign = Command::compute_signature(&[0; 51]).to_bytes();
        let answer = vec![0; 258];
        let t = model.exchange_time(&sign, &answer);
        // 57 + 258 + 8 bytes × 11 etu at 9,600 bit/s ≈ 370 ms, plus 700 ms of RSA.
        assert!(
            t > Duration::from_millis(1_000) && t < Duration::from_millis(1_150),
            "{t:?}"
        );
        let select = Command::select_ef(0x18).to_bytes();
        let fast = CardModel::contactless().exchange_time(&select, &[0x90, 0x00]);
        assert!(fast < Duration::from_millis(11), "{fast:?}");
        assert_eq!(
            CardModel::INSTANT.exchange_time(&sign, &answer),
            Duration::ZERO
        );
    }
}
