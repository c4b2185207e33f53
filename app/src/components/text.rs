//! The page's language: the texts of the translation files ([`tx`]), the language the PIN
//! window is asked in, and the remembered choice.

use protocol::page::Lang;

use crate::i18n::*;

/// A text of the translation files that follows the language. Every call returns the same
/// closure type, so the renderer is compiled once for all texts instead of once per `t!` site
/// (12 KB brotli less for the whole SPA; see BENCHMARKS.md). Use it as `tx(|l| td_string!(l, key))`;
/// texts with values to fill in keep `t!`.
pub fn tx(text: fn(Locale) -> &'static str) -> impl Fn() -> &'static str + Copy + Send + Sync {
    let i18n = use_i18n();
    move || text(i18n.get_locale())
}

/// The page's language for the extension's PIN window.
pub fn lang(locale: Locale) -> Lang {
    match locale {
        Locale::ja => Lang::Ja,
        Locale::en => Lang::En,
    }
}

/// Where the chosen language is remembered.
pub(crate) const LANG_KEY: &str = "myna-lang";

pub(crate) fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The remembered language, else Japanese (whatever the browser prefers: the portal is
/// Japanese first).
pub fn remembered_locale() -> Locale {
    storage()
        .and_then(|s| s.get_item(LANG_KEY).ok().flatten())
        .and_then(|lang| lang.parse().ok())
        .unwrap_or(Locale::ja)
}
