//! Maintenance windows (`docs/maintenance.md`): a window stops its service on every instance at
//! once, says until when, is announced before it starts, and ends by its time or by the
//! operator; the login stops only with the whole portal, the session and the logout never.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::{json, Value};

const MINUTE_MS: i64 = 60_000;
const HOUR_MS: i64 = 60 * MINUTE_MS;
const RESERVE: &str = "/api/v1/mynapoint/reservation";
const STATE: &str = "/api/v1/service-state";

fn insurance() -> Value {
    json!({"registerPortalUser": false, "termsVersion": "2021-03"})
}

#[tokio::test]
async fn a_window_stops_its_service_only_and_says_until_when() {
    let portal = Portal::new(&[]).await;
    let mut browser = Browser::logged_in(&portal, &portal.card, "P-MAINT-1").await;
    let now = portal.state.now_ms();
    portal
        .state
        .db
        .add_maintenance("mynapoint", now, Some(now + 10 * MINUTE_MS))
        .await
        .expect("window");

    let state = browser.get(&portal, STATE).await;
    assert_eq!(state.status, StatusCode::OK);
    assert_eq!(
        state.body,
        json!({"maintenance": [{
            "scope": "mynapoint",
            "from": "2026-11-20T16:00:00+09:00",
            "until": "2026-11-20T16:10:00+09:00",
            "active": true,
        }]})
    );
    let refused = browser.post(&portal, RESERVE, json!({})).await;
    refused.refused(StatusCode::SERVICE_UNAVAILABLE, "MAINTENANCE");
    assert_eq!(refused.body["until"], "2026-11-20T16:10:00+09:00");
    // What a card step asks before the card: the same refusal, or 204 for an open service.
    let asked = browser
        .get(&portal, "/api/v1/service-state/mynapoint")
        .await;
    asked.refused(StatusCode::SERVICE_UNAVAILABLE, "MAINTENANCE");
    assert_eq!(asked.body["until"], refused.body["until"]);
    for open in ["insurance", "bulk", "all"] {
        let asked = browser
            .get(&portal, &format!("/api/v1/service-state/{open}"))
            .await;
        assert_eq!(
            asked.status,
            StatusCode::NO_CONTENT,
            "{open}: {}",
            asked.body
        );
    }
    browser
        .get(&portal, "/api/v1/service-state/everything")
        .await
        .refused(StatusCode::NOT_FOUND, "NOT_FOUND");
    for path in [
        "/api/v1/mynapoint/application",
        "/api/v1/mynapoint/services?q=a",
    ] {
        browser
            .get(&portal, path)
            .await
            .refused(StatusCode::SERVICE_UNAVAILABLE, "MAINTENANCE");
    }
    // Another service goes on.
    let applied = browser.apply(&portal, &insurance()).await;
    assert_eq!(applied.status, StatusCode::OK, "{}", applied.body);

    // At its expected end the window is over without anyone ending it (the session, within
    // its idle timeout, goes on).
    portal.advance(10 * MINUTE_MS);
    assert_eq!(
        browser.get(&portal, STATE).await.body,
        json!({"maintenance": []})
    );
    let reserved = browser.post(&portal, RESERVE, json!({})).await;
    assert_eq!(reserved.status, StatusCode::OK, "{}", reserved.body);
}

#[tokio::test]
async fn a_window_of_the_whole_portal_stops_the_login_but_never_the_session_or_leaving() {
    let portal = Portal::new(&[]).await;
    let mut inside = Browser::logged_in(&portal, &portal.card, "P-MAINT-2").await;
    let now = portal.state.now_ms();
    portal
        .state
        .db
        .add_maintenance("all", now, None)
        .await
        .expect("window");

    let mut outside = Browser::default();
    outside.start(&portal).await;
    // A window of the whole portal stops every service.
    for scope in ["insurance", "mynapoint", "bulk", "all"] {
        outside
            .get(&portal, &format!("/api/v1/service-state/{scope}"))
            .await
            .refused(StatusCode::SERVICE_UNAVAILABLE, "MAINTENANCE");
    }
    let answer = outside
        .call(&portal, "POST", "/api/v1/auth/challenge", None, true)
        .await;
    answer.refused(StatusCode::SERVICE_UNAVAILABLE, "MAINTENANCE");
    assert_eq!(answer.body.get("until"), None, "the operators did not say");
    inside
        .apply(&portal, &insurance())
        .await
        .refused(StatusCode::SERVICE_UNAVAILABLE, "MAINTENANCE");
    inside
        .call(
            &portal,
            "POST",
            "/api/v1/bulk-application",
            Some(json!({"portalUser": true, "insurance": false})),
            true,
        )
        .await
        .refused(StatusCode::SERVICE_UNAVAILABLE, "MAINTENANCE");
    assert_eq!(
        inside.get(&portal, "/api/v1/session").await.status,
        StatusCode::OK
    );
    let out = inside
        .call(&portal, "POST", "/api/v1/auth/logout", None, true)
        .await;
    assert!(out.status.is_success(), "{}", out.body);

    // Until the operator ends it.
    portal.advance(24 * HOUR_MS);
    let state = outside.get(&portal, STATE).await;
    assert_eq!(state.body["maintenance"][0]["active"], true);
    assert_eq!(
        portal
            .state
            .db
            .end_maintenance(None, portal.state.now_ms())
            .await
            .expect("end"),
        1
    );
    assert_eq!(
        outside.get(&portal, STATE).await.body,
        json!({"maintenance": []})
    );
    // A day later the first session has ended: a new one logs in.
    let mut later = Browser::default();
    later.start(&portal).await;
    let answer = later.login(&portal).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
}

#[tokio::test]
async fn a_window_is_announced_a_week_ahead_and_stops_nothing_before_it_starts() {
    let portal = Portal::new(&[]).await;
    let mut browser = Browser::logged_in(&portal, &portal.card, "P-MAINT-3").await;
    let now = portal.state.now_ms();
    let db = &portal.state.db;
    // Within the session's idle timeout (15 minutes), so that it outlives the window.
    db.add_maintenance(
        "insurance",
        now + 10 * MINUTE_MS,
        Some(now + 20 * MINUTE_MS),
    )
    .await
    .expect("window");
    db.add_maintenance("bulk", now + 8 * 24 * HOUR_MS, None)
        .await
        .expect("window");

    let state = browser.get(&portal, STATE).await;
    let windows = state.body["maintenance"].as_array().expect("list").clone();
    assert_eq!(
        windows.len(),
        1,
        "only what starts within a week: {windows:?}"
    );
    assert_eq!(
        (windows[0]["scope"].as_str(), windows[0]["active"].as_bool()),
        (Some("insurance"), Some(false))
    );
    let applied = browser.apply(&portal, &insurance()).await;
    assert_eq!(applied.status, StatusCode::OK, "{}", applied.body);

    portal.advance(10 * MINUTE_MS);
    browser
        .get(&portal, "/api/v1/insurance/status")
        .await
        .refused(StatusCode::SERVICE_UNAVAILABLE, "MAINTENANCE");

    // Ending a scope drops its windows that have not started too; other scopes keep theirs.
    assert_eq!(
        db.end_maintenance(Some("insurance"), portal.state.now_ms())
            .await
            .expect("end"),
        1
    );
    assert_eq!(
        db.maintenance_windows(0, i64::MAX)
            .await
            .expect("rows")
            .len(),
        2,
        "the ended window stays as history, the bulk one is untouched"
    );
    let status = browser.get(&portal, "/api/v1/insurance/status").await;
    assert_eq!(status.status, StatusCode::OK, "{}", status.body);
}

/// `myna-server maintenance` with `args` on the portal in `data`.
fn maintenance(data: &std::path::Path, args: &[&str]) -> std::process::Output {
    server_command()
        .arg("--data-dir")
        .arg(data)
        .arg("maintenance")
        .args(args)
        .output()
        .expect("myna-server runs")
}

async fn service_state(base: &str) -> Value {
    reqwest::get(format!("{base}{STATE}"))
        .await
        .expect("answer")
        .json()
        .await
        .expect("json")
}

#[tokio::test]
async fn the_operators_command_reaches_every_instance_at_once() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().to_path_buf();
    let args: Vec<String> = vec![
        "--data-dir".into(),
        data.to_string_lossy().into_owned(),
        "--origin".into(),
        ORIGIN.into(),
    ];
    let first = ServerProcess::start(&args);
    let second = ServerProcess::start(&args);

    let started = maintenance(
        &data,
        &[
            "start",
            "--scope",
            "mynapoint",
            "--until",
            "2099-12-01T06:00:00+09:00",
        ],
    );
    assert!(
        started.status.success(),
        "{}",
        String::from_utf8_lossy(&started.stderr)
    );
    let said = String::from_utf8_lossy(&started.stdout);
    assert!(said.contains("maintenance of mynapoint from "), "{said}");
    assert!(said.contains("until 2099-12-01T06:00:00+09:00"), "{said}");
    for server in [&first, &second] {
        let state = service_state(&server.base).await;
        assert_eq!(state["maintenance"][0]["scope"], "mynapoint", "{state}");
        assert_eq!(
            state["maintenance"][0]["until"],
            "2099-12-01T06:00:00+09:00"
        );
        assert_eq!(state["maintenance"][0]["active"], true);
    }
    let listed = maintenance(&data, &["list"]);
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(
        listed.starts_with("mynapoint\t")
            && listed
                .trim_end()
                .ends_with("\t2099-12-01T06:00:00+09:00\ton"),
        "{listed}"
    );

    // A window that would end before it starts is refused, and nothing is stored.
    let refused = maintenance(
        &data,
        &[
            "start",
            "--scope",
            "all",
            "--from",
            "2099-12-02T00:00:00+09:00",
            "--until",
            "2099-12-01T00:00:00+09:00",
        ],
    );
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("must be after the start"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    let unknown = maintenance(&data, &["start", "--scope", "everything"]);
    assert!(!unknown.status.success());
    let unsaid = maintenance(&data, &["start"]);
    assert!(
        !unsaid.status.success(),
        "no default scope stops the whole portal"
    );

    // The start `start` printed names the window again: its end is corrected, not doubled.
    let from = said
        .split(" from ")
        .nth(1)
        .and_then(|rest| rest.split(" until ").next())
        .expect("the start as printed")
        .to_owned();
    let corrected = maintenance(
        &data,
        &[
            "start",
            "--scope",
            "mynapoint",
            "--from",
            &from,
            "--until",
            "2099-12-01T05:00:00+09:00",
        ],
    );
    assert!(
        corrected.status.success(),
        "{}",
        String::from_utf8_lossy(&corrected.stderr)
    );
    let state = service_state(&first.base).await;
    assert_eq!(
        state["maintenance"].as_array().map(Vec::len),
        Some(1),
        "{state}"
    );
    assert_eq!(
        state["maintenance"][0]["until"],
        "2099-12-01T05:00:00+09:00"
    );
    // A window beyond the week the pages announce is listed for the operator.
    let far = maintenance(
        &data,
        &[
            "start",
            "--scope",
            "bulk",
            "--from",
            "2099-12-20T00:00:00+09:00",
        ],
    );
    assert!(far.status.success());
    let listed = String::from_utf8_lossy(&maintenance(&data, &["list"]).stdout).into_owned();
    assert!(
        listed.contains("bulk\t2099-12-20T00:00:00+09:00\t-\tannounced"),
        "{listed}"
    );

    let ended = maintenance(&data, &["end", "--scope", "mynapoint"]);
    assert!(ended.status.success());
    assert!(String::from_utf8_lossy(&ended.stdout).contains("ended 1 window(s)"));
    let ended = maintenance(&data, &["end"]);
    assert!(
        String::from_utf8_lossy(&ended.stdout).contains("ended 1 window(s)"),
        "the far one"
    );
    for server in [&first, &second] {
        assert_eq!(
            service_state(&server.base).await,
            json!({"maintenance": []})
        );
    }
}
