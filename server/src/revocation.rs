//! Revocation that every instance sees: CRLs are checked against the trust anchors and stored in
//! the database (`myna-server import crl FILE`, the `--crl` files at start, whenever one of them
//! changes and on SIGHUP), a login looks its certificate up there, and an open session of a
//! revoked certificate ends at its next request (`session.rs`). A CRL past its nextUpdate is
//! reported in `/healthz` and `/metrics` and, with `--stale-crl refuse`, stops logins with that
//! CA's certificates. See `docs/certificates.md`.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    time::{Duration, SystemTime},
};

use crate::{
    config::StaleCrlPolicy,
    db::{CrlImport, CrlRow, DbError},
    domain::certificate::{LoginError, TrustError, TrustStore, VerifiedCertificate},
    error::ApiError,
    AppState,
};

/// Why a CRL file could not be imported.
#[derive(Debug, thiserror::Error)]
pub enum RevocationError {
    /// The file could not be read.
    #[error("reading {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is PEM that does not decode.
    #[error("{path}: not DER, and not PEM that decodes: {detail}")]
    Pem {
        /// The file.
        path: PathBuf,
        /// What the PEM decoder said.
        detail: String,
    },
    /// Not a CRL of a configured CA.
    #[error("{path}: {source}")]
    Trust {
        /// The file.
        path: PathBuf,
        /// Why.
        source: TrustError,
    },
    /// Its thisUpdate is later than now (beyond [`CLOCK_SKEW_MS`]): it would block every
    /// genuine CRL until then.
    #[error("{path}: thisUpdate is in the future ({this_update}); check the clocks")]
    Future {
        /// The file.
        path: PathBuf,
        /// thisUpdate, RFC 3339.
        this_update: String,
    },
    /// The database refused it.
    #[error("storing the CRL: {0}")]
    Db(#[from] DbError),
}

/// How far a CRL's thisUpdate may be ahead of this machine's clock.
pub const CLOCK_SKEW_MS: i64 = 5 * 60 * 1000;

/// Reads a DER file, or the first block of a PEM file.
///
/// # Errors
/// [`RevocationError::Read`] or [`RevocationError::Pem`].
pub fn read_der(path: &Path) -> Result<Vec<u8>, RevocationError> {
    let bytes = std::fs::read(path).map_err(|source| RevocationError::Read {
        path: path.to_owned(),
        source,
    })?;
    if !bytes.starts_with(b"-----BEGIN") {
        return Ok(bytes);
    }
    der::pem::decode_vec(&bytes)
        .map(|(_, der)| der)
        .map_err(|e| RevocationError::Pem {
            path: path.to_owned(),
            detail: e.to_string(),
        })
}

/// Checks the CRL in `path` against the anchors and stores it.
///
/// # Errors
/// [`RevocationError`]: unreadable, not a CRL of a configured CA, or the database failed.
pub async fn import_file(
    db: &crate::db::Db,
    trust: &TrustStore,
    path: &Path,
    now_ms: i64,
) -> Result<CrlImport, RevocationError> {
    let der = read_der(path)?;
    let crl = trust
        .check_crl(&der)
        .map_err(|source| RevocationError::Trust {
            path: path.to_owned(),
            source,
        })?;
    if crl.this_update_ms > now_ms.saturating_add(CLOCK_SKEW_MS) {
        return Err(RevocationError::Future {
            path: path.to_owned(),
            this_update: crate::rfc3339(crl.this_update_ms),
        });
    }
    let done = db.import_crl(&crl, now_ms).await?;
    tracing::info!(path = %path.display(), issuer = %crl.issuer, revoked = crl.revoked.len(), outcome = ?done, "CRL");
    Ok(done)
}

/// Whether a CRL is past its nextUpdate at `now_ms`.
pub fn is_stale(crl: &CrlRow, now_ms: i64) -> bool {
    crl.next_update_ms.is_some_and(|next| next < now_ms)
}

/// The login's revocation check (`revoked`: what the database said of the certificate, read
/// with the session's challenges): revoked certificates are refused; with `--stale-crl refuse`,
/// so is a certificate whose CA (the generation that signed it) has no CRL in date.
///
/// # Errors
/// `CERTIFICATE_REVOKED`, `REVOCATION_UNAVAILABLE`, or a database failure.
pub async fn check_login(
    state: &AppState,
    verified: &VerifiedCertificate,
    revoked: bool,
    now_ms: i64,
) -> Result<(), ApiError> {
    if revoked {
        return Err(ApiError::Login(LoginError::Revoked));
    }
    if state.settings.stale_crl == StaleCrlPolicy::Refuse {
        let crls = state.db.crls().await?;
        let in_date = crls
            .iter()
            .any(|c| c.authority == verified.authority && !is_stale(c, now_ms));
        if !in_date {
            tracing::warn!(issuer = %verified.id.issuer(), "login refused: no CRL in date for its CA");
            return Err(ApiError::RevocationUnavailable);
        }
    }
    Ok(())
}

/// Imports every `--crl` file, logging what fails (a CRL that cannot be read leaves the
/// database's list as it was). Answers whether all went in.
pub async fn import_configured(state: &AppState) -> bool {
    let mut all = true;
    for path in &state.settings.crl {
        if let Err(error) = import_file(&state.db, &state.trust, path, state.now_ms()).await {
            tracing::error!(%error, "CRL not imported");
            all = false;
        }
    }
    all
}

/// At start: every `--crl` file must go in, or the server does not start (a typo in a path
/// must not leave the portal without revocation).
///
/// # Errors
/// The first file that cannot be imported, and why.
pub async fn import_at_start(state: &AppState) -> Result<(), RevocationError> {
    for path in &state.settings.crl {
        import_file(&state.db, &state.trust, path, state.now_ms()).await?;
    }
    Ok(())
}

fn fingerprint(path: &Path) -> Option<(SystemTime, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

/// SIGHUP, installed before the server serves so that a `kill -HUP` never ends the process.
pub struct Hangup(#[cfg(unix)] Option<tokio::signal::unix::Signal>);

impl Hangup {
    /// Installs the handler.
    pub fn install() -> Self {
        #[cfg(unix)]
        {
            Self(tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok())
        }
        #[cfg(not(unix))]
        {
            Self()
        }
    }

    async fn recv(&mut self) {
        #[cfg(unix)]
        if let Some(signal) = self.0.as_mut() {
            signal.recv().await;
            return;
        }
        std::future::pending::<()>().await;
    }
}

/// Keeps the database's revocations in step with the `--crl` files: looks at them every
/// `--crl-reload-secs` and imports those that changed (a failed import is tried again at the
/// next look), and reads all of them on SIGHUP.
pub async fn watch(state: AppState, mut hangup: Hangup) {
    let mut seen: HashMap<PathBuf, Option<(SystemTime, u64)>> = state
        .settings
        .crl
        .iter()
        .map(|path| (path.clone(), fingerprint(path)))
        .collect();
    let period = Duration::from_secs(state.settings.crl_reload_secs.max(1));
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {
                for path in &state.settings.crl {
                    let now = fingerprint(path);
                    if seen.get(path) == Some(&now) {
                        continue;
                    }
                    match import_file(&state.db, &state.trust, path, state.now_ms()).await {
                        Ok(_) => {
                            seen.insert(path.clone(), now);
                        }
                        Err(error) => tracing::error!(%error, "changed CRL not imported; trying again"),
                    }
                }
            }
            () = hangup.recv() => {
                tracing::info!(files = state.settings.crl.len(), "SIGHUP: reading the CRLs again");
                for path in &state.settings.crl {
                    seen.insert(path.clone(), fingerprint(path));
                }
                if !import_configured(&state).await {
                    // Looked at again at the next tick.
                    seen.clear();
                }
            }
        }
    }
}

/// What `/healthz` and `/metrics` say of the CRLs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CrlStatus {
    /// The CA's DN.
    pub issuer: String,
    /// thisUpdate (RFC 3339).
    pub this_update: String,
    /// nextUpdate (RFC 3339), when the CRL has one.
    pub next_update: Option<String>,
    /// Seconds since thisUpdate.
    pub age_seconds: i64,
    /// Past nextUpdate.
    pub stale: bool,
    /// Certificates it revokes.
    pub revoked: i64,
}

/// The state of every imported CRL at `now_ms`.
///
/// # Errors
/// A database failure.
pub async fn status(state: &AppState, now_ms: i64) -> Result<Vec<CrlStatus>, DbError> {
    Ok(state
        .db
        .crls()
        .await?
        .into_iter()
        .map(|crl| CrlStatus {
            stale: is_stale(&crl, now_ms),
            issuer: crl.issuer,
            this_update: crate::rfc3339(crl.this_update_ms),
            next_update: crl.next_update_ms.map(crate::rfc3339),
            age_seconds: (now_ms - crl.this_update_ms) / 1000,
            revoked: crl.revoked_count,
        })
        .collect())
}
