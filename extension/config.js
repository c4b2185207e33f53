// The extension's settings, read by the background scripts. GENERATED from
// the `protocol` crate (protocol/src/extension.rs) by `cargo xtask extension-config`: edit the
// constants there, not this file.
//
// PORTAL_ORIGINS are the deployment's portal origins, built into every package: only pages of
// these origins may use the card. `cargo xtask extension --origin https://…` writes the packages
// with the deployment's origins in place of the placeholder below (here and in the manifest's
// content-script matches). Development origins (loopback http) are added by a file `dev.json`
// beside the manifest — `{ "origins": [...], "pinTimeoutMs"? }`, written by `cargo xtask run`
// and the end-to-end tests, never part of a package.
// @ts-check
"use strict";

globalThis.MYNA = Object.freeze({
  PORTAL_ORIGINS: Object.freeze(["https://myna.example"]),
  // The native-messaging host (the bridge) and the protocol version both sides speak.
  HOST_NAME: "jp.myna.bridge",
  PROTOCOL: 3,
  // How long the bridge may take: `status`, and `authenticate` once the PIN is typed.
  STATUS_TIMEOUT_MS: 20000,
  AUTHENTICATE_TIMEOUT_MS: 30000,
  // How long the PIN window waits for the user (less than the bridge holds the card).
  PIN_TIMEOUT_MS: 120000,
});
