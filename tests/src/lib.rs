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

use std::{path::PathBuf, process::Child};

use fantoccini::{wd::WindowHandle, Client};
use virtual_card::{pcscd::PrivatePcscd, vpcd::VpcdCard};

pub mod act;
pub mod check;
pub mod find;
pub mod leaflet;
pub mod options;
pub mod packaged;
pub mod stack;
mod webdriver;

pub use check::{PHONE, PHONE_WIDTHS, TERMINAL_SCREENS};
pub use options::Options;

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
pub const HOST_NAME: &str = protocol::NATIVE_HOST_NAME;

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

/// This crate's folder, as cargo names it when the tests run (`CARGO_MANIFEST_DIR`), else as it was
/// when they were built: a clone at another path that shares the build cache runs test binaries
/// built for the first clone (cargo keeps workspace paths relative in its fingerprints).
pub fn crate_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from)
}
