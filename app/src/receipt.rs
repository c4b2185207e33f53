//! MyNa Point's receipt part (`mynapoint/receipt/index.html`, the `mynapoint_receipt` binary,
//! [`ReceiptApp`]): F5's 申込完了 screen, read from the server (`GET /mynapoint/application`), so
//! that a reload shows it again, then F6's 「政府からのご案内」 on the same session and
//! 「ログアウト」. The signed application loads it. A part of its own for the application part's
//! size budget (BENCHMARKS.md, "SPA").

use leptos::{prelude::*, task::spawn_local};
use leptos_router::{
    components::{Route, Routes},
    path,
};

use crate::{
    api::{self, ApiErrorBody, Receipt},
    content::{self, Content},
    format,
    i18n::*,
    mynapoint::{kiosk, start_kiosk, use_go_to, Shell, KIOSK_START, START},
    ui::{open_modal, tx, Failure, FailureMessage, StepHeading},
};

/// Mounts the receipt part on `<body>` (the `mynapoint_receipt` binary).
pub fn mount() {
    leptos::mount::mount_to_body(ReceiptApp);
}

/// MyNa Point's receipt part (`protocol::site::MYNAPOINT_RECEIPT_ROUTES`).
#[component]
pub fn ReceiptApp() -> impl IntoView {
    let kiosk = start_kiosk();
    view! {
        <Shell kiosk>
            <Routes fallback=crate::ui::NotFound>
                <Route path=path!("/mynapoint/receipt") view=PointReceipt/>
            </Routes>
        </Shell>
    }
}

/// 「マイナポイント申込完了です!」: the receipt, 「政府からのご案内」 and 「ログアウト」. Without an
/// application (or once the session ended) it says why and offers the start screen.
#[component]
pub fn PointReceipt() -> impl IntoView {
    let go_to = use_go_to();
    let start = if kiosk() { KIOSK_START } else { START };
    let answer = RwSignal::new(None::<Result<Receipt, ApiErrorBody>>);
    spawn_local(async move {
        answer.set(Some(api::point_application().await));
    });
    let logout = move |_| {
        let go_to = go_to.clone();
        spawn_local(async move {
            let _ = api::logout().await;
            go_to(start);
        });
    };
    view! {
        <h2 class="flow-title">
            {tx(|l| td_string!(l, mynapoint.apply_title))}
            {move || answer.get().and_then(Result::ok).map(|r| view! { <span class="my-key-id-badge">{tx(|l| td_string!(l, mynapoint.my_key_id))}": "{r.my_key_id}</span> })}
        </h2>
        {move || match answer.get() {
            None => ().into_any(),
            Some(Err(error)) => view! {
                <StepHeading>{tx(|l| td_string!(l, mynapoint.apply_title))}</StepHeading>
                <FailureMessage failure=Failure::Api(error)/>
                <a class="button primary" href=start rel="external">{tx(|l| td_string!(l, mynapoint.to_top))}</a>
            }
            .into_any(),
            Some(Ok(receipt)) => {
                let at = receipt.applied_at.clone();
                let phone = receipt.phone_last4.clone().unwrap_or_default();
                view! {
                    <StepHeading>{tx(|l| td_string!(l, mynapoint.done_heading))}</StepHeading>
                    <div class="receipt-layout">
                        <div>
                            <Content name="receipt"/>
                            <table class="status-table receipt">
                                <tbody>
                                    <tr><th scope="row">{tx(|l| td_string!(l, mynapoint.service_name))}</th><td>{receipt.service_name}</td></tr>
                                    <tr><th scope="row">{tx(|l| td_string!(l, mynapoint.category))}</th><td>{receipt.category}</td></tr>
                                    <tr><th scope="row">{tx(|l| td_string!(l, mynapoint.payment_method))}</th><td>{receipt.payment_method}</td></tr>
                                    <tr><th scope="row">{tx(|l| td_string!(l, mynapoint.registration_number))}</th><td>{receipt.registration_number}</td></tr>
                                    <tr><th scope="row">{tx(|l| td_string!(l, mynapoint.receipt_payment_id))}</th><td>{receipt.payment_service_id}</td></tr>
                                    <tr><th scope="row">{tx(|l| td_string!(l, mynapoint.receipt_phone))}</th><td>{phone}</td></tr>
                                    <tr><th scope="row">{tx(|l| td_string!(l, mynapoint.applied_at))}</th><td>{format::slashed(&at)}</td></tr>
                                    <tr><th scope="row">{tx(|l| td_string!(l, mynapoint.receipt_number))}</th><td class="receipt-number">{receipt.receipt_number}</td></tr>
                                </tbody>
                            </table>
                        </div>
                        <Bulk/>
                        <div class="receipt-end">
                            <Content name="receipt-end"/>
                            <button type="button" class="primary" on:click=logout.clone()>{tx(|l| td_string!(l, mynapoint.logout))}</button>
                        </div>
                    </div>
                }
                .into_any()
            }
        }}
    }
}

/// F6: 「政府からのご案内」, both boxes checked, on the session the card already authenticated.
#[component]
pub fn Bulk() -> impl IntoView {
    let portal_user = RwSignal::new(true);
    let insurance = RwSignal::new(true);
    let done = RwSignal::new(false);
    let failure = RwSignal::new(None::<Failure>);
    let terms_open = RwSignal::new(false);
    let submit = move |_| {
        spawn_local(async move {
            match api::bulk(portal_user.get_untracked(), insurance.get_untracked()).await {
                Ok(_) => done.set(true),
                Err(error) => failure.set(Some(Failure::Api(error))),
            }
        });
    };
    view! {
        <section class="card-panel bulk" aria-labelledby="bulk-title">
            <h2 id="bulk-title">{tx(|l| td_string!(l, bulk.box_title))}</h2>
            {move || if done.get() {
                view! {
                    <p class="ok" role="status">{tx(|l| td_string!(l, bulk.done))}</p>
                    <a class="button" href="/" rel="external">{tx(|l| td_string!(l, bulk.my_page))}</a>
                }
                .into_any()
            } else {
                view! {
                    <Content name="bulk"/>
                    <label class="checkbox">
                        <input type="checkbox" name="bulk-portal-user" prop:checked=move || portal_user.get()
                            on:change=move |ev| portal_user.set(event_target_checked(&ev))/>
                        {tx(|l| td_string!(l, bulk.portal_user))}
                    </label>
                    <label class="checkbox">
                        <input type="checkbox" name="bulk-insurance" prop:checked=move || insurance.get()
                            on:change=move |ev| insurance.set(event_target_checked(&ev))/>
                        {tx(|l| td_string!(l, bulk.insurance))}
                    </label>
                    // At the terminal no tab opens (it would outlive the 60-second reset): the
                    // terms open in place, in a modal dialog.
                    {if kiosk() {
                        view! {
                            <button type="button" class="link-button" on:click=move |_| terms_open.set(true)>{tx(|l| td_string!(l, bulk.terms_link))}</button>
                            <Show when=move || terms_open.get()>{move || {
                                let dialog = NodeRef::<leptos::html::Dialog>::new();
                                open_modal(dialog);
                                view! {
                                    <dialog class="dialog terms-dialog" node_ref=dialog aria-labelledby="terms-dialog-title"
                                        on:close=move |_| terms_open.set(false)>
                                        <h2 id="terms-dialog-title">{tx(|l| td_string!(l, bulk.terms_link))}</h2>
                                        <div class="terms" tabindex="0"><Content name=content::portal_terms()/></div>
                                        <button type="button" class="primary" autofocus on:click=move |_| terms_open.set(false)>{tx(|l| td_string!(l, bulk.close))}</button>
                                    </dialog>
                                }
                            }}</Show>
                        }
                        .into_any()
                    } else {
                        view! { <p><a href="/terms" target="_blank" rel="noopener">{tx(|l| td_string!(l, bulk.terms_link))}</a></p> }.into_any()
                    }}
                    <Content name="bulk-notes"/>
                    {move || failure.get().map(|failure| view! { <FailureMessage failure/> })}
                    <button type="button" class="primary"
                        disabled=move || !portal_user.get() && !insurance.get()
                        on:click=submit>
                        {tx(|l| td_string!(l, bulk.submit))}
                    </button>
                }
                .into_any()
            }}
        </section>
    }
}
