//! Components shared by the screens: the header with the language switch, the step bar, the card
//! step (pre-check, reading, login), the F2 status table, and the messages of every error code.

use leptos::{html, prelude::*, task::spawn_local};
use protocol::{page::Lang, Component, ErrorBody, ErrorCode};

use leptos_i18n::Locale as _;

use crate::{
    api::{self, ApiCode, ApiErrorBody, InsuranceStatus},
    card::{readiness, Readiness},
    format,
    i18n::*,
};

/// A text of the translation files that follows the language. Every call returns the same
/// closure type, so the renderer is compiled once for all texts instead of once per `t!` site
/// (12 KB brotli less for the whole SPA; see BENCHMARKS.md). Use it as `tx(|l| td_string!(l, key))`;
/// texts with values to fill in keep `t!`.
pub fn tx(text: fn(Locale) -> &'static str) -> impl Fn() -> &'static str + Copy + Send + Sync {
    let i18n = use_i18n();
    move || text(i18n.get_locale())
}

/// The page's language for the helper's PIN window.
pub fn lang(locale: Locale) -> Lang {
    match locale {
        Locale::ja => Lang::Ja,
        Locale::en => Lang::En,
    }
}

/// Where the chosen language is remembered.
const LANG_KEY: &str = "myna-lang";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The remembered language, else Japanese (whatever the browser prefers: the portal is
/// Japanese first).
pub fn remembered_locale() -> Locale {
    storage()
        .and_then(|s| s.get_item(LANG_KEY).ok().flatten())
        .and_then(|lang| lang.parse().ok())
        .unwrap_or(Locale::ja)
}

/// The translations for everything inside, in the remembered language or Japanese.
#[component]
pub fn Language(children: Children) -> impl IntoView {
    provide_context(CardActivity::default());
    view! {
        <I18nContextProvider>
            <RememberedLocale/>
            {children()}
        </I18nContextProvider>
    }
}

/// Sets the remembered language once, after the provider's own start-up effect (which picks the
/// browser's preferred language: the portal is Japanese first, whatever the browser says).
#[component]
fn RememberedLocale() -> impl IntoView {
    let i18n = use_i18n();
    Effect::new(move |_| i18n.set_locale(remembered_locale()));
}

/// The header: the portal's name and the language switch (remembered in `localStorage`; the
/// `lang` attribute of `<html>` follows).
#[component]
pub fn Header() -> impl IntoView {
    let i18n = use_i18n();
    let switch = move |_| {
        let next = match i18n.get_locale() {
            Locale::ja => Locale::en,
            Locale::en => Locale::ja,
        };
        i18n.set_locale(next);
        if let Some(storage) = storage() {
            let _ = storage.set_item(LANG_KEY, next.as_str());
        }
    };
    // The portal's top page is in the other part when MyNa Point shows this header.
    let other_part = in_mynapoint();
    view! {
        <a class="skip" href="#main">{t!(i18n, skip_to_main)}</a>
        <header class="site-header">
            <a class="brand" href="/" rel=other_part.then_some("external")>{t!(i18n, portal_name)}</a>
            <button
                type="button"
                class="lang-switch"
                aria-label=move || t_string!(i18n, language_switch_label).to_string()
                on:click=switch
            >
                {t!(i18n, language_switch)}
            </button>
        </header>
    }
}

/// What the card step tells the rest of the page: whether a card request is under way (the
/// citizen may be typing the PIN in the extension's window, which the page cannot see: the
/// terminal's idle timer must not run out meanwhile), and when the certificate of the last
/// login expires.
#[derive(Debug, Clone, Copy, Default)]
pub struct CardActivity {
    /// A card request (challenge → PIN window → login) is under way.
    pub pending: RwSignal<bool>,
    /// The logged-in certificate's notAfter (RFC 3339), from the login's answer.
    pub expires_at: RwSignal<Option<String>>,
}

/// The page's [`CardActivity`] (a fresh one outside [`Language`], e.g. in component tests).
pub fn card_activity() -> CardActivity {
    use_context::<CardActivity>().unwrap_or_default()
}

/// How long before its expiry the page warns about the certificate: three months, when the
/// municipal office starts renewing it.
pub const EXPIRY_WARNING_MS: f64 = 92.0 * 86_400_000.0;

/// After a login (in this page, or earlier in the session), within [`EXPIRY_WARNING_MS`] of the
/// certificate's expiry: when it expires and where to renew it. (An expired certificate cannot log in: `CERTIFICATE_EXPIRED` has its
/// own message.)
#[component]
pub fn CertificateNotice() -> impl IntoView {
    let i18n = use_i18n();
    let activity = card_activity();
    // After a reload or a move to the other part: the session still knows the expiry.
    spawn_local(async move {
        if let Ok(info) = api::session().await {
            if info.certificate_expires_at.is_some() {
                activity.expires_at.set(info.certificate_expires_at);
            }
        }
    });
    move || {
        let at = activity.expires_at.get()?;
        let expires_ms = js_sys::Date::parse(&at);
        let left = expires_ms - js_sys::Date::now();
        (left.is_finite() && left < EXPIRY_WARNING_MS).then(|| {
            let date = move || format::date(&at, i18n.get_locale() == Locale::ja);
            view! {
                <p class="warning certificate-expiry" role="status">
                    {t!(i18n, card.certificate_expires, date)}
                </p>
            }
        })
    }
}

/// 「ページが見つかりません」: every path that is not a route of the part (the server answers
/// such a path with 404 and this page).
#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <StepHeading>{tx(|l| td_string!(l, not_found.title))}</StepHeading>
        <p>{tx(|l| td_string!(l, not_found.text))}</p>
        <p><a class="button" href="/" rel=in_mynapoint().then_some("external")>{tx(|l| td_string!(l, not_found.top))}</a></p>
    }
}

/// Whether the page runs on the MyNa Point terminal (`mynapoint::Kiosk`).
fn at_terminal() -> bool {
    use_context::<crate::mynapoint::Kiosk>().is_some_and(|k| k.0)
}

/// Whether the page is MyNa Point's part: links to the portal's pages are then full page loads.
fn in_mynapoint() -> bool {
    web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .is_some_and(|path| path.starts_with(crate::mynapoint::START))
}

/// Opens `dialog` with `showModal()` once it is in the page (the platform's modal dialog: the
/// rest of the page inert, the focus inside, Tab kept inside, Escape sends `cancel`).
pub fn open_modal(dialog: NodeRef<html::Dialog>) {
    Effect::new(move |_| {
        if let Some(element) = dialog.get() {
            if !element.open() {
                let _ = element.show_modal();
            }
        }
    });
}

/// A heading that takes the focus when it appears, so that screen readers announce each step.
#[component]
pub fn StepHeading(children: Children) -> impl IntoView {
    let heading = NodeRef::<html::H1>::new();
    Effect::new(move |_| {
        if let Some(element) = heading.get() {
            let _ = element.focus();
        }
    });
    view! { <h1 node_ref=heading tabindex="-1">{children()}</h1> }
}

/// 「ステップ1 ステップ2 完了」 with the current one marked.
#[component]
pub fn StepBar(current: usize) -> impl IntoView {
    let i18n = use_i18n();
    let item = move |index: usize, label: AnyView| {
        let state = match index.cmp(&current) {
            std::cmp::Ordering::Less => "done",
            std::cmp::Ordering::Equal => "current",
            std::cmp::Ordering::Greater => "todo",
        };
        view! {
            <li class=state aria-current=(index == current).then_some("step")>{label}</li>
        }
    };
    view! {
        <ol class="step-bar" aria-label=move || t_string!(i18n, steps.label).to_string()>
            {item(0, tx(|l| td_string!(l, steps.step1)).into_any())}
            {item(1, tx(|l| td_string!(l, steps.step2)).into_any())}
            {item(2, tx(|l| td_string!(l, steps.done)).into_any())}
        </ol>
    }
}

/// The message of a code of the extension or the bridge (`protocol::ErrorCode`): every code
/// has its text here, so a code added to the contract does not compile until it has one.
pub fn card_message(code: ErrorCode) -> AnyView {
    match code {
        ErrorCode::ExtensionUnavailable => {
            tx(|l| td_string!(l, card_error.extension_unavailable)).into_any()
        }
        ErrorCode::BridgeUnavailable => {
            tx(|l| td_string!(l, card_error.bridge_unavailable)).into_any()
        }
        ErrorCode::VersionMismatch => tx(|l| td_string!(l, card_error.version_mismatch)).into_any(),
        ErrorCode::OriginNotAllowed => {
            tx(|l| td_string!(l, card_error.origin_not_allowed)).into_any()
        }
        ErrorCode::InvalidRequest => tx(|l| td_string!(l, card_error.invalid_request)).into_any(),
        ErrorCode::NoPcscService => tx(|l| td_string!(l, card_error.no_pcsc_service)).into_any(),
        ErrorCode::NoReader => tx(|l| td_string!(l, card_error.no_reader)).into_any(),
        ErrorCode::NoCard => tx(|l| td_string!(l, card_error.no_card)).into_any(),
        ErrorCode::CardRemoved => tx(|l| td_string!(l, card_error.card_removed)).into_any(),
        ErrorCode::NotMynumberCard => {
            tx(|l| td_string!(l, card_error.not_mynumber_card)).into_any()
        }
        ErrorCode::ReaderInUse => tx(|l| td_string!(l, card_error.reader_in_use)).into_any(),
        ErrorCode::PinFormat => tx(|l| td_string!(l, card_error.pin_format)).into_any(),
        ErrorCode::PinIncorrect => tx(|l| td_string!(l, card_error.pin_incorrect)).into_any(),
        ErrorCode::PinBlocked => tx(|l| td_string!(l, card_error.pin_blocked)).into_any(),
        ErrorCode::PinLastTry => tx(|l| td_string!(l, card_error.pin_last_try)).into_any(),
        ErrorCode::UserCancelled => tx(|l| td_string!(l, card_error.user_cancelled)).into_any(),
        ErrorCode::Timeout => tx(|l| td_string!(l, card_error.timeout)).into_any(),
        ErrorCode::Internal => tx(|l| td_string!(l, card_error.internal)).into_any(),
    }
}

/// The card step's message for a verdict of the pre-card check.
pub fn readiness_message(readiness: &Readiness) -> AnyView {
    match readiness.code() {
        None => tx(|l| td_string!(l, card_error.ready)).into_any(),
        Some(code) => card_message(code),
    }
}

/// After a `VERSION_MISMATCH`: which part to update, when the helper said.
pub fn update_hint(update: Option<Component>) -> Option<AnyView> {
    update.map(|part| {
        let text = match part {
            Component::Bridge => tx(|l| td_string!(l, card.update_bridge)),
            Component::Extension => tx(|l| td_string!(l, card.update_extension)),
        };
        view! { <p class="update">{text}</p> }.into_any()
    })
}

/// The message of a refusal of the server: every [`ApiCode`] has its text here, so a code added
/// to `protocol::api` does not compile until it has one.
pub fn api_message(error: &ApiErrorBody) -> AnyView {
    let i18n = use_i18n();
    match error.code {
        ApiCode::NotYetEligible => {
            let at = error.available_from.clone().unwrap_or_default();
            let date = move || format::date_time(&at, i18n.get_locale() == Locale::ja);
            t!(i18n, api_error.not_yet_eligible, date).into_any()
        }
        ApiCode::NotEligible => tx(|l| td_string!(l, api_error.not_eligible)).into_any(),
        ApiCode::UnknownPerson => tx(|l| td_string!(l, api_error.unknown_person)).into_any(),
        ApiCode::CertificateExpired => {
            tx(|l| td_string!(l, api_error.certificate_expired)).into_any()
        }
        ApiCode::CertificateRevoked => {
            tx(|l| td_string!(l, api_error.certificate_revoked)).into_any()
        }
        ApiCode::RevocationUnavailable => {
            tx(|l| td_string!(l, api_error.revocation_unavailable)).into_any()
        }
        ApiCode::CertificateUntrusted
        | ApiCode::CertificateGarbled
        | ApiCode::CertificateNotYetValid
        | ApiCode::CertificateKeyUsage
        | ApiCode::SignatureInvalid
        | ApiCode::AlgorithmUnsupported
        | ApiCode::TokenSize => tx(|l| td_string!(l, api_error.certificate_invalid)).into_any(),
        ApiCode::NoSession
        | ApiCode::NotAuthenticated
        | ApiCode::NoChallenge
        | ApiCode::ChallengeExpired => tx(|l| td_string!(l, api_error.session_ended)).into_any(),
        ApiCode::RateLimited => {
            let seconds = error.retry_after.unwrap_or(60);
            t!(i18n, api_error.rate_limited, seconds).into_any()
        }
        ApiCode::TermsChanged => tx(|l| td_string!(l, api_error.terms_changed)).into_any(),
        ApiCode::Network => tx(|l| td_string!(l, api_error.network)).into_any(),
        ApiCode::ProviderRejected => tx(|l| td_string!(l, mynapoint.provider_rejected)).into_any(),
        ApiCode::PaymentIdTaken => tx(|l| td_string!(l, mynapoint.payment_id_taken)).into_any(),
        ApiCode::AlreadyApplied => tx(|l| td_string!(l, mynapoint.already_applied)).into_any(),
        ApiCode::ProviderUnavailable => {
            tx(|l| td_string!(l, mynapoint.provider_unavailable)).into_any()
        }
        ApiCode::KioskNotAvailable => {
            tx(|l| td_string!(l, mynapoint.kiosk_not_applicable)).into_any()
        }
        ApiCode::MykeyRequired => tx(|l| td_string!(l, mynapoint.reserve_first)).into_any(),
        // Refusals a page that works does not cause (or a field the page does not know): the
        // general text with the code, for the help desk.
        ApiCode::InvalidRequest
        | ApiCode::InvalidField
        | ApiCode::TooLarge
        | ApiCode::CsrfFailed
        | ApiCode::UnknownService
        | ApiCode::NotFound
        | ApiCode::Internal
        | ApiCode::Unknown => {
            let code = error.code.as_str();
            t!(i18n, api_error.other, code).into_any()
        }
    }
}

/// What went wrong in the card step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// From the helper, with a contract code.
    Card(ErrorBody),
    /// From the server.
    Api(ApiErrorBody),
}

/// A failure's message, with the tries left after a wrong PIN.
#[component]
pub fn FailureMessage(failure: Failure) -> impl IntoView {
    let i18n = use_i18n();
    match failure {
        Failure::Card(body) => {
            let tries = body.tries_left;
            view! {
                <div class="error" role="alert">
                    <p>{card_message(body.code)}</p>
                    {update_hint(body.update)}
                    {tries.map(|count| view! { <p>{t!(i18n, card.tries_left, count)}</p> })}
                </div>
            }
            .into_any()
        }
        Failure::Api(error) => {
            view! { <div class="error" role="alert"><p>{api_message(&error)}</p></div> }.into_any()
        }
    }
}

/// The seed's 「上手くいかないときは」 list.
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
/// My Number Card → tries left), then challenge → the helper's PIN window and signature →
/// login. `on_login` runs once the session is authenticated.
#[component]
pub fn CardStep(
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
) -> impl IntoView {
    let i18n = use_i18n();
    let state = RwSignal::new(None::<Readiness>);
    let busy = RwSignal::new(false);
    let confirmed = RwSignal::new(false);
    let check = move || {
        state.set(None);
        let locale = i18n.get_locale_untracked();
        spawn_local(async move {
            state.set(Some(readiness(crate::helper::status(lang(locale)).await)));
        });
    };
    check();
    let activity = card_activity();
    let read = move |_| {
        busy.set(true);
        failure.set(None);
        activity.pending.set(true);
        let locale = i18n.get_locale_untracked();
        spawn_local(async move {
            let outcome = async {
                api::session().await.map_err(Failure::Api)?;
                let challenge = api::challenge().await.map_err(Failure::Api)?;
                let token = crate::helper::authenticate(challenge.nonce, lang(locale))
                    .await
                    .map_err(Failure::Card)?;
                let info = api::login(&token).await.map_err(Failure::Api)?;
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
        ready && (!last_try || confirmed.get()) && !busy.get()
    };
    view! {
        <section class="card-step">
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
                        let on_phone = setup_problem && crate::helper::is_phone();
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
                                <p><a class="install" href="/info#install" rel=in_mynapoint().then_some("external")>
                                    {tx(|l| td_string!(l, card.install_link))}
                                </a></p>
                            </Show>
                            <Show when=move || !ok && !on_phone>
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
                        let _ = crate::helper::show_pin_window(lang(locale)).await;
                    });
                }>{tx(|l| td_string!(l, card.show_pin_window))}</button>
            </Show>
            {move || failure.get().map(|failure| view! { <FailureMessage failure/> })}
            // Never a dead button: on a phone, where the card cannot be read, there is none.
            <button type="button" class="primary" disabled=move || !can_read() on:click=read
                hidden=move || state.get().is_some_and(|s| s.needs_setup())
                    && crate::helper::is_phone()>{submit}</button>
            <Troubleshooting/>
        </section>
    }
}

/// The F2 table: the third row only when the user opted in.
#[component]
pub fn StatusTable(status: InsuranceStatus) -> impl IntoView {
    let i18n = use_i18n();
    let applied = status.application == api::ApplicationState::Received;
    let registration = status.registration;
    let expected = status.expected_by.clone().unwrap_or_default();
    let portal_user = status.portal_user.is_some();
    view! {
        <table class="status-table">
            <tbody>
                <tr>
                    <th scope="row">{tx(|l| td_string!(l, status.row_application))}</th>
                    <td class=if applied { "ok" } else { "todo" }>
                        {if applied {
                            tx(|l| td_string!(l, status.received)).into_any()
                        } else {
                            view! {
                                {tx(|l| td_string!(l, status.not_applied))}
                                " "
                                <a href="/insurance/apply">{tx(|l| td_string!(l, status.apply_now))}</a>
                            }
                            .into_any()
                        }}
                    </td>
                </tr>
                <Show when=move || applied>
                    <tr>
                        <th scope="row">{tx(|l| td_string!(l, status.row_registration))}</th>
                        {
                            let expected = expected.clone();
                            match registration {
                                Some(api::Registration::Completed) => view! { <td class="ok">{tx(|l| td_string!(l, status.completed))}</td> }.into_any(),
                                Some(api::Registration::ContactInsurer) => view! { <td class="warn">{tx(|l| td_string!(l, status.contact_insurer))}</td> }.into_any(),
                                Some(api::Registration::Preparing) | None => {
                                    let month = StoredValue::new(expected.clone());
                                    let date = move || month.with_value(|m| format::month(m, i18n.get_locale() == Locale::ja));
                                    view! {
                                        <td class="warn">
                                            {t!(i18n, status.preparing, date)}
                                            <ul class="notes">
                                                <li>{t!(i18n, status.note_check, date)}</li>
                                                <li>{tx(|l| td_string!(l, status.note_where))}</li>
                                            </ul>
                                        </td>
                                    }
                                    .into_any()
                                }
                            }
                        }
                    </tr>
                </Show>
                <Show when=move || portal_user>
                    <tr>
                        <th scope="row">{tx(|l| td_string!(l, status.row_portal_user))}</th>
                        <td class="ok">{tx(|l| td_string!(l, status.received))}</td>
                    </tr>
                </Show>
            </tbody>
        </table>
    }
}
