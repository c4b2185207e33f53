//! The page ⇄ extension contract (`window.postMessage` in one window).
//!
//! The content script marks its presence with `document.documentElement.dataset.mynaHelper =
//! "<version>"`. The page posts a [`PageRequest`]; the content script answers at once with
//! [`PageMessage::Ack`] (no acknowledgement within [`ACK_TIMEOUT_MS`] means the extension is not
//! installed) and later with [`PageMessage::Response`]. The page never sends a PIN, an APDU or an
//! origin: the extension takes the origin from the browser.
//!
//! A response may also carry `timing` (`{ "totalMs", "userMs", "bridgeMs" }`: the extension's
//! time in all, the user's in the PIN window, the bridge's round trips) for the end-to-end
//! benchmark; pages ignore it.

use serde::{Deserialize, Serialize};

use crate::ErrorBody;

/// The `myna` tag every message carries, so that other `postMessage` traffic is ignored.
pub const TAG: &str = "myna";
/// How long the page waits for the acknowledgement before saying the extension is missing.
pub const ACK_TIMEOUT_MS: u32 = 1_000;
/// How long the page waits for `status` after the acknowledgement (milliseconds): longer than
/// the extension waits for the bridge (`crate::extension::STATUS_TIMEOUT_MS`), so that the
/// extension's own `TIMEOUT` is what the page shows.
pub const STATUS_TIMEOUT_MS: u32 = 30_000;
/// How long the page waits for `authenticate` after the acknowledgement (milliseconds): the
/// PIN window's wait and the bridge's deadline, with room to spare.
pub const AUTHENTICATE_TIMEOUT_MS: u32 = 300_000;

/// What the page asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Readers, cards and tries left.
    Status,
    /// Read the certificate and sign the nonce after the PIN window.
    Authenticate,
    /// Bring the PIN window of this page's request under way to the front (a full-screen
    /// browser may hide it); refused when none is open.
    #[serde(rename = "showPinWindow")]
    ShowPinWindow,
    /// The self-diagnosis: the extension's own version and the bridge's `diagnose`
    /// ([`Diagnosis`]).
    Diagnose,
    /// Whether the card that logged in is still on its reader (`reader` and `events` of the
    /// `authenticate` answer; the bridge's `presence`): the page asks every second while a
    /// card session is open and ends the session when the card has left.
    Presence,
}

/// How often the page asks [`Action::Presence`] while a card session is open (milliseconds):
/// the page ends the session within two of these of the card leaving.
pub const PRESENCE_INTERVAL_MS: u32 = 1_000;

/// The extension's answer to [`Action::Diagnose`]: itself, and the bridge's diagnosis or why the
/// bridge could not be asked (`BRIDGE_UNAVAILABLE`, `VERSION_MISMATCH`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Diagnosis {
    /// The extension's version (its manifest's).
    pub extension: String,
    /// The bridge's answer.
    #[serde(default)]
    pub bridge: Option<crate::bridge::DiagnoseResult>,
    /// Why there is none.
    #[serde(default)]
    pub bridge_error: Option<ErrorBody>,
}

/// The page's language, for the PIN window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Japanese.
    Ja,
    /// English.
    En,
}

/// `{ "myna": "request", "id", "action", "nonce"?, "lang"?, "reader"?, "events"? }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageRequest {
    /// Always `"request"`.
    pub myna: String,
    /// Chosen by the page; echoed in the answers.
    pub id: u32,
    /// What to do.
    pub action: Action,
    /// `authenticate`: the server's challenge, standard base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// The page's language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<Lang>,
    /// `presence`: the reader of the `authenticate` answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reader: Option<String>,
    /// `presence`: the card-event count of the `authenticate` answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<u32>,
}

impl PageRequest {
    /// A request with the `myna` tag set.
    pub fn new(id: u32, action: Action, nonce: Option<String>, lang: Lang) -> Self {
        Self {
            myna: "request".into(),
            id,
            action,
            nonce,
            lang: Some(lang),
            reader: None,
            events: None,
        }
    }
}

/// What the content script posts back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "myna", rename_all = "lowercase")]
pub enum PageMessage {
    /// `{ "myna": "ack", "id" }`: the helper is there and working on it.
    Ack {
        /// The request's id.
        id: u32,
    },
    /// `{ "myna": "response", "id", "ok", "result" | "error" }`.
    Response {
        /// The request's id.
        id: u32,
        /// Whether `result` or `error` is present.
        ok: bool,
        /// The bridge's result (`StatusResult` or `AuthenticateResult`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        result: Option<serde_json::Value>,
        /// The refusal, with a contract code.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<ErrorBody>,
    },
    /// Our own request, seen by the page's listener too (same window): ignored.
    Request {
        /// The request's id.
        id: u32,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_and_answers_have_the_contract_shape() {
        let request = PageRequest::new(7, Action::Authenticate, Some("AAAA".into()), Lang::Ja);
        assert_eq!(
            serde_json::to_value(&request).expect("json"),
            serde_json::json!({"myna": "request", "id": 7, "action": "authenticate", "nonce": "AAAA", "lang": "ja"})
        );
        let ack: PageMessage = serde_json::from_str(r#"{"myna": "ack", "id": 7}"#).expect("ack");
        assert_eq!(ack, PageMessage::Ack { id: 7 });
        let failed: PageMessage = serde_json::from_str(
            r#"{"myna": "response", "id": 7, "ok": false, "error": {"code": "PIN_INCORRECT", "message": "x", "triesLeft": 2}}"#,
        )
        .expect("response");
        let PageMessage::Response {
            error: Some(error),
            ok: false,
            ..
        } = failed
        else {
            panic!("not an error response");
        };
        assert_eq!(error.tries_left, Some(2));
        assert!(serde_json::from_str::<PageMessage>(r#"{"myna": "other", "id": 1}"#).is_err());
    }
}
