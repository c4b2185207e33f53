//! Fuzzes the bridge's frame loop: any byte stream on stdin must yield well-formed replies (or a
//! quiet end), never a panic, and never a call to the card for a request that fails the checks.
#![no_main]

use bridge::{caller::Caller, config::Config, BridgeError, CardService, Host};
use jpki::AuthPin;
use libfuzzer_sys::fuzz_target;
use protocol::bridge::{AuthenticateResult, StatusResult};

struct NoCard;

impl CardService for NoCard {
    fn status(&self) -> Result<StatusResult, BridgeError> {
        Err(BridgeError::NoReader)
    }
    fn authenticate(&self, origin: &str, nonce: &[u8], _: AuthPin, _: bool) -> Result<AuthenticateResult, BridgeError> {
        assert_eq!(origin, "https://myna.example");
        assert!((32..=64).contains(&nonce.len()));
        Err(BridgeError::NoReader)
    }
}

fuzz_target!(|data: &[u8]| {
    let config = Config {
        allowed_origins: vec!["https://myna.example".into()],
        allowed_extensions: vec!["chrome-extension://abcdefghijklmnop/".into()],
        ..Config::default()
    };
    let host = Host::new(config, Caller::Chromium("chrome-extension://abcdefghijklmnop/".into()), None, NoCard);
    let mut output = Vec::new();
    let _ = host.serve(data, &mut output);
    // Every reply is a frame of at most 8 KiB holding JSON.
    let mut rest = output.as_slice();
    while !rest.is_empty() {
        let len = u32::from_ne_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        assert!(len <= protocol::bridge::MAX_FRAME);
        let _: serde_json::Value = serde_json::from_slice(&rest[4..4 + len]).expect("JSON reply");
        rest = &rest[4 + len..];
    }
});
