//! Texts kept as data: HTML fragments per language (`app/public/content/{ja,en}/NAME.html`, copied by
//! Trunk to `dist/content/`), fetched when a screen shows them. Long texts — the terms, the
//! information page, the leaflets' guidance — would otherwise be compiled into each part's wasm
//! and grow its first page past the 200 KB budget (BENCHMARKS.md, "SPA"); as data they cost
//! one request when shown and nothing in the wasm. Short texts (buttons, labels, messages with
//! values) stay in `locales/`.
//!
//! The fragments are the project's own files, served from the page's origin (the CSP allows no
//! other), so inserting them as HTML is inserting our own markup, never user input.

use leptos::{html, prelude::*, task::spawn_local};
use leptos_i18n::Locale as _;

use crate::{api, i18n::*};

/// マイナポータル利用規約 of the version the pages show ([`protocol::site::PORTAL_TERMS_VERSION`]).
pub fn portal_terms() -> String {
    format!("terms-portal-{}", protocol::site::PORTAL_TERMS_VERSION)
}

/// The MyNa Point terms ([`protocol::site::MYNAPOINT_TERMS_VERSION`]).
pub fn mynapoint_terms() -> String {
    format!(
        "terms-mynapoint-{}",
        protocol::site::MYNAPOINT_TERMS_VERSION
    )
}

/// Every fragment a screen names (a test checks each exists in every language).
pub const NAMES: &[&str] = &[
    "info",
    "card-pin",
    "card-pin-apply",
    "card-pin-status",
    "card-pin-kiosk",
    "troubleshooting",
    "troubleshooting-diagnosis",
    "only-one",
    "phone-hint",
    "keyword-hint",
    "reserved",
    "receipt",
    "receipt-end",
    "bulk",
    "bulk-notes",
];

/// Scrolls to the element the address's `#fragment` names, if the page has it (a link to
/// `/info#install` lands on the install section once its text has arrived).
pub fn scroll_to_fragment() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let hash = window.location().hash().unwrap_or_default();
    let Some(id) = hash.strip_prefix('#').filter(|id| !id.is_empty()) else {
        return;
    };
    if let Some(element) = window.document().and_then(|d| d.get_element_by_id(id)) {
        element.scroll_into_view();
    }
}

/// The fragment `name` in the page's language; it follows a change of language. Until it
/// arrives the box is empty; when it cannot be fetched the box says so (the rest of the screen
/// works on). The text is put in place by hand rather than through a reactive view: one
/// element and one effect are all this needs, and MyNa Point's wasm has no bytes to spare.
#[component]
pub fn Content(
    /// The fragment's name (`NAMES`, [`portal_terms`], [`mynapoint_terms`]).
    #[prop(into)]
    name: String,
) -> AnyView {
    let i18n = use_i18n();
    let node = NodeRef::<html::Div>::new();
    let fragment = name.clone();
    Effect::new(move |_| {
        let locale = i18n.get_locale();
        let name = fragment.clone();
        spawn_local(async move {
            let html = match api::content(locale.as_str(), &name).await {
                Ok(text) => text,
                Err(_) => format!(
                    r#"<p class="error" role="alert">{}</p>"#,
                    td_string!(locale, content_unavailable)
                ),
            };
            // A quick change of language: only the answer for the language shown now.
            if i18n.get_locale_untracked() != locale {
                return;
            }
            if let Some(element) = node.get_untracked() {
                element.set_inner_html(&html);
                // The text is in place now: a `#fragment` inside it can be found.
                scroll_to_fragment();
            }
        });
    });
    // Type-erased: each screen's view type then holds one `AnyView` whatever this is (about
    // 0.4 KB brotli less per place that shows a text as data).
    view! { <div class="content" data-content=name node_ref=node></div> }.into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ` onclick=`, `\tonload=`…: an attribute `on` + letters + `=` after any white space;
    /// or a `javascript:` address.
    fn has_event_attribute(text: &str) -> bool {
        let lower = text.to_ascii_lowercase();
        lower.contains("javascript:")
            || lower.match_indices("on").any(|(at, _)| {
                let before = lower[..at].chars().next_back();
                let rest = &lower[at + 2..];
                let letters = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
                before.is_some_and(char::is_whitespace)
                    && letters > 0
                    && rest[letters..].trim_start().starts_with('=')
            })
    }

    #[test]
    fn scripts_in_fragments_are_found() {
        assert!(has_event_attribute("<p\nonclick=\"x\">"));
        assert!(has_event_attribute("<a href=\"JavaScript:x\">"));
        assert!(!has_event_attribute("<p>Put the card on the reader</p>"));
    }

    #[test]
    fn every_named_fragment_exists_in_every_language() {
        // Read when the test runs: a clone at another path may share the build cache.
        let dir = std::env::var_os("CARGO_MANIFEST_DIR")
            .map_or_else(
                || env!("CARGO_MANIFEST_DIR").into(),
                std::path::PathBuf::from,
            )
            .join("public/content");
        let mut names: Vec<String> = NAMES.iter().map(|n| (*n).to_owned()).collect();
        names.push(portal_terms());
        names.push(mynapoint_terms());
        for lang in ["ja", "en"] {
            for name in &names {
                let path = dir.join(lang).join(format!("{name}.html"));
                let text = std::fs::read_to_string(&path)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                assert!(!text.trim().is_empty(), "{}", path.display());
                assert!(
                    !text.contains("<script") && !has_event_attribute(&text),
                    "{}: fragments carry no script",
                    path.display()
                );
            }
        }
    }
}
