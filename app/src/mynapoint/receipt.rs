//! MyNa Point's receipt part (`mynapoint/receipt/index.html`, the `mynapoint_receipt` binary):
//! F5's 申込完了 with the application's information, read from the server so that a reload
//! shows it again, and F6's bulk application after it ([`super::bulk`]).

use super::{
    bulk::Bulk,
    shell::{at_route, start_kiosk, PlainShell},
};
use crate::{
    api::{self, ApiErrorBody, Receipt},
    components::{tx, Failure, FailureMessage, NotFound, StepHeading},
    content::Content,
    format,
    i18n::*,
    kiosk::is_terminal,
    routes::{self, use_go_to},
};
use leptos::{prelude::*, task::spawn_local};

/// Mounts MyNa Point's receipt part on `<body>` (the `mynapoint_receipt` binary,
/// `mynapoint/receipt/index.html`).
pub fn mount_receipt() {
    leptos::mount::mount_to_body(ReceiptApp);
}

/// MyNa Point's receipt part (`protocol::site::MYNAPOINT_RECEIPT_ROUTES`).
#[component]
pub fn ReceiptApp() -> impl IntoView {
    let kiosk = start_kiosk();
    // One route, so no router (`shell::PlainShell`).
    let found = at_route(protocol::site::MYNAPOINT_RECEIPT_ROUTES);
    view! {
        <PlainShell kiosk>
            <crate::components::MaintenanceNotice/>
            {if found { PointReceipt().into_any() } else { NotFound().into_any() }}
        </PlainShell>
    }
}

/// 「マイナポイント申込完了です!」: the receipt, 「政府からのご案内」 and 「ログアウト」. Without an
/// application (or once the session ended) it says why and offers the start screen.
#[component]
pub fn PointReceipt() -> impl IntoView {
    let go_to = use_go_to();
    let start = if is_terminal() {
        routes::MYNAPOINT_KIOSK
    } else {
        routes::MYNAPOINT
    };
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
