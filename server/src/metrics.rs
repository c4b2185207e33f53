//! Prometheus metrics (`GET /metrics`): requests by route, method and status, and their latency;
//! the age and staleness of each imported CRL (read from the database at each scrape, so every
//! instance reports the same).

use std::{sync::Arc, time::Instant};

use axum::{
    body::Body,
    extract::{MatchedPath, Request, State},
    http::{header, HeaderValue, Response, StatusCode},
    middleware::Next,
    response::IntoResponse,
};
use prometheus_client::{
    encoding::{text::encode, EncodeLabelSet},
    metrics::{
        counter::Counter,
        family::Family,
        gauge::Gauge,
        histogram::{exponential_buckets, Histogram},
    },
    registry::Registry,
};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CrlLabels {
    issuer: String,
    this_update: String,
}

/// The registry and the metrics in it.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    durations: Family<RouteLabels, Histogram>,
    crl_age: Family<CrlLabels, Gauge>,
    crl_stale: Family<CrlLabels, Gauge>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("myna");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests by method, route template and status",
            requests.clone(),
        );
        // 0.5 ms … 4 s.
        let durations = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.0005, 2.0, 14))
        });
        registry.register(
            "http_request_duration_seconds",
            "Time to answer, by route template",
            durations.clone(),
        );
        let crl_age = Family::<CrlLabels, Gauge>::default();
        registry.register(
            "crl_age_seconds",
            "Seconds since the thisUpdate of each imported CRL",
            crl_age.clone(),
        );
        let crl_stale = Family::<CrlLabels, Gauge>::default();
        registry.register(
            "crl_stale",
            "1 when an imported CRL is past its nextUpdate",
            crl_stale.clone(),
        );
        Self {
            registry,
            requests,
            durations,
            crl_age,
            crl_stale,
        }
    }
}

impl Metrics {
    /// Sets the CRL gauges to what the database holds now.
    pub fn set_crls(&self, crls: &[crate::revocation::CrlStatus]) {
        self.crl_age.clear();
        self.crl_stale.clear();
        for crl in crls {
            let labels = CrlLabels {
                issuer: crl.issuer.clone(),
                this_update: crl.this_update.clone(),
            };
            self.crl_age.get_or_create(&labels).set(crl.age_seconds);
            self.crl_stale
                .get_or_create(&labels)
                .set(i64::from(crl.stale));
        }
    }

    /// The text exposition format.
    ///
    /// # Errors
    /// Never in practice: writing into a `String` does not fail.
    pub fn encode(&self) -> Result<String, std::fmt::Error> {
        let mut text = String::new();
        encode(&mut text, &self.registry)?;
        Ok(text)
    }
}

/// Counts and times every request. The route label is the route's template (bounded), or
/// `static` for everything else.
pub async fn track(
    State(metrics): State<Arc<Metrics>>,
    request: Request,
    next: Next,
) -> Response<Body> {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "static".to_owned(), |path| path.as_str().to_owned());
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    metrics
        .durations
        .get_or_create(&RouteLabels {
            route: route.clone(),
        })
        .observe(started.elapsed().as_secs_f64());
    metrics
        .requests
        .get_or_create(&RequestLabels {
            method,
            route,
            status: response.status().as_u16(),
        })
        .inc();
    response
}

/// `GET /metrics`.
pub async fn get(State(state): State<crate::AppState>) -> Response<Body> {
    match crate::revocation::status(&state, state.now_ms()).await {
        Ok(crls) => state.metrics.set_crls(&crls),
        Err(error) => tracing::warn!(%error, "reading the CRLs for /metrics"),
    }
    match state.metrics.encode() {
        Ok(text) => {
            let mut response = text.into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(
                    "application/openmetrics-text; version=1.0.0; charset=utf-8",
                ),
            );
            response
        }
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
