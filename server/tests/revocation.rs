//! Revocation through the real binary: `myna-server import crl`, a `--crl` file replaced while
//! the server runs (picked up within `--crl-reload-secs`), SIGHUP (reads the files at once and
//! no longer ends the process).

mod common;

use std::{
    path::Path,
    process::Command,
    time::{Duration, Instant},
};

use axum::http::StatusCode;
use common::*;
use virtual_card::pki::{self, Period};

fn ca_path() -> String {
    templates()
        .ca_dir()
        .join("auth-ca.cert.der")
        .to_string_lossy()
        .into_owned()
}

/// A CRL of the template CA revoking `revoked`, issued `age_s` seconds ago.
fn crl(revoked: &[&[u8]], age_s: u64) -> Vec<u8> {
    let now = Period::from_now(1).not_before + 3600;
    pki::make_crl(
        &template_ca().auth,
        revoked,
        Period {
            not_before: now - age_s,
            not_after: now + 86_400,
        },
    )
    .expect("crl")
}

/// Replaces `path` atomically, as a deployment tool would.
fn replace(path: &Path, bytes: &[u8]) {
    let temporary = path.with_extension("new");
    std::fs::write(&temporary, bytes).expect("write");
    std::fs::rename(&temporary, path).expect("rename");
}

#[test]
fn import_crl_checks_the_issuer_and_keeps_the_newest() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data");
    let card = Card::new();
    let (older, newer) = (dir.path().join("older.crl"), dir.path().join("newer.crl"));
    std::fs::write(&older, crl(&[], 7200)).expect("write");
    std::fs::write(&newer, crl(&[&card.certificate()], 60)).expect("write");
    let import = |file: &Path, trust: bool| {
        let mut command = server_command();
        command.arg("--data-dir").arg(&data);
        if trust {
            command.args(["--trust-ca", &ca_path()]);
        }
        let output = command
            .args(["import", "crl"])
            .arg(file)
            .output()
            .expect("runs");
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned()
                + &String::from_utf8_lossy(&output.stderr),
        )
    };
    let (ok, said) = import(&newer, false);
    assert!(!ok && said.contains("--trust-ca"), "{said}");
    let (ok, said) = import(&newer, true);
    assert!(ok && said.contains("imported"), "{said}");
    let (ok, said) = import(&newer, true);
    assert!(ok && said.contains("already imported"), "{said}");
    let (ok, said) = import(&older, true);
    assert!(ok && said.contains("older"), "{said}");
    // A CRL of a CA the server does not trust is refused, and says so.
    let other_ca = pki::make_ca(pki::Purpose::Auth, Period::from_now(30)).expect("ca");
    let foreign = dir.path().join("foreign.crl");
    std::fs::write(
        &foreign,
        pki::make_crl(&other_ca, &[], Period::from_now(1)).expect("crl"),
    )
    .expect("write");
    let (ok, said) = import(&foreign, true);
    assert!(
        !ok && said.contains("not signed by a configured CA"),
        "{said}"
    );
}

/// Logs in again and again until `expected` (or 15 s).
async fn login_until(base: &str, card: &Card, expected: StatusCode) -> StatusCode {
    let client = reqwest::Client::new();
    let started = Instant::now();
    loop {
        let mut browser = HttpBrowser::start(&client, base).await.expect("session");
        let status = browser.login(card).await.expect("login");
        if status == expected || started.elapsed() > Duration::from_secs(15) {
            return status;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn a_replaced_crl_file_and_sighup_take_effect_while_running() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data").to_string_lossy().into_owned();
    let (first, second) = (Card::new(), Card::another_person());
    let file = dir.path().join("auth.crl");
    replace(&file, &crl(&[], 7200));
    let file_text = file.to_string_lossy().into_owned();
    // The file is looked at every second.
    let server = ServerProcess::start(&[
        "--data-dir".into(),
        data.clone(),
        "--origin".into(),
        ORIGIN.into(),
        "--trust-ca".into(),
        ca_path(),
        "--crl".into(),
        file_text.clone(),
        "--crl-reload-secs".into(),
        "1".into(),
    ]);
    assert_eq!(
        login_until(&server.base, &first, StatusCode::OK).await,
        StatusCode::OK
    );
    let client = reqwest::Client::new();
    let mut open = HttpBrowser::start(&client, &server.base)
        .await
        .expect("session");
    assert_eq!(open.login(&first).await.expect("login"), StatusCode::OK);
    replace(&file, &crl(&[&first.certificate()], 3600));
    assert_eq!(
        login_until(&server.base, &first, StatusCode::UNAUTHORIZED).await,
        StatusCode::UNAUTHORIZED
    );
    let (status, body) = open
        .send(reqwest::Method::GET, "/api/v1/insurance/status", None)
        .await
        .expect("request");
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("CERTIFICATE_REVOKED"))
    );
    drop(server);

    // Files looked at once an hour: only SIGHUP reads the new one, and the server lives on.
    let server = ServerProcess::start(&[
        "--data-dir".into(),
        data,
        "--origin".into(),
        ORIGIN.into(),
        "--trust-ca".into(),
        ca_path(),
        "--crl".into(),
        file_text,
        "--crl-reload-secs".into(),
        "3600".into(),
    ]);
    assert_eq!(
        login_until(&server.base, &second, StatusCode::OK).await,
        StatusCode::OK
    );
    replace(
        &file,
        &crl(&[&first.certificate(), &second.certificate()], 60),
    );
    let pid = server.child.id().to_string();
    let status = Command::new("kill")
        .args(["-HUP", &pid])
        .status()
        .expect("kill");
    assert!(status.success());
    assert_eq!(
        login_until(&server.base, &second, StatusCode::UNAUTHORIZED).await,
        StatusCode::UNAUTHORIZED
    );
    let health = client
        .get(format!("{}/healthz", server.base))
        .send()
        .await
        .expect("still serving after SIGHUP");
    assert_eq!(health.status().as_u16(), 200);
}

/// A `--crl` that cannot be imported stops the start (it used to), and SIGHUP without any
/// `--crl` does not end the server.
#[tokio::test]
async fn a_bad_crl_stops_the_start_and_sighup_never_kills() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data").to_string_lossy().into_owned();
    let missing = dir
        .path()
        .join("missing.crl")
        .to_string_lossy()
        .into_owned();
    let output = server_command()
        .args([
            "--data-dir",
            &data,
            "--trust-ca",
            &ca_path(),
            "--crl",
            &missing,
        ])
        .args(["--listen", "127.0.0.1:0"])
        .output()
        .expect("runs");
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("missing.crl"), "{said}");

    let server = ServerProcess::start(&["--data-dir".into(), data, "--trust-ca".into(), ca_path()]);
    let pid = server.child.id().to_string();
    for _ in 0..2 {
        let status = Command::new("kill")
            .args(["-HUP", &pid])
            .status()
            .expect("kill");
        assert!(status.success());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let health = reqwest::get(format!("{}/healthz", server.base))
        .await
        .expect("still serving after SIGHUP");
    assert_eq!(health.status().as_u16(), 200);
}
