//! `cargo xtask bench`, `instances` and `fuzz`: the measurements of BENCHMARKS.md and the fuzz
//! targets' runs.

use std::{path::PathBuf, process::Command};

use anyhow::{bail, Context as _};

use crate::*;

/// The multi-instance tests on a private PostgreSQL: three `myna-server` processes behind nginx.
pub(crate) fn instances() -> anyhow::Result<()> {
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
pub(crate) fn bench(only: Option<&str>) -> anyhow::Result<()> {
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

pub(crate) fn fuzz(seconds: &str) -> anyhow::Result<()> {
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
