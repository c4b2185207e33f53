//! The `myna-server` binary's commands: `--help`, the feed imports (all or nothing, every error
//! with its line) and the settings file.

use std::process::{Command, Output};

fn server() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_myna-server"));
    // Settings must come from the arguments and files of each test only.
    for (name, _) in std::env::vars() {
        if name.starts_with("MYNA_") || name == "DATABASE_URL" {
            command.env_remove(name);
        }
    }
    command.env("MYNA_LOG", "warn");
    command
}

fn run(command: &mut Command) -> Output {
    command.output().expect("myna-server runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `myna-server --data-dir DATA import card-events FILE`.
fn import_events(data: &std::path::Path, file: &std::path::Path) -> Output {
    run(server()
        .arg("--data-dir")
        .arg(data)
        .args(["import", "card-events"])
        .arg(file))
}

async fn count(data_dir: &std::path::Path, table: &str) -> i64 {
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}", data_dir.join("myna.sqlite3").display());
    let mut connection = <sqlx::AnyConnection as sqlx::Connection>::connect(&url)
        .await
        .expect("database");
    let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(&mut connection)
        .await
        .expect("count");
    n
}

#[test]
fn help_explains_every_option_and_command() {
    let output = run(server().arg("--help"));
    assert!(output.status.success());
    let help = text(&output.stdout);
    for option in [
        "--config",
        "--listen",
        "--data-dir",
        "--database-url",
        "--origin",
        "--trust-ca",
        "--crl",
        "--idle-timeout-secs",
        "--eligibility-cut-over",
        "import",
        "serve",
    ] {
        assert!(help.contains(option), "--help lacks {option}:\n{help}");
    }
    let output = run(server().args(["import", "--help"]));
    let help = text(&output.stdout);
    for feed in ["card-events", "certificate-links", "insurer-records"] {
        assert!(help.contains(feed), "import --help lacks {feed}:\n{help}");
    }
}

#[tokio::test]
async fn an_import_with_one_bad_line_writes_nothing_and_names_the_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let file = dir.path().join("events.csv");
    std::fs::write(
        &file,
        "person_id,event,occurred_at\n\
         p-1,card_issued,2021-03-01T09:00:00+09:00\n\
         p-2,card_lost,2021-03-01T09:00:00+09:00\n",
    )
    .expect("write");
    let output = import_events(&data, &file);
    assert!(!output.status.success());
    let errors = text(&output.stderr);
    assert!(errors.contains("line 3: event must be one of"), "{errors}");
    assert!(errors.contains("nothing was imported"), "{errors}");
    // The database is not even created for a file that fails validation.
    assert!(!data.join("myna.sqlite3").exists());

    std::fs::write(
        &file,
        "person_id,event,occurred_at\n\
         p-1,card_issued,2021-03-01T09:00:00+09:00\n\
         p-2,suspension_lifted,2021-03-01T09:00:00+09:00\n",
    )
    .expect("write");
    let output = import_events(&data, &file);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains("imported 2 record(s)"));
    assert_eq!(count(&data, "card_events").await, 2);
    // Importing the same events again keeps them once.
    let output = import_events(&data, &file);
    assert!(output.status.success());
    assert_eq!(count(&data, "card_events").await, 2);
}

#[tokio::test]
async fn json_feeds_and_a_settings_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("from-file");
    let config = dir.path().join("myna.toml");
    std::fs::write(
        &config,
        format!(
            "data_dir = {:?}\nidle-timeout-secs = 60\n",
            data.display().to_string()
        ),
    )
    .expect("write");
    let file = dir.path().join("links.json");
    std::fs::write(
        &file,
        r#"[{"issuer": "OU=JPKI for user authentication,O=JPKI-TEST,C=JP", "serial": "5F:E0:8E", "person_id": "p-1"},
            {"issuer": "OU=JPKI for user authentication,O=JPKI-TEST,C=JP", "serial": "01", "person_id": "p-2"}]"#,
    )
    .expect("write");
    let output = run(server()
        .arg("--config")
        .arg(&config)
        .args(["import", "certificate-links"])
        .arg(&file));
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(count(&data, "certificate_links").await, 2);

    // The environment overrides the file, the command line overrides both.
    let elsewhere = dir.path().join("from-env");
    let insurers = dir.path().join("insurers.json");
    std::fs::write(&insurers, r#"[{"person_id": "p-1", "insurer_name": "A"}]"#).expect("write");
    let output = run(server()
        .env("MYNA_CONFIG", &config)
        .env("MYNA_DATA_DIR", &elsewhere)
        .args(["import", "insurer-records"])
        .arg(&insurers));
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(count(&elsewhere, "insurer_records").await, 1);
    assert_eq!(count(&data, "insurer_records").await, 0);

    // An unknown key in the file is an error that names it.
    std::fs::write(&config, "listen_port = 8080\n").expect("write");
    let output = run(server()
        .arg("--config")
        .arg(&config)
        .args(["import", "insurer-records"])
        .arg(&insurers));
    assert!(!output.status.success());
    assert!(
        text(&output.stderr).contains("unknown setting \"listen_port\""),
        "{}",
        text(&output.stderr)
    );
}
