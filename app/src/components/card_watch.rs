//! A shared terminal that cannot register the wrong person (issue 14): while a card session is
//! open the page asks the extension every second whether the card that logged in is still on
//! its reader (`presence`: the bridge reads the reader's state, no APDU), and when it has left,
//! the page ends the session (`POST /auth/logout`) and returns to its part's start, which says
//! why. The card is the one of the last login (`crate::session_card`), kept for the tab so that
//! the next part (a full page load) watches it too; a logout forgets it.

use leptos::{prelude::*, task::spawn_local};
use std::sync::{
    atomic::{AtomicBool, Ordering},
    Arc,
};

use wasm_bindgen::{closure::Closure, JsCast};

use super::text::tx;
use crate::{i18n::*, routes, session_card};

/// Set when the watch ended a session, for the start screen to say why.
const ENDED_KEY: &str = "myna-card-removed";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

async fn sleep(ms: u32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let resolve = Closure::once_into_js(move || {
                let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
            });
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                resolve.unchecked_ref(),
                i32::try_from(ms).unwrap_or(1000),
            );
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Watches the card of the session (see the module) while mounted, and on the start screen
/// after a watch ended a session, says so. `start` is the part's start screen, loaded afresh
/// (nothing of the previous citizen stays in the page), or the [`routes::PageLoad`] a test
/// provided.
#[component]
pub fn CardWatch(start: &'static str) -> impl IntoView {
    let ended = storage()
        .and_then(|s| s.get_item(ENDED_KEY).ok().flatten())
        .is_some();
    if ended {
        if let Some(storage) = storage() {
            let _ = storage.remove_item(ENDED_KEY);
        }
    }
    let load = use_context::<routes::PageLoad>();
    let alive = Arc::new(AtomicBool::new(true));
    on_cleanup({
        let alive = Arc::clone(&alive);
        move || alive.store(false, Ordering::Relaxed)
    });
    spawn_local(async move {
        loop {
            sleep(protocol::page::PRESENCE_INTERVAL_MS).await;
            // Unmounted meanwhile: this watch is over (another may have started).
            if !alive.load(Ordering::Relaxed) {
                return;
            }
            let Some((reader, events)) = session_card::watched() else {
                continue;
            };
            // Only a clear "not there" ends the session: an extension that cannot answer now
            // (restarting, an older bridge) is no proof the card left. The login may have
            // changed meanwhile (a second card step): only the card asked about counts.
            let left = crate::extension::presence(reader, events).await == Ok(false);
            if !left
                || !alive.load(Ordering::Relaxed)
                || session_card::watched().is_none_or(|(_, now)| now != events)
            {
                continue;
            }
            if let Some(storage) = storage() {
                let _ = storage.set_item(ENDED_KEY, "1");
            }
            let _ = crate::api::logout().await;
            match load {
                Some(routes::PageLoad(load)) => load.run(start.to_owned()),
                None => {
                    if let Some(window) = web_sys::window() {
                        let _ = window.location().assign(start);
                    }
                }
            }
            return;
        }
    });
    ended.then(|| {
        view! { <p class="warning card-removed" role="status">{tx(|l| td_string!(l, card.removed_logout))}</p> }
    })
}

/// The part's start for [`CardWatch`]: MyNa Point's (the terminal's at the terminal) or the
/// portal's top page.
pub fn start_of_part(mynapoint: bool, terminal: bool) -> &'static str {
    match (mynapoint, terminal) {
        (true, true) => routes::MYNAPOINT_KIOSK,
        (true, false) => routes::MYNAPOINT,
        _ => routes::TOP,
    }
}
