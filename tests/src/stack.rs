//! The stack of one scenario, started and stopped: a private pcscd with the vsmartcard reader
//! and the virtual cards, `myna-server` on a temporary SQLite database, the bridge (registered in
//! the browser's profile or installed from the Debian package), the extension, and the WebDriver
//! server with its browser; and what a scenario does to them (the cards, the reader's service,
//! the bridge) and reads from them (logs).

use std::{
    net::{TcpListener, TcpStream},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::OnceLock,
    time::{Duration, Instant},
};

use anyhow::{bail, Context as _};
use fantoccini::ClientBuilder;
use serde_json::{json, Value};
use virtual_card::{fixtures::Templates, pcscd::PrivatePcscd, vpcd::VpcdCard, CardKind};

use crate::*;

use crate::{
    packaged::{in_system_namespace, install_package},
    webdriver::InstallAddon,
};

/// What `cargo xtask e2e` built, named in `MYNA_E2E_*`.
pub(crate) struct Built {
    /// `myna-server`.
    pub(crate) server: PathBuf,
    bridge: PathBuf,
    dist: PathBuf,
    geckodriver: PathBuf,
}

pub(crate) fn built() -> anyhow::Result<Built> {
    let var = |name: &str| {
        std::env::var_os(name).map(PathBuf::from).with_context(|| {
            format!("{name} is not set: run the end-to-end tests with `cargo xtask e2e`")
        })
    };
    Ok(Built {
        server: var("MYNA_E2E_SERVER")?,
        bridge: var("MYNA_E2E_BRIDGE")?,
        dist: var("MYNA_E2E_DIST")?,
        geckodriver: var("MYNA_E2E_GECKODRIVER")?,
    })
}

/// axe-core's script, named by `MYNA_E2E_AXE` (`cargo xtask e2e` installs the pinned version);
/// without it no audit runs.
fn axe_script() -> anyhow::Result<Option<String>> {
    static AXE: OnceLock<Option<String>> = OnceLock::new();
    if let Some(found) = AXE.get() {
        return Ok(found.clone());
    }
    let found =
        match std::env::var_os("MYNA_E2E_AXE") {
            Some(path) => Some(std::fs::read_to_string(&path).with_context(|| {
                format!("reading axe-core at {}", PathBuf::from(path).display())
            })?),
            None => None,
        };
    Ok(AXE.get_or_init(|| found).clone())
}

fn templates() -> &'static Templates {
    static TEMPLATES: OnceLock<Templates> = OnceLock::new();
    TEMPLATES.get_or_init(|| Templates::new(PIN).expect("test cards"))
}

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn wait_for_port(port: u16, child: &mut Child, what: &str) -> anyhow::Result<()> {
    let give_up = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Some(status) = child.try_wait()? {
            bail!("{what} stopped with {status}");
        }
        if Instant::now() > give_up {
            bail!("{what} did not listen on port {port}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}

fn write_json(path: &Path, value: &Value) -> anyhow::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, serde_json::to_vec_pretty(value)?)
        .with_context(|| format!("writing {}", path.display()))
}

fn copy_dir(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

fn log_tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

impl Drop for Portal {
    fn drop(&mut self) {
        for child in [&mut self.driver, &mut self.server] {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The reader's service and the cards of a scenario, with the holder of each My Number Card.
struct Cards {
    pcscd: PrivatePcscd,
    card: Option<VpcdCard>,
    second_card: Option<VpcdCard>,
    /// Each My Number Card's user-authentication certificate and its holder.
    holders: Vec<(Vec<u8>, &'static str)>,
}

/// A private pcscd (with or without the vsmartcard readers), the My Number Card in reader 0 as
/// `options` shape it, and the second card in reader 1.
fn start_cards(root: &Path, options: &Options) -> anyhow::Result<Cards> {
    let pcscd = if options.reader {
        PrivatePcscd::start()?
    } else {
        PrivatePcscd::start_without_readers()?
    };
    let card_dir = templates().copy_card(CardKind::Jpki, &root.join("card"))?;
    if let Some(tries) = options.tries {
        card_dir.set_auth_pin_tries(tries)?;
    }
    if let Some(days) = options.certificate_expires_in_days {
        let ca = virtual_card::store::CaDir::open(&templates().ca_dir())?;
        let period = virtual_card::pki::Period {
            not_before: virtual_card::fixtures::VALID_FROM,
            not_after: virtual_card::pki::Period::from_now(days).not_after,
        };
        card_dir.reissue_auth_cert(&ca.auth, period, &virtual_card::pki::SerialShape::Random)?;
    }
    let certificate = card_dir.auth_cert()?;
    let card = if options.reader {
        Some(VpcdCard::start(card_dir, pcscd.vpcd_addr(0))?)
    } else {
        None
    };
    let mut holders = vec![(certificate, PERSON)];
    let second_card = if options.second_card && options.reader {
        let other = templates().another_person(&root.join("card2"))?;
        holders.push((other.auth_cert()?, OTHER_PERSON));
        Some(VpcdCard::start(other, pcscd.vpcd_addr(1))?)
    } else if options.other_card && options.reader {
        let other = templates().copy_card(CardKind::Other, &root.join("card2"))?;
        Some(VpcdCard::start(other, pcscd.vpcd_addr(1))?)
    } else {
        None
    };
    Ok(Cards {
        pcscd,
        card,
        second_card,
        holders,
    })
}

/// `myna-server` on a temporary SQLite database serving the built SPA, with each card's holder
/// linked through the registry feed; its process and origin.
fn start_server(
    built: &Built,
    root: &Path,
    options: &Options,
    holders: &[(Vec<u8>, &str)],
) -> anyhow::Result<(Child, String)> {
    let port = free_port()?;
    let origin = format!("http://127.0.0.1:{port}");
    let ca = templates().ca_dir().join("auth-ca.cert.pem");
    let mut settings: Vec<String> = vec![
        "--data-dir".into(),
        root.join("data").to_string_lossy().into_owned(),
        "--origin".into(),
        origin.clone(),
        "--listen".into(),
        format!("127.0.0.1:{port}"),
        "--trust-ca".into(),
        ca.to_string_lossy().into_owned(),
    ];
    if !options.rate_limits {
        settings.extend([
            "--rate-limit-ip".into(),
            "0".into(),
            "--rate-limit-certificate".into(),
            "0".into(),
        ]);
    }
    if let Some(seconds) = options.idle_timeout_secs {
        settings.extend([
            "--idle-timeout-secs".into(),
            seconds.to_string(),
            "--terminal-idle-timeout-secs".into(),
            seconds.to_string(),
        ]);
    }
    let link = |certificate: &[u8], person: &str| -> anyhow::Result<String> {
        let key = server::domain::certificate::certificate_key(certificate)
            .context("the card's certificate")?;
        let (issuer, serial) = key.rsplit_once('|').context("issuer|serial")?;
        Ok(format!("\"{issuer}\",{serial},{person}\n"))
    };
    let mut links = "issuer,serial,person_id\n".to_owned();
    for (certificate, person) in holders {
        links.push_str(&link(certificate, person)?);
    }
    let import = |feed: &str, name: &str, text: &str| -> anyhow::Result<()> {
        let file = root.join(name);
        std::fs::write(&file, text)?;
        let status = Command::new(&built.server)
            .args(&settings)
            .args(["import", feed])
            .arg(&file)
            .stdout(Stdio::null())
            .status()?;
        if !status.success() {
            bail!("importing {name} failed: {status}");
        }
        Ok(())
    };
    import("certificate-links", "links.csv", &links)?;
    if let Some(event) = options.card_event {
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        import(
            "card-events",
            "events.csv",
            &format!("person_id,event,occurred_at\n{PERSON},{event},{now}\n"),
        )?;
    }
    let mut server = Command::new(&built.server)
        .args(&settings)
        .arg("--static-dir")
        .arg(&built.dist)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(root.join("server.log"))?)
        .spawn()
        .context("starting the server")?;
    wait_for_port(port, &mut server, "the server")?;
    Ok((server, origin))
}

/// The extension, copied, with the portal's origin allowed for development (and the protocol
/// version a scenario asks for).
fn stage_extension(root: &Path, options: &Options, origin: &str) -> anyhow::Result<PathBuf> {
    let extension = root.join("extension");
    copy_dir(&crate_dir().join("../extension"), &extension)?;
    let allowed: Vec<&str> = if options.origin_allowed {
        vec![origin]
    } else {
        Vec::new()
    };
    let mut dev = json!({ "origins": allowed });
    if let Some(ms) = options.pin_timeout_ms {
        dev["pinTimeoutMs"] = json!(ms);
    }
    write_json(&extension.join("dev.json"), &dev)?;
    if let Some(protocol) = options.extension_protocol {
        std::fs::write(
            extension.join("config.js"),
            protocol::extension::config_js_speaking(
                &[protocol::extension::PLACEHOLDER_ORIGIN],
                protocol,
            ),
        )?;
    }
    Ok(extension)
}

/// Where the browser finds the bridge: its configuration, the package's installed tree (with
/// `Options::packaged_bridge`), and the home and profile that hold a per-user host manifest.
struct BridgeSetup {
    config: PathBuf,
    installed: Option<PathBuf>,
    home: PathBuf,
    profile: PathBuf,
}

/// The bridge: its configuration, a wrapper keeping its log, the host manifest (or the
/// installed package's).
fn stage_bridge(
    built: &Built,
    root: &Path,
    options: &Options,
    browser: Browser,
    origin: &str,
) -> anyhow::Result<BridgeSetup> {
    let config = root.join("bridge.json");
    write_json(
        &config,
        &json!({
            "developerOrigins": [origin],
            "allowedExtensions": [CHROMIUM_EXTENSION, FIREFOX_EXTENSION],
        }),
    )?;
    let installed = if options.packaged_bridge {
        Some(install_package(&built.bridge, root)?)
    } else {
        None
    };
    let wrapper = root.join("bridge.sh");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\necho $$ > '{}'\nexec '{}' \"$@\" 2>>'{}'\n",
            root.join("bridge.pid").display(),
            built.bridge.display(),
            root.join("bridge.log").display()
        ),
    )?;
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755))?;
    }
    let home = root.join("home");
    let profile = root.join("profile");
    std::fs::create_dir_all(&home)?;
    std::fs::create_dir_all(&profile)?;
    if options.bridge && installed.is_none() {
        let mut manifest = json!({
            "name": HOST_NAME,
            "description": "myna-portal bridge (end-to-end test)",
            "path": wrapper,
            "type": "stdio",
        });
        match browser {
            Browser::Chromium => {
                manifest["allowed_origins"] = json!([CHROMIUM_EXTENSION]);
                write_json(
                    &profile
                        .join("NativeMessagingHosts")
                        .join(format!("{HOST_NAME}.json")),
                    &manifest,
                )?;
            }
            Browser::Firefox => {
                manifest["allowed_extensions"] = json!([FIREFOX_EXTENSION]);
                write_json(
                    &home
                        .join(".mozilla")
                        .join("native-messaging-hosts")
                        .join(format!("{HOST_NAME}.json")),
                    &manifest,
                )?;
            }
        }
    }
    Ok(BridgeSetup {
        config,
        installed,
        home,
        profile,
    })
}

/// The WebDriver server and the browser, with the extension loaded; the bridge inherits their
/// environment (the reader's socket, the bridge's configuration).
async fn start_browser(
    built: &Built,
    root: &Path,
    browser: Browser,
    options: &Options,
    pcscd_socket: &Path,
    bridge: &BridgeSetup,
    extension: &Path,
) -> anyhow::Result<(Child, Client)> {
    let BridgeSetup {
        config,
        installed,
        home,
        profile,
    } = bridge;
    let driver_port = free_port()?;
    let driver_log = std::fs::File::create(root.join("driver.log"))?;
    let (driver_program, driver_args) = match browser {
        Browser::Chromium => (
            PathBuf::from("chromedriver"),
            vec![
                format!("--port={driver_port}"),
                "--enable-chrome-logs".into(),
            ],
        ),
        Browser::Firefox => (
            built.geckodriver.clone(),
            vec!["--port".into(), driver_port.to_string()],
        ),
    };
    let mut command = match &installed {
        None => {
            let mut command = Command::new(&driver_program);
            command.args(&driver_args).env("MYNA_BRIDGE_CONFIG", config);
            command
        }
        Some(installed) => in_system_namespace(installed, &driver_program, &driver_args)?,
    };
    let mut driver = command
        .env("HOME", home)
        .env("PCSCLITE_CSOCK_NAME", pcscd_socket)
        .env("MYNA_BRIDGE_LOG", "debug")
        .stdout(driver_log.try_clone()?)
        .stderr(driver_log)
        .spawn()
        .context("starting the WebDriver server")?;
    wait_for_port(driver_port, &mut driver, "the WebDriver server")?;
    let capabilities = match browser {
        Browser::Chromium => {
            let mut args = vec![
                "--headless=new".to_owned(),
                "--no-sandbox".into(),
                "--disable-gpu".into(),
                "--disable-quic".into(),
                "--no-first-run".into(),
                "--disable-background-networking".into(),
                "--disable-component-update".into(),
                "--disable-sync".into(),
                "--enable-logging=stderr".into(),
                "--window-size=1280,900".into(),
                format!("--user-data-dir={}", profile.display()),
            ];
            if let Some(agent) = options.user_agent {
                args.push(format!("--user-agent={agent}"));
            }
            if options.extension {
                args.push(format!("--load-extension={}", extension.display()));
                args.push(format!(
                    "--disable-extensions-except={}",
                    extension.display()
                ));
            }
            json!({ "goog:chromeOptions": {
                "binary": "/usr/lib/chromium/chromium",
                "args": args,
                // The PIN window is an extension page in a popup window.
                "enableExtensionTargets": true,
            }})
        }
        Browser::Firefox => {
            let mut prefs = json!({
                "devtools.console.stdout.content": true,
                "browser.shell.checkDefaultBrowser": false,
            });
            if let Some(agent) = options.user_agent {
                prefs["general.useragent.override"] = json!(agent);
            }
            json!({ "moz:firefoxOptions": {
                "args": ["-headless", "-profile", profile],
                "prefs": prefs,
            }})
        }
    };
    let capabilities = match capabilities {
        Value::Object(map) => map,
        _ => serde_json::Map::new(),
    };
    let client = ClientBuilder::rustls()?
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{driver_port}"))
        .await
        .context("opening the WebDriver session")?;
    if browser == Browser::Firefox && options.extension {
        client
            .issue_cmd(InstallAddon {
                path: extension.to_string_lossy().into_owned(),
            })
            .await
            .context("installing the add-on")?;
    }
    Ok((driver, client))
}

/// `<target>/e2e-screenshots/<browser>/<scenario>/`, emptied.
fn screenshot_dir(browser: Browser, scenario: &str) -> anyhow::Result<PathBuf> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| crate_dir().join("../target"), PathBuf::from);
    let shots = target
        .join("e2e-screenshots")
        .join(browser.name())
        .join(scenario);
    let _ = std::fs::remove_dir_all(&shots);
    std::fs::create_dir_all(&shots)?;
    Ok(shots)
}

impl Portal {
    /// Starts everything for `scenario` in `browser`, in the order the parts need each other:
    /// the reader and the cards, the server (with the cards' holders imported), the extension,
    /// the bridge, then the WebDriver server and the browser.
    ///
    /// # Errors
    /// When a part of the stack cannot be built, written or started (pcscd, the cards, the
    /// server, the feeds' import, the bridge's package, the WebDriver server, the browser).
    pub async fn start(browser: Browser, scenario: &str, options: Options) -> anyhow::Result<Self> {
        let built = built()?;
        let dir = tempfile::tempdir()?;
        let root = dir.path().to_path_buf();
        let cards = start_cards(&root, &options)?;
        let (server, origin) = start_server(&built, &root, &options, &cards.holders)?;
        let extension = stage_extension(&root, &options, &origin)?;
        let bridge = stage_bridge(&built, &root, &options, browser, &origin)?;
        let (driver, client) = start_browser(
            &built,
            &root,
            browser,
            &options,
            cards.pcscd.socket(),
            &bridge,
            &extension,
        )
        .await?;
        let shots = screenshot_dir(browser, scenario)?;
        let mut portal = Self {
            dir,
            _pcscd: cards.pcscd,
            card: cards.card,
            second_card: cards.second_card,
            server,
            driver,
            origin,
            client,
            browser,
            main_window: None,
            frame: (0, 0),
            shots,
            shot: 0,
            axe: axe_script()?,
        };
        portal.main_window = Some(portal.client.window().await?);
        Ok(portal)
    }

    /// Runs `scenario` and ends the session; on failure, prints the logs and fails the test.
    pub async fn run<F>(mut self, scenario: F)
    where
        F: for<'a> AsyncFnOnce(&'a mut Portal) -> anyhow::Result<()>,
    {
        let outcome = scenario(&mut self).await;
        if let Err(error) = &outcome {
            let _ = self.screenshot("failure").await;
            let root = self.dir.path();
            eprintln!(
                "\n--- {:?}: {error:#}\n--- page text:\n{}\n--- server log:\n{}\n--- bridge log:\n{}\n--- driver and browser log:\n{}\n",
                self.browser,
                self.page_text().await.unwrap_or_default(),
                log_tail(&root.join("server.log"), 40),
                log_tail(&root.join("bridge.log"), 40),
                log_tail(&root.join("driver.log"), 60),
            );
        }
        let _ = self.client.clone().close().await;
        if let Err(error) = outcome {
            panic!("{:?}: {error:#}", self.browser);
        }
    }
}
