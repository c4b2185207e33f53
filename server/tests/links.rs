//! Links a citizen can see and dispute (issue 14 item 2): the status shows what the insurer's
//! record links the person to (masked), its date and the registration's history; 「これは私では
//! ない」, signed by the card, freezes the link at once with a receipt, and `myna-server export
//! disputes` hands the reports to the insurers; a record dated after the report lifts the freeze.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::{json, Value};

const STATUS: &str = "/api/v1/insurance/status";
const DISPUTE: &str = "/api/v1/insurance/link/dispute";

fn shown(name: &str, as_of: &str) -> Value {
    json!({"insurerName": name, "symbol": "＊＊45", "number": "＊＊78", "asOf": as_of})
}

#[tokio::test]
async fn the_status_shows_the_link_masked_and_a_dispute_freezes_it_with_a_receipt() {
    let portal = Portal::new(&[]).await;
    let mut browser = Browser::logged_in(&portal, &portal.card, "person-1").await;
    let answer = browser
        .post(
            &portal,
            "/api/v1/insurance/application",
            json!({"registerPortalUser": false, "termsVersion": "2021-03"}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    // Before the insurer's record: no link, the application in the history.
    let status = browser.get(&portal, STATUS).await.body;
    assert_eq!(status["link"], Value::Null, "{status}");
    assert_eq!(status["history"][0]["event"], "applied", "{status}");
    portal.advance(60_000);
    insurer_record(&portal, "person-1", "2026-11-02").await;
    let status = browser.get(&portal, STATUS).await.body;
    assert_eq!(status["registration"], "completed", "{status}");
    assert_eq!(
        status["link"],
        json!({"insurerName": "全国健康保険協会", "symbol": "＊＊45", "number": "＊＊78", "asOf": "2026-11-02"})
    );
    assert_eq!(events(&status), ["applied", "linked"]);
    // Nothing of the full symbol or number is kept anywhere it could be shown.
    assert!(!status.to_string().contains("12345") && !status.to_string().contains("678"));

    // Unsigned: refused, nothing frozen.
    browser.signer = None;
    browser
        .post(&portal, DISPUTE, shown("全国健康保険協会", "2026-11-02"))
        .await
        .refused(StatusCode::FORBIDDEN, "WRITE_NOT_SIGNED");
    assert_eq!(
        browser.get(&portal, STATUS).await.body["registration"],
        "completed"
    );
    // A link other than the one shown (the page was stale): refused, nothing frozen.
    browser.signer = Some(portal.card.dir().to_owned());
    browser
        .post(&portal, DISPUTE, shown("全国健康保険協会", "2026-10-01"))
        .await
        .refused(StatusCode::BAD_REQUEST, "INVALID_REQUEST");
    let mut other_number = shown("全国健康保険協会", "2026-11-02");
    other_number["number"] = json!("＊＊79");
    browser
        .post(&portal, DISPUTE, other_number)
        .await
        .refused(StatusCode::BAD_REQUEST, "INVALID_REQUEST");
    assert_eq!(
        browser.get(&portal, STATUS).await.body["registration"],
        "completed"
    );
    // Signed over exactly the link shown: frozen at once, with a receipt.
    portal.advance(60_000);
    let receipt = browser
        .post(&portal, DISPUTE, shown("全国健康保険協会", "2026-11-02"))
        .await;
    assert_eq!(receipt.status, StatusCode::OK, "{}", receipt.body);
    let number = receipt.body["receiptNumber"]
        .as_str()
        .expect("number")
        .to_owned();
    assert_eq!(number.len(), 24, "{number}");
    let status = browser.get(&portal, STATUS).await.body;
    assert_eq!(status["registration"], "frozen", "{status}");
    let last = &status["history"].as_array().expect("history")[2];
    assert_eq!(last["event"], "disputed");
    assert_eq!(last["receiptNumber"].as_str(), Some(number.as_str()));
    // The insurer's export carries it: CSV and JSON, from the binary.
    let csv = export(&portal, "disputes", &["--format", "csv"]);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("receipt_number,person_id,insurer_name,symbol_last,number_last,as_of,reported_at")
    );
    let line = lines.next().expect("a dispute");
    assert!(
        line.starts_with(&format!(
            "{number},person-1,全国健康保険協会,45,78,2026-11-02,2026-11-20T"
        )),
        "{line}"
    );
    assert_eq!(lines.next(), None);
    let json: Value =
        serde_json::from_str(&export(&portal, "disputes", &["--format", "json"])).expect("json");
    assert_eq!(json[0]["receipt_number"].as_str(), Some(number.as_str()));
    assert_eq!(json[0]["insurer_name"], "全国健康保険協会");
    // Only another insurer's export lacks it.
    assert_eq!(
        export(&portal, "disputes", &["--insurer", "健康保険組合X"])
            .lines()
            .count(),
        1,
        "only the header"
    );
    // The same record again (the insurer's feed sent whole) does not lift the freeze, nor move
    // the link's date in the history; the same record dated later (the insurer checked it)
    // does, as a different one would.
    portal.advance(60_000);
    insurer_record(&portal, "person-1", "2026-11-02").await;
    let status = browser.get(&portal, STATUS).await.body;
    assert_eq!(status["registration"], "frozen");
    assert_eq!(events(&status), ["applied", "linked", "disputed"]);
    insurer_record(&portal, "person-1", "2026-11-30").await;
    let status = browser.get(&portal, STATUS).await.body;
    assert_eq!(status["registration"], "completed", "{status}");
    assert_eq!(status["link"]["asOf"], "2026-11-30");
}

#[tokio::test]
async fn nothing_to_dispute_without_a_link() {
    let portal = Portal::new(&[]).await;
    let mut browser = Browser::logged_in(&portal, &portal.card, "person-1").await;
    browser
        .post(&portal, DISPUTE, shown("全国健康保険協会", "2026-11-02"))
        .await
        .refused(StatusCode::NOT_FOUND, "NOT_FOUND");
    // The export of no dispute is its header.
    assert_eq!(
        export(&portal, "disputes", &[]),
        "receipt_number,person_id,insurer_name,symbol_last,number_last,as_of,reported_at\n"
    );
}
