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
//! - `spa`   builds the release SPA into `app/dist`; `spa-test [chromium|firefox] [NAME]` runs only the
//!   SPA's browser tests (against a fresh server).
//!
//! Installs are idempotent: each step checks first and skips what is already there. Build output
//! goes to `$HOME/.cache/myna-portal/target` unless `CARGO_TARGET_DIR` says otherwise.

mod bench;
mod contact_sheet;
mod extension;
mod postgres;
mod rooms;
mod run;
mod setup;
mod spa_server;
mod suite;
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
        Some("test") => suite::test(),
        Some("bench") => bench::bench(args.get(1).map(String::as_str)),
        Some("fuzz") => bench::fuzz(args.get(1).map(String::as_str).unwrap_or("60")),
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
            .and_then(|dist| suite::e2e(&dist))
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
            suite::spa_browser_tests(&browsers, args.get(2).map(String::as_str)).map(|counts| {
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
        Some("instances") => bench::instances(),
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
