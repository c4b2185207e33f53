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
    domain::certificate::{CertificateId, LoginError, TrustError, TrustStore},
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
    /// The database refused it.
    #[error("storing the CRL: {0}")]
    Db(#[from] DbError),
}

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
    let done = db.import_crl(&crl, now_ms).await?;
    tracing::info!(path = %path.display(), issuer = %crl.issuer, revoked = crl.revoked.len(), outcome = ?done, "CRL");
    Ok(done)
}

/// Whether a CRL is past its nextUpdate at `now_ms`.
pub fn is_stale(crl: &CrlRow, now_ms: i64) -> bool {
    crl.next_update_ms.is_some_and(|next| next < now_ms)
}

/// The login's revocation check: revoked certificates are refused; with `--stale-crl refuse`,
/// so is a certificate whose CA's newest CRL is past its nextUpdate.
///
/// # Errors
/// `CERTIFICATE_REVOKED`, `REVOCATION_UNAVAILABLE`, or a database failure.
pub async fn check_login(
    state: &AppState,
    id: &CertificateId,
    now_ms: i64,
) -> Result<(), ApiError> {
    if state.db.is_revoked(&id.key()).await? {
        return Err(ApiError::Login(LoginError::Revoked));
    }
    if state.settings.stale_crl == StaleCrlPolicy::Refuse {
        let crls = state.db.crls().await?;
        let of_issuer: Vec<&CrlRow> = crls.iter().filter(|c| c.issuer == id.issuer()).collect();
        if !of_issuer.is_empty() && of_issuer.iter().all(|c| is_stale(c, now_ms)) {
            tracing::warn!(issuer = %id.issuer(), "login refused: the CRL is past its nextUpdate");
            return Err(ApiError::RevocationUnavailable);
        }
    }
    Ok(())
}

/// Imports every `--crl` file, logging what fails (a CRL that cannot be read leaves the
/// database's list as it was).
pub async fn import_configured(state: &AppState) {
    for path in &state.settings.crl {
        if let Err(error) = import_file(&state.db, &state.trust, path, state.now_ms()).await {
            tracing::error!(%error, "CRL not imported");
        }
    }
}

fn fingerprint(path: &Path) -> Option<(SystemTime, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

/// Keeps the database's revocations in step with the `--crl` files: reads them every
/// `--crl-reload-secs` and imports those that changed, and reads all of them on SIGHUP.
pub async fn watch(state: AppState) {
    if state.settings.crl.is_empty() {
        return;
    }
    let mut seen: HashMap<PathBuf, Option<(SystemTime, u64)>> = state
        .settings
        .crl
        .iter()
        .map(|path| (path.clone(), fingerprint(path)))
        .collect();
    let period = Duration::from_secs(state.settings.crl_reload_secs.max(1));
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    #[cfg(unix)]
    let mut hangup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok();
    loop {
        #[cfg(unix)]
        let hung_up = async {
            match hangup.as_mut() {
                Some(signal) => signal.recv().await,
                None => std::future::pending().await,
            }
        };
        #[cfg(not(unix))]
        let hung_up = std::future::pending::<Option<()>>();
        tokio::select! {
            _ = tick.tick() => {
                for path in &state.settings.crl {
                    let now = fingerprint(path);
                    if seen.get(path) != Some(&now) {
                        seen.insert(path.clone(), now);
                        if let Err(error) = import_file(&state.db, &state.trust, path, state.now_ms()).await {
                            tracing::error!(%error, "changed CRL not imported");
                        }
                    }
                }
            }
            _ = hung_up => {
                tracing::info!("SIGHUP: reading the CRLs again");
                for path in &state.settings.crl {
                    seen.insert(path.clone(), fingerprint(path));
                }
                import_configured(&state).await;
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
