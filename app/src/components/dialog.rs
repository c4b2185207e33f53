//! Modal dialogs: the platform's `<dialog>` opened with `showModal()`, and the confirmation
//! with OK and Cancel (「予約確定」「申込確定」).

use leptos::{html, prelude::*};

use super::text::tx;
use crate::i18n::*;

/// Opens `dialog` with `showModal()` once it is in the page (the platform's modal dialog: the
/// rest of the page inert, the focus inside, Tab kept inside, Escape sends `cancel`).
pub fn open_modal(dialog: NodeRef<html::Dialog>) {
    Effect::new(move |_| {
        if let Some(element) = dialog.get() {
            if !element.open() {
                let _ = element.show_modal();
            }
        }
    });
}

/// A confirmation (「予約確定」「申込確定」) with OK and Cancel: the platform's `<dialog>`, opened
/// with `showModal()` — named by its heading, the page behind inert, the focus inside (on OK),
/// Tab kept inside, Escape the same as Cancel.
#[component]
pub fn Confirm(
    text: AnyView,
    ok: AnyView,
    on_ok: Callback<()>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    open_modal(dialog);
    view! {
        <dialog class="dialog" node_ref=dialog aria-labelledby="confirm-title" aria-describedby="confirm-text"
            on:cancel=move |ev: web_sys::Event| { ev.prevent_default(); on_cancel.run(()) }>
            <h2 id="confirm-title">{ok}</h2>
            <p id="confirm-text">{text}</p>
            <div class="buttons">
                <button type="button" on:click=move |_| on_cancel.run(())>{tx(|l| td_string!(l, mynapoint.cancel))}</button>
                <button type="button" class="primary" autofocus on:click=move |_| on_ok.run(())>{tx(|l| td_string!(l, mynapoint.ok))}</button>
            </div>
        </dialog>
    }
}
