//! What a scenario asks of its stack: a reader or none, the card's tries and certificate, a
//! second card, the bridge registered, packaged or absent, the extension's settings, the
//! server's limits.

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
    /// The browser's user-agent string, when the scenario plays another operating system's
    /// browser (Chromium's `--user-agent`, Firefox's `general.useragent.override`).
    pub user_agent: Option<&'static str>,
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
            user_agent: None,
        }
    }
}
