//! The error codes shared by every layer, from the bridge up to the SPA.

use serde::{Deserialize, Serialize};

/// What went wrong, as one stable code. Each code has its own message in the SPA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    /// The page found no extension (no acknowledgement within 1 s).
    ExtensionUnavailable,
    /// The extension could not start or reach the bridge.
    BridgeUnavailable,
    /// The extension and the bridge speak different protocol versions.
    VersionMismatch,
    /// The requesting origin (or the calling extension) is not allowed.
    OriginNotAllowed,
    /// The request is malformed: size, JSON, command, keys or values.
    InvalidRequest,
    /// The PC/SC service (pcscd, Windows Smart Card service) is not running.
    NoPcscService,
    /// No card reader is connected.
    NoReader,
    /// No card is in any reader.
    NoCard,
    /// The card was removed during the operation.
    CardRemoved,
    /// The card in the reader is not a My Number Card.
    NotMynumberCard,
    /// Another program holds the reader with the card (PC/SC's sharing violation) for longer than
    /// the card step waits: close it, then check again.
    ReaderInUse,
    /// The PIN is not 4 digits.
    PinFormat,
    /// The PIN is wrong; `triesLeft` says how many tries are left.
    PinIncorrect,
    /// The PIN is blocked; only the municipal office can unlock it.
    PinBlocked,
    /// Only one try is left and the request did not carry the user's explicit confirmation.
    PinLastTry,
    /// The user cancelled the PIN window.
    UserCancelled,
    /// The card, the user or a component did not answer in time.
    Timeout,
    /// An internal fault; details are in the component's log, never on the wire.
    Internal,
    /// Never sent: a code this build does not know (a newer extension or bridge). The reader
    /// keeps the code as sent ([`ErrorBody::code_text`]).
    #[serde(other)]
    Unknown,
}

impl ErrorCode {
    /// The code as it appears on the wire, e.g. `NO_READER`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ExtensionUnavailable => "EXTENSION_UNAVAILABLE",
            Self::BridgeUnavailable => "BRIDGE_UNAVAILABLE",
            Self::VersionMismatch => "VERSION_MISMATCH",
            Self::OriginNotAllowed => "ORIGIN_NOT_ALLOWED",
            Self::InvalidRequest => "INVALID_REQUEST",
            Self::NoPcscService => "NO_PCSC_SERVICE",
            Self::NoReader => "NO_READER",
            Self::NoCard => "NO_CARD",
            Self::CardRemoved => "CARD_REMOVED",
            Self::NotMynumberCard => "NOT_MYNUMBER_CARD",
            Self::ReaderInUse => "READER_IN_USE",
            Self::PinFormat => "PIN_FORMAT",
            Self::PinIncorrect => "PIN_INCORRECT",
            Self::PinBlocked => "PIN_BLOCKED",
            Self::PinLastTry => "PIN_LAST_TRY",
            Self::UserCancelled => "USER_CANCELLED",
            Self::Timeout => "TIMEOUT",
            Self::Internal => "INTERNAL",
            Self::Unknown => "UNKNOWN",
        }
    }

    /// Every code of the contract (not the reader's own [`ErrorCode::Unknown`]), for exhaustive
    /// tests and message tables.
    pub const ALL: [ErrorCode; 18] = [
        Self::ExtensionUnavailable,
        Self::BridgeUnavailable,
        Self::VersionMismatch,
        Self::OriginNotAllowed,
        Self::InvalidRequest,
        Self::NoPcscService,
        Self::NoReader,
        Self::NoCard,
        Self::CardRemoved,
        Self::NotMynumberCard,
        Self::ReaderInUse,
        Self::PinFormat,
        Self::PinIncorrect,
        Self::PinBlocked,
        Self::PinLastTry,
        Self::UserCancelled,
        Self::Timeout,
        Self::Internal,
    ];
}

impl ErrorCode {
    /// The extension or the bridge is missing or outdated: the fix is an installation (or, at a
    /// public terminal, the staff).
    pub fn needs_setup(self) -> bool {
        matches!(
            self,
            Self::ExtensionUnavailable | Self::BridgeUnavailable | Self::VersionMismatch
        )
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error on the wire: `{ "code", "message", "triesLeft"?, "update"? }`. The message is English text for
/// logs and developers; the SPA shows its own translated text for the code. Read tolerantly: a
/// newer side's code becomes [`ErrorCode::Unknown`] (kept as sent) and its new keys are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", from = "ErrorWire")]
pub struct ErrorBody {
    /// The stable code.
    pub code: ErrorCode,
    /// A human-readable explanation (English).
    pub message: String,
    /// Tries left, for the PIN errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tries_left: Option<u8>,
    /// `VERSION_MISMATCH`: which part is out of date, so the page can say what to update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update: Option<InstalledPart>,
    /// The code as a newer side sent it, when this build does not know it.
    #[serde(skip)]
    pub unknown_code: Option<String>,
}

/// [`ErrorBody`] as read: the code as text first, so that an unknown one is kept.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ErrorWire {
    code: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    tries_left: Option<u8>,
    #[serde(default)]
    update: Option<InstalledPart>,
}

impl From<ErrorWire> for ErrorBody {
    fn from(wire: ErrorWire) -> Self {
        let code = ErrorCode::ALL
            .into_iter()
            .find(|code| code.as_str() == wire.code)
            .unwrap_or(ErrorCode::Unknown);
        Self {
            code,
            message: wire.message,
            tries_left: wire.tries_left,
            update: wire.update,
            unknown_code: (code == ErrorCode::Unknown).then_some(wire.code),
        }
    }
}

/// A part the user installs: the one to update after a `VERSION_MISMATCH`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InstalledPart {
    /// The bridge, the native-messaging host (`myna-bridge`).
    Bridge,
    /// The browser extension.
    Extension,
}

impl ErrorBody {
    /// An error without a tries count.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            tries_left: None,
            update: None,
            unknown_code: None,
        }
    }

    /// The code to show: the wire's spelling, or what a newer side sent.
    pub fn code_text(&self) -> &str {
        self.unknown_code
            .as_deref()
            .unwrap_or_else(|| self.code.as_str())
    }

    /// Adds the tries count.
    pub fn with_tries_left(mut self, tries_left: u8) -> Self {
        self.tries_left = Some(tries_left);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialise_as_the_contract_says() {
        for code in ErrorCode::ALL {
            let json = serde_json::to_string(&code).expect("serialises");
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            assert_eq!(
                serde_json::from_str::<ErrorCode>(&json).expect("parses"),
                code
            );
        }
    }

    #[test]
    fn a_newer_sides_code_and_keys_are_read_not_refused() {
        let body: ErrorBody = serde_json::from_str(
            r#"{"code":"CARD_ON_FIRE","message":"m","triesLeft":2,"hint":"new"}"#,
        )
        .expect("parses");
        assert_eq!(body.code, ErrorCode::Unknown);
        assert_eq!(body.code_text(), "CARD_ON_FIRE");
        assert_eq!(body.tries_left, Some(2));
        let known: ErrorBody =
            serde_json::from_str(r#"{"code":"NO_CARD","message":"m"}"#).expect("parses");
        assert_eq!(
            (known.code, known.code_text()),
            (ErrorCode::NoCard, "NO_CARD")
        );
    }

    #[test]
    fn error_body_shape() {
        let body = ErrorBody::new(ErrorCode::PinIncorrect, "wrong").with_tries_left(2);
        assert_eq!(
            serde_json::to_value(&body).expect("serialises"),
            serde_json::json!({"code": "PIN_INCORRECT", "message": "wrong", "triesLeft": 2})
        );
        let body = ErrorBody::new(ErrorCode::NoCard, "none");
        assert_eq!(
            serde_json::to_value(&body).expect("serialises"),
            serde_json::json!({"code": "NO_CARD", "message": "none"})
        );
    }
}
