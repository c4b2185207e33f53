//! F4: card → 「発行」 → 「予約確定」 → the MyKey ID → 「申込へ」 or the top.

use leptos::{prelude::*, task::spawn_local};

use crate::{
    api,
    components::{tx, CardStep, Confirm, Failure, FailureMessage, StepHeading},
    content::Content,
    i18n::*,
    kiosk::is_terminal,
    routes,
};

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
                    // The card's signature no longer holds (10 minutes passed): the card
                    // step again, with the refusal shown there.
                    step.set(if error.code == protocol::api::ApiCode::WriteNotSigned {
                        ReserveStep::Card
                    } else {
                        ReserveStep::Issue { confirming: false }
                    });
                    failure.set(Some(Failure::Api(error)));
                }
            }
        });
    });
    let top = if is_terminal() {
        routes::MYNAPOINT_KIOSK
    } else {
        routes::MYNAPOINT
    };
    view! {
        <h2 class="flow-title">{tx(|l| td_string!(l, mynapoint.reserve_title))}</h2>
        {move || match step.get() {
            ReserveStep::Card => view! {
                <StepHeading>{tx(|l| td_string!(l, mynapoint.issue_heading))}</StepHeading>
                <CardStep service=protocol::maintenance::Scope::Mynapoint submit=tx(|l| td_string!(l, mynapoint.next)).into_any() on_login failure
                    write=api::reservation_write()/>
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
                    <a class="button primary" href=routes::MYNAPOINT_APPLY_CONTINUE rel="external">{tx(|l| td_string!(l, mynapoint.to_apply))}</a>
                    <a class="button" href=top>{tx(|l| td_string!(l, mynapoint.to_top))}</a>
                </div>
            }
            .into_any(),
        }}
    }
}
