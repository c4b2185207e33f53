//! What the API tests share: a portal on a real SQLite file (or PostgreSQL with
//! `MYNA_TEST_DATABASE_URL`) called through `app().oneshot`, browsers that keep their cookie and
//! CSRF token, and virtual My Number Cards that sign through the real `jpki` verbs.
#![allow(dead_code)] // Each test binary uses its part.

pub mod balancer;

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

pub const ORIGIN: &str = "https://myna.example";
pub const PIN: &str = "1234";

pub fn templates() -> &'static Templates {
    static TEMPLATES: OnceLock<Templates> = OnceLock::new();
    TEMPLATES.get_or_init(|| Templates::new(PIN).expect("test cards"))
}

/// The template CA, keys included (TEST ONLY).
pub fn template_ca() -> &'static virtual_card::store::CaDir {
    static CA: OnceLock<virtual_card::store::CaDir> = OnceLock::new();
    CA.get_or_init(|| virtual_card::store::CaDir::open(&templates().ca_dir()).expect("template CA"))
}

/// 2026-11-20 (Friday) 16:00 JST, a fixed "now" the tests move by hand.
pub fn friday_afternoon_ms() -> i64 {
    server::domain::eligibility::jst()
        .with_ymd_and_hms(2026, 11, 20, 16, 0, 0)
        .single()
        .expect("time")
        .timestamp_millis()
}

/// With `MYNA_TEST_DATABASE_URL` (an administrator URL of a PostgreSQL server, set by
/// `cargo xtask test`), a fresh database on it for one test; without it, `None`: SQLite.
pub async fn test_database_url() -> Option<String> {
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

pub struct Portal {
    _dir: tempfile::TempDir,
    pub state: AppState,
    pub now: Arc<AtomicI64>,
    pub card: Card,
}

impl Portal {
    pub async fn new(extra: &[&str]) -> Self {
        Self::with_origin(ORIGIN, extra).await
    }

    /// A portal whose pages are served from `origin`.
    pub async fn with_origin(origin: &str, extra: &[&str]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let ca = templates().ca_dir().join("auth-ca.cert.pem");
        let data = dir.path().to_string_lossy().into_owned();
        let ca = ca.to_string_lossy().into_owned();
        let database = test_database_url().await;
        let mut args = vec!["--data-dir", &data, "--origin", origin, "--trust-ca", &ca];
        if let Some(url) = &database {
            args.extend(["--database-url", url.as_str()]);
        }
        args.extend_from_slice(extra);
        let settings = Settings::for_tests(&args);
        let db = Db::connect(&settings.database_url())
            .await
            .expect("database");
        let now = Arc::new(AtomicI64::new(friday_afternoon_ms()));
        let clock_now = Arc::clone(&now);
        let state = AppState::new(
            settings,
            db,
            Arc::new(move || clock_now.load(Ordering::SeqCst)),
        )
        .expect("state");
        Self {
            _dir: dir,
            state,
            now,
            card: Card::new(),
        }
    }

    /// Another handle on a portal's state: a second instance when the state is new.
    pub fn from_state(state: AppState, now: Arc<AtomicI64>) -> Self {
        Self {
            _dir: tempfile::tempdir().expect("temp dir"),
            state,
            now,
            card: Card::new(),
        }
    }

    /// What the server's janitor does every minute, now (on the portal's clock).
    pub async fn janitor(&self) -> u64 {
        let now = self.state.now_ms();
        self.state
            .db
            .expire_sessions(
                self.state.settings.idle_since_ms(now),
                self.state.settings.pending_since_ms(now),
                now,
            )
            .await
            .expect("janitor")
    }

    pub fn data_dir(&self) -> &std::path::Path {
        self._dir.path()
    }

    pub fn advance(&self, ms: i64) {
        self.now.fetch_add(ms, Ordering::SeqCst);
    }

    pub fn card_certificate(&self) -> Vec<u8> {
        self.card.certificate()
    }

    /// The portal's card signs (see [`Card::sign`]).
    pub fn sign(&self, origin: &str, nonce_b64: &str) -> Value {
        self.card.sign(origin, nonce_b64)
    }
}

/// A virtual My Number Card in a directory of its own.
pub struct Card {
    dir: tempfile::TempDir,
}

impl Card {
    /// A copy of the template card.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("card dir");
        templates()
            .copy_card(CardKind::Jpki, dir.path())
            .expect("card");
        Self { dir }
    }

    /// A card with a certificate of its own: another person.
    pub fn another_person() -> Self {
        let dir = tempfile::tempdir().expect("card dir");
        templates().another_person(dir.path()).expect("card");
        Self { dir }
    }

    /// The template card with its certificate issued again by `ca` with a serial of `shape`.
    pub fn issued_by(
        ca: &virtual_card::pki::Issued,
        shape: &virtual_card::pki::SerialShape,
    ) -> Self {
        let dir = tempfile::tempdir().expect("card dir");
        let card = templates()
            .copy_card(CardKind::Jpki, dir.path())
            .expect("card");
        card.reissue_auth_cert(ca, virtual_card::fixtures::validity(), shape)
            .expect("reissue");
        Self { dir }
    }

    /// The template card with a certificate of the template CA valid for `period`.
    pub fn with_period(period: virtual_card::pki::Period) -> Self {
        let dir = tempfile::tempdir().expect("card dir");
        let card = templates()
            .copy_card(CardKind::Jpki, dir.path())
            .expect("card");
        card.reissue_auth_cert(
            &template_ca().auth,
            period,
            &virtual_card::pki::SerialShape::Random,
        )
        .expect("reissue");
        Self { dir }
    }

    /// The template card with a serial of `shape` from the template CA.
    pub fn with_serial(shape: &virtual_card::pki::SerialShape) -> Self {
        Self::issued_by(&template_ca().auth, shape)
    }

    pub fn certificate(&self) -> Vec<u8> {
        virtual_card::CardDir::new(self.dir.path())
            .auth_cert()
            .expect("cert")
    }

    /// What the bridge does: read the certificate, verify the PIN, sign for `origin` and `nonce`.
    pub fn sign(&self, origin: &str, nonce_b64: &str) -> Value {
        sign_with(self.dir.path(), origin, nonce_b64)
    }

    /// The card's directory (a browser keeps it to sign its writes, see [`Browser::signer`]).
    pub fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }
}

/// [`Card::sign`] with the card in `dir`.
pub fn sign_with(dir: &std::path::Path, origin: &str, nonce_b64: &str) -> Value {
    {
        let nonce = base64::engine::general_purpose::STANDARD
            .decode(nonce_b64)
            .expect("nonce");
        let (profile, state) = virtual_card::CardDir::new(dir).open().expect("card");
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

impl Card {
    /// Links this card's certificate to `person` through the registry feed.
    pub async fn link(&self, portal: &Portal, person: &str) {
        let key = certificate_key(&self.certificate()).expect("key");
        let (issuer, serial) = key.rsplit_once('|').expect("issuer|serial");
        import(
            portal,
            Feed::CertificateLinks,
            &format!("issuer,serial,person_id\n\"{issuer}\",{serial},{person}\n"),
        )
        .await;
    }
}

/// The session id a `Set-Cookie` header sets (`None` when it clears the cookie).
pub fn session_cookie(set_cookie: &str) -> Option<String> {
    let value = set_cookie
        .trim_start_matches("myna_session=")
        .split(';')
        .next()
        .unwrap_or("");
    (!value.is_empty()).then(|| value.to_owned())
}

/// A browser: keeps the cookie and the CSRF token.
#[derive(Default)]
pub struct Browser {
    pub cookie: Option<String>,
    pub csrf: Option<String>,
    /// Sent with every request (e.g. `X-Forwarded-For`).
    pub headers: Vec<(&'static str, String)>,
    /// The card of the last login: before a write (`server::writes`) the browser has it sign
    /// exactly that write in a card step of its own, as the SPA does. `None` (set it so) sends
    /// writes unsigned.
    pub signer: Option<std::path::PathBuf>,
}

/// The write an API path makes, and so the purpose its card step signs; `None` for anything
/// else (the bulk application is covered by the MyNa Point application's signature).
pub fn write_purpose(method: &str, path: &str) -> Option<&'static str> {
    (method == "POST").then_some(())?;
    match path {
        "/api/v1/insurance/application" => Some("insurance-application"),
        "/api/v1/mynapoint/reservation" => Some("mynapoint-reservation"),
        "/api/v1/mynapoint/application" => Some("mynapoint-application"),
        "/api/v1/insurance/link/dispute" => Some("link-dispute"),
        "/api/v1/insurance/cancellation" => Some("insurance-cancellation"),
        "/api/v1/insurance/certificate" => Some("certificate-request"),
        _ => None,
    }
}

/// Two answers to the same write sent at once: exactly one made it, the other was refused
/// with `status` and `code` (the database decided, not the order of arrival).
pub fn one_won(a: &Answer, b: &Answer, status: StatusCode, code: &str, context: &str) {
    let mut outcomes = [
        (a.status, a.code().to_owned()),
        (b.status, b.code().to_owned()),
    ];
    outcomes.sort();
    assert_eq!(
        outcomes,
        [(StatusCode::OK, String::new()), (status, code.to_owned())],
        "{context}: {} / {}",
        a.body,
        b.body
    );
}

/// The events of a status's `history`, oldest first.
pub fn events(status: &Value) -> Vec<String> {
    status["history"]
        .as_array()
        .map(|history| {
            history
                .iter()
                .filter_map(|e| e["event"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
}

impl Answer {
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }

    /// Asserts a refusal's status and code.
    #[track_caller]
    pub fn refused(&self, status: StatusCode, code: &str) {
        assert_eq!((self.status, self.code()), (status, code), "{}", self.body);
    }
}

impl Browser {
    /// One request; a write is signed first with [`Browser::signer`]'s card.
    pub async fn call(
        &mut self,
        portal: &Portal,
        method: &str,
        path: &str,
        body: Option<Value>,
        csrf: bool,
    ) -> Answer {
        if let (Some(purpose), Some(dir)) = (write_purpose(method, path), self.signer.clone()) {
            self.sign_write(portal, &dir, purpose, body.clone().unwrap_or(Value::Null))
                .await;
        }
        self.send(portal, method, path, body, csrf).await
    }

    /// The card step of a write: a challenge bound to the write, the card's signature, the
    /// login. A challenge refused for its content (a bad field) is left to the write to say.
    pub async fn sign_write(
        &mut self,
        portal: &Portal,
        dir: &std::path::Path,
        purpose: &str,
        body: Value,
    ) -> Answer {
        let nonce = self.write_challenge(portal, purpose, body).await;
        if nonce.is_empty() {
            // Refused for its content: the write itself says why.
            return Answer {
                status: StatusCode::BAD_REQUEST,
                body: Value::Null,
            };
        }
        let token = sign_with(dir, ORIGIN, &nonce);
        let answer = self
            .send(portal, "POST", "/api/v1/auth/login", Some(token), true)
            .await;
        assert_eq!(
            answer.status,
            StatusCode::OK,
            "the write's login: {}",
            answer.body
        );
        answer
    }

    /// One request as it is.
    pub async fn send(
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
        for (name, value) in &self.headers {
            request = request.header(*name, value);
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
            self.cookie = session_cookie(set);
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

    pub async fn get(&mut self, portal: &Portal, path: &str) -> Answer {
        self.call(portal, "GET", path, None, false).await
    }

    pub async fn post(&mut self, portal: &Portal, path: &str, body: Value) -> Answer {
        self.call(portal, "POST", path, Some(body), true).await
    }

    pub async fn apply(&mut self, portal: &Portal, application: &Value) -> Answer {
        self.call(
            portal,
            "POST",
            "/api/v1/insurance/application",
            Some(application.clone()),
            true,
        )
        .await
    }

    pub async fn challenge(&mut self, portal: &Portal) -> String {
        let answer = self
            .call(portal, "POST", "/api/v1/auth/challenge", None, true)
            .await;
        answer.body["nonce"].as_str().unwrap_or_default().to_owned()
    }

    /// A challenge bound to a write of `purpose` with `body` (`server::writes`).
    pub async fn write_challenge(&mut self, portal: &Portal, purpose: &str, body: Value) -> String {
        let answer = self
            .send(
                portal,
                "POST",
                &format!("/api/v1/auth/challenge?purpose={purpose}"),
                Some(body),
                true,
            )
            .await;
        answer.body["nonce"].as_str().unwrap_or_default().to_owned()
    }

    pub async fn send_token(&mut self, portal: &Portal, token: Value) -> Answer {
        self.call(portal, "POST", "/api/v1/auth/login", Some(token), true)
            .await
    }

    pub async fn start(&mut self, portal: &Portal) {
        let answer = self
            .call(portal, "GET", "/api/v1/session", None, false)
            .await;
        assert_eq!(answer.status, StatusCode::OK);
        self.csrf = answer.body["csrfToken"].as_str().map(str::to_owned);
        assert_eq!(answer.body["authenticated"], false);
    }

    pub async fn login(&mut self, portal: &Portal) -> Answer {
        self.login_with(portal, &portal.card).await
    }

    pub async fn login_with(&mut self, portal: &Portal, card: &Card) -> Answer {
        let nonce = self.challenge(portal).await;
        assert!(!nonce.is_empty(), "the challenge was refused");
        let token = card.sign(ORIGIN, &nonce);
        let answer = self.send_token(portal, token).await;
        if answer.status == StatusCode::OK {
            self.signer = Some(card.dir().to_owned());
        }
        answer
    }

    /// A browser that logged in with `card`, linked to `person`.
    pub async fn logged_in(portal: &Portal, card: &Card, person: &str) -> Self {
        card.link(portal, person).await;
        let mut browser = Self::default();
        browser.start(portal).await;
        let answer = browser.login_with(portal, card).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        browser
    }
}

/// Imports a feed given as CSV, the way `myna-server import` does.
pub async fn import(portal: &Portal, feed: Feed, csv: &str) {
    let records = feeds::parse(feed, Format::Csv, csv).expect("valid feed");
    let now = portal.now.load(Ordering::SeqCst);
    portal.state.db.import(&records, now).await.expect("import");
}

pub async fn link(portal: &Portal, person: &str) {
    portal.card.link(portal, person).await;
}

/// The insurer's record of `person` (`全国健康保険協会`, symbol 12345, number 00678) dated
/// `as_of`, imported as `myna-server import insurer-records` does.
pub async fn insurer_record(portal: &Portal, person: &str, as_of: &str) {
    import(
        portal,
        Feed::InsurerRecords,
        &format!(
            "person_id,insurer_name,symbol,number,as_of\n{person},全国健康保険協会,１２３４５,00678,{as_of}\n"
        ),
    )
    .await;
}

/// `myna-server export WHAT` with `extra`, on the portal's database: its standard output.
pub fn export(portal: &Portal, what: &str, extra: &[&str]) -> String {
    let url = portal.state.settings.database_url();
    let output = server_command()
        .args(["--database-url", &url, "export", what])
        .args(extra)
        .output()
        .expect("runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8")
}

/// The `myna-server` binary, its settings only from each test's arguments (the environment's
/// `MYNA_…` and `DATABASE_URL` removed), logging warnings.
pub fn server_command() -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_myna-server"));
    for (name, _) in std::env::vars() {
        if name.starts_with("MYNA_") || name == "DATABASE_URL" {
            command.env_remove(name);
        }
    }
    command.env("MYNA_LOG", "warn");
    command
}

/// A `myna-server` process.
pub struct ServerProcess {
    pub child: std::process::Child,
    pub base: String,
}

impl ServerProcess {
    /// Starts the binary with `args` and waits for its `listening on` line.
    pub fn start(args: &[String]) -> Self {
        use std::io::BufRead as _;
        let mut child = server_command()
            .args(args)
            .args(["--listen", "127.0.0.1:0"])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("myna-server starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = std::io::BufReader::new(stdout).lines();
        let base = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(base) = line.strip_prefix("listening on ") {
                        break base.to_owned();
                    }
                }
                _ => panic!("myna-server exited before listening"),
            }
        };
        Self { child, base }
    }

    /// SIGKILL: no shutdown, no flush.
    pub fn kill(mut self) {
        self.child.kill().expect("kill");
        self.child.wait().expect("wait");
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A browser over real HTTP: keeps the cookie and the CSRF token.
pub struct HttpBrowser {
    client: reqwest::Client,
    base: String,
    cookie: Option<String>,
    csrf: String,
    /// The card of the last login, which signs [`HttpBrowser::apply`].
    signer: Option<std::path::PathBuf>,
}

impl HttpBrowser {
    /// Starts a session.
    pub async fn start(client: &reqwest::Client, base: &str) -> Result<Self, reqwest::Error> {
        let mut browser = Self {
            client: client.clone(),
            base: base.to_owned(),
            cookie: None,
            csrf: String::new(),
            signer: None,
        };
        let (_, body) = browser
            .send(reqwest::Method::GET, "/api/v1/session", None)
            .await?;
        browser.csrf = body["csrfToken"].as_str().unwrap_or_default().to_owned();
        Ok(browser)
    }

    /// Sends the next requests to another instance (the cookie and CSRF token go along).
    pub fn set_base(&mut self, base: &str) {
        self.base = base.to_owned();
    }

    /// Sends a request; answers the status and the JSON body (`null` when none). A write is
    /// signed first by the card of the last login (a challenge bound to it, the signature, the
    /// login), as the SPA's card step does.
    pub async fn send(
        &mut self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<(StatusCode, Value), reqwest::Error> {
        if let (Some(purpose), Some(dir)) =
            (write_purpose(method.as_str(), path), self.signer.clone())
        {
            let (_, challenge) = self
                .send_as_is(
                    reqwest::Method::POST,
                    &format!("/api/v1/auth/challenge?purpose={purpose}"),
                    Some(body.clone().unwrap_or(Value::Null)),
                )
                .await?;
            if let Some(nonce) = challenge["nonce"].as_str() {
                let token = sign_with(&dir, ORIGIN, nonce);
                self.send_as_is(reqwest::Method::POST, "/api/v1/auth/login", Some(token))
                    .await?;
            }
        }
        self.send_as_is(method, path, body).await
    }

    /// Sends a request as it is.
    pub async fn send_as_is(
        &mut self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<(StatusCode, Value), reqwest::Error> {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("x-csrf-token", &self.csrf);
        if let Some(cookie) = &self.cookie {
            request = request.header(header::COOKIE, format!("myna_session={cookie}"));
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await?;
        let status =
            StatusCode::from_u16(response.status().as_u16()).unwrap_or(StatusCode::IM_A_TEAPOT);
        if let Some(set) = response
            .headers()
            .get(header::SET_COOKIE.as_str())
            .and_then(|v| v.to_str().ok())
        {
            self.cookie = session_cookie(set);
        }
        let bytes = response.bytes().await?;
        Ok((
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        ))
    }

    /// `POST /insurance/application` without the portal-user opt-in, signed first by the card
    /// of the last login (a challenge bound to it, the signature, the login).
    pub async fn apply(&mut self) -> Result<(StatusCode, Value), reqwest::Error> {
        let application = json!({"registerPortalUser": false, "termsVersion": "2021-03"});
        self.send(
            reqwest::Method::POST,
            "/api/v1/insurance/application",
            Some(application),
        )
        .await
    }

    /// Challenge, sign with `card`, login.
    pub async fn login(&mut self, card: &Card) -> Result<StatusCode, reqwest::Error> {
        let (_, challenge) = self
            .send(reqwest::Method::POST, "/api/v1/auth/challenge", None)
            .await?;
        let nonce = challenge["nonce"].as_str().unwrap_or_default().to_owned();
        let token = card.sign(ORIGIN, &nonce);
        let (status, _) = self
            .send(reqwest::Method::POST, "/api/v1/auth/login", Some(token))
            .await?;
        if status == StatusCode::OK {
            self.signer = Some(card.dir().to_owned());
        }
        Ok(status)
    }
}

/// The `issuer,serial,person_id` line of a card, for a `certificate-links` CSV.
pub fn link_line(card: &Card, person: &str) -> String {
    let key = certificate_key(&card.certificate()).expect("key");
    let (issuer, serial) = key.rsplit_once('|').expect("issuer|serial");
    format!("\"{issuer}\",{serial},{person}\n")
}
