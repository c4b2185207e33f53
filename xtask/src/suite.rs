//! `cargo xtask test` and `e2e`: the whole suite in the order CI runs it, the release SPA's
//! checks (no development code, every first page within its budget), and the counts.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use anyhow::{bail, Context as _};

use crate::*;

pub(crate) fn test() -> anyhow::Result<()> {
    setup::ensure_system_packages()?;
    tidy::check(&project_root())?;
    // The extension's pure rules (plain JavaScript, no bundler: the code that ships is the code
    // tested), with Node's own test runner.
    let rules = project_root().join("extension/tests/rules.test.js");
    sh("node", &["--test", &rules.to_string_lossy()])?;
    // Its types (JSDoc, `// @ts-check`) and lint, with pinned TypeScript and ESLint.
    web::check_extension(&project_root())?;
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
    // The end-to-end tests run last, with what they need built (`e2e`).
    let sqlite = cargo_test(
        &["test", "--workspace", "--locked", "--exclude", "e2e"],
        &[],
    )?;
    // The server's suite again, on a real PostgreSQL that this command starts and stops.
    let postgres = postgres::Postgres::start()?;
    let url = postgres.url();
    let on_postgres = cargo_test(
        &["test", "--locked", "-p", "server"],
        &[("MYNA_TEST_DATABASE_URL", url.as_str())],
    );
    drop(postgres);
    let on_postgres = on_postgres?;
    // The SPA's browser tests, in Chromium and in Firefox.
    web::ensure_tools()?;
    let mut total = sqlite.add(on_postgres);
    sh(
        "cargo",
        &[
            "clippy",
            "--locked",
            "-p",
            "app",
            "--target",
            "wasm32-unknown-unknown",
            "--all-targets",
            "--features",
            "simulated-helper",
            "--",
            "-D",
            "warnings",
        ],
    )?;
    total = total.add(spa_browser_tests(
        &[web::Browser::Chromium, web::Browser::Firefox],
        None,
    )?);
    // The release build of the SPA, and what it must not contain.
    let dist = web::build_spa(&project_root())?;
    total = total.add(check_release_spa(&dist)?);
    total = total.add(check_first_pages(&dist)?);
    total = total.add(e2e(&dist)?);
    println!(
        "\nsummary: {} passed, {} failed, {} skipped",
        total.passed, total.failed, total.ignored
    );
    Ok(())
}

/// The end-to-end tests (`tests/`) against the release SPA in `dist`: builds the server and the
/// bridge and names what the harness needs in `MYNA_E2E_*`.
pub(crate) fn e2e(dist: &Path) -> anyhow::Result<Counts> {
    sh(
        "cargo",
        &["build", "--locked", "-p", "server", "-p", "bridge"],
    )?;
    let debug = target_dir().join("debug");
    let path = |p: PathBuf| p.to_string_lossy().into_owned();
    let env = [
        ("MYNA_E2E_SERVER", path(debug.join("myna-server"))),
        ("MYNA_E2E_BRIDGE", path(debug.join("myna-bridge"))),
        ("MYNA_E2E_DIST", path(dist.to_path_buf())),
        ("MYNA_E2E_GECKODRIVER", path(web::geckodriver())),
        ("MYNA_E2E_AXE", path(web::axe_core()?)),
        ("PATH", web::path().to_string_lossy().into_owned()),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    // Two browsers at a time: each scenario starts its own.
    let counts = cargo_test(
        &["test", "--locked", "-p", "e2e", "--", "--test-threads=2"],
        &env,
    );
    // Whatever the outcome: the screens to look at, in one place.
    let shots = target_dir().join("e2e-screenshots");
    eprintln!("screenshots of every step: {}", shots.display());
    match contact_sheet::make(&shots) {
        Ok(sheets) => {
            for sheet in sheets {
                eprintln!("contact sheet: {}", sheet.display());
            }
        }
        Err(error) => eprintln!("no contact sheet: {error:#}"),
    }
    counts
}

/// The SPA's browser tests (`app/tests`) in each of `browsers`, each against a fresh server.
/// `filter` (`cargo xtask spa-test chromium NAME`) runs only the tests whose name holds it.
pub(crate) fn spa_browser_tests(
    browsers: &[web::Browser],
    filter: Option<&str>,
) -> anyhow::Result<Counts> {
    web::ensure_tools()?;
    let mut total = Counts::default();
    for &browser in browsers {
        // The flow tests call a real server; each browser gets a fresh one.
        let server = spa_server::FlowServer::start(&format!("{browser:?}").to_lowercase())?;
        let (mut env, unset) = web::browser_env(browser);
        env.extend(server.env.iter().cloned());
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        eprintln!("the SPA's browser tests in {browser:?}");
        let mut args = vec![
            "test",
            "--locked",
            "-p",
            "app",
            "--target",
            "wasm32-unknown-unknown",
            "--features",
            "simulated-helper",
        ];
        if let Some(filter) = filter {
            args.extend(["--", filter]);
        }
        let counts = cargo_test_with(&args, &env, &[unset])?;
        drop(server);
        total = total.add(counts);
    }
    Ok(total)
}

/// The release SPA must not carry the development-only simulated helper: its marker string
/// (`myna-simulated`, the localStorage key it reads) is absent from every built file.
fn check_release_spa(dist: &std::path::Path) -> anyhow::Result<Counts> {
    let mut checked = 0;
    let mut directories = vec![dist.to_path_buf()];
    while let Some(directory) = directories.pop() {
        let entries = std::fs::read_dir(&directory)
            .with_context(|| format!("reading {}", directory.display()))?;
        for entry in entries {
            let path = entry?.path();
            if path.is_dir() {
                directories.push(path);
                continue;
            }
            let bytes = std::fs::read(&path)?;
            if bytes.windows(14).any(|w| w == b"myna-simulated") {
                println!("test release_spa_has_no_simulated_helper ... FAILED");
                bail!("{} carries the simulated helper", path.display());
            }
            checked += 1;
        }
    }
    if checked == 0 {
        bail!("{} is empty", dist.display());
    }
    println!("test release_spa_has_no_simulated_helper ... ok ({checked} files)");
    Ok(Counts {
        passed: 1,
        failed: 0,
        ignored: 0,
    })
}

/// The budget of every first page: what it loads (its wasm, JS glue, CSS and HTML), brotli at
/// quality 11, at most 200 KB (BENCHMARKS.md, "SPA").
const FIRST_PAGE_BUDGET: u64 = 200_000;

/// Each part's first page within [`FIRST_PAGE_BUDGET`]: the release build fails the test
/// command the day a screen pushes a part over, instead of a later measurement finding it.
fn check_first_pages(dist: &std::path::Path) -> anyhow::Result<Counts> {
    let mut counts = Counts::default();
    for part in [
        "",
        "mynapoint",
        "mynapoint/apply",
        "mynapoint/receipt",
        "diagnosis",
        "insurance",
    ] {
        let directory = dist.join(part);
        let mut total = 0;
        for entry in std::fs::read_dir(&directory)
            .with_context(|| format!("reading {}", directory.display()))?
        {
            let path = entry?.path();
            let loaded = path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| matches!(e, "wasm" | "js" | "css" | "html"));
            if !path.is_file() || !loaded {
                continue;
            }
            let output = Command::new("brotli")
                .args(["-q", "11", "-c"])
                .arg(&path)
                .output()
                .context("running brotli")?;
            if !output.status.success() {
                bail!("brotli failed on {}", path.display());
            }
            total += output.stdout.len() as u64;
        }
        let name = if part.is_empty() { "portal" } else { part };
        if total > FIRST_PAGE_BUDGET || total == 0 {
            println!("test first_page_within_budget ({name}) ... FAILED ({total} bytes brotli)");
            counts.failed += 1;
        } else {
            println!(
                "test first_page_within_budget ({name}) ... ok ({total} bytes brotli, {} left)",
                FIRST_PAGE_BUDGET - total
            );
            counts.passed += 1;
        }
    }
    if counts.failed > 0 {
        bail!("a first page is over its {FIRST_PAGE_BUDGET}-byte budget (BENCHMARKS.md, \"SPA\")");
    }
    Ok(counts)
}

/// Counts from `cargo test` output.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Counts {
    pub(crate) passed: u64,
    pub(crate) failed: u64,
    pub(crate) ignored: u64,
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
pub(crate) fn cargo_test(args: &[&str], env: &[(&str, &str)]) -> anyhow::Result<Counts> {
    cargo_test_with(args, env, &[])
}

/// [`cargo_test`] with variables removed from the environment.
pub(crate) fn cargo_test_with(
    args: &[&str],
    env: &[(&str, &str)],
    unset: &[&str],
) -> anyhow::Result<Counts> {
    use std::io::{BufRead, BufReader};
    eprintln!("$ cargo {}", args.join(" "));
    let mut command = Command::new("cargo");
    for name in unset {
        command.env_remove(name);
    }
    let mut child = command
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
