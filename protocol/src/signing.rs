//! What the card signs when a citizen logs in (`docs/contract.md`, "What the card signs").
//!
//! `to_be_signed = SHA-256(origin) ‖ SHA-256(nonce_bytes)`, signed as RS256: the card signs
//! `DigestInfo(SHA-256, SHA-256(to_be_signed))` with its user-authentication key. The server
//! rebuilds `to_be_signed` from its own configured origin and its stored nonce.

use sha2::{Digest, Sha256};

/// The signature algorithm on the wire.
pub const ALGORITHM: &str = "RS256";
/// The format tag of an authentication token.
pub const FORMAT: &str = "myna-auth:1";
/// Smallest nonce the bridge accepts (bytes, after base64 decoding).
pub const MIN_NONCE_LEN: usize = 32;
/// Largest nonce the bridge accepts (bytes, after base64 decoding).
pub const MAX_NONCE_LEN: usize = 64;

/// The 64 bytes the card's signature covers.
pub fn to_be_signed(origin: &str, nonce: &[u8]) -> [u8; 64] {
    let mut out = [0u8; 64];
    out[..32].copy_from_slice(&Sha256::digest(origin.as_bytes()));
    out[32..].copy_from_slice(&Sha256::digest(nonce));
    out
}

/// SHA-256 of [`to_be_signed`]: the hash inside the DigestInfo the card signs.
pub fn signed_hash(origin: &str, nonce: &[u8]) -> [u8; 32] {
    Sha256::digest(to_be_signed(origin, nonce)).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binds_origin_and_nonce() {
        let a = to_be_signed("https://myna.example", &[1; 32]);
        // SHA-256("https://myna.example") is fixed; check the layout, not only inequality.
        assert_eq!(&a[..32], &Sha256::digest(b"https://myna.example")[..]);
        assert_eq!(&a[32..], &Sha256::digest([1u8; 32])[..]);
        assert_ne!(a, to_be_signed("https://evil.example", &[1; 32]));
        assert_ne!(a, to_be_signed("https://myna.example", &[2; 32]));
        assert_eq!(
            signed_hash("https://myna.example", &[1; 32]),
            <[u8; 32]>::from(Sha256::digest(a))
        );
    }
}
