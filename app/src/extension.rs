//! The page's side of the extension contract (`protocol::page`): a request goes out with
//! `postMessage`; no acknowledgement within [`ACK_TIMEOUT_MS`] means the extension is not installed
//! (`EXTENSION_UNAVAILABLE`), no answer within the action's deadline is `TIMEOUT`.
//!
//! With the `simulated-helper` feature (development only) and `localStorage["myna-simulated"]`
//! set, `simulated` answers instead, inside the page.

use std::{
    cell::{Cell, RefCell},
    collections::HashMap,
};

use protocol::{
    bridge::{AuthenticateResult, StatusResult},
    page::{Action, Lang, PageRequest, ACK_TIMEOUT_MS},
    ErrorBody, ErrorCode,
};
use wasm_bindgen::{prelude::*, JsCast};

/// The input a phone's or a tablet's browser reports: a touch screen as the only pointer, no
/// hover. A PC reports a mouse or a touchpad (`pointer: fine`), even with a touch screen too.
pub const TOUCH_ONLY: &str = "(pointer: coarse) and (hover: none)";

/// Whether the page runs in a phone's or a tablet's browser, where no extension can reach a
/// card reader (the leaflet's phone version reads the card with the official app instead): the
/// card step then says to use a PC with a reader (the terminal's touch screen is told apart
/// first, by its own mode). By the device's input ([`TOUCH_ONLY`]), never by the user agent: a
/// browser's name and system say nothing about a card reader, and no page or part of the portal
/// reads them (`cargo xtask tidy` checks).
pub fn is_phone() -> bool {
    web_sys::window()
        .and_then(|window| window.match_media(TOUCH_ONLY).ok().flatten())
        .is_some_and(|query| query.matches())
}

/// How long `status` may take after the acknowledgement (`protocol::page`).
const STATUS_TIMEOUT_MS: i32 = protocol::page::STATUS_TIMEOUT_MS as i32;
/// How long `authenticate` may take after the acknowledgement: the user types the PIN.
const AUTHENTICATE_TIMEOUT_MS: i32 = protocol::page::AUTHENTICATE_TIMEOUT_MS as i32;

struct Pending {
    acked: bool,
    resolve: js_sys::Function,
}

/// How a request ended: the JSON text of the extension's `result`, or a refusal.
type Settled = Result<String, ErrorBody>;

thread_local! {
    static PENDING: RefCell<HashMap<u32, Pending>> = RefCell::new(HashMap::new());
    static SETTLED: RefCell<HashMap<u32, Settled>> = RefCell::new(HashMap::new());
    static NEXT_ID: Cell<u32> = const { Cell::new(1) };
    static LISTENING: Cell<bool> = const { Cell::new(false) };
}

fn error(code: ErrorCode, message: &str) -> ErrorBody {
    ErrorBody::new(code, message)
}

/// Ends request `id` (the first outcome wins) and wakes its caller.
fn settle(id: u32, outcome: Settled) {
    let Some(pending) = PENDING.with(|p| p.borrow_mut().remove(&id)) else {
        return;
    };
    SETTLED.with(|s| s.borrow_mut().insert(id, outcome));
    let _ = pending.resolve.call0(&JsValue::NULL);
}

/// A property of a message object. The messages are read property by property rather than
/// deserialised as a whole: only the `result` and `error` values are turned into Rust types,
/// once, by the caller that knows their type (this keeps a generic JSON value type out of the
/// wasm).
fn property(object: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(object, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

/// Handles the content script's messages (`protocol::page::PageMessage`); anything not from
/// this window, or not ours, is ignored.
fn on_message(event: web_sys::MessageEvent) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let from_this_window = event
        .source()
        .and_then(|source| source.dyn_into::<web_sys::Window>().ok())
        .is_some_and(|source| source == window);
    let same_origin = window
        .location()
        .origin()
        .is_ok_and(|origin| origin == event.origin());
    if !from_this_window || !same_origin {
        return;
    }
    let data = event.data();
    let Some(id) = property(&data, "id")
        .as_f64()
        .filter(|id| id.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(id))
        .map(|id| id as u32)
    else {
        return;
    };
    match property(&data, "myna").as_string().as_deref() {
        Some("ack") => PENDING.with(|p| {
            if let Some(pending) = p.borrow_mut().get_mut(&id) {
                pending.acked = true;
            }
        }),
        Some("response") => {
            let json = |value: JsValue| {
                (!value.is_undefined() && !value.is_null())
                    .then(|| js_sys::JSON::stringify(&value).ok())
                    .flatten()
                    .map(String::from)
            };
            let outcome = match (
                property(&data, "ok").as_bool(),
                json(property(&data, "result")),
                json(property(&data, "error")),
            ) {
                (Some(true), Some(result), _) => Ok(result),
                (Some(false), _, Some(refusal)) => Err(serde_json::from_str(&refusal)
                    .unwrap_or_else(|_| error(ErrorCode::Internal, "malformed refusal"))),
                _ => Err(error(
                    ErrorCode::Internal,
                    "malformed answer from the extension",
                )),
            };
            settle(id, outcome);
        }
        // Our own request, seen by this listener too (same window), and anything else.
        _ => {}
    }
}

fn ensure_listener(window: &web_sys::Window) {
    if LISTENING.with(Cell::get) {
        return;
    }
    let listener = Closure::<dyn Fn(web_sys::MessageEvent)>::new(on_message);
    if window
        .add_event_listener_with_callback("message", listener.as_ref().unchecked_ref())
        .is_ok()
    {
        // The listener lives as long as the page.
        listener.forget();
        LISTENING.with(|l| l.set(true));
    }
}

fn after(window: &web_sys::Window, ms: i32, f: impl FnOnce() + 'static) {
    let callback = Closure::once_into_js(f);
    let _ =
        window.set_timeout_with_callback_and_timeout_and_arguments_0(callback.unchecked_ref(), ms);
}

/// Whether the content script has marked the page (`data-myna-helper`).
pub fn present() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .is_some_and(|root| root.has_attribute("data-myna-helper"))
}

/// Sends one request and waits for its answer: the JSON text of the result, or a refusal.
async fn call(action: Action, nonce: Option<String>, lang: Lang) -> Settled {
    call_with(PageRequest::new(0, action, nonce, lang)).await
}

/// Sends `request` (its `id` set here) and waits for its answer.
async fn call_with(mut request: PageRequest) -> Settled {
    let action = request.action;
    #[cfg(feature = "simulated-helper")]
    if let Some(answer) = crate::simulated::answer(action, request.nonce.as_deref()) {
        return answer;
    }
    let window = web_sys::window().ok_or_else(|| error(ErrorCode::Internal, "no window"))?;
    ensure_listener(&window);
    let id = NEXT_ID.with(|n| {
        let id = n.get();
        n.set(id.wrapping_add(1));
        id
    });
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        PENDING.with(|p| {
            p.borrow_mut().insert(
                id,
                Pending {
                    acked: false,
                    resolve,
                },
            )
        });
    });
    request.id = id;
    let origin = window.location().origin().unwrap_or_default();
    let message = serde_json::to_string(&request)
        .ok()
        .and_then(|text| js_sys::JSON::parse(&text).ok())
        .ok_or_else(|| error(ErrorCode::Internal, "cannot encode the request"))?;
    window
        .post_message(&message, &origin)
        .map_err(|_| error(ErrorCode::Internal, "cannot post the request"))?;
    after(
        &window,
        i32::try_from(ACK_TIMEOUT_MS).unwrap_or(1000),
        move || {
            let unanswered =
                PENDING.with(|p| p.borrow().get(&id).is_some_and(|pending| !pending.acked));
            if unanswered {
                settle(
                    id,
                    Err(error(
                        ErrorCode::ExtensionUnavailable,
                        "the extension did not answer",
                    )),
                );
            }
        },
    );
    let deadline = match action {
        Action::Status | Action::ShowPinWindow | Action::Diagnose | Action::Presence => {
            STATUS_TIMEOUT_MS
        }
        Action::Authenticate => AUTHENTICATE_TIMEOUT_MS,
    };
    after(&window, deadline, move || {
        settle(
            id,
            Err(error(ErrorCode::Timeout, "the extension took too long")),
        );
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    SETTLED
        .with(|s| s.borrow_mut().remove(&id))
        .unwrap_or_else(|| Err(error(ErrorCode::Internal, "no answer")))
}

fn parse<T: serde::de::DeserializeOwned>(result: String) -> Result<T, ErrorBody> {
    serde_json::from_str(&result)
        .map_err(|_| error(ErrorCode::Internal, "unexpected result from the extension"))
}

/// Readers, cards and tries left.
///
/// # Errors
/// The contract's refusal ([`ErrorCode`]): no extension (`EXTENSION_UNAVAILABLE`), no
/// bridge, an outdated side, or the bridge's own (`NO_PCSC_SERVICE`, …), `TIMEOUT`.
pub async fn status(lang: Lang) -> Result<StatusResult, ErrorBody> {
    parse(call(Action::Status, None, lang).await?)
}

/// Brings the PIN window of the request under way to the front.
///
/// # Errors
/// The extension's refusal (`INVALID_REQUEST` when no PIN window is open).
pub async fn show_pin_window(lang: Lang) -> Result<(), ErrorBody> {
    call(Action::ShowPinWindow, None, lang).await.map(|_| ())
}

/// The card's certificate and its signature over the server's challenge (the PIN is asked in
/// the extension's own window).
///
/// # Errors
/// As [`status`], and the card's and the PIN window's: `PIN_INCORRECT` with the tries left,
/// `PIN_BLOCKED`, `USER_CANCELLED`, `CARD_REMOVED`, …
pub async fn authenticate(nonce: String, lang: Lang) -> Result<AuthenticateResult, ErrorBody> {
    parse(call(Action::Authenticate, Some(nonce), lang).await?)
}

/// The self-diagnosis: the extension's version and the bridge's `diagnose` (`/diagnosis`).
///
/// # Errors
/// The extension missing (`EXTENSION_UNAVAILABLE`) or silent (`TIMEOUT`).
pub async fn diagnose(lang: Lang) -> Result<protocol::page::Diagnosis, ErrorBody> {
    parse(call(Action::Diagnose, None, lang).await?)
}

/// Whether the card that logged in is still on its reader (`presence`; `reader` and `events`
/// of the login's `authenticate` answer).
///
/// # Errors
/// The extension's or the bridge's refusal (an older bridge: `VERSION_MISMATCH`).
pub async fn presence(reader: String, events: u32) -> Result<bool, ErrorBody> {
    let mut request = PageRequest::new(0, Action::Presence, None, Lang::Ja);
    request.reader = Some(reader);
    request.events = Some(events);
    let answer: protocol::bridge::PresenceResult = parse(call_with(request).await?)?;
    Ok(answer.present)
}
