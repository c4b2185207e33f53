//! The service state (`docs/maintenance.md`): the maintenance windows the operators set,
//! listed at the top of the screens of the portal and of MyNa Point's start and receipt parts
//! (`MaintenanceNotice`). A card step asks the server about its own service
//! (`GET /service-state/{scope}`) and shows its refusal like any other.

use leptos::{prelude::*, task::spawn_local};
use protocol::maintenance::{Scope, ServiceState, Window};

use crate::{api, format, i18n::*};

/// A piece of a sentence: a text of the translation files, or a time of the server.
#[derive(Debug, Clone)]
pub enum Piece {
    /// A text (`|l| td_string!(l, key)`).
    Text(fn(Locale) -> &'static str),
    /// A time (RFC 3339, JST), written in the page's language.
    Time(String),
}

/// A sentence of pieces, in the page's language. The maintenance sentences are assembled from
/// pieces (each language's pieces ordered so that both read naturally) instead of `t!` with
/// values: one closure type renders them all, where each `t!` with values would compile its own
/// view code (3.6 KB brotli more in every part for these sentences; BENCHMARKS.md).
pub fn sentence(pieces: Vec<Piece>) -> impl Fn() -> String + Send + Sync + 'static {
    let i18n = use_i18n();
    move || {
        let locale = i18n.get_locale();
        pieces
            .iter()
            .map(|piece| match piece {
                Piece::Text(text) => text(locale).to_owned(),
                Piece::Time(at) => format::date_time(at, locale == Locale::ja),
            })
            .collect()
    }
}

/// What a window stops, as the sentence names it.
fn service_name(scope: Scope) -> Piece {
    Piece::Text(match scope {
        Scope::All => |l| td_string!(l, maintenance.all),
        Scope::Insurance => |l| td_string!(l, maintenance.insurance),
        Scope::Mynapoint => |l| td_string!(l, maintenance.mynapoint),
        Scope::Bulk => |l| td_string!(l, maintenance.bulk),
        Scope::Unknown => |l| td_string!(l, maintenance.unknown),
    })
}

/// What a window on now stops, and when to try again (`until`, RFC 3339), or "later" when the
/// operators did not say.
fn stopped(scope: Scope, until: Option<String>) -> Vec<Piece> {
    use Piece::{Text, Time};
    let service = service_name(scope);
    match until {
        Some(until) => vec![
            Text(|l| td_string!(l, maintenance.now)),
            service,
            Text(|l| td_string!(l, maintenance.now_until)),
            Time(until),
            Text(|l| td_string!(l, maintenance.retry_end)),
        ],
        None => vec![
            Text(|l| td_string!(l, maintenance.now)),
            service,
            Text(|l| td_string!(l, maintenance.now_open)),
        ],
    }
}

/// The sentence of one window: on now ([`stopped`]) or announced (from when until when,
/// and what).
fn window_text(window: Window) -> impl Fn() -> String + Send + Sync {
    use Piece::{Text, Time};
    let service = service_name(window.scope);
    sentence(match (window.active, window.until) {
        (true, until) => stopped(window.scope, until),
        (false, Some(until)) => vec![
            Time(window.from),
            Text(|l| td_string!(l, maintenance.announced_to)),
            Time(until),
            Text(|l| td_string!(l, maintenance.announced_until)),
            service,
            Text(|l| td_string!(l, maintenance.announced_end)),
        ],
        (false, None) => vec![
            Time(window.from),
            Text(|l| td_string!(l, maintenance.announced_open)),
            service,
            Text(|l| td_string!(l, maintenance.announced_end)),
        ],
    })
}

/// The windows, one sentence each: on now as a warning, announced as information.
#[component]
pub fn MaintenanceWindows(windows: Vec<Window>) -> impl IntoView {
    (!windows.is_empty()).then(|| {
        view! {
            <div class="maintenance" role="status">
                {windows
                    .into_iter()
                    .map(|window| {
                        let (active, scope) = (window.active, window.scope.as_str());
                        view! { <p class:warning=active data-scope=scope>{window_text(window)}</p> }
                    })
                    .collect_view()}
            </div>
        }
    })
}

/// Every window on now or announced, at the top of the screen: asks the server once
/// (`GET /service-state`). A page that cannot ask shows nothing (the server still refuses what
/// a window stops, with `MAINTENANCE`).
#[component]
pub fn MaintenanceNotice() -> impl IntoView {
    let state = RwSignal::new(None::<ServiceState>);
    spawn_local(async move {
        if let Ok(current) = api::service_state().await {
            state.set(Some(current));
        }
    });
    move || {
        state
            .get()
            .map(|current| view! { <MaintenanceWindows windows=current.maintenance/> })
    }
}
