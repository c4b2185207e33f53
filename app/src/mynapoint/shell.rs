//! What every MyNa Point part shows around its routes (language, header, the certificate
//! notice, the terminal's idle guard), and kiosk mode: `/mynapoint/kiosk` or `?kiosk=1` turns it
//! on for the tab.

use leptos::prelude::*;
use leptos_router::components::Router;

use super::terminal::IdleGuard;
use crate::{
    components::{start_of_part, CardWatch, CertificateNotice, Header, Language},
    kiosk::Kiosk,
    routes,
};

const KIOSK_KEY: &str = "myna-kiosk";

/// Kiosk mode from the address, for this tab; `<body class="kiosk">` at the terminal.
pub fn start_kiosk() -> bool {
    let kiosk = kiosk_from_location();
    provide_context(Kiosk(kiosk));
    crate::api::set_terminal(kiosk);
    if kiosk {
        if let Some(body) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.body())
        {
            let _ = body.class_list().add_1("kiosk");
        }
    }
    kiosk
}

/// What every MyNa Point part shows around its routes: language context, the router, header,
/// the certificate notice, the terminal's idle guard.
#[component]
pub fn Shell(kiosk: bool, children: Children) -> impl IntoView {
    view! {
        <Language>
            <Router>
                {routes::provide_router_moves()}
                <Frame kiosk>{children()}</Frame>
            </Router>
        </Language>
    }
}

/// [`Shell`] without a router, for a part of one route (MyNa Point's application and receipt,
/// [`at_route`]): the router's code (matching, history, link interception: about 33 KB of the
/// first page, brotli) is not in its wasm; its moves are full page loads to the other parts.
#[component]
pub fn PlainShell(kiosk: bool, children: Children) -> impl IntoView {
    view! {
        <Language>
            <Frame kiosk>{children()}</Frame>
        </Language>
    }
}

/// Whether the page's path is one of `routes` (a part of one route, served without a router:
/// anything else under the part is not found).
pub fn at_route(routes: &[&str]) -> bool {
    web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .is_some_and(|path| routes.contains(&path.trim_end_matches('/')))
}

/// Header, main with the certificate notice, and the terminal's idle guard.
#[component]
fn Frame(kiosk: bool, children: Children) -> impl IntoView {
    view! {
        <Header/>
        <main id="main">
            <CertificateNotice/>
            <CardWatch start=start_of_part(true, kiosk)/>
            {children()}
        </main>
        <Show when=move || kiosk><IdleGuard/></Show>
    }
}

/// Kiosk mode: `/mynapoint/kiosk` or `?kiosk=1` turns it on for the tab (sessionStorage).
pub fn kiosk_from_location() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let location = window.location();
    let asked = location
        .pathname()
        .is_ok_and(|p| p.starts_with(routes::MYNAPOINT_KIOSK))
        || location.search().is_ok_and(|s| s.contains("kiosk=1"));
    let storage = window.session_storage().ok().flatten();
    if asked {
        if let Some(storage) = &storage {
            let _ = storage.set_item(KIOSK_KEY, "1");
        }
        return true;
    }
    storage
        .and_then(|s| s.get_item(KIOSK_KEY).ok().flatten())
        .is_some_and(|v| v == "1")
}
