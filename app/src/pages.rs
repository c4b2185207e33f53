//! The screens of `flows.md`: F0 top page, F1 health-insurance application, F2 status check,
//! F7 information.

use leptos::{prelude::*, task::spawn_local};
use leptos_router::hooks::use_navigate;

use crate::{
    api::{self, InsuranceStatus},
    i18n::*,
    ui::{tx, CardStep, Failure, StatusTable, StepBar, StepHeading},
};

/// The version of the terms this build shows; the server refuses others (`TERMS_CHANGED`).
pub const TERMS_VERSION: &str = "2021-03";

/// F0: the top page and what to prepare.
#[component]
pub fn Top() -> impl IntoView {
    view! {
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
                <p>{tx(|l| td_string!(l, apply.terms_text))}</p>
                <label class="checkbox">
                    <input type="checkbox" name="portal-user"
                        prop:checked=move || portal_user.get()
                        on:change=move |ev| portal_user.set(event_target_checked(&ev))/>
                    {tx(|l| td_string!(l, apply.portal_user))}
                </label>
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
                <CardStep submit=tx(|l| td_string!(l, apply.submit)).into_any() on_login failure/>
            }
            .into_any(),
            ApplyStep::Done(status) => view! {
                <StepBar current=2/>
                <StepHeading>{tx(|l| td_string!(l, apply.done_heading))}</StepHeading>
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
                <CardStep submit=tx(|l| td_string!(l, status.submit)).into_any() on_login failure/>
            }
            .into_any(),
            Some(found) => view! {
                <StepHeading>{tx(|l| td_string!(l, status.result_heading))}</StepHeading>
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

/// F7: benefits, the 12-digit number note, FAQ, timeline, how to get a card, contacts.
#[component]
pub fn Info() -> impl IntoView {
    view! {
        <StepHeading>{tx(|l| td_string!(l, info.title))}</StepHeading>
        <section class="card-panel" aria-labelledby="benefits">
            <h2 id="benefits">{tx(|l| td_string!(l, info.benefits_title))}</h2>
            <ol class="benefits">
                <li><h3>{tx(|l| td_string!(l, info.b1_title))}</h3><p>{tx(|l| td_string!(l, info.b1_text))}</p></li>
                <li><h3>{tx(|l| td_string!(l, info.b2_title))}</h3><p>{tx(|l| td_string!(l, info.b2_text))}</p></li>
                <li><h3>{tx(|l| td_string!(l, info.b3_title))}</h3><p>{tx(|l| td_string!(l, info.b3_text))}</p></li>
                <li><h3>{tx(|l| td_string!(l, info.b4_title))}</h3><p>{tx(|l| td_string!(l, info.b4_text))}</p></li>
                <li><h3>{tx(|l| td_string!(l, info.b5_title))}</h3><p>{tx(|l| td_string!(l, info.b5_text))}</p></li>
                <li><h3>{tx(|l| td_string!(l, info.b6_title))}</h3><p>{tx(|l| td_string!(l, info.b6_text))}</p></li>
            </ol>
        </section>
        <section class="card-panel" aria-labelledby="privacy">
            <h2 id="privacy">{tx(|l| td_string!(l, info.privacy_title))}</h2>
            <p>{tx(|l| td_string!(l, info.privacy_text))}</p>
        </section>
        <section class="card-panel" aria-labelledby="faq">
            <h2 id="faq">{tx(|l| td_string!(l, info.faq_title))}</h2>
            <dl class="faq">
                <dt>{tx(|l| td_string!(l, info.q1))}</dt><dd>{tx(|l| td_string!(l, info.a1))}</dd>
                <dt>{tx(|l| td_string!(l, info.q2))}</dt><dd>{tx(|l| td_string!(l, info.a2))}</dd>
                <dt>{tx(|l| td_string!(l, info.q3))}</dt><dd>{tx(|l| td_string!(l, info.a3))}</dd>
                <dt>{tx(|l| td_string!(l, info.q4))}</dt><dd>{tx(|l| td_string!(l, info.a4))}</dd>
            </dl>
        </section>
        <section class="card-panel" aria-labelledby="timeline">
            <h2 id="timeline">{tx(|l| td_string!(l, info.timeline_title))}</h2>
            <ul><li>{tx(|l| td_string!(l, info.t1))}</li><li>{tx(|l| td_string!(l, info.t2))}</li><li>{tx(|l| td_string!(l, info.t3))}</li></ul>
        </section>
        <section class="card-panel" aria-labelledby="how-to-apply">
            <h2 id="how-to-apply">{tx(|l| td_string!(l, info.apply_title))}</h2>
            <p>{tx(|l| td_string!(l, info.apply_intro))}</p>
            <ol><li>{tx(|l| td_string!(l, info.m1))}</li><li>{tx(|l| td_string!(l, info.m2))}</li><li>{tx(|l| td_string!(l, info.m3))}</li><li>{tx(|l| td_string!(l, info.m4))}</li></ol>
        </section>
        <section class="card-panel" id="install" aria-labelledby="install-title">
            <h2 id="install-title">{tx(|l| td_string!(l, info.install_title))}</h2>
            <p>{tx(|l| td_string!(l, info.install_intro))}</p>
            <ul>
                <li>{tx(|l| td_string!(l, info.install_chrome))}</li>
                <li>{tx(|l| td_string!(l, info.install_edge))}</li>
                <li>{tx(|l| td_string!(l, info.install_firefox))}</li>
                <li>{tx(|l| td_string!(l, info.install_bridge))}</li>
            </ul>
            <p>{tx(|l| td_string!(l, info.install_check))}</p>
        </section>
        <section class="card-panel" aria-labelledby="contact">
            <h2 id="contact">{tx(|l| td_string!(l, info.contact_title))}</h2>
            <p>{tx(|l| td_string!(l, info.contact_main))}</p>
            <p>{tx(|l| td_string!(l, info.contact_hours))}</p>
            <p>{tx(|l| td_string!(l, info.contact_ip))}</p>
            <p>{tx(|l| td_string!(l, info.contact_foreign))}</p>
        </section>
    }
}
