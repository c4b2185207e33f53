//! `cargo xtask <task>`: the only build script of the project.
//!
//! - `run`   builds the bridge and the virtual card, registers the bridge with the browsers for
//!   development, and serves a virtual My Number Card on the machine's pcscd.
//! - `test`  everything CI runs: installs what is missing, then format, lints, tidy and every test.
//! - `bench [card|server|e2e]` the benchmarks of BENCHMARKS.md (the card stack, the server's
//!   flows — direct, then through nginx with one and two instances —, the portal end to end in
//!   both browsers), or one of them.
//! - `fuzz`  runs the fuzz targets for a while (needs `cargo install cargo-fuzz`).
//! - `e2e`   only the end-to-end tests (`tests/`): the release SPA, the server and the bridge
//!   built, then every scenario in Chromium and Firefox.
//! - `extension [--origin https://…]` the store packages of the extension (a zip for Chrome and
//!   Edge, one for Firefox) under `<target>/extension/`.
//! - `extension-config` rewrites `extension/config.js` from `protocol`'s constants.
//! - `deb --extension … --origin …` the Debian package of the bridge (release build) under
//!   `<target>/deb/` (`myna-bridge package --deb`; `myna-bridge package --os macos|windows`
//!   stages those systems' layouts as files).
//! - `instances` several server instances on one private PostgreSQL behind nginx
//!   (`server/tests/instances.rs`; `test` runs it on SQLite and on PostgreSQL too).
//! - `spa`   builds the release SPA into `app/dist`; `spa-test [chromium|firefox]` runs only the
//!   SPA's browser tests (against a fresh server).
//!
//! Installs are idempotent: each step checks first and skips what is already there. Build output
//! goes to `$HOME/.cache/myna-portal/target` unless `CARGO_TARGET_DIR` says otherwise.

mod contact_sheet;
mod extension;
mod postgres;
mod rooms;
mod run;
mod setup;
mod spa_server;
mod tidy;
mod web;

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
        Some("bench") => bench(args.get(1).map(String::as_str)),
        Some("fuzz") => fuzz(args.get(1).map(String::as_str).unwrap_or("60")),
        Some("setup") => setup::ensure_system_packages().and_then(|()| web::ensure_tools()),
        Some("spa") => web::build_spa(&root).map(|dist| eprintln!("built {}", dist.display())),
        Some("extension") => {
            let mut origins = Vec::new();
            let mut rest = args.iter().skip(1);
            while let Some(arg) = rest.next() {
                match (arg.as_str(), rest.next()) {
                    ("--origin", Some(origin)) => origins.push(origin.clone()),
                    _ => bail!("usage: cargo xtask extension [--origin https://host]…"),
                }
            }
            let out = target_dir().join("extension");
            extension::package(&root, &origins, &out).map(|zips| {
                for zip in zips {
                    println!("{}", zip.display());
                }
            })
        }
        Some("extension-config") => extension::write_source_config(&root),
        Some("e2e") => setup::ensure_system_packages()
            .and_then(|()| web::build_spa(&root))
            .and_then(|dist| e2e(&dist))
            .map(|counts| {
                println!(
                    "\nsummary: {} passed, {} failed",
                    counts.passed, counts.failed
                )
            }),
        Some("spa-test") => {
            let browsers: Vec<web::Browser> = match args.get(1).map(String::as_str) {
                Some("chromium") => vec![web::Browser::Chromium],
                Some("firefox") => vec![web::Browser::Firefox],
                _ => vec![web::Browser::Chromium, web::Browser::Firefox],
            };
            spa_browser_tests(&browsers).map(|counts| {
                println!(
                    "\nsummary: {} passed, {} failed",
                    counts.passed, counts.failed
                );
            })
        }
        Some("deb") => {
            let release = build_release(&["bridge"])?;
            let out = target_dir().join("deb");
            std::fs::create_dir_all(&out)?;
            let deb = out.join(format!("myna-bridge_{}.deb", env!("CARGO_PKG_VERSION")));
            // Its own staging folder from an earlier run (myna-bridge refuses a used one).
            let _ = std::fs::remove_dir_all(out.join("stage"));
            let mut command = Command::new(release.join("myna-bridge"));
            command
                .arg("package")
                .arg("--root")
                .arg(out.join("stage"))
                .arg("--deb")
                .arg(&deb)
                .args(&args[1..]);
            let status = command.status().context("starting myna-bridge package")?;
            if !status.success() {
                bail!("myna-bridge package failed with {status}");
            }
            Ok(())
        }
        Some("tidy") => tidy::check(&root),
        Some("instances") => instances(),
        _ => {
            eprintln!(
                "usage: cargo xtask <run|test|e2e|extension [--origin https://…]|deb --extension … --origin …|bench|fuzz [seconds]|setup|spa|spa-test [chromium|firefox]|instances|tidy>"
            );
            bail!("unknown task")
        }
    }
}

/// The workspace root (the parent of this crate).
///
/// The manifest folder is read when xtask runs (`cargo run` sets `CARGO_MANIFEST_DIR`), not only
/// when it was built: a clone at another path that shares the build cache gets a fresh-looking
/// xtask built for the first clone (cargo keeps workspace paths relative in its fingerprints).
pub fn project_root() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from)
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

/// `cargo build --release --locked` of `packages`; returns the directory of the binaries.
///
/// # Errors
/// When cargo fails.
pub fn build_release(packages: &[&str]) -> anyhow::Result<PathBuf> {
    let mut args = vec!["build", "--release", "--locked"];
    for package in packages {
        args.extend(["-p", package]);
    }
    sh("cargo", &args)?;
    Ok(target_dir().join("release"))
}

/// Runs a command, echoing it, and fails when it fails.
///
/// # Errors
/// When the program cannot be started or exits unsuccessfully.
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
    total = total.add(spa_browser_tests(&[
        web::Browser::Chromium,
        web::Browser::Firefox,
    ])?);
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
fn e2e(dist: &Path) -> anyhow::Result<Counts> {
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
fn spa_browser_tests(browsers: &[web::Browser]) -> anyhow::Result<Counts> {
    web::ensure_tools()?;
    let mut total = Counts::default();
    for &browser in browsers {
        // The flow tests call a real server; each browser gets a fresh one.
        let server = spa_server::FlowServer::start(&format!("{browser:?}").to_lowercase())?;
        let (mut env, unset) = web::browser_env(browser);
        env.extend(server.env.iter().cloned());
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        eprintln!("the SPA's browser tests in {browser:?}");
        let counts = cargo_test_with(
            &[
                "test",
                "--locked",
                "-p",
                "app",
                "--target",
                "wasm32-unknown-unknown",
                "--features",
                "simulated-helper",
            ],
            &env,
            &[unset],
        )?;
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
    for part in ["", "mynapoint", "mynapoint/apply", "mynapoint/receipt"] {
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
    cargo_test_with(args, env, &[])
}

/// [`cargo_test`] with variables removed from the environment.
fn cargo_test_with(args: &[&str], env: &[(&str, &str)], unset: &[&str]) -> anyhow::Result<Counts> {
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
/// The multi-instance tests on a private PostgreSQL: three `myna-server` processes behind nginx.
fn instances() -> anyhow::Result<()> {
    setup::ensure_system_packages()?;
    let postgres = postgres::Postgres::start()?;
    let status = Command::new("cargo")
        .args(["test", "--locked", "-p", "server", "--test", "instances"])
        .env("MYNA_TEST_DATABASE_URL", postgres.url())
        .status()
        .context("starting cargo test")?;
    drop(postgres);
    if !status.success() {
        bail!("the multi-instance tests failed with {status}");
    }
    Ok(())
}

/// Every benchmark, or only `card`, `server` (flows, then through nginx) or `e2e`.
fn bench(only: Option<&str>) -> anyhow::Result<()> {
    setup::ensure_system_packages()?;
    let wanted = |part: &str| only.is_none_or(|only| only == part);
    if wanted("card") {
        sh(
            "cargo",
            &["bench", "--locked", "-p", "bridge", "--bench", "card"],
        )?;
    }
    if wanted("server") {
        server_bench()?;
    }
    if wanted("e2e") {
        e2e_bench()?;
    }
    Ok(())
}

fn server_bench() -> anyhow::Result<()> {
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

fn e2e_bench() -> anyhow::Result<()> {
    // End to end: 「申し込む」 → done in Chromium and Firefox, release builds.
    let dist = web::build_spa(&project_root())?;
    let release = build_release(&["server", "bridge"])?;
    let path = |p: PathBuf| p.to_string_lossy().into_owned();
    let status = Command::new("cargo")
        .args(["bench", "--locked", "-p", "e2e", "--bench", "apply"])
        .env("MYNA_E2E_SERVER", path(release.join("myna-server")))
        .env("MYNA_E2E_BRIDGE", path(release.join("myna-bridge")))
        .env("MYNA_E2E_DIST", path(dist))
        .env("MYNA_E2E_GECKODRIVER", path(web::geckodriver()))
        .env("PATH", web::path())
        .status()
        .context("starting cargo bench")?;
    if !status.success() {
        bail!("the end-to-end benchmark failed with {status}");
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
