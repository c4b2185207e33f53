//! Crash safety: the server is killed with SIGKILL while applications are arriving, restarted on
//! the same database, and every application it acknowledged before dying is there.

mod common;

use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use common::*;
use serde_json::json;

const PEOPLE: usize = 40;
const ACKS_BEFORE_KILL: usize = 15;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_acknowledged_application_survives_a_sigkill() {
    let dir = tempfile::tempdir().expect("dir");
    let ca = templates().ca_dir().join("auth-ca.cert.pem");
    let mut args: Vec<String> = vec![
        "--data-dir".into(),
        dir.path().display().to_string(),
        "--origin".into(),
        ORIGIN.into(),
        "--trust-ca".into(),
        ca.display().to_string(),
        "--rate-limit-ip".into(),
        "0".into(),
    ];
    if let Some(url) = test_database_url().await {
        args.extend(["--database-url".into(), url]);
    }

    // The registry feed links 40 people, through the import command.
    let cards: Vec<Arc<Card>> = (0..PEOPLE)
        .map(|_| Arc::new(Card::another_person()))
        .collect();
    let mut csv = String::from("issuer,serial,person_id\n");
    for (i, card) in cards.iter().enumerate() {
        csv.push_str(&link_line(card, &format!("p-{i}")));
    }
    let links = dir.path().join("links.csv");
    std::fs::write(&links, csv).expect("write");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_myna-server"))
        .args(&args)
        .arg("import")
        .arg("certificate-links")
        .arg(&links)
        .env("MYNA_LOG", "warn")
        .status()
        .expect("import");
    assert!(status.success());

    let server = ServerProcess::start(&args);
    let client = reqwest::Client::new();
    let acknowledged: Arc<Mutex<Vec<(usize, String)>>> = Arc::default();
    let mut tasks = Vec::new();
    for (i, card) in cards.iter().enumerate() {
        let (client, base, card) = (client.clone(), server.base.clone(), Arc::clone(card));
        let acknowledged = Arc::clone(&acknowledged);
        tasks.push(tokio::spawn(async move {
            let result: Result<(), reqwest::Error> = async {
                let mut browser = HttpBrowser::start(&client, &base).await?;
                if browser.login(&card).await? != StatusCode::OK {
                    return Ok(());
                }
                browser
                    .send(reqwest::Method::POST, "/api/v1/mynapoint/reservation", None)
                    .await?;
                let body = json!({
                    "serviceCode": "MP0000004",
                    "paymentServiceId": format!("9000{i:08}"),
                    "securityCode": "123",
                    "termsVersion": protocol::site::MYNAPOINT_TERMS_VERSION,
                });
                let (status, receipt) = browser
                    .send(
                        reqwest::Method::POST,
                        "/api/v1/mynapoint/application",
                        Some(body),
                    )
                    .await?;
                if status != StatusCode::OK {
                    eprintln!("person {i}: {status} {receipt}");
                }
                if status == StatusCode::OK {
                    let number = receipt["receiptNumber"].as_str().unwrap_or_default();
                    acknowledged
                        .lock()
                        .expect("lock")
                        .push((i, number.to_owned()));
                }
                Ok(())
            }
            .await;
            // After the kill, failures are expected.
            if let Err(error) = result {
                eprintln!("person {i}: {error}");
            }
        }));
    }
    // Kill once enough applications were acknowledged, with the rest still in flight.
    let mut watcher = {
        let acknowledged = Arc::clone(&acknowledged);
        tokio::spawn(async move {
            loop {
                if acknowledged.lock().expect("lock").len() >= ACKS_BEFORE_KILL {
                    server.kill();
                    return;
                }
                tokio::time::sleep(std::time::Duration::from_millis(1)).await;
            }
        })
    };
    for task in tasks {
        task.await.expect("task");
    }
    // The watcher has killed the server, or is about to; without enough acknowledgements it
    // never will, and stopping it ends the server.
    let killed = tokio::time::timeout(std::time::Duration::from_secs(10), &mut watcher)
        .await
        .is_ok();
    watcher.abort();
    let acknowledged = acknowledged.lock().expect("lock").clone();
    assert!(
        killed && acknowledged.len() < PEOPLE,
        "the kill must land mid-load: killed {killed}, {} of {PEOPLE} acknowledged",
        acknowledged.len()
    );

    // Restart on the same database: every acknowledged receipt is there.
    let server = ServerProcess::start(&args);
    for (i, number) in &acknowledged {
        let mut browser = HttpBrowser::start(&client, &server.base)
            .await
            .expect("session");
        assert_eq!(
            browser.login(&cards[*i]).await.expect("login"),
            StatusCode::OK
        );
        let (status, receipt) = browser
            .send(reqwest::Method::GET, "/api/v1/mynapoint/application", None)
            .await
            .expect("receipt");
        assert_eq!(status, StatusCode::OK, "person {i}: {receipt}");
        assert_eq!(receipt["receiptNumber"], number.as_str(), "person {i}");
    }
    eprintln!(
        "{} of {PEOPLE} applications were acknowledged before the kill; all survived",
        acknowledged.len()
    );
}
