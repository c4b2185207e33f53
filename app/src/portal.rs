//! The portal's own pages: F0's top page, F7's information, and the terms.

use leptos::prelude::*;

use crate::{
    components::{tx, StepHeading},
    content::{self, Content},
    i18n::*,
    routes,
};

/// F0: the top page and what to prepare.
#[component]
pub fn Top() -> impl IntoView {
    view! {
        <h1 class="page-title">{tx(|l| td_string!(l, top.heading))}</h1>
        <section class="card-panel" aria-labelledby="insurance-title">
            <h2 id="insurance-title">{tx(|l| td_string!(l, top.insurance_title))}</h2>
            <ul class="actions">
                <li><a class="button primary" href=routes::INSURANCE_APPLY rel="external">{tx(|l| td_string!(l, top.apply))}</a></li>
                <li><a class="button" href=routes::INSURANCE_STATUS rel="external">{tx(|l| td_string!(l, top.check_status))}</a></li>
                <li><a class="button" href=routes::INFO>{tx(|l| td_string!(l, top.details))}</a></li>
            </ul>
            <p class="note">{tx(|l| td_string!(l, top.card_needed))}</p>
        </section>
        <section class="card-panel" aria-labelledby="mynapoint-title">
            <h2 id="mynapoint-title">{tx(|l| td_string!(l, top.mynapoint_title))}</h2>
            <ul class="actions">
                <li><a class="button" href=routes::MYNAPOINT_RESERVE rel="external">{tx(|l| td_string!(l, top.mynapoint_reserve))}</a></li>
                <li><a class="button" href=routes::MYNAPOINT_APPLY rel="external">{tx(|l| td_string!(l, top.mynapoint_apply))}</a></li>
            </ul>
            <p>{tx(|l| td_string!(l, top.mynapoint_text))}</p>
        </section>
        <section class="card-panel" aria-labelledby="history-title">
            <h2 id="history-title">{tx(|l| td_string!(l, history.title))}</h2>
            <p>{tx(|l| td_string!(l, top.history_text))}</p>
            <ul class="actions">
                <li><a class="button" href=routes::HISTORY>{tx(|l| td_string!(l, top.history))}</a></li>
            </ul>
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
