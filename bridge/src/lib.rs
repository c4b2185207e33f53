//! The native-messaging host ("bridge") between the browser extension and the card reader.
//!
//! The browser starts it with the calling extension in its arguments and talks to it over
//! stdin/stdout in native-messaging frames ([`host`]). Every request is checked again here, whatever
//! the extension already checked: frame size, exact keys, origin syntax and allow-list
//! ([`config`]), calling extension ([`caller`]), PIN format before any APDU. The card is reached
//! only through [`CardService`]; [`pcsc_service`] is the one implementation that links PC/SC, with
//! a deadline on every card operation, and runs the APDU sequence of [`login`]. Every failure is
//! a [`BridgeError`], turned into the contract's code in one place ([`errors`]). [`install`] writes the browsers' host manifests on this
//! machine; [`package`] stages them as files for each OS and builds the Debian package.

pub mod caller;
pub mod config;
pub mod errors;
pub mod host;
pub mod install;
pub mod login;
pub mod manifest;
pub mod package;
pub mod pcsc_service;
pub mod service;

pub use errors::BridgeError;
pub use host::Host;
pub use service::CardService;
