//! A development-only helper inside the page (feature `simulated-helper`, never in release
//! builds): with `localStorage["myna-simulated"]` set, `status` answers as the named situation
//! does, so the card step's screens can be worked on without a reader or the extension.
//! Situations: `ready`, `last-try`, `blocked`, `no-reader`, `no-card`, `other-card`,
//! `no-extension`, `no-bridge`.

use protocol::{
    bridge::{CardPresence, ReaderStatus, StatusResult},
    page::Action,
    ErrorBody, ErrorCode,
};

fn situation() -> Option<String> {
    web_sys::window()?
        .local_storage()
        .ok()??
        .get_item("myna-simulated")
        .ok()?
}

fn reader(card: CardPresence) -> Vec<ReaderStatus> {
    vec![ReaderStatus {
        name: "Simulated Reader 00 00".into(),
        card,
    }]
}

/// The simulated answer, or `None` when no situation is set (the real helper is asked).
pub fn answer(
    action: Action,
    _nonce: Option<&str>,
) -> Option<Result<serde_json::Value, ErrorBody>> {
    let situation = situation()?;
    let refuse = |code| Some(Err(ErrorBody::new(code, "simulated")));
    let (readers, tries) = match situation.as_str() {
        "no-extension" => return refuse(ErrorCode::ExtensionUnavailable),
        "no-bridge" => return refuse(ErrorCode::BridgeUnavailable),
        "no-reader" => (Vec::new(), None),
        "no-card" => (reader(CardPresence::Absent), None),
        "other-card" => (reader(CardPresence::Other), None),
        "blocked" => (reader(CardPresence::Jpki), Some(0)),
        "last-try" => (reader(CardPresence::Jpki), Some(1)),
        _ => (reader(CardPresence::Jpki), Some(3)),
    };
    match action {
        Action::Status => {
            let status = StatusResult {
                readers,
                auth_pin_tries_left: tries,
                reader: None,
            };
            Some(
                serde_json::to_value(status)
                    .map_err(|_| ErrorBody::new(ErrorCode::Internal, "simulated")),
            )
        }
        // Signing needs a card key the server trusts: use `cargo xtask run` and the virtual card.
        Action::Authenticate => refuse(ErrorCode::NoCard),
    }
}
