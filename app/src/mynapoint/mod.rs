//! MyNa Point's start screen and reservation (F4; `mynapoint/index.html`, the `mynapoint`
//! binary, [`App`]) and its application (F5 up to the signed application;
//! `mynapoint/apply/index.html`, the `mynapoint_apply` binary, [`ApplyApp`]) — two of MyNa
//! Point's three parts; the receipt and F6 are the third ([`receipt`]). In kiosk mode
//! (`/mynapoint/kiosk`, or `?kiosk=1`) the targets are large, an on-screen keyboard of the
//! field's kind fills the fields (`docs/terminal.md`), and 60 s without input end the session
//! (the server's idle timeout, so a test can shorten it).

use leptos::{prelude::*, task::spawn_local};
use leptos_router::{
    components::{Route, Routes},
    path,
};

pub mod application;
pub mod bulk;
pub mod receipt;
pub mod reservation;
pub mod shell;
pub mod terminal;

pub use application::PointApply;
pub use receipt::{mount_receipt, ReceiptApp};
pub use reservation::Reserve;
pub use shell::{kiosk_from_location, start_kiosk, Shell};
pub use terminal::IdleGuard;

use crate::{
    api,
    components::{tx, NotFound, StepHeading},
    i18n::*,
    kiosk::is_terminal,
    routes,
};

/// Mounts MyNa Point on `<body>` (the `mynapoint` binary, `mynapoint/index.html`).
pub fn mount() {
    leptos::mount::mount_to_body(App);
}

/// Mounts MyNa Point's application part on `<body>` (the `mynapoint_apply` binary,
/// `mynapoint/apply/index.html`).
pub fn mount_apply() {
    leptos::mount::mount_to_body(ApplyApp);
}

/// MyNa Point's start and reservation part (`protocol::site::MYNAPOINT_ROUTES`): the start
/// screen, on a PC and at the terminal, and F4.
#[component]
pub fn App() -> impl IntoView {
    let kiosk = start_kiosk();
    view! {
        <Shell kiosk>
            <crate::components::MaintenanceNotice/>
            <Routes fallback=NotFound>
                <Route path=path!("/mynapoint") view=Start/>
                <Route path=path!("/mynapoint/kiosk") view=Start/>
                <Route path=path!("/mynapoint/reserve") view=Reserve/>
            </Routes>
        </Shell>
    }
}

/// MyNa Point's application part (`protocol::site::MYNAPOINT_APPLY_ROUTES`): F5 up to the
/// signed application. A part of its own so that neither MyNa Point first page passes its size
/// budget; moving between the parts is a full page load (`routes::use_go_to`).
#[component]
pub fn ApplyApp() -> impl IntoView {
    let kiosk = start_kiosk();
    // One route, so no router: the path is the part's only route or not found.
    let found = shell::at_route(protocol::site::MYNAPOINT_APPLY_ROUTES);
    view! {
        <shell::PlainShell kiosk>
            {if found { PointApply().into_any() } else { NotFound().into_any() }}
        </shell::PlainShell>
    }
}

/// The start screen: 「予約」 or 「申込」; on the terminal, the idle notice; on a PC, the way
/// back to the portal.
#[component]
pub fn Start() -> impl IntoView {
    let kiosk = is_terminal();
    if kiosk {
        // The terminal's start screen begins a new citizen's visit: whatever session is left
        // (「トップへ戻る」 after a reservation) ends here.
        // (The session's CSRF token first: a page just loaded has none.)
        spawn_local(async move {
            if api::session().await.is_ok_and(|s| s.authenticated) {
                let _ = api::logout().await;
            }
        });
    }
    view! {
        <StepHeading>
            {if kiosk { tx(|l| td_string!(l, mynapoint.start)) } else { tx(|l| td_string!(l, top.mynapoint_title)) }}
        </StepHeading>
        <Show when=move || kiosk>
            <p class="note">{tx(|l| td_string!(l, mynapoint.idle_notice))}</p>
        </Show>
        <ul class="actions big">
            <li><a class="button primary" href=routes::MYNAPOINT_RESERVE>{tx(|l| td_string!(l, top.mynapoint_reserve))}</a></li>
            <li><a class="button primary" href=routes::MYNAPOINT_APPLY rel="external">{tx(|l| td_string!(l, top.mynapoint_apply))}</a></li>
        </ul>
        <Show when=move || !kiosk>
            <p><a href=routes::TOP rel="external">{tx(|l| td_string!(l, mynapoint.to_portal))}</a></p>
        </Show>
    }
}
