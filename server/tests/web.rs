//! What the server answers besides the API's JSON: the SPA's files with their caching and
//! compression, the security headers, `/metrics` and the OpenAPI document.

mod common;

use axum::{
    body::Body,
    http::{header, Request, StatusCode},
};
use common::*;
use http_body_util::BodyExt;
use tower::ServiceExt;

const INDEX: &str = r#"<!DOCTYPE html><html lang="ja"><head>
<link rel="modulepreload" href="/app-0123456789abcdef.js">
<script type="module">import init from '/app-0123456789abcdef.js';init('/app-0123456789abcdef_bg.wasm');</script>
</head><body></body></html>"#;

struct Got {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl Got {
    fn header(&self, name: header::HeaderName) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

async fn get(portal: &Portal, path: &str, accept_encoding: Option<&str>) -> Got {
    let mut request = Request::builder().uri(path);
    if let Some(encoding) = accept_encoding {
        request = request.header(header::ACCEPT_ENCODING, encoding);
    }
    let response = server::app(portal.state.clone())
        .oneshot(request.body(Body::empty()).expect("request"))
        .await
        .expect("response");
    Got {
        status: response.status(),
        headers: response.headers().clone(),
        body: response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
            .to_vec(),
    }
}

fn spa_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("dir");
    let write =
        |name: &str, bytes: &[u8]| std::fs::write(dir.path().join(name), bytes).expect("write");
    write("index.html", INDEX.as_bytes());
    write(
        "app-0123456789abcdef.js",
        b"export default function init() {}",
    );
    write("app-0123456789abcdef_bg.wasm", b"\0asm plain");
    write("app-0123456789abcdef_bg.wasm.br", b"brotli bytes");
    write("app-0123456789abcdef_bg.wasm.gz", b"gzip bytes");
    std::fs::create_dir(dir.path().join("mynapoint")).expect("mkdir");
    write("mynapoint/index.html", POINT_INDEX.as_bytes());
    write(
        "mynapoint/mynapoint-fedcba9876543210.js",
        b"export default 1",
    );
    std::fs::create_dir(dir.path().join("mynapoint/apply")).expect("mkdir");
    write("mynapoint/apply/index.html", APPLY_INDEX.as_bytes());
    std::fs::create_dir(dir.path().join("mynapoint/receipt")).expect("mkdir");
    write("mynapoint/receipt/index.html", RECEIPT_INDEX.as_bytes());
    std::fs::create_dir(dir.path().join("insurance")).expect("mkdir");
    write("insurance/index.html", INSURANCE_INDEX.as_bytes());
    dir
}

const INSURANCE_INDEX: &str = r#"<!DOCTYPE html><html lang="ja"><head>
<script type="module">import init from '/insurance/insurance-0123456789abcdef.js';init();</script>
</head><body></body></html>"#;

const RECEIPT_INDEX: &str = r#"<!DOCTYPE html><html lang="ja"><head>
<script type="module">import init from '/mynapoint/receipt/mynapoint_receipt-0123456789abcdef.js';init();</script>
</head><body></body></html>"#;

const POINT_INDEX: &str = r#"<!DOCTYPE html><html lang="ja"><head>
<script type="module">import init from '/mynapoint/mynapoint-fedcba9876543210.js';init();</script>
</head><body></body></html>"#;

const APPLY_INDEX: &str = r#"<!DOCTYPE html><html lang="ja"><head>
<script type="module">import init from '/mynapoint/apply/mynapoint_apply-0123456789abcdef.js';init();</script>
</head><body></body></html>"#;

#[tokio::test]
async fn the_spa_is_served_with_cache_rules_compression_and_csp() {
    let dir = spa_dir();
    let path = dir.path().to_string_lossy().into_owned();
    let portal = Portal::new(&["--static-dir", &path]).await;

    let index = get(&portal, "/", None).await;
    assert_eq!(index.status, StatusCode::OK);
    assert_eq!(index.body, INDEX.as_bytes());
    assert_eq!(index.header(header::CACHE_CONTROL), "no-cache");
    let csp = index.header(header::CONTENT_SECURITY_POLICY).to_owned();
    assert!(
        csp.contains("'sha256-"),
        "the loader's inline script is allowed by hash: {csp}"
    );
    assert!(
        csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert_eq!(index.header(header::X_CONTENT_TYPE_OPTIONS), "nosniff");

    // A client-side route answers index.html.
    let route = get(&portal, "/info", None).await;
    assert_eq!(
        (route.status, route.body.as_slice()),
        (StatusCode::OK, INDEX.as_bytes())
    );
    assert_eq!(route.header(header::CACHE_CONTROL), "no-cache");

    // Each MyNa Point part has an entry page of its own for its routes, and its own loader is
    // allowed by hash too.
    assert_eq!(csp.matches("'sha256-").count(), 5, "{csp}");
    for path in ["/mynapoint", "/mynapoint/", "/mynapoint/kiosk"] {
        let point = get(&portal, path, None).await;
        assert_eq!(
            (point.status, point.body.as_slice()),
            (StatusCode::OK, POINT_INDEX.as_bytes()),
            "{path}"
        );
        assert_eq!(point.header(header::CACHE_CONTROL), "no-cache");
    }
    let script = get(&portal, "/mynapoint/mynapoint-fedcba9876543210.js", None).await;
    assert_eq!(script.body, b"export default 1");
    assert_eq!(
        script.header(header::CACHE_CONTROL),
        "public, max-age=31536000, immutable"
    );

    // Hashed assets: a year, immutable; the precompressed file the browser accepts.
    let wasm = "/app-0123456789abcdef_bg.wasm";
    let br = get(&portal, wasm, Some("gzip, deflate, br")).await;
    assert_eq!(br.status, StatusCode::OK);
    assert_eq!(br.header(header::CONTENT_ENCODING), "br");
    assert_eq!(br.body, b"brotli bytes");
    assert_eq!(
        br.header(header::CACHE_CONTROL),
        "public, max-age=31536000, immutable"
    );
    let gz = get(&portal, wasm, Some("gzip")).await;
    assert_eq!(
        (gz.header(header::CONTENT_ENCODING), gz.body.as_slice()),
        ("gzip", b"gzip bytes".as_slice())
    );
    let plain = get(&portal, wasm, None).await;
    assert_eq!(plain.body, b"\0asm plain");
    assert_eq!(plain.header(header::CONTENT_TYPE), "application/wasm");

    // Every route of each part answers its entry page; any other path that is not a file
    // answers the part's entry page with 404 (the SPA shows 「ページが見つかりません」). Before,
    // every unknown path (`/terms` too, when the SPA had no terms page) answered 200.
    for route in protocol::site::PORTAL_ROUTES {
        let got = get(&portal, route, None).await;
        assert_eq!(
            (got.status, got.body.as_slice()),
            (StatusCode::OK, INDEX.as_bytes()),
            "{route}"
        );
    }
    for route in protocol::site::MYNAPOINT_ROUTES {
        let got = get(&portal, route, None).await;
        assert_eq!(
            (got.status, got.body.as_slice()),
            (StatusCode::OK, POINT_INDEX.as_bytes()),
            "{route}"
        );
    }
    for route in protocol::site::MYNAPOINT_APPLY_ROUTES
        .iter()
        .map(|r| (*r).to_owned())
        .chain([
            "/mynapoint/apply/".to_owned(),
            "/mynapoint/apply?continue=1".to_owned(),
        ])
    {
        let got = get(&portal, &route, None).await;
        assert_eq!(
            (got.status, got.body.as_slice()),
            (StatusCode::OK, APPLY_INDEX.as_bytes()),
            "{route}"
        );
    }
    // The health-insurance part answers F1 and F2 (the portal's part does not).
    for route in protocol::site::INSURANCE_ROUTES
        .iter()
        .map(|r| (*r).to_owned())
        .chain(["/insurance/status/".to_owned()])
    {
        let got = get(&portal, &route, None).await;
        assert_eq!(
            (got.status, got.body.as_slice()),
            (StatusCode::OK, INSURANCE_INDEX.as_bytes()),
            "{route}"
        );
    }
    // Sibling parts: the receipt's beside the application's.
    for route in ["/mynapoint/receipt", "/mynapoint/receipt/"] {
        let got = get(&portal, route, None).await;
        assert_eq!(
            (got.status, got.body.as_slice()),
            (StatusCode::OK, RECEIPT_INDEX.as_bytes()),
            "{route}"
        );
    }
    for (path, page) in [
        ("/mynapoint/receipt/x", RECEIPT_INDEX),
        ("/no-such-page", INDEX),
        ("/insurance", INSURANCE_INDEX),
        ("/insurance/cancel", INSURANCE_INDEX),
        ("/terms/other", INDEX),
        ("/info/", INDEX),
        ("/app-0123456789abcdef.css", INDEX),
        ("/mynapoint/no-such-page", POINT_INDEX),
        ("/mynapoint/apply/x", APPLY_INDEX),
        ("/mynapoint/applyx", POINT_INDEX),
    ] {
        let got = get(&portal, path, None).await;
        if path == "/info/" {
            // A trailing slash is the same route.
            assert_eq!(got.status, StatusCode::OK, "{path}");
            continue;
        }
        assert_eq!(
            (got.status, got.body.as_slice()),
            (StatusCode::NOT_FOUND, page.as_bytes()),
            "{path}"
        );
        assert_eq!(got.header(header::CACHE_CONTROL), "no-cache", "{path}");
        assert!(
            !got.header(header::CONTENT_SECURITY_POLICY).is_empty(),
            "{path}"
        );
    }

    // The API is not the SPA: an unknown endpoint is a JSON 404, and nothing is cached.
    let missing = get(&portal, "/api/v1/no-such-thing", None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let body: serde_json::Value = serde_json::from_slice(&missing.body).expect("json");
    assert_eq!(body["code"], "NOT_FOUND");
    let session = get(&portal, "/api/v1/session", None).await;
    assert_eq!(session.header(header::CACHE_CONTROL), "no-store");
    assert!(!session.header(header::CONTENT_SECURITY_POLICY).is_empty());
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status() {
    let portal = Portal::new(&[]).await;
    let mut browser = Browser::default();
    browser.start(&portal).await;
    browser
        .call(&portal, "POST", "/api/v1/auth/challenge", None, false)
        .await;
    // The app is built per request in these tests; the metrics live in the shared state.
    let metrics = get(&portal, "/metrics", None).await;
    assert_eq!(metrics.status, StatusCode::OK);
    let text = String::from_utf8(metrics.body).expect("text");
    assert!(
        text.contains(
            r#"myna_http_requests_total{method="GET",route="/api/v1/session",status="200"} 1"#
        ),
        "{text}"
    );
    assert!(
        text.contains(r#"myna_http_requests_total{method="POST",route="/api/v1/auth/challenge",status="403"} 1"#),
        "{text}"
    );
    assert!(
        text.contains("myna_http_request_duration_seconds_bucket"),
        "{text}"
    );
}

#[tokio::test]
async fn the_openapi_document_lists_every_endpoint() {
    let portal = Portal::new(&[]).await;
    let got = get(&portal, "/api/v1/openapi.json", None).await;
    assert_eq!(got.status, StatusCode::OK);
    let document: serde_json::Value = serde_json::from_slice(&got.body).expect("json");
    assert_eq!(document["servers"][0]["url"], "/api/v1");
    let paths = document["paths"].as_object().expect("paths");
    for (path, method) in [
        ("/session", "get"),
        ("/auth/challenge", "post"),
        ("/auth/login", "post"),
        ("/auth/logout", "post"),
        ("/insurance/application", "post"),
        ("/insurance/status", "get"),
        ("/insurance/link/dispute", "post"),
        ("/insurance/cancellation", "post"),
        ("/insurance/certificate", "post"),
        ("/receipts", "get"),
        ("/mynapoint/reservation", "post"),
        ("/mynapoint/reservation", "get"),
        ("/mynapoint/services", "get"),
        ("/mynapoint/application", "post"),
        ("/mynapoint/application", "get"),
        ("/mynapoint/application/check", "post"),
        ("/bulk-application", "post"),
        ("/service-state", "get"),
        ("/service-state/{scope}", "get"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path}"
        );
    }
    assert_eq!(paths.len(), 17);
    assert!(document["components"]["schemas"].get("Receipt").is_some());
    assert!(document["components"]["schemas"]
        .get("ApiErrorBody")
        .is_some());
}

async fn preflight(portal: &Portal, origin: &str) -> Got {
    let request = Request::builder()
        .method("OPTIONS")
        .uri("/api/v1/auth/challenge")
        .header(header::ORIGIN, origin)
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(
            header::ACCESS_CONTROL_REQUEST_HEADERS,
            "content-type,x-csrf-token",
        )
        .body(Body::empty())
        .expect("request");
    let response = server::app(portal.state.clone())
        .oneshot(request)
        .await
        .expect("response");
    Got {
        status: response.status(),
        headers: response.headers().clone(),
        body: Vec::new(),
    }
}

#[tokio::test]
async fn cross_origin_calls_only_from_the_portals_loopback_origin_with_cors() {
    const PAGE: &str = "http://127.0.0.1:8000";
    let portal = Portal::with_origin(PAGE, &["--cors"]).await;
    portal
        .state
        .settings
        .check()
        .expect("loopback http may use --cors");
    let allowed = preflight(&portal, PAGE).await;
    assert_eq!(allowed.header(header::ACCESS_CONTROL_ALLOW_ORIGIN), PAGE);
    assert_eq!(
        allowed.header(header::ACCESS_CONTROL_ALLOW_CREDENTIALS),
        "true"
    );
    assert!(allowed
        .header(header::ACCESS_CONTROL_ALLOW_HEADERS)
        .contains("x-csrf-token"));
    // Another page is named nothing it could match: the browser refuses its call.
    let other = preflight(&portal, "http://127.0.0.1:9999").await;
    assert_ne!(
        other.header(header::ACCESS_CONTROL_ALLOW_ORIGIN),
        "http://127.0.0.1:9999"
    );

    let without = Portal::with_origin(PAGE, &[]).await;
    let refused = preflight(&without, PAGE).await;
    assert_eq!(refused.header(header::ACCESS_CONTROL_ALLOW_ORIGIN), "");

    let production = Portal::new(&["--cors"]).await;
    let error = production.state.settings.check().expect_err("https origin");
    assert!(error.to_string().contains("development only"), "{error}");
    let refused = preflight(&production, ORIGIN).await;
    assert_eq!(refused.header(header::ACCESS_CONTROL_ALLOW_ORIGIN), "");
}
