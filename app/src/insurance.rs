//! The health-insurance part: F1 (the health-insurance use registration: terms → card → done)
//! and F2 (its status, the link's dispute). A part of its own without a router
//! (`protocol::site::INSURANCE_ROUTES`): moving to the portal is a full page load.

use leptos::{prelude::*, task::spawn_local};

use protocol::api::RequestReceipt;

use crate::{
    api::{self, InsuranceStatus},
    components::{
        tx, CardStep, CardWatch, CertificateNotice, Failure, Header, Language, MaintenanceNotice,
        NotFound, SectionHeading, StatusTable, StepBar, StepHeading,
    },
    i18n::*,
    routes,
};

/// Mounts the health-insurance part on `<body>` (the `insurance` binary, `insurance.html`).
pub fn mount() {
    leptos::mount::mount_to_body(InsuranceApp);
}

/// The health-insurance part: the portal's header and notices around F1 or F2, whichever the
/// path names (anything else under the part is not found).
#[component]
pub fn InsuranceApp() -> impl IntoView {
    let path = web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .map(|p| p.trim_end_matches('/').to_owned())
        .unwrap_or_default();
    view! {
        <Language>
            <Header/>
            <main id="main">
                <MaintenanceNotice/>
                <CertificateNotice/>
                <CardWatch start=routes::TOP/>
                {match path.as_str() {
                    routes::INSURANCE_APPLY => Apply().into_any(),
                    routes::INSURANCE_STATUS => Status().into_any(),
                    _ => NotFound().into_any(),
                }}
            </main>
        </Language>
    }
}

/// The version of the terms this build shows; the server refuses others (`TERMS_CHANGED`).
pub const TERMS_VERSION: &str = protocol::site::PORTAL_TERMS_VERSION;

/// Where F1 is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ApplyStep {
    Terms,
    Card,
    Done(InsuranceStatus),
}

/// F1: terms with the portal-user opt-in → card → done with the F2 table.
#[component]
pub fn Apply() -> impl IntoView {
    let go_to = routes::use_go_to();
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
                    let go_to = go_to.clone();
                    move |_| routes::log_out_to_top(go_to.clone())
                }>{tx(|l| td_string!(l, apply.finish))}</button>
            }
            .into_any(),
        }}
    }
}

/// F2: card → the status table → 「終了」.
#[component]
pub fn Status() -> impl IntoView {
    let go_to = routes::use_go_to();
    let status = RwSignal::new(None::<InsuranceStatus>);
    let failure = RwSignal::new(None::<Failure>);
    // The receipt of a cancellation (`true`) or a certificate's request made on this screen.
    let receipt = RwSignal::new(None::<(bool, RequestReceipt)>);
    // Whether another window changed the registration under this screen (it was read again).
    let changed = RwSignal::new(false);
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
                <NotMe status=found.clone() on_status=Callback::new(move |found| status.set(Some(found)))/>
                <Requests status=found receipt changed on_status=Callback::new(move |found| status.set(Some(found)))/>
                <p><a href=routes::HISTORY rel="external">{tx(|l| td_string!(l, status.history_link))}</a></p>
                <button type="button" class="primary" on:click={
                    let go_to = go_to.clone();
                    move |_| routes::log_out_to_top(go_to.clone())
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
                <SectionHeading>{tx(|l| td_string!(l, status.not_me))}</SectionHeading>
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

/// Under the F2 table: the registration's cancellation while registered, else the eligibility
/// certificate's request (資格確認書). The cancellation says what it changes, lets the citizen
/// also ask for the certificate, then shows exactly what will be sent beside a card step that
/// signs it (naming the registration shown, so that it cancels no later one); the
/// certificate's request explains itself beside its card step. Either ends with the receipt,
/// and the table again. When another window cancelled or applied meanwhile, the status is read
/// again and the screen says so (issue 14; docs/contract.md, "Cancellation and the eligibility
/// certificate").
#[component]
fn Requests(
    status: InsuranceStatus,
    /// The receipt of the request made on this screen, `true` for a cancellation (kept by the
    /// status screen, which shows this anew with the new status).
    receipt: RwSignal<Option<(bool, RequestReceipt)>>,
    /// Set when another window changed the registration meanwhile (kept by the status screen).
    changed: RwSignal<bool>,
    on_status: Callback<InsuranceStatus>,
) -> impl IntoView {
    let registered = status.application == api::ApplicationState::Received;
    let asked = status
        .history
        .last()
        .is_some_and(|entry| entry.event == api::HistoryEvent::CertificateRequested);
    // The registration shown: its application's receipt (the newest application's).
    let application = status
        .history
        .iter()
        .rev()
        .find(|entry| entry.event == api::HistoryEvent::Applied)
        .and_then(|entry| entry.receipt_number.clone());
    // 0: closed; 1: explained; 2: confirmed, the card step; 3: sent.
    let stage = RwSignal::new(0u8);
    let certificate = RwSignal::new(true);
    let failure = RwSignal::new(None::<Failure>);
    let write = {
        let application = application.clone();
        move || {
            if registered {
                api::cancellation_write(certificate.get_untracked(), application.clone())
            } else {
                api::certificate_write()
            }
        }
    };
    let on_login = Callback::new({
        let write = write.clone();
        move |()| {
            let signed = write();
            spawn_local(async move {
                match api::insurance_request(signed).await {
                    Ok(made) => {
                        // The receipt first: a status that cannot be read now loses nothing.
                        receipt.set(Some((registered, made)));
                        stage.set(3);
                        if let Ok(found) = api::insurance_status().await {
                            on_status.run(found);
                        }
                    }
                    Err(error)
                        if matches!(
                            error.code,
                            api::ApiCode::NotRegistered | api::ApiCode::StillRegistered
                        ) =>
                    {
                        match api::insurance_status().await {
                            Ok(found) => {
                                changed.set(true);
                                on_status.run(found);
                            }
                            Err(_) => failure.set(Some(Failure::Api(error))),
                        }
                    }
                    Err(error) => failure.set(Some(Failure::Api(error))),
                }
            });
        }
    });
    // What was just sent, or that the registration changed elsewhere; after a cancellation
    // without the certificate, its request follows below.
    let done = move || {
        receipt.get().map(|(cancelled, made)| {
            let certificate = made.certificate;
            view! {
                <section class="insurance-request">
                    <p class="ok" role="status">
                        {if cancelled {
                            tx(|l| td_string!(l, status.cancel_done))
                        } else {
                            tx(|l| td_string!(l, status.certificate_done))
                        }}" "
                        {tx(|l| td_string!(l, status.receipt_number))}": "<span class="receipt-number">{made.receipt_number}</span>
                    </p>
                    <Show when=move || certificate><p>{tx(|l| td_string!(l, status.certificate_sent))}</p></Show>
                </section>
            }
        })
    };
    let notice = move || {
        changed.get().then(|| view! {
            <p class="warning" role="status">{tx(|l| td_string!(l, status.changed_elsewhere))}</p>
        })
    };
    if !registered && asked {
        return view! { {notice} {done} }.into_any();
    }
    let back = move |_| stage.update(|s| *s = s.saturating_sub(1));
    view! {
        {notice}
        {done}
        <section class="insurance-request">
            {move || match (stage.get(), registered) {
                (0, true) => view! {
                    <button type="button" class="cancel-button" on:click=move |_| stage.set(1)>{tx(|l| td_string!(l, status.cancel))}</button>
                }.into_any(),
                (0, false) => view! {
                    <button type="button" class="certificate-button" on:click=move |_| stage.set(2)>{tx(|l| td_string!(l, status.certificate))}</button>
                }.into_any(),
                (1, _) => view! {
                    <SectionHeading>{tx(|l| td_string!(l, status.cancel))}</SectionHeading>
                    <p>{tx(|l| td_string!(l, status.cancel_text))}</p>
                    <ul>
                        <li>{tx(|l| td_string!(l, status.cancel_effect_1))}</li>
                        <li>{tx(|l| td_string!(l, status.cancel_effect_2))}</li>
                        <li>{tx(|l| td_string!(l, status.cancel_effect_3))}</li>
                        <li>{tx(|l| td_string!(l, status.cancel_effect_4))}</li>
                    </ul>
                    <label class="checkbox">
                        <input type="checkbox" name="certificate"
                            prop:checked=move || certificate.get()
                            on:change=move |ev| certificate.set(event_target_checked(&ev))/>
                        {tx(|l| td_string!(l, status.cancel_certificate))}
                    </label>
                    <div class="buttons">
                        <button type="button" on:click=back>{tx(|l| td_string!(l, apply.back))}</button>
                        <button type="button" class="primary" on:click=move |_| stage.set(2)>{tx(|l| td_string!(l, status.cancel_next))}</button>
                    </div>
                }.into_any(),
                (3, _) => ().into_any(),
                (_, true) => view! {
                    <SectionHeading>{tx(|l| td_string!(l, status.cancel_confirm_heading))}</SectionHeading>
                    <ul class="confirm-list">
                        <li>{tx(|l| td_string!(l, status.cancel_confirm_what))}</li>
                        <li>{if certificate.get_untracked() {
                            tx(|l| td_string!(l, status.cancel_confirm_certificate))
                        } else {
                            tx(|l| td_string!(l, status.cancel_confirm_no_certificate))
                        }}</li>
                    </ul>
                    <h4>{tx(|l| td_string!(l, status.cancel_card))}</h4>
                    <CardStep service=protocol::maintenance::Scope::Insurance submit=tx(|l| td_string!(l, status.cancel_submit)).into_any()
                        on_login failure guide="card-pin-status" write=write()/>
                    <div class="buttons">
                        <button type="button" on:click=back>{tx(|l| td_string!(l, apply.back))}</button>
                    </div>
                }.into_any(),
                (_, false) => view! {
                    <SectionHeading>{tx(|l| td_string!(l, status.certificate))}</SectionHeading>
                    <p>{tx(|l| td_string!(l, status.certificate_text))}</p>
                    <h4>{tx(|l| td_string!(l, status.certificate_card))}</h4>
                    <CardStep service=protocol::maintenance::Scope::Insurance submit=tx(|l| td_string!(l, status.certificate_submit)).into_any()
                        on_login failure guide="card-pin-status" write=write()/>
                    <div class="buttons">
                        <button type="button" on:click=move |_| stage.set(0)>{tx(|l| td_string!(l, apply.back))}</button>
                    </div>
                }.into_any(),
            }}
        </section>
    }
    .into_any()
}
