//! Checking a login token: the card's user-authentication certificate and its RS256 signature
//! over `SHA-256(origin) ‖ SHA-256(nonce)` (`docs/security.md` 13–15).
//!
//! The trust anchors are the configured JPKI user-authentication CA certificates. Several CA
//! generations share one DN, so the issuer is chosen by signature, never by name alone. Revocation
//! comes from imported CRLs, each accepted only when one of the anchors signed it.

mod identity;

pub use identity::{certificate_key, CertificateId, IdentityError};

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
    /// The RFC 4514 text of its subject, as [`CertificateId`] renders names.
    name: String,
    /// SHA-256 (hex) of its SubjectPublicKeyInfo: which CA generation.
    authority: String,
}

/// SHA-256 (hex) of a CA's SubjectPublicKeyInfo: the name of one CA generation, shared by its
/// CRL rows and the certificates it signed.
fn authority_of(certificate: &Certificate) -> Option<String> {
    use sha2::Digest as _;
    let spki = certificate
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .ok()?;
    Some(hex::encode(sha2::Sha256::digest(spki)))
}

/// The configured JPKI user-authentication CAs. Revocations are not kept here but in the
/// database, where every instance sees the same list ([`TrustStore::check_crl`] reads a CRL
/// for it; `docs/certificates.md`).
#[derive(Default)]
pub struct TrustStore {
    anchors: Vec<Anchor>,
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

/// What a verified login token says about its certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedCertificate {
    /// Who the certificate is.
    pub id: CertificateId,
    /// Which trusted CA (generation) signed it: SHA-256 of its key, as CRL rows name it.
    pub authority: String,
    /// notAfter, seconds since the Unix epoch.
    pub not_after: i64,
    /// Which of the nonces offered the token signed (an index into them).
    pub nonce_index: usize,
}

impl VerifiedCertificate {
    /// The key a person is linked by: `issuer|serial`.
    pub fn key(&self) -> String {
        self.id.key()
    }
}

/// A CRL that one of the anchors signed, read for the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedCrl {
    /// The issuer DN, RFC 4514.
    pub issuer: String,
    /// SHA-256 (hex) of the signing CA's public key: CA generations share one DN, and each
    /// signs its own CRL.
    pub authority: String,
    /// thisUpdate, milliseconds since the epoch.
    pub this_update_ms: i64,
    /// nextUpdate, milliseconds since the epoch (absent in some CRLs).
    pub next_update_ms: Option<i64>,
    /// The revoked certificates, with their revocation dates (ms).
    pub revoked: Vec<(CertificateId, i64)>,
}

impl TrustStore {
    /// Adds a CA certificate (DER).
    ///
    /// # Errors
    /// [`TrustError::Malformed`] when `der` is not a certificate with an RSA key.
    pub fn add_anchor(&mut self, der: &[u8]) -> Result<(), TrustError> {
        let certificate =
            Certificate::from_der(der).map_err(|_| TrustError::Malformed("CA certificate"))?;
        let key = rsa_key(&certificate).ok_or(TrustError::Malformed("CA key"))?;
        let authority = authority_of(&certificate).ok_or(TrustError::Malformed("CA key"))?;
        let name = certificate.tbs_certificate.subject.to_string();
        self.anchors.push(Anchor {
            certificate,
            key,
            name,
            authority,
        });
        Ok(())
    }

    /// The authorities (see [`CheckedCrl::authority`]) of the trusted CAs.
    pub fn authorities(&self) -> impl Iterator<Item = &str> {
        self.anchors.iter().map(|a| a.authority.as_str())
    }

    /// Number of anchors.
    pub fn n_anchors(&self) -> usize {
        self.anchors.len()
    }

    /// Reads a CRL (DER) that one of the anchors signed.
    ///
    /// # Errors
    /// [`TrustError::Malformed`] when it does not parse, [`TrustError::UnknownCrlIssuer`] when
    /// no configured CA signed it.
    pub fn check_crl(&self, der: &[u8]) -> Result<CheckedCrl, TrustError> {
        let crl = CertificateList::from_der(der).map_err(|_| TrustError::Malformed("CRL"))?;
        let tbs = crl
            .tbs_cert_list
            .to_der()
            .map_err(|_| TrustError::Malformed("CRL"))?;
        let issuer = crl.tbs_cert_list.issuer.to_string();
        let authority = (crl.signature_algorithm.oid == SHA256_WITH_RSA)
            .then(|| {
                self.anchors.iter().find(|anchor| {
                    anchor.name == issuer && verifies(&anchor.key, &tbs, crl.signature.raw_bytes())
                })
            })
            .flatten()
            .ok_or(TrustError::UnknownCrlIssuer)?;
        let ms = |t: &x509_cert::time::Time| t.to_unix_duration().as_millis() as i64;
        let revoked = crl
            .tbs_cert_list
            .revoked_certificates
            .iter()
            .flatten()
            .map(|entry| {
                (
                    CertificateId::new(&crl.tbs_cert_list.issuer, &entry.serial_number),
                    ms(&entry.revocation_date),
                )
            })
            .collect();
        Ok(CheckedCrl {
            issuer,
            authority: authority.authority.clone(),
            this_update_ms: ms(&crl.tbs_cert_list.this_update),
            next_update_ms: crl.tbs_cert_list.next_update.as_ref().map(ms),
            revoked,
        })
    }

    /// Checks a login token against `origin` and the session's outstanding `nonces` at `now`
    /// (seconds since the epoch). A session may have several challenges out (two tabs, F1 and
    /// F2 open at once): the token must have signed one of them, and the answer says which.
    ///
    /// # Errors
    /// [`LoginError`] names the first check that failed, in the order of `docs/certificates.md`.
    pub fn verify_login(
        &self,
        token: &LoginToken<'_>,
        origin: &str,
        nonces: &[&[u8]],
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
        // Choose the issuer by signature: generations of the JPKI CA share one DN. Names are
        // compared as text, so a PrintableString and a UTF8String of the same DN match.
        let id = CertificateId::new(&tbs.issuer, &tbs.serial_number);
        let issuer = (certificate.signature_algorithm.oid == SHA256_WITH_RSA)
            .then(|| {
                self.anchors.iter().find(|anchor| {
                    anchor.name == id.issuer
                        && in_force(&anchor.certificate)
                        && verifies(&anchor.key, &tbs_der, certificate.signature.raw_bytes())
                })
            })
            .flatten()
            .ok_or(LoginError::Untrusted)?;
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
        let nonce_index = nonces
            .iter()
            .position(|nonce| {
                let signed = protocol::signing::to_be_signed(origin, nonce);
                verifies(&key, &signed, token.signature)
            })
            .ok_or(LoginError::BadSignature)?;
        Ok(VerifiedCertificate {
            id,
            authority: issuer.authority.clone(),
            not_after,
            nonce_index,
        })
    }
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
    use virtual_card::pki::{self, Issued, IssuerShape, Period, Purpose, SerialShape};
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
            .verify_login(&token(&cert, &signature), ORIGIN, &[&NONCE], now())
            .expect("valid");
        assert!(
            verified.id.issuer().contains("O=JPKI-TEST"),
            "{}",
            verified.id.issuer()
        );
        assert_eq!(verified.id.serial().len() % 2, 0);
        assert_eq!(Some(verified.key()), certificate_key(&cert));
    }

    #[test]
    fn the_token_may_sign_any_outstanding_nonce() {
        let pki = pki();
        let cert = issue(&pki.ca, KeyUsages::DigitalSignature, Period::from_now(30));
        let store = store(&[&pki.ca]);
        let (first, second, third) = ([1u8; 32], [2u8; 32], [3u8; 32]);
        let signature = sign(ORIGIN, &second);
        let verified = store
            .verify_login(
                &token(&cert, &signature),
                ORIGIN,
                &[&first, &second, &third],
                now(),
            )
            .expect("signed the second");
        assert_eq!(verified.nonce_index, 1);
        assert_eq!(
            store
                .verify_login(&token(&cert, &signature), ORIGIN, &[&first, &third], now())
                .err(),
            Some(LoginError::BadSignature)
        );
        assert_eq!(
            store
                .verify_login(&token(&cert, &signature), ORIGIN, &[], now())
                .err(),
            Some(LoginError::BadSignature)
        );
    }

    /// The reported card: serial 0x80A1B2C3D4E5F601, DER `02 09 00 80 A1 …`. The login, the
    /// registry feed and a CRL must all name it `…|80a1b2c3d4e5f601`.
    #[test]
    fn one_identity_for_every_serial_and_issuer_shape() {
        let pki = pki();
        let mut shapes: Vec<SerialShape> = SerialShape::ALL.to_vec();
        shapes.push(SerialShape::Exact(vec![
            0x80, 0xA1, 0xB2, 0xC3, 0xD4, 0xE5, 0xF6, 0x01,
        ]));
        let signature = sign(ORIGIN, &NONCE);
        for issuer in IssuerShape::ALL {
            let ca = pki::make_ca_with(
                Purpose::Auth,
                &pki::CaOptions {
                    issuer,
                    ..pki::CaOptions::new(Period::from_now(3650))
                },
            )
            .expect("ca");
            let trusted = store(&[&ca]);
            for shape in &shapes {
                let cert = pki::issue_with(
                    &ca,
                    Purpose::Auth,
                    &pki.key,
                    KeyUsage(KeyUsages::DigitalSignature.into()),
                    Period::from_now(30),
                    shape,
                )
                .expect("issue");
                let parsed = Certificate::from_der(&cert).expect("parses");
                let content = parsed.tbs_certificate.serial_number.as_bytes().to_vec();
                let magnitude = content
                    .iter()
                    .skip_while(|&&b| b == 0)
                    .copied()
                    .collect::<Vec<u8>>();
                let context = format!("{issuer:?} {shape:?} {}", hex::encode(&content));
                let verified = trusted
                    .verify_login(&token(&cert, &signature), ORIGIN, &[&NONCE], now())
                    .unwrap_or_else(|e| panic!("{context}: {e}"));
                assert_eq!(verified.id.serial(), hex::encode(&magnitude), "{context}");
                // The feed may write the serial with DER's 00, without it, with colons, 0x.
                let issuer_text = verified.id.issuer().to_owned();
                for written in [
                    hex::encode(&content),
                    hex::encode(&magnitude),
                    hex::encode_upper(&magnitude),
                    format!("0x{}", hex::encode(&magnitude)),
                    content
                        .iter()
                        .map(|b| format!("{b:02X}"))
                        .collect::<Vec<_>>()
                        .join(":"),
                ] {
                    assert_eq!(
                        CertificateId::parse(&issuer_text, &written),
                        Ok(verified.id.clone()),
                        "{context}: {written}"
                    );
                }
                assert_eq!(CertificateId::of_der(&cert), Some(verified.id.clone()));
                // A CRL entry names the same identity.
                let crl = pki::make_crl(&ca, &[&cert], Period::from_now(30)).expect("crl");
                let checked = trusted.check_crl(&crl).expect("signed by the CA");
                assert_eq!(checked.revoked[0].0, verified.id, "{context}");
                if matches!(shape, SerialShape::Exact(_)) {
                    assert_eq!(verified.id.serial(), "80a1b2c3d4e5f601");
                    assert_eq!(&content[..2], &[0x00, 0x80]);
                }
            }
        }
    }

    #[test]
    fn feed_identities() {
        let id = CertificateId::parse(" OU=JPKI for user authentication, O=JPKI,C=JP ", "00:80:01")
            .expect("valid");
        assert_eq!(id.issuer(), "OU=JPKI for user authentication,O=JPKI,C=JP");
        assert_eq!(id.serial(), "8001");
        assert_eq!(id.key(), "OU=JPKI for user authentication,O=JPKI,C=JP|8001");
        let japanese = CertificateId::parse("OU=地方公共団体情報システム機構,O=JPKI,C=JP", "1")
            .expect("valid");
        assert_eq!(
            japanese.issuer(),
            "OU=地方公共団体情報システム機構,O=JPKI,C=JP"
        );
        assert_eq!(japanese.serial(), "01");
        assert!(matches!(
            CertificateId::parse("", "01"),
            Err(IdentityError::Issuer(_))
        ));
        assert!(matches!(
            CertificateId::parse("not a dn", "01"),
            Err(IdentityError::Issuer(_))
        ));
        assert!(matches!(
            CertificateId::parse("O=JPKI,C=JP", "xyz"),
            Err(IdentityError::Serial(_))
        ));
        assert!(matches!(
            CertificateId::parse("O=JPKI,C=JP", &"11".repeat(21)),
            Err(IdentityError::SerialTooLong(_))
        ));
        // 20 octets of magnitude with DER's 00 in front is still a valid serial.
        assert!(CertificateId::parse("O=JPKI,C=JP", &format!("00{}", "ff".repeat(20))).is_ok());
    }

    #[test]
    fn every_refusal() {
        let pki = pki();
        let good = issue(&pki.ca, KeyUsages::DigitalSignature, Period::from_now(30));
        let signature = sign(ORIGIN, &NONCE);
        let trusted = store(&[&pki.ca]);
        let now = now();
        let check = |store: &TrustStore, token: LoginToken<'_>, origin: &str, nonce: &[u8]| {
            store.verify_login(&token, origin, &[nonce], now).err()
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
        // A CRL of the issuing CA names the certificate; a CRL of another generation with the
        // same DN, or of an unknown CA, is refused.
        let crl = pki::make_crl(&pki.ca, &[&good], Period::from_now(30)).expect("crl");
        let checked = trusted.check_crl(&crl).expect("signed");
        assert_eq!(
            checked
                .revoked
                .iter()
                .map(|(id, _)| id.key())
                .collect::<Vec<_>>(),
            [certificate_key(&good).expect("key")]
        );
        assert!(checked.next_update_ms > Some(checked.this_update_ms));
        let foreign =
            pki::make_crl(&pki.other_generation, &[&good], Period::from_now(30)).expect("crl");
        assert_eq!(
            trusted.check_crl(&foreign),
            Err(TrustError::UnknownCrlIssuer)
        );
        assert_eq!(
            trusted.check_crl(b"not a crl"),
            Err(TrustError::Malformed("CRL"))
        );
    }
}
