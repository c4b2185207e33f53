//! やりとり履歴 (`/history`, in the portal): after a card login, every write of the person with
//! its receipt — what, when (JST), its number, where it stands now (issue 14;
//! docs/contract.md, "Receipts").

use leptos::{prelude::*, task::spawn_local};
use protocol::api::{ReceiptEntry, ReceiptKind, ReceiptStatus};

use crate::{
    api,
    components::{tx, CardStep, Failure, StepHeading},
    format,
    i18n::*,
    routes,
};

/// The name of what a receipt is for.
fn kind_text(kind: ReceiptKind) -> impl Fn() -> &'static str + Copy {
    match kind {
        ReceiptKind::InsuranceApplication => {
            tx(|l| td_string!(l, history.kind_insurance_application))
        }
        ReceiptKind::InsuranceCancellation => {
            tx(|l| td_string!(l, history.kind_insurance_cancellation))
        }
        ReceiptKind::CertificateRequest => tx(|l| td_string!(l, history.kind_certificate_request)),
        ReceiptKind::LinkDispute => tx(|l| td_string!(l, history.kind_link_dispute)),
        ReceiptKind::MynapointReservation => {
            tx(|l| td_string!(l, history.kind_mynapoint_reservation))
        }
        ReceiptKind::MynapointApplication => {
            tx(|l| td_string!(l, history.kind_mynapoint_application))
        }
        ReceiptKind::PortalUser => tx(|l| td_string!(l, history.kind_portal_user)),
    }
}

/// Where a receipt stands, in words, and the class that colours it.
fn status_text(status: ReceiptStatus) -> (impl Fn() -> &'static str + Copy, &'static str) {
    match status {
        ReceiptStatus::Received => (tx(|l| td_string!(l, history.status_received)), "ok"),
        ReceiptStatus::Preparing => (tx(|l| td_string!(l, history.status_preparing)), "warn"),
        ReceiptStatus::Completed => (tx(|l| td_string!(l, history.status_completed)), "ok"),
        ReceiptStatus::ContactInsurer => (
            tx(|l| td_string!(l, history.status_contact_insurer)),
            "warn",
        ),
        ReceiptStatus::Frozen => (tx(|l| td_string!(l, history.status_frozen)), "warn"),
        ReceiptStatus::Cancelled => (tx(|l| td_string!(l, history.status_cancelled)), "todo"),
        ReceiptStatus::Resolved => (tx(|l| td_string!(l, history.status_resolved)), "ok"),
    }
}

/// One receipt: what, then when, its number and its status now.
#[component]
fn Receipt(entry: ReceiptEntry) -> impl IntoView {
    let i18n = use_i18n();
    let at = entry.at.clone();
    let when = move || format::date_time(&at, i18n.get_locale() == Locale::ja);
    let (status, class) = status_text(entry.status);
    view! {
        <li class="receipt">
            <h3>{kind_text(entry.kind)}</h3>
            <dl>
                <dt>{tx(|l| td_string!(l, history.col_when))}</dt>
                <dd>{when}</dd>
                <dt>{tx(|l| td_string!(l, history.col_number))}</dt>
                {match entry.receipt_number {
                    Some(number) => view! { <dd class="receipt-number">{number}</dd> }.into_any(),
                    None => view! { <dd>{tx(|l| td_string!(l, history.no_number))}</dd> }.into_any(),
                }}
                <dt>{tx(|l| td_string!(l, history.col_status))}</dt>
                <dd class=class>{status}</dd>
            </dl>
        </li>
    }
}

/// やりとり履歴: the card, then every receipt, newest first, then 「終了」 (logs out).
#[component]
pub fn History() -> impl IntoView {
    let go_to = routes::use_go_to();
    let found = RwSignal::new(None::<Vec<ReceiptEntry>>);
    let failure = RwSignal::new(None::<Failure>);
    let on_login = Callback::new(move |()| {
        spawn_local(async move {
            match api::receipts().await {
                Ok(list) => found.set(Some(list.receipts)),
                Err(error) => failure.set(Some(Failure::Api(error))),
            }
        });
    });
    view! {
        <StepHeading>{tx(|l| td_string!(l, history.title))}</StepHeading>
        {move || match found.get() {
            None => view! {
                <h2>{tx(|l| td_string!(l, history.card_heading))}</h2>
                <CardStep service=protocol::maintenance::Scope::All submit=tx(|l| td_string!(l, history.submit)).into_any() on_login failure guide="card-pin-status"/>
                <div class="buttons">
                    <a class="button" href=routes::TOP>{tx(|l| td_string!(l, apply.back))}</a>
                </div>
            }
            .into_any(),
            Some(list) => {
                let go_to = go_to.clone();
                view! {
                    <p>{tx(|l| td_string!(l, history.intro))}</p>
                    {if list.is_empty() {
                        view! { <p class="empty">{tx(|l| td_string!(l, history.empty))}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="receipts">
                                {list.into_iter().map(|entry| view! { <Receipt entry/> }).collect_view()}
                            </ul>
                        }
                        .into_any()
                    }}
                    <button type="button" class="primary" on:click=move |_| routes::log_out_to_top(go_to.clone())>{tx(|l| td_string!(l, history.finish))}</button>
                }
                .into_any()
            }
        }}
    }
}
