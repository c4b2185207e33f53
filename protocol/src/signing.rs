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

/// The format tag of a card-signed write (`docs/contract.md`, "Signed writes").
pub const WRITE_FORMAT: &str = "myna-write:1";

/// What a card-signed write is for: the purpose tag inside its digest, so that a signature over
/// one kind of write can never be presented for another. The wire form is the kebab-case name
/// (`?purpose=` of `POST /auth/challenge`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WritePurpose {
    /// F1: `POST /insurance/application`.
    InsuranceApplication,
    /// F4: `POST /mynapoint/reservation`.
    MynapointReservation,
    /// F5: `POST /mynapoint/application` (and the F6 bulk application on the same session,
    /// which the leaflet files without a second PIN).
    MynapointApplication,
    /// 「これは私ではない」: `POST /insurance/link/dispute`.
    LinkDispute,
    /// The registration's cancellation: `POST /insurance/cancellation`.
    InsuranceCancellation,
    /// The eligibility certificate's request: `POST /insurance/certificate`.
    CertificateRequest,
}

impl WritePurpose {
    /// Every purpose, for tests and documentation.
    pub const ALL: [Self; 6] = [
        Self::InsuranceApplication,
        Self::MynapointReservation,
        Self::MynapointApplication,
        Self::LinkDispute,
        Self::InsuranceCancellation,
        Self::CertificateRequest,
    ];

    /// The wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::InsuranceApplication => "insurance-application",
            Self::MynapointReservation => "mynapoint-reservation",
            Self::MynapointApplication => "mynapoint-application",
            Self::LinkDispute => "link-dispute",
            Self::InsuranceCancellation => "insurance-cancellation",
            Self::CertificateRequest => "certificate-request",
        }
    }
}

/// The digest of a write: `SHA-256("myna-write:1" ‖ 0x00 ‖ purpose ‖ 0x00 ‖ content)`, where
/// `content` is the canonical JSON of what is written (the server's own serialisation of the
/// typed request, `docs/contract.md`).
pub fn write_digest(purpose: WritePurpose, content: &[u8]) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(WRITE_FORMAT.as_bytes());
    hash.update([0]);
    hash.update(purpose.as_str().as_bytes());
    hash.update([0]);
    hash.update(content);
    hash.finalize().into()
}

/// The nonce bytes the card signs for a write: 32 fresh random bytes of the server's, then the
/// write's digest — [`MAX_NONCE_LEN`] bytes, so the bridge and the extension carry it as any
/// nonce, and a login's 32-byte nonce can never be taken for a write's.
pub fn write_nonce(random: &[u8; 32], digest: &[u8; 32]) -> [u8; MAX_NONCE_LEN] {
    let mut out = [0u8; MAX_NONCE_LEN];
    out[..32].copy_from_slice(random);
    out[32..].copy_from_slice(digest);
    out
}

/// The digest a write nonce carries; `None` for a login's nonce (any other length).
pub fn digest_of_nonce(nonce: &[u8]) -> Option<[u8; 32]> {
    (nonce.len() == MAX_NONCE_LEN)
        .then(|| nonce[32..].try_into().ok())
        .flatten()
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

    #[test]
    fn a_write_nonce_carries_its_digest_and_separates_purposes() {
        let content = br#"{"registerPortalUser":true,"termsVersion":"2021-03"}"#;
        let digest = write_digest(WritePurpose::InsuranceApplication, content);
        let nonce = write_nonce(&[7; 32], &digest);
        assert_eq!(nonce.len(), MAX_NONCE_LEN);
        assert_eq!(digest_of_nonce(&nonce), Some(digest));
        assert_eq!(
            digest_of_nonce(&[7; 32]),
            None,
            "a login's nonce is no write"
        );
        // The same bytes for another purpose are another write.
        for other in WritePurpose::ALL {
            if other != WritePurpose::InsuranceApplication {
                assert_ne!(write_digest(other, content), digest);
            }
        }
        // The layout, not only inequality.
        let mut expected = Sha256::new();
        expected.update(b"myna-write:1\0insurance-application\0");
        expected.update(content);
        assert_eq!(digest, <[u8; 32]>::from(expected.finalize()));
        for purpose in WritePurpose::ALL {
            let wire = serde_json::to_string(&purpose).expect("serialises");
            assert_eq!(wire, format!("\"{}\"", purpose.as_str()));
        }
    }
}
