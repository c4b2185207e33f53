//! The stdio loop and the request checks that do not need a card.
//!
//! Frames are read with the `native_messaging` crate's synchronous decoder, capped at
//! [`MAX_FRAME`]. The crate stops at an oversize length prefix without consuming the body, so this
//! loop drains the announced bytes itself to stay in step with the stream, and answers
//! `INVALID_REQUEST` instead of dying. The frame text is wiped after parsing (it may hold a PIN).

use std::{
    io::{self, Read, Write},
    time::Instant,
};

use jpki::AuthPin;
use native_messaging::host::{decode_message_opt, send_json, NmError};
use protocol::{
    bridge::{
        parse_request, AuthenticateResult, BrowserRegistration, DiagnoseResult, HelloResult,
        Outcome, PresenceResult, ReleaseResult, Reply, Request, StatusResult, MAX_FRAME,
    },
    PROTOCOL_VERSION,
};
use serde::Serialize;
use zeroize::Zeroizing;

use crate::{
    caller::Caller,
    config::Config,
    errors::BridgeError,
    service::{self, CardService},
};

/// One of the results.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum ResultBody {
    /// `hello`.
    Hello(HelloResult),
    /// `status`.
    Status(StatusResult),
    /// `authenticate`.
    Authenticate(AuthenticateResult),
    /// `release`.
    Release(ReleaseResult),
    /// `diagnose`.
    Diagnose(DiagnoseResult),
    /// `presence`.
    Presence(PresenceResult),
}

/// The host: configuration, caller and card service.
pub struct Host<S> {
    config: Config,
    caller: Caller,
    config_problem: Option<String>,
    service: S,
}

impl<S: CardService> Host<S> {
    /// A host for one browser connection. `config_problem` is set when the configuration could
    /// not be loaded: every request is then refused with that explanation in the log.
    pub fn new(config: Config, caller: Caller, config_problem: Option<String>, service: S) -> Self {
        Self {
            config,
            caller,
            config_problem,
            service,
        }
    }

    /// Answers one frame.
    pub fn handle_frame(&self, frame: &[u8]) -> Reply<ResultBody> {
        let started = Instant::now();
        let card_before = service::card_micros();
        let (id, request) = match parse_request(frame) {
            Ok(parsed) => parsed,
            Err((id, error)) => {
                tracing::warn!(?id, %error, "invalid request");
                return Reply {
                    id,
                    outcome: Outcome::Error(BridgeError::from(error).to_wire()),
                };
            }
        };
        let command = match &request {
            Request::Hello => "hello",
            Request::Status => "status",
            Request::Prepare => "prepare",
            Request::Release => "release",
            Request::Diagnose => "diagnose",
            Request::Authenticate(_) => "authenticate",
            Request::Presence(_) => "presence",
        };
        let outcome = match self.dispatch(request) {
            Ok(result) => {
                // Microseconds: the whole request here, and the card's share of it (BENCHMARKS.md
                // splits the end-to-end time with them).
                tracing::info!(
                    id,
                    command,
                    elapsed_us = started.elapsed().as_micros() as u64,
                    card_us = service::card_micros().saturating_sub(card_before),
                    "ok"
                );
                Outcome::Result(result)
            }
            Err(error) => {
                let wire = error.to_wire();
                tracing::info!(
                    id,
                    command,
                    %error,
                    code = %wire.code,
                    tries_left = ?wire.tries_left,
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    "refused"
                );
                Outcome::Error(wire)
            }
        };
        Reply {
            id: Some(id),
            outcome,
        }
    }

    fn dispatch(&self, request: Request) -> Result<ResultBody, BridgeError> {
        if let Some(problem) = &self.config_problem {
            tracing::error!(%problem, "configuration unusable");
            return Err(BridgeError::Configuration);
        }
        match self.caller.id() {
            Some(id) if self.config.extension_allowed(id) => {}
            _ => {
                tracing::warn!(caller = ?self.caller, "calling extension not allowed");
                return Err(BridgeError::ExtensionNotAllowed);
            }
        }
        match request {
            Request::Hello => Ok(ResultBody::Hello(HelloResult {
                version: env!("CARGO_PKG_VERSION").to_owned(),
                protocol: PROTOCOL_VERSION,
            })),
            Request::Status => self.service.status().map(ResultBody::Status),
            Request::Presence(presence) => self
                .service
                .presence(&presence.reader, presence.events)
                .map(|present| ResultBody::Presence(PresenceResult { present })),
            Request::Prepare => self.service.prepare().map(ResultBody::Status),
            Request::Release => self
                .service
                .release()
                .map(|released| ResultBody::Release(ReleaseResult { released })),
            Request::Diagnose => {
                let mut result = self.service.diagnose();
                result.version = env!("CARGO_PKG_VERSION").to_owned();
                result.browsers = registrations();
                Ok(ResultBody::Diagnose(result))
            }
            Request::Authenticate(auth) => {
                if !self.config.origin_allowed(&auth.origin) {
                    tracing::warn!(origin = %auth.origin, "origin not allowed");
                    return Err(BridgeError::OriginNotAllowed);
                }
                // The PIN's format is checked before any APDU: a malformed PIN never costs a try.
                let pin = AuthPin::parse(&auth.pin)?;
                tracing::info!(origin = %auth.origin, confirm_last_try = auth.confirm_last_try, "authenticate");
                self.service
                    .authenticate(&auth.origin, &auth.nonce, pin, auth.confirm_last_try)
                    .map(ResultBody::Authenticate)
            }
        }
    }

    /// Serves frames until the browser closes stdin.
    ///
    /// # Errors
    /// An I/O error of stdout, or of stdin other than its end (which ends the loop quietly).
    pub fn serve(&self, mut input: impl Read, mut output: impl Write) -> io::Result<()> {
        loop {
            let reply = match decode_message_opt(&mut input, MAX_FRAME) {
                Ok(None) => return Ok(()),
                Ok(Some(text)) => {
                    let text = Zeroizing::new(text);
                    // No panic reaches the browser: a bug answers INTERNAL and the loop goes on.
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        self.handle_frame(text.as_bytes())
                    }))
                    .unwrap_or_else(|_| {
                        tracing::error!("request handler panicked");
                        Reply {
                            id: None,
                            outcome: Outcome::Error(
                                BridgeError::Internal("internal error").to_wire(),
                            ),
                        }
                    })
                }
                Err(NmError::IncomingTooLarge { len, .. }) => {
                    tracing::warn!(len, "oversize frame");
                    let drained = io::copy(&mut (&mut input).take(len as u64), &mut io::sink())?;
                    if drained < len as u64 {
                        return Ok(());
                    }
                    invalid(format!("frame of {len} bytes is larger than {MAX_FRAME}"))
                }
                Err(NmError::IncomingNotUtf8(_)) => invalid("frame is not UTF-8".into()),
                Err(NmError::Disconnected) => return Ok(()),
                Err(NmError::Io(e)) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(()),
                Err(NmError::Io(e)) => return Err(e),
                Err(other) => invalid(other.to_string()),
            };
            match send_json(&mut output, &reply) {
                Ok(()) => {}
                Err(NmError::Io(e)) => return Err(e),
                Err(other) => {
                    tracing::error!(error = %other, "reply could not be encoded");
                    let fallback: Reply<ResultBody> = Reply {
                        id: reply.id,
                        outcome: Outcome::Error(BridgeError::Internal("reply too large").to_wire()),
                    };
                    send_json(&mut output, &fallback)
                        .map_err(|e| io::Error::other(e.to_string()))?;
                }
            }
        }
    }
}

fn invalid(message: String) -> Reply<ResultBody> {
    tracing::warn!(%message, "invalid frame");
    Reply {
        id: None,
        outcome: Outcome::Error(BridgeError::Frame(message).to_wire()),
    }
}

/// Whether each browser finds the bridge, for the current user or system-wide (the `doctor`
/// check; the paths and reasons stay out of the answer: they can name the user's folder).
fn registrations() -> Vec<BrowserRegistration> {
    let browsers: Vec<String> = crate::install::BROWSERS
        .iter()
        .map(|b| (*b).to_owned())
        .collect();
    let ok_in = |system| -> Vec<bool> {
        crate::install::check(&browsers, system, &[]).map_or_else(
            |_| vec![false; browsers.len()],
            |findings| findings.iter().map(|f| f.problem.is_none()).collect(),
        )
    };
    let user = ok_in(false);
    let system = ok_in(true);
    browsers
        .into_iter()
        .zip(user.into_iter().zip(system))
        .map(|(browser, (user, system))| BrowserRegistration {
            browser,
            registered: user || system,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::bridge::NATIVE_FRAME_HEADER;

    /// A card service that must never be reached by the cases below.
    struct Unreachable;

    impl CardService for Unreachable {
        fn status(&self) -> Result<StatusResult, BridgeError> {
            Err(BridgeError::NoReader)
        }
        fn authenticate(
            &self,
            _: &str,
            _: &[u8],
            _: AuthPin,
            _: bool,
        ) -> Result<AuthenticateResult, BridgeError> {
            panic!("the card must not be reached")
        }
    }

    fn host() -> Host<Unreachable> {
        let config = Config {
            allowed_origins: vec!["https://myna.example".into()],
            allowed_extensions: vec!["chrome-extension://abcdefghijklmnop/".into()],
            ..Config::default()
        };
        Host::new(
            config,
            Caller::Chromium("chrome-extension://abcdefghijklmnop/".into()),
            None,
            Unreachable,
        )
    }

    fn frames(output: &[u8]) -> Vec<serde_json::Value> {
        let mut replies = Vec::new();
        let mut rest = output;
        while rest.len() >= NATIVE_FRAME_HEADER {
            let (head, tail) = rest.split_at(NATIVE_FRAME_HEADER);
            let len = u32::from_ne_bytes([head[0], head[1], head[2], head[3]]) as usize;
            assert!(len <= MAX_FRAME);
            replies.push(serde_json::from_slice(&tail[..len]).expect("reply is JSON"));
            rest = &tail[len..];
        }
        assert!(rest.is_empty());
        replies
    }

    fn frame(payload: &[u8]) -> Vec<u8> {
        let mut out = (payload.len() as u32).to_ne_bytes().to_vec();
        out.extend_from_slice(payload);
        out
    }

    #[test]
    fn a_stream_of_bad_frames_gets_one_answer_each() {
        let mut input = Vec::new();
        input.extend(frame(b"{}"));
        input.extend(frame(&[0xFF; 10]));
        input.extend(frame(&vec![b'x'; MAX_FRAME + 1]));
        input.extend(frame(br#"{"id":4,"command":"authenticate","origin":"https://myna.example","nonce":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=","pin":"12345"}"#));
        input.extend(frame(br#"{"id":5,"command":"authenticate","origin":"https://other.example","nonce":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=","pin":"1234"}"#));
        input.extend(frame(br#"{"id":6,"command":"hello"}"#));
        let mut output = Vec::new();
        host().serve(input.as_slice(), &mut output).expect("serves");
        let replies = frames(&output);
        let codes: Vec<_> = replies
            .iter()
            .map(|r| r["error"]["code"].as_str().unwrap_or("ok"))
            .collect();
        assert_eq!(
            codes,
            [
                "INVALID_REQUEST",
                "INVALID_REQUEST",
                "INVALID_REQUEST",
                "PIN_FORMAT",
                "ORIGIN_NOT_ALLOWED",
                "ok"
            ]
        );
        assert_eq!(replies[5]["id"], 6);
    }

    struct Panicking;

    impl CardService for Panicking {
        fn status(&self) -> Result<StatusResult, BridgeError> {
            panic!("a bug")
        }
        fn authenticate(
            &self,
            _: &str,
            _: &[u8],
            _: AuthPin,
            _: bool,
        ) -> Result<AuthenticateResult, BridgeError> {
            panic!("a bug")
        }
    }

    #[test]
    fn a_panic_answers_internal_and_the_loop_goes_on() {
        let unreachable = host();
        let host = Host::new(unreachable.config, unreachable.caller, None, Panicking);
        let mut input = frame(br#"{"id":1,"command":"status"}"#);
        input.extend(frame(br#"{"id":2,"command":"hello"}"#));
        let mut output = Vec::new();
        host.serve(input.as_slice(), &mut output).expect("serves");
        let replies = frames(&output);
        assert_eq!(replies[0]["error"]["code"], "INTERNAL");
        assert_eq!(replies[1]["result"]["protocol"], PROTOCOL_VERSION);
    }

    #[test]
    fn a_truncated_stream_ends_quietly() {
        for input in [
            &[0x10, 0x00][..],
            &[0x10, 0x00, 0x00, 0x00, b'{'][..],
            &[0xFF, 0xFF, 0xFF, 0x7F, 0x00][..],
        ] {
            let mut output = Vec::new();
            host().serve(input, &mut output).expect("no error on EOF");
        }
    }

    #[test]
    fn random_frames_never_panic() {
        // A small deterministic generator: the fuzz target explores far more (see fuzz/).
        let mut seed = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let pieces: [&[u8]; 8] = [
            b"{",
            b"}",
            b"\"id\":",
            b"1,",
            b"\"command\":\"hello\"",
            b"\"pin\":\"1234\"",
            b",",
            b"\xFF",
        ];
        for _ in 0..2000 {
            let mut payload = Vec::new();
            for _ in 0..(next() % 12) {
                payload.extend_from_slice(pieces[(next() % pieces.len() as u64) as usize]);
            }
            let mut output = Vec::new();
            host()
                .serve(frame(&payload).as_slice(), &mut output)
                .expect("serves");
            assert_eq!(frames(&output).len(), 1);
        }
    }
}
