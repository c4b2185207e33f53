//! A scripted card for tests (feature `script`): a list of (expected command APDU, answer)
//! pairs played in order, as libelectronic-id's `tests/mock/` does. It panics on the first
//! command that differs from the script, so a test that sends one APDU too many, too few or in
//! the wrong order fails and names the APDU. Test-only: never enabled in a shipped build.

use crate::transport::{Transport, TransportError};

/// One exchange: the command expected, and what the card answers (or how the link fails).
type Exchange = (Vec<u8>, Result<Vec<u8>, TransportError>);

/// A card that plays a script.
#[derive(Debug, Default)]
pub struct Script {
    steps: Vec<Exchange>,
    next: usize,
}

/// Hex with spaces, as `docs/card.md` writes APDUs, to bytes.
///
/// # Panics
/// On text that is not hex: a script is test code.
pub fn h(text: &str) -> Vec<u8> {
    hex::decode(text.replace(' ', "")).expect("script is hex")
}

impl Script {
    /// An empty script: any command fails the test.
    pub fn new() -> Self {
        Self::default()
    }

    /// Expects `command` and answers `answer` (both hex with spaces).
    pub fn step(mut self, command: &str, answer: &str) -> Self {
        self.steps.push((h(command), Ok(h(answer))));
        self
    }

    /// Expects `command` and answers `answer`, as bytes.
    pub fn step_bytes(mut self, command: Vec<u8>, answer: Vec<u8>) -> Self {
        self.steps.push((command, Ok(answer)));
        self
    }

    /// Expects `command` (hex) and fails the link with `error`.
    pub fn fail(mut self, command: &str, error: TransportError) -> Self {
        self.steps.push((h(command), Err(error)));
        self
    }

    /// Whether every step was played.
    pub fn finished(&self) -> bool {
        self.next == self.steps.len()
    }
}

impl Transport for Script {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        let (expected, answer) = self
            .steps
            .get(self.next)
            .unwrap_or_else(|| panic!("unexpected extra APDU {}", hex::encode(command)));
        assert_eq!(
            hex::encode(command),
            hex::encode(expected),
            "APDU #{}",
            self.next + 1
        );
        self.next += 1;
        answer.clone()
    }
}
