//! What real certificates and real use bring (issue 10): serials of every shape, CAs named in
//! every encoding, two tabs of one session, revocations imported while the portal runs, a slow
//! PIN entry, and the certificate's expiry. Each runs on SQLite and, under `cargo xtask test`,
//! on PostgreSQL.

mod common;

use std::sync::Arc;

use axum::http::StatusCode;
use common::*;
use server::{db::CrlImport, feeds::Feed, revocation};
use virtual_card::pki::{self, CaOptions, IssuerShape, Period, Purpose, SerialShape};

const APPLY: &str = r#"{"registerPortalUser": false, "termsVersion": "2021-03"}"#;

fn apply_body() -> serde_json::Value {
    serde_json::from_str(APPLY).expect("json")
}

/// Logs in with `card`, links it through the feed as the registry writes it (`serial` as
/// given), and applies.
async fn login_link_apply(portal: &Portal, card: &Card, issuer: &str, serial: &str, person: &str) {
    import(
        portal,
        Feed::CertificateLinks,
        &format!("issuer,serial,person_id\n\"{issuer}\",{serial},{person}\n"),
    )
    .await;
    let mut browser = Browser::default();
    browser.start(portal).await;
    let answer = browser.login_with(portal, card).await;
    assert_eq!(answer.status, StatusCode::OK, "{serial}: {}", answer.body);
    let answer = browser.apply(portal, &apply_body()).await;
    assert_eq!(answer.status, StatusCode::OK, "{serial}: {}", answer.body);
}

fn serial_content(certificate: &[u8]) -> Vec<u8> {
    use der::Decode as _;
    x509_cert::Certificate::from_der(certificate)
        .expect("certificate")
        .tbs_certificate
        .serial_number
        .as_bytes()
        .to_vec()
}

/// The reported card: serial 0x80A1B2C3D4E5F601 logged in and then got UNKNOWN_PERSON,
/// because the login kept DER's leading 00 and the registry feed did not.
#[tokio::test]
async fn a_card_whose_serial_has_the_high_bit_set_applies() {
    let portal = Portal::new(&[]).await;
    let card = Card::with_serial(&SerialShape::Exact(vec![
        0x80, 0xA1, 0xB2, 0xC3, 0xD4, 0xE5, 0xF6, 0x01,
    ]));
    assert_eq!(
        serial_content(&card.certificate()),
        [0x00, 0x80, 0xA1, 0xB2, 0xC3, 0xD4, 0xE5, 0xF6, 0x01]
    );
    let issuer = Purpose::Auth.ca_name();
    login_link_apply(&portal, &card, issuer, "80A1B2C3D4E5F601", "high-bit").await;
    // The registry may write DER's 00 too: the same person.
    let card = Card::with_serial(&SerialShape::Exact(vec![0xFF, 0x01]));
    login_link_apply(&portal, &card, issuer, "00:FF:01", "high-bit-2").await;
}

/// Every serial shape, under CAs named in PrintableString, UTF8String and Japanese text, and a
/// 4096-bit CA key: each card logs in, is linked by the feed and applies.
#[tokio::test]
async fn every_serial_and_issuer_shape_applies() {
    let dir = tempfile::tempdir().expect("dir");
    let mut cas = Vec::new();
    for (issuer, bits) in IssuerShape::ALL
        .into_iter()
        .map(|shape| (shape, 2048))
        .chain([(IssuerShape::Printable, 4096)])
    {
        let ca = pki::make_ca_with(
            Purpose::Auth,
            &CaOptions {
                issuer,
                bits,
                ..CaOptions::new(virtual_card::fixtures::validity())
            },
        )
        .expect("ca");
        let path = dir.path().join(format!("{issuer:?}-{bits}.der"));
        std::fs::write(&path, &ca.cert_der).expect("write");
        cas.push((issuer, ca, path.to_string_lossy().into_owned()));
    }
    let mut extra = Vec::new();
    for (_, _, path) in &cas {
        extra.extend(["--trust-ca", path.as_str()]);
    }
    let portal = Portal::new(&extra).await;
    let mut n = 0;
    for (issuer_shape, ca, _) in &cas {
        for shape in SerialShape::ALL {
            let card = Card::issued_by(ca, &shape);
            let key =
                server::domain::certificate::certificate_key(&card.certificate()).expect("key");
            let (issuer, _) = key.rsplit_once('|').expect("issuer|serial");
            if *issuer_shape == IssuerShape::Japanese {
                assert!(issuer.contains("地方公共団体情報システム機構"), "{issuer}");
            }
            // The feed writes the serial as DER has it (with any leading 00).
            let serial = hex::encode(serial_content(&card.certificate()));
            n += 1;
            login_link_apply(&portal, &card, issuer, &serial, &format!("shape-{n}")).await;
        }
    }
}

/// The first sessions stored the serial with DER's 00; the migration strips it, so such a
/// session, still open across the upgrade, finds its person. On SQLite and, under `cargo xtask
/// test`, on PostgreSQL.
#[tokio::test]
async fn sessions_stored_with_the_old_key_are_migrated() {
    use sqlx::Connection as _;
    sqlx::any::install_default_drivers();
    let dir = tempfile::tempdir().expect("dir");
    let url = match test_database_url().await {
        Some(url) => url,
        None => format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("old.sqlite3").display()
        ),
    };
    let mut old = sqlx::migrate!("./migrations");
    old.migrations = old
        .migrations
        .iter()
        .filter(|m| m.version <= 3)
        .cloned()
        .collect::<Vec<_>>()
        .into();
    {
        let mut connection = sqlx::AnyConnection::connect(&url).await.expect("database");
        old.run(&mut connection).await.expect("old schema");
        for (id, key) in [
            ("old-high", "O=JPKI,C=JP|0080a1b2c3d4e5f601"),
            ("old-low", "O=JPKI,C=JP|0012"),
            ("plain", "O=JPKI,C=JP|7f01"),
        ] {
            sqlx::query(
                "INSERT INTO sessions (id_hash, csrf_token, created_ms, last_seen_ms, certificate_key) VALUES ($1, 't', 0, 0, $2)",
            )
            .bind(id)
            .bind(key)
            .execute(&mut connection)
            .await
            .expect("old session");
        }
    }
    let db = server::db::Db::connect(&url).await.expect("migrates");
    for (id, key) in [
        ("old-high", "O=JPKI,C=JP|80a1b2c3d4e5f601"),
        // 00 before a byte below 0x80 was never written by DER: left alone.
        ("old-low", "O=JPKI,C=JP|0012"),
        ("plain", "O=JPKI,C=JP|7f01"),
    ] {
        let row = db.touch_session(id, 0, 0, 0).await.expect("read");
        assert_eq!(
            row.and_then(|r| r.certificate_key).as_deref(),
            Some(key),
            "{id}"
        );
    }
}

/// Two tabs of one session (or F1 and F2 open at once) each ask for a challenge — F1's bound
/// to its application, F2's a login alone; each card step then logs in, in either order, the
/// session stays the one certificate's, and F1's write is signed.
#[tokio::test]
async fn two_tabs_of_one_session_both_log_in() {
    let portal = Portal::new(&[]).await;
    link(&portal, "two-tabs").await;
    let mut browser = Browser::default();
    browser.start(&portal).await;
    let first = browser
        .write_challenge(&portal, "insurance-application", apply_body())
        .await;
    let second = browser.challenge(&portal).await;
    assert_ne!(first, second);
    // The second tab finishes first: its login moves the session to a new id.
    let answer = browser
        .send_token(&portal, portal.sign(ORIGIN, &second))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    // The first tab's challenge moved with the session: same certificate, logged in again.
    let answer = browser
        .send_token(&portal, portal.sign(ORIGIN, &first))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.body["authenticated"], true);
    let answer = browser.apply(&portal, &apply_body()).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    // Each challenge was used once.
    for nonce in [&first, &second] {
        let answer = browser
            .send_token(&portal, portal.sign(ORIGIN, nonce))
            .await;
        assert_eq!(answer.code(), "NO_CHALLENGE");
    }
    // The session's answer carries the certificate's expiry after the login, on every read.
    let answer = browser.get(&portal, "/api/v1/session").await;
    assert!(
        answer.body["certificateExpiresAt"].as_str().is_some(),
        "{}",
        answer.body
    );
    // A session keeps the newest MAX_CHALLENGES: the oldest of more is gone.
    let oldest = browser.challenge(&portal).await;
    for _ in 0..server::db::MAX_CHALLENGES {
        portal.advance(10);
        browser.challenge(&portal).await;
    }
    let answer = browser
        .send_token(&portal, portal.sign(ORIGIN, &oldest))
        .await;
    assert_eq!(answer.code(), "SIGNATURE_INVALID");
}

/// Two logins racing with the same token: the challenge is used exactly once.
#[tokio::test]
async fn two_logins_racing_for_one_challenge_cannot_both_win() {
    let portal = Portal::new(&[]).await;
    for _ in 0..5 {
        let mut first = Browser::default();
        first.start(&portal).await;
        let nonce = first.challenge(&portal).await;
        let token = portal.sign(ORIGIN, &nonce);
        let mut second = Browser {
            cookie: first.cookie.clone(),
            csrf: first.csrf.clone(),
            ..Browser::default()
        };
        let (a, b) = tokio::join!(
            first.send_token(&portal, token.clone()),
            second.send_token(&portal, token)
        );
        let mut codes = [
            (a.status, a.code().to_owned()),
            (b.status, b.code().to_owned()),
        ];
        codes.sort();
        // The loser finds the challenge taken, or (when the winner already moved the session
        // to its new id) no session under the old cookie: refused either way.
        assert_eq!(codes[0], (StatusCode::OK, String::new()), "{codes:?}");
        assert_eq!(codes[1].0, StatusCode::UNAUTHORIZED, "{codes:?}");
        assert!(
            matches!(codes[1].1.as_str(), "NO_CHALLENGE" | "NO_SESSION"),
            "{codes:?}"
        );
    }
}

/// A session logged in with one card, then another card: another person. The session changes
/// hands with a new CSRF token, and the first person's pending challenges are dropped, so their
/// other tab cannot act as the second person.
#[tokio::test]
async fn a_login_with_another_card_changes_the_sessions_csrf_token() {
    let portal = Portal::new(&[]).await;
    let first = Card::new();
    let second = Card::another_person();
    first.link(&portal, "first").await;
    second.link(&portal, "second").await;
    let mut browser = Browser::default();
    browser.start(&portal).await;
    let first_tab = browser.challenge(&portal).await;
    let second_tab = browser.challenge(&portal).await;
    let answer = browser
        .send_token(&portal, first.sign(ORIGIN, &second_tab))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let first_csrf = browser.csrf.clone();
    assert_eq!(answer.body["csrfToken"].as_str(), first_csrf.as_deref());
    let pending = browser.challenge(&portal).await;
    // The other card logs in on the first tab's challenge.
    let answer = browser
        .send_token(&portal, second.sign(ORIGIN, &first_tab))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let new_csrf = answer.body["csrfToken"].as_str().map(str::to_owned);
    assert!(new_csrf.is_some() && new_csrf != first_csrf);
    // The old token no longer works; the pending challenge of the first person is gone.
    browser
        .apply(&portal, &apply_body())
        .await
        .refused(StatusCode::FORBIDDEN, "CSRF_FAILED");
    browser.csrf = new_csrf;
    browser
        .send_token(&portal, first.sign(ORIGIN, &pending))
        .await
        .refused(StatusCode::UNAUTHORIZED, "NO_CHALLENGE");
    // The second person's application, signed by their card.
    browser.signer = Some(second.dir().to_owned());
    let answer = browser.apply(&portal, &apply_body()).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let status = browser.get(&portal, "/api/v1/insurance/status").await;
    assert_eq!(status.body["application"], "received", "{}", status.body);
}

/// A second instance on the same database: `AppState` over the first one's settings.
async fn second_instance(portal: &Portal) -> Portal {
    let settings = (*portal.state.settings).clone();
    let db = server::db::Db::connect(&settings.database_url())
        .await
        .expect("database");
    let clock = Arc::clone(&portal.now);
    let state = server::AppState::new(
        settings,
        db,
        Arc::new(move || clock.load(std::sync::atomic::Ordering::SeqCst)),
    )
    .expect("state");
    Portal::from_state(state, Arc::clone(&portal.now))
}

/// A CRL imported while the portal runs: the open session ends at its next request on every
/// instance, new logins are refused, an older CRL cannot undo it, and another card goes on.
#[tokio::test]
async fn a_revocation_imported_while_running_ends_sessions_everywhere() {
    let portal = Portal::new(&[]).await;
    let other_instance = second_instance(&portal).await;
    let revoked_card = Card::with_serial(&SerialShape::HighBit);
    let good_card = Card::another_person();
    revoked_card.link(&portal, "revoked").await;
    good_card.link(&portal, "good").await;
    let mut revoked = Browser::default();
    revoked.start(&portal).await;
    assert_eq!(
        revoked.login_with(&portal, &revoked_card).await.status,
        StatusCode::OK
    );
    let ca = &template_ca().auth;
    let now_s = (portal.now.load(std::sync::atomic::Ordering::SeqCst) / 1000) as u64;
    let older = pki::make_crl(
        ca,
        &[],
        Period {
            not_before: now_s - 7200,
            not_after: now_s + 86_400,
        },
    )
    .expect("crl");
    let crl = pki::make_crl(
        ca,
        &[&revoked_card.certificate()],
        Period {
            not_before: now_s - 3600,
            not_after: now_s + 86_400,
        },
    )
    .expect("crl");
    let dir = tempfile::tempdir().expect("dir");
    let (older_path, crl_path) = (dir.path().join("older.crl"), dir.path().join("new.crl"));
    std::fs::write(&older_path, older).expect("write");
    std::fs::write(&crl_path, crl).expect("write");
    let import = |path: std::path::PathBuf| {
        let state = portal.state.clone();
        async move {
            revocation::import_file(&state.db, &state.trust, &path, state.now_ms())
                .await
                .expect("import")
        }
    };
    assert_eq!(import(crl_path.clone()).await, CrlImport::Stored);
    assert_eq!(import(crl_path).await, CrlImport::Unchanged);
    assert_eq!(import(older_path).await, CrlImport::Older);
    // The open session ends at its next request, on the other instance.
    let answer = revoked
        .call(
            &other_instance,
            "GET",
            "/api/v1/insurance/status",
            None,
            false,
        )
        .await;
    answer.refused(StatusCode::UNAUTHORIZED, "CERTIFICATE_REVOKED");
    let answer = revoked
        .call(&portal, "GET", "/api/v1/insurance/status", None, false)
        .await;
    answer.refused(StatusCode::UNAUTHORIZED, "NO_SESSION");
    // A new login is refused on either instance; the other card goes on.
    for instance in [&portal, &other_instance] {
        let mut browser = Browser::default();
        browser.start(instance).await;
        browser
            .login_with(instance, &revoked_card)
            .await
            .refused(StatusCode::UNAUTHORIZED, "CERTIFICATE_REVOKED");
        let mut browser = Browser::default();
        browser.start(instance).await;
        assert_eq!(
            browser.login_with(instance, &good_card).await.status,
            StatusCode::OK
        );
    }
}

/// A CRL past its nextUpdate: `/healthz` says degraded, `/metrics` shows it; with
/// `--stale-crl refuse` the CA's cards cannot log in until a fresh CRL is imported.
#[tokio::test]
async fn a_stale_crl_is_reported_and_may_refuse_logins() {
    let ca = &template_ca().auth;
    let dir = tempfile::tempdir().expect("dir");
    let friday_s = (friday_afternoon_ms() / 1000) as u64;
    let stale = pki::make_crl(
        ca,
        &[],
        Period {
            not_before: friday_s - 10 * 86_400,
            not_after: friday_s - 86_400,
        },
    )
    .expect("crl");
    let path = dir.path().join("stale.crl");
    std::fs::write(&path, stale).expect("write");
    let path_text = path.to_string_lossy().into_owned();
    // With `refuse`, no CRL at all for the card's CA is no revocation check either.
    let portal = Portal::new(&["--stale-crl", "refuse"]).await;
    let mut browser = Browser::default();
    browser.start(&portal).await;
    browser
        .login(&portal)
        .await
        .refused(StatusCode::SERVICE_UNAVAILABLE, "REVOCATION_UNAVAILABLE");
    // A CRL dated in the future would block every genuine one until then: refused.
    let future = pki::make_crl(
        ca,
        &[],
        Period {
            not_before: friday_s + 86_400,
            not_after: friday_s + 10 * 86_400,
        },
    )
    .expect("crl");
    let future_path = dir.path().join("future.crl");
    std::fs::write(&future_path, future).expect("write");
    let error = revocation::import_file(
        &portal.state.db,
        &portal.state.trust,
        &future_path,
        friday_afternoon_ms(),
    )
    .await
    .expect_err("a CRL from the future");
    assert!(error.to_string().contains("future"), "{error}");
    for policy in ["warn", "refuse"] {
        let portal = Portal::new(&["--stale-crl", policy]).await;
        revocation::import_file(
            &portal.state.db,
            &portal.state.trust,
            &path,
            friday_afternoon_ms(),
        )
        .await
        .expect("import");
        let mut browser = Browser::default();
        let health = browser.get(&portal, "/healthz").await;
        assert_eq!(health.status, StatusCode::OK);
        assert_eq!(health.body["status"], "degraded", "{}", health.body);
        assert_eq!(health.body["crls"][0]["stale"], true);
        assert!(health.body["crls"][0]["ageSeconds"].as_i64() >= Some(10 * 86_400));
        let metrics = server::app(portal.state.clone());
        let text = metrics_text(metrics).await;
        assert!(
            text.lines()
                .any(|l| l.starts_with("myna_crl_stale{") && l.ends_with(" 1")),
            "{text}"
        );
        browser.start(&portal).await;
        let answer = browser.login(&portal).await;
        if policy == "warn" {
            assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        } else {
            answer.refused(StatusCode::SERVICE_UNAVAILABLE, "REVOCATION_UNAVAILABLE");
            // A fresh CRL lifts it.
            let fresh = pki::make_crl(
                ca,
                &[],
                Period {
                    not_before: friday_s - 60,
                    not_after: friday_s + 86_400,
                },
            )
            .expect("crl");
            let fresh_path = dir.path().join("fresh.crl");
            std::fs::write(&fresh_path, fresh).expect("write");
            revocation::import_file(
                &portal.state.db,
                &portal.state.trust,
                &fresh_path,
                friday_afternoon_ms(),
            )
            .await
            .expect("import");
            let answer = browser.login(&portal).await;
            assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
            let health = browser.get(&portal, "/healthz").await;
            assert_eq!(health.body["status"], "ok", "{}", health.body);
        }
        let _ = &path_text;
    }
}

async fn metrics_text(app: axum::Router) -> String {
    use http_body_util::BodyExt as _;
    use tower::ServiceExt as _;
    let response = app
        .oneshot(
            axum::http::Request::get("/metrics")
                .body(axum::body::Body::empty())
                .expect("request"),
        )
        .await
        .expect("response");
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// A slow PIN entry at a terminal with a 60 s idle rule: the outstanding challenge keeps the
/// session alive up to `--card-request-secs`, so the login after 100 s of typing succeeds;
/// past that the session is gone.
#[tokio::test]
async fn a_card_request_keeps_the_session_alive_while_the_pin_is_typed() {
    let portal = Portal::new(&["--idle-timeout-secs", "60"]).await;
    link(&portal, "slow").await;
    let mut browser = Browser::default();
    browser.start(&portal).await;
    let nonce = browser.challenge(&portal).await;
    portal.advance(100_000);
    let answer = browser
        .send_token(&portal, portal.sign(ORIGIN, &nonce))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    // The janitor does not delete a session with a card request under way either.
    let mut slow = Browser::default();
    slow.start(&portal).await;
    let nonce = slow.challenge(&portal).await;
    portal.advance(100_000);
    portal.janitor().await;
    let answer = slow.send_token(&portal, portal.sign(ORIGIN, &nonce)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    // Without a card request, 60 s of nothing ends it; a request older than 150 s no longer
    // counts.
    let mut idle = Browser::default();
    idle.start(&portal).await;
    let _ = idle.challenge(&portal).await;
    portal.advance(151_000);
    idle.get(&portal, "/api/v1/insurance/status")
        .await
        .refused(StatusCode::UNAUTHORIZED, "NO_SESSION");
}

/// The login's answer says when the certificate expires; an expired one has its own code.
#[tokio::test]
async fn the_login_reports_the_certificate_expiry() {
    let portal = Portal::new(&[]).await;
    // A certificate in its last two months (the page warns from three months before).
    let friday_s = (friday_afternoon_ms() / 1000) as u64;
    let not_after = friday_s + 60 * 86_400;
    let card = Card::with_period(Period {
        not_before: virtual_card::fixtures::VALID_FROM,
        not_after,
    });
    let mut browser = Browser::default();
    browser.start(&portal).await;
    let answer = browser.login_with(&portal, &card).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let expires = answer.body["certificateExpiresAt"]
        .as_str()
        .expect("expiry")
        .to_owned();
    assert!(expires.ends_with("+09:00"), "{expires}");
    let parsed = chrono::DateTime::parse_from_rfc3339(&expires).expect("RFC 3339");
    assert_eq!(parsed.timestamp(), not_after as i64);
    // Past notAfter: CERTIFICATE_EXPIRED, not a generic refusal.
    portal.advance(61 * 86_400_000);
    let mut browser = Browser::default();
    browser.start(&portal).await;
    browser
        .login_with(&portal, &card)
        .await
        .refused(StatusCode::UNAUTHORIZED, "CERTIFICATE_EXPIRED");
}

/// A public terminal's session ends after 60 s without a request whatever the server's default
/// (15 minutes here), and the janitor removes it; a PC's session of the same server lives on
/// (issue 11, item 3).
#[tokio::test]
async fn a_terminal_session_ends_after_its_own_60_seconds() {
    let portal = Portal::new(&[]).await;
    let mut terminal = Browser::default();
    let answer = terminal.get(&portal, "/api/v1/session?terminal=1").await;
    assert_eq!(answer.body["idleTimeoutSeconds"], 60, "{}", answer.body);
    terminal.csrf = answer.body["csrfToken"].as_str().map(str::to_owned);
    let mut pc = Browser::default();
    pc.start(&portal).await;
    let answer = pc.get(&portal, "/api/v1/session").await;
    assert_eq!(answer.body["idleTimeoutSeconds"], 900, "{}", answer.body);
    // A session that began on a PC page and moves to the terminal's page becomes a terminal's.
    let mut moved = Browser::default();
    moved.start(&portal).await;
    let answer = moved.get(&portal, "/api/v1/session?terminal=1").await;
    assert_eq!(answer.body["idleTimeoutSeconds"], 60, "{}", answer.body);
    portal.advance(59_000);
    assert_eq!(
        terminal
            .get(&portal, "/api/v1/session?terminal=1")
            .await
            .body["authenticated"],
        false
    );
    portal.advance(61_000);
    terminal
        .get(&portal, "/api/v1/insurance/status")
        .await
        .refused(StatusCode::UNAUTHORIZED, "NO_SESSION");
    moved
        .get(&portal, "/api/v1/insurance/status")
        .await
        .refused(StatusCode::UNAUTHORIZED, "NO_SESSION");
    pc.get(&portal, "/api/v1/insurance/status")
        .await
        .refused(StatusCode::UNAUTHORIZED, "NOT_AUTHENTICATED");
    // The janitor deletes the terminal's leftovers by their own timeout.
    let mut left = Browser::default();
    left.get(&portal, "/api/v1/session?terminal=1").await;
    portal.advance(61_000);
    let removed = portal.janitor().await;
    assert!(removed >= 1, "{removed}");
}
