//! The screens of `docs/flows.md`: F0 top page, F1 health-insurance application, F2 status check,
//! F7 information.

use leptos::{prelude::*, task::spawn_local};
use leptos_router::hooks::use_navigate;

use crate::{
    api::{self, InsuranceStatus},
    content::{self, Content},
    i18n::*,
    ui::{tx, CardStep, Failure, StatusTable, StepBar, StepHeading},
};

/// The version of the terms this build shows; the server refuses others (`TERMS_CHANGED`).
pub const TERMS_VERSION: &str = protocol::site::PORTAL_TERMS_VERSION;

/// F0: the top page and what to prepare.
#[component]
pub fn Top() -> impl IntoView {
    view! {
        <h1 class="page-title">{tx(|l| td_string!(l, top.heading))}</h1>
        <section class="card-panel" aria-labelledby="insurance-title">
            <h2 id="insurance-title">{tx(|l| td_string!(l, top.insurance_title))}</h2>
            <ul class="actions">
                <li><a class="button primary" href="/insurance/apply">{tx(|l| td_string!(l, top.apply))}</a></li>
                <li><a class="button" href="/insurance/status">{tx(|l| td_string!(l, top.check_status))}</a></li>
                <li><a class="button" href="/info">{tx(|l| td_string!(l, top.details))}</a></li>
            </ul>
            <p class="note">{tx(|l| td_string!(l, top.card_needed))}</p>
        </section>
        <section class="card-panel" aria-labelledby="mynapoint-title">
            <h2 id="mynapoint-title">{tx(|l| td_string!(l, top.mynapoint_title))}</h2>
            <ul class="actions">
                <li><a class="button" href="/mynapoint/reserve" rel="external">{tx(|l| td_string!(l, top.mynapoint_reserve))}</a></li>
                <li><a class="button" href="/mynapoint/apply" rel="external">{tx(|l| td_string!(l, top.mynapoint_apply))}</a></li>
            </ul>
            <p>{tx(|l| td_string!(l, top.mynapoint_text))}</p>
        </section>
        <section class="card-panel" aria-labelledby="prepare-title">
            <h2 id="prepare-title">{tx(|l| td_string!(l, top.prepare_title))}</h2>
            <ul>
                <li>{tx(|l| td_string!(l, top.prepare_card))}</li>
                <li>{tx(|l| td_string!(l, top.prepare_reader))}</li>
                <li>{tx(|l| td_string!(l, top.prepare_helper))}</li>
                <li>{tx(|l| td_string!(l, top.prepare_browser))}</li>
            </ul>
        </section>
    }
}

/// Where F1 is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ApplyStep {
    Terms,
    Card,
    Done(InsuranceStatus),
}

/// Logs out (best effort) and goes back to the top page.
fn finish(navigate: impl Fn(&str, leptos_router::NavigateOptions) + 'static) {
    spawn_local(async move {
        let _ = api::logout().await;
        navigate("/", Default::default());
    });
}

/// F1: terms with the portal-user opt-in → card → done with the F2 table.
#[component]
pub fn Apply() -> impl IntoView {
    let navigate = use_navigate();
    let step = RwSignal::new(ApplyStep::Terms);
    let portal_user = RwSignal::new(true);
    let failure = RwSignal::new(None::<Failure>);
    let on_login = Callback::new(move |()| {
        spawn_local(async move {
            match api::apply_insurance(portal_user.get_untracked(), TERMS_VERSION).await {
                Ok(status) => step.set(ApplyStep::Done(status)),
                Err(error) => failure.set(Some(Failure::Api(error))),
            }
        });
    });
    view! {
        {move || match step.get() {
            ApplyStep::Terms => view! {
                <StepBar current=0/>
                <StepHeading>{tx(|l| td_string!(l, apply.terms_heading))}</StepHeading>
                <ul>
                    <li>{tx(|l| td_string!(l, apply.intro_1))}</li>
                    <li>{tx(|l| td_string!(l, apply.intro_2))}</li>
                </ul>
                <p><a href="/info">{tx(|l| td_string!(l, apply.details))}</a></p>
                <p>{tx(|l| td_string!(l, apply.portal_user_text))}</p>
                <label class="checkbox">
                    <input type="checkbox" name="portal-user"
                        prop:checked=move || portal_user.get()
                        on:change=move |ev| portal_user.set(event_target_checked(&ev))/>
                    {tx(|l| td_string!(l, apply.portal_user))}
                </label>
                <p>{tx(|l| td_string!(l, apply.terms_prompt))}</p>
                <p><a href="/terms" target="_blank" rel="noopener">{tx(|l| td_string!(l, apply.terms_link))}</a></p>
                <div class="buttons">
                    <a class="button" href="/">{tx(|l| td_string!(l, apply.back))}</a>
                    <button type="button" class="primary" on:click=move |_| step.set(ApplyStep::Card)>
                        {tx(|l| td_string!(l, apply.agree))}
                    </button>
                </div>
            }
            .into_any(),
            ApplyStep::Card => view! {
                <StepBar current=1/>
                <StepHeading>{tx(|l| td_string!(l, apply.card_heading))}</StepHeading>
                <CardStep submit=tx(|l| td_string!(l, apply.submit)).into_any() on_login failure guide="card-pin-apply"/>
                <div class="buttons">
                    <button type="button" on:click=move |_| step.set(ApplyStep::Terms)>{tx(|l| td_string!(l, apply.back))}</button>
                </div>
            }
            .into_any(),
            ApplyStep::Done(status) => view! {
                <StepBar current=2/>
                <StepHeading>{tx(|l| td_string!(l, apply.done_heading))}</StepHeading>
                <p>{tx(|l| td_string!(l, apply.done_text))}</p>
                <StatusTable status/>
                <button type="button" class="primary" on:click={
                    let navigate = navigate.clone();
                    move |_| finish(navigate.clone())
                }>{tx(|l| td_string!(l, apply.finish))}</button>
            }
            .into_any(),
        }}
    }
}

/// F2: card → the status table → 「終了」.
#[component]
pub fn Status() -> impl IntoView {
    let navigate = use_navigate();
    let status = RwSignal::new(None::<InsuranceStatus>);
    let failure = RwSignal::new(None::<Failure>);
    let on_login = Callback::new(move |()| {
        spawn_local(async move {
            match api::insurance_status().await {
                Ok(found) => status.set(Some(found)),
                Err(error) => failure.set(Some(Failure::Api(error))),
            }
        });
    });
    view! {
        {move || match status.get() {
            None => view! {
                <StepHeading>{tx(|l| td_string!(l, status.card_heading))}</StepHeading>
                <CardStep submit=tx(|l| td_string!(l, status.submit)).into_any() on_login failure guide="card-pin-status"/>
                <div class="buttons">
                    <a class="button" href="/">{tx(|l| td_string!(l, apply.back))}</a>
                </div>
            }
            .into_any(),
            Some(found) => view! {
                <StepHeading>{tx(|l| td_string!(l, status.result_heading))}</StepHeading>
                <p>{tx(|l| td_string!(l, status.intro))}</p>
                <StatusTable status=found/>
                <button type="button" class="primary" on:click={
                    let navigate = navigate.clone();
                    move |_| finish(navigate.clone())
                }>{tx(|l| td_string!(l, apply.finish))}</button>
            }
            .into_any(),
        }}
    }
}

/// F7: benefits, the 12-digit number note, FAQ, timeline, how to get a card, the install
/// section (`#install`: the card step's install link lands there), contacts — one text kept as
/// data (`content/{ja,en}/info.html`).
#[component]
pub fn Info() -> impl IntoView {
    view! {
        <StepHeading>{tx(|l| td_string!(l, info.title))}</StepHeading>
        <Content name="info"/>
    }
}

/// マイナポータル利用規約 (`/terms`), or the MyNa Point terms (`/terms/mynapoint`; MyNa Point's step
/// 4 shows the same text), of the version an application names (`protocol::site`). The MyNa
/// Point terms page lives in this part to keep MyNa Point's first page small.
#[component]
fn TermsPage(
    /// The MyNa Point terms instead of the portal's.
    mynapoint: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let (title, version, name) = if mynapoint {
        (
            tx(|l| td_string!(l, terms.mynapoint_title)),
            protocol::site::MYNAPOINT_TERMS_VERSION,
            content::mynapoint_terms(),
        )
    } else {
        (
            tx(|l| td_string!(l, terms.portal_title)),
            protocol::site::PORTAL_TERMS_VERSION,
            content::portal_terms(),
        )
    };
    view! {
        <StepHeading>{title}</StepHeading>
        <p class="terms-version">{t!(i18n, terms.version, version)}</p>
        <article class="terms-document"><Content name/></article>
    }
}

/// マイナポータル利用規約 (`/terms`).
#[component]
pub fn Terms() -> impl IntoView {
    view! { <TermsPage mynapoint=false/> }
}

/// The MyNa Point terms (`/terms/mynapoint`).
#[component]
pub fn PointTerms() -> impl IntoView {
    view! { <TermsPage mynapoint=true/> }
}
