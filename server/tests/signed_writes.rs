//! Card-signed writes (issue 14; docs/contract.md "Signed writes"): a session left open writes
//! nothing its card did not sign — no signature, a signature over other content, for another
//! purpose, used already, expired, or of another session — the stored signature verifies on its
//! own as the receipt's evidence, and one MyNa Point application per person holds across a
//! certificate renewal under concurrent requests.

mod common;

use axum::http::StatusCode;
use base64::Engine as _;
use common::*;
use serde_json::{json, Value};
use server::feeds::Feed;

const INSURANCE: &str = "/api/v1/insurance/application";
const RESERVE: &str = "/api/v1/mynapoint/reservation";
const APPLY: &str = "/api/v1/mynapoint/application";

fn insurance(register_portal_user: bool) -> Value {
    json!({"registerPortalUser": register_portal_user, "termsVersion": "2021-03"})
}

fn point(id: &str) -> Value {
    json!({"serviceCode": "MP0000002", "paymentServiceId": id, "securityCode": "123",
        "termsVersion": protocol::site::MYNAPOINT_TERMS_VERSION})
}

/// A card step that signs `purpose` over `signed`: the challenge bound to it, the card's
/// signature, the login.
async fn card_step(
    browser: &mut Browser,
    portal: &Portal,
    card: &Card,
    purpose: &str,
    signed: Value,
) {
    let nonce = browser.write_challenge(portal, purpose, signed).await;
    assert!(!nonce.is_empty(), "the challenge was refused");
    let answer = browser.send_token(portal, card.sign(ORIGIN, &nonce)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
}

/// A browser logged in with `card` for `person` that signs nothing by itself.
async fn unsigned(portal: &Portal, card: &Card, person: &str) -> Browser {
    let mut browser = Browser::logged_in(portal, card, person).await;
    browser.signer = None;
    browser
}

#[tokio::test]
async fn a_logged_in_session_writes_nothing_its_card_did_not_sign() {
    let portal = Portal::new(&[]).await;
    let mut browser = unsigned(&portal, &portal.card, "person-1").await;
    // A login alone signs no write.
    for (path, body) in [(INSURANCE, insurance(false)), (RESERVE, json!({}))] {
        browser
            .post(&portal, path, body)
            .await
            .refused(StatusCode::FORBIDDEN, "WRITE_NOT_SIGNED");
    }
    // Signed over other content: registering as a portal user was not what the card signed.
    card_step(
        &mut browser,
        &portal,
        &portal.card,
        "insurance-application",
        insurance(false),
    )
    .await;
    browser
        .post(&portal, INSURANCE, insurance(true))
        .await
        .refused(StatusCode::FORBIDDEN, "WRITE_NOT_SIGNED");
    // Spacing and key order are not content: the page's JSON and the server's agree.
    let reordered: Value =
        serde_json::from_str(r#"{ "termsVersion" : "2021-03", "registerPortalUser" : false }"#)
            .expect("json");
    let answer = browser.post(&portal, INSURANCE, reordered).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    // Used once: the same write again needs the card again.
    browser
        .post(&portal, INSURANCE, insurance(false))
        .await
        .refused(StatusCode::FORBIDDEN, "WRITE_NOT_SIGNED");
    // A signature for one purpose is none for another (the tag is inside the digest).
    card_step(
        &mut browser,
        &portal,
        &portal.card,
        "mynapoint-reservation",
        json!({}),
    )
    .await;
    browser
        .post(&portal, INSURANCE, insurance(false))
        .await
        .refused(StatusCode::FORBIDDEN, "WRITE_NOT_SIGNED");
    let answer = browser.post(&portal, RESERVE, json!({})).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    // Expired: ten minutes after the card step the write needs the card again.
    card_step(
        &mut browser,
        &portal,
        &portal.card,
        "mynapoint-application",
        point("99998888"),
    )
    .await;
    portal.advance(server::writes::SIGNED_WRITE_TTL_MS + 1);
    browser
        .post(&portal, APPLY, point("99998888"))
        .await
        .refused(StatusCode::FORBIDDEN, "WRITE_NOT_SIGNED");
    // A bad field is refused before the card is asked (the same refusal as the write's).
    let answer = browser
        .call(
            &portal,
            "POST",
            "/api/v1/auth/challenge?purpose=mynapoint-application",
            Some(point("12")),
            true,
        )
        .await;
    answer.refused(StatusCode::BAD_REQUEST, "INVALID_FIELD");
    let answer = browser
        .call(
            &portal,
            "POST",
            "/api/v1/auth/challenge?purpose=cancel-everything",
            Some(json!({})),
            true,
        )
        .await;
    answer.refused(StatusCode::BAD_REQUEST, "INVALID_REQUEST");
}

#[tokio::test]
async fn a_signature_belongs_to_the_session_of_its_card_step() {
    let portal = Portal::new(&[]).await;
    let mut first = unsigned(&portal, &portal.card, "person-1").await;
    card_step(
        &mut first,
        &portal,
        &portal.card,
        "insurance-application",
        insurance(false),
    )
    .await;
    // The same person's other session (another tab logged in on its own, another terminal)
    // cannot spend it.
    let mut second = unsigned(&portal, &portal.card, "person-1").await;
    second
        .post(&portal, INSURANCE, insurance(false))
        .await
        .refused(StatusCode::FORBIDDEN, "WRITE_NOT_SIGNED");
    // Another card logging in on the same browser takes the session over (a new person): the
    // first person's signature does not follow it.
    let other = Card::another_person();
    other.link(&portal, "person-2").await;
    let nonce = first.challenge(&portal).await;
    let answer = first.send_token(&portal, other.sign(ORIGIN, &nonce)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    first.csrf = answer.body["csrfToken"].as_str().map(str::to_owned);
    first
        .post(&portal, INSURANCE, insurance(false))
        .await
        .refused(StatusCode::FORBIDDEN, "WRITE_NOT_SIGNED");
    assert!(portal
        .state
        .db
        .insurance_status("person-1")
        .await
        .expect("status")
        .is_none());
}

#[tokio::test]
async fn the_stored_signature_verifies_on_its_own() {
    let portal = Portal::new(&[]).await;
    let mut browser = Browser::logged_in(&portal, &portal.card, "person-1").await;
    // Without the portal-user registration: the bulk application below makes it (a repeat
    // would write nothing and keep no evidence).
    let answer = browser.post(&portal, INSURANCE, insurance(false)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    portal.advance(1000);
    browser.post(&portal, RESERVE, json!({})).await;
    portal.advance(1000);
    let answer = browser.post(&portal, APPLY, point("99998888")).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    portal.advance(1000);
    let answer = browser
        .post(
            &portal,
            "/api/v1/bulk-application",
            json!({"portalUser": true, "insurance": false}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let evidence = portal
        .state
        .db
        .signed_writes_of("person-1")
        .await
        .expect("evidence");
    let purposes: Vec<_> = evidence
        .iter()
        .map(|(row, _)| row.purpose.clone().unwrap_or_default())
        .collect();
    assert_eq!(
        purposes,
        [
            "insurance-application",
            "mynapoint-reservation",
            "mynapoint-application",
            "bulk-application"
        ]
    );
    let b64 = base64::engine::general_purpose::STANDARD;
    for (row, _) in &evidence {
        // What the card signed carries the digest of the write it was claimed by, and the
        // signature verifies against the certificate kept beside it (as the login checked).
        let nonce = b64.decode(&row.nonce).expect("nonce");
        let digest = protocol::signing::digest_of_nonce(&nonce).expect("a write's nonce");
        assert_eq!(hex::encode(digest), row.digest);
        let certificate = b64.decode(&row.certificate).expect("certificate");
        let signature = b64.decode(&row.signature).expect("signature");
        let token = server::domain::certificate::LoginToken {
            certificate: &certificate,
            signature: &signature,
            algorithm: "RS256",
            format: "myna-auth:1",
        };
        let now = portal.now.load(std::sync::atomic::Ordering::SeqCst) / 1000;
        portal
            .state
            .trust
            .verify_login(&token, ORIGIN, &[&nonce], now)
            .expect("the evidence verifies");
    }
    // The insurance application's digest is that of exactly what was written.
    let written = server::writes::digest_hex(
        protocol::signing::WritePurpose::InsuranceApplication,
        &serde_json::to_vec(&insurance(false)).expect("json"),
    );
    assert_eq!(evidence[0].0.digest, written);
    // Nothing personal is in the evidence: no security code, no payment-service ID in clear.
    for (row, _) in &evidence {
        let all = format!("{row:?}");
        assert!(!all.contains("99998888"), "{all}");
    }
}

/// One MyNa Point application per person, across a renewal: the old and the renewed
/// certificate are the same person through the registry link, and when both apply at once
/// (the renewal landing between the card steps), exactly one application is kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_point_application_per_person_across_a_renewal_under_concurrency() {
    let portal = Portal::new(&[]).await;
    for round in 0..4 {
        let person = format!("renewed-{round}");
        let old = Card::another_person();
        let mut before = unsigned(&portal, &old, &person).await;
        card_step(
            &mut before,
            &portal,
            &old,
            "mynapoint-reservation",
            json!({}),
        )
        .await;
        let answer = before.post(&portal, RESERVE, json!({})).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        let first_id = format!("7{round}00{round}001");
        card_step(
            &mut before,
            &portal,
            &old,
            "mynapoint-application",
            point(&first_id),
        )
        .await;
        // The municipal office renews the certificate: the registry links the new one to the
        // same person, and the card event arrives.
        let renewed = Card::another_person();
        let mut after = unsigned(&portal, &renewed, &person).await;
        import(
            &portal,
            Feed::CardEvents,
            &format!("person_id,event,occurred_at\n{person},auth_certificate_renewed,2026-11-20T15:00:00+09:00\n"),
        )
        .await;
        assert_eq!(
            after.get(&portal, RESERVE).await.body,
            answer.body,
            "the renewed card is the same person (the same MyKey ID)"
        );
        let second_id = format!("8{round}00{round}002");
        card_step(
            &mut after,
            &portal,
            &renewed,
            "mynapoint-application",
            point(&second_id),
        )
        .await;
        let (a, b) = tokio::join!(
            before.post(&portal, APPLY, point(&first_id)),
            after.post(&portal, APPLY, point(&second_id))
        );
        one_won(
            &a,
            &b,
            StatusCode::CONFLICT,
            "ALREADY_APPLIED",
            &format!("round {round}"),
        );
        let kept = portal
            .state
            .db
            .point_application(&person)
            .await
            .expect("read")
            .expect("one application");
        let winner = if a.status == StatusCode::OK { &a } else { &b };
        assert_eq!(
            winner.body["receiptNumber"].as_str(),
            Some(kept.receipt_number.as_str())
        );
        // The loser's signature stayed unused: the evidence lists the one application.
        let applications = portal
            .state
            .db
            .signed_writes_of(&person)
            .await
            .expect("evidence")
            .into_iter()
            .filter(|(row, _)| row.purpose.as_deref() == Some("mynapoint-application"))
            .count();
        assert_eq!(applications, 1, "round {round}");
    }
}

#[tokio::test]
async fn an_empty_purpose_is_a_login_alone() {
    let portal = Portal::new(&[]).await;
    link(&portal, "person-1").await;
    let mut browser = Browser::default();
    browser.start(&portal).await;
    let answer = browser
        .send(
            &portal,
            "POST",
            "/api/v1/auth/challenge?purpose=",
            None,
            true,
        )
        .await;
    let nonce = answer.body["nonce"].as_str().expect("nonce").to_owned();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(&nonce)
        .expect("base64");
    assert_eq!(bytes.len(), 32, "a login's nonce");
    let answer = browser
        .send_token(&portal, portal.sign(ORIGIN, &nonce))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    browser
        .send(&portal, "POST", INSURANCE, Some(insurance(false)), true)
        .await
        .refused(StatusCode::FORBIDDEN, "WRITE_NOT_SIGNED");
}

/// A write signed in one tab survives a card step in another tab of the same session (the
/// login moves the session to a new id; the signature follows, as the challenges do).
#[tokio::test]
async fn a_signature_survives_another_tabs_login() {
    let portal = Portal::new(&[]).await;
    let mut browser = unsigned(&portal, &portal.card, "person-1").await;
    card_step(
        &mut browser,
        &portal,
        &portal.card,
        "insurance-application",
        insurance(false),
    )
    .await;
    // The other tab's card step: a login alone, same card.
    let nonce = browser.challenge(&portal).await;
    let answer = browser
        .send_token(&portal, portal.sign(ORIGIN, &nonce))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let answer = browser.post(&portal, INSURANCE, insurance(false)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
}

/// The database refuses every row of `table` (a full disk, a constraint an operator added):
/// a trigger, in SQLite's or PostgreSQL's dialect. Returns the statement that lifts it.
async fn refuse_rows(portal: &Portal, table: &str) -> String {
    use sqlx::Connection as _;
    let url = portal.state.settings.database_url();
    let mut conn = sqlx::AnyConnection::connect(&url).await.expect("connect");
    if url.starts_with("postgres") {
        sqlx::query(
            "CREATE FUNCTION refuse_rows() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'refused'; END $$",
        )
        .execute(&mut conn)
        .await
        .expect("function");
        sqlx::query(&format!(
            "CREATE TRIGGER refuse_rows BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION refuse_rows()"
        ))
        .execute(&mut conn)
        .await
        .expect("trigger");
        format!("DROP TRIGGER refuse_rows ON {table}")
    } else {
        sqlx::query(&format!(
            "CREATE TRIGGER refuse_rows BEFORE INSERT ON {table} BEGIN SELECT RAISE(ABORT, 'refused'); END"
        ))
        .execute(&mut conn)
        .await
        .expect("trigger");
        "DROP TRIGGER refuse_rows".to_owned()
    }
}

#[tokio::test]
async fn a_write_the_database_fails_keeps_no_evidence_and_its_signature_stays_unused() {
    let portal = Portal::new(&[]).await;
    let mut browser = unsigned(&portal, &portal.card, "person-1").await;
    let application = json!({"registerPortalUser": true, "termsVersion": "2021-03"});
    card_step(
        &mut browser,
        &portal,
        &portal.card,
        "insurance-application",
        application.clone(),
    )
    .await;
    // The portal-user row fails after the application's row was written in the same write.
    let lifting = refuse_rows(&portal, "portal_users").await;
    let answer = browser
        .post(
            &portal,
            "/api/v1/insurance/application",
            application.clone(),
        )
        .await;
    assert_eq!(
        answer.status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "{}",
        answer.body
    );
    // Nothing of it was kept: no application, no evidence of a write that did not happen.
    let status = browser.get(&portal, "/api/v1/insurance/status").await.body;
    assert_eq!(status["application"], "not_applied", "{status}");
    let evidence = portal
        .state
        .db
        .signed_writes_of("person-1")
        .await
        .expect("read");
    assert!(evidence.is_empty(), "{evidence:?}");
    // The database works again: the same signature (no second PIN) makes the write, once.
    lift(&portal, &lifting).await;
    let answer = browser
        .post(&portal, "/api/v1/insurance/application", application)
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.body["portalUser"], "received");
    assert_eq!(
        portal
            .state
            .db
            .signed_writes_of("person-1")
            .await
            .expect("read")
            .len(),
        1
    );
}

/// The purposes the evidence of `person` holds, sorted (writes of one millisecond have no
/// order).
async fn evidence_of(portal: &Portal, person: &str) -> Vec<String> {
    let mut purposes: Vec<String> = portal
        .state
        .db
        .signed_writes_of(person)
        .await
        .expect("evidence")
        .into_iter()
        .map(|(row, _)| row.purpose.unwrap_or_default())
        .collect();
    purposes.sort();
    purposes
}

/// Lifts what [`refuse_rows`] set.
async fn lift(portal: &Portal, statement: &str) {
    use sqlx::Connection as _;
    let url = portal.state.settings.database_url();
    let mut conn = sqlx::AnyConnection::connect(&url).await.expect("connect");
    sqlx::query(statement)
        .execute(&mut conn)
        .await
        .expect("lift");
}

#[tokio::test]
async fn a_repeat_writes_nothing_and_keeps_no_evidence() {
    let portal = Portal::new(&[]).await;
    let mut browser = Browser::logged_in(&portal, &portal.card, "person-1").await;
    for _ in 0..2 {
        let answer = browser.post(&portal, INSURANCE, insurance(true)).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        let answer = browser.post(&portal, RESERVE, json!({})).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        portal.advance(1000);
    }
    assert_eq!(
        evidence_of(&portal, "person-1").await,
        ["insurance-application", "mynapoint-reservation"],
        "one piece of evidence per write made"
    );
}

#[tokio::test]
async fn a_bulk_application_the_database_fails_leaves_its_cover_for_a_retry() {
    let portal = Portal::new(&[]).await;
    let mut browser = Browser::logged_in(&portal, &portal.card, "person-1").await;
    browser.post(&portal, RESERVE, json!({})).await;
    let answer = browser.post(&portal, APPLY, point("99998888")).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let bulk = json!({"portalUser": true, "insurance": false});
    let statement = refuse_rows(&portal, "portal_users").await;
    let answer = browser
        .post(&portal, "/api/v1/bulk-application", bulk.clone())
        .await;
    assert_eq!(
        answer.status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "{}",
        answer.body
    );
    assert_eq!(
        evidence_of(&portal, "person-1").await,
        ["mynapoint-application", "mynapoint-reservation"],
        "no evidence of the bulk application that was not made"
    );
    // The database works again: the MyNa Point application still covers one bulk application.
    lift(&portal, &statement).await;
    portal.advance(1000);
    let answer = browser
        .post(&portal, "/api/v1/bulk-application", bulk)
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(
        evidence_of(&portal, "person-1").await,
        [
            "bulk-application",
            "mynapoint-application",
            "mynapoint-reservation"
        ]
    );
}
