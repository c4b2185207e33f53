//! Messages between the extension and the bridge (native messaging: a native-endian `u32` length
//! and UTF-8 JSON, at most [`MAX_FRAME`] bytes each way).
//!
//! Requests carry an `id` that the reply echoes, because the extension keeps one port open and may
//! have several requests under way. Every request has an exact key set: a missing or extra key is
//! `INVALID_REQUEST`.
//!
//! ```text
//! {"id":1,"command":"hello"}                 -> {"id":1,"result":{"version":"0.1.0","protocol":3}}
//! {"id":2,"command":"status"}                -> {"id":2,"result":{"readers":[…],"authPinTriesLeft":3,"reader":"…"}}
//! {"id":4,"command":"prepare"}               -> {"id":4,"result":{…as status…}}  (the card is now held)
//! {"id":5,"command":"release"}               -> {"id":5,"result":{"released":true}}
//! {"id":6,"command":"diagnose"}              -> {"id":6,"result":{"version":"0.1.0","pcscProblem":null,"readers":[…],…}}
//! {"id":3,"command":"authenticate","origin":"https://…","nonce":"<base64>","pin":"1234","confirmLastTry":false}
//!                                            -> {"id":3,"result":{"certificate":"<b64 DER>","signature":"<b64>",
//!                                                 "algorithm":"RS256","format":"myna-auth:1","reader":"…","events":2}}
//! {"id":7,"command":"presence","reader":"…","events":2}
//!                                            -> {"id":7,"result":{"present":true}}
//! any failure                                -> {"id":n|null,"error":{"code":"…","message":"…","triesLeft":n?}}
//! ```

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::{origin, signing, ErrorBody};

/// Largest frame either way (bytes of JSON, without the 4-byte length).
pub const MAX_FRAME: usize = 8 * 1024;
/// Bytes of the length prefix before each frame.
pub const NATIVE_FRAME_HEADER: usize = 4;
/// Smallest frame that can hold a request; anything shorter is refused before parsing.
pub const MIN_FRAME: usize = 5;

/// A request the bridge understands.
#[derive(Debug)]
pub enum Request {
    /// Version handshake.
    Hello,
    /// Readers, card presence and PIN tries; spends no try.
    Status,
    /// What `status` answers, and the My Number Card it found held for the `authenticate` that
    /// follows: the bridge keeps it exclusively (nobody else can select another application or
    /// spend a try meanwhile) and reads its certificate while the PIN is typed, so that after
    /// the PIN only VERIFY, the key's selection and the signature go to the card. The hold ends
    /// with `authenticate`, `release`, the card leaving the reader, or [`CARD_HOLD_MS`].
    Prepare,
    /// Ends the hold of `prepare` without a PIN (the PIN window was cancelled or timed out).
    Release,
    /// What the page's self-diagnosis shows ([`DiagnoseResult`]); spends no try, needs no PIN.
    Diagnose,
    /// Verify the PIN and sign the login challenge.
    Authenticate(AuthenticateRequest),
    /// Whether the card that signed is still on its reader ([`PresenceRequest`]): the reader's
    /// state only, no connection and no APDU, cheap enough to ask every second.
    Presence(PresenceRequest),
}

/// The parameters of `presence`: what `authenticate` answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresenceRequest {
    /// [`AuthenticateResult::reader`].
    pub reader: String,
    /// [`AuthenticateResult::events`]: the reader's card-event count when the card signed.
    pub events: u32,
}

/// The result of `presence`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PresenceResult {
    /// A card is on the reader and no card left or came since it signed (the reader's
    /// card-event count is unchanged); `false` also when the reader is gone.
    pub present: bool,
}

/// The bridge's default deadline for one card operation (milliseconds; `cardTimeoutMs` in
/// `bridge.json`): PC/SC has no transmit timeout, so a silent card is given up after this.
pub const CARD_TIMEOUT_MS: u64 = 15_000;

/// How long `authenticate` waits by default for a My Number Card to be put on a reader
/// (milliseconds; `cardWaitMs`). Its whole deadline is [`CARD_TIMEOUT_MS`] + this.
pub const CARD_WAIT_MS: u64 = 10_000;

/// Longest time a card stays held after `prepare` (milliseconds): the extension's PIN window
/// waits 120 s for the citizen; ten seconds more cover its round trips.
pub const CARD_HOLD_MS: u64 = 130_000;

/// The parameters of `authenticate`.
pub struct AuthenticateRequest {
    /// Origin of the page that asked, as the browser reported it to the extension.
    pub origin: String,
    /// The server's nonce, decoded from base64 (32–64 bytes).
    pub nonce: Vec<u8>,
    /// The PIN as typed in the extension's PIN window; wiped when dropped.
    pub pin: Zeroizing<String>,
    /// The user explicitly confirmed spending the last try.
    pub confirm_last_try: bool,
}

impl std::fmt::Debug for AuthenticateRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthenticateRequest")
            .field("origin", &self.origin)
            .field("nonce_len", &self.nonce.len())
            .field("pin", &"****")
            .field("confirm_last_try", &self.confirm_last_try)
            .finish()
    }
}

/// Why a frame is not a valid request. The text never quotes the request (it may hold a PIN).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// Shorter than [`MIN_FRAME`] or longer than [`MAX_FRAME`].
    #[error("frame of {0} bytes is outside {MIN_FRAME}..={MAX_FRAME}")]
    FrameSize(usize),
    /// Not UTF-8.
    #[error("frame is not UTF-8")]
    NotUtf8,
    /// Not a JSON object with a numeric `id` and a string `command`.
    #[error("request is not a JSON object with \"id\" and \"command\"")]
    BadEnvelope,
    /// An unknown `command`.
    #[error("unknown command")]
    UnknownCommand,
    /// A key the command does not have.
    #[error("the {command} request has no key {key:?}")]
    UnknownKey {
        /// The command.
        command: &'static str,
        /// The key sent (a name, never a value).
        key: String,
    },
    /// A key the command needs is not there.
    #[error("the {command} request needs the key {key:?}")]
    MissingKey {
        /// The command.
        command: &'static str,
        /// The key.
        key: &'static str,
    },
    /// A key is sent twice.
    #[error("the {command} request has the key {key:?} twice")]
    DuplicateKey {
        /// The command.
        command: &'static str,
        /// The key.
        key: String,
    },
    /// A value is not of its key's type (the value is never quoted: it may be a PIN).
    #[error("a value of the {command} request has the wrong type")]
    WrongType {
        /// The command.
        command: &'static str,
    },
    /// `nonce` is not base64 of 32–64 bytes.
    #[error("nonce must be standard base64 of 32 to 64 bytes")]
    BadNonce,
    /// `origin` is not a bare https origin (or a loopback http one).
    #[error("origin is malformed: {0}")]
    BadOrigin(origin::OriginError),
}

#[derive(Deserialize)]
struct Envelope {
    id: u32,
    command: String,
}

/// The keys of a request object in the order sent, their values skipped unread (so no copy of
/// a PIN is made here). The key set is checked against the command's before the values are
/// read, so that a wrong request is named by key without reading serde's message text.
struct KeyNames(Vec<String>);

impl<'de> Deserialize<'de> for KeyNames {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = KeyNames;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a request object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<KeyNames, A::Error> {
                let mut keys = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    map.next_value::<serde::de::IgnoredAny>()?;
                    keys.push(key);
                }
                Ok(KeyNames(keys))
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

/// Checks that `text` has exactly the keys `required` plus any of `optional`, each once.
fn check_keys(
    text: &str,
    command: &'static str,
    required: &[&'static str],
    optional: &[&'static str],
) -> Result<(), RequestError> {
    // The envelope already parsed, so this is a JSON object.
    let KeyNames(keys) = serde_json::from_str(text).map_err(|_| RequestError::BadEnvelope)?;
    for (i, key) in keys.iter().enumerate() {
        if !required.contains(&key.as_str()) && !optional.contains(&key.as_str()) {
            return Err(RequestError::UnknownKey {
                command,
                key: key.clone(),
            });
        }
        if keys[..i].contains(key) {
            return Err(RequestError::DuplicateKey {
                command,
                key: key.clone(),
            });
        }
    }
    match required.iter().find(|key| !keys.iter().any(|k| k == *key)) {
        Some(key) => Err(RequestError::MissingKey { command, key }),
        None => Ok(()),
    }
}

const BARE_KEYS: [&str; 2] = ["id", "command"];
const PRESENCE_KEYS: [&str; 4] = ["id", "command", "reader", "events"];

#[derive(Deserialize)]
struct PresenceWire {
    reader: String,
    events: u32,
}
const AUTHENTICATE_KEYS: [&str; 5] = ["id", "command", "origin", "nonce", "pin"];

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AuthenticateWire {
    origin: String,
    nonce: String,
    pin: Zeroizing<String>,
    #[serde(default)]
    confirm_last_try: bool,
}

/// Parses one frame. On error, the `id` is returned when it could be read, so the reply can
/// carry it.
///
/// # Errors
/// The [`RequestError`] (frame size, UTF-8, envelope, command, keys, types, nonce, origin), with
/// the request's id when it could be read.
pub fn parse_request(frame: &[u8]) -> Result<(u32, Request), (Option<u32>, RequestError)> {
    if frame.len() < MIN_FRAME || frame.len() > MAX_FRAME {
        return Err((None, RequestError::FrameSize(frame.len())));
    }
    let text = std::str::from_utf8(frame).map_err(|_| (None, RequestError::NotUtf8))?;
    let envelope: Envelope =
        serde_json::from_str(text).map_err(|_| (None, RequestError::BadEnvelope))?;
    let id = envelope.id;
    let fail = |e| (Some(id), e);
    let request = match envelope.command.as_str() {
        bare @ ("hello" | "status" | "prepare" | "release" | "diagnose") => {
            let (name, request) = match bare {
                "hello" => ("hello", Request::Hello),
                "status" => ("status", Request::Status),
                "prepare" => ("prepare", Request::Prepare),
                "release" => ("release", Request::Release),
                _ => ("diagnose", Request::Diagnose),
            };
            check_keys(text, name, &BARE_KEYS, &[]).map_err(fail)?;
            request
        }
        "authenticate" => {
            const COMMAND: &str = "authenticate";
            check_keys(text, COMMAND, &AUTHENTICATE_KEYS, &["confirmLastTry"]).map_err(fail)?;
            // The keys are right, so only a value's type can be wrong.
            let wire: AuthenticateWire = serde_json::from_str(text)
                .map_err(|_| fail(RequestError::WrongType { command: COMMAND }))?;
            origin::check_origin_syntax(&wire.origin)
                .map_err(|e| fail(RequestError::BadOrigin(e)))?;
            let nonce = base64::engine::general_purpose::STANDARD
                .decode(wire.nonce.as_bytes())
                .ok()
                .filter(|n| (signing::MIN_NONCE_LEN..=signing::MAX_NONCE_LEN).contains(&n.len()))
                .ok_or(fail(RequestError::BadNonce))?;
            Request::Authenticate(AuthenticateRequest {
                origin: wire.origin,
                nonce,
                pin: wire.pin,
                confirm_last_try: wire.confirm_last_try,
            })
        }
        "presence" => {
            const COMMAND: &str = "presence";
            check_keys(text, COMMAND, &PRESENCE_KEYS, &[]).map_err(fail)?;
            let wire: PresenceWire = serde_json::from_str(text)
                .map_err(|_| fail(RequestError::WrongType { command: COMMAND }))?;
            if wire.reader.is_empty() || wire.reader.len() > 256 {
                return Err(fail(RequestError::WrongType { command: COMMAND }));
            }
            Request::Presence(PresenceRequest {
                reader: wire.reader,
                events: wire.events,
            })
        }
        _ => return Err(fail(RequestError::UnknownCommand)),
    };
    Ok((id, request))
}

/// A reply: `{"id", "result"}` or `{"id", "error"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reply<T> {
    /// The request's id, or `null` when the request was too broken to have one.
    pub id: Option<u32>,
    /// What came of it.
    #[serde(flatten)]
    pub outcome: Outcome<T>,
}

/// The result or the error of a request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome<T> {
    /// Success.
    Result(T),
    /// Failure.
    Error(ErrorBody),
}

/// The result of `hello`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HelloResult {
    /// The bridge's version (semver).
    pub version: String,
    /// [`crate::PROTOCOL_VERSION`].
    pub protocol: u32,
}

/// What is in a reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CardPresence {
    /// No card.
    Absent,
    /// A card with the JPKI application (a My Number Card).
    Jpki,
    /// Some other card.
    Other,
    /// A card the bridge cannot look at: another program holds the reader.
    #[serde(rename = "inUse")]
    InUse,
}

/// One reader in `status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReaderStatus {
    /// The PC/SC reader name.
    pub name: String,
    /// What it holds.
    pub card: CardPresence,
}

/// The result of `status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StatusResult {
    /// Every reader.
    pub readers: Vec<ReaderStatus>,
    /// Tries left of the user-authentication PIN on the My Number Card, when there is one.
    pub auth_pin_tries_left: Option<u8>,
    /// The reader holding the My Number Card that `authenticate` would use.
    pub reader: Option<String>,
}

/// The result of `diagnose`: every step from the bridge to the card, for the page's
/// self-diagnosis and the report a citizen can copy. Nothing personal: versions, reader names,
/// a date, a count and browser names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DiagnoseResult {
    /// The bridge's version (semver).
    pub version: String,
    /// Why the PC/SC service cannot be used (`NO_PCSC_SERVICE`, …); `None` when it answers.
    pub pcsc_problem: Option<crate::ErrorCode>,
    /// Every reader and what it holds.
    pub readers: Vec<ReaderStatus>,
    /// The reader holding the My Number Card.
    pub reader: Option<String>,
    /// Tries left of the user-authentication PIN.
    pub auth_pin_tries_left: Option<u8>,
    /// The last day of the user-authentication certificate (`YYYY-MM-DD`, UTC), when the card's
    /// certificate could be read.
    pub certificate_not_after: Option<String>,
    /// Each browser the bridge registers with, and whether that browser finds it
    /// (`myna-bridge doctor`, for the current user or system-wide).
    pub browsers: Vec<BrowserRegistration>,
}

/// One browser's registration of the bridge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BrowserRegistration {
    /// `chrome`, `chromium`, `edge` or `firefox`.
    pub browser: String,
    /// Whether that browser can start the bridge from what is installed.
    pub registered: bool,
}

/// The result of `release`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReleaseResult {
    /// Whether a card was held (and now is not).
    pub released: bool,
}

/// The result of `authenticate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuthenticateResult {
    /// The user-authentication certificate, base64 DER.
    pub certificate: String,
    /// The RS256 signature over [`signing::to_be_signed`], base64.
    pub signature: String,
    /// [`signing::ALGORITHM`].
    pub algorithm: String,
    /// [`signing::FORMAT`].
    pub format: String,
    /// The reader that was used.
    pub reader: String,
    /// The reader's card-event count (PC/SC counts each insertion and removal) once the card
    /// signed; `presence` compares it to tell the same card from one put there since.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<(u32, Request), (Option<u32>, RequestError)> {
        parse_request(text.as_bytes())
    }

    const NONCE: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="; // 32 bytes

    #[test]
    fn presence_names_the_reader_and_its_event_count() {
        let (id, request) =
            parse(r#"{"id":9,"command":"presence","reader":"Virtual PCD 00 00","events":4}"#)
                .expect("parses");
        assert_eq!(id, 9);
        let Request::Presence(presence) = request else {
            panic!("not presence");
        };
        assert_eq!(
            presence,
            PresenceRequest {
                reader: "Virtual PCD 00 00".into(),
                events: 4
            }
        );
        assert!(matches!(
            parse(r#"{"id":9,"command":"presence","reader":"R"}"#),
            Err((Some(9), RequestError::MissingKey { key: "events", .. }))
        ));
        assert!(matches!(
            parse(r#"{"id":9,"command":"presence","reader":"R","events":-1}"#),
            Err((Some(9), RequestError::WrongType { .. }))
        ));
        assert!(matches!(
            parse(r#"{"id":9,"command":"presence","reader":"","events":1}"#),
            Err((Some(9), RequestError::WrongType { .. }))
        ));
    }

    #[test]
    fn good_requests() {
        assert!(matches!(
            parse(r#"{"id":1,"command":"hello"}"#),
            Ok((1, Request::Hello))
        ));
        assert!(matches!(
            parse(r#"{"command":"status","id":7}"#),
            Ok((7, Request::Status))
        ));
        let text = format!(
            r#"{{"id":3,"command":"authenticate","origin":"https://myna.example","nonce":"{NONCE}","pin":"1234"}}"#
        );
        let Ok((3, Request::Authenticate(auth))) = parse(&text) else {
            panic!("authenticate")
        };
        assert_eq!(auth.origin, "https://myna.example");
        assert_eq!(auth.nonce, (0u8..32).collect::<Vec<_>>());
        assert_eq!(auth.pin.as_str(), "1234");
        assert!(!auth.confirm_last_try);
        assert!(!format!("{auth:?}").contains("1234"));
    }

    #[test]
    fn bad_requests_keep_the_id_when_they_can() {
        let cases: &[(&str, Option<u32>)] = &[
            ("{}", None),
            ("[1,2,3,4]", None),
            (r#"{"id":"1","command":"hello"}"#, None),
            (r#"{"id":1}"#, None),
            (r#"{"id":-1,"command":"hello"}"#, None),
            (r#"{"id":1,"command":"sign"}"#, Some(1)),
            (r#"{"id":2,"command":"hello","x":1}"#, Some(2)),
            (r#"{"id":2,"command":"status","id":3}"#, None),
            (
                r#"{"id":4,"command":"authenticate","origin":"https://a.example","nonce":"AA=="}"#,
                Some(4),
            ),
        ];
        for (text, id) in cases {
            let Err((got, _)) = parse(text) else {
                panic!("accepted {text}")
            };
            assert_eq!(got, *id, "{text}");
        }
        assert_eq!(
            parse("{}").err().map(|e| e.1),
            Some(RequestError::FrameSize(2))
        );
        assert_eq!(
            parse_request(&[0xFF; 8]).err().map(|e| e.1),
            Some(RequestError::NotUtf8)
        );
        assert_eq!(
            parse_request(&vec![b' '; MAX_FRAME + 1]).err().map(|e| e.1),
            Some(RequestError::FrameSize(MAX_FRAME + 1))
        );
    }

    #[test]
    fn extra_and_missing_keys_are_named_but_values_never_quoted() {
        let text = format!(
            r#"{{"id":5,"command":"authenticate","origin":"https://a.example","nonce":"{NONCE}","pin":"1234","apdu":"00A4"}}"#
        );
        assert_eq!(
            parse(&text).err().map(|e| e.1),
            Some(RequestError::UnknownKey {
                command: "authenticate",
                key: "apdu".into()
            })
        );
        let text = format!(
            r#"{{"id":5,"command":"authenticate","origin":"https://a.example","nonce":"{NONCE}"}}"#
        );
        assert_eq!(
            parse(&text).err().map(|e| e.1),
            Some(RequestError::MissingKey {
                command: "authenticate",
                key: "pin"
            })
        );
        let text = format!(
            r#"{{"id":5,"command":"authenticate","origin":"https://a.example","nonce":"{NONCE}","pin":"1234","pin":"5678"}}"#
        );
        assert_eq!(
            parse(&text).err().map(|e| e.1),
            Some(RequestError::DuplicateKey {
                command: "authenticate",
                key: "pin".into()
            })
        );
        let text = format!(
            r#"{{"id":5,"command":"authenticate","origin":"https://a.example","nonce":"{NONCE}","pin":9876}}"#
        );
        let Err((_, error)) = parse(&text) else {
            panic!("numeric pin accepted")
        };
        assert_eq!(
            error,
            RequestError::WrongType {
                command: "authenticate"
            }
        );
        assert!(!error.to_string().contains("9876"), "{error}");
    }

    #[test]
    fn prepare_and_release_are_bare_requests() {
        assert!(matches!(
            parse(r#"{"id":7,"command":"prepare"}"#),
            Ok((7, Request::Prepare))
        ));
        assert!(matches!(
            parse(r#"{"id":8,"command":"release"}"#),
            Ok((8, Request::Release))
        ));
        let Err((Some(9), RequestError::UnknownKey { command, .. })) =
            parse(r#"{"id":9,"command":"prepare","reader":"x"}"#)
        else {
            panic!("extra key accepted")
        };
        assert_eq!(command, "prepare");
    }

    #[test]
    fn nonce_and_origin_are_checked() {
        let short = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg=="; // 31 bytes
        for (origin, nonce, expected) in [
            ("https://a.example", short, RequestError::BadNonce),
            ("https://a.example", "not base64!", RequestError::BadNonce),
            (
                "https://a.example/path",
                NONCE,
                RequestError::BadOrigin(origin::OriginError::Path),
            ),
        ] {
            let text = format!(
                r#"{{"id":6,"command":"authenticate","origin":"{origin}","nonce":"{nonce}","pin":"1234"}}"#
            );
            assert_eq!(
                parse(&text).err().map(|e| e.1),
                Some(expected),
                "{origin} {nonce}"
            );
        }
    }

    #[test]
    fn replies_have_the_contract_shape() {
        let reply = Reply {
            id: Some(1),
            outcome: Outcome::Result(HelloResult {
                version: "1.2.3".into(),
                protocol: 1,
            }),
        };
        assert_eq!(
            serde_json::to_value(&reply).expect("serialises"),
            serde_json::json!({"id": 1, "result": {"version": "1.2.3", "protocol": 1}})
        );
        let reply: Reply<HelloResult> = Reply {
            id: None,
            outcome: Outcome::Error(ErrorBody::new(crate::ErrorCode::InvalidRequest, "bad")),
        };
        let json = serde_json::to_string(&reply).expect("serialises");
        assert_eq!(
            json,
            r#"{"id":null,"error":{"code":"INVALID_REQUEST","message":"bad"}}"#
        );
        assert_eq!(
            serde_json::from_str::<Reply<HelloResult>>(&json).expect("parses"),
            reply
        );
    }
}
