//! DigestInfo (PKCS#1 v1.5, RFC 8017 §9.2): the card pads it and signs it (`docs/card.md` §4).

/// DER prefix of a SHA-256 DigestInfo; the 32-byte hash follows.
pub const SHA256_DIGEST_INFO_PREFIX: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

/// Length of a SHA-256 DigestInfo (Lc = `33`).
pub const SHA256_DIGEST_INFO_LEN: usize = 51;

/// The DigestInfo of a SHA-256 hash.
pub fn sha256_digest_info(hash: &[u8; 32]) -> [u8; SHA256_DIGEST_INFO_LEN] {
    let mut out = [0u8; SHA256_DIGEST_INFO_LEN];
    out[..19].copy_from_slice(&SHA256_DIGEST_INFO_PREFIX);
    out[19..].copy_from_slice(hash);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_info_matches_the_reference_prefix() {
        let info = sha256_digest_info(&[0x11; 32]);
        let expected = hex::decode("3031300d060960864801650304020105000420").expect("hex");
        assert_eq!(&info[..19], &expected[..]);
        assert_eq!(&info[19..], &[0x11; 32]);
        // The prefix is itself a DER object whose length covers the hash.
        assert_eq!(crate::der_total_length(&info), Ok(SHA256_DIGEST_INFO_LEN));
    }
}
