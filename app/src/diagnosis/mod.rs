//! The self-diagnosis page (`/diagnosis`): the extension, the bridge (native-messaging host), its
//! registration with the browsers, the PC/SC service, the readers and what each holds, the My
//! Number Card, its certificate's expiry and the PIN's tries left — each with its verdict and
//! what to do — and a plain-text report the citizen can copy for a help desk. No PIN is asked and
//! nothing personal is shown or reported (versions, reader names, a date, a count).
//!
//! [`checks::checks`] and [`checks::report`] are pure (tested natively, `checks.rs`);
//! [`Diagnosis`] is the page, [`DiagnosisApp`] its part (`diagnosis/index.html`, the `diagnosis`
//! binary): a part of its own so that the portal's first page does not carry it.

use leptos::{prelude::*, task::spawn_local};
use protocol::{bridge::CardPresence, page::Diagnosis as Found, ErrorBody};

pub mod checks;

use leptos_router::{
    components::{Route, Router, Routes},
    path,
};

pub use checks::{checks, report, Check, Detail, Fix, Item, Verdict};

use crate::{
    components::{card_message, lang, tx, update_hint, StepHeading},
    i18n::*,
    routes,
};

fn item_name(item: Item) -> impl Fn() -> &'static str + Copy {
    match item {
        Item::Extension => tx(|l| td_string!(l, diagnosis.item_extension)),
        Item::Bridge => tx(|l| td_string!(l, diagnosis.item_bridge)),
        Item::Browsers => tx(|l| td_string!(l, diagnosis.item_browsers)),
        Item::Pcsc => tx(|l| td_string!(l, diagnosis.item_pcsc)),
        Item::Readers => tx(|l| td_string!(l, diagnosis.item_readers)),
        Item::Card => tx(|l| td_string!(l, diagnosis.item_card)),
        Item::Certificate => tx(|l| td_string!(l, diagnosis.item_certificate)),
        Item::Tries => tx(|l| td_string!(l, diagnosis.item_tries)),
    }
}

fn verdict_name(verdict: Verdict) -> impl Fn() -> &'static str + Copy {
    match verdict {
        Verdict::Ok => tx(|l| td_string!(l, diagnosis.ok)),
        Verdict::Warn => tx(|l| td_string!(l, diagnosis.warn)),
        Verdict::Fail => tx(|l| td_string!(l, diagnosis.fail)),
        Verdict::NotChecked => tx(|l| td_string!(l, diagnosis.not_checked)),
    }
}

fn holds_name(card: CardPresence) -> impl Fn() -> &'static str + Copy {
    match card {
        CardPresence::Absent => tx(|l| td_string!(l, diagnosis.holds_absent)),
        CardPresence::Jpki => tx(|l| td_string!(l, diagnosis.holds_jpki)),
        CardPresence::Other => tx(|l| td_string!(l, diagnosis.holds_other)),
        CardPresence::InUse => tx(|l| td_string!(l, diagnosis.holds_in_use)),
    }
}

fn detail_view(detail: Detail) -> AnyView {
    let i18n = use_i18n();
    match detail {
        Detail::None => ().into_any(),
        Detail::Version(version) => t!(i18n, diagnosis.version, version).into_any(),
        // Registered only in this browser's own profile (a `--user-data-dir`): none of the
        // usual places, yet this browser found it.
        Detail::Browsers(browsers) if browsers.is_empty() => {
            tx(|l| td_string!(l, diagnosis.this_browser)).into_any()
        }
        Detail::Browsers(browsers) => browsers
            .iter()
            .map(|b| match b.as_str() {
                "chrome" => "Google Chrome",
                "chromium" => "Chromium",
                "edge" => "Microsoft Edge",
                "firefox" => "Firefox",
                other => other,
            })
            .collect::<Vec<_>>()
            .join(", ")
            .into_any(),
        Detail::Readers(readers) => view! {
            <ul class="readers">
                {readers.into_iter().map(|r| view! {
                    <li>{r.name}" — "{holds_name(r.card)}</li>
                }).collect_view()}
            </ul>
        }
        .into_any(),
        Detail::Reader(reader) => reader.into_any(),
        Detail::Date(date) => t!(i18n, diagnosis.until, date).into_any(),
        Detail::Count(count) => t!(i18n, diagnosis.count, count).into_any(),
    }
}

fn fix_view(fix: Option<Fix>, found: &Result<Found, ErrorBody>) -> AnyView {
    match fix {
        None => ().into_any(),
        Some(Fix::CertificateExpired) => {
            tx(|l| td_string!(l, diagnosis.certificate_expired)).into_any()
        }
        Some(Fix::CertificateEnding) => {
            tx(|l| td_string!(l, diagnosis.certificate_ending)).into_any()
        }
        Some(Fix::Card(code)) => {
            let update = found
                .as_ref()
                .ok()
                .and_then(|f| f.bridge_error.as_ref())
                .and_then(|e| e.update);
            view! {
                {card_message(code)}
                {update_hint(update)}
                {code.needs_setup().then(|| view! {
                    <p><a class="install" href=routes::INSTALL rel="external">{tx(|l| td_string!(l, card.install_link))}</a></p>
                })}
            }
            .into_any()
        }
    }
}

/// Today and three months on, `YYYY-MM-DD` (the browser's clock, UTC), and the moment.
fn dates() -> (String, String, String) {
    let now = js_sys::Date::new_0();
    let iso = |date: &js_sys::Date| String::from(date.to_iso_string());
    let soon = js_sys::Date::new(&(now.get_time() + 92.0 * 86_400_000.0).into());
    let moment = iso(&now);
    (moment[..10].to_owned(), iso(&soon)[..10].to_owned(), moment)
}

/// `/diagnosis`: runs at once, again on 「もう一度診断する」.
/// Mounts the self-diagnosis part on `<body>` (the `diagnosis` binary, `diagnosis/index.html`).
pub fn mount() {
    leptos::mount::mount_to_body(DiagnosisApp);
}

/// The self-diagnosis part (`protocol::site::DIAGNOSIS_ROUTES`): the language, the header, the
/// page; any other path is 「ページが見つかりません」.
#[component]
pub fn DiagnosisApp() -> impl IntoView {
    view! {
        <crate::components::Language>
            <Router>
                <crate::components::Header/>
                <main id="main">
                    <Routes fallback=crate::components::NotFound>
                        <Route path=path!("/diagnosis") view=Diagnosis/>
                    </Routes>
                </main>
            </Router>
        </crate::components::Language>
    }
}

#[component]
pub fn Diagnosis() -> impl IntoView {
    let i18n = use_i18n();
    let found = RwSignal::new(None::<(Result<Found, ErrorBody>, String, String, String)>);
    let copied = RwSignal::new(None::<bool>);
    let run = move || {
        found.set(None);
        copied.set(None);
        let locale = i18n.get_locale_untracked();
        spawn_local(async move {
            let answer = crate::extension::diagnose(lang(locale)).await;
            let (today, soon, moment) = dates();
            found.set(Some((answer, today, soon, moment)));
        });
    };
    run();
    view! {
        <StepHeading>{tx(|l| td_string!(l, diagnosis.title))}</StepHeading>
        <p>{tx(|l| td_string!(l, diagnosis.intro))}</p>
        {move || match found.get() {
            None => view! { <p class="checking">{tx(|l| td_string!(l, card.checking))}</p> }.into_any(),
            Some((answer, today, soon, moment)) => {
                let rows = checks(&answer, &today, &soon);
                let text = report(&rows, &moment);
                let copy_text = text.clone();
                view! {
                    <table class="diagnosis" data-done="">
                        <thead><tr>
                            <th scope="col">{tx(|l| td_string!(l, diagnosis.col_item))}</th>
                            <th scope="col">{tx(|l| td_string!(l, diagnosis.col_result))}</th>
                            <th scope="col">{tx(|l| td_string!(l, diagnosis.col_fix))}</th>
                        </tr></thead>
                        <tbody>
                            {rows.into_iter().map(|row| view! {
                                <tr data-item=row.item.key()>
                                    <th scope="row">{item_name(row.item)}</th>
                                    <td class=format!("verdict {}", row.verdict.key()) data-verdict=row.verdict.key()>
                                        <strong>{verdict_name(row.verdict)}</strong>" "{detail_view(row.detail)}
                                    </td>
                                    <td class="fix">{fix_view(row.fix, &answer)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                    <label for="diagnosis-report">{tx(|l| td_string!(l, diagnosis.report_label))}</label>
                    <textarea id="diagnosis-report" readonly rows="10">{text}</textarea>
                    <div class="buttons">
                        <button type="button" on:click=move |_| run()>{tx(|l| td_string!(l, diagnosis.run_again))}</button>
                        <button type="button" class="primary" on:click=move |_| {
                            let text = copy_text.clone();
                            spawn_local(async move { copied.set(Some(copy(&text).await)) });
                        }>{tx(|l| td_string!(l, diagnosis.copy))}</button>
                    </div>
                    {move || copied.get().map(|done| view! {
                        <p role="status" class=if done { "ok" } else { "warning" }>
                            {if done {
                                tx(|l| td_string!(l, diagnosis.copied)).into_any()
                            } else {
                                tx(|l| td_string!(l, diagnosis.copy_failed)).into_any()
                            }}
                        </p>
                    })}
                }
                .into_any()
            }
        }}
    }
}

/// Puts the report on the clipboard; false when the browser refuses (the text stays selectable).
async fn copy(text: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let promise = window.navigator().clipboard().write_text(text);
    wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
}
