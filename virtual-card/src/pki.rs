//! A test JPKI: CA certificates shaped like J-LIS's (issuer `O=JPKI-TEST`), and cards with their
//! keys and certificates. TEST ONLY: every key made here is generated on the spot and written next
//! to its certificate, so nothing here may ever be trusted outside development and tests.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use der::{asn1::UtcTime, referenced::OwnedToRef, Decode, Encode};
use rsa::{pkcs1v15::SigningKey, RsaPrivateKey};
use sha2::Sha256;
use x509_cert::{
    builder::{Builder, CertificateBuilder, Profile},
    ext::pkix::{
        AuthorityKeyIdentifier, BasicConstraints, KeyUsage, KeyUsages, SubjectKeyIdentifier,
    },
    name::Name,
    serial_number::SerialNumber,
    spki::{EncodePublicKey, SubjectPublicKeyInfoOwned},
    time::{Time, Validity},
    Certificate,
};

/// Why the PKI could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PkiError {
    /// RSA key generation failed.
    #[error("RSA key generation failed: {0}")]
    Rsa(#[from] rsa::Error),
    /// A certificate could not be built or encoded.
    #[error("certificate building failed: {0}")]
    Build(String),
}

impl From<der::Error> for PkiError {
    fn from(e: der::Error) -> Self {
        Self::Build(e.to_string())
    }
}

impl From<x509_cert::builder::Error> for PkiError {
    fn from(e: x509_cert::builder::Error) -> Self {
        Self::Build(e.to_string())
    }
}

impl From<rsa::pkcs8::spki::Error> for PkiError {
    fn from(e: rsa::pkcs8::spki::Error) -> Self {
        Self::Build(e.to_string())
    }
}

/// Which of the two JPKI hierarchies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// 利用者証明用 (user authentication).
    Auth,
    /// 署名用 (digital signature).
    Sign,
}

impl Purpose {
    /// The issuer DN of the test CA, shaped like the real one with `O=JPKI-TEST` (docs/card.md §7).
    pub fn ca_name(self) -> &'static str {
        match self {
            Self::Auth => "OU=Japan Agency for Local Authority Information Systems,OU=JPKI for user authentication,O=JPKI-TEST,C=JP",
            Self::Sign => "OU=Japan Agency for Local Authority Information Systems,OU=JPKI for digital signature,O=JPKI-TEST,C=JP",
        }
    }
}

/// Validity of a certificate, in seconds since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// notBefore.
    pub not_before: u64,
    /// notAfter.
    pub not_after: u64,
}

impl Period {
    /// From an hour ago for `days` days.
    pub fn from_now(days: u64) -> Self {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let not_before = now.saturating_sub(3600);
        Self {
            not_before,
            not_after: not_before + days * 86_400,
        }
    }

    fn to_validity(self) -> Result<Validity, PkiError> {
        let time = |secs: u64| -> Result<Time, PkiError> {
            Ok(Time::UtcTime(UtcTime::from_unix_duration(
                Duration::from_secs(secs),
            )?))
        };
        Ok(Validity {
            not_before: time(self.not_before)?,
            not_after: time(self.not_after)?,
        })
    }
}

/// A key and its certificate.
pub struct Issued {
    /// The private key (TEST ONLY).
    pub key: RsaPrivateKey,
    /// The certificate, DER.
    pub cert_der: Vec<u8>,
}

/// Generates an RSA-2048 key, as on the card.
///
/// # Errors
/// [`PkiError`] when the random generator or RSA key generation fails.
pub fn generate_key() -> Result<RsaPrivateKey, PkiError> {
    generate_key_of(2048)
}

/// Generates an RSA key of `bits` (a CA's key may be 2048 or 4096 bits).
///
/// # Errors
/// As [`generate_key`].
pub fn generate_key_of(bits: usize) -> Result<RsaPrivateKey, PkiError> {
    Ok(RsaPrivateKey::new(&mut rand::thread_rng(), bits)?)
}

/// The shapes a certificate's serial number takes in the field. A positive INTEGER whose first
/// byte is 0x80 or more is DER-encoded with a leading 00 byte: about half of real cards have
/// such a serial, so the fixtures must make them too (`docs/certificates.md`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SerialShape {
    /// 8 random bytes, the high bit as chance gives it: what a real CA issues.
    #[default]
    Random,
    /// 8 random bytes, the first 0x80 or more: DER adds a leading 00.
    HighBit,
    /// 8 random bytes, the first below 0x80.
    LowBit,
    /// One byte (1–0x7F), counted up within a process so that the cards of one test run do
    /// not share a serial (up to 127 of them).
    OneByte,
    /// 20 bytes, the most RFC 5280 allows (the first below 0x80, so DER needs no 00).
    Twenty,
    /// 20 bytes with the high bit set: 21 octets in DER, which RFC 5280 readers must accept.
    TwentyHighBit,
    /// Exactly these bytes (big-endian magnitude), e.g. `80 A1 B2 C3 D4 E5 F6 01`.
    Exact(Vec<u8>),
}

impl SerialShape {
    /// Every shape with a random part, for tests that loop over them.
    pub const ALL: [SerialShape; 6] = [
        Self::Random,
        Self::HighBit,
        Self::LowBit,
        Self::OneByte,
        Self::Twenty,
        Self::TwentyHighBit,
    ];

    /// The magnitude bytes of a new serial of this shape.
    pub fn bytes(&self) -> Vec<u8> {
        let mut bytes: Vec<u8> = match self {
            Self::Random | Self::HighBit | Self::LowBit => rand::random::<[u8; 8]>().to_vec(),
            Self::OneByte => {
                use std::sync::atomic::{AtomicU8, Ordering};
                static NEXT: AtomicU8 = AtomicU8::new(0);
                vec![NEXT.fetch_add(1, Ordering::Relaxed) % 0x7F + 1]
            }
            Self::Twenty | Self::TwentyHighBit => rand::random::<[u8; 20]>().to_vec(),
            Self::Exact(bytes) => return bytes.clone(),
        };
        match self {
            Self::HighBit | Self::TwentyHighBit => bytes[0] |= 0x80,
            Self::LowBit | Self::Twenty => bytes[0] = (bytes[0] & 0x7F).max(1),
            Self::Random => bytes[0] = bytes[0].max(1),
            _ => {}
        }
        bytes
    }

    fn serial(&self) -> Result<SerialNumber, PkiError> {
        let bytes = self.bytes();
        if bytes.len() > 20 || bytes.len() == 20 && bytes[0] >= 0x80 {
            // `SerialNumber::new` refuses encodings over 20 octets, which CAs nonetheless
            // issue; build it from its DER instead, as a reader would meet it.
            let mut der = vec![0x02, (bytes.len() + 1) as u8, 0x00];
            der.extend_from_slice(&bytes);
            return Ok(SerialNumber::from_der(&der)?);
        }
        Ok(SerialNumber::new(&bytes)?)
    }
}

/// How a CA's name is written. JPKI's names are ASCII in PrintableString; other profiles use
/// UTF8String, and a name may carry Japanese text, which only UTF8String can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IssuerShape {
    /// The test DN, each value a PrintableString (as J-LIS writes its names).
    #[default]
    Printable,
    /// The same DN, each value a UTF8String.
    Utf8,
    /// A DN with a Japanese organizational unit, UTF8String.
    Japanese,
}

impl IssuerShape {
    /// Every shape.
    pub const ALL: [IssuerShape; 3] = [Self::Printable, Self::Utf8, Self::Japanese];

    fn name(self, purpose: Purpose) -> Result<Name, PkiError> {
        use der::{asn1::Any, Tag};
        let text = match self {
            Self::Printable | Self::Utf8 => purpose.ca_name().to_owned(),
            Self::Japanese => format!("OU=地方公共団体情報システム機構,{}", purpose.ca_name()),
        };
        let mut name = parse_name(&text)?;
        for rdn in name.0.iter_mut() {
            let mut atvs = Vec::new();
            for atv in rdn.0.iter() {
                let mut atv = atv.clone();
                let value = atv.value.value().to_vec();
                let printable = value
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || b" '()+,-./:=?".contains(b));
                let tag = if self == Self::Printable && printable {
                    Tag::PrintableString
                } else {
                    Tag::Utf8String
                };
                atv.value = Any::new(tag, value)?;
                atvs.push(atv);
            }
            *rdn = x509_cert::name::RelativeDistinguishedName::try_from(atvs)?;
        }
        Ok(name)
    }
}

/// What a test CA looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaOptions {
    /// Validity.
    pub period: Period,
    /// The key's size in bits.
    pub bits: usize,
    /// How its name is written.
    pub issuer: IssuerShape,
}

impl CaOptions {
    /// A 2048-bit CA named in PrintableString, valid for `period`.
    pub fn new(period: Period) -> Self {
        Self {
            period,
            bits: 2048,
            issuer: IssuerShape::default(),
        }
    }
}

fn spki_of(key: &RsaPrivateKey) -> Result<SubjectPublicKeyInfoOwned, PkiError> {
    let der = key.to_public_key().to_public_key_der()?;
    Ok(SubjectPublicKeyInfoOwned::from_der(der.as_bytes())?)
}

fn parse_name(name: &str) -> Result<Name, PkiError> {
    name.parse::<Name>()
        .map_err(|e| PkiError::Build(format!("name {name:?}: {e}")))
}

/// Makes a self-signed test CA for one hierarchy, with the extensions of the real ones:
/// BasicConstraints CA (critical), KeyUsage keyCertSign|cRLSign (critical), key identifiers.
///
/// # Errors
/// [`PkiError`] when the key cannot be generated or the certificate cannot be built or signed.
pub fn make_ca(purpose: Purpose, period: Period) -> Result<Issued, PkiError> {
    make_ca_with(purpose, &CaOptions::new(period))
}

/// Makes a self-signed test CA of the given shape (see [`make_ca`]).
///
/// # Errors
/// As [`make_ca`].
pub fn make_ca_with(purpose: Purpose, options: &CaOptions) -> Result<Issued, PkiError> {
    let key = generate_key_of(options.bits)?;
    let signer = SigningKey::<Sha256>::new(key.clone());
    let spki = spki_of(&key)?;
    let mut builder = CertificateBuilder::new(
        Profile::Manual { issuer: None },
        SerialShape::LowBit.serial()?,
        options.period.to_validity()?,
        options.issuer.name(purpose)?,
        spki.clone(),
        &signer,
    )?;
    builder.add_extension(&BasicConstraints {
        ca: true,
        path_len_constraint: None,
    })?;
    builder.add_extension(&KeyUsage(KeyUsages::KeyCertSign | KeyUsages::CRLSign))?;
    builder.add_extension(&SubjectKeyIdentifier::try_from(spki.owned_to_ref())?)?;
    let cert = builder.build::<rsa::pkcs1v15::Signature>()?;
    Ok(Issued {
        key,
        cert_der: cert.to_der()?,
    })
}

/// What to put in a card's certificates.
#[derive(Debug, Clone)]
pub struct CardCertOptions {
    /// Validity of both certificates.
    pub period: Period,
    /// The key usage of the user-authentication certificate (the real one: digitalSignature).
    pub auth_key_usage: KeyUsage,
    /// The shape of the user-authentication certificate's serial number.
    pub auth_serial: SerialShape,
}

impl Default for CardCertOptions {
    fn default() -> Self {
        Self {
            period: Period::from_now(5 * 365),
            auth_key_usage: KeyUsage(KeyUsages::DigitalSignature.into()),
            auth_serial: SerialShape::Random,
        }
    }
}

/// An opaque subject CN like the real auth certificate's (no personal data).
fn opaque_id() -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    (0..23)
        .map(|_| char::from(ALPHABET[rand::random::<usize>() % ALPHABET.len()]))
        .collect()
}

/// Issues an end-entity certificate for `key` under the CA, with a random serial.
///
/// # Errors
/// [`PkiError`] when the certificate cannot be built or signed.
pub fn issue(
    ca: &Issued,
    purpose: Purpose,
    key: &RsaPrivateKey,
    key_usage: KeyUsage,
    period: Period,
) -> Result<Vec<u8>, PkiError> {
    issue_with(ca, purpose, key, key_usage, period, &SerialShape::Random)
}

/// Issues an end-entity certificate for `key` under the CA, with a serial of `serial`'s shape.
///
/// # Errors
/// As [`issue`].
pub fn issue_with(
    ca: &Issued,
    purpose: Purpose,
    key: &RsaPrivateKey,
    key_usage: KeyUsage,
    period: Period,
    serial: &SerialShape,
) -> Result<Vec<u8>, PkiError> {
    let ca_cert = Certificate::from_der(&ca.cert_der)?;
    let signer = SigningKey::<Sha256>::new(ca.key.clone());
    // The auth certificate names nobody: C=JP and an opaque CN (docs/card.md §7). The signing
    // certificate would carry the 4 attributes; the test card puts placeholders only.
    let subject = match purpose {
        Purpose::Auth => format!("CN={},C=JP", opaque_id()),
        Purpose::Sign => format!("CN=TEST CARD HOLDER {},L=Test-shi,C=JP", opaque_id()),
    };
    let mut builder = CertificateBuilder::new(
        Profile::Manual {
            issuer: Some(ca_cert.tbs_certificate.subject.clone()),
        },
        serial.serial()?,
        period.to_validity()?,
        parse_name(&subject)?,
        spki_of(key)?,
        &signer,
    )?;
    builder.add_extension(&key_usage)?;
    builder.add_extension(&AuthorityKeyIdentifier::try_from(
        ca_cert
            .tbs_certificate
            .subject_public_key_info
            .owned_to_ref(),
    )?)?;
    let cert = builder.build::<rsa::pkcs1v15::Signature>()?;
    Ok(cert.to_der()?)
}

/// Signs a CRL of the CA revoking the given certificates (DER), for revocation tests.
///
/// # Errors
/// [`PkiError`] when a revoked certificate is not DER or the list cannot be built or signed.
pub fn make_crl(ca: &Issued, revoked: &[&[u8]], period: Period) -> Result<Vec<u8>, PkiError> {
    use rsa::signature::{SignatureEncoding, Signer};
    use x509_cert::{
        crl::{CertificateList, RevokedCert, TbsCertList},
        spki::AlgorithmIdentifierOwned,
        Version,
    };
    let ca_cert = Certificate::from_der(&ca.cert_der)?;
    let validity = period.to_validity()?;
    let revoked_certificates = revoked
        .iter()
        .map(|der| {
            Ok(RevokedCert {
                serial_number: Certificate::from_der(der)?.tbs_certificate.serial_number,
                revocation_date: validity.not_before,
                crl_entry_extensions: None,
            })
        })
        .collect::<Result<Vec<_>, PkiError>>()?;
    let algorithm = AlgorithmIdentifierOwned {
        oid: der::asn1::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11"),
        parameters: Some(der::asn1::Null.into()),
    };
    let tbs = TbsCertList {
        version: Version::V2,
        signature: algorithm.clone(),
        issuer: ca_cert.tbs_certificate.subject,
        this_update: validity.not_before,
        next_update: Some(validity.not_after),
        revoked_certificates: Some(revoked_certificates),
        crl_extensions: None,
    };
    let signature = SigningKey::<Sha256>::new(ca.key.clone())
        .try_sign(&tbs.to_der()?)
        .map_err(|e| PkiError::Build(e.to_string()))?;
    let crl = CertificateList {
        tbs_cert_list: tbs,
        signature_algorithm: algorithm,
        signature: der::asn1::BitString::from_bytes(&signature.to_bytes())?,
    };
    Ok(crl.to_der()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::{pkcs1v15::VerifyingKey, signature::Verifier};

    #[test]
    fn a_card_certificate_chains_to_its_ca() {
        let period = Period::from_now(30);
        let ca = make_ca(Purpose::Auth, period).expect("ca");
        let key = generate_key().expect("key");
        let der = issue(
            &ca,
            Purpose::Auth,
            &key,
            KeyUsage(KeyUsages::DigitalSignature.into()),
            period,
        )
        .expect("issue");
        let cert = Certificate::from_der(&der).expect("parses");
        let ca_cert = Certificate::from_der(&ca.cert_der).expect("parses");
        assert_eq!(cert.tbs_certificate.issuer, ca_cert.tbs_certificate.subject);
        assert_eq!(
            ca_cert.tbs_certificate.issuer,
            ca_cert.tbs_certificate.subject
        );
        assert!(ca_cert
            .tbs_certificate
            .issuer
            .to_string()
            .contains("O=JPKI-TEST"));
        let tbs = cert.tbs_certificate.to_der().expect("tbs");
        let signature =
            rsa::pkcs1v15::Signature::try_from(cert.signature.raw_bytes()).expect("sig");
        VerifyingKey::<Sha256>::new(ca.key.to_public_key())
            .verify(&tbs, &signature)
            .expect("the CA signed the card certificate");
    }
}
