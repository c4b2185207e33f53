//! The language of the My Number Card's public-key application (JPKI-AP, 公的個人認証AP).
//!
//! This crate knows the application identifiers, elementary files, command and response APDUs and
//! status words of the card, and drives the host side of the authentication flow through a
//! [`Transport`]. It does no I/O of its own: the bridge plugs in PC/SC, the virtual card and the
//! tests plug in memory. Every fact here comes from `docs/card.md`.
#![deny(missing_docs)]

mod apdu;
mod card;
mod der;
mod digest;
mod error;
pub mod files;
mod pin;
#[cfg(feature = "script")]
pub mod script;
mod status;
mod transport;

pub use apdu::{Command, CommandParseError, Response};
pub use card::{JpkiCard, PinStatus, TokenKind};
pub use der::{der_total_length, trim_to_der, DerError};
pub use digest::{sha256_digest_info, SHA256_DIGEST_INFO_LEN, SHA256_DIGEST_INFO_PREFIX};
pub use error::Error;
pub use pin::{AuthPin, PinFormatError};
pub use status::StatusWord;
pub use transport::{Transport, TransportError};
