//! The card step: the pre-check (extension → bridge → reader → card → tries), the PIN window
//! through the extension and the login, with 「上手くいかないときは」 under it.

use leptos::{prelude::*, task::spawn_local};
use protocol::{api::ApiCode, maintenance::Scope, ErrorCode};

use super::{
    layout::card_activity,
    messages::{readiness_message, update_hint, Failure, FailureMessage},
    text::{lang, tx},
};
use crate::{
    api,
    card::{readiness, Readiness},
    i18n::*,
    kiosk::at_terminal,
    routes,
};

/// The leaflet's 「上手くいかないときは」 list (`content/{ja,en}/troubleshooting.html`).
#[component]
pub fn Troubleshooting() -> impl IntoView {
    view! {
        <details class="troubleshooting">
            <summary>{tx(|l| td_string!(l, card.troubleshooting_title))}</summary>
            <crate::content::Content name="troubleshooting"/>
            // The self-diagnosis is for the citizen's own PC: at the terminal what is installed
            // is the operator's business.
            {(!at_terminal()).then(|| view! { <crate::content::Content name="troubleshooting-diagnosis"/> })}
        </details>
    }
}

/// Reads the card and logs in: checks readiness first (extension → bridge → reader → card →
/// My Number Card → tries left), then challenge → the extension's PIN window and signature →
/// login. `on_login` runs once the session is authenticated. While a maintenance window stops
/// `service`, the step says so and until when instead of asking for the card.
#[component]
pub fn CardStep(
    /// The service this step's login is for: a maintenance window of it (or of the whole
    /// portal) stops the step before the card is taken out.
    service: Scope,
    /// The button's label (「申し込む」, 「認証する」).
    submit: AnyView,
    /// Runs after a successful login; returns the next failure, if any.
    on_login: Callback<()>,
    /// Set by the caller when its own request after the login was refused.
    failure: RwSignal<Option<Failure>>,
    /// The text kept as data that explains the step (`content/`): where the card goes, which
    /// password is meant, naming this step's button; `card-pin` (any button) by default, and
    /// always `card-pin-kiosk` at the terminal.
    #[prop(optional)]
    guide: Option<&'static str>,
    /// The write this step's card signs with its login (`docs/contract.md`, "Signed writes"):
    /// `on_login` then sends it; none for a login alone (F2, MyNa Point's first card step).
    #[prop(optional)]
    write: Option<api::Write>,
) -> impl IntoView {
    let i18n = use_i18n();
    let state = RwSignal::new(None::<Readiness>);
    let busy = RwSignal::new(false);
    let confirmed = RwSignal::new(false);
    // While a maintenance window stops `service`, the failure shown is the server's own
    // `MAINTENANCE` (what to do and until when), and the step asks for no card.
    let is_stopped = |f: &Option<Failure>| matches!(f, Some(Failure::Api(body)) if body.code == ApiCode::Maintenance);
    let stopped = move || failure.with(is_stopped);
    let check = move || {
        state.set(None);
        let locale = i18n.get_locale_untracked();
        spawn_local(async move {
            match api::service_open(service).await {
                Err(body) if body.code == ApiCode::Maintenance => {
                    failure.set(Some(Failure::Api(body)));
                }
                Ok(()) if failure.with_untracked(is_stopped) => failure.set(None),
                _ => {}
            }
            state.set(Some(readiness(
                crate::extension::status(lang(locale)).await,
            )));
        });
    };
    check();
    let activity = card_activity();
    let read = move |_| {
        busy.set(true);
        failure.set(None);
        activity.pending.set(true);
        let locale = i18n.get_locale_untracked();
        let write = write.clone();
        spawn_local(async move {
            let outcome = async {
                // A window that started since the step asked: said before the PIN window opens.
                match api::service_open(service).await {
                    Err(body) if body.code == ApiCode::Maintenance => {
                        return Err(Failure::Api(body))
                    }
                    _ => {}
                }
                api::session().await.map_err(Failure::Api)?;
                let challenge = api::challenge(write).await.map_err(Failure::Api)?;
                let token = crate::extension::authenticate(challenge.nonce, lang(locale))
                    .await
                    .map_err(Failure::Card)?;
                let info = api::login(&token).await.map_err(Failure::Api)?;
                // The card that logged in is watched: taken off the reader, it ends the session.
                crate::session_card::remember(&token);
                activity.expires_at.set(info.certificate_expires_at);
                Ok::<(), Failure>(())
            }
            .await;
            busy.set(false);
            activity.pending.set(false);
            match outcome {
                Ok(()) => on_login.run(()),
                Err(error) => {
                    // After every card answer the step shows the card as it is now: a wrong
                    // PIN changes the tries left (and may leave one: the last-try
                    // confirmation), a removed card or a blocked PIN its readiness.
                    if let Failure::Card(_) = &error {
                        confirmed.set(false);
                        check();
                    }
                    failure.set(Some(error));
                }
            }
        });
    };
    let can_read = move || {
        let ready = state.get().is_some_and(|s| s.can_read());
        let last_try = state.get() == Some(Readiness::LastTry);
        ready && (!last_try || confirmed.get()) && !busy.get() && !stopped()
    };
    view! {
        <section class="card-step" class:stopped=stopped>
            // Where to put the card and which password is meant (the leaflet's explanation);
            // at the terminal its own words: the card goes on the terminal's reader and the
            // password is typed on its screen.
            <crate::content::Content name=if at_terminal() { "card-pin-kiosk" } else { guide.unwrap_or("card-pin") }/>
            <div class="readiness" aria-live="polite">
                {move || match state.get() {
                    None => view! { <p class="checking">{tx(|l| td_string!(l, card.checking))}</p> }.into_any(),
                    Some(readiness) => {
                        let ok = readiness.can_read();
                        let tries = match &readiness {
                            Readiness::Ready { tries_left } => *tries_left,
                            _ => None,
                        };
                        let last_try = readiness == Readiness::LastTry;
                        let setup_problem = readiness.needs_setup();
                        // At the terminal what to install or connect is the operator's
                        // business: the citizen is told to ask the staff.
                        let terminal = at_terminal();
                        // A phone's browser has no extension: the way on is a PC with a reader.
                        let on_phone = setup_problem && crate::extension::is_phone();
                        let needs_install = setup_problem && !terminal && !on_phone;
                        let out_of_order = terminal
                            && (setup_problem
                                || matches!(
                                    readiness.code(),
                                    Some(
                                        ErrorCode::NoPcscService
                                            | ErrorCode::NoReader
                                            | ErrorCode::OriginNotAllowed
                                    )
                                ));
                        view! {
                            <p
                                class=if last_try { "warning last-try" } else if ok { "ready" } else { "not-ready" }
                                data-readiness=readiness.key()
                            >
                                {if out_of_order {
                                    tx(|l| td_string!(l, card_error.terminal_out_of_order)).into_any()
                                } else if on_phone {
                                    tx(|l| td_string!(l, card_error.phone)).into_any()
                                } else {
                                    readiness_message(&readiness)
                                }}
                            </p>
                            {match &readiness {
                                Readiness::VersionMismatch(update) if !terminal => update_hint(*update),
                                _ => None,
                            }}
                            {tries.map(|count| view! { <p>{t!(i18n, card.tries_left, count)}</p> })}
                            <Show when=move || last_try>
                                <label class="confirm">
                                    <input type="checkbox" prop:checked=move || confirmed.get()
                                        on:change=move |ev| confirmed.set(event_target_checked(&ev))/>
                                    {tx(|l| td_string!(l, card.confirm_last_try))}
                                </label>
                            </Show>
                            <Show when=move || needs_install>
                                <p><a class="install" href=routes::INSTALL rel=routes::outside_portal().then_some("external")>
                                    {tx(|l| td_string!(l, card.install_link))}
                                </a></p>
                            </Show>
                            // Also after a maintenance window: the step goes on with everything
                            // typed so far.
                            <Show when=move || (!ok || stopped()) && !on_phone>
                                <button type="button" on:click=move |_| check()>{tx(|l| td_string!(l, card.recheck))}</button>
                            </Show>
                        }
                        .into_any()
                    }
                }}
            </div>
            <Show when=move || busy.get()>
                <p class="progress" role="status"><span class="spinner" aria-hidden="true"></span>{tx(|l| td_string!(l, card.reading))}</p>
                // A full-screen browser may hide the extension's window: the way to it.
                <p class="pin-window-open">{tx(|l| td_string!(l, card.pin_window_open))}</p>
                <button type="button" class="show-pin-window" on:click=move |_| {
                    let locale = i18n.get_locale_untracked();
                    spawn_local(async move {
                        let _ = crate::extension::show_pin_window(lang(locale)).await;
                    });
                }>{tx(|l| td_string!(l, card.show_pin_window))}</button>
            </Show>
            {move || failure.get().map(|failure| view! { <FailureMessage failure/> })}
            // Never a dead button: on a phone, where the card cannot be read, there is none.
            <button type="button" class="primary" disabled=move || !can_read() on:click=read
                hidden=move || stopped() || (state.get().is_some_and(|s| s.needs_setup())
                    && crate::extension::is_phone())>{submit}</button>
            <Troubleshooting/>
        </section>
    }
}
