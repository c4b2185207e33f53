//! The terminal's on-screen keyboards (`docs/terminal.md`): one per kind of field.

use leptos::prelude::*;

use super::text::tx;
use crate::{
    i18n::*,
    kiosk::{self, Layout},
};

/// The terminal's on-screen keyboard for one field (docs/terminal.md): the keys of `layout`,
/// each appending to `target`, under a line naming the `field` it types into.
#[component]
pub fn Keyboard(
    layout: Layout,
    target: RwSignal<String>,
    /// The field's label, named above the keys.
    field: fn(Locale) -> &'static str,
) -> impl IntoView {
    // The alphanumeric keyboard's shift: small letters while on.
    let small = RwSignal::new(false);
    let shown = move |key: char| {
        if small.get() {
            key.to_ascii_lowercase()
        } else {
            key
        }
    };
    let mark = move |pairs: &'static str| {
        move |_| {
            target.update(|t| {
                if let Some(marked) = kiosk::mark_last(t, pairs) {
                    *t = marked;
                }
            })
        }
    };
    view! {
        <div class="keyboard" class:digits=layout == Layout::Digits role="group" aria-labelledby="keyboard-target">
            <p class="keyboard-target" id="keyboard-target">{tx(|l| td_string!(l, mynapoint.typing_into))}{tx(field)}</p>
            <div class="keys">
                {layout
                    .rows()
                    .iter()
                    .flat_map(|row| row.chars())
                    .map(|key| {
                        if key == '\u{3000}' {
                            view! { <span></span> }.into_any()
                        } else {
                            view! {
                                <button type="button" class="key" on:click=move |_| target.update(|t| t.push(shown(key)))>
                                    {move || shown(key).to_string()}
                                </button>
                            }
                            .into_any()
                        }
                    })
                    .collect_view()}
            </div>
            <div class="edit-keys">
                {match layout {
                    Layout::Kana => view! {
                        <button type="button" class="key" on:click=mark(kiosk::VOICED)>"゛"</button>
                        <button type="button" class="key" on:click=mark(kiosk::SEMI_VOICED)>"゜"</button>
                        <button type="button" class="key" on:click=mark(kiosk::SMALL)>"小"</button>
                    }
                    .into_any(),
                    Layout::Alphanumeric => view! {
                        <button type="button" class="key" aria-pressed=move || small.get().to_string()
                            on:click=move |_| small.update(|s| *s = !*s)>"abc"</button>
                    }
                    .into_any(),
                    Layout::Digits => ().into_any(),
                }}
                <button type="button" class="key wide" on:click=move |_| target.update(|t| { t.pop(); })>{tx(|l| td_string!(l, mynapoint.delete))}</button>
                <button type="button" class="key wide" on:click=move |_| target.set(String::new())>{tx(|l| td_string!(l, mynapoint.clear))}</button>
            </div>
        </div>
    }
}
