//! Checking a login token: the card's user-authentication certificate and its RS256 signature
//! over `SHA-256(origin) ‖ SHA-256(nonce)` (`security.md` 13–15).
//!
//! The trust anchors are the configured JPKI user-authentication CA certificates. Several CA
//! generations share one DN, so the issuer is chosen by signature, never by name alone. Revocation
//! comes from imported CRLs, each accepted only when one of the anchors signed it.

use std::collections::HashSet;

use der::{asn1::ObjectIdentifier, Decode, Encode};
use rsa::{pkcs8::DecodePublicKey, traits::PublicKeyParts, RsaPublicKey};
use x509_cert::{
    crl::CertificateList,
    ext::pkix::{KeyUsage, KeyUsages},
    Certificate,
};

/// sha256WithRSAEncryption.
const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
/// rsaEncryption.
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
/// id-ce-keyUsage.
const KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.15");

/// Smallest and largest certificate accepted (a JPKI auth certificate is about 1.3–1.6 KB).
pub const CERTIFICATE_LEN: std::ops::RangeInclusive<usize> = 300..=4096;
/// An RSA-2048 signature.
pub const SIGNATURE_LEN: usize = 256;

/// Why a login token is refused. Each maps to one API code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LoginError {
    /// Algorithm or format not on the allow-list.
    #[error("unsupported algorithm or format")]
    UnsupportedAlgorithm,
    /// The certificate or signature is outside the size bounds.
    #[error("certificate or signature size out of bounds")]
    TokenSize,
    /// The certificate cannot be parsed, or its key is not RSA-2048.
    #[error("the certificate is malformed")]
    CertificateGarbled,
    /// No configured CA signed the certificate.
    #[error("the certificate was not issued by a trusted JPKI CA")]
    Untrusted,
    /// The certificate has expired.
    #[error("the certificate has expired")]
    Expired,
    /// The certificate is not valid yet.
    #[error("the certificate is not valid yet")]
    NotYetValid,
    /// The certificate is on a CRL.
    #[error("the certificate has been revoked")]
    Revoked,
    /// The certificate may not be used for signatures.
    #[error("the certificate's key usage does not allow authentication")]
    KeyUsage,
    /// The signature does not verify over this origin and nonce.
    #[error("the signature does not match")]
    BadSignature,
}

/// Why a trust anchor or a CRL cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrustError {
    /// Not DER of the expected type, or not RSA.
    #[error("malformed {0}")]
    Malformed(&'static str),
    /// The CRL was not signed by any configured CA.
    #[error("the CRL is not signed by a configured CA")]
    UnknownCrlIssuer,
}

struct Anchor {
    certificate: Certificate,
    key: RsaPublicKey,
}

/// The configured JPKI user-authentication CAs and the revoked certificates.
#[derive(Default)]
pub struct TrustStore {
    anchors: Vec<Anchor>,
    /// (issuer DN DER, serial DER) of revoked certificates.
    revoked: HashSet<(Vec<u8>, Vec<u8>)>,
}

fn rsa_key(certificate: &Certificate) -> Option<RsaPublicKey> {
    let spki = &certificate.tbs_certificate.subject_public_key_info;
    if spki.algorithm.oid != RSA_ENCRYPTION {
        return None;
    }
    RsaPublicKey::from_public_key_der(&spki.to_der().ok()?).ok()
}

/// RS256 verification. aws-lc-rs does the arithmetic: about 10× faster than the pure-Rust `rsa`
/// crate's, and each login checks two signatures (the CA's on the certificate, the card's on
/// the challenge). `rsa` still parses the keys and checks their size.
fn verifies(key: &RsaPublicKey, message: &[u8], signature: &[u8]) -> bool {
    use aws_lc_rs::signature::{UnparsedPublicKey, RSA_PKCS1_2048_8192_SHA256};
    use rsa::pkcs1::EncodeRsaPublicKey as _;
    let Ok(pkcs1) = key.to_pkcs1_der() else {
        return false;
    };
    UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, pkcs1.as_bytes())
        .verify(message, signature)
        .is_ok()
}

/// What identifies a person's certificate: issuer and serial.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedCertificate {
    /// The issuer DN (RFC 4514).
    pub issuer: String,
    /// The serial number, lower-case hex.
    pub serial: String,
    /// notAfter, seconds since the Unix epoch.
    pub not_after: i64,
}

impl VerifiedCertificate {
    /// The key a person is linked by: `issuer|serial`.
    pub fn key(&self) -> String {
        format!("{}|{}", self.issuer, self.serial)
    }
}

impl TrustStore {
    /// Adds a CA certificate (DER).
    pub fn add_anchor(&mut self, der: &[u8]) -> Result<(), TrustError> {
        let certificate =
            Certificate::from_der(der).map_err(|_| TrustError::Malformed("CA certificate"))?;
        let key = rsa_key(&certificate).ok_or(TrustError::Malformed("CA key"))?;
        self.anchors.push(Anchor { certificate, key });
        Ok(())
    }

    /// Number of anchors.
    pub fn n_anchors(&self) -> usize {
        self.anchors.len()
    }

    /// Adds the revoked serials of a CRL (DER) that one of the anchors signed.
    pub fn add_crl(&mut self, der: &[u8]) -> Result<usize, TrustError> {
        let crl = CertificateList::from_der(der).map_err(|_| TrustError::Malformed("CRL"))?;
        let tbs = crl
            .tbs_cert_list
            .to_der()
            .map_err(|_| TrustError::Malformed("CRL"))?;
        let signed = crl.signature_algorithm.oid == SHA256_WITH_RSA
            && self.anchors.iter().any(|anchor| {
                anchor.certificate.tbs_certificate.subject == crl.tbs_cert_list.issuer
                    && verifies(&anchor.key, &tbs, crl.signature.raw_bytes())
            });
        if !signed {
            return Err(TrustError::UnknownCrlIssuer);
        }
        let issuer = crl
            .tbs_cert_list
            .issuer
            .to_der()
            .map_err(|_| TrustError::Malformed("CRL issuer"))?;
        let mut n = 0;
        for entry in crl.tbs_cert_list.revoked_certificates.iter().flatten() {
            let serial = entry
                .serial_number
                .to_der()
                .map_err(|_| TrustError::Malformed("CRL entry"))?;
            self.revoked.insert((issuer.clone(), serial));
            n += 1;
        }
        Ok(n)
    }

    /// Checks a login token against `origin` and `nonce` at `now` (seconds since the epoch).
    pub fn verify_login(
        &self,
        token: &LoginToken<'_>,
        origin: &str,
        nonce: &[u8],
        now: i64,
    ) -> Result<VerifiedCertificate, LoginError> {
        if token.algorithm != protocol::signing::ALGORITHM
            || token.format != protocol::signing::FORMAT
        {
            return Err(LoginError::UnsupportedAlgorithm);
        }
        if !CERTIFICATE_LEN.contains(&token.certificate.len())
            || token.signature.len() != SIGNATURE_LEN
        {
            return Err(LoginError::TokenSize);
        }
        let certificate =
            Certificate::from_der(token.certificate).map_err(|_| LoginError::CertificateGarbled)?;
        let key = rsa_key(&certificate).ok_or(LoginError::CertificateGarbled)?;
        if key.size() != 256 {
            return Err(LoginError::CertificateGarbled);
        }
        let tbs = &certificate.tbs_certificate;
        let tbs_der = tbs.to_der().map_err(|_| LoginError::CertificateGarbled)?;
        let in_force = |c: &Certificate| {
            let v = &c.tbs_certificate.validity;
            v.not_before.to_unix_duration().as_secs() as i64 <= now
                && now <= v.not_after.to_unix_duration().as_secs() as i64
        };
        // Choose the issuer by signature: generations of the JPKI CA share one DN.
        let issued = certificate.signature_algorithm.oid == SHA256_WITH_RSA
            && self.anchors.iter().any(|anchor| {
                anchor.certificate.tbs_certificate.subject == tbs.issuer
                    && in_force(&anchor.certificate)
                    && verifies(&anchor.key, &tbs_der, certificate.signature.raw_bytes())
            });
        if !issued {
            return Err(LoginError::Untrusted);
        }
        let not_before = tbs.validity.not_before.to_unix_duration().as_secs() as i64;
        let not_after = tbs.validity.not_after.to_unix_duration().as_secs() as i64;
        if now < not_before {
            return Err(LoginError::NotYetValid);
        }
        if now > not_after {
            return Err(LoginError::Expired);
        }
        let key_usage = tbs
            .extensions
            .iter()
            .flatten()
            .find(|e| e.extn_id == KEY_USAGE)
            .and_then(|e| KeyUsage::from_der(e.extn_value.as_bytes()).ok());
        match key_usage {
            Some(usage) if usage.0.contains(KeyUsages::DigitalSignature) => {}
            _ => return Err(LoginError::KeyUsage),
        }
        let issuer_der = tbs
            .issuer
            .to_der()
            .map_err(|_| LoginError::CertificateGarbled)?;
        let serial_der = tbs
            .serial_number
            .to_der()
            .map_err(|_| LoginError::CertificateGarbled)?;
        if self.revoked.contains(&(issuer_der, serial_der)) {
            return Err(LoginError::Revoked);
        }
        let signed = protocol::signing::to_be_signed(origin, nonce);
        if !verifies(&key, &signed, token.signature) {
            return Err(LoginError::BadSignature);
        }
        Ok(VerifiedCertificate {
            issuer: tbs.issuer.to_string(),
            serial: hex::encode(tbs.serial_number.as_bytes()),
            not_after,
        })
    }
}

/// The `issuer|serial` key of a certificate (DER), as [`VerifiedCertificate::key`] gives it: what
/// the registry feed links to a person.
pub fn certificate_key(der: &[u8]) -> Option<String> {
    let certificate = Certificate::from_der(der).ok()?;
    let tbs = certificate.tbs_certificate;
    Some(format!(
        "{}|{}",
        tbs.issuer,
        serial_hex(tbs.serial_number.as_bytes())
    ))
}

/// A serial number as the lowercase hex of its magnitude: DER's leading zero byte (which keeps a
/// positive number positive) removed, so that a feed may write the serial either way.
pub fn serial_hex(bytes: &[u8]) -> String {
    let start = bytes
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(bytes.len().saturating_sub(1));
    hex::encode(&bytes[start..])
}

/// What the SPA sends to log in (decoded from base64).
#[derive(Debug, Clone, Copy)]
pub struct LoginToken<'a> {
    /// The user-authentication certificate, DER.
    pub certificate: &'a [u8],
    /// The signature.
    pub signature: &'a [u8],
    /// Must be `RS256`.
    pub algorithm: &'a str,
    /// Must be `myna-auth:1`.
    pub format: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::{signature::SignatureEncoding, signature::Signer};
    use virtual_card::pki::{self, Issued, Period, Purpose};
    use x509_cert::ext::pkix::{KeyUsage, KeyUsages};

    const ORIGIN: &str = "https://myna.example";
    const NONCE: [u8; 32] = [7; 32];

    struct Pki {
        ca: Issued,
        other_generation: Issued,
        key: rsa::RsaPrivateKey,
    }

    fn pki() -> &'static Pki {
        static PKI: std::sync::OnceLock<Pki> = std::sync::OnceLock::new();
        PKI.get_or_init(|| Pki {
            ca: pki::make_ca(Purpose::Auth, Period::from_now(3650)).expect("ca"),
            other_generation: pki::make_ca(Purpose::Auth, Period::from_now(3650)).expect("ca"),
            key: pki::generate_key().expect("key"),
        })
    }

    fn issue(ca: &Issued, usage: KeyUsages, period: Period) -> Vec<u8> {
        pki::issue(
            ca,
            Purpose::Auth,
            &pki().key,
            KeyUsage(usage.into()),
            period,
        )
        .expect("issue")
    }

    fn sign(origin: &str, nonce: &[u8]) -> Vec<u8> {
        let key = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(pki().key.clone());
        key.sign(&protocol::signing::to_be_signed(origin, nonce))
            .to_vec()
    }

    fn store(anchors: &[&Issued]) -> TrustStore {
        let mut store = TrustStore::default();
        for anchor in anchors {
            store.add_anchor(&anchor.cert_der).expect("anchor");
        }
        store
    }

    fn now() -> i64 {
        chrono::Utc::now().timestamp()
    }

    fn token<'a>(certificate: &'a [u8], signature: &'a [u8]) -> LoginToken<'a> {
        LoginToken {
            certificate,
            signature,
            algorithm: "RS256",
            format: "myna-auth:1",
        }
    }

    #[test]
    fn a_good_token_identifies_the_certificate() {
        let pki = pki();
        let cert = issue(&pki.ca, KeyUsages::DigitalSignature, Period::from_now(30));
        let signature = sign(ORIGIN, &NONCE);
        // Both CA generations trusted: the right one is found by signature, not by name.
        let store = store(&[&pki.other_generation, &pki.ca]);
        let verified = store
            .verify_login(&token(&cert, &signature), ORIGIN, &NONCE, now())
            .expect("valid");
        assert!(
            verified.issuer.contains("O=JPKI-TEST"),
            "{}",
            verified.issuer
        );
        assert_eq!(verified.serial.len() % 2, 0);
        assert!(verified.key().contains('|'));
    }

    #[test]
    fn every_refusal() {
        let pki = pki();
        let good = issue(&pki.ca, KeyUsages::DigitalSignature, Period::from_now(30));
        let signature = sign(ORIGIN, &NONCE);
        let trusted = store(&[&pki.ca]);
        let now = now();
        let check = |store: &TrustStore, token: LoginToken<'_>, origin: &str, nonce: &[u8]| {
            store.verify_login(&token, origin, nonce, now).err()
        };
        use LoginError::*;
        // Another CA generation with the same DN is not the issuer.
        assert_eq!(
            check(
                &store(&[&pki.other_generation]),
                token(&good, &signature),
                ORIGIN,
                &NONCE
            ),
            Some(Untrusted)
        );
        // Another origin or nonce.
        assert_eq!(
            check(
                &trusted,
                token(&good, &signature),
                "https://evil.example",
                &NONCE
            ),
            Some(BadSignature)
        );
        assert_eq!(
            check(&trusted, token(&good, &signature), ORIGIN, &[8; 32]),
            Some(BadSignature)
        );
        // Tampered signature.
        let mut tampered = signature.clone();
        tampered[100] ^= 1;
        assert_eq!(
            check(&trusted, token(&good, &tampered), ORIGIN, &NONCE),
            Some(BadSignature)
        );
        // Algorithm and format allow-list, sizes.
        let mut other = token(&good, &signature);
        other.algorithm = "PS256";
        assert_eq!(
            check(&trusted, other, ORIGIN, &NONCE),
            Some(UnsupportedAlgorithm)
        );
        let mut other = token(&good, &signature);
        other.format = "myna-auth:2";
        assert_eq!(
            check(&trusted, other, ORIGIN, &NONCE),
            Some(UnsupportedAlgorithm)
        );
        assert_eq!(
            check(&trusted, token(&good, &signature[..255]), ORIGIN, &NONCE),
            Some(TokenSize)
        );
        let huge = vec![0x30; 5000];
        assert_eq!(
            check(&trusted, token(&huge, &signature), ORIGIN, &NONCE),
            Some(TokenSize)
        );
        // Garbled certificate.
        let mut garbled = good.clone();
        garbled.truncate(600);
        assert_eq!(
            check(&trusted, token(&garbled, &signature), ORIGIN, &NONCE),
            Some(CertificateGarbled)
        );
        let mut flipped = good.clone();
        let middle = flipped.len() / 2;
        flipped[middle] ^= 0xFF;
        assert!(matches!(
            check(&trusted, token(&flipped, &signature), ORIGIN, &NONCE),
            Some(CertificateGarbled | Untrusted)
        ));
        // Validity.
        let day = 86_400;
        let expired = Period {
            not_before: (now - 40 * day) as u64,
            not_after: (now - day) as u64,
        };
        let expired = issue(&pki.ca, KeyUsages::DigitalSignature, expired);
        assert_eq!(
            check(&trusted, token(&expired, &signature), ORIGIN, &NONCE),
            Some(Expired)
        );
        let future = Period {
            not_before: (now + day) as u64,
            not_after: (now + 40 * day) as u64,
        };
        let future = issue(&pki.ca, KeyUsages::DigitalSignature, future);
        assert_eq!(
            check(&trusted, token(&future, &signature), ORIGIN, &NONCE),
            Some(NotYetValid)
        );
        // Key usage.
        let encipher = issue(&pki.ca, KeyUsages::KeyEncipherment, Period::from_now(30));
        assert_eq!(
            check(&trusted, token(&encipher, &signature), ORIGIN, &NONCE),
            Some(KeyUsage)
        );
        // Revocation by a CRL of the issuing CA; a CRL of an unknown CA is refused.
        let mut revoking = store(&[&pki.ca]);
        let crl = pki::make_crl(&pki.ca, &[&good], Period::from_now(30)).expect("crl");
        assert_eq!(revoking.add_crl(&crl), Ok(1));
        assert_eq!(
            check(&revoking, token(&good, &signature), ORIGIN, &NONCE),
            Some(Revoked)
        );
        let foreign =
            pki::make_crl(&pki.other_generation, &[&good], Period::from_now(30)).expect("crl");
        assert_eq!(
            revoking.add_crl(&foreign),
            Err(TrustError::UnknownCrlIssuer)
        );
        assert_eq!(
            revoking.add_crl(b"not a crl"),
            Err(TrustError::Malformed("CRL"))
        );
    }
}
