//! The link to the card: one APDU out, one answer back. The bridge plugs in PC/SC, the virtual
//! card and the tests plug in memory; the verbs in `card.rs` are written once against it.

/// Failures of the link to the card, as the transport reports them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// No card is in the reader.
    #[error("no card in the reader")]
    NoCard,
    /// The card was removed (or reset by someone else) during the operation.
    #[error("the card was removed")]
    CardRemoved,
    /// The card did not answer in time.
    #[error("the card did not answer in time")]
    Timeout,
    /// The reader went away during the operation (unplugged, or its service stopped).
    #[error("the card reader went away")]
    ReaderGone,
    /// Any other failure of the reader or its service.
    #[error("reader failure: {0}")]
    Failed(String),
}

impl TransportError {
    /// Whether the user can fix this by presenting the card again.
    pub fn is_retriable(&self) -> bool {
        matches!(self, Self::NoCard | Self::CardRemoved | Self::Timeout)
    }
}

/// Sends one command APDU and returns the raw response (data ‖ SW1 SW2).
pub trait Transport {
    /// Exchanges one APDU.
    ///
    /// # Errors
    /// The link's [`TransportError`]: no card, the card removed, no answer in time, the reader
    /// gone, or another reader failure.
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError>;
}

impl<T: Transport + ?Sized> Transport for &mut T {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        (**self).transmit(command)
    }
}
