//! Fuzzes the request parser: no input may panic, and an accepted request obeys the contract.
#![no_main]

use libfuzzer_sys::fuzz_target;
use protocol::bridge::{parse_request, Request};

fuzz_target!(|data: &[u8]| {
    if let Ok((_, Request::Authenticate(auth))) = parse_request(data) {
        assert!(protocol::origin::check_origin_syntax(&auth.origin).is_ok());
        assert!((32..=64).contains(&auth.nonce.len()));
    }
});
