//! What the self-diagnosis checks and how it judges each step, from the bridge's `diagnose`
//! answer, and the plain-text report a citizen can copy: pure, tested natively.

use protocol::{
    bridge::{CardPresence, DiagnoseResult, ReaderStatus, StatusResult},
    page::Diagnosis as Found,
    ErrorBody, ErrorCode,
};

use crate::card::{readiness, Readiness};

/// What is checked, in the order a citizen fixes things.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    /// The browser extension.
    Extension,
    /// The bridge (the native-messaging host).
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
