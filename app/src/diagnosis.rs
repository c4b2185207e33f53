//! The self-diagnosis page (`/diagnosis`): the extension, the helper program (bridge), its
//! registration with the browsers, the PC/SC service, the readers and what each holds, the My
//! Number Card, its certificate's expiry and the PIN's tries left — each with its verdict and
//! what to do — and a plain-text report the citizen can copy for a help desk. No PIN is asked and
//! nothing personal is shown or reported (versions, reader names, a date, a count).
//!
//! [`checks`] and [`report`] are pure (tested natively); [`Diagnosis`] is the page.

use leptos::{prelude::*, task::spawn_local};
use protocol::{
    bridge::{CardPresence, DiagnoseResult, ReaderStatus, StatusResult},
    page::Diagnosis as Found,
    ErrorBody, ErrorCode,
};

use crate::{
    card::{readiness, Readiness},
    i18n::*,
    ui::{card_message, lang, tx, update_hint, StepHeading},
};

/// What is checked, in the order a citizen fixes things.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    /// The browser extension.
    Extension,
    /// The helper program (the bridge).
    Bridge,
    /// The bridge's registration with each browser.
    Browsers,
    /// The smart-card service (PC/SC).
    Pcsc,
    /// The card readers.
    Readers,
    /// A My Number Card on one of them.
    Card,
    /// The user-authentication certificate's expiry.
    Certificate,
    /// The PIN's tries left.
    Tries,
}

impl Item {
    /// The name in the report.
    pub fn key(self) -> &'static str {
        match self {
            Self::Extension => "extension",
            Self::Bridge => "bridge",
            Self::Browsers => "browsers",
            Self::Pcsc => "pcsc",
            Self::Readers => "readers",
            Self::Card => "card",
            Self::Certificate => "certificate",
            Self::Tries => "tries",
        }
    }
}

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Fine.
    Ok,
    /// Works, but needs attention soon (the last try, a certificate near its end).
    Warn,
    /// Stops the card step: the fix says what to do.
    Fail,
    /// Not reached: an earlier check failed.
    NotChecked,
}

impl Verdict {
    /// The name in the report and the page's `data-verdict`.
    pub fn key(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Warn => "warn",
            Self::Fail => "fail",
            Self::NotChecked => "not-checked",
        }
    }
}

/// What a check found, beyond its verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detail {
    /// Nothing to show.
    None,
    /// A part's version.
    Version(String),
    /// The browsers that find the bridge.
    Browsers(Vec<String>),
    /// Every reader and what it holds.
    Readers(Vec<ReaderStatus>),
    /// The reader with the My Number Card.
    Reader(String),
    /// The certificate's last day (`YYYY-MM-DD`).
    Date(String),
    /// Tries left.
    Count(u8),
}

/// What to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fix {
    /// What the card step says for this code of the extension or the bridge.
    Card(ErrorCode),
    /// The certificate has expired: renew it at the municipal office.
    CertificateExpired,
    /// The certificate ends within about three months: renew it soon.
    CertificateEnding,
}

impl Fix {
    /// The fix's code in the report (the wire code, or the page's own).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Card(code) => code.as_str(),
            Self::CertificateExpired => "CERTIFICATE_EXPIRED",
            Self::CertificateEnding => "CERTIFICATE_ENDING",
        }
    }
}

/// One row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// What.
    pub item: Item,
    /// How it came out.
    pub verdict: Verdict,
    /// What was found.
    pub detail: Detail,
    /// What to do.
    pub fix: Option<Fix>,
}

fn check(item: Item, verdict: Verdict, detail: Detail, fix: Option<Fix>) -> Check {
    Check {
        item,
        verdict,
        detail,
        fix,
    }
}

/// The rows from the extension's answer. `today` and `soon` (`YYYY-MM-DD`: today and three
/// months on, when the municipal office starts renewing) date the certificate.
pub fn checks(found: &Result<Found, ErrorBody>, today: &str, soon: &str) -> Vec<Check> {
    let mut rows = Vec::new();
    let rest = |rows: &mut Vec<Check>, from: usize| {
        for item in &ALL[from..] {
            rows.push(check(*item, Verdict::NotChecked, Detail::None, None));
        }
    };
    let found = match found {
        Ok(found) => found,
        Err(error) => {
            rows.push(check(
                Item::Extension,
                Verdict::Fail,
                Detail::None,
                Some(Fix::Card(error.code)),
            ));
            rest(&mut rows, 1);
            return rows;
        }
    };
    rows.push(check(
        Item::Extension,
        Verdict::Ok,
        Detail::Version(found.extension.clone()),
        None,
    ));
    let bridge = match (&found.bridge, &found.bridge_error) {
        (Some(bridge), _) => bridge,
        (None, error) => {
            let code = error
                .as_ref()
                .map_or(ErrorCode::BridgeUnavailable, |e| e.code);
            rows.push(check(
                Item::Bridge,
                Verdict::Fail,
                Detail::None,
                Some(Fix::Card(code)),
            ));
            rest(&mut rows, 2);
            return rows;
        }
    };
    rows.push(check(
        Item::Bridge,
        Verdict::Ok,
        Detail::Version(bridge.version.clone()),
        None,
    ));
    let registered: Vec<String> = bridge
        .browsers
        .iter()
        .filter(|b| b.registered)
        .map(|b| b.browser.clone())
        .collect();
    // The browser showing this page found the bridge: a browser without the registration is
    // one the citizen may not use, not a fault.
    rows.push(check(
        Item::Browsers,
        Verdict::Ok,
        Detail::Browsers(registered),
        None,
    ));
    if let Some(problem) = bridge.pcsc_problem {
        rows.push(check(
            Item::Pcsc,
            Verdict::Fail,
            Detail::None,
            Some(Fix::Card(problem)),
        ));
        rest(&mut rows, 4);
        return rows;
    }
    rows.push(check(Item::Pcsc, Verdict::Ok, Detail::None, None));
    if bridge.readers.is_empty() {
        rows.push(check(
            Item::Readers,
            Verdict::Fail,
            Detail::None,
            Some(Fix::Card(ErrorCode::NoReader)),
        ));
        rest(&mut rows, 5);
        return rows;
    }
    rows.push(check(
        Item::Readers,
        Verdict::Ok,
        Detail::Readers(bridge.readers.clone()),
        None,
    ));
    // The card step's own verdict, so that this page and the step never disagree.
    let verdict = readiness(Ok(status_of(bridge)));
    let Some(reader) = bridge.reader.clone() else {
        rows.push(check(
            Item::Card,
            Verdict::Fail,
            Detail::None,
            verdict.code().map(Fix::Card),
        ));
        rest(&mut rows, 6);
        return rows;
    };
    rows.push(check(Item::Card, Verdict::Ok, Detail::Reader(reader), None));
    rows.push(match &bridge.certificate_not_after {
        Some(end) if end.as_str() < today => check(
            Item::Certificate,
            Verdict::Fail,
            Detail::Date(end.clone()),
            Some(Fix::CertificateExpired),
        ),
        Some(end) if end.as_str() <= soon => check(
            Item::Certificate,
            Verdict::Warn,
            Detail::Date(end.clone()),
            Some(Fix::CertificateEnding),
        ),
        Some(end) => check(
            Item::Certificate,
            Verdict::Ok,
            Detail::Date(end.clone()),
            None,
        ),
        None => check(
            Item::Certificate,
            Verdict::Warn,
            Detail::None,
            Some(Fix::Card(ErrorCode::Internal)),
        ),
    });
    rows.push(match (verdict, bridge.auth_pin_tries_left) {
        (Readiness::Blocked, _) => check(
            Item::Tries,
            Verdict::Fail,
            Detail::Count(0),
            Some(Fix::Card(ErrorCode::PinBlocked)),
        ),
        (Readiness::LastTry, _) => check(
            Item::Tries,
            Verdict::Warn,
            Detail::Count(1),
            Some(Fix::Card(ErrorCode::PinLastTry)),
        ),
        (_, Some(count)) => check(Item::Tries, Verdict::Ok, Detail::Count(count), None),
        (_, None) => check(
            Item::Tries,
            Verdict::Warn,
            Detail::None,
            Some(Fix::Card(ErrorCode::Internal)),
        ),
    });
    rows
}

const ALL: [Item; 8] = [
    Item::Extension,
    Item::Bridge,
    Item::Browsers,
    Item::Pcsc,
    Item::Readers,
    Item::Card,
    Item::Certificate,
    Item::Tries,
];

fn status_of(bridge: &DiagnoseResult) -> StatusResult {
    StatusResult {
        readers: bridge.readers.clone(),
        auth_pin_tries_left: bridge.auth_pin_tries_left,
        reader: bridge.reader.clone(),
    }
}

fn holds(card: CardPresence) -> &'static str {
    match card {
        CardPresence::Absent => "empty",
        CardPresence::Jpki => "my-number-card",
        CardPresence::Other => "other-card",
        CardPresence::InUse => "in-use",
    }
}

/// The report to copy: one line per check, in fixed English words so that any help desk reads
/// it, with the moment it was made.
pub fn report(rows: &[Check], when: &str) -> String {
    let mut text = format!("Myna Portal self-diagnosis, {when}\n");
    for row in rows {
        let detail = match &row.detail {
            Detail::None => String::new(),
            Detail::Version(v) => format!(" version {v}"),
            Detail::Browsers(b) if b.is_empty() => " this browser only".to_owned(),
            Detail::Browsers(b) => format!(" {}", b.join(", ")),
            Detail::Readers(readers) => readers
                .iter()
                .map(|r| format!(" [{}: {}]", r.name, holds(r.card)))
                .collect(),
            Detail::Reader(r) => format!(" in {r}"),
            // The certificate's last day falls on the holder's birthday (JPKI certificates end
            // on the fifth birthday after issue): the report says only ok / ending / expired.
            Detail::Date(_) => String::new(),
            Detail::Count(n) => format!(" {n} left"),
        };
        let fix = row
            .fix
            .map(|f| format!(" ({})", f.as_str()))
            .unwrap_or_default();
        text.push_str(&format!(
            "{}: {}{detail}{fix}\n",
            row.item.key(),
            row.verdict.key()
        ));
    }
    text
}

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
                    <p><a class="install" href="/info#install">{tx(|l| td_string!(l, card.install_link))}</a></p>
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
            let answer = crate::helper::diagnose(lang(locale)).await;
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

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::bridge::BrowserRegistration;

    fn bridge() -> DiagnoseResult {
        DiagnoseResult {
            version: "0.1.0".into(),
            pcsc_problem: None,
            readers: vec![
                ReaderStatus {
                    name: "Reader A".into(),
                    card: CardPresence::Jpki,
                },
                ReaderStatus {
                    name: "Reader B".into(),
                    card: CardPresence::Absent,
                },
            ],
            reader: Some("Reader A".into()),
            auth_pin_tries_left: Some(3),
            certificate_not_after: Some("2030-01-31".into()),
            browsers: vec![
                BrowserRegistration {
                    browser: "chromium".into(),
                    registered: true,
                },
                BrowserRegistration {
                    browser: "edge".into(),
                    registered: false,
                },
            ],
        }
    }

    fn found(bridge: DiagnoseResult) -> Result<Found, ErrorBody> {
        Ok(Found {
            extension: "0.2.0".into(),
            bridge: Some(bridge),
            bridge_error: None,
        })
    }

    fn verdicts(rows: &[Check]) -> Vec<&'static str> {
        rows.iter().map(|r| r.verdict.key()).collect()
    }

    #[test]
    fn all_well() {
        let rows = checks(&found(bridge()), "2026-11-30", "2027-03-02");
        assert_eq!(verdicts(&rows), ["ok"; 8]);
        assert_eq!(rows[2].detail, Detail::Browsers(vec!["chromium".into()]));
        let text = report(&rows, "2026-11-30T10:00:00.000Z");
        assert_eq!(
            text,
            "Myna Portal self-diagnosis, 2026-11-30T10:00:00.000Z\n\
             extension: ok version 0.2.0\n\
             bridge: ok version 0.1.0\n\
             browsers: ok chromium\n\
             pcsc: ok\n\
             readers: ok [Reader A: my-number-card] [Reader B: empty]\n\
             card: ok in Reader A\n\
             certificate: ok\n\
             tries: ok 3 left\n"
        );
    }

    #[test]
    fn each_failure_stops_the_checks_after_it() {
        let missing = Err(ErrorBody::new(ErrorCode::ExtensionUnavailable, "x"));
        let rows = checks(&missing, "2026-11-30", "2027-03-02");
        assert_eq!(
            rows[0].fix,
            Some(Fix::Card(ErrorCode::ExtensionUnavailable))
        );
        assert_eq!(verdicts(&rows)[1..], ["not-checked"; 7]);

        let no_bridge = Ok(Found {
            extension: "0.2.0".into(),
            bridge: None,
            bridge_error: Some(ErrorBody::new(ErrorCode::VersionMismatch, "x")),
        });
        let rows = checks(&no_bridge, "2026-11-30", "2027-03-02");
        assert_eq!(verdicts(&rows)[..2], ["ok", "fail"]);
        assert_eq!(rows[1].fix, Some(Fix::Card(ErrorCode::VersionMismatch)));

        let mut stopped = bridge();
        stopped.pcsc_problem = Some(ErrorCode::NoPcscService);
        let rows = checks(&found(stopped), "2026-11-30", "2027-03-02");
        assert_eq!(rows[3].fix, Some(Fix::Card(ErrorCode::NoPcscService)));
        assert_eq!(verdicts(&rows)[4..], ["not-checked"; 4]);

        let mut none = bridge();
        none.readers.clear();
        none.reader = None;
        let rows = checks(&found(none), "2026-11-30", "2027-03-02");
        assert_eq!(
            (rows[4].verdict, rows[4].fix),
            (Verdict::Fail, Some(Fix::Card(ErrorCode::NoReader)))
        );

        // The card step's verdicts: another card beside a free reader means "put it on".
        let mut other = bridge();
        other.readers[0].card = CardPresence::Other;
        other.reader = None;
        let rows = checks(&found(other), "2026-11-30", "2027-03-02");
        assert_eq!(
            (rows[5].verdict, rows[5].fix),
            (Verdict::Fail, Some(Fix::Card(ErrorCode::NoCard)))
        );
        let mut held = bridge();
        held.readers = vec![ReaderStatus {
            name: "Reader A".into(),
            card: CardPresence::InUse,
        }];
        held.reader = None;
        let rows = checks(&found(held), "2026-11-30", "2027-03-02");
        assert_eq!(rows[5].fix, Some(Fix::Card(ErrorCode::ReaderInUse)));
    }

    #[test]
    fn the_certificate_and_the_tries_warn_before_they_stop() {
        let dated = |end: &str, tries: u8| {
            let mut b = bridge();
            b.certificate_not_after = Some(end.into());
            b.auth_pin_tries_left = Some(tries);
            checks(&found(b), "2026-11-30", "2027-03-02")
        };
        let rows = dated("2027-01-15", 1);
        assert_eq!(
            (rows[6].verdict, rows[6].fix),
            (Verdict::Warn, Some(Fix::CertificateEnding))
        );
        assert_eq!(
            (rows[7].verdict, rows[7].fix),
            (Verdict::Warn, Some(Fix::Card(ErrorCode::PinLastTry)))
        );
        let rows = dated("2026-11-29", 0);
        assert_eq!(
            (rows[6].verdict, rows[6].fix),
            (Verdict::Fail, Some(Fix::CertificateExpired))
        );
        assert_eq!(
            (rows[7].verdict, rows[7].fix),
            (Verdict::Fail, Some(Fix::Card(ErrorCode::PinBlocked)))
        );
        // The last day itself is still valid.
        assert_eq!(dated("2026-11-30", 3)[6].fix, Some(Fix::CertificateEnding));
    }
}
