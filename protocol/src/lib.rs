//! Wire types shared by every part of the portal: the bridge's native-messaging requests and
//! answers, the error codes every layer up to the SPA uses, and what the card signs.
//!
//! This crate is the compatibility promise between the parts: a type that derives `Serialize`
//! here is on the wire. It is pure and builds for `wasm32-unknown-unknown`.
#![deny(missing_docs)]

pub mod api;
pub mod bridge;
mod error;
pub mod extension;
pub mod maintenance;
pub mod mynapoint;
pub mod origin;
pub mod page;
pub mod payment;
pub mod signing;
pub mod site;

pub use error::{ErrorBody, ErrorCode, InstalledPart};

/// Version of the bridge protocol. The extension and the bridge compare it in `hello`.
/// 2: `prepare` and `release` (the card held from before the PIN window to the signature).
/// 3: `presence` (is the card that signed still on its reader), and `authenticate`'s `events`.
pub const PROTOCOL_VERSION: u32 = 3;

/// Name of the native-messaging host, as registered with the browsers.
pub const NATIVE_HOST_NAME: &str = "jp.myna.bridge";
