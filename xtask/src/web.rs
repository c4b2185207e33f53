//! The SPA's tool chain, installed once and pinned (`docs/test-stack.md`): the wasm32
//! target, Trunk, wasm-bindgen-cli (equal to Cargo.lock's wasm-bindgen), geckodriver, and npm's
//! binaryen for wasm-opt (never Debian's). Each is skipped when the pinned version is there. The
//! npm tools (binaryen, axe-core, TypeScript, Chrome's API types, ESLint) are one locked set,
//! `xtask/npm/package-lock.json`, installed with `npm ci` so that no transitive version floats.

use std::{
    ffi::OsString,
    path::{Path, PathBuf},
    process::Command,
};

use anyhow::{bail, Context as _};

use crate::sh;

/// Pinned versions.
const TRUNK: &str = "0.21.14";
const WASM_BINDGEN: &str = "0.2.130";
const GECKODRIVER: &str = "0.36.0";
/// The npm tools, exact versions (`xtask/npm/package.json`): binaryen's wasm-opt 132, axe-core
/// (the accessibility audit the end-to-end tests run on every screen), TypeScript (JSDoc type
/// checking of the extension's plain JavaScript, the 5.x line: 7's native compiler is a
/// rewrite), Chrome's API types, ESLint and its rule sets; every transitive version is locked.
const NPM_PACKAGE: &str = include_str!("../npm/package.json");
const NPM_LOCK: &str = include_str!("../npm/package-lock.json");

fn home() -> PathBuf {
    std::env::var_os("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from)
}

/// Where npm's binaryen lives.
pub fn tools_dir() -> PathBuf {
    home().join(".cache").join("myna-portal").join("tools")
}

fn cargo_bin() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map_or_else(|| home().join(".cargo"), PathBuf::from)
        .join("bin")
}

/// `PATH` with binaryen and cargo's bin directory first.
pub fn path() -> OsString {
    let mut dirs = vec![tools_dir().join("node_modules").join(".bin"), cargo_bin()];
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(dirs).unwrap_or_default()
}

/// The first line `program --version` prints, or nothing.
fn version_of(program: &Path) -> String {
    Command::new(program)
        .arg("--version")
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .next()
                .unwrap_or("")
                .to_owned()
        })
        .unwrap_or_default()
}

fn cargo_install(krate: &str, version: &str, binary: &str, locked: bool) -> anyhow::Result<()> {
    if version_of(&cargo_bin().join(binary)).contains(version) {
        return Ok(());
    }
    let spec = format!("{krate}@{version}");
    let mut args = vec!["install", spec.as_str()];
    // wasm-bindgen-cli's lock pins a crate version the registry lacks: it installs unlocked.
    if locked {
        args.push("--locked");
    }
    sh("cargo", &args)
}

/// Installs what is missing.
///
/// # Errors
/// When rustup, cargo install or npm fails.
pub fn ensure_tools() -> anyhow::Result<()> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .context("running rustup")?;
    if !String::from_utf8_lossy(&installed.stdout).contains("wasm32-unknown-unknown") {
        sh("rustup", &["target", "add", "wasm32-unknown-unknown"])?;
    }
    cargo_install("trunk", TRUNK, "trunk", true)?;
    cargo_install("wasm-bindgen-cli", WASM_BINDGEN, "wasm-bindgen", false)?;
    cargo_install("geckodriver", GECKODRIVER, "geckodriver", true)?;
    ensure_npm_tools()
}

/// The locked npm tools in the tools directory: `npm ci` when what is installed is not the
/// committed lock (or was never completed).
fn ensure_npm_tools() -> anyhow::Result<()> {
    let dir = tools_dir();
    let installed = std::fs::read_to_string(dir.join("package-lock.json")).unwrap_or_default();
    let complete = dir
        .join("node_modules")
        .join(".package-lock.json")
        .is_file();
    if installed == NPM_LOCK && complete {
        return Ok(());
    }
    std::fs::create_dir_all(&dir).context("creating the tools directory")?;
    std::fs::write(dir.join("package.json"), NPM_PACKAGE).context("writing package.json")?;
    std::fs::write(dir.join("package-lock.json"), NPM_LOCK).context("writing package-lock.json")?;
    let prefix = dir.to_string_lossy().into_owned();
    sh(
        "npm",
        &["ci", "--prefix", &prefix, "--no-audit", "--no-fund"],
    )
}

/// The extension's checks: `tsc -p extension` (JSDoc types, `// @ts-check`) and ESLint with
/// `extension/tests/eslint.config.mjs`, each with the pinned version, installed when missing.
/// The ESLint configuration is copied into the tools directory, where its imports resolve.
///
/// # Errors
/// When a tool cannot be installed, or a check fails.
pub fn check_extension(root: &Path) -> anyhow::Result<()> {
    ensure_npm_tools()?;
    let modules = tools_dir().join("node_modules");
    let bin = modules.join(".bin");
    let extension = root.join("extension");
    sh(
        &bin.join("tsc").to_string_lossy(),
        &[
            "-p",
            &extension.to_string_lossy(),
            "--typeRoots",
            &modules.join("@types").to_string_lossy(),
        ],
    )?;
    let config = tools_dir().join("eslint.config.mjs");
    std::fs::copy(extension.join("tests/eslint.config.mjs"), &config)
        .context("copying the ESLint configuration")?;
    let status = Command::new(bin.join("eslint"))
        .arg("--config")
        .arg(&config)
        .arg("extension/")
        .current_dir(root)
        .status()
        .context("running eslint")?;
    if !status.success() {
        bail!("eslint found problems in extension/ ({status})");
    }
    Ok(())
}

/// axe-core's browser script, from the locked npm tools.
///
/// # Errors
/// When the npm tools cannot be installed.
pub fn axe_core() -> anyhow::Result<PathBuf> {
    ensure_npm_tools()?;
    Ok(tools_dir()
        .join("node_modules")
        .join("axe-core")
        .join("axe.min.js"))
}

/// geckodriver as `cargo install` put it.
pub fn geckodriver() -> PathBuf {
    cargo_bin().join("geckodriver")
}

/// Builds the SPA for release into `app/dist` with Trunk and returns that directory: the portal
/// (`index.html`) at its root, MyNa Point (`mynapoint.html`) in `dist/mynapoint/` and its
/// application part (`mynapoint_apply.html`) in `dist/mynapoint/apply/`, its receipt part
/// (`mynapoint_receipt.html`) in `dist/mynapoint/receipt/`, the self-diagnosis
/// (`diagnosis.html`) in `dist/diagnosis/`, the health-insurance part (`insurance.html`) in
/// `dist/insurance/`, each part with its own wasm. The parts are built in
/// that order: Trunk empties a `--dist` directory first.
///
/// # Errors
/// When a tool cannot be installed or Trunk fails on a part.
pub fn build_spa(root: &Path) -> anyhow::Result<PathBuf> {
    ensure_tools()?;
    let app = root.join("app");
    let parts: [&[&str]; 6] = [
        &["build", "--release"],
        &[
            "build",
            "mynapoint.html",
            "--release",
            "--dist",
            "dist/mynapoint",
            "--public-url",
            "/mynapoint/",
        ],
        &[
            "build",
            "mynapoint_apply.html",
            "--release",
            "--dist",
            "dist/mynapoint/apply",
            "--public-url",
            "/mynapoint/apply/",
        ],
        &[
            "build",
            "mynapoint_receipt.html",
            "--release",
            "--dist",
            "dist/mynapoint/receipt",
            "--public-url",
            "/mynapoint/receipt/",
        ],
        &[
            "build",
            "diagnosis.html",
            "--release",
            "--dist",
            "dist/diagnosis",
            "--public-url",
            "/diagnosis/",
        ],
        &[
            "build",
            "insurance.html",
            "--release",
            "--dist",
            "dist/insurance",
            "--public-url",
            "/insurance/",
        ],
    ];
    for args in parts {
        eprintln!("$ trunk {} (in app/)", args.join(" "));
        let status = Command::new(cargo_bin().join("trunk"))
            .args(args)
            .current_dir(&app)
            .env("PATH", path())
            .status()
            .context("starting trunk")?;
        if !status.success() {
            bail!("trunk {} failed with {status}", args.join(" "));
        }
    }
    Ok(app.join("dist"))
}

/// The browsers the SPA's tests run in.
#[derive(Debug, Clone, Copy)]
pub enum Browser {
    /// Debian's Chromium with its chromedriver.
    Chromium,
    /// Debian's Firefox ESR with geckodriver.
    Firefox,
}

/// The environment of the SPA's browser tests in `browser`: the driver named, the other one's
/// variable removed (the runner prefers geckodriver when both are set).
pub fn browser_env(browser: Browser) -> (Vec<(String, String)>, &'static str) {
    let path = ("PATH".to_owned(), path().to_string_lossy().into_owned());
    match browser {
        Browser::Chromium => (
            vec![
                path,
                ("CHROMEDRIVER".into(), "/usr/bin/chromedriver".into()),
            ],
            "GECKODRIVER",
        ),
        Browser::Firefox => (
            vec![
                path,
                (
                    "GECKODRIVER".into(),
                    cargo_bin()
                        .join("geckodriver")
                        .to_string_lossy()
                        .into_owned(),
                ),
            ],
            "CHROMEDRIVER",
        ),
    }
}
