//! The API through `app().oneshot`, on a real SQLite file, with login tokens signed by the
//! virtual My Number Card through the real `jpki` verbs.

use std::sync::{
    atomic::{AtomicI64, Ordering},
    Arc, OnceLock,
};

use axum::{
    body::Body,
    http::{header, Request, StatusCode},
};
use base64::Engine as _;
use chrono::TimeZone;
use http_body_util::BodyExt;
use jpki::{sha256_digest_info, AuthPin, JpkiCard};
use serde_json::{json, Value};
use server::{
    config::Settings,
    db::Db,
    domain::certificate::certificate_key,
    feeds::{self, Feed, Format},
    AppState,
};
use tower::ServiceExt;
use virtual_card::{fixtures::Templates, CardKind, InProcessCard, VirtualCard};

const ORIGIN: &str = "https://myna.example";
const PIN: &str = "1234";

fn templates() -> &'static Templates {
    static TEMPLATES: OnceLock<Templates> = OnceLock::new();
    TEMPLATES.get_or_init(|| Templates::new(PIN).expect("test cards"))
}

/// 2026-11-20 (Friday) 16:00 JST, a fixed "now" the tests move by hand.
fn friday_afternoon_ms() -> i64 {
    server::domain::eligibility::jst()
        .with_ymd_and_hms(2026, 11, 20, 16, 0, 0)
        .single()
        .expect("time")
        .timestamp_millis()
}

/// With `MYNA_TEST_DATABASE_URL` (an administrator URL of a PostgreSQL server, set by
/// `cargo xtask test`), a fresh database on it for one test; without it, `None`: SQLite.
async fn test_database_url() -> Option<String> {
    let admin = std::env::var("MYNA_TEST_DATABASE_URL").ok()?;
    sqlx::any::install_default_drivers();
    let name = format!("myna_test_{}", hex::encode(rand::random::<[u8; 8]>()));
    let mut connection = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin)
        .await
        .expect("PostgreSQL");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut connection)
        .await
        .expect("create database");
    let base = admin
        .rsplit_once('/')
        .map_or(admin.as_str(), |(base, _)| base);
    Some(format!("{base}/{name}"))
}

struct Portal {
    _dir: tempfile::TempDir,
    state: AppState,
    now: Arc<AtomicI64>,
    card: tempfile::TempDir,
}

impl Portal {
    async fn new(extra: &[&str]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let ca = templates().ca_dir().join("auth-ca.cert.pem");
        let data = dir.path().to_string_lossy().into_owned();
        let ca = ca.to_string_lossy().into_owned();
        let database = test_database_url().await;
        let mut args = vec!["--data-dir", &data, "--origin", ORIGIN, "--trust-ca", &ca];
        if let Some(url) = &database {
            args.extend(["--database-url", url.as_str()]);
        }
        args.extend_from_slice(extra);
        let settings = Settings::for_tests(&args);
        let db = Db::connect(&settings.database_url())
            .await
            .expect("database");
        let trust = server::load_trust(&settings).expect("trust");
        let now = Arc::new(AtomicI64::new(friday_afternoon_ms()));
        let clock_now = Arc::clone(&now);
        let state = AppState {
            db,
            trust: Arc::new(trust),
            settings: Arc::new(settings),
            clock: Arc::new(move || clock_now.load(Ordering::SeqCst)),
        };
        let card = tempfile::tempdir().expect("card dir");
        templates()
            .copy_card(CardKind::Jpki, card.path())
            .expect("card");
        Self {
            _dir: dir,
            state,
            now,
            card,
        }
    }

    fn advance(&self, ms: i64) {
        self.now.fetch_add(ms, Ordering::SeqCst);
    }

    fn card_certificate(&self) -> Vec<u8> {
        virtual_card::CardDir::new(self.card.path())
            .auth_cert()
            .expect("cert")
    }

    /// What the bridge does: read the certificate, verify the PIN, sign for `origin` and `nonce`.
    fn sign(&self, origin: &str, nonce_b64: &str) -> Value {
        let nonce = base64::engine::general_purpose::STANDARD
            .decode(nonce_b64)
            .expect("nonce");
        let (profile, state) = virtual_card::CardDir::new(self.card.path())
            .open()
            .expect("card");
        let mut card = JpkiCard::new(InProcessCard {
            card: VirtualCard::new(profile, state),
        });
        card.select_jpki_ap().expect("select");
        let certificate = card.read_auth_certificate().expect("certificate");
        card.verify_auth_pin(&AuthPin::parse(PIN).expect("pin"))
            .expect("verify");
        let digest_info = sha256_digest_info(&protocol::signing::signed_hash(origin, &nonce));
        let signature = card.sign_with_auth_key(&digest_info).expect("sign");
        let b64 = base64::engine::general_purpose::STANDARD;
        json!({
            "certificate": b64.encode(certificate),
            "signature": b64.encode(signature),
            "algorithm": "RS256",
            "format": "myna-auth:1",
        })
    }
}

/// A browser: keeps the cookie and the CSRF token.
#[derive(Default)]
struct Browser {
    cookie: Option<String>,
    csrf: Option<String>,
}

struct Answer {
    status: StatusCode,
    body: Value,
}

impl Answer {
    fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }
}

impl Browser {
    async fn call(
        &mut self,
        portal: &Portal,
        method: &str,
        path: &str,
        body: Option<Value>,
        csrf: bool,
    ) -> Answer {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(cookie) = &self.cookie {
            request = request.header(header::COOKIE, format!("myna_session={cookie}"));
        }
        if let (true, Some(token)) = (csrf, &self.csrf) {
            request = request.header("x-csrf-token", token);
        }
        let request = match body {
            Some(body) => request
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string())),
            None => request.body(Body::empty()),
        }
        .expect("request");
        let response = server::app(portal.state.clone())
            .oneshot(request)
            .await
            .expect("response");
        let status = response.status();
        if let Some(set) = response
            .headers()
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
        {
            assert!(
                set.contains("HttpOnly") && set.contains("SameSite=Strict"),
                "{set}"
            );
            assert!(
                set.contains("Secure"),
                "an https portal sets Secure cookies: {set}"
            );
            let value = set
                .trim_start_matches("myna_session=")
                .split(';')
                .next()
                .unwrap_or("");
            self.cookie = (!value.is_empty()).then(|| value.to_owned());
        }
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Answer { status, body }
    }

    async fn apply(&mut self, portal: &Portal, application: &Value) -> Answer {
        self.call(
            portal,
            "POST",
            "/api/v1/insurance/application",
            Some(application.clone()),
            true,
        )
        .await
    }

    async fn challenge(&mut self, portal: &Portal) -> String {
        let answer = self
            .call(portal, "POST", "/api/v1/auth/challenge", None, true)
            .await;
        answer.body["nonce"].as_str().unwrap_or_default().to_owned()
    }

    async fn send_token(&mut self, portal: &Portal, token: Value) -> Answer {
        self.call(portal, "POST", "/api/v1/auth/login", Some(token), true)
            .await
    }

    async fn start(&mut self, portal: &Portal) {
        let answer = self
            .call(portal, "GET", "/api/v1/session", None, false)
            .await;
        assert_eq!(answer.status, StatusCode::OK);
        self.csrf = answer.body["csrfToken"].as_str().map(str::to_owned);
        assert_eq!(answer.body["authenticated"], false);
    }

    async fn login(&mut self, portal: &Portal) -> Answer {
        let nonce = self.challenge(portal).await;
        assert!(!nonce.is_empty(), "the challenge was refused");
        let token = portal.sign(ORIGIN, &nonce);
        self.send_token(portal, token).await
    }
}

/// Imports a feed given as CSV, the way `myna-server import` does.
async fn import(portal: &Portal, feed: Feed, csv: &str) {
    let records = feeds::parse(feed, Format::Csv, csv).expect("valid feed");
    portal.state.db.import(&records, 0).await.expect("import");
}

async fn link(portal: &Portal, person: &str) {
    let key = certificate_key(&portal.card_certificate()).expect("key");
    let (issuer, serial) = key.rsplit_once('|').expect("issuer|serial");
    import(
        portal,
        Feed::CertificateLinks,
        &format!("issuer,serial,person_id\n\"{issuer}\",{serial},{person}\n"),
    )
    .await;
}

#[tokio::test]
async fn login_apply_status_logout() {
    let portal = Portal::new(&[]).await;
    let mut browser = Browser::default();
    browser.start(&portal).await;
    let before_login = browser.cookie.clone();
    let login = browser.login(&portal).await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    assert_eq!(login.body["authenticated"], true);
    assert_ne!(
        browser.cookie, before_login,
        "the session id changes at login"
    );

    // Not linked to a person by the registry yet.
    let apply = json!({"registerPortalUser": true, "termsVersion": "2021-03"});
    let answer = browser.apply(&portal, &apply).await;
    assert_eq!(
        (answer.status, answer.code()),
        (StatusCode::FORBIDDEN, "UNKNOWN_PERSON")
    );
    link(&portal, "person-1").await;

    let answer = browser
        .call(&portal, "GET", "/api/v1/insurance/status", None, false)
        .await;
    assert_eq!(answer.body, json!({"application": "not_applied"}));
    let answer = browser.apply(&portal, &apply).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(
        answer.body,
        json!({
            "application": "received",
            "appliedAt": "2026-11-20T16:00:00+09:00",
            "registration": "preparing",
            "expectedBy": "2021年3月",
            "portalUser": "received",
        })
    );
    // Idempotent: a second application changes nothing.
    portal.advance(60_000);
    let again = browser
        .call(
            &portal,
            "POST",
            "/api/v1/insurance/application",
            Some(json!({"registerPortalUser": false, "termsVersion": "2021-03"})),
            true,
        )
        .await;
    assert_eq!(again.body, answer.body);

    // The insurer feed links the person: 登録完了.
    import(
        &portal,
        Feed::InsurerRecords,
        "person_id,insurer_name\nperson-1,Test Health Insurance Society\n",
    )
    .await;
    let answer = browser
        .call(&portal, "GET", "/api/v1/insurance/status", None, false)
        .await;
    assert_eq!(answer.body["registration"], "completed");
    assert!(answer.body.get("expectedBy").is_none());

    let answer = browser
        .call(&portal, "POST", "/api/v1/auth/logout", None, true)
        .await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    let answer = browser
        .call(&portal, "GET", "/api/v1/insurance/status", None, false)
        .await;
    assert_eq!(
        (answer.status, answer.code()),
        (StatusCode::UNAUTHORIZED, "NO_SESSION")
    );
}

#[tokio::test]
async fn the_portal_user_row_only_when_opted_in_and_contact_insurer_without_a_record() {
    let portal = Portal::new(&[]).await;
    let mut browser = Browser::default();
    browser.start(&portal).await;
    assert_eq!(browser.login(&portal).await.status, StatusCode::OK);
    link(&portal, "person-2").await;
    let apply = json!({"registerPortalUser": false, "termsVersion": "2021-03"});
    let answer = browser.apply(&portal, &apply).await;
    assert!(answer.body.get("portalUser").is_none(), "{}", answer.body);
    import(
        &portal,
        Feed::InsurerRecords,
        "person_id,insurer_name\nperson-2,\n",
    )
    .await;
    let answer = browser
        .call(&portal, "GET", "/api/v1/insurance/status", None, false)
        .await;
    assert_eq!(answer.body["registration"], "contact_insurer");
    // Old terms are refused.
    let old = json!({"registerPortalUser": false, "termsVersion": "2020-01"});
    let answer = browser.apply(&portal, &old).await;
    assert_eq!(answer.code(), "TERMS_CHANGED");
}

#[tokio::test]
async fn not_yet_eligible_names_the_exact_time() {
    let portal = Portal::new(&[]).await;
    let mut browser = Browser::default();
    browser.start(&portal).await;
    assert_eq!(browser.login(&portal).await.status, StatusCode::OK);
    link(&portal, "person-3").await;
    // The certificate was renewed on Friday 2026-11-20 at 15:00 JST: Monday 23 Nov is a holiday.
    import(
        &portal,
        Feed::CardEvents,
        "person_id,event,occurred_at\nperson-3,auth_certificate_renewed,2026-11-20T15:00:00+09:00\n",
    )
    .await;
    let apply = json!({"registerPortalUser": true, "termsVersion": "2021-03"});
    let answer = browser.apply(&portal, &apply).await;
    assert_eq!(
        (answer.status, answer.code()),
        (StatusCode::CONFLICT, "NOT_YET_ELIGIBLE")
    );
    assert_eq!(answer.body["availableFrom"], "2026-11-24T12:00:00+09:00");
    // Four days later, at 12:00 on Tuesday, it goes through (the session stays alive meanwhile
    // only with a long idle timeout: log in again).
    portal.advance(4 * 86_400_000 - 4 * 3_600_000);
    let mut browser = Browser::default();
    browser.start(&portal).await;
    assert_eq!(browser.login(&portal).await.status, StatusCode::OK);
    let answer = browser.apply(&portal, &apply).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
}

#[tokio::test]
async fn login_refusals() {
    let portal = Portal::new(&[]).await;
    let mut browser = Browser::default();
    browser.start(&portal).await;

    // CSRF missing on a state-changing call.
    let answer = browser
        .call(&portal, "POST", "/api/v1/auth/challenge", None, false)
        .await;
    assert_eq!(
        (answer.status, answer.code()),
        (StatusCode::FORBIDDEN, "CSRF_FAILED")
    );
    // Login without a challenge.
    let token = portal.sign(ORIGIN, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
    let answer = browser.send_token(&portal, token).await;
    assert_eq!(answer.code(), "NO_CHALLENGE");

    // A token for another origin.
    let challenge = browser.challenge(&portal).await;
    let nonce = challenge.clone();
    let token = portal.sign("https://evil.example", &nonce);
    let answer = browser.send_token(&portal, token).await;
    assert_eq!(answer.code(), "SIGNATURE_INVALID");
    // The nonce was spent by that attempt: replaying a good token for it fails.
    let token = portal.sign(ORIGIN, &nonce);
    let answer = browser.send_token(&portal, token).await;
    assert_eq!(answer.code(), "NO_CHALLENGE");

    // An expired challenge.
    let challenge = browser.challenge(&portal).await;
    let token = portal.sign(ORIGIN, &challenge);
    portal.advance(5 * 60_000 + 1);
    let answer = browser.send_token(&portal, token).await;
    assert_eq!(answer.code(), "CHALLENGE_EXPIRED");

    // A nonce of another session is not this session's.
    let mut other = Browser::default();
    other.start(&portal).await;
    let foreign = other
        .call(&portal, "POST", "/api/v1/auth/challenge", None, true)
        .await;
    let _ = browser
        .call(&portal, "POST", "/api/v1/auth/challenge", None, true)
        .await;
    let token = portal.sign(ORIGIN, foreign.body["nonce"].as_str().expect("nonce"));
    let answer = browser.send_token(&portal, token).await;
    assert_eq!(answer.code(), "SIGNATURE_INVALID");

    // Malformed bodies.
    let _ = browser
        .call(&portal, "POST", "/api/v1/auth/challenge", None, true)
        .await;
    let answer = browser
        .call(
            &portal,
            "POST",
            "/api/v1/auth/login",
            Some(json!({"certificate": "x"})),
            true,
        )
        .await;
    assert_eq!(
        (answer.status, answer.code()),
        (StatusCode::BAD_REQUEST, "INVALID_REQUEST")
    );
    // Not logged in.
    let answer = browser
        .call(&portal, "GET", "/api/v1/insurance/status", None, false)
        .await;
    assert_eq!(answer.code(), "NOT_AUTHENTICATED");
}

#[tokio::test]
async fn an_untrusted_card_is_refused() {
    // The server trusts another CA of the same DN: the card's certificate does not chain.
    let other_ca = tempfile::tempdir().expect("dir");
    virtual_card::store::CaDir::create(other_ca.path()).expect("ca");
    let ca = other_ca
        .path()
        .join("auth-ca.cert.der")
        .to_string_lossy()
        .into_owned();
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().to_string_lossy().into_owned();
    let settings =
        Settings::for_tests(&["--data-dir", &data, "--origin", ORIGIN, "--trust-ca", &ca]);
    let mut portal = Portal::new(&[]).await;
    portal.state.trust = Arc::new(server::load_trust(&settings).expect("trust"));
    let mut browser = Browser::default();
    browser.start(&portal).await;
    let answer = browser.login(&portal).await;
    assert_eq!(
        (answer.status, answer.code()),
        (StatusCode::UNAUTHORIZED, "CERTIFICATE_UNTRUSTED")
    );
}

#[tokio::test]
async fn sessions_end_after_the_idle_timeout() {
    let portal = Portal::new(&["--idle-timeout-secs", "60"]).await;
    let mut browser = Browser::default();
    browser.start(&portal).await;
    assert_eq!(browser.login(&portal).await.status, StatusCode::OK);
    portal.advance(59_000);
    let answer = browser
        .call(&portal, "GET", "/api/v1/session", None, false)
        .await;
    assert_eq!(answer.body["authenticated"], true);
    portal.advance(61_000);
    let answer = browser
        .call(&portal, "GET", "/api/v1/insurance/status", None, false)
        .await;
    assert_eq!(answer.code(), "NO_SESSION");
}

#[tokio::test]
async fn health_and_body_limit() {
    let portal = Portal::new(&[]).await;
    let mut browser = Browser::default();
    assert_eq!(
        browser
            .call(&portal, "GET", "/healthz", None, false)
            .await
            .status,
        StatusCode::OK
    );
    browser.start(&portal).await;
    let _ = browser
        .call(&portal, "POST", "/api/v1/auth/challenge", None, true)
        .await;
    let huge = json!({"certificate": "A".repeat(20_000), "signature": "", "algorithm": "RS256", "format": "myna-auth:1"});
    let answer = browser.send_token(&portal, huge).await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
}
