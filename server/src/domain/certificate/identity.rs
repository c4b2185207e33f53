//! A certificate's identity: its issuer (canonical DN) and serial number, the one place both are
//! computed, so that a certificate is the same key wherever it is looked up (sessions, registry
//! links, revocation). A serial is its magnitude: with or without DER's sign-padding 00 byte (a
//! serial with the high bit set), it is the same identity.

use der::Decode;
use x509_cert::{name::Name, serial_number::SerialNumber, Certificate};

/// Who a certificate is: its issuer's name and its serial number, the pair RFC 5280 (4.1.2.2)
/// makes unique. The registry links a person to it, revocations name it, sessions and rate
/// limits are keyed by it. It is computed only here, from a parsed certificate, a CRL entry or a
/// feed's text, so the three always agree (`docs/certificates.md`):
///
/// - the issuer is the DN in RFC 4514 text, as `x509-cert` renders it: the same for a name
///   encoded as PrintableString or UTF8String, Japanese text included;
/// - the serial is the lower-case hex of the number's magnitude: DER puts a 00 byte before a
///   serial whose first byte is 0x80 or more (about half of real cards) to keep it positive,
///   and a feed may write the serial with or without it; neither form changes the identity.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CertificateId {
    pub(super) issuer: String,
    pub(super) serial: String,
}

/// Why a feed's issuer or serial is not a certificate identity.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    /// The issuer is empty or not an RFC 4514 distinguished name.
    #[error(
        "issuer must be an RFC 4514 distinguished name such as \"OU=…,O=JPKI,C=JP\", not {0:?}"
    )]
    Issuer(String),
    /// The serial is empty or not hexadecimal.
    #[error("serial must be hexadecimal (colons, spaces and 0x allowed), not {0:?}")]
    Serial(String),
    /// The serial is longer than 20 octets (RFC 5280 4.1.2.2).
    #[error("serial is longer than 20 octets: {0:?}")]
    SerialTooLong(String),
}

impl CertificateId {
    /// The identity of a certificate issued by `issuer` with `serial`.
    pub fn new(issuer: &Name, serial: &SerialNumber) -> Self {
        Self {
            issuer: issuer.to_string(),
            serial: serial_hex(serial.as_bytes()),
        }
    }

    /// The identity of a certificate (DER); `None` when it does not parse.
    pub fn of_der(der: &[u8]) -> Option<Self> {
        let certificate = Certificate::from_der(der).ok()?;
        let tbs = &certificate.tbs_certificate;
        Some(Self::new(&tbs.issuer, &tbs.serial_number))
    }

    /// An identity from a feed's text: the issuer DN (re-rendered, so spacing and string types
    /// do not matter) and the serial in hex, with or without DER's leading 00, colons, spaces
    /// or `0x`.
    ///
    /// # Errors
    /// [`IdentityError`] says which of the two is not acceptable.
    pub fn parse(issuer: &str, serial: &str) -> Result<Self, IdentityError> {
        Ok(Self {
            issuer: canonical_issuer(issuer)?,
            serial: parse_serial(serial)?,
        })
    }

    /// The issuer DN, RFC 4514.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The serial number's magnitude, lower-case hex, no leading zero byte.
    pub fn serial(&self) -> &str {
        &self.serial
    }

    /// The key the database stores: `issuer|serial`.
    pub fn key(&self) -> String {
        format!("{}|{}", self.issuer, self.serial)
    }
}

impl std::fmt::Display for CertificateId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}|{}", self.issuer, self.serial)
    }
}

/// An RFC 4514 DN as [`CertificateId`] keeps it: spaces around the separators dropped first
/// (RFC 4514 has none, but people write them), then parsed and rendered again by `x509-cert`.
fn canonical_issuer(text: &str) -> Result<String, IdentityError> {
    let err = || IdentityError::Issuer(text.to_owned());
    fn tidy_pair(pair: &str) -> String {
        match pair.split_once('=') {
            Some((kind, value)) => {
                let value = value.trim_start();
                // A trailing space may be escaped ("\ "): keep that one.
                let value = if value.ends_with("\\ ") {
                    value
                } else {
                    value.trim_end()
                };
                format!("{}={value}", kind.trim())
            }
            None => pair.trim().to_owned(),
        }
    }
    let mut tidy = String::with_capacity(text.len());
    let mut pair = String::new();
    let mut escaped = false;
    for c in text.trim().chars() {
        if escaped {
            pair.push(c);
            escaped = false;
            continue;
        }
        match c {
            '\\' => {
                pair.push(c);
                escaped = true;
            }
            ',' | '+' => {
                tidy.push_str(&tidy_pair(&pair));
                tidy.push(c);
                pair.clear();
            }
            _ => pair.push(c),
        }
    }
    tidy.push_str(&tidy_pair(&pair));
    if tidy.is_empty() {
        return Err(err());
    }
    let name: Name = tidy.parse().map_err(|_| err())?;
    if name.0.is_empty() {
        return Err(err());
    }
    Ok(name.to_string())
}

/// A feed's serial as the hex of its magnitude.
fn parse_serial(text: &str) -> Result<String, IdentityError> {
    let digits: String = text
        .trim()
        .chars()
        .filter(|c| !matches!(c, ':' | ' '))
        .collect();
    let digits = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
        .unwrap_or(&digits);
    let padded = if digits.len() % 2 == 1 {
        format!("0{digits}")
    } else {
        digits.to_owned()
    };
    match hex::decode(&padded) {
        Ok(bytes) if !bytes.is_empty() => {
            let hex = serial_hex(&bytes);
            if hex.len() > 40 {
                return Err(IdentityError::SerialTooLong(text.to_owned()));
            }
            Ok(hex)
        }
        _ => Err(IdentityError::Serial(text.to_owned())),
    }
}

/// The `issuer|serial` key of a certificate (DER), as [`CertificateId::key`] gives it: what
/// the registry feed links to a person.
pub fn certificate_key(der: &[u8]) -> Option<String> {
    CertificateId::of_der(der).map(|id| id.key())
}

/// A serial number's content octets as the lower-case hex of its magnitude: DER's leading zero
/// bytes (which keep a positive number positive) removed.
fn serial_hex(bytes: &[u8]) -> String {
    let start = bytes
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(bytes.len().saturating_sub(1));
    hex::encode(&bytes[start..])
}
