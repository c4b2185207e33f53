//! MyNa Point through the API: reservation (F4), search, application and receipt (F5), the
//! provider adapter against a real HTTP peer on loopback, the one-use payment-service ID under
//! concurrent requests, the bulk application (F6) and the rate limits.

mod common;

use std::{
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    time::Duration,
};

use axum::{http::StatusCode, routing::post, Json, Router};
use common::*;
use serde_json::{json, Value};
use server::feeds::Feed;

const RESERVE: &str = "/api/v1/mynapoint/reservation";
const APPLY: &str = "/api/v1/mynapoint/application";
const CHECK: &str = "/api/v1/mynapoint/application/check";

fn application(service: &str, id: &str, code: &str) -> Value {
    json!({"serviceCode": service, "paymentServiceId": id, "securityCode": code, "phoneLast4": "1234",
        "termsVersion": protocol::site::MYNAPOINT_TERMS_VERSION})
}

/// F5 step 5 with a phone number.
async fn apply(
    browser: &mut Browser,
    portal: &Portal,
    service: &str,
    id: &str,
    code: &str,
) -> Answer {
    browser
        .post(portal, APPLY, application(service, id, code))
        .await
}

/// F4 and F5 on `browser`'s session, each signed by its card (F6 follows them).
async fn point_application_made(browser: &mut Browser, portal: &Portal, service: &str, id: &str) {
    let answer = browser.post(portal, RESERVE, json!({})).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let answer = apply(browser, portal, service, id, "123").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
}

/// `q` percent-encoded, as a browser sends it.
fn search_path(q: &str) -> String {
    let encoded: String = q
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("/api/v1/mynapoint/services?q={encoded}")
}

#[tokio::test]
async fn reservation_search_application_and_receipt() {
    // The harness signs each write with a login of its own (the SPA's card step does both in
    // one): twice the logins of a citizen, above the default 20 a minute.
    let portal = Portal::new(&["--rate-limit-certificate", "60"]).await;
    let mut browser = Browser::logged_in(&portal, &portal.card, "person-1").await;

    // Applying before the reservation is refused.
    let answer = apply(
        &mut browser,
        &portal,
        "MP0000001",
        "1234567890128901",
        "123",
    )
    .await;
    answer.refused(StatusCode::CONFLICT, "MYKEY_REQUIRED");
    assert_eq!(
        browser.get(&portal, RESERVE).await.status,
        StatusCode::NOT_FOUND
    );

    // F4: one MyKey ID per person, the same on a second request.
    let answer = browser.post(&portal, RESERVE, json!({})).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let my_key_id = answer.body["myKeyId"].as_str().expect("id").to_owned();
    assert_eq!(my_key_id.len(), 8);
    assert_eq!(
        browser.post(&portal, RESERVE, json!({})).await.body["myKeyId"],
        my_key_id.as_str()
    );
    assert_eq!(
        browser.get(&portal, RESERVE).await.body["myKeyId"],
        my_key_id.as_str()
    );

    // Search: katakana, hiragana and half-width kana find the same service.
    for q in ["シカク", "しかく", "ｼｶｸ"] {
        let answer = browser.get(&portal, &search_path(q)).await;
        assert_eq!(answer.status, StatusCode::OK);
        let names: Vec<&str> = answer.body["services"]
            .as_array()
            .expect("services")
            .iter()
            .filter_map(|s| s["name"].as_str())
            .collect();
        assert_eq!(names, ["□□カード"], "{q}");
    }
    let all = browser.get(&portal, &search_path("")).await;
    assert!(all.body["services"].as_array().expect("services").len() >= 20);
    let long = browser.get(&portal, &search_path(&"ア".repeat(65))).await;
    assert_eq!(long.code(), "INVALID_REQUEST");

    // Field checks, each naming its field.
    for (body, field) in [
        (application("MP0000001", "", "123"), "paymentServiceId"),
        (application("MP0000001", "12345678", ""), "securityCode"),
        (
            json!({"serviceCode": "MP0000001", "paymentServiceId": "12345678", "securityCode": "123", "phoneLast4": "12",
                "termsVersion": protocol::site::MYNAPOINT_TERMS_VERSION}),
            "phoneLast4",
        ),
    ] {
        let answer = browser.post(&portal, APPLY, body).await;
        answer.refused(StatusCode::BAD_REQUEST, "INVALID_FIELD");
        assert_eq!(answer.body["field"], field);
    }
    let answer = apply(&mut browser, &portal, "MP9999999", "12345678", "123").await;
    assert_eq!(answer.code(), "UNKNOWN_SERVICE");
    // A service that only its own app or shop takes is refused at the terminal, not on the web.
    let kiosk_only_not = json!({"serviceCode": "MP0000007", "paymentServiceId": "12345678", "securityCode": "000", "kiosk": true,
        "termsVersion": protocol::site::MYNAPOINT_TERMS_VERSION});
    assert_eq!(
        browser.post(&portal, APPLY, kiosk_only_not).await.code(),
        "KIOSK_NOT_AVAILABLE"
    );
    // The terms agreed to must be the ones shown now: an application naming another version (a
    // page loaded before the terms changed) or none is refused.
    let mut old_terms = application("MP0000001", "12345678", "123");
    old_terms["termsVersion"] = json!("2019-01");
    assert_eq!(
        browser.post(&portal, APPLY, old_terms).await.code(),
        "TERMS_CHANGED"
    );
    let mut no_terms = application("MP0000001", "12345678", "123");
    no_terms
        .as_object_mut()
        .expect("object")
        .remove("termsVersion");
    assert_eq!(
        browser.post(&portal, APPLY, no_terms).await.code(),
        "INVALID_REQUEST"
    );
    // The demo provider cannot confirm the security code 000.
    let answer = apply(&mut browser, &portal, "MP0000001", "12345678", "000").await;
    answer.refused(StatusCode::UNPROCESSABLE_ENTITY, "PROVIDER_REJECTED");
    // Step 5's 「確認」 asks the same checks without applying: the provider's refusal shows
    // there, before the card is read again; a confirmed input is 204 and nothing is stored.
    let checked = browser
        .post(&portal, CHECK, application("MP0000001", "12345678", "000"))
        .await;
    checked.refused(StatusCode::UNPROCESSABLE_ENTITY, "PROVIDER_REJECTED");
    let checked = browser
        .post(
            &portal,
            CHECK,
            application("MP0000001", "1234-5678-9012-8901", "8642913"),
        )
        .await;
    assert_eq!(checked.status, StatusCode::NO_CONTENT, "{}", checked.body);
    assert_eq!(browser.get(&portal, APPLY).await.code(), "NOT_FOUND");

    // The application and its receipt (F5 step 8).
    let answer = apply(
        &mut browser,
        &portal,
        "MP0000001",
        "1234-5678-9012-8901",
        "8642913",
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let receipt = answer.body.clone();
    assert_eq!(receipt["myKeyId"], my_key_id.as_str());
    assert_eq!(receipt["serviceName"], "□□カード");
    assert_eq!(receipt["category"], "電子マネー");
    assert_eq!(receipt["paymentMethod"], "前払");
    assert_eq!(receipt["registrationNumber"], "MP0000001");
    assert_eq!(receipt["paymentServiceId"], "*****8901");
    assert_eq!(receipt["phoneLast4"], "1234");
    assert_eq!(receipt["appliedAt"], "2026-11-20T16:00:00+09:00");
    // The version of the terms agreed to is stored with the application.
    let stored = portal
        .state
        .db
        .point_application("person-1")
        .await
        .expect("db")
        .expect("row");
    assert_eq!(
        stored.terms_version.as_deref(),
        Some(protocol::site::MYNAPOINT_TERMS_VERSION)
    );
    let number = receipt["receiptNumber"].as_str().expect("number");
    assert!(
        number.len() == 24
            && number
                .split(' ')
                .all(|g| g.len() == 4 && g.bytes().all(|b| b.is_ascii_digit())),
        "{number}"
    );
    // A retry of the same request answers the same receipt; another service is refused.
    let again = apply(
        &mut browser,
        &portal,
        "MP0000001",
        "1234567890128901",
        "8642913",
    )
    .await;
    assert_eq!(again.body, receipt);
    assert_eq!(browser.get(&portal, APPLY).await.body, receipt);
    let other = apply(&mut browser, &portal, "MP0000002", "99998888", "123").await;
    assert_eq!(
        (other.status, other.code()),
        (StatusCode::CONFLICT, "ALREADY_APPLIED")
    );

    // Someone else with the same ID of the same service: already registered.
    let card = Card::another_person();
    let mut someone = Browser::logged_in(&portal, &card, "person-2").await;
    someone.post(&portal, RESERVE, json!({})).await;
    let answer = apply(
        &mut someone,
        &portal,
        "MP0000001",
        "1234567890128901",
        "123",
    )
    .await;
    answer.refused(StatusCode::CONFLICT, "PAYMENT_ID_TAKEN");
    // … and already at step 5's check.
    let checked = someone
        .post(
            &portal,
            CHECK,
            application("MP0000001", "1234567890128901", "123"),
        )
        .await;
    checked.refused(StatusCode::CONFLICT, "PAYMENT_ID_TAKEN");
    // The first person checking another service: one service per person, at step 5 too.
    let checked = browser
        .post(&portal, CHECK, application("MP0000002", "99998888", "123"))
        .await;
    checked.refused(StatusCode::CONFLICT, "ALREADY_APPLIED");

    // Neither the ID nor the security code is in the database file.
    if !portal.state.db.is_postgres() {
        let mut stored = Vec::new();
        for entry in std::fs::read_dir(portal.data_dir()).expect("data dir") {
            stored.extend(std::fs::read(entry.expect("entry").path()).unwrap_or_default());
        }
        for secret in ["1234567890128901", "8642913"] {
            assert!(
                !stored.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{secret} is stored"
            );
        }
    }
}

/// A payment provider on loopback: confirms code `123`, refuses the rest, after `delay`.
async fn provider(delay: Duration, calls: Arc<AtomicUsize>) -> String {
    let app = Router::new()
        .route(
            "/check",
            post(move |Json(request): Json<Value>| {
                let calls = Arc::clone(&calls);
                async move {
                    calls.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(delay).await;
                    Json(json!({"valid": request["securityCode"] == "123"}))
                }
            }),
        )
        .route(
            "/broken",
            post(|| async { StatusCode::INTERNAL_SERVER_ERROR }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

#[tokio::test]
async fn the_http_provider_confirms_refuses_and_times_out() {
    let calls = Arc::new(AtomicUsize::new(0));
    let base = provider(Duration::from_millis(0), Arc::clone(&calls)).await;
    let url = format!("{base}/check");
    let portal = Portal::new(&["--provider-url", &url, "--provider-timeout-ms", "300"]).await;
    let mut browser = Browser::logged_in(&portal, &portal.card, "person-1").await;
    browser.post(&portal, RESERVE, json!({})).await;
    let answer = apply(&mut browser, &portal, "MP0000002", "55556666", "999").await;
    assert_eq!(answer.code(), "PROVIDER_REJECTED");
    let answer = apply(&mut browser, &portal, "MP0000002", "55556666", "123").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(calls.load(Ordering::SeqCst), 2);

    // A provider that answers too late, or with an error, cannot be reached.
    let slow = provider(Duration::from_secs(3), Arc::new(AtomicUsize::new(0))).await;
    for url in [format!("{slow}/check"), format!("{base}/broken")] {
        let portal = Portal::new(&["--provider-url", &url, "--provider-timeout-ms", "300"]).await;
        let mut browser = Browser::logged_in(&portal, &portal.card, "person-1").await;
        browser.post(&portal, RESERVE, json!({})).await;
        let answer = apply(&mut browser, &portal, "MP0000002", "55556666", "123").await;
        assert_eq!(
            (answer.status, answer.code()),
            (StatusCode::BAD_GATEWAY, "PROVIDER_UNAVAILABLE"),
            "{url}"
        );
        // Nothing was recorded: the same request goes through once the provider answers.
        assert_eq!(
            browser.get(&portal, APPLY).await.status,
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_payment_service_id_wins_among_concurrent_applications() {
    const PEOPLE: usize = 16;
    // A provider that takes 100 ms, so that every request passes the early check before any
    // is stored: the database's uniqueness alone must decide.
    let calls = Arc::new(AtomicUsize::new(0));
    let url = format!(
        "{}/check",
        provider(Duration::from_millis(100), Arc::clone(&calls)).await
    );
    let portal = Arc::new(Portal::new(&["--provider-url", &url, "--rate-limit-ip", "0"]).await);
    let mut browsers = Vec::new();
    let mut cards = Vec::new();
    for i in 0..PEOPLE {
        let card = Card::another_person();
        let mut browser = Browser::logged_in(&portal, &card, &format!("person-{i}")).await;
        assert_eq!(
            browser.post(&portal, RESERVE, json!({})).await.status,
            StatusCode::OK
        );
        browsers.push(browser);
        cards.push(card);
    }
    let tasks: Vec<_> = browsers
        .into_iter()
        .map(|mut browser| {
            let portal = Arc::clone(&portal);
            tokio::spawn(async move {
                let answer = apply(
                    &mut browser,
                    &portal,
                    "MP0000003",
                    "4444333322221111",
                    "123",
                )
                .await;
                (answer.status, answer.code().to_owned())
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.expect("task"));
    }
    let won = outcomes
        .iter()
        .filter(|(status, _)| *status == StatusCode::OK)
        .count();
    let taken = outcomes
        .iter()
        .filter(|(_, code)| code == "PAYMENT_ID_TAKEN")
        .count();
    assert_eq!((won, taken), (1, PEOPLE - 1), "{outcomes:?}");
    assert!(calls.load(Ordering::SeqCst) > 1, "the requests did race");
}

#[tokio::test]
async fn the_bulk_application_uses_the_card_session() {
    let portal = Portal::new(&[]).await;
    let mut browser = Browser::logged_in(&portal, &portal.card, "person-1").await;
    let bulk = "/api/v1/bulk-application";
    // Without a MyNa Point application on this session nothing signed it.
    let answer = browser
        .post(
            &portal,
            bulk,
            json!({"portalUser": true, "insurance": true}),
        )
        .await;
    answer.refused(StatusCode::FORBIDDEN, "WRITE_NOT_SIGNED");
    point_application_made(&mut browser, &portal, "MP0000002", "99998888").await;
    let answer = browser
        .post(
            &portal,
            bulk,
            json!({"portalUser": false, "insurance": false}),
        )
        .await;
    assert_eq!(answer.code(), "INVALID_REQUEST");
    let answer = browser
        .post(
            &portal,
            bulk,
            json!({"portalUser": true, "insurance": true, "termsVersion": "2019-01"}),
        )
        .await;
    assert_eq!(answer.code(), "TERMS_CHANGED");

    let answer = browser
        .post(
            &portal,
            bulk,
            json!({"portalUser": true, "insurance": true}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.body["portalUser"], "received");
    assert_eq!(answer.body["insurance"]["application"], "received");
    assert_eq!(answer.body["insurance"]["portalUser"], "received");
    // One signed MyNa Point application covers one bulk application.
    browser
        .post(
            &portal,
            bulk,
            json!({"portalUser": true, "insurance": false}),
        )
        .await
        .refused(StatusCode::FORBIDDEN, "WRITE_NOT_SIGNED");
    let status = browser.get(&portal, "/api/v1/insurance/status").await;
    assert_eq!(status.body, answer.body["insurance"]);

    // After a recent certificate renewal the insurance part waits for F3, and nothing is kept.
    let card = Card::another_person();
    let mut other = Browser::logged_in(&portal, &card, "person-2").await;
    point_application_made(&mut other, &portal, "MP0000002", "99997777").await;
    import(
        &portal,
        Feed::CardEvents,
        "person_id,event,occurred_at\nperson-2,auth_certificate_renewed,2026-11-20T15:00:00+09:00\n",
    )
    .await;
    let answer = other
        .post(
            &portal,
            bulk,
            json!({"portalUser": true, "insurance": true}),
        )
        .await;
    assert_eq!(answer.code(), "NOT_YET_ELIGIBLE");
    assert_eq!(answer.body["availableFrom"], "2026-11-24T12:00:00+09:00");
    let status = other.get(&portal, "/api/v1/insurance/status").await;
    assert_eq!(status.body, json!({"application": "not_applied"}));
    // The portal-user registration alone needs no waiting.
    let answer = other
        .post(
            &portal,
            bulk,
            json!({"portalUser": true, "insurance": false}),
        )
        .await;
    assert_eq!(answer.body, json!({"portalUser": "received"}));
}

#[tokio::test]
async fn rate_limits_per_address_and_per_certificate() {
    let portal = Portal::new(&[
        "--rate-limit-certificate",
        "2",
        "--rate-limit-ip",
        "6",
        "--trust-forwarded-for",
    ])
    .await;
    portal.card.link(&portal, "person-1").await;
    // Per certificate: the third login within a minute is refused, whatever the address.
    let mut codes = Vec::new();
    for i in 0..3 {
        let mut browser = Browser {
            headers: vec![("x-forwarded-for", format!("192.0.2.{i}"))],
            ..Browser::default()
        };
        browser.start(&portal).await;
        let answer = browser.login(&portal).await;
        codes.push(answer.code().to_owned());
        if i == 2 {
            assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
            let retry = answer.body["retryAfter"].as_u64().expect("retryAfter");
            assert!((1..=60).contains(&retry), "{retry}");
        }
    }
    assert_eq!(codes, ["", "", "RATE_LIMITED"]);
    // Per address: session starts and challenges count; the 7th in a minute is refused.
    let mut browser = Browser {
        headers: vec![("x-forwarded-for", "198.51.100.7, 203.0.113.9".into())],
        ..Browser::default()
    };
    browser.start(&portal).await;
    let mut refused = None;
    for i in 0..6 {
        let answer = browser
            .call(&portal, "POST", "/api/v1/auth/challenge", None, true)
            .await;
        if answer.status == StatusCode::TOO_MANY_REQUESTS {
            refused = Some(i);
            break;
        }
    }
    assert_eq!(
        refused,
        Some(5),
        "1 session + 5 challenges allowed, the 6th challenge refused"
    );
    // A minute later the window is new.
    portal.advance(60_000);
    let answer = browser
        .call(&portal, "POST", "/api/v1/auth/challenge", None, true)
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
}
