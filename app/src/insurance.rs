//! F1 (the health-insurance use registration: terms → card → done) and F2 (its status).

use leptos::{prelude::*, task::spawn_local};
use leptos_router::hooks::use_navigate;

use crate::{
    api::{self, InsuranceStatus},
    components::{tx, CardStep, Failure, StatusTable, StepBar, StepHeading},
    i18n::*,
    routes,
};

/// The version of the terms this build shows; the server refuses others (`TERMS_CHANGED`).
pub const TERMS_VERSION: &str = protocol::site::PORTAL_TERMS_VERSION;

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
        navigate(routes::TOP, Default::default());
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
            let signed = api::insurance_write(portal_user.get_untracked(), TERMS_VERSION);
            match api::apply_insurance(signed).await {
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
                <p><a href=routes::INFO>{tx(|l| td_string!(l, apply.details))}</a></p>
                <p>{tx(|l| td_string!(l, apply.portal_user_text))}</p>
                <label class="checkbox">
                    <input type="checkbox" name="portal-user"
                        prop:checked=move || portal_user.get()
                        on:change=move |ev| portal_user.set(event_target_checked(&ev))/>
                    {tx(|l| td_string!(l, apply.portal_user))}
                </label>
                <p>{tx(|l| td_string!(l, apply.terms_prompt))}</p>
                <p><a href=routes::TERMS target="_blank" rel="noopener">{tx(|l| td_string!(l, apply.terms_link))}</a></p>
                <div class="buttons">
                    <a class="button" href=routes::TOP>{tx(|l| td_string!(l, apply.back))}</a>
                    <button type="button" class="primary" on:click=move |_| step.set(ApplyStep::Card)>
                        {tx(|l| td_string!(l, apply.agree))}
                    </button>
                </div>
            }
            .into_any(),
            ApplyStep::Card => view! {
                <StepBar current=1/>
                <StepHeading>{tx(|l| td_string!(l, apply.card_heading))}</StepHeading>
                <CardStep service=protocol::maintenance::Scope::Insurance submit=tx(|l| td_string!(l, apply.submit)).into_any() on_login failure guide="card-pin-apply"
                    write=api::insurance_write(portal_user.get_untracked(), TERMS_VERSION)/>
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
                <CardStep service=protocol::maintenance::Scope::Insurance submit=tx(|l| td_string!(l, status.submit)).into_any() on_login failure guide="card-pin-status"/>
                <div class="buttons">
                    <a class="button" href=routes::TOP>{tx(|l| td_string!(l, apply.back))}</a>
                </div>
            }
            .into_any(),
            Some(found) => view! {
                <StepHeading>{tx(|l| td_string!(l, status.result_heading))}</StepHeading>
                <p>{tx(|l| td_string!(l, status.intro))}</p>
                <StatusTable status=found.clone()/>
                <NotMe status=found on_status=Callback::new(move |found| status.set(Some(found)))/>
                <button type="button" class="primary" on:click={
                    let navigate = navigate.clone();
                    move |_| finish(navigate.clone())
                }>{tx(|l| td_string!(l, apply.finish))}</button>
            }
            .into_any(),
        }}
    }
}

/// 「これは私ではない」 under the F2 table while a link is shown and not already disputed: what
/// it changes, then a card step that signs exactly that link, then the receipt and the table
/// again (issue 14; docs/contract.md, "Links and disputes").
#[component]
fn NotMe(status: InsuranceStatus, on_status: Callback<InsuranceStatus>) -> impl IntoView {
    let open = RwSignal::new(false);
    let failure = RwSignal::new(None::<Failure>);
    let frozen = status.registration == Some(api::Registration::Frozen);
    let Some(link) = status.link.filter(|_| !frozen) else {
        // Disputed: the report's receipt (also in the history).
        let receipt = status
            .history
            .iter()
            .rev()
            .find_map(|entry| entry.receipt_number.clone());
        return receipt
            .filter(|_| frozen)
            .map(|number| view! {
                <p class="ok" role="status">{tx(|l| td_string!(l, status.not_me_done))}" "
                    {tx(|l| td_string!(l, status.receipt_number))}": "<span class="receipt-number">{number}</span></p>
            })
            .into_any();
    };
    let write = api::dispute_write(&link);
    let on_login = Callback::new({
        let write = write.clone();
        move |()| {
            let write = write.clone();
            spawn_local(async move {
                let done = match api::dispute(write).await {
                    Ok(_) => api::insurance_status().await,
                    Err(error) => Err(error),
                };
                match done {
                    Ok(found) => on_status.run(found),
                    Err(error) => failure.set(Some(Failure::Api(error))),
                }
            });
        }
    });
    view! {
        <section class="not-me">
            <Show when=move || open.get() fallback=move || view! {
                <button type="button" class="not-me-button" on:click=move |_| open.set(true)>{tx(|l| td_string!(l, status.not_me))}</button>
            }>
                <h3>{tx(|l| td_string!(l, status.not_me))}</h3>
                <p>{tx(|l| td_string!(l, status.not_me_text))}</p>
                <h4>{tx(|l| td_string!(l, status.not_me_card))}</h4>
                <CardStep service=protocol::maintenance::Scope::Insurance submit=tx(|l| td_string!(l, status.not_me_submit)).into_any()
                    on_login failure guide="card-pin-status" write=write.clone()/>
                <div class="buttons">
                    <button type="button" on:click=move |_| open.set(false)>{tx(|l| td_string!(l, apply.back))}</button>
                </div>
            </Show>
        </section>
    }
    .into_any()
}
