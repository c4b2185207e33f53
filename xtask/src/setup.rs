//! Installs what the build and the tests need from Debian, skipping what is already there.

use std::process::Command;

use anyhow::{bail, Context as _};

/// Debian packages: PC/SC (daemon, headers, the vsmartcard virtual reader), pkg-config for the
/// pcsc crate's build, openssl (the tests' independent verifier), PostgreSQL (the server's
/// suite runs on it too), Chromium and Firefox with their WebDriver (the SPA's browser tests),
/// brotli (the SPA's size), Node.js and npm (binaryen's wasm-opt), nginx (the balancer in front of
/// several server instances), a CJK font (Japanese glyphs in the screenshots).
pub const PACKAGES: &[&str] = &[
    "pcscd",
    "libpcsclite-dev",
    "pkg-config",
    "vsmartcard-vpcd",
    "openssl",
    "postgresql",
    "chromium",
    "chromium-driver",
    "firefox-esr",
    "brotli",
    "zip",
    // The load balancer in front of several server instances (server/tests/instances.rs).
    "nginx",
    // Japanese glyphs in the browsers' screenshots (without a CJK font every character is a box).
    "fonts-noto-cjk",
];

/// Programs that may come from elsewhere than Debian (the machines have their own Node.js);
/// the Debian package is installed only when the program is missing.
const PROGRAMS: &[(&str, &str)] = &[("node", "nodejs"), ("npm", "npm")];

pub fn on_path(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
        .unwrap_or(false)
}

/// Whether this process runs as root.
pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0"))
        .unwrap_or(false)
}

/// `program` as root: directly when this process is root, else through sudo.
pub fn as_root(program: &str) -> Command {
    if is_root() {
        Command::new(program)
    } else {
        let mut sudo = Command::new("sudo");
        sudo.arg(program);
        sudo
    }
}

/// Installs the missing packages with apt-get (through sudo when not root).
///
/// # Errors
/// When apt-get fails or a needed program is still missing afterwards.
pub fn ensure_system_packages() -> anyhow::Result<()> {
    let mut missing: Vec<&str> = PACKAGES.iter().copied().filter(|p| !installed(p)).collect();
    missing.extend(
        PROGRAMS
            .iter()
            .filter(|(program, _)| !on_path(program))
            .map(|(_, package)| *package),
    );
    if missing.is_empty() {
        return Ok(());
    }
    eprintln!("installing Debian packages: {}", missing.join(" "));
    let apt = |args: &[&str]| -> anyhow::Result<()> {
        let status = as_root("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .context("running apt-get")?;
        if !status.success() {
            bail!("apt-get {} failed", args.join(" "));
        }
        Ok(())
    };
    apt(&["update", "-qq"])?;
    let mut args = vec!["install", "-y", "-qq", "--no-install-recommends"];
    args.extend(missing);
    apt(&args)
}
