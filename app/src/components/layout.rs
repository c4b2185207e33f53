//! What surrounds every screen: the language context, the header with the language switch,
//! the certificate's expiry notice, the card step's page-wide state, and the 404 page.

use leptos::{prelude::*, task::spawn_local};
use leptos_i18n::Locale as _;

use super::{
    steps::StepHeading,
    text::{remembered_locale, storage, tx, LANG_KEY},
};
use crate::{api, format, i18n::*, routes};

/// The translations for everything inside, in the remembered language or Japanese.
#[component]
pub fn Language(children: Children) -> impl IntoView {
    provide_context(CardActivity::default());
    view! {
        <I18nContextProvider>
            <RememberedLocale/>
            {children()}
        </I18nContextProvider>
    }
}

/// Sets the remembered language once, after the provider's own start-up effect (which picks the
/// browser's preferred language: the portal is Japanese first, whatever the browser says).
#[component]
fn RememberedLocale() -> impl IntoView {
    let i18n = use_i18n();
    Effect::new(move |_| i18n.set_locale(remembered_locale()));
}

/// The header: the portal's name and the language switch (remembered in `localStorage`; the
/// `lang` attribute of `<html>` follows).
#[component]
pub fn Header() -> impl IntoView {
    let i18n = use_i18n();
    let switch = move |_| {
        let next = match i18n.get_locale() {
            Locale::ja => Locale::en,
            Locale::en => Locale::ja,
        };
        i18n.set_locale(next);
        if let Some(storage) = storage() {
            let _ = storage.set_item(LANG_KEY, next.as_str());
        }
    };
    // The portal's top page is in the other part when MyNa Point shows this header.
    let other_part = routes::outside_portal();
    view! {
        <a class="skip" href="#main">{t!(i18n, skip_to_main)}</a>
        <header class="site-header">
            <a class="brand" href=routes::TOP rel=other_part.then_some("external")>{t!(i18n, portal_name)}</a>
            <button
                type="button"
                class="lang-switch"
                aria-label=move || t_string!(i18n, language_switch_label).to_string()
                on:click=switch
            >
                {t!(i18n, language_switch)}
            </button>
        </header>
    }
}

/// What the card step tells the rest of the page: whether a card request is under way (the
/// citizen may be typing the PIN in the extension's window, which the page cannot see: the
/// terminal's idle timer must not run out meanwhile), and when the certificate of the last
/// login expires.
#[derive(Debug, Clone, Copy, Default)]
pub struct CardActivity {
    /// A card request (challenge → PIN window → login) is under way.
    pub pending: RwSignal<bool>,
    /// The logged-in certificate's notAfter (RFC 3339), from the login's answer.
    pub expires_at: RwSignal<Option<String>>,
}

/// The page's [`CardActivity`] (a fresh one outside [`Language`], e.g. in component tests).
pub fn card_activity() -> CardActivity {
    use_context::<CardActivity>().unwrap_or_default()
}

/// How long before its expiry the page warns about the certificate: three months, when the
/// municipal office starts renewing it.
pub const EXPIRY_WARNING_MS: f64 = 92.0 * 86_400_000.0;

/// After a login (in this page, or earlier in the session), within [`EXPIRY_WARNING_MS`] of the
/// certificate's expiry: when it expires and where to renew it. (An expired certificate cannot log in: `CERTIFICATE_EXPIRED` has its
/// own message.)
#[component]
pub fn CertificateNotice() -> impl IntoView {
    let i18n = use_i18n();
    let activity = card_activity();
    // After a reload or a move to the other part: the session still knows the expiry.
    spawn_local(async move {
        if let Ok(info) = api::session().await {
            if info.certificate_expires_at.is_some() {
                activity.expires_at.set(info.certificate_expires_at);
            }
        }
    });
    move || {
        let at = activity.expires_at.get()?;
        let expires_ms = js_sys::Date::parse(&at);
        let left = expires_ms - js_sys::Date::now();
        (left.is_finite() && left < EXPIRY_WARNING_MS).then(|| {
            let date = move || format::date(&at, i18n.get_locale() == Locale::ja);
            view! {
                <p class="warning certificate-expiry" role="status">
                    {t!(i18n, card.certificate_expires, date)}
                </p>
            }
        })
    }
}

/// 「ページが見つかりません」: every path that is not a route of the part (the server answers
/// such a path with 404 and this page).
#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <StepHeading>{tx(|l| td_string!(l, not_found.title))}</StepHeading>
        <p>{tx(|l| td_string!(l, not_found.text))}</p>
        <p><a class="button" href=routes::TOP rel=routes::outside_portal().then_some("external")>{tx(|l| td_string!(l, not_found.top))}</a></p>
    }
}
