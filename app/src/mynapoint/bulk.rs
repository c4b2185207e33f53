//! F6: the bulk application after MyNa Point's application (its own terms, one card login).

use leptos::{prelude::*, task::spawn_local};

use crate::{
    api,
    components::{open_modal, tx, Failure, FailureMessage},
    content::{self, Content},
    i18n::*,
    kiosk::is_terminal,
    routes,
};

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
                    <a class="button" href=routes::TOP rel="external">{tx(|l| td_string!(l, bulk.my_page))}</a>
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
                    {if is_terminal() {
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
                        view! { <p><a href=routes::TERMS target="_blank" rel="noopener">{tx(|l| td_string!(l, bulk.terms_link))}</a></p> }.into_any()
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
