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
pub mod limits;
pub mod maintenance;
pub mod metrics;
pub mod provider;
pub mod revocation;
pub mod session;
pub mod web;
pub mod writes;

use std::sync::Arc;

use axum::{
    extract::DefaultBodyLimit,
    http::{header, HeaderName, HeaderValue, Method},
    routing::get,
    Router,
};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::{
    config::Settings,
    db::Db,
    domain::{certificate::TrustStore, mynapoint::Catalogue},
    provider::Provider,
};

/// Largest request body accepted.
pub const MAX_BODY: usize = 16 * 1024;

/// The clock, injectable for tests: milliseconds since the Unix epoch.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// The JPKI CAs (revocations are in the database).
    pub trust: Arc<TrustStore>,
    /// The settings.
    pub settings: Arc<Settings>,
    /// The clock.
    pub clock: Clock,
    /// The MyNa Point payment services.
    pub catalogue: Arc<Catalogue>,
    /// Where payment-service IDs are checked.
    pub provider: Provider,
    /// Prometheus metrics.
    pub metrics: Arc<metrics::Metrics>,
}

impl AppState {
    /// Everything the settings name: trust anchors, CRLs, the catalogue and the provider.
    ///
    /// # Errors
    /// When a trust anchor, the payment-service catalogue or the provider's settings cannot be read
    /// or are not valid.
    pub fn new(settings: Settings, db: Db, clock: Clock) -> anyhow::Result<Self> {
        use anyhow::Context as _;
        let trust = load_trust(&settings)?;
        let catalogue = match &settings.payment_services {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading {}", path.display()))?;
                Catalogue::from_json(&text).with_context(|| path.display().to_string())?
            }
            None => Catalogue::from_json(domain::mynapoint::BUILT_IN)?,
        };
        let provider = match &settings.provider_url {
            Some(url) => Provider::http(
                url.parse()
                    .with_context(|| format!("--provider-url {url:?}"))?,
                std::time::Duration::from_millis(settings.provider_timeout_ms),
            )?,
            None => Provider::Demo,
        };
        Ok(Self {
            db,
            trust: Arc::new(trust),
            settings: Arc::new(settings),
            clock,
            catalogue: Arc::new(catalogue),
            provider,
            metrics: Arc::default(),
        })
    }

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

/// Reads the trust anchors named in the settings. (CRLs go to the database:
/// [`revocation::import_configured`].)
///
/// # Errors
/// When a CA file cannot be read or is not a usable CA certificate (PEM or DER).
pub fn load_trust(settings: &Settings) -> anyhow::Result<TrustStore> {
    use anyhow::Context as _;
    let mut store = TrustStore::default();
    for path in &settings.trust_ca {
        store
            .add_anchor(&revocation::read_der(path)?)
            .with_context(|| format!("trust anchor {}", path.display()))?;
    }
    Ok(store)
}

/// The OpenAPI document's frame; the paths come from the handlers' annotations.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "My Number Card portal API",
        description = "Card login, health-insurance registration, MyNa Point. Every refusal is `{ code, message }` with a stable code; state-changing calls need the session's `X-CSRF-Token`."
    ),
    servers((url = "/api/v1")),
    components(schemas(protocol::api::ApiErrorBody, protocol::api::ApiCode))
)]
struct ApiDoc;

/// The API's routes (relative to `/api/v1`) and the OpenAPI document generated from them.
fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    use handlers::{auth, insurance, mynapoint, receipts, service, session};
    use utoipa::OpenApi as _;
    use utoipa_axum::{router::OpenApiRouter, routes};
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(session::get))
        .routes(routes!(auth::challenge))
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(insurance::apply))
        .routes(routes!(insurance::status))
        .routes(routes!(insurance::dispute))
        .routes(routes!(insurance::cancel))
        .routes(routes!(insurance::request_certificate))
        .routes(routes!(receipts::list))
        .routes(routes!(mynapoint::reserve, mynapoint::reservation))
        .routes(routes!(mynapoint::services))
        .routes(routes!(mynapoint::apply, mynapoint::application))
        .routes(routes!(mynapoint::check))
        .routes(routes!(mynapoint::bulk))
        .routes(routes!(service::state))
        .routes(routes!(service::open))
        .split_for_parts()
}

/// The OpenAPI document of the API (served at `/api/v1/openapi.json`).
pub fn openapi() -> utoipa::openapi::OpenApi {
    api().1
}

/// Every route: the API under `/api/v1`, `/healthz`, `/metrics`, and the SPA (when
/// `--static-dir` names it) for everything else.
pub fn app(state: AppState) -> Router {
    let (api, openapi) = api();
    let openapi = Arc::new(openapi);
    let api = api
        .fallback(|| async { error::ApiError::NotFound("no such endpoint") })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            maintenance::guard,
        ))
        .route(
            "/openapi.json",
            get(move || {
                let openapi = Arc::clone(&openapi);
                async move { axum::Json(openapi.as_ref().clone()) }
            }),
        )
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static(web::NO_STORE),
        ));
    let pages: Vec<String> = state
        .settings
        .static_dir
        .as_ref()
        .map(|dir| {
            web::entry_pages(dir)
                .into_iter()
                .filter_map(|(_, page)| std::fs::read_to_string(page).ok())
                .collect()
        })
        .unwrap_or_default();
    let csp = web::content_security_policy(&pages);
    let mut router = Router::new()
        .nest("/api/v1", api)
        .route("/healthz", get(handlers::health::get))
        .route("/metrics", get(metrics::get));
    if let Some(dir) = &state.settings.static_dir {
        router = router.fallback_service(web::spa(dir));
    }
    let mut router =
        router
            .layer(DefaultBodyLimit::max(MAX_BODY))
            .layer(axum::middleware::from_fn_with_state(
                Arc::clone(&state.metrics),
                metrics::track,
            ));
    for (name, value) in web::security_headers(&csp) {
        router = router.layer(SetResponseHeaderLayer::overriding(name, value));
    }
    if state.settings.cors && !state.settings.secure_cookies() {
        if let Ok(origin) = HeaderValue::from_str(&state.settings.origin) {
            router = router.layer(
                tower_http::cors::CorsLayer::new()
                    .allow_origin(origin)
                    .allow_credentials(true)
                    .allow_methods([Method::GET, Method::POST, Method::DELETE])
                    .allow_headers([
                        header::CONTENT_TYPE,
                        HeaderName::from_static(session::CSRF_HEADER),
                    ])
                    .expose_headers([header::RETRY_AFTER]),
            );
        }
    }
    router.with_state(state)
}

/// Every minute, forgets sessions past their idle timeout, rate-limit windows that ended and
/// write signatures no write claimed in time (`writes`).
/// Several instances may all run it: the deletes are idempotent.
async fn janitor(state: AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        tick.tick().await;
        let now = state.now_ms();
        if let Err(error) = state
            .db
            .expire_sessions(
                state.settings.idle_since_ms(now),
                state.settings.pending_since_ms(now),
                now,
            )
            .await
        {
            tracing::warn!(%error, "expiring sessions");
        }
        if let Err(error) = state
            .db
            .prune_rate_limits(now - 2 * limits::WINDOW_MS)
            .await
        {
            tracing::warn!(%error, "pruning rate-limit windows");
        }
        if let Err(error) = state.db.prune_signed_writes(now).await {
            tracing::warn!(%error, "pruning unused write signatures");
        }
    }
}

/// Runs the server on `listener` until `shutdown` completes. `hangup` must be installed before
/// the listener is bound: a SIGHUP that arrives once the port accepts connections (a script or
/// a test saw the server up) then reloads the CRLs instead of ending the process.
///
/// # Errors
/// When the server fails while serving (the listener's I/O).
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    hangup: revocation::Hangup,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    revocation::import_at_start(&state)
        .await
        .map_err(std::io::Error::other)?;
    tokio::spawn(janitor(state.clone()));
    tokio::spawn(revocation::watch(state.clone(), hangup));
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
