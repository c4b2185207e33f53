//! The end-to-end harness: everything real, one portal per scenario.
//!
//! A private pcscd with the vsmartcard reader and a virtual My Number Card; `myna-server` on a
//! temporary SQLite database serving the built SPA; the bridge registered in the browser's
//! temporary profile (behind a wrapper that keeps its log); the extension loaded unpacked with a
//! `dev.json` naming the portal's origin; and headless Chromium or Firefox driven through
//! chromedriver or geckodriver with fantoccini. `cargo xtask e2e` (and `cargo xtask test`) build
//! the parts and name them in `MYNA_E2E_*`.
//!
//! A scenario returns `anyhow::Result`; on failure the harness prints the server's, the bridge's
//! and the driver's logs (the browser's console goes to the driver's log) and saves a screenshot.
//! Screenshots of every step go to `<target>/e2e-screenshots/<browser>/<scenario>/`.

use std::{
    net::{TcpListener, TcpStream},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::OnceLock,
    time::{Duration, Instant},
};

pub mod leaflet;

use anyhow::{bail, Context as _};
use fantoccini::{wd::WindowHandle, Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use virtual_card::{fixtures::Templates, pcscd::PrivatePcscd, vpcd::VpcdCard, CardKind};

/// The virtual card's PIN (digits that appear nowhere else on the pages).
pub const PIN: &str = "4826";
/// The card holder in the registry feed.
pub const PERSON: &str = "e2e-person";
/// The holder of the second card (reader 1), when there is one.
pub const OTHER_PERSON: &str = "e2e-other-person";
/// The extension's Chromium ID, fixed by the manifest's `key`.
pub const CHROMIUM_EXTENSION: &str = "chrome-extension://cfkhnepmoeapbbamnggmagdjkgjgfccf/";
/// The extension's Firefox add-on ID (`browser_specific_settings.gecko.id`).
pub const FIREFOX_EXTENSION: &str = "helper@myna-portal.example";
/// The bridge's native-messaging name.
pub const HOST_NAME: &str = "jp.myna.bridge";

/// Which browser drives the scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Browser {
    /// Debian's Chromium through chromedriver.
    Chromium,
    /// Firefox ESR through geckodriver.
    Firefox,
}

impl Browser {
    fn name(self) -> &'static str {
        match self {
            Self::Chromium => "chromium",
            Self::Firefox => "firefox",
        }
    }
}

/// What the scenario needs to differ from a working set-up.
#[derive(Debug, Clone)]
pub struct Options {
    /// A reader (vpcd) at all.
    pub reader: bool,
    /// The card's PIN tries left (3 when `None`).
    pub tries: Option<u8>,
    /// The extension loaded.
    pub extension: bool,
    /// The bridge registered with the browser.
    pub bridge: bool,
    /// The PIN window's timeout.
    pub pin_timeout_ms: Option<u64>,
    /// The server's idle timeouts (a PC's and a terminal's).
    pub idle_timeout_secs: Option<u64>,
    /// A card event (docs/flows.md F3, `docs/feeds.md`) of the holder, happened just now.
    pub card_event: Option<&'static str>,
    /// A second person's card in reader 1.
    pub second_card: bool,
    /// A card without the JPKI application in reader 1 (a security key, a SIM slot: a reader
    /// that always holds a card).
    pub other_card: bool,
    /// The portal's origin in the extension's development origins (`dev.json`).
    pub origin_allowed: bool,
    /// The protocol version the extension speaks, when not the bridge's (a newer extension
    /// meeting an older bridge).
    pub extension_protocol: Option<u32>,
    /// The server's rate limits (off for the benchmark's many logins).
    pub rate_limits: bool,
    /// The card's user-authentication certificate expires this many days from now (else in
    /// five years).
    pub certificate_expires_in_days: Option<u64>,
    /// The bridge as its Debian package installs it (built from the bridge under test with
    /// `myna-bridge package --deb`, installed by `dpkg` into a root of the scenario's own, run
    /// with the configuration the package put beside it) instead of the bare binary, found by
    /// the browser through the package's system-wide host manifests: the WebDriver server and
    /// its browser run in a mount namespace of their own where the installed root lies over
    /// `/usr/lib` and `/etc/chromium` (overlayfs), so the machine itself is left unchanged; no
    /// per-user manifest is written.
    pub packaged_bridge: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            reader: true,
            tries: None,
            extension: true,
            bridge: true,
            pin_timeout_ms: None,
            idle_timeout_secs: None,
            card_event: None,
            second_card: false,
            other_card: false,
            origin_allowed: true,
            extension_protocol: None,
            rate_limits: true,
            certificate_expires_in_days: None,
            packaged_bridge: false,
        }
    }
}

/// `program args…` in a mount namespace of its own where the package's tree `installed` lies over
/// the system's `/usr/lib` and `/etc/chromium` (read-only overlays), so that a browser started
/// there finds the package's system-wide host manifests and executable where the package puts
/// them, and the machine is left as it was. Root maps to itself; another user becomes root of
/// a user namespace of its own (where the kernel allows unprivileged overlays).
fn in_system_namespace(
    installed: &Path,
    program: &Path,
    args: &[String],
) -> anyhow::Result<Command> {
    let mut overlays = String::new();
    for dir in ["/usr/lib", "/etc/chromium"] {
        let upper = installed.join(dir.trim_start_matches('/'));
        anyhow::ensure!(
            upper.is_dir() && Path::new(dir).is_dir(),
            "{dir} is missing in the package or on this machine"
        );
        overlays.push_str(&format!(
            "mount -t overlay overlay -o 'lowerdir={}:{dir}' '{dir}' && ",
            upper.display()
        ));
    }
    let mut command = Command::new("unshare");
    // `/proc/self` belongs to the process's effective user.
    let root = std::fs::metadata("/proc/self").is_ok_and(|m| {
        use std::os::unix::fs::MetadataExt as _;
        m.uid() == 0
    });
    if !root {
        command.args(["--user", "--map-root-user"]);
    }
    command
        .args(["--mount", "--propagation", "private", "sh", "-c"])
        .arg(format!("{overlays}exec \"$@\""))
        .arg("sh")
        .arg(program)
        .args(args);
    Ok(command)
}

/// Builds the bridge's Debian package from `bridge` (for this test's extensions) and installs it
/// with `dpkg` into `root/installed`; returns the installed tree.
fn install_package(bridge: &Path, root: &Path) -> anyhow::Result<PathBuf> {
    let deb = root.join("myna-bridge.deb");
    let run = |command: &mut Command| -> anyhow::Result<()> {
        let output = command.output()?;
        anyhow::ensure!(
            output.status.success(),
            "{command:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        Ok(())
    };
    run(Command::new(bridge)
        .arg("package")
        .arg("--root")
        .arg(root.join("package"))
        .arg("--deb")
        .arg(&deb)
        .args([
            "--extension",
            CHROMIUM_EXTENSION,
            "--extension",
            FIREFOX_EXTENSION,
        ])
        .args(["--origin", "https://myna.example"]))?;
    let installed = root.join("installed");
    for sub in [
        "var/lib/dpkg/info",
        "var/lib/dpkg/updates",
        "var/lib/dpkg/triggers",
    ] {
        std::fs::create_dir_all(installed.join(sub))?;
    }
    std::fs::write(installed.join("var/lib/dpkg/status"), "")?;
    run(Command::new("dpkg")
        .arg(format!("--root={}", installed.display()))
        .arg(format!("--log={}", root.join("dpkg.log").display()))
        .args(["--force-depends", "--force-not-root", "--install"])
        .arg(&deb))?;
    Ok(installed)
}

struct Built {
    server: PathBuf,
    bridge: PathBuf,
    dist: PathBuf,
    geckodriver: PathBuf,
}

fn built() -> anyhow::Result<Built> {
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

/// `POST /session/{id}/moz/addon/install`: geckodriver's command for an unpacked add-on.
#[derive(Debug)]
struct InstallAddon {
    path: String,
}

impl fantoccini::wd::WebDriverCompatibleCommand for InstallAddon {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/moz/addon/install",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({ "path": self.path, "temporary": true }).to_string()),
        )
    }
}

/// One portal, its card and one browser.
pub struct Portal {
    /// Everything of this scenario lives here.
    pub dir: tempfile::TempDir,
    _pcscd: PrivatePcscd,
    /// The virtual card in reader 0 (none without a reader).
    pub card: Option<VpcdCard>,
    /// The second person's card in reader 1, with `Options::second_card`; the other card, with
    /// `Options::other_card`.
    pub second_card: Option<VpcdCard>,
    server: Child,
    driver: Child,
    /// The portal's origin (the server serves the SPA there).
    pub origin: String,
    /// The WebDriver session.
    pub client: Client,
    /// Which browser.
    pub browser: Browser,
    main_window: Option<WindowHandle>,
    /// The window's frame around the page's viewport (CSS pixels), once [`Self::viewport`]
    /// has seen it.
    frame: (u32, u32),
    shots: PathBuf,
    shot: u32,
    /// axe-core's script (`MYNA_E2E_AXE`), run on every screen a screenshot shows.
    axe: Option<String>,
}

/// The phone the screens must fit (CSS pixels): an iPhone 12–15 and most Androids are 390 wide;
/// 360 is the narrowest in common use, 430 the widest.
pub const PHONE: (u32, u32) = (390, 844);

/// The terminal's screens: a portrait 1080×1920 and a landscape 1280×800 kiosk.
pub const TERMINAL_SCREENS: [(u32, u32); 2] = [(1080, 1920), (1280, 800)];

/// The narrowest and widest phones in common use, checked besides [`PHONE`] (not shot).
pub const PHONE_WIDTHS: [u32; 2] = [360, 430];

/// Checks the page at its current size: no sideways scroll, and every control (buttons, fields,
/// the labels of checkboxes and radio buttons) at least 44 × 44 CSS pixels and inside the screen
/// (WCAG 2.5.5; inline links in a sentence are exempt); on a terminal (`arguments[0]`) no
/// scrolling down either: a kiosk has no scroll wheel and a citizen must see every step whole.
/// Returns what is wrong.
const FIT_CHECK: &str = r#"
const problems = [];
const root = document.documentElement;
if (root.scrollWidth > root.clientWidth + 1) {
  problems.push('the page scrolls sideways: ' + root.scrollWidth + ' px wide in ' + root.clientWidth);
}
if (arguments[0] && root.scrollHeight > root.clientHeight + 1) {
  problems.push('the page scrolls down: ' + root.scrollHeight + ' px high in ' + root.clientHeight);
}
const controls = 'button, a.button, input:not([type=checkbox]):not([type=radio]):not([type=hidden]), select, label.checkbox, label.confirm, label.result';
for (const el of document.querySelectorAll(controls)) {
  const r = el.getBoundingClientRect();
  if (r.width === 0 && r.height === 0) continue;
  const name = el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ').join('.') : '')
    + ' "' + (el.textContent || el.value || '').trim().slice(0, 24) + '"';
  if (r.height < 44 || r.width < 44) problems.push(name + ' is ' + Math.round(r.width) + '×' + Math.round(r.height) + ' px');
  if (r.right > root.clientWidth + 1 || r.left < -1) problems.push(name + ' leaves the screen');
}
return problems;
"#;

/// Runs axe-core on the page (after its script) and returns its serious and critical
/// violations of WCAG 2.x A and AA, each with up to three of its elements.
const AXE_RUN: &str = r#"
;const done = arguments[arguments.length - 1];
axe.run(document, {
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
  resultTypes: ['violations'],
}).then(r => done(r.violations
  .filter(v => v.impact === 'serious' || v.impact === 'critical')
  .map(v => v.id + ' (' + v.impact + '): ' + v.help + ' at '
    + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))))
  .catch(e => done(['axe-core could not run: ' + e]));
"#;

impl Portal {
    /// Starts everything for `scenario` in `browser`.
    pub async fn start(browser: Browser, scenario: &str, options: Options) -> anyhow::Result<Self> {
        let built = built()?;
        let dir = tempfile::tempdir()?;
        let root = dir.path().to_path_buf();
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
            card_dir.reissue_auth_cert(
                &ca.auth,
                period,
                &virtual_card::pki::SerialShape::Random,
            )?;
        }
        let certificate = card_dir.auth_cert()?;
        let card = if options.reader {
            Some(VpcdCard::start(card_dir, pcscd.vpcd_addr(0))?)
        } else {
            None
        };

        // The server, its card holder linked through the registry feed.
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
        let mut links = format!("issuer,serial,person_id\n{}", link(&certificate, PERSON)?);
        let second_card = if options.second_card && options.reader {
            let other = templates().another_person(&root.join("card2"))?;
            links.push_str(&link(&other.auth_cert()?, OTHER_PERSON)?);
            Some(VpcdCard::start(other, pcscd.vpcd_addr(1))?)
        } else if options.other_card && options.reader {
            let other = templates().copy_card(CardKind::Other, &root.join("card2"))?;
            Some(VpcdCard::start(other, pcscd.vpcd_addr(1))?)
        } else {
            None
        };
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

        // The extension, with the portal's origin allowed for development.
        let extension = root.join("extension");
        copy_dir(&crate_dir().join("../extension"), &extension)?;
        let allowed: Vec<&str> = if options.origin_allowed {
            vec![origin.as_str()]
        } else {
            Vec::new()
        };
        let mut dev = json!({ "origins": allowed });
        if let Some(ms) = options.pin_timeout_ms {
            dev["pinTimeoutMs"] = json!(ms);
        }
        write_json(&extension.join("dev.json"), &dev)?;
        if let Some(protocol) = options.extension_protocol {
            let config = extension.join("config.js");
            let text = std::fs::read_to_string(&config)?;
            let current = format!("PROTOCOL: {},", protocol::PROTOCOL_VERSION);
            anyhow::ensure!(text.contains(&current), "config.js has no {current}");
            std::fs::write(
                &config,
                text.replace(&current, &format!("PROTOCOL: {protocol},")),
            )?;
        }

        // The bridge: its configuration, a wrapper keeping its log, the host manifest.
        let config = root.join("bridge.json");
        write_json(
            &config,
            &json!({
                "developerOrigins": [origin],
                "allowedExtensions": [CHROMIUM_EXTENSION, FIREFOX_EXTENSION],
            }),
        )?;
        let installed = if options.packaged_bridge {
            Some(install_package(&built.bridge, &root)?)
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

        // The driver and the browser; the bridge inherits their environment.
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
                command
                    .args(&driver_args)
                    .env("MYNA_BRIDGE_CONFIG", &config);
                command
            }
            Some(installed) => in_system_namespace(installed, &driver_program, &driver_args)?,
        };
        let mut driver = command
            .env("HOME", &home)
            .env("PCSCLITE_CSOCK_NAME", pcscd.socket())
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
            Browser::Firefox => json!({ "moz:firefoxOptions": {
                "args": ["-headless", "-profile", profile],
                "prefs": {
                    "devtools.console.stdout.content": true,
                    "browser.shell.checkDefaultBrowser": false,
                },
            }}),
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
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map_or_else(|| crate_dir().join("../target"), PathBuf::from);
        let shots = target
            .join("e2e-screenshots")
            .join(browser.name())
            .join(scenario);
        let _ = std::fs::remove_dir_all(&shots);
        std::fs::create_dir_all(&shots)?;
        let mut portal = Self {
            dir,
            _pcscd: pcscd,
            card,
            second_card,
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

    /// Saves a screenshot of the current window as the next step, after checking that every
    /// element marked `hidden` is really not displayed (a CSS `display` rule beats the
    /// attribute unless the style sheet says otherwise).
    pub async fn screenshot(&mut self, step: &str) -> anyhow::Result<()> {
        // The leaflet's sentences of this screen, when the page is in Japanese (`leaflet.rs`).
        let page = self
            .client
            .execute(
                "return [document.documentElement.lang, document.body.classList.contains('kiosk')]",
                Vec::new(),
            )
            .await?;
        let terminal = page.get(1).and_then(Value::as_bool).unwrap_or(false);
        if let Some(sentences) = leaflet::sentences(step, terminal) {
            if page.get(0).and_then(Value::as_str) == Some("ja") {
                for sentence in sentences {
                    self.see(sentence)
                        .await
                        .with_context(|| format!("at {step}: the leaflet's words"))?;
                }
            }
        }
        if step != "failure" {
            let shown = self
                .client
                .execute(
                    "return [...document.querySelectorAll('[hidden]')]\
                     .filter(e => getComputedStyle(e).display !== 'none')\
                     .map(e => e.outerHTML.slice(0, 160));",
                    Vec::new(),
                )
                .await?;
            if shown.as_array().is_some_and(|a| !a.is_empty()) {
                bail!("at {step}: elements marked hidden are displayed: {shown}");
            }
        }
        self.shot += 1;
        let png = self.client.screenshot().await?;
        std::fs::write(self.shots.join(format!("{:02}-{step}.png", self.shot)), png)?;
        if step == "failure" {
            return Ok(());
        }
        // axe-core when the run names it (`cargo xtask e2e` always does; the benchmark does not).
        if let Some(axe) = &self.axe {
            let mut script = axe.clone();
            script.push_str(AXE_RUN);
            let found = self.client.execute_async(&script, Vec::new()).await?;
            if found.as_array().is_some_and(|a| !a.is_empty()) {
                bail!("at {step}: axe-core finds serious or critical violations: {found}");
            }
        }
        self.at_other_sizes(step).await
    }

    /// Sizes the window so that the page's viewport is `width` × `height` CSS pixels (the
    /// window's own frame, if the browser draws one, is added), then lets the page lay out;
    /// returns the viewport's width reached (headless Firefox keeps at least 500 px).
    async fn viewport(&mut self, width: u32, height: u32) -> anyhow::Result<u64> {
        let inner = || async {
            let inner = self
                .client
                .execute("return [window.innerWidth, window.innerHeight]", Vec::new())
                .await?;
            let read = |i: usize| {
                inner
                    .get(i)
                    .and_then(Value::as_u64)
                    .and_then(|v| u32::try_from(v).ok())
                    .unwrap_or(0)
            };
            anyhow::Ok((read(0), read(1)))
        };
        let (frame_w, frame_h) = self.frame;
        self.client
            .set_window_size(width + frame_w, height + frame_h)
            .await?;
        tokio::time::sleep(Duration::from_millis(150)).await;
        let (w, h) = inner().await?;
        // The frame found once (the viewport came out smaller than asked) is kept for the run.
        let (more_w, more_h) = (width.saturating_sub(w), height.saturating_sub(h));
        if more_w == 0 && more_h == 0 {
            return Ok(u64::from(w));
        }
        self.frame = (frame_w + more_w, frame_h + more_h);
        self.client
            .set_window_size(width + self.frame.0, height + self.frame.1)
            .await?;
        tokio::time::sleep(Duration::from_millis(250)).await;
        Ok(u64::from(inner().await?.0))
    }

    /// The screen again at the other sizes it must serve, each saved beside the PC one: a
    /// phone (checked: no sideways scroll, 44-px targets) for the PC pages, the terminal's two
    /// screens for the terminal's pages. The window is put back afterwards.
    async fn at_other_sizes(&mut self, step: &str) -> anyhow::Result<()> {
        let kiosk = self
            .client
            .execute(
                "return document.body.classList.contains('kiosk')",
                Vec::new(),
            )
            .await?
            .as_bool()
            .unwrap_or(false);
        let (_, _, width, height) = self.client.get_window_rect().await?;
        let sizes: Vec<(u32, u32, &str)> = if kiosk {
            TERMINAL_SCREENS
                .iter()
                .map(|&(w, h)| (w, h, if w < h { "portrait" } else { "landscape" }))
                .collect()
        } else {
            vec![(PHONE.0, PHONE.1, "phone")]
        };
        let mut problems = Vec::new();
        for (w, h, name) in sizes {
            let reached = self.viewport(w, h).await?;
            let found = self.client.execute(FIT_CHECK, vec![kiosk.into()]).await?;
            if let Some(found) = found.as_array().filter(|a| !a.is_empty()) {
                problems.push(format!(
                    "at {name} ({reached} px wide, {h} high): {found:?}"
                ));
            }
            // The file says the width the browser reached when it is not the phone's.
            let suffix = if kiosk || u64::from(w) == reached {
                name.to_owned()
            } else {
                format!("{name}-{reached}px")
            };
            let png = self.client.screenshot().await?;
            std::fs::write(
                self.shots
                    .join(format!("{:02}-{step}-{suffix}.png", self.shot)),
                png,
            )?;
            if kiosk {
                continue;
            }
            // The other phones' widths: checked, not shot (a browser that stops above them,
            // headless Firefox at 500, checks what it reached once).
            for other in PHONE_WIDTHS {
                let at = self.viewport(other, PHONE.1).await?;
                if at == reached {
                    continue;
                }
                let found = self.client.execute(FIT_CHECK, vec![false.into()]).await?;
                if let Some(found) = found.as_array().filter(|a| !a.is_empty()) {
                    problems.push(format!("on a phone {at} px wide: {found:?}"));
                }
            }
        }
        self.client
            .set_window_size(
                u32::try_from(width).unwrap_or(1280),
                u32::try_from(height).unwrap_or(900),
            )
            .await?;
        tokio::time::sleep(Duration::from_millis(200)).await;
        if !problems.is_empty() {
            bail!("at {step}: {}", problems.join("; "));
        }
        Ok(())
    }

    /// Opens `path` of the portal.
    pub async fn open(&mut self, path: &str) -> anyhow::Result<()> {
        self.client.goto(&format!("{}{path}", self.origin)).await?;
        Ok(())
    }

    /// The visible text of the page.
    pub async fn page_text(&self) -> anyhow::Result<String> {
        let value = self
            .client
            .execute(
                "return document.body ? document.body.innerText : ''",
                vec![],
            )
            .await?;
        Ok(value.as_str().unwrap_or_default().to_owned())
    }

    /// The whole DOM of the page, as HTML.
    pub async fn page_html(&self) -> anyhow::Result<String> {
        let value = self
            .client
            .execute("return document.documentElement.outerHTML", vec![])
            .await?;
        Ok(value.as_str().unwrap_or_default().to_owned())
    }

    /// Waits until the page's text contains `words`.
    pub async fn see(&self, words: &str) -> anyhow::Result<()> {
        let give_up = Instant::now() + Duration::from_secs(20);
        loop {
            let text = self.page_text().await?;
            if text.contains(words) {
                return Ok(());
            }
            if Instant::now() > give_up {
                bail!("waited for {words:?}; the page says:\n{text}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until `selector` exists and is enabled, then clicks it.
    pub async fn press(&self, selector: &str) -> anyhow::Result<()> {
        let give_up = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(element) = self.client.find(Locator::Css(selector)).await {
                if element.is_enabled().await.unwrap_or(false) {
                    element.click().await?;
                    return Ok(());
                }
            }
            if Instant::now() > give_up {
                bail!("no enabled {selector}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the card step has found the state `code` (`READY`, `NO_READER`, …).
    pub async fn readiness(&self, code: &str) -> anyhow::Result<()> {
        let selector = format!("[data-readiness='{code}']");
        let give_up = Instant::now() + Duration::from_secs(20);
        while self.client.find(Locator::Css(&selector)).await.is_err() {
            if Instant::now() > give_up {
                bail!(
                    "the card step never said {code}; the page says:\n{}",
                    self.page_text().await?
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(())
    }

    /// Waits for the extension's PIN window and makes it the current window.
    pub async fn pin_window(&mut self) -> anyhow::Result<()> {
        let main = self.main_window.clone().context("no main window")?;
        let give_up = Instant::now() + Duration::from_secs(20);
        loop {
            let windows = self.client.windows().await?;
            if std::env::var_os("MYNA_E2E_DEBUG").is_some() {
                eprintln!("windows: {windows:?}");
            }
            for window in windows {
                if window == main {
                    continue;
                }
                if let Err(error) = self.client.switch_to_window(window.clone()).await {
                    if std::env::var_os("MYNA_E2E_DEBUG").is_some() {
                        eprintln!("cannot switch: {error}");
                    }
                    continue;
                }
                let url = self.client.current_url().await.map(|u| u.to_string());
                if std::env::var_os("MYNA_E2E_DEBUG").is_some() {
                    eprintln!("window {window:?}: {url:?}");
                }
                if url.is_ok_and(|u| u.contains("/pin.html")) {
                    let give_up = Instant::now() + Duration::from_secs(10);
                    while self.client.find(Locator::Css("#pin")).await.is_err() {
                        if Instant::now() > give_up {
                            bail!("the PIN window has no PIN field");
                        }
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    return Ok(());
                }
            }
            self.client.switch_to_window(main.clone()).await?;
            if Instant::now() > give_up {
                bail!(
                    "no PIN window opened; the page says:\n{}",
                    self.page_text().await?
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// In the PIN window: types `pin` and stays there (the scenario decides when to press OK).
    pub async fn type_pin(&mut self, pin: &str) -> anyhow::Result<()> {
        self.pin_window().await?;
        let field = self.client.find(Locator::Css("#pin")).await?;
        field.send_keys(pin).await?;
        Ok(())
    }

    /// Back to the portal's window.
    pub async fn main_window(&mut self) -> anyhow::Result<()> {
        let main = self.main_window.clone().context("no main window")?;
        self.client.switch_to_window(main).await?;
        Ok(())
    }

    /// In the PIN window: types `pin`, confirms the last try when asked, presses OK, and goes
    /// back to the portal's window.
    pub async fn enter_pin(&mut self, pin: &str) -> anyhow::Result<()> {
        self.type_pin(pin).await?;
        if let Ok(confirm) = self.client.find(Locator::Css("#confirm")).await {
            if confirm.is_displayed().await.unwrap_or(false) {
                confirm.click().await?;
            }
        }
        self.screenshot("pin-window").await?;
        self.press("#ok").await?;
        self.main_window().await
    }

    /// The My Number Card in reader 0 (none with `Options::reader` off).
    ///
    /// # Errors
    /// When the scenario has no reader.
    pub fn card(&self) -> anyhow::Result<&VpcdCard> {
        self.card.as_ref().context("no card in this scenario")
    }

    /// Stops the private pcscd: the reader's service gone (an unplugged reader takes its
    /// readers away the same way). Nothing restarts it in this scenario.
    pub fn stop_reader_service(&mut self) {
        self._pcscd.stop();
    }

    /// The card in reader 1 (`Options::second_card` or `Options::other_card`).
    ///
    /// # Errors
    /// When the scenario has none.
    pub fn second_card(&self) -> anyhow::Result<&VpcdCard> {
        self.second_card
            .as_ref()
            .context("no second card in this scenario")
    }

    /// Types `pin` in the PIN window one digit at a time over `taking` (a citizen who looks for
    /// each key), then OK.
    pub async fn enter_pin_slowly(&mut self, pin: &str, taking: Duration) -> anyhow::Result<()> {
        self.pin_window().await?;
        let pause = taking / u32::try_from(pin.len().max(1)).unwrap_or(1);
        for digit in pin.chars() {
            tokio::time::sleep(pause).await;
            let field = self.client.find(Locator::Css("#pin")).await?;
            field.send_keys(&digit.to_string()).await?;
        }
        self.press("#ok").await?;
        self.main_window().await
    }

    /// F1 up to the card step: the terms (the portal-user opt-in as `opt_in`), 「同意して次へ進む」.
    pub async fn apply_until_card_step(&mut self, opt_in: bool) -> anyhow::Result<()> {
        self.open("/insurance/apply").await?;
        self.see("登録の内容について確認ください").await?;
        if !opt_in {
            self.press("input[name=portal-user]").await?;
        }
        self.screenshot("terms").await?;
        self.press("button.primary").await?;
        self.see("マイナンバーカードを読み取り申し込みます").await?;
        self.screenshot("card").await?;
        Ok(())
    }

    /// Presses the card step's button once the card is ready; while it is not (a card just put
    /// on the reader), presses 「もう一度確認する」 now and then, as a person would.
    pub async fn read_card(&mut self) -> anyhow::Result<()> {
        let give_up = Instant::now() + Duration::from_secs(20);
        let mut recheck = Instant::now() + Duration::from_secs(2);
        while self
            .client
            .find(Locator::Css("[data-readiness='READY']"))
            .await
            .is_err()
        {
            if Instant::now() > give_up {
                bail!(
                    "the card was never ready; the page says:\n{}",
                    self.page_text().await?
                );
            }
            if Instant::now() > recheck {
                if let Ok(button) = self.client.find(Locator::Css(".readiness button")).await {
                    let _ = button.click().await;
                }
                recheck = Instant::now() + Duration::from_secs(2);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self.screenshot("card-step").await?;
        self.press(".card-step button.primary").await
    }

    /// Types `text` into the input `selector` (it is cleared first).
    pub async fn fill(&self, selector: &str, text: &str) -> anyhow::Result<()> {
        let field = self.client.find(Locator::Css(selector)).await?;
        field.clear().await?;
        field.send_keys(text).await?;
        Ok(())
    }

    /// Kills the bridge process the browser started (its wrapper wrote the pid, then became it).
    pub fn kill_bridge(&self) -> anyhow::Result<()> {
        let pid = std::fs::read_to_string(self.dir.path().join("bridge.pid"))
            .context("the bridge has not started")?;
        let status = Command::new("kill").arg(pid.trim()).status()?;
        anyhow::ensure!(status.success(), "kill {} failed", pid.trim());
        Ok(())
    }

    /// The bridge's log so far.
    pub fn bridge_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("bridge.log")).unwrap_or_default()
    }

    /// The WebDriver server's log, with its browser's output (and that of a bridge the browser
    /// started without the test's wrapper: `Options::packaged_bridge`).
    pub fn driver_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("driver.log")).unwrap_or_default()
    }

    /// The current path of the portal's window.
    pub async fn path(&self) -> anyhow::Result<String> {
        Ok(self.client.current_url().await?.path().to_owned())
    }

    /// In the PIN window: presses 「キャンセル」.
    pub async fn cancel_pin(&mut self) -> anyhow::Result<()> {
        self.pin_window().await?;
        self.screenshot("pin-window").await?;
        self.press("#cancel").await?;
        self.main_window().await
    }
}

impl Drop for Portal {
    fn drop(&mut self) {
        for child in [&mut self.driver, &mut self.server] {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// This crate's folder, as cargo names it when the tests run (`CARGO_MANIFEST_DIR`), else as it was
/// when they were built: a clone at another path that shares the build cache runs test binaries
/// built for the first clone (cargo keeps workspace paths relative in its fingerprints).
pub fn crate_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from)
}
