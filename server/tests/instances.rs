//! Several `myna-server` instances on one database behind a real load balancer (nginx on
//! loopback): no instance holds state another needs. A challenge from one instance, the login
//! on a second and the application on a third; rate limits counted across them; one instance
//! killed with SIGKILL under load, after which every acknowledged application is in the
//! database and the sessions go on through the others. On SQLite (one file, several processes)
//! and, under `cargo xtask test`, on PostgreSQL.

mod common;

use std::sync::Arc;

use axum::http::StatusCode;
use common::{balancer::Balancer, *};
use reqwest::Method;
use server::feeds::{self, Feed, Format};

struct Cluster {
    _dir: tempfile::TempDir,
    args: Vec<String>,
    url: String,
}

impl Cluster {
    async fn new(extra: &[&str]) -> Self {
        let dir = tempfile::tempdir().expect("dir");
        let data = dir.path().join("data");
        std::fs::create_dir_all(&data).expect("data dir");
        let ca = templates()
            .ca_dir()
            .join("auth-ca.cert.der")
            .to_string_lossy()
            .into_owned();
        let mut args: Vec<String> = vec![
            "--data-dir".into(),
            data.to_string_lossy().into_owned(),
            "--origin".into(),
            ORIGIN.into(),
            "--trust-ca".into(),
            ca,
            "--trust-forwarded-for".into(),
        ];
        args.extend(extra.iter().map(|a| (*a).to_owned()));
        let url = match test_database_url().await {
            Some(url) => {
                args.extend(["--database-url".into(), url.clone()]);
                url
            }
            None => format!("sqlite://{}?mode=rwc", data.join("myna.sqlite3").display()),
        };
        Self {
            _dir: dir,
            args,
            url,
        }
    }

    async fn db(&self) -> server::db::Db {
        server::db::Db::connect(&self.url).await.expect("database")
    }

    async fn link(&self, cards: &[(&Card, String)]) {
        let mut csv = String::from("issuer,serial,person_id\n");
        for (card, person) in cards {
            csv.push_str(&link_line(card, person));
        }
        let records = feeds::parse(Feed::CertificateLinks, Format::Csv, &csv).expect("feed");
        self.db().await.import(&records, 0).await.expect("import");
    }

    fn start(&self) -> ServerProcess {
        ServerProcess::start(&self.args)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_spans_three_instances_and_rate_limits_are_shared() {
    let cluster = Cluster::new(&["--rate-limit-certificate", "4"]).await;
    let card = Card::new();
    cluster.link(&[(&card, "spanning".into())]).await;
    let db = cluster.db().await;
    let instances: Vec<ServerProcess> = (0..3).map(|_| cluster.start()).collect();
    let client = reqwest::Client::new();
    // Session and challenge on the first, login on the second, application on the third: the
    // card signs the application in the one login (server::writes).
    let mut browser = HttpBrowser::start(&client, &instances[0].base)
        .await
        .expect("session");
    let (_, challenge) = browser
        .send(
            Method::POST,
            "/api/v1/auth/challenge?purpose=insurance-application",
            Some(serde_json::json!({"registerPortalUser": false, "termsVersion": "2021-03"})),
        )
        .await
        .expect("challenge");
    let token = card.sign(ORIGIN, challenge["nonce"].as_str().expect("nonce"));
    browser.set_base(&instances[1].base);
    let (status, body) = browser
        .send(Method::POST, "/api/v1/auth/login", Some(token))
        .await
        .expect("login");
    assert_eq!(status, StatusCode::OK, "{body}");
    browser.set_base(&instances[2].base);
    let (status, body) = browser
        .send(
            Method::POST,
            "/api/v1/insurance/application",
            Some(serde_json::json!({"registerPortalUser": false, "termsVersion": "2021-03"})),
        )
        .await
        .expect("apply");
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(db
        .insurance_status("spanning")
        .await
        .expect("status")
        .is_some());
    // Through the balancer too: each request of a flow may land on any instance.
    let balancer = Balancer::start(&instances.iter().map(|i| i.base.clone()).collect::<Vec<_>>());
    let other = Card::another_person();
    cluster.link(&[(&other, "balanced".into())]).await;
    let mut browser = HttpBrowser::start(&client, &balancer.base)
        .await
        .expect("session");
    assert_eq!(browser.login(&other).await.expect("login"), StatusCode::OK);
    let (status, body) = browser.apply().await.expect("apply");
    assert_eq!(status, StatusCode::OK, "{body}");
    for _ in 0..3 {
        let (status, body) = browser
            .send(Method::GET, "/api/v1/insurance/status", None)
            .await
            .expect("status");
        assert_eq!(
            (status, body["application"].as_str()),
            (StatusCode::OK, Some("received")),
            "{body}"
        );
    }
    // Logins per certificate: 4 a minute, counted in the database. One above, three more on
    // the three instances, and the fifth, wherever it lands, is refused.
    for (i, expected) in [
        (0, StatusCode::OK),
        (1, StatusCode::OK),
        (2, StatusCode::OK),
        (0, StatusCode::TOO_MANY_REQUESTS),
        (1, StatusCode::TOO_MANY_REQUESTS),
    ] {
        let mut browser = HttpBrowser::start(&client, &instances[i].base)
            .await
            .expect("session");
        assert_eq!(
            browser.login(&card).await.expect("login"),
            expected,
            "instance {i}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_killed_under_load_loses_no_acknowledged_application() {
    const PEOPLE: usize = 24;
    let cluster = Cluster::new(&[]).await;
    let cards: Vec<Card> = (0..PEOPLE).map(|_| Card::another_person()).collect();
    let early = Card::another_person();
    let mut links: Vec<(&Card, String)> = cards
        .iter()
        .enumerate()
        .map(|(i, card)| (card, format!("load-{i}")))
        .collect();
    links.push((&early, "early".into()));
    cluster.link(&links).await;
    let mut instances: Vec<Option<ServerProcess>> = (0..2).map(|_| Some(cluster.start())).collect();
    let bases: Vec<String> = instances.iter().flatten().map(|i| i.base.clone()).collect();
    let balancer = Balancer::start(&bases);
    let client = reqwest::Client::new();
    // A session that logged in through the balancer before the kill.
    let mut before = HttpBrowser::start(&client, &balancer.base)
        .await
        .expect("session");
    assert_eq!(before.login(&early).await.expect("login"), StatusCode::OK);

    let cards = Arc::new(cards);
    let acknowledged = Arc::new(std::sync::Mutex::new(Vec::new()));
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let done = Arc::new(tokio::sync::Notify::new());
    let workers: Vec<_> = (0..6)
        .map(|_| {
            let (cards, acknowledged, next) = (
                Arc::clone(&cards),
                Arc::clone(&acknowledged),
                Arc::clone(&next),
            );
            let (client, base, done) = (client.clone(), balancer.base.clone(), Arc::clone(&done));
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    if i >= cards.len() {
                        return;
                    }
                    // A third of the way in (whatever became of the flows before).
                    if i == PEOPLE / 3 {
                        done.notify_one();
                    }
                    let Ok(mut browser) = HttpBrowser::start(&client, &base).await else {
                        continue;
                    };
                    if browser.login(&cards[i]).await.ok() != Some(StatusCode::OK) {
                        continue;
                    }
                    if let Ok((StatusCode::OK, _)) = browser.apply().await {
                        acknowledged.lock().expect("lock").push(format!("load-{i}"));
                    }
                }
            })
        })
        .collect();
    // A third of the way in, the first instance dies without a word.
    done.notified().await;
    if let Some(instance) = instances[0].take() {
        instance.kill();
    }
    for worker in workers {
        worker.await.expect("worker");
    }
    let acknowledged = acknowledged.lock().expect("lock").clone();
    let db = cluster.db().await;
    for person in &acknowledged {
        assert!(
            db.insurance_status(person).await.expect("status").is_some(),
            "{person} was acknowledged but is not in the database"
        );
    }
    // Most flows went through (only those in flight at the kill may have failed).
    assert!(acknowledged.len() >= PEOPLE - 6, "{acknowledged:?}");
    // The session from before goes on through the instance that lives.
    for _ in 0..4 {
        let (status, body) = before.apply().await.expect("request");
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    // And a new flow after the kill works from start to end.
    let mut after = HttpBrowser::start(&client, &balancer.base)
        .await
        .expect("session");
    let late = Card::another_person();
    cluster.link(&[(&late, "late".into())]).await;
    assert_eq!(after.login(&late).await.expect("login"), StatusCode::OK);
}
