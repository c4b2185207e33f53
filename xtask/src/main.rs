//! `cargo xtask <task>`: the only build script of the project.
//!
//! - `run`   builds the bridge and the virtual card, registers the bridge with the browsers for
//!   development, and serves a virtual My Number Card on the machine's pcscd.
//! - `test`  everything CI runs: installs what is missing, then format, lints, tidy and every test.
//! - `bench` the benchmarks of BENCHMARKS.md.
//! - `fuzz`  runs the fuzz targets for a while (needs `cargo install cargo-fuzz`).
//!
//! Installs are idempotent: each step checks first and skips what is already there. Build output
//! goes to `$HOME/.cache/myna-portal/target` unless `CARGO_TARGET_DIR` says otherwise.

mod postgres;
mod run;
mod setup;
mod tidy;

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use anyhow::{bail, Context as _};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = project_root();
    std::env::set_current_dir(&root).context("entering the project root")?;
    if std::env::var_os("CARGO_TARGET_DIR").is_none() {
        std::env::set_var("CARGO_TARGET_DIR", target_dir());
    }
    match args.first().map(String::as_str) {
        Some("run") => run::run(&root),
        Some("test") => test(),
        Some("bench") => bench(),
        Some("fuzz") => fuzz(args.get(1).map(String::as_str).unwrap_or("60")),
        Some("setup") => setup::ensure_system_packages(),
        Some("tidy") => tidy::check(&root),
        _ => {
            eprintln!("usage: cargo xtask <run|test|bench|fuzz [seconds]|setup|tidy>");
            bail!("unknown task")
        }
    }
}

/// The workspace root (the parent of this crate).
pub fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// Where cargo builds: `$CARGO_TARGET_DIR`, else `$HOME/.cache/myna-portal/target`.
pub fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from);
    home.join(".cache").join("myna-portal").join("target")
}

/// Runs a command, echoing it, and fails when it fails.
pub fn sh(program: &str, args: &[&str]) -> anyhow::Result<()> {
    eprintln!("$ {program} {}", args.join(" "));
    let status = Command::new(program)
        .args(args)
        .status()
        .with_context(|| format!("starting {program}"))?;
    if !status.success() {
        bail!("{program} {} failed with {status}", args.join(" "));
    }
    Ok(())
}

fn test() -> anyhow::Result<()> {
    setup::ensure_system_packages()?;
    tidy::check(&project_root())?;
    sh("cargo", &["fmt", "--all", "--check"])?;
    sh(
        "cargo",
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--locked",
            "--",
            "-D",
            "warnings",
        ],
    )?;
    let sqlite = cargo_test(&["test", "--workspace", "--locked"], &[])?;
    // The server's suite again, on a real PostgreSQL that this command starts and stops.
    let postgres = postgres::Postgres::start()?;
    let url = postgres.url();
    let on_postgres = cargo_test(
        &["test", "--locked", "-p", "server"],
        &[("MYNA_TEST_DATABASE_URL", url.as_str())],
    );
    drop(postgres);
    let on_postgres = on_postgres?;
    let total = sqlite.add(on_postgres);
    println!(
        "\nsummary: {} passed, {} failed, {} skipped",
        total.passed, total.failed, total.ignored
    );
    Ok(())
}

/// Counts from `cargo test` output.
#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    passed: u64,
    failed: u64,
    ignored: u64,
}

impl Counts {
    fn add(self, other: Self) -> Self {
        Self {
            passed: self.passed + other.passed,
            failed: self.failed + other.failed,
            ignored: self.ignored + other.ignored,
        }
    }
}

/// Runs `cargo test` with extra environment, echoing its output, and returns the counts summed
/// over all test binaries; the caller prints one summary line for the whole run.
fn cargo_test(args: &[&str], env: &[(&str, &str)]) -> anyhow::Result<Counts> {
    use std::io::{BufRead, BufReader};
    eprintln!("$ cargo {}", args.join(" "));
    let mut child = Command::new("cargo")
        .args(args)
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .context("starting cargo test")?;
    let mut counts = Counts::default();
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let line = line.context("reading cargo test output")?;
            println!("{line}");
            let Some(rest) = line.strip_prefix("test result: ") else {
                continue;
            };
            for part in rest.split(';') {
                let mut words = part.split_whitespace().rev();
                let (Some(word), Some(count)) = (words.next(), words.next()) else {
                    continue;
                };
                let count: u64 = count.parse().unwrap_or(0);
                match word {
                    "passed" => counts.passed += count,
                    "failed" => counts.failed += count,
                    "ignored" => counts.ignored += count,
                    _ => {}
                }
            }
        }
    }
    let status = child.wait().context("waiting for cargo test")?;
    if !status.success() {
        println!(
            "\nsummary: {} passed, {} failed, {} skipped",
            counts.passed, counts.failed, counts.ignored
        );
        bail!("cargo {} failed with {status}", args.join(" "));
    }
    Ok(counts)
}
fn bench() -> anyhow::Result<()> {
    setup::ensure_system_packages()?;
    sh(
        "cargo",
        &["bench", "--locked", "-p", "bridge", "--bench", "card"],
    )?;
    // The server's flows, on SQLite and on a private PostgreSQL started for the run.
    let postgres = postgres::Postgres::start()?;
    let status = Command::new("cargo")
        .args(["bench", "--locked", "-p", "server", "--bench", "flows"])
        .env("MYNA_BENCH_DATABASE_URL", postgres.url())
        .status()
        .context("starting cargo bench")?;
    drop(postgres);
    if !status.success() {
        bail!("the server benchmark failed with {status}");
    }
    Ok(())
}

fn fuzz(seconds: &str) -> anyhow::Result<()> {
    let max_time = format!("-max_total_time={seconds}");
    for target in ["request", "frames"] {
        // cargo-fuzz wants nightly flags; RUSTC_BOOTSTRAP lets the one stable toolchain accept them.
        let status = Command::new("cargo")
            .args([
                "fuzz",
                "run",
                "--fuzz-dir",
                "fuzz",
                "--sanitizer",
                "none",
                target,
                "--",
                &max_time,
            ])
            .env("RUSTC_BOOTSTRAP", "1")
            .status()
            .context("starting cargo fuzz (cargo install cargo-fuzz@0.13.2 --locked)")?;
        if !status.success() {
            bail!("fuzz target {target} failed");
        }
    }
    Ok(())
}
