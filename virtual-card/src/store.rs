//! The card directory and the CA directory on disk: the only file I/O of the virtual card.
//!
//! ```text
//! CA_DIR/   auth-ca.cert.der  auth-ca.cert.pem  auth-ca.TEST-ONLY.key.pem
//!           sign-ca.cert.der  sign-ca.cert.pem  sign-ca.TEST-ONLY.key.pem
//! CARD_DIR/ card.json (kind)  state.json (tries, salted PIN hashes)
//!           auth.cert.der  auth-ca.cert.der  auth.TEST-ONLY.key.pem
//!           sign.cert.der  sign-ca.cert.der  sign.TEST-ONLY.key.pem
//! ```
//! `state.json` is rewritten atomically whenever the tries or a PIN change, so tries persist
//! across restarts of the card process as they do on a real card.

use std::{
    fs,
    io::Write,
    path::{Path, PathBuf},
    sync::Arc,
};

use der::{Decode, EncodePem};
use rsa::{
    pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding},
    RsaPrivateKey,
};
use serde::{Deserialize, Serialize};
use x509_cert::{
    ext::pkix::{KeyUsage, KeyUsages},
    Certificate,
};

use crate::{
    card::{CardKind, CardProfile, CardState, PinHash},
    pki::{self, CardCertOptions, Issued, Period, PkiError, Purpose, SerialShape},
};

/// Why a directory could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// File system error, with the path.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What happened.
        source: std::io::Error,
    },
    /// A file holds something unexpected.
    #[error("{path}: {reason}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// Key or certificate generation failed.
    #[error(transparent)]
    Pki(#[from] PkiError),
    /// A PIN or password does not have the card's format.
    #[error("{0}")]
    PinFormat(&'static str),
    /// The folder already holds a test CA or card; nothing is overwritten (the cards issued
    /// under an old CA would become untrusted, an old card's keys lost).
    #[error("{path} already holds a test {what}: remove it first or choose another folder")]
    Exists {
        /// The file found.
        path: PathBuf,
        /// `CA` or `card`.
        what: &'static str,
    },
}

/// [`StoreError::Exists`] for the first of `files` in `dir` that exists.
fn refuse_existing(dir: &Path, files: &[&str], what: &'static str) -> Result<(), StoreError> {
    match files.iter().map(|f| dir.join(f)).find(|p| p.exists()) {
        Some(path) => Err(StoreError::Exists { path, what }),
        None => Ok(()),
    }
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_owned(),
        source,
    }
}

fn invalid(path: &Path, reason: impl ToString) -> StoreError {
    StoreError::Invalid {
        path: path.to_owned(),
        reason: reason.to_string(),
    }
}

fn read(path: &Path) -> Result<Vec<u8>, StoreError> {
    fs::read(path).map_err(io_error(path))
}

/// Writes through a temporary file and a rename, so a crash never leaves half a file.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let tmp = path.with_extension("tmp");
    let mut file = fs::File::create(&tmp).map_err(io_error(&tmp))?;
    file.write_all(bytes).map_err(io_error(&tmp))?;
    file.sync_all().map_err(io_error(&tmp))?;
    fs::rename(&tmp, path).map_err(io_error(path))
}

fn write_key(path: &Path, key: &RsaPrivateKey) -> Result<(), StoreError> {
    let pem = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| invalid(path, e))?;
    write_atomic(path, pem.as_bytes())
}

fn read_key(path: &Path) -> Result<RsaPrivateKey, StoreError> {
    let pem = String::from_utf8(read(path)?).map_err(|e| invalid(path, e))?;
    RsaPrivateKey::from_pkcs8_pem(&pem).map_err(|e| invalid(path, e))
}

fn write_cert(dir: &Path, stem: &str, der: &[u8], with_pem: bool) -> Result<(), StoreError> {
    write_atomic(&dir.join(format!("{stem}.cert.der")), der)?;
    if with_pem {
        let path = dir.join(format!("{stem}.cert.pem"));
        let cert = Certificate::from_der(der).map_err(|e| invalid(&path, e))?;
        let pem = cert.to_pem(LineEnding::LF).map_err(|e| invalid(&path, e))?;
        write_atomic(&path, pem.as_bytes())?;
    }
    Ok(())
}

/// The test CA: one root per hierarchy (user authentication and signing).
pub struct CaDir {
    /// The user-authentication CA.
    pub auth: Issued,
    /// The signing CA.
    pub sign: Issued,
}

impl CaDir {
    /// Creates a new test CA in `dir` (valid 10 years from an hour ago).
    ///
    /// # Errors
    /// [`StoreError::Exists`] when `dir` already holds a CA; [`StoreError`] when a key cannot be
    /// generated or a file cannot be written.
    pub fn create(dir: &Path) -> Result<Self, StoreError> {
        Self::create_with(dir, Period::from_now(10 * 365))
    }

    /// Creates a new test CA in `dir` valid for `period`.
    ///
    /// # Errors
    /// As [`CaDir::create`].
    pub fn create_with(dir: &Path, period: Period) -> Result<Self, StoreError> {
        Self::create_shaped(dir, &pki::CaOptions::new(period))
    }

    /// Creates a new test CA in `dir` of the given shape (name encoding, key size, validity).
    ///
    /// # Errors
    /// [`StoreError::Exists`] when `dir` already holds a CA file; I/O and key generation errors.
    pub fn create_shaped(dir: &Path, options: &pki::CaOptions) -> Result<Self, StoreError> {
        refuse_existing(
            dir,
            &[
                "auth-ca.cert.der",
                "auth-ca.cert.pem",
                "auth-ca.TEST-ONLY.key.pem",
                "sign-ca.cert.der",
                "sign-ca.cert.pem",
                "sign-ca.TEST-ONLY.key.pem",
            ],
            "CA",
        )?;
        fs::create_dir_all(dir).map_err(io_error(dir))?;
        let ca = Self {
            auth: pki::make_ca_with(Purpose::Auth, options)?,
            sign: pki::make_ca_with(Purpose::Sign, options)?,
        };
        for (stem, issued) in [("auth-ca", &ca.auth), ("sign-ca", &ca.sign)] {
            write_cert(dir, stem, &issued.cert_der, true)?;
            write_key(&dir.join(format!("{stem}.TEST-ONLY.key.pem")), &issued.key)?;
        }
        Ok(ca)
    }

    /// Opens an existing test CA.
    ///
    /// # Errors
    /// [`StoreError`] when a file of the CA is missing or unreadable.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        let load = |stem: &str| -> Result<Issued, StoreError> {
            Ok(Issued {
                key: read_key(&dir.join(format!("{stem}.TEST-ONLY.key.pem")))?,
                cert_der: read(&dir.join(format!("{stem}.cert.der")))?,
            })
        };
        Ok(Self {
            auth: load("auth-ca")?,
            sign: load("sign-ca")?,
        })
    }

    /// Opens the CA in `dir`, creating it when the directory has none.
    ///
    /// # Errors
    /// As [`CaDir::open`] and [`CaDir::create`].
    pub fn open_or_create(dir: &Path) -> Result<Self, StoreError> {
        if dir.join("auth-ca.cert.der").exists() {
            Self::open(dir)
        } else {
            Self::create(dir)
        }
    }
}

/// What a new card holds.
pub struct NewCard<'a> {
    /// The user-authentication PIN (4 digits).
    pub pin: &'a str,
    /// The signing password (6–16 of `[A-Z0-9]`).
    pub sign_password: &'a str,
    /// My Number Card or another card.
    pub kind: CardKind,
    /// Validity and key usage.
    pub certs: CardCertOptions,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CardJson {
    kind: CardKind,
}

/// A card directory.
#[derive(Debug, Clone)]
pub struct CardDir {
    dir: PathBuf,
}

impl CardDir {
    /// The directory of an existing card.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Issues a card under the CA and writes it to `dir`.
    ///
    /// # Errors
    /// [`StoreError::PinFormat`] for a PIN that is not 4 digits; [`StoreError::Exists`] when `dir`
    /// already holds a card; [`StoreError`] when a key, a certificate or a file cannot be made.
    pub fn create(dir: &Path, ca: &CaDir, new: &NewCard<'_>) -> Result<Self, StoreError> {
        if new.pin.len() != 4 || !new.pin.bytes().all(|b| b.is_ascii_digit()) {
            return Err(StoreError::PinFormat("the PIN must be exactly 4 digits"));
        }
        let password_ok = (6..=16).contains(&new.sign_password.len())
            && new
                .sign_password
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if !password_ok {
            return Err(StoreError::PinFormat(
                "the signing password must be 6 to 16 characters of A-Z and 0-9",
            ));
        }
        refuse_existing(
            dir,
            &["card.json", "state.json", "auth.TEST-ONLY.key.pem"],
            "card",
        )?;
        fs::create_dir_all(dir).map_err(io_error(dir))?;
        let auth_key = pki::generate_key()?;
        let sign_key = pki::generate_key()?;
        let period = new.certs.period;
        let auth_cert = pki::issue_with(
            &ca.auth,
            Purpose::Auth,
            &auth_key,
            new.certs.auth_key_usage,
            period,
            &new.certs.auth_serial,
        )?;
        let sign_usage = KeyUsage(KeyUsages::DigitalSignature | KeyUsages::NonRepudiation);
        let sign_cert = pki::issue(&ca.sign, Purpose::Sign, &sign_key, sign_usage, period)?;
        write_cert(dir, "auth", &auth_cert, true)?;
        write_cert(dir, "auth-ca", &ca.auth.cert_der, false)?;
        write_cert(dir, "sign", &sign_cert, false)?;
        write_cert(dir, "sign-ca", &ca.sign.cert_der, false)?;
        write_key(&dir.join("auth.TEST-ONLY.key.pem"), &auth_key)?;
        write_key(&dir.join("sign.TEST-ONLY.key.pem"), &sign_key)?;
        let card_json =
            serde_json::to_vec_pretty(&CardJson { kind: new.kind }).map_err(|e| invalid(dir, e))?;
        write_atomic(&dir.join("card.json"), &card_json)?;
        let card = Self::new(dir);
        card.save_state(&CardState {
            auth_pin_tries: jpki::files::AUTH_PIN_MAX_TRIES,
            sign_pin_tries: jpki::files::SIGN_PIN_MAX_TRIES,
            auth_pin: PinHash::new(new.pin.as_bytes()),
            sign_pin: PinHash::new(new.sign_password.as_bytes()),
        })?;
        Ok(card)
    }

    /// Reads the card's profile and state.
    ///
    /// # Errors
    /// [`StoreError`] when a file of the card is missing, unreadable or not what it should be.
    pub fn open(&self) -> Result<(Arc<CardProfile>, CardState), StoreError> {
        let path = |name: &str| self.dir.join(name);
        let card_json: CardJson = serde_json::from_slice(&read(&path("card.json"))?)
            .map_err(|e| invalid(&path("card.json"), e))?;
        let profile = CardProfile {
            kind: card_json.kind,
            auth_cert: read(&path("auth.cert.der"))?,
            auth_ca_cert: read(&path("auth-ca.cert.der"))?,
            sign_cert: read(&path("sign.cert.der"))?,
            sign_ca_cert: read(&path("sign-ca.cert.der"))?,
            auth_key: read_key(&path("auth.TEST-ONLY.key.pem"))?,
            sign_key: read_key(&path("sign.TEST-ONLY.key.pem"))?,
        };
        Ok((Arc::new(profile), self.load_state()?))
    }

    /// Reads the persistent state.
    ///
    /// # Errors
    /// [`StoreError`] when `state.json` is missing, unreadable or not the state's JSON.
    pub fn load_state(&self) -> Result<CardState, StoreError> {
        let path = self.dir.join("state.json");
        serde_json::from_slice(&read(&path)?).map_err(|e| invalid(&path, e))
    }

    /// Saves the persistent state atomically.
    ///
    /// # Errors
    /// [`StoreError`] when the file cannot be written.
    pub fn save_state(&self, state: &CardState) -> Result<(), StoreError> {
        let path = self.dir.join("state.json");
        let bytes = serde_json::to_vec_pretty(state).map_err(|e| invalid(&path, e))?;
        write_atomic(&path, &bytes)
    }

    /// Sets the tries of the user-authentication PIN (for tests: a card with 1 try left).
    ///
    /// # Errors
    /// As [`CardDir::load_state`] and [`CardDir::save_state`].
    pub fn set_auth_pin_tries(&self, tries: u8) -> Result<(), StoreError> {
        let mut state = self.load_state()?;
        state.auth_pin_tries = tries.min(jpki::files::AUTH_PIN_MAX_TRIES);
        self.save_state(&state)
    }

    /// The user-authentication certificate (DER).
    ///
    /// # Errors
    /// [`StoreError`] when the certificate's file is missing or unreadable.
    pub fn auth_cert(&self) -> Result<Vec<u8>, StoreError> {
        read(&self.dir.join("auth.cert.der"))
    }

    /// Renews the user-authentication certificate under `ca` for the card's key: a new serial,
    /// as after a real renewal (F3 ③). Returns the new certificate (DER).
    ///
    /// # Errors
    /// As [`CardDir::reissue_auth_cert`].
    pub fn renew_auth_cert(&self, ca: &CaDir, period: Period) -> Result<Vec<u8>, StoreError> {
        self.reissue_auth_cert(&ca.auth, period, &SerialShape::Random)
    }

    /// Issues the user-authentication certificate again for the card's key, under `ca` (a test
    /// CA of any shape), with a serial of `serial`'s shape; the card then presents that CA's
    /// certificate too. Returns the new certificate (DER).
    ///
    /// # Errors
    /// [`StoreError`] when the card's key cannot be read, the certificate cannot be issued, or a
    /// file cannot be written.
    pub fn reissue_auth_cert(
        &self,
        ca: &Issued,
        period: Period,
        serial: &SerialShape,
    ) -> Result<Vec<u8>, StoreError> {
        let key = read_key(&self.dir.join("auth.TEST-ONLY.key.pem"))?;
        let usage = KeyUsage(KeyUsages::DigitalSignature.into());
        let cert = pki::issue_with(ca, Purpose::Auth, &key, usage, period, serial)?;
        write_cert(&self.dir, "auth", &cert, true)?;
        write_cert(&self.dir, "auth-ca", &ca.cert_der, false)?;
        Ok(cert)
    }
}
