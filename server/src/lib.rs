//! The portal's API (axum): card login, health-insurance registration and its status, on SQLite
//! by default or PostgreSQL.
//!
//! [`app`] builds the router from an [`AppState`] so that tests call it without a socket;
//! [`serve`] runs it on a listener. Handlers are thin (`handlers/`), rules are pure
//! (`domain/`), SQL lives only in [`db`], and every refusal becomes `{ code, message }` in
//! [`error`].

pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod feeds;
pub mod handlers;
pub mod session;

use std::sync::Arc;

use axum::{
    extract::DefaultBodyLimit,
    routing::{get, post},
    Router,
};

use crate::{config::Settings, db::Db, domain::certificate::TrustStore};

/// Largest request body accepted.
pub const MAX_BODY: usize = 16 * 1024;

/// The clock, injectable for tests: milliseconds since the Unix epoch.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// The JPKI CAs and CRLs.
    pub trust: Arc<TrustStore>,
    /// The settings.
    pub settings: Arc<Settings>,
    /// The clock.
    pub clock: Clock,
}

impl AppState {
    /// Now, in milliseconds since the epoch.
    pub fn now_ms(&self) -> i64 {
        (self.clock)()
    }
}

/// The real clock.
pub fn system_clock() -> Clock {
    Arc::new(|| chrono::Utc::now().timestamp_millis())
}

/// A time as RFC 3339 in JST, the way the SPA shows it.
pub fn rfc3339(ms: i64) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .with_timezone(&domain::eligibility::jst())
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

/// Reads the trust anchors and CRLs named in the settings.
pub fn load_trust(settings: &Settings) -> anyhow::Result<TrustStore> {
    use anyhow::Context as _;
    let mut store = TrustStore::default();
    let read_der = |path: &std::path::Path| -> anyhow::Result<Vec<u8>> {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        if bytes.starts_with(b"-----BEGIN") {
            let text = String::from_utf8(bytes)
                .with_context(|| format!("{} is not UTF-8", path.display()))?;
            let (_, der) = der::pem::decode_vec(text.as_bytes())
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            Ok(der)
        } else {
            Ok(bytes)
        }
    };
    for path in &settings.trust_ca {
        store
            .add_anchor(&read_der(path)?)
            .with_context(|| format!("trust anchor {}", path.display()))?;
    }
    for path in &settings.crl {
        store
            .add_crl(&read_der(path)?)
            .with_context(|| format!("CRL {}", path.display()))?;
    }
    Ok(store)
}

/// Every route.
pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .route("/session", get(handlers::session::get))
        .route("/auth/challenge", post(handlers::auth::challenge))
        .route("/auth/login", post(handlers::auth::login))
        .route("/auth/logout", post(handlers::auth::logout))
        .route("/insurance/application", post(handlers::insurance::apply))
        .route("/insurance/status", get(handlers::insurance::status));
    Router::new()
        .nest("/api/v1", api)
        .route("/healthz", get(handlers::health::get))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(state)
}

/// Runs the server on `listener` until `shutdown` completes.
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await
}
