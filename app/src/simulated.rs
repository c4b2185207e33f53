//! A development-only helper inside the page (feature `simulated-helper`, never in release
//! builds; `cargo xtask test` proves `dist/` lacks it). With `localStorage["myna-simulated"]`
//! set, it answers the extension contract as the named situation does, so the card screens can
//! be worked on, and tested, without a reader or the extension:
//!
//! - `ready`, `last-try`, `blocked`, `no-reader`, `no-card`, `other-card`: what `status` finds;
//!   `authenticate` then signs, like the card after a right PIN;
//! - `no-extension`, `no-bridge`: both verbs refuse so;
//! - `fail:<CODE>` (any code of `protocol::ErrorCode`, e.g. `fail:PIN_INCORRECT`): the card is
//!   ready, and `authenticate` refuses with that code (`PIN_INCORRECT` with 2 tries left).
//!
//! Signing uses a virtual card's TEST-ONLY key, built in from the card directory named by
//! `MYNA_SIMULATED_CARD` at compile time (`virtual-card new` makes one; `cargo xtask run` keeps
//! one under `~/.local/share/myna-portal/dev/card`, linked to the server's `dev-person`);
//! without it, `authenticate` refuses with `NO_CARD`. The server must trust that card's CA and
//! know its holder.

use base64::{engine::general_purpose::STANDARD, Engine as _};
use protocol::{
    bridge::{AuthenticateResult, CardPresence, ReaderStatus, StatusResult},
    page::Action,
    signing, ErrorBody, ErrorCode,
};
use rsa::{pkcs1v15::SigningKey, pkcs8::DecodePrivateKey, signature::SignatureEncoding};
use rsa::{signature::Signer, RsaPrivateKey};
use sha2::Sha256;

/// The card's key (PKCS#8 PEM) and certificate (DER); empty without `MYNA_SIMULATED_CARD`.
const KEY_PEM: &str = include_str!(concat!(env!("OUT_DIR"), "/simulated-card.key.pem"));
const CERT_DER: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/simulated-card.cert.der"));

const READER: &str = "Simulated Reader 00 00";

fn situation() -> Option<String> {
    web_sys::window()?
        .local_storage()
        .ok()??
        .get_item("myna-simulated")
        .ok()?
}

fn reader(card: CardPresence) -> Vec<ReaderStatus> {
    vec![ReaderStatus {
        name: READER.into(),
        card,
    }]
}

fn refusal(code: ErrorCode) -> ErrorBody {
    let body = ErrorBody::new(code, "simulated");
    if code == ErrorCode::PinIncorrect {
        body.with_tries_left(2)
    } else {
        body
    }
}

fn internal(message: &str) -> ErrorBody {
    ErrorBody::new(ErrorCode::Internal, message)
}

/// The card's answer to `authenticate`: its certificate and the RS256 signature of
/// `signing::to_be_signed(page origin, nonce)`.
fn sign(nonce: Option<&str>) -> Result<String, ErrorBody> {
    if KEY_PEM.is_empty() || CERT_DER.is_empty() {
        return Err(ErrorBody::new(
            ErrorCode::NoCard,
            "simulated: built without MYNA_SIMULATED_CARD",
        ));
    }
    let nonce = STANDARD
        .decode(nonce.unwrap_or_default())
        .map_err(|_| ErrorBody::new(ErrorCode::InvalidRequest, "simulated: nonce"))?;
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .ok_or_else(|| internal("simulated: no origin"))?;
    let key = RsaPrivateKey::from_pkcs8_pem(KEY_PEM).map_err(|_| internal("simulated: key"))?;
    let signature = SigningKey::<Sha256>::new(key).sign(&signing::to_be_signed(&origin, &nonce));
    serde_json::to_string(&AuthenticateResult {
        certificate: STANDARD.encode(CERT_DER),
        signature: STANDARD.encode(signature.to_bytes()),
        algorithm: signing::ALGORITHM.into(),
        format: signing::FORMAT.into(),
        reader: READER.into(),
        events: Some(1),
    })
    .map_err(|_| internal("simulated: encoding"))
}

/// The simulated answer, or `None` when no situation is set (the real extension is asked).
///
/// # Errors
/// The refusal the chosen situation plays (a card problem, a cancelled PIN window, …).
pub fn answer(action: Action, nonce: Option<&str>) -> Option<Result<String, ErrorBody>> {
    let situation = situation()?;
    let mut fails = None;
    let (readers, tries) = match situation.as_str() {
        "no-extension" => return Some(Err(refusal(ErrorCode::ExtensionUnavailable))),
        "no-bridge" => return Some(Err(refusal(ErrorCode::BridgeUnavailable))),
        "no-reader" => (Vec::new(), None),
        "no-card" => (reader(CardPresence::Absent), None),
        "other-card" => (reader(CardPresence::Other), None),
        "blocked" => (reader(CardPresence::Jpki), Some(0)),
        "last-try" => (reader(CardPresence::Jpki), Some(1)),
        other => {
            fails = other.strip_prefix("fail:").and_then(|code| {
                ErrorCode::ALL
                    .into_iter()
                    .find(|candidate| candidate.as_str() == code)
            });
            (reader(CardPresence::Jpki), Some(3))
        }
    };
    Some(match action {
        Action::Status => serde_json::to_string(&StatusResult {
            readers,
            auth_pin_tries_left: tries,
            reader: None,
        })
        .map_err(|_| internal("simulated: encoding")),
        Action::ShowPinWindow => Ok("{\"shown\":true}".to_owned()),
        // The simulated card stays on its reader (unless the situation takes it away).
        Action::Presence => Ok(format!(
            "{{\"present\":{}}}",
            situation.as_str() != "card-removed"
        )),
        Action::Diagnose => {
            let reader_name = readers
                .iter()
                .find(|r| r.card == CardPresence::Jpki)
                .map(|r| r.name.clone());
            serde_json::to_string(&protocol::page::Diagnosis {
                extension: "simulated".into(),
                bridge: Some(protocol::bridge::DiagnoseResult {
                    version: "simulated".into(),
                    pcsc_problem: None,
                    readers,
                    reader: reader_name,
                    auth_pin_tries_left: tries,
                    certificate_not_after: None,
                    browsers: Vec::new(),
                }),
                bridge_error: None,
            })
            .map_err(|_| internal("simulated: encoding"))
        }
        Action::Authenticate => match fails {
            Some(code) => Err(refusal(code)),
            None => sign(nonce),
        },
    })
}
