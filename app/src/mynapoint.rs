//! MyNa Point's start screen and reservation (F4; `mynapoint/index.html`, the `mynapoint`
//! binary, [`App`]) and its application (F5 up to the signed application;
//! `mynapoint/apply/index.html`, the `mynapoint_apply` binary, [`ApplyApp`]) — two of MyNa
//! Point's three parts; the receipt and F6 are the third (`crate::receipt`). In kiosk mode
//! (`/mynapoint/kiosk`, or `?kiosk=1`) the targets are large, an on-screen [`Keyboard`] of the
//! field's kind fills the fields (`docs/terminal.md`), and 60 s without input end the session
//! (the server's idle timeout, so a test can shorten it).

use leptos::{prelude::*, task::spawn_local};
use leptos_router::{
    components::{Route, Router, Routes},
    hooks::use_navigate,
    path,
};

use crate::{
    api::{self, ApiCode, ApiErrorBody, Service},
    content::{self, Content},
    i18n::*,
    kiosk::{self, Idle, IdleTimer, Layout},
    ui::{api_message, tx, CardStep, Failure, FailureMessage, StepHeading},
    validate::{self, Field, PaymentInput},
};

/// Whether the page runs on the MyNa Point terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kiosk(pub bool);

const KIOSK_KEY: &str = "myna-kiosk";

/// The terminal's start page.
pub const KIOSK_START: &str = "/mynapoint/kiosk";
/// The part's start page on a PC.
pub const START: &str = "/mynapoint";

/// Mounts MyNa Point on `<body>` (the `mynapoint` binary, `mynapoint/index.html`).
pub fn mount() {
    leptos::mount::mount_to_body(App);
}

/// Mounts MyNa Point's application part on `<body>` (the `mynapoint_apply` binary,
/// `mynapoint/apply/index.html`).
pub fn mount_apply() {
    leptos::mount::mount_to_body(ApplyApp);
}

/// Kiosk mode from the address, for this tab; `<body class="kiosk">` at the terminal.
pub(crate) fn start_kiosk() -> bool {
    let kiosk = kiosk_from_location();
    provide_context(Kiosk(kiosk));
    crate::api::set_terminal(kiosk);
    if kiosk {
        if let Some(body) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.body())
        {
            let _ = body.class_list().add_1("kiosk");
        }
    }
    kiosk
}

/// What every MyNa Point part shows around its routes: language context, header, the
/// certificate notice, the terminal's idle guard.
#[component]
pub(crate) fn Shell(kiosk: bool, children: Children) -> impl IntoView {
    view! {
        <crate::ui::Language>
            <Router>
                <crate::ui::Header/>
                <main id="main">
                    <crate::ui::CertificateNotice/>
                    {children()}
                </main>
                <Show when=move || kiosk><IdleGuard/></Show>
            </Router>
        </crate::ui::Language>
    }
}

/// MyNa Point's start and reservation part (`protocol::site::MYNAPOINT_ROUTES`): the start
/// screen, on a PC and at the terminal, and F4.
#[component]
pub fn App() -> impl IntoView {
    let kiosk = start_kiosk();
    view! {
        <Shell kiosk>
            <Routes fallback=crate::ui::NotFound>
                <Route path=path!("/mynapoint") view=Start/>
                <Route path=path!("/mynapoint/kiosk") view=Start/>
                <Route path=path!("/mynapoint/reserve") view=Reserve/>
            </Routes>
        </Shell>
    }
}

/// MyNa Point's application part (`protocol::site::MYNAPOINT_APPLY_ROUTES`): F5 and F6. A
/// part of its own so that neither MyNa Point first page passes its size budget; moving
/// between the parts is a full page load ([`use_go_to`]).
#[component]
pub fn ApplyApp() -> impl IntoView {
    let kiosk = start_kiosk();
    view! {
        <Shell kiosk>
            <Routes fallback=crate::ui::NotFound>
                <Route path=path!("/mynapoint/apply") view=PointApply/>
            </Routes>
        </Shell>
    }
}

/// What a page load to another part does instead, where one would end the page: a browser
/// test provides it around a part to see where the part sends the citizen.
#[derive(Clone, Copy)]
pub struct PageLoad(pub Callback<String>);

/// A function that goes to a path: through the router when this part answers it, else with a
/// full page load (another part's page: `protocol::site::part_of`), or the [`PageLoad`] a test
/// provided. Call it when the component is set up (it reads the router and the context).
pub(crate) fn use_go_to() -> impl Fn(&str) + Clone + 'static {
    let navigate = use_navigate();
    let load = use_context::<PageLoad>();
    move |path: &str| {
        let window = web_sys::window();
        let here = window
            .as_ref()
            .and_then(|w| w.location().pathname().ok())
            .and_then(|p| protocol::site::part_of(&p));
        if here.is_some() && here == protocol::site::part_of(path) {
            navigate(path, Default::default());
        } else if let Some(PageLoad(load)) = load {
            load.run(path.to_owned());
        } else if let Some(window) = window {
            let _ = window.location().assign(path);
        }
    }
}

/// Kiosk mode: `/mynapoint/kiosk` or `?kiosk=1` turns it on for the tab (sessionStorage).
pub fn kiosk_from_location() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let location = window.location();
    let asked = location
        .pathname()
        .is_ok_and(|p| p.starts_with(KIOSK_START))
        || location.search().is_ok_and(|s| s.contains("kiosk=1"));
    let storage = window.session_storage().ok().flatten();
    if asked {
        if let Some(storage) = &storage {
            let _ = storage.set_item(KIOSK_KEY, "1");
        }
        return true;
    }
    storage
        .and_then(|s| s.get_item(KIOSK_KEY).ok().flatten())
        .is_some_and(|v| v == "1")
}

pub(crate) fn kiosk() -> bool {
    use_context::<Kiosk>().is_some_and(|k| k.0)
}

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
    let activity = crate::ui::card_activity();
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
                go_to(KIOSK_START);
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
            crate::ui::open_modal(dialog);
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

/// The start screen: 「予約」 or 「申込」; on the terminal, the idle notice; on a PC, the way
/// back to the portal.
#[component]
pub fn Start() -> impl IntoView {
    let kiosk = kiosk();
    if kiosk {
        // The terminal's start screen begins a new citizen's visit: whatever session is left
        // (「トップへ戻る」 after a reservation) ends here.
        // (The session's CSRF token first: a page just loaded has none.)
        spawn_local(async move {
            if api::session().await.is_ok_and(|s| s.authenticated) {
                let _ = api::logout().await;
            }
        });
    }
    view! {
        <StepHeading>
            {if kiosk { tx(|l| td_string!(l, mynapoint.start)) } else { tx(|l| td_string!(l, top.mynapoint_title)) }}
        </StepHeading>
        <Show when=move || kiosk>
            <p class="note">{tx(|l| td_string!(l, mynapoint.idle_notice))}</p>
        </Show>
        <ul class="actions big">
            <li><a class="button primary" href="/mynapoint/reserve">{tx(|l| td_string!(l, top.mynapoint_reserve))}</a></li>
            <li><a class="button primary" href="/mynapoint/apply" rel="external">{tx(|l| td_string!(l, top.mynapoint_apply))}</a></li>
        </ul>
        <Show when=move || !kiosk>
            <p><a href="/" rel="external">{tx(|l| td_string!(l, mynapoint.to_portal))}</a></p>
        </Show>
    }
}

/// A confirmation (「予約確定」「申込確定」) with OK and Cancel: the platform's `<dialog>`, opened
/// with `showModal()` — named by its heading, the page behind inert, the focus inside (on OK),
/// Tab kept inside, Escape the same as Cancel.
#[component]
fn Confirm(
    text: AnyView,
    ok: AnyView,
    on_ok: Callback<()>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    crate::ui::open_modal(dialog);
    view! {
        <dialog class="dialog" node_ref=dialog aria-labelledby="confirm-title" aria-describedby="confirm-text"
            on:cancel=move |ev: web_sys::Event| { ev.prevent_default(); on_cancel.run(()) }>
            <h2 id="confirm-title">{ok}</h2>
            <p id="confirm-text">{text}</p>
            <div class="buttons">
                <button type="button" on:click=move |_| on_cancel.run(())>{tx(|l| td_string!(l, mynapoint.cancel))}</button>
                <button type="button" class="primary" autofocus on:click=move |_| on_ok.run(())>{tx(|l| td_string!(l, mynapoint.ok))}</button>
            </div>
        </dialog>
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum ReserveStep {
    Card,
    Issue { confirming: bool },
    Done(String),
}

/// F4: card → 「発行」 → 「予約確定」 → the MyKey ID → 「申込へ」 or the top.
#[component]
pub fn Reserve() -> impl IntoView {
    let step = RwSignal::new(ReserveStep::Card);
    let failure = RwSignal::new(None::<Failure>);
    let on_login = Callback::new(move |()| step.set(ReserveStep::Issue { confirming: false }));
    let issue = Callback::new(move |()| {
        spawn_local(async move {
            match api::reserve().await {
                Ok(reservation) => step.set(ReserveStep::Done(reservation.my_key_id)),
                Err(error) => {
                    failure.set(Some(Failure::Api(error)));
                    step.set(ReserveStep::Issue { confirming: false });
                }
            }
        });
    });
    let top = if kiosk() { KIOSK_START } else { START };
    view! {
        <h2 class="flow-title">{tx(|l| td_string!(l, mynapoint.reserve_title))}</h2>
        {move || match step.get() {
            ReserveStep::Card => view! {
                <StepHeading>{tx(|l| td_string!(l, mynapoint.issue_heading))}</StepHeading>
                <CardStep submit=tx(|l| td_string!(l, mynapoint.next)).into_any() on_login failure/>
            }
            .into_any(),
            ReserveStep::Issue { confirming } => view! {
                <StepHeading>{tx(|l| td_string!(l, mynapoint.issue_heading))}</StepHeading>
                {move || failure.get().map(|failure| view! { <FailureMessage failure/> })}
                <button type="button" class="primary" on:click=move |_| step.set(ReserveStep::Issue { confirming: true })>
                    {tx(|l| td_string!(l, mynapoint.issue))}
                </button>
                <Show when=move || confirming>
                    <Confirm
                        text=tx(|l| td_string!(l, mynapoint.confirm_reserve)).into_any()
                        ok=tx(|l| td_string!(l, mynapoint.reserve_ok)).into_any()
                        on_ok=issue
                        on_cancel=Callback::new(move |()| step.set(ReserveStep::Issue { confirming: false }))
                    />
                </Show>
            }
            .into_any(),
            ReserveStep::Done(id) => view! {
                <StepHeading>{tx(|l| td_string!(l, mynapoint.reserved_heading))}</StepHeading>
                <dl class="my-key-id"><dt>{tx(|l| td_string!(l, mynapoint.my_key_id))}</dt><dd data-my-key-id=id.clone()>{id.clone()}</dd></dl>
                <Content name="reserved"/>
                <div class="buttons">
                    <a class="button primary" href="/mynapoint/apply?continue=1" rel="external">{tx(|l| td_string!(l, mynapoint.to_apply))}</a>
                    <a class="button" href=top>{tx(|l| td_string!(l, mynapoint.to_top))}</a>
                </div>
            }
            .into_any(),
        }}
    }
}

/// The terminal's on-screen keyboard for one field (docs/terminal.md): the keys of `layout`,
/// each appending to `target`, under a line naming the `field` it types into.
#[component]
pub fn Keyboard(
    layout: Layout,
    target: RwSignal<String>,
    /// The field's label, named above the keys.
    field: fn(Locale) -> &'static str,
) -> impl IntoView {
    // The alphanumeric keyboard's shift: small letters while on.
    let small = RwSignal::new(false);
    let shown = move |key: char| {
        if small.get() {
            key.to_ascii_lowercase()
        } else {
            key
        }
    };
    let mark = move |pairs: &'static str| {
        move |_| {
            target.update(|t| {
                if let Some(marked) = kiosk::mark_last(t, pairs) {
                    *t = marked;
                }
            })
        }
    };
    view! {
        <div class="keyboard" class:digits=layout == Layout::Digits role="group" aria-labelledby="keyboard-target">
            <p class="keyboard-target" id="keyboard-target">{tx(|l| td_string!(l, mynapoint.typing_into))}{tx(field)}</p>
            <div class="keys">
                {layout
                    .rows()
                    .iter()
                    .flat_map(|row| row.chars())
                    .map(|key| {
                        if key == '\u{3000}' {
                            view! { <span></span> }.into_any()
                        } else {
                            view! {
                                <button type="button" class="key" on:click=move |_| target.update(|t| t.push(shown(key)))>
                                    {move || shown(key).to_string()}
                                </button>
                            }
                            .into_any()
                        }
                    })
                    .collect_view()}
            </div>
            <div class="edit-keys">
                {match layout {
                    Layout::Kana => view! {
                        <button type="button" class="key" on:click=mark(kiosk::VOICED)>"゛"</button>
                        <button type="button" class="key" on:click=mark(kiosk::SEMI_VOICED)>"゜"</button>
                        <button type="button" class="key" on:click=mark(kiosk::SMALL)>"小"</button>
                    }
                    .into_any(),
                    Layout::Alphanumeric => view! {
                        <button type="button" class="key" aria-pressed=move || small.get().to_string()
                            on:click=move |_| small.update(|s| *s = !*s)>"abc"</button>
                    }
                    .into_any(),
                    Layout::Digits => ().into_any(),
                }}
                <button type="button" class="key wide" on:click=move |_| target.update(|t| { t.pop(); })>{tx(|l| td_string!(l, mynapoint.delete))}</button>
                <button type="button" class="key wide" on:click=move |_| target.set(String::new())>{tx(|l| td_string!(l, mynapoint.clear))}</button>
            </div>
        </div>
    }
}

/// A labelled text field bound to a signal.
#[component]
fn TextField(
    id: &'static str,
    label: AnyView,
    value: RwSignal<String>,
    #[prop(optional)] numeric: bool,
    /// The field this input is, and the signal naming the field in error.
    #[prop(optional)]
    check: Option<(Field, RwSignal<Option<Field>>)>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let described = error_id.clone();
    let wrong = move || check.is_some_and(|(field, error)| error.get() == Some(field));
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input id=id name=id type="text" autocomplete="off"
                // At the terminal the on-screen keyboard types; the system's stays away.
                inputmode=if kiosk() { "none" } else if numeric { "numeric" } else { "text" }
                aria-describedby=described
                aria-invalid=move || wrong().then_some("true")
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))/>
            <p class="field-error" id=error_id role="alert">
                {move || check.filter(|_| wrong()).map(|(field, _)| field_message(field))}
            </p>
        </div>
    }
}

#[derive(Debug, Clone, PartialEq)]
enum ApplyStep {
    /// Asking the server whether the card already logged in (straight from the reservation:
    /// the leaflet reads the card once there, and again only at step 7).
    Starting,
    Card,
    NoReservation,
    Search,
    Results(Vec<Service>),
    Service(Service),
    Terms(Service),
    Input(Service),
    Review {
        service: Service,
        input: PaymentInput,
        confirming: bool,
    },
    CardAgain {
        service: Service,
        input: PaymentInput,
    },
}

/// The message of a refusal of the application, at the input step: the field's own text when
/// the server named a field of the form, else the refusal's.
fn point_error(error: &ApiErrorBody) -> AnyView {
    match (
        error.code,
        error.field.as_deref().and_then(Field::from_api_name),
    ) {
        (ApiCode::InvalidField, Some(field)) => field_message(field),
        _ => api_message(error),
    }
}

fn field_message(field: Field) -> AnyView {
    match field {
        Field::PaymentServiceId => {
            tx(|l| td_string!(l, mynapoint.invalid_payment_service_id)).into_any()
        }
        Field::SecurityCode => tx(|l| td_string!(l, mynapoint.invalid_security_code)).into_any(),
        Field::PhoneLast4 => tx(|l| td_string!(l, mynapoint.invalid_phone_last4)).into_any(),
    }
}

/// A service's four rows.
#[component]
fn ServiceTable(service: Service) -> impl IntoView {
    view! {
        <table class="status-table service">
            <tbody>
                <tr><th scope="row">{tx(|l| td_string!(l, mynapoint.service_name))}</th><td>{service.name}</td></tr>
                <tr><th scope="row">{tx(|l| td_string!(l, mynapoint.category))}</th><td>{service.category}</td></tr>
                <tr><th scope="row">{tx(|l| td_string!(l, mynapoint.payment_method))}</th><td>{service.payment_method}</td></tr>
                <tr><th scope="row">{tx(|l| td_string!(l, mynapoint.registration_number))}</th><td>{service.registration_number}</td></tr>
            </tbody>
        </table>
    }
}

/// F5: login → search → results → service → terms → input → review → card → receipt, then F6.
#[component]
pub fn PointApply() -> impl IntoView {
    let go_to = use_go_to();
    let kiosk = kiosk();
    let step = RwSignal::new(ApplyStep::Starting);
    let failure = RwSignal::new(None::<Failure>);
    let my_key_id = RwSignal::new(None::<String>);
    let keyword = RwSignal::new(String::new());
    let agreed = RwSignal::new(false);
    let payment_id = RwSignal::new(String::new());
    let security_code = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let field_error = RwSignal::new(None::<Field>);
    let apply_error = RwSignal::new(None::<ApiErrorBody>);
    let focused = RwSignal::new(0u8);
    let checking = RwSignal::new(false);

    let after_login = Callback::new(move |()| {
        spawn_local(async move {
            match api::reservation().await {
                Ok(reservation) => {
                    my_key_id.set(Some(reservation.my_key_id));
                    step.set(ApplyStep::Search);
                }
                Err(error) if error.code == ApiCode::NotFound => step.set(ApplyStep::NoReservation),
                Err(error) => {
                    // Shown by the card step, which offers the way on.
                    failure.set(Some(Failure::Api(error)));
                    step.set(ApplyStep::Card);
                }
            }
        });
    });
    // Only straight from the reservation (「申込へ」, `?continue=1`) does the card's session
    // count; the start screen's 「マイナポイントの申込」 always reads the card (at a terminal
    // the session may still be the previous citizen's).
    let from_reservation = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .is_some_and(|s| s.contains("continue=1"));
    spawn_local(async move {
        if from_reservation && api::session().await.is_ok_and(|s| s.authenticated) {
            after_login.run(());
        } else {
            step.set(ApplyStep::Card);
        }
    });
    let search = move || {
        let q = keyword.get_untracked();
        spawn_local(async move {
            match api::services(&q).await {
                Ok(found) => step.set(ApplyStep::Results(found)),
                Err(error) => failure.set(Some(Failure::Api(error))),
            }
        });
    };
    // A refusal of the application (at step 5's check, or after the card at step 7): back to
    // the input, nothing typed lost, the wrong field marked.
    let refused = move |error: ApiErrorBody, service: Service| {
        if error.code == ApiCode::InvalidField {
            field_error.set(error.field.as_deref().and_then(Field::from_api_name));
        }
        apply_error.set(Some(error));
        step.set(ApplyStep::Input(service));
    };
    let submit_input = move |service: Service| match validate::payment_input(
        &payment_id.get_untracked(),
        &security_code.get_untracked(),
        &phone.get_untracked(),
    ) {
        Ok(input) => {
            field_error.set(None);
            apply_error.set(None);
            // One check at a time: a second press while the provider is asked does nothing.
            if checking.get_untracked() {
                return;
            }
            checking.set(true);
            // Step 5's errors at step 5: the provider and the one-use rule are asked now.
            spawn_local(async move {
                let checked =
                    api::apply_point(&service.registration_number, &input, kiosk, true).await;
                checking.set(false);
                match checked {
                    Ok(_) => step.set(ApplyStep::Review {
                        service,
                        input,
                        confirming: false,
                    }),
                    Err(error) => refused(error, service),
                }
            });
        }
        Err(field) => field_error.set(Some(field)),
    };
    let submit_application = Callback::new(move |()| {
        let ApplyStep::CardAgain { service, input } = step.get_untracked() else {
            return;
        };
        let go_to = go_to.clone();
        spawn_local(async move {
            match api::apply_point(&service.registration_number, &input, kiosk, false).await {
                Ok(true) => {
                    // The security code is not kept once the application is made; the receipt
                    // part reads the receipt from the server (a reload shows it again).
                    security_code.set(String::new());
                    go_to(protocol::site::MYNAPOINT_RECEIPT_PREFIX);
                }
                Ok(false) => refused(ApiErrorBody::network("unexpected answer"), service),
                Err(error) => refused(error, service),
            }
        });
    });
    view! {
        <h2 class="flow-title">
            {tx(|l| td_string!(l, mynapoint.apply_title))}
            {move || my_key_id.get().map(|id| view! { <span class="my-key-id-badge">{tx(|l| td_string!(l, mynapoint.my_key_id))}": "{id}</span> })}
        </h2>
        {move || match step.get() {
            ApplyStep::Starting => ().into_any(),
            ApplyStep::Card => view! {
                <StepHeading>{tx(|l| td_string!(l, mynapoint.apply_title))}</StepHeading>
                <CardStep submit=tx(|l| td_string!(l, mynapoint.to_input)).into_any() on_login=after_login failure/>
            }
            .into_any(),
            ApplyStep::NoReservation => view! {
                <StepHeading>{tx(|l| td_string!(l, mynapoint.reserve_first))}</StepHeading>
                <a class="button primary" href="/mynapoint/reserve" rel="external">{tx(|l| td_string!(l, top.mynapoint_reserve))}</a>
            }
            .into_any(),
            ApplyStep::Search => view! {
                <StepHeading>{tx(|l| td_string!(l, mynapoint.search_heading))}</StepHeading>
                <div class="with-keyboard">
                    <form on:submit=move |ev| { ev.prevent_default(); search(); } class:typing=kiosk>
                        <TextField id="keyword" label=tx(|l| td_string!(l, mynapoint.keyword)).into_any() value=keyword/>
                        <Content name="keyword-hint"/>
                        <button type="submit" class="primary">{tx(|l| td_string!(l, mynapoint.search))}</button>
                    </form>
                    <Show when=move || kiosk><Keyboard layout=Layout::Kana target=keyword field=|l| td_string!(l, mynapoint.keyword)/></Show>
                </div>
                {move || failure.get().map(|failure| view! { <FailureMessage failure/> })}
            }
            .into_any(),
            ApplyStep::Results(found) => {
                let chosen = RwSignal::new(None::<usize>);
                let empty = found.is_empty();
                let list = found.clone();
                view! {
                    <StepHeading>{tx(|l| td_string!(l, mynapoint.results_heading))}</StepHeading>
                    <Show when=move || empty><p>{tx(|l| td_string!(l, mynapoint.no_results))}</p></Show>
                    <fieldset class="results">
                        <legend>{tx(|l| td_string!(l, mynapoint.results_heading))}</legend>
                        {list
                            .into_iter()
                            .enumerate()
                            .map(|(i, service)| view! {
                                <label class="result">
                                    <input type="radio" name="service" value=service.registration_number.clone()
                                        on:change=move |_| chosen.set(Some(i))/>
                                    <span class="name">{service.name.clone()}</span>
                                    <span class="category">{service.category.clone()}</span>
                                </label>
                            })
                            .collect_view()}
                    </fieldset>
                    <div class="buttons">
                        <button type="button" on:click=move |_| step.set(ApplyStep::Search)>{tx(|l| td_string!(l, mynapoint.search))}</button>
                        <button type="button" class="primary" disabled=move || chosen.get().is_none()
                            on:click=move |_| {
                                if let Some(service) = chosen.get().and_then(|i| found.get(i).cloned()) {
                                    step.set(ApplyStep::Service(service));
                                }
                            }>
                            {tx(|l| td_string!(l, mynapoint.select))}
                        </button>
                    </div>
                }
                .into_any()
            }
            ApplyStep::Service(service) => {
                let blocked = kiosk && !service.kiosk_applicable;
                let next = service.clone();
                view! {
                    <StepHeading>{tx(|l| td_string!(l, mynapoint.service_heading))}</StepHeading>
                    <ServiceTable service/>
                    <Show when=move || blocked>
                        <p class="error" role="alert">{tx(|l| td_string!(l, mynapoint.kiosk_not_applicable))}</p>
                    </Show>
                    <div class="buttons">
                        <button type="button" on:click=move |_| step.set(ApplyStep::Search)>{tx(|l| td_string!(l, mynapoint.search))}</button>
                        <button type="button" class="primary" disabled=blocked
                            on:click=move |_| { agreed.set(false); step.set(ApplyStep::Terms(next.clone())); }>
                            {tx(|l| td_string!(l, mynapoint.next))}
                        </button>
                    </div>
                }
                .into_any()
            }
            ApplyStep::Terms(service) => view! {
                <StepHeading>{tx(|l| td_string!(l, mynapoint.terms_heading))}</StepHeading>
                <div class="terms" tabindex="0"><Content name=content::mynapoint_terms()/></div>
                <p><a href="/terms/mynapoint" target="_blank" rel="noopener">{tx(|l| td_string!(l, terms.mynapoint_title))}</a></p>
                <Content name="only-one"/>
                <label class="checkbox">
                    <input type="checkbox" prop:checked=move || agreed.get() on:change=move |ev| agreed.set(event_target_checked(&ev))/>
                    {tx(|l| td_string!(l, mynapoint.terms_agree))}
                </label>
                <button type="button" class="primary" disabled=move || !agreed.get()
                    on:click=move |_| step.set(ApplyStep::Input(service.clone()))>
                    {tx(|l| td_string!(l, mynapoint.to_input))}
                </button>
            }
            .into_any(),
            ApplyStep::Input(service) => {
                // The field the terminal's keyboard types into (the last one touched), and
                // the keyboard its kind needs.
                let keyboard = move || {
                    let (target, layout, field): (_, _, fn(Locale) -> &'static str) = match focused.get() {
                        1 => (security_code, Layout::Alphanumeric, |l| td_string!(l, mynapoint.security_code)),
                        2 => (phone, Layout::Digits, |l| td_string!(l, mynapoint.phone_last4)),
                        _ => (payment_id, Layout::Alphanumeric, |l| td_string!(l, mynapoint.payment_service_id)),
                    };
                    view! { <Keyboard layout target field/> }
                };
                let typing = move |n: u8| kiosk && focused.get() == n;
                view! {
                    <StepHeading>{tx(|l| td_string!(l, mynapoint.input_heading))}</StepHeading>
                    {move || apply_error.get().filter(|e| e.code != ApiCode::InvalidField).map(|error| view! {
                        <div class="error" role="alert"><p>{point_error(&error)}</p></div>
                    })}
                    <div class="with-keyboard">
                        <form on:submit=move |ev| { ev.prevent_default(); submit_input(service.clone()); }>
                            <div on:focusin=move |_| focused.set(0) class:typing=move || typing(0)>
                                <TextField id="payment-service-id" label=tx(|l| td_string!(l, mynapoint.payment_service_id)).into_any() value=payment_id check=(Field::PaymentServiceId, field_error)/>
                            </div>
                            <div on:focusin=move |_| focused.set(1) class:typing=move || typing(1)>
                                <TextField id="security-code" label=tx(|l| td_string!(l, mynapoint.security_code)).into_any() value=security_code check=(Field::SecurityCode, field_error)/>
                            </div>
                            <div on:focusin=move |_| focused.set(2) class:typing=move || typing(2)>
                                <TextField id="phone-last4" numeric=true label=tx(|l| td_string!(l, mynapoint.phone_last4)).into_any() value=phone check=(Field::PhoneLast4, field_error)/>
                            </div>
                            <Content name="phone-hint"/>
                            <button type="submit" class="primary" disabled=move || checking.get()>{tx(|l| td_string!(l, mynapoint.check))}</button>
                        </form>
                        <Show when=move || kiosk>{keyboard}</Show>
                    </div>
                }
                .into_any()
            }
            ApplyStep::Review { service, input, confirming } => {
                let (s2, i2) = (service.clone(), input.clone());
                let (s3, i3) = (service.clone(), input.clone());
                let back = service.clone();
                let masked = validate::mask(&input.payment_service_id);
                let phone = input.phone_last4.clone().unwrap_or_default();
                view! {
                    <StepHeading>{tx(|l| td_string!(l, mynapoint.confirm_heading))}</StepHeading>
                    <ServiceTable service/>
                    <dl class="review">
                        <dt>{tx(|l| td_string!(l, mynapoint.payment_service_id))}</dt><dd>{masked}</dd>
                        <dt>{tx(|l| td_string!(l, mynapoint.phone_last4))}</dt><dd>{phone}</dd>
                    </dl>
                    <div class="buttons">
                        <button type="button" on:click=move |_| step.set(ApplyStep::Input(back.clone()))>{tx(|l| td_string!(l, apply.back))}</button>
                        <button type="button" class="primary"
                            on:click=move |_| step.set(ApplyStep::Review { service: s2.clone(), input: i2.clone(), confirming: true })>
                            {tx(|l| td_string!(l, mynapoint.apply))}
                        </button>
                    </div>
                    <Show when=move || confirming>
                        <Confirm
                            text=tx(|l| td_string!(l, mynapoint.confirm_apply)).into_any()
                            ok=tx(|l| td_string!(l, mynapoint.apply_ok)).into_any()
                            on_ok=Callback::new({
                                let (service, input) = (s3.clone(), i3.clone());
                                move |()| step.set(ApplyStep::CardAgain { service: service.clone(), input: input.clone() })
                            })
                            on_cancel=Callback::new({
                                let (service, input) = (s3.clone(), i3.clone());
                                move |()| step.set(ApplyStep::Review { service: service.clone(), input: input.clone(), confirming: false })
                            })
                        />
                    </Show>
                }
                .into_any()
            }
            ApplyStep::CardAgain { .. } => view! {
                <StepHeading>{tx(|l| td_string!(l, mynapoint.card_again))}</StepHeading>
                <CardStep submit=tx(|l| td_string!(l, mynapoint.apply_ok)).into_any() on_login=submit_application failure/>
            }
            .into_any(),
        }}
    }
}
