//! Serving the built SPA (Trunk's `dist/`): hashed assets cached for a year, the entry pages
//! revalidated every time and answered for every client-side route (`protocol::site`; any
//! other path gets its part's entry page with 404, `docs/terms.md`), precompressed `.br`/`.gz`
//! files chosen by `Accept-Encoding`, and a strict Content-Security-Policy on every answer.
//!
//! The SPA has one entry page per part, each with its own wasm so that a first page loads only
//! its part: `index.html` (the portal), `mynapoint/index.html` (MyNa Point's start and
//! reservation, and the terminal's start) and `mynapoint/apply/index.html` (its application).
//! An entry page in a subdirectory answers that part's routes.

use std::path::{Path, PathBuf};

use axum::{
    body::Body,
    extract::Request,
    http::{header, HeaderValue, Response, StatusCode},
    middleware::Next,
    Router,
};
use base64::Engine as _;
use protocol::site;
use sha2::{Digest as _, Sha256};
use tower_http::{
    services::{ServeDir, ServeFile},
    set_status::SetStatus,
};

/// `Cache-Control` of files whose name carries a content hash: they never change.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of `index.html`: always revalidate, so a deployment is seen at once.
pub const REVALIDATE: &str = "no-cache";
/// `Cache-Control` of the API: answers are personal.
pub const NO_STORE: &str = "no-store";

/// Whether a file name carries Trunk's content hash (`app-88f97380fb976ae.js`, also with `_bg`):
/// a run of at least 12 hex digits after the last `-` of the stem (Trunk writes a 64-bit hash
/// without leading zeros).
pub fn is_hashed_asset(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let stem = name.split('.').next().unwrap_or(name);
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-')
        .is_some_and(|(_, hash)| hash.len() >= 12 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The Content-Security-Policy: same-origin everything, WebAssembly compilation allowed, no
/// inline script except the exact ones `index.html` holds (by hash: Trunk's loader), no
/// framing, no plugins.
pub fn content_security_policy(pages: &[String]) -> String {
    let mut script_src = String::from("'self' 'wasm-unsafe-eval'");
    for script in pages.iter().flat_map(|page| inline_scripts(page)) {
        let hash = Sha256::digest(script.as_bytes());
        script_src.push_str(&format!(
            " 'sha256-{}'",
            base64::engine::general_purpose::STANDARD.encode(hash)
        ));
    }
    format!(
        "default-src 'self'; script-src {script_src}; style-src 'self'; img-src 'self' data:; \
         font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// The bodies of the inline `<script>` elements of an HTML page. Hand-rolled because it only
/// needs the text between `<script …>` without `src=` and `</script>` of our own build output;
/// a page it misreads only loses a CSP hash, so the browser refuses that script (fails closed).
pub fn inline_scripts(html: &str) -> Vec<&str> {
    let mut scripts = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let Some(tag_end) = after.find('>') else {
            break;
        };
        let tag = &after[..tag_end];
        let body_and_more = &after[tag_end + 1..];
        let Some(close) = body_and_more.find("</script>") else {
            break;
        };
        if !tag.contains("src=") && !body_and_more[..close].trim().is_empty() {
            scripts.push(&body_and_more[..close]);
        }
        rest = &body_and_more[close..];
    }
    scripts
}

/// The entry pages under `dir`: `index.html`, and the `index.html` of each subdirectory at any
/// depth, with the URL prefix each answers (`""` for the root, `/mynapoint`,
/// `/mynapoint/apply`), the root first.
pub fn entry_pages(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut pages = vec![(String::new(), dir.join("index.html"))];
    let mut index = 0;
    while index < pages.len() {
        let (prefix, page) = pages[index].clone();
        index += 1;
        let Some(part_dir) = page.parent() else {
            continue;
        };
        let mut subdirectories: Vec<(String, PathBuf)> = std::fs::read_dir(part_dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|entry| entry.path().join("index.html").is_file())
            .filter_map(|entry| {
                let name = entry.file_name().to_str()?.to_owned();
                Some((format!("{prefix}/{name}"), entry.path().join("index.html")))
            })
            .collect();
        subdirectories.sort();
        pages.extend(subdirectories);
    }
    pages
}

/// The part of the SPA whose entry page is `dir/index.html`, answered under `prefix`: the entry
/// page with 200 for each of the part's client-side routes (`protocol::site`), the parts in its
/// subdirectories nested under their names, the files of `dir`, and the entry page with 404 for
/// anything else — the SPA then shows its 「ページが見つかりません」 page, and a crawler or a
/// script sees the status.
fn part(dir: &Path, prefix: &str) -> Router {
    let entry = ServeFile::new(dir.join("index.html"))
        .precompressed_br()
        .precompressed_gzip();
    let mut router = Router::new();
    for route in site::routes(prefix) {
        // Nested routes are relative to the prefix: the part's own prefix is `/`.
        let Some(rest) = route.strip_prefix(prefix) else {
            continue;
        };
        let route = if rest.is_empty() { "/" } else { rest };
        // A trailing `/` is the same route.
        if route != "/" {
            router = router.route_service(&format!("{route}/"), entry.clone());
        }
        router = router.route_service(route, entry.clone());
    }
    let mut subparts: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.join("index.html").is_file())
        .collect();
    subparts.sort();
    for sub in subparts {
        if let Some(name) = sub.file_name().and_then(|n| n.to_str()) {
            let nested = format!("/{name}");
            router = router.nest_service(&nested, part(&sub, &format!("{prefix}{nested}")));
        }
    }
    router.fallback_service(
        ServeDir::new(dir)
            // A part's directory is no page of its own: `/insurance` is not one of the
            // health-insurance part's routes, so it is not found (its routes are above).
            .append_index_html_on_directories(false)
            .precompressed_br()
            .precompressed_gzip()
            .fallback(SetStatus::new(entry, StatusCode::NOT_FOUND)),
    )
}

/// The SPA's files under `dir`. Each part answers its routes (`protocol::site`) with its entry
/// page; any other path that is not a file gets the entry page of its part with 404.
pub fn spa(dir: &Path) -> Router {
    part(dir, "").layer(axum::middleware::from_fn(cache_control))
}

async fn cache_control(request: Request, next: Next) -> Response<Body> {
    let hashed = is_hashed_asset(request.uri().path());
    let mut response = next.run(request).await;
    let value = if hashed && response.status().is_success() {
        IMMUTABLE
    } else {
        REVALIDATE
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    response
}

/// The headers every answer carries.
pub fn security_headers(csp: &str) -> Vec<(header::HeaderName, HeaderValue)> {
    let mut headers = vec![
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        (
            header::HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ),
    ];
    if let Ok(value) = HeaderValue::from_str(csp) {
        headers.push((header::CONTENT_SECURITY_POLICY, value));
    }
    headers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_assets_are_recognized() {
        assert!(is_hashed_asset("/app-1a2b3c4d5e6f7a8b.js"));
        assert!(is_hashed_asset("/app-1a2b3c4d5e6f7a8b_bg.wasm"));
        assert!(is_hashed_asset("/app-88f97380fb976ae.js"));
        assert!(is_hashed_asset("/style-0123456789abcdef0123.css"));
        assert!(!is_hashed_asset("/index.html"));
        assert!(!is_hashed_asset("/favicon.ico"));
        assert!(!is_hashed_asset("/insurance/apply"));
        assert!(!is_hashed_asset("/my-page.js"));
    }

    #[test]
    fn inline_scripts_are_hashed_into_the_policy() {
        let html = r#"<html><head><script type="module">import init from '/app-1.js';init();</script>
            <script src="/other.js"></script></head></html>"#;
        assert_eq!(
            inline_scripts(html),
            ["import init from '/app-1.js';init();"]
        );
        let csp = content_security_policy(&[html.to_owned()]);
        assert_eq!(csp.matches("'sha256-").count(), 1, "{csp}");
        assert!(csp.contains("'wasm-unsafe-eval'"));
        assert!(!csp.contains("unsafe-inline"));
    }
}
