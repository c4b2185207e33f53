//! Undoing a registration online and the eligibility certificate (issue 14 item 3), and
//! やりとり履歴 (item 4): a card-signed cancellation with a receipt that the status screen, the
//! receipts and `myna-server export requests` show, a new registration afterwards; the
//! certificate's request for people without the registration; every write's receipt with
//! where it stands now.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::{json, Value};
use server::feeds::Feed;

const APPLY: &str = "/api/v1/insurance/application";
const STATUS: &str = "/api/v1/insurance/status";
const CANCEL: &str = "/api/v1/insurance/cancellation";
const CERTIFICATE: &str = "/api/v1/insurance/certificate";
const RECEIPTS: &str = "/api/v1/receipts";
const DISPUTE: &str = "/api/v1/insurance/link/dispute";
const RESERVE: &str = "/api/v1/mynapoint/reservation";

/// A cancellation of the application with `receipt`, asking for the certificate or not.
fn cancel_body(certificate: bool, receipt: &str) -> Value {
    json!({"requestCertificate": certificate, "applicationReceipt": receipt})
}

/// 「これは私ではない」 for the link `insurer_record` makes, as F2 shows it.
fn shown_link() -> Value {
    json!({"insurerName": "全国健康保険協会", "symbol": "＊＊45", "number": "＊＊78", "asOf": "2026-11-02"})
}

fn application() -> Value {
    json!({"registerPortalUser": false, "termsVersion": "2021-03"})
}

/// The receipts' kinds and statuses, newest first.
fn receipts(list: &Value) -> Vec<(String, String)> {
    list["receipts"]
        .as_array()
        .expect("receipts")
        .iter()
        .map(|r| {
            (
                r["kind"].as_str().unwrap_or_default().to_owned(),
                r["status"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

#[tokio::test]
async fn a_cancellation_then_a_new_registration() {
    let portal = Portal::new(&[]).await;
    let mut browser = Browser::logged_in(&portal, &portal.card, "person-1").await;
    // Nothing to cancel before an application: refused, nothing written.
    browser
        .post(&portal, CANCEL, json!({"requestCertificate": false}))
        .await
        .refused(StatusCode::CONFLICT, "NOT_REGISTERED");
    let answer = browser.post(&portal, APPLY, application()).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let first_receipt = answer.body["history"][0]["receiptNumber"]
        .as_str()
        .expect("the application's receipt")
        .to_owned();
    assert_eq!(first_receipt.len(), 24, "{first_receipt}");
    portal.advance(60_000);
    insurer_record(&portal, "person-1", "2026-11-02").await;
    assert_eq!(
        browser.get(&portal, STATUS).await.body["registration"],
        "completed"
    );

    // Unsigned, or signed over the other choice: refused, still registered.
    browser.signer = None;
    browser
        .post(&portal, CANCEL, cancel_body(true, &first_receipt))
        .await
        .refused(StatusCode::FORBIDDEN, "WRITE_NOT_SIGNED");
    let card = portal.card.dir().to_owned();
    browser
        .sign_write(
            &portal,
            &card,
            "insurance-cancellation",
            cancel_body(false, &first_receipt),
        )
        .await;
    browser
        .post(&portal, CANCEL, cancel_body(true, &first_receipt))
        .await
        .refused(StatusCode::FORBIDDEN, "WRITE_NOT_SIGNED");
    assert_eq!(
        browser.get(&portal, STATUS).await.body["registration"],
        "completed"
    );
    // An unknown field is refused at the card step already (the content is the server's).
    browser.signer = Some(card.clone());
    browser
        .post(
            &portal,
            CANCEL,
            json!({"requestCertificate": true, "applicationReceipt": first_receipt, "address": "x"}),
        )
        .await
        .refused(StatusCode::BAD_REQUEST, "INVALID_REQUEST");

    // Signed: cancelled at once, with a receipt, the certificate asked for.
    portal.advance(60_000);
    let receipt = browser
        .post(&portal, CANCEL, cancel_body(true, &first_receipt))
        .await;
    assert_eq!(receipt.status, StatusCode::OK, "{}", receipt.body);
    assert_eq!(receipt.body["certificate"], true);
    let cancellation = receipt.body["receiptNumber"]
        .as_str()
        .expect("number")
        .to_owned();
    assert_eq!(cancellation.len(), 24);
    assert_ne!(cancellation, first_receipt);
    let status = browser.get(&portal, STATUS).await.body;
    assert_eq!(status["application"], "cancelled", "{status}");
    assert_eq!(status["registration"], Value::Null, "{status}");
    assert_eq!(status["link"], Value::Null, "{status}");
    assert_eq!(
        events(&status),
        ["applied", "cancelled", "certificate_requested"]
    );
    assert_eq!(
        status["history"][0]["receiptNumber"].as_str(),
        Some(first_receipt.as_str())
    );
    assert_eq!(
        status["history"][1]["receiptNumber"].as_str(),
        Some(cancellation.as_str())
    );
    // Twice: nothing left to cancel.
    browser
        .post(&portal, CANCEL, cancel_body(true, &first_receipt))
        .await
        .refused(StatusCode::CONFLICT, "NOT_REGISTERED");
    // The certificate asked for with the cancellation: asking again answers that receipt.
    let again = browser.post(&portal, CERTIFICATE, json!({})).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(
        again.body["receiptNumber"].as_str(),
        Some(cancellation.as_str())
    );

    // The insurer's export carries it (CSV and JSON, from the binary; only that insurer's).
    let csv = export(&portal, "requests", &[]);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("receipt_number,person_id,kind,certificate,insurer_name,symbol_last,number_last,application_receipt,received_at")
    );
    let line = lines.next().expect("the cancellation");
    assert!(
        line.starts_with(&format!(
            "{cancellation},person-1,cancellation,true,全国健康保険協会,45,78,{first_receipt},2026-11-20T"
        )),
        "{line}"
    );
    assert_eq!(lines.next(), None, "asked twice, exported once");
    let json: Value =
        serde_json::from_str(&export(&portal, "requests", &["--format", "json"])).expect("json");
    assert_eq!(json[0]["kind"], "cancellation");
    assert_eq!(json[0]["certificate"], true);
    assert_eq!(
        export(&portal, "requests", &["--insurer", "健康保険組合X"])
            .lines()
            .count(),
        1,
        "only the header"
    );

    // A new registration afterwards: the insurer's record links it again.
    portal.advance(60_000);
    let answer = browser.post(&portal, APPLY, application()).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let status = browser.get(&portal, STATUS).await.body;
    assert_eq!(status["application"], "received", "{status}");
    assert_eq!(status["registration"], "completed", "{status}");
    assert_eq!(
        events(&status),
        [
            "applied",
            "cancelled",
            "certificate_requested",
            "applied",
            "linked"
        ]
    );
    // Registered again: the certificate is for people without the registration.
    browser
        .post(&portal, CERTIFICATE, json!({}))
        .await
        .refused(StatusCode::CONFLICT, "STILL_REGISTERED");

    // やりとり履歴: every write, newest first, with where it stands now.
    let list = browser.get(&portal, RECEIPTS).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert_eq!(
        receipts(&list.body),
        pairs(&[
            ("insurance_application", "completed"),
            ("insurance_cancellation", "received"),
            ("certificate_request", "received"),
            ("insurance_application", "cancelled"),
        ])
    );
    assert_eq!(
        list.body["receipts"][1]["receiptNumber"], list.body["receipts"][2]["receiptNumber"],
        "the cancellation asked for the certificate under its own number"
    );
    assert_eq!(
        list.body["receipts"][3]["receiptNumber"].as_str(),
        Some(first_receipt.as_str())
    );
    // The cancellation the card signed named the first registration: it cannot cancel the
    // new one (a signature left over from a stale window).
    browser
        .post(&portal, CANCEL, cancel_body(false, &first_receipt))
        .await
        .refused(StatusCode::CONFLICT, "NOT_REGISTERED");
    assert_eq!(
        browser.get(&portal, STATUS).await.body["registration"],
        "completed"
    );
    assert!(list.body["receipts"][0]["at"]
        .as_str()
        .is_some_and(|at| at.ends_with("+09:00")));
}

#[tokio::test]
async fn the_certificate_without_a_registration() {
    let portal = Portal::new(&[]).await;
    let mut browser = Browser::logged_in(&portal, &portal.card, "person-2").await;
    insurer_record(&portal, "person-2", "2026-11-02").await;
    // Unsigned: refused.
    browser.signer = None;
    browser
        .post(&portal, CERTIFICATE, json!({}))
        .await
        .refused(StatusCode::FORBIDDEN, "WRITE_NOT_SIGNED");
    browser.signer = Some(portal.card.dir().to_owned());
    let first = browser.post(&portal, CERTIFICATE, json!({})).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let number = first.body["receiptNumber"]
        .as_str()
        .expect("number")
        .to_owned();
    let status = browser.get(&portal, STATUS).await.body;
    assert_eq!(status["application"], "not_applied", "{status}");
    assert_eq!(events(&status), ["certificate_requested"]);
    // Asked again: the same receipt, one row for the insurer.
    portal.advance(60_000);
    let second = browser.post(&portal, CERTIFICATE, json!({})).await;
    assert_eq!(second.body["receiptNumber"].as_str(), Some(number.as_str()));
    let json: Value = serde_json::from_str(&export(
        &portal,
        "requests",
        &["--format", "json", "--insurer", "全国健康保険協会"],
    ))
    .expect("json");
    assert_eq!(json.as_array().map(Vec::len), Some(1), "{json}");
    assert_eq!(json[0]["kind"], "certificate");
    assert_eq!(json[0]["application_receipt"], "");
    assert_eq!(
        receipts(&browser.get(&portal, RECEIPTS).await.body),
        pairs(&[("certificate_request", "received")])
    );
    // A person no insurer's record names: kept for the operator, `--insurer ''` lists it.
    let other = Card::another_person();
    let mut theirs = Browser::logged_in(&portal, &other, "person-8").await;
    let answer = theirs.post(&portal, CERTIFICATE, json!({})).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let unnamed = export(&portal, "requests", &["--insurer", ""]);
    let rows: Vec<&str> = unnamed.lines().skip(1).collect();
    assert_eq!(rows.len(), 1, "{unnamed}");
    assert!(
        rows[0].contains(",person-8,certificate,true,,,,,"),
        "{unnamed}"
    );
}

#[tokio::test]
async fn two_tabs_cancelling_at_once_cancel_once() {
    let portal = Portal::new(&[]).await;
    let mut first = Browser::logged_in(&portal, &portal.card, "person-3").await;
    let answer = first.post(&portal, APPLY, application()).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let receipt = answer.body["history"][0]["receiptNumber"]
        .as_str()
        .expect("receipt")
        .to_owned();
    let mut second = Browser::logged_in(&portal, &portal.card, "person-3").await;
    let card = portal.card.dir().to_owned();
    let body = cancel_body(false, &receipt);
    for browser in [&mut first, &mut second] {
        browser
            .sign_write(&portal, &card, "insurance-cancellation", body.clone())
            .await;
        browser.signer = None;
    }
    let (a, b) = tokio::join!(
        first.post(&portal, CANCEL, body.clone()),
        second.post(&portal, CANCEL, body)
    );
    one_won(&a, &b, StatusCode::CONFLICT, "NOT_REGISTERED", "two tabs");
    let rows = portal
        .state
        .db
        .insurance_requests(0, Some("person-3"))
        .await
        .expect("read");
    assert_eq!(rows.len(), 1, "{rows:?}");
}

#[tokio::test]
async fn receipts_follow_every_write_and_only_the_card_s_own() {
    let portal = Portal::new(&[]).await;
    // Logged out: nothing to show.
    let mut stranger = Browser::default();
    stranger.start(&portal).await;
    stranger
        .get(&portal, RECEIPTS)
        .await
        .refused(StatusCode::UNAUTHORIZED, "NOT_AUTHENTICATED");
    let mut browser = Browser::logged_in(&portal, &portal.card, "person-4").await;
    assert_eq!(
        browser.get(&portal, RECEIPTS).await.body,
        json!({"receipts": []})
    );
    let answer = browser.post(&portal, APPLY, application()).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    portal.advance(60_000);
    let answer = browser.post(&portal, RESERVE, json!({})).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(
        receipts(&browser.get(&portal, RECEIPTS).await.body),
        pairs(&[
            ("mynapoint_reservation", "completed"),
            ("insurance_application", "preparing"),
        ])
    );
    // The insurer's record completes the registration; a dispute freezes it; a newer record
    // answers the dispute.
    portal.advance(60_000);
    insurer_record(&portal, "person-4", "2026-11-02").await;
    portal.advance(60_000);
    let answer = browser.post(&portal, DISPUTE, shown_link()).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let list = browser.get(&portal, RECEIPTS).await.body;
    assert_eq!(
        receipts(&list),
        pairs(&[
            ("link_dispute", "frozen"),
            ("mynapoint_reservation", "completed"),
            ("insurance_application", "frozen"),
        ])
    );
    assert_eq!(
        list["receipts"][0]["receiptNumber"],
        answer.body["receiptNumber"]
    );
    assert!(list["receipts"]
        .as_array()
        .expect("receipts")
        .iter()
        .all(|r| r["receiptNumber"].as_str().is_some_and(|n| n.len() == 24)));
    import(
        &portal,
        Feed::InsurerRecords,
        "person_id,insurer_name,symbol,number,as_of\nperson-4,全国健康保険協会,１２３４５,00678,2026-11-30\n",
    )
    .await;
    assert_eq!(
        receipts(&browser.get(&portal, RECEIPTS).await.body),
        pairs(&[
            ("link_dispute", "resolved"),
            ("mynapoint_reservation", "completed"),
            ("insurance_application", "completed"),
        ])
    );
    // Another person's card sees only its own.
    let other = Card::another_person();
    let mut theirs = Browser::logged_in(&portal, &other, "person-5").await;
    assert_eq!(
        theirs.get(&portal, RECEIPTS).await.body,
        json!({"receipts": []})
    );
}

#[tokio::test]
async fn two_tabs_asking_for_the_certificate_at_once_ask_once_and_a_new_insurer_anew() {
    let portal = Portal::new(&[]).await;
    let mut first = Browser::logged_in(&portal, &portal.card, "person-6").await;
    insurer_record(&portal, "person-6", "2026-11-02").await;
    let mut second = Browser::logged_in(&portal, &portal.card, "person-6").await;
    let card = portal.card.dir().to_owned();
    for browser in [&mut first, &mut second] {
        browser
            .sign_write(&portal, &card, "certificate-request", json!({}))
            .await;
        browser.signer = None;
    }
    let (a, b) = tokio::join!(
        first.post(&portal, CERTIFICATE, json!({})),
        second.post(&portal, CERTIFICATE, json!({}))
    );
    assert_eq!((a.status, b.status), (StatusCode::OK, StatusCode::OK));
    assert_eq!(
        a.body["receiptNumber"], b.body["receiptNumber"],
        "one request, one receipt"
    );
    let rows = portal
        .state
        .db
        .insurance_requests(0, Some("person-6"))
        .await
        .expect("read");
    assert_eq!(rows.len(), 1, "{rows:?}");
    // The person moves to another insurer: that insurer is asked anew.
    import(
        &portal,
        Feed::InsurerRecords,
        "person_id,insurer_name,symbol,number,as_of\nperson-6,健康保険組合X,9911,2233,2026-11-25\n",
    )
    .await;
    first.signer = Some(card);
    let again = first.post(&portal, CERTIFICATE, json!({})).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_ne!(again.body["receiptNumber"], a.body["receiptNumber"]);
    let csv = export(&portal, "requests", &["--insurer", "健康保険組合X"]);
    assert_eq!(csv.lines().count(), 2, "{csv}");
    assert!(
        csv.contains(",certificate,true,健康保険組合X,11,33,,"),
        "{csv}"
    );
}

#[tokio::test]
async fn a_dispute_stays_frozen_through_a_cancellation_and_the_portal_user_has_its_receipt() {
    let portal = Portal::new(&[]).await;
    let mut browser = Browser::logged_in(&portal, &portal.card, "person-7").await;
    let answer = browser
        .post(
            &portal,
            APPLY,
            json!({"registerPortalUser": true, "termsVersion": "2021-03"}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let receipt = answer.body["history"][0]["receiptNumber"]
        .as_str()
        .expect("receipt")
        .to_owned();
    insurer_record(&portal, "person-7", "2026-11-02").await;
    portal.advance(60_000);
    let answer = browser.post(&portal, DISPUTE, shown_link()).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    portal.advance(60_000);
    let answer = browser
        .post(&portal, CANCEL, cancel_body(false, &receipt))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let list = browser.get(&portal, RECEIPTS).await.body;
    assert_eq!(
        receipts(&list),
        pairs(&[
            ("insurance_cancellation", "received"),
            ("link_dispute", "frozen"),
            ("insurance_application", "cancelled"),
            ("portal_user", "completed"),
        ])
    );
    // The portal-user registration outlives the cancellation on F2 too.
    let status = browser.get(&portal, STATUS).await.body;
    assert_eq!(status["application"], "cancelled");
    assert_eq!(status["portalUser"], "received", "{status}");
    assert_eq!(
        events(&status),
        ["applied", "disputed", "cancelled"],
        "in the order of their milliseconds"
    );
}
