//! `cargo xtask run`: the portal on this machine: the server on an embedded SQLite database at
//! `http://127.0.0.1:8080` serving the release SPA and trusting the development CA, the development card linked to a person,
//! the bridge registered with the browsers for development, and a virtual My Number Card served
//! on the machine's pcscd through the vsmartcard reader.

use std::{
    ffi::OsString,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{bail, Context as _};

use crate::{setup, sh};

/// Where Debian's vsmartcard-vpcd configures the virtual reader (`/etc/reader.conf.d/vpcd`).
const VPCD_ADDR: &str = "127.0.0.1:35963";
/// The system pcscd's socket.
const PCSCD_SOCKET: &str = "/run/pcscd/pcscd.comm";
/// The add-on id of the Firefox extension (`extension/manifest.json`).
const FIREFOX_EXTENSION_ID: &str = "helper@myna-portal.example";
/// The Chromium origin of the extension, fixed by the manifest's `key` (checked by
/// `tests/tests/manifest.rs`).
const CHROMIUM_EXTENSION_ID: &str = "chrome-extension://cfkhnepmoeapbbamnggmagdjkgjgfccf/";
/// The development origins of the SPA (`trunk serve` and the server).
const DEV_ORIGINS: [&str; 2] = ["http://127.0.0.1:8080", "http://localhost:8080"];

pub fn data_dir() -> PathBuf {
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from);
    home.join(".local")
        .join("share")
        .join("myna-portal")
        .join("dev")
}

/// The machine's pcscd, or one started here (in the foreground, as a child) for as long as this
/// command runs when none is running.
fn ensure_pcscd() -> anyhow::Result<Option<Child>> {
    if Path::new(PCSCD_SOCKET).exists() {
        return Ok(None);
    }
    eprintln!("no pcscd is running: starting one for this session");
    let child = setup::as_root("pcscd")
        .arg("--foreground")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .context("starting pcscd")?;
    let give_up = Instant::now() + Duration::from_secs(5);
    while !Path::new(PCSCD_SOCKET).exists() {
        if Instant::now() > give_up {
            bail!("pcscd did not create {PCSCD_SOCKET}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(Some(child))
}

/// The server's origin in development.
const SERVER_ORIGIN: &str = "http://127.0.0.1:8080";
/// The registry's id for the development card's holder.
const DEV_PERSON: &str = "dev-person";

/// Links `card`'s certificate to `person` through the registry feed: the import command of
/// `server`, run with `settings` (the same as the server's), from a CSV written in `scratch`.
///
/// # Errors
/// When the card's certificate cannot be read or the import fails.
pub fn link_card(
    server: &Path,
    settings: &[OsString],
    card: &Path,
    person: &str,
    scratch: &Path,
) -> anyhow::Result<()> {
    let cert = card.join("auth.cert.pem");
    let field = |flag: &str| -> anyhow::Result<String> {
        let output = Command::new("openssl")
            .args(["x509", "-noout", flag, "-nameopt", "RFC2253", "-in"])
            .arg(&cert)
            .output()
            .context("running openssl")?;
        let text = String::from_utf8_lossy(&output.stdout);
        Ok(text
            .trim()
            .split_once('=')
            .map_or("", |(_, value)| value)
            .to_owned())
    };
    let links = scratch.join("links.csv");
    std::fs::write(
        &links,
        format!(
            "issuer,serial,person_id\n\"{}\",{},{person}\n",
            field("-issuer")?,
            field("-serial")?
        ),
    )
    .context("writing the link")?;
    let status = Command::new(server)
        .args(settings)
        .args(["import", "certificate-links"])
        .arg(&links)
        .status()
        .context("importing the link")?;
    if !status.success() {
        bail!("importing the link of {} failed", card.display());
    }
    Ok(())
}

/// Links the development card to [`DEV_PERSON`] and starts the server on SQLite under
/// `data/data`.
fn start_server(release: &Path, data: &Path, card: &Path, dist: &Path) -> anyhow::Result<Child> {
    let server = release.join("myna-server");
    let settings: Vec<OsString> = vec![
        "--data-dir".into(),
        data.join("data").into(),
        "--origin".into(),
        SERVER_ORIGIN.into(),
        "--listen".into(),
        "127.0.0.1:8080".into(),
        "--trust-ca".into(),
        data.join("ca").join("auth-ca.cert.pem").into(),
    ];
    link_card(&server, &settings, card, DEV_PERSON, data)?;
    Command::new(&server)
        .args(&settings)
        .arg("--static-dir")
        .arg(dist)
        .stdout(Stdio::null())
        .spawn()
        .context("starting the server")
}

/// With a display, opens Chromium on the portal with the extension loaded, in a profile of its
/// own where `myna-bridge install --user-data-dir` registered the bridge (Chromium reads a
/// custom profile's host manifests from the profile itself).
fn open_chromium(data: &Path, extension: &Path) -> anyhow::Result<Option<Child>> {
    let display =
        std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some();
    let Some(chromium) = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|program| crate::setup::on_path(program))
    else {
        return Ok(None);
    };
    if !display {
        return Ok(None);
    }
    let profile = chromium_profile(data);
    let child = Command::new(chromium)
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--load-extension={}", extension.display()))
        .arg("--no-first-run")
        .arg(format!("{SERVER_ORIGIN}/"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("starting Chromium")?;
    println!("Chromium opened on {SERVER_ORIGIN}/ with the extension loaded.");
    Ok(Some(child))
}

/// Builds, installs and serves; returns when the card is stopped (`quit` or Ctrl-C).
///
/// # Errors
/// When a part cannot be built or started.
pub fn run(root: &Path) -> anyhow::Result<()> {
    setup::ensure_system_packages()?;
    let release = crate::build_release(&["bridge", "virtual-card", "server"])?;
    let data = data_dir();
    let card = data.join("card");
    if !card.join("state.json").exists() {
        let card_arg = card.to_string_lossy().into_owned();
        let ca_arg = data.join("ca").to_string_lossy().into_owned();
        let virtual_card = release.join("virtual-card").to_string_lossy().into_owned();
        sh(
            &virtual_card,
            &["new", "--out", &card_arg, "--ca", &ca_arg, "--pin", "1234"],
        )?;
    }
    // The bridge is copied out of the build directory so that its configuration, written beside
    // it, survives `cargo clean`.
    let bin = data.join("bin");
    std::fs::create_dir_all(&bin).context("creating the bin directory")?;
    let bridge = bin.join("myna-bridge");
    std::fs::copy(release.join("myna-bridge"), &bridge).context("copying the bridge")?;
    let bridge_text = bridge.to_string_lossy().into_owned();
    let mut args = vec![
        "install",
        "--extension",
        FIREFOX_EXTENSION_ID,
        "--extension",
        CHROMIUM_EXTENSION_ID,
    ];
    for origin in DEV_ORIGINS {
        args.extend(["--developer-origin", origin]);
    }
    // The default profiles, and the profile of its own that `open_chromium` starts.
    let profile = chromium_profile(&data).to_string_lossy().into_owned();
    args.extend(["--user-data-dir", &profile]);
    sh(&bridge_text, &args)?;
    // The extension as it is loaded unpacked, with the development origins allowed.
    let extension = root.join("extension");
    std::fs::write(
        extension.join("dev.json"),
        format!(
            "{{ \"origins\": [{}] }}\n",
            DEV_ORIGINS.map(|o| format!("\"{o}\"")).join(", ")
        ),
    )
    .context("writing extension/dev.json")?;
    let dist = crate::web::build_spa(root)?;
    let mut server = start_server(&release, &data, &card, &dist)?;
    let mut pcscd = ensure_pcscd()?;
    let mut browser = open_chromium(&data, &extension)?;
    let ext = extension.display();
    println!(
        "\nThe portal is ready:\n\
         - bridge: {bridge_text}\n\
           \x20\x20registered for Chrome, Chromium, Edge and Firefox\n\
         - the extension: load {ext} unpacked\n\
           \x20\x20(Chromium, Chrome, Edge: chrome://extensions, developer mode, \"Load unpacked\";\n\
           \x20\x20Firefox: about:debugging#/runtime/this-firefox, \"Load Temporary Add-on\", its manifest.json)\n\
         - development origins allowed: {}\n\
         - virtual My Number Card: {} (PIN 1234, signing password ABC123)\n\
         - server: {SERVER_ORIGIN} (API under /api/v1, OpenAPI at /api/v1/openapi.json), data in {}\n\
           \x20\x20the SPA at {SERVER_ORIGIN}/; the card is linked to the person {DEV_PERSON}\n\
         Type remove, insert, hang, garbage, normal or quit below to act on the card.\n",
        DEV_ORIGINS.join(", "),
        card.display(),
        data.join("data").display(),
    );
    let virtual_card = release.join("virtual-card");
    let status = Command::new(virtual_card)
        .args(["serve", "--card"])
        .arg(&card)
        .args(["--vpcd", VPCD_ADDR])
        .status()
        .context("starting the virtual card");
    for child in [pcscd.as_mut(), Some(&mut server), browser.as_mut()]
        .into_iter()
        .flatten()
    {
        let _ = child.kill();
        let _ = child.wait();
    }
    let status = status?;
    if !status.success() {
        bail!("the virtual card stopped with {status}");
    }
    Ok(())
}

/// The Chromium profile `cargo xtask run` opens (`--user-data-dir`).
fn chromium_profile(data: &Path) -> PathBuf {
    data.join("chromium")
}
