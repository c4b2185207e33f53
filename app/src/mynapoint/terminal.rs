//! The terminal's idle guard (`docs/terminal.md`): 60 s without input (the server's idle
//! timeout for a terminal's session) end the session and show the start screen again.

use leptos::{prelude::*, task::spawn_local};

use crate::{
    api,
    components::{card_activity, open_modal, tx},
    i18n::*,
    kiosk::{Idle, IdleTimer},
    routes::{self, use_go_to},
};

/// The terminal's idle guard: any touch, click or key restarts the timer; a warning shows before
/// the end; at the end the session is ended and the start screen shown.
#[component]
pub fn IdleGuard(
    /// The clock in milliseconds; `Date.now()` unless a test drives it.
    #[prop(optional)]
    clock: Option<Callback<(), f64>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let go_to = use_go_to();
    let now_ms = move || clock.map_or_else(js_sys::Date::now, |clock| clock.run(()));
    let timeout_ms = RwSignal::new(crate::kiosk::IDLE_TIMEOUT_MS);
    spawn_local(async move {
        if let Ok(session) = api::session().await {
            timeout_ms.set(session.idle_timeout_seconds as f64 * 1000.0);
        }
    });
    let timer = StoredValue::new(IdleTimer::new(now_ms(), crate::kiosk::IDLE_TIMEOUT_MS));
    let state = RwSignal::new(Idle::Active);
    Effect::new(move |_| {
        let timeout = timeout_ms.get();
        timer.update_value(|t| t.set_timeout(timeout));
    });
    let on_input = move || {
        timer.update_value(|t| t.input(now_ms()));
        state.set(Idle::Active);
    };
    let listeners: Vec<_> = ["pointerdown", "keydown", "input"]
        .into_iter()
        .map(|event| window_event_listener_untyped(event, move |_| on_input()))
        .collect();
    // While a card request is under way the citizen is typing the PIN in the extension's
    // window, where this page sees no input: that counts as activity (the extension's own
    // timeout, 120 s, ends the request).
    let activity = card_activity();
    let interval = set_interval_with_handle(
        move || {
            if activity.pending.get_untracked() {
                timer.update_value(|t| t.input(now_ms()));
            }
            let now = timer.with_value(|t| t.state(now_ms()));
            if now != state.get_untracked() {
                state.set(now);
            }
        },
        std::time::Duration::from_millis(250),
    )
    .ok();
    on_cleanup(move || {
        for listener in listeners {
            listener.remove();
        }
        if let Some(interval) = interval {
            interval.clear();
        }
    });
    Effect::new(move |_| {
        if state.get() == Idle::Expired {
            timer.update_value(|t| t.input(now_ms()));
            state.set(Idle::Active);
            let go_to = go_to.clone();
            spawn_local(async move {
                let _ = api::logout().await;
                go_to(routes::MYNAPOINT_KIOSK);
            });
        }
    });
    // A modal alert dialog, opened once while the warning lasts (only its seconds change): any
    // input (its button, a key, Escape) keeps the session.
    let warning = Memo::new(move |_| matches!(state.get(), Idle::Warning(_)));
    let seconds = move || match state.get() {
        Idle::Warning(seconds) => seconds,
        _ => 0,
    };
    move || {
        warning.get().then(|| {
            let dialog = NodeRef::<leptos::html::Dialog>::new();
            open_modal(dialog);
            view! {
                <dialog class="dialog idle-warning" role="alertdialog" node_ref=dialog
                    aria-labelledby="idle-warning-text" on:cancel=move |ev: web_sys::Event| ev.prevent_default()>
                    <p id="idle-warning-text" aria-live="assertive">{move || t!(i18n, mynapoint.idle_warning, seconds = seconds())}</p>
                    <button type="button" class="primary" autofocus>{tx(|l| td_string!(l, mynapoint.keep_going))}</button>
                </dialog>
            }
        })
    }
}
