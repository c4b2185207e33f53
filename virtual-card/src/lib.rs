//! A software My Number Card: the JPKI application of `docs/card.md` §9 with real RSA-2048 keys, a test
//! PKI to issue it, a card directory to keep it in, and two ways to reach it: in-process as a
//! [`jpki::Transport`] ([`InProcessCard`]) and as a card of the vsmartcard virtual reader for the
//! real pcscd ([`vpcd::VpcdCard`]).

pub mod card;
pub mod fixtures;
pub mod link;
pub mod pcscd;
pub mod pki;
pub mod store;
pub mod vpcd;

pub use card::{CardKind, CardProfile, CardState, PinHash, VirtualCard};
pub use store::{CardDir, StoreError};

/// The card as an in-process [`jpki::Transport`], for fast tests without pcscd.
pub struct InProcessCard {
    /// The card.
    pub card: VirtualCard,
}

impl jpki::Transport for InProcessCard {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, jpki::TransportError> {
        Ok(self.card.process(command))
    }
}
