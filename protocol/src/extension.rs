//! The extension's settings (`extension/config.js`), generated from this crate's constants so
//! that the extension and the bridge cannot disagree on the host's name, the protocol version or
//! the deadlines. The committed `config.js` is this text for the placeholder origin (a test in
//! `tests/tests/manifest.rs` compares them; `cargo xtask extension-config` rewrites it); a
//! package's is the same text with the deployment's origins (`cargo xtask extension`).

use crate::{
    bridge::{CARD_HOLD_MS, CARD_TIMEOUT_MS, CARD_WAIT_MS},
    page, NATIVE_HOST_NAME, PROTOCOL_VERSION,
};

/// The portal origin of the source tree, replaced by the deployment's in a package.
pub const PLACEHOLDER_ORIGIN: &str = "https://myna.example";

/// How long the extension waits for the bridge's `status`, `prepare`, `release` or `diagnose`
/// (milliseconds).
pub const STATUS_TIMEOUT_MS: u64 = 20_000;

/// How long the extension waits for `authenticate` once the PIN is typed (milliseconds): the
/// card signs in about a second; slow readers and cards take up to 10 s; longer than the
/// bridge's own deadline for `authenticate` ([`CARD_TIMEOUT_MS`] + [`CARD_WAIT_MS`]), so that
/// the bridge's answer, not the extension's `TIMEOUT`, is what the page shows.
pub const AUTHENTICATE_TIMEOUT_MS: u64 = 30_000;

/// How long the PIN window waits for the citizen (milliseconds). Shorter than the bridge's hold
/// of the card ([`CARD_HOLD_MS`]), so that a held card is never let go under a PIN window
/// still open.
pub const PIN_TIMEOUT_MS: u64 = 120_000;

// The deadlines nest: the bridge's inside the extension's, the extension's inside the page's.
const _: () = assert!(PIN_TIMEOUT_MS < CARD_HOLD_MS);
const _: () = assert!(STATUS_TIMEOUT_MS > CARD_TIMEOUT_MS);
const _: () = assert!(AUTHENTICATE_TIMEOUT_MS > CARD_TIMEOUT_MS + CARD_WAIT_MS);
const _: () = assert!((page::STATUS_TIMEOUT_MS as u64) > STATUS_TIMEOUT_MS);
const _: () =
    assert!((page::AUTHENTICATE_TIMEOUT_MS as u64) > PIN_TIMEOUT_MS + AUTHENTICATE_TIMEOUT_MS);

/// `config.js` for `origins` (the portal origins built into the package) and this crate's
/// protocol version.
pub fn config_js(origins: &[&str]) -> String {
    config_js_speaking(origins, PROTOCOL_VERSION)
}

/// `config.js` speaking another protocol version: the end-to-end test of an outdated side.
pub fn config_js_speaking(origins: &[&str], protocol: u32) -> String {
    let origins = origins
        .iter()
        .map(|origin| format!("{origin:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        r#"// The extension's settings, read by the background scripts. GENERATED from
// the `protocol` crate (protocol/src/extension.rs) by `cargo xtask extension-config`: edit the
// constants there, not this file.
//
// PORTAL_ORIGINS are the deployment's portal origins, built into every package: only pages of
// these origins may use the card. `cargo xtask extension --origin https://…` writes the packages
// with the deployment's origins in place of the placeholder below (here and in the manifest's
// content-script matches). Development origins (loopback http) are added by a file `dev.json`
// beside the manifest — `{{ "origins": [...], "pinTimeoutMs"? }}`, written by `cargo xtask run`
// and the end-to-end tests, never part of a package.
// @ts-check
"use strict";

globalThis.MYNA = Object.freeze({{
  PORTAL_ORIGINS: Object.freeze([{origins}]),
  // The native-messaging host (the bridge) and the protocol version both sides speak.
  HOST_NAME: {host:?},
  PROTOCOL: {protocol},
  // How long the bridge may take: `status`, and `authenticate` once the PIN is typed.
  STATUS_TIMEOUT_MS: {status},
  AUTHENTICATE_TIMEOUT_MS: {authenticate},
  // How long the PIN window waits for the user (less than the bridge holds the card).
  PIN_TIMEOUT_MS: {pin},
}});
"#,
        host = NATIVE_HOST_NAME,
        status = STATUS_TIMEOUT_MS,
        authenticate = AUTHENTICATE_TIMEOUT_MS,
        pin = PIN_TIMEOUT_MS,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_origins_are_json_strings_in_order() {
        let text = config_js(&["https://a.example", "https://b.example:8443"]);
        assert!(text.contains(
            r#"PORTAL_ORIGINS: Object.freeze(["https://a.example", "https://b.example:8443"]),"#
        ));
        assert!(text.contains(&format!("PROTOCOL: {PROTOCOL_VERSION},")));
        assert!(config_js_speaking(&[PLACEHOLDER_ORIGIN], 1).contains("PROTOCOL: 1,"));
    }
}
