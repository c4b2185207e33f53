//! The API through `app().oneshot`: card login and its refusals, health-insurance registration
//! and its status, sessions.

mod common;

use std::sync::Arc;

use axum::http::StatusCode;
use common::*;
use serde_json::{json, Value};
use server::{config::Settings, feeds::Feed};

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
    // The application's receipt (受付番号: random, 20 digits in groups of four; the same after
    // the idempotent second application below).
    let mut shown = answer.body.clone();
    let receipt = shown["history"][0]
        .as_object_mut()
        .and_then(|entry| entry.remove("receiptNumber"));
    assert!(
        receipt
            .as_ref()
            .and_then(Value::as_str)
            .is_some_and(|n| n.len() == 24),
        "{receipt:?}"
    );
    assert_eq!(
        shown,
        json!({
            "application": "received",
            "appliedAt": "2026-11-20T16:00:00+09:00",
            "registration": "preparing",
            // Two months after the application: no month was configured.
            "expectedBy": "2027-01",
            "portalUser": "received",
            "history": [{"at": "2026-11-20T16:00:00+09:00", "event": "applied"}],
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
    // A refused token spends nothing (another tab may still be using that challenge); the
    // good token for it logs in once, and its replay finds no challenge.
    let token = portal.sign(ORIGIN, &nonce);
    let answer = browser.send_token(&portal, token.clone()).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
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
    let answer = other
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
