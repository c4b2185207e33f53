//! Every path of the SPA, named once. The paths the parts answer come from `protocol::site`
//! (which the server also reads to answer them, and a 404 for any other); a link or a move
//! names one of these constants, never a literal (`cargo xtask tidy` checks that the `path!`
//! of every route is one of `protocol::site`'s and that no other file writes a path). Moving
//! to another part is a full page load ([`use_go_to`]).

use leptos::prelude::*;

pub use protocol::site::{
    DIAGNOSIS, HISTORY, INFO, INSURANCE_APPLY, INSURANCE_STATUS, MYNAPOINT, MYNAPOINT_APPLY,
    MYNAPOINT_KIOSK, MYNAPOINT_RECEIPT, MYNAPOINT_RESERVE, TERMS, TERMS_MYNAPOINT, TOP,
};

/// F7's section on installing the extension and the bridge.
pub const INSTALL: &str = "/info#install";
/// F5 continued right after a reservation (the MyKey ID is read from the session).
pub const MYNAPOINT_APPLY_CONTINUE: &str = "/mynapoint/apply?continue=1";

/// Whether the page is another part's than the portal's (health insurance, MyNa Point's, the
/// self-diagnosis):
/// links to the portal's pages are then full page loads (`rel="external"`), which the router
/// leaves to the browser.
pub fn outside_portal() -> bool {
    web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .is_some_and(|path| protocol::site::part_of(&path).is_none_or(|part| !part.is_empty()))
}

/// Logs out (best effort), then goes to the portal's top page with `go_to` ([`use_go_to`]):
/// 「終了」 of F1, F2 and やりとり履歴.
pub(crate) fn log_out_to_top(go_to: impl Fn(&str) + 'static) {
    leptos::task::spawn_local(async move {
        let _ = crate::api::logout().await;
        go_to(TOP);
    });
}

/// What a page load to another part does instead, where one would end the page: a browser
/// test provides it around a part to see where the part sends the citizen.
#[derive(Clone, Copy)]
pub struct PageLoad(pub Callback<String>);

/// The router's way to a path of this part, provided under the router by a part that has one
/// ([`provide_router_moves`]); a part without a router (one route: MyNa Point's application)
/// has none, and does not link the router's code.
#[derive(Clone, Copy)]
pub struct RouterMove(pub Callback<String>);

/// Provides [`RouterMove`]; call it inside `<Router>`.
pub fn provide_router_moves() {
    let navigate = leptos_router::hooks::use_navigate();
    provide_context(RouterMove(Callback::new(move |path: String| {
        navigate(&path, Default::default())
    })));
}

/// A function that goes to a path: through the router when this part answers it and has one,
/// else with a full page load (another part's page: `protocol::site::part_of`), or the
/// [`PageLoad`] a test provided. Call it when the component is set up (it reads the context).
pub(crate) fn use_go_to() -> impl Fn(&str) + Clone + 'static {
    let navigate = use_context::<RouterMove>();
    let load = use_context::<PageLoad>();
    move |path: &str| {
        let window = web_sys::window();
        let here = window
            .as_ref()
            .and_then(|w| w.location().pathname().ok())
            .and_then(|p| protocol::site::part_of(&p));
        if let (Some(RouterMove(navigate)), true) = (
            navigate,
            here.is_some() && here == protocol::site::part_of(path),
        ) {
            navigate.run(path.to_owned());
        } else if let Some(PageLoad(load)) = load {
            load.run(path.to_owned());
        } else if let Some(window) = window {
            let _ = window.location().assign(path);
        }
    }
}
