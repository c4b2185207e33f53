//! 「{month}までに登録完了予定」 on the status table (docs/flows.md F1/F2): the month by which an
//! application still being prepared is expected to be registered.
//!
//! The operator may name a month (`--registration-expected-by 2026-12`); without one, or once
//! that month has passed, the month two months after the application's. Whatever the source,
//! the month shown is never before the current month (JST): a citizen is never told that
//! registration was expected in the past.

use std::{fmt, str::FromStr};

use chrono::{DateTime, Datelike, FixedOffset};

/// A calendar month, `YYYY-MM` on the wire (the page writes it in its language).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Month {
    year: i32,
    /// 1–12.
    month: u32,
}

/// A month that is not `YYYY-MM` with a month 01–12.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected a month as YYYY-MM, e.g. 2026-12")]
pub struct MonthError;

impl FromStr for Month {
    type Err = MonthError;

    fn from_str(text: &str) -> Result<Self, MonthError> {
        let (year, month) = text.split_once('-').ok_or(MonthError)?;
        if year.len() != 4 || month.len() != 2 {
            return Err(MonthError);
        }
        let year: i32 = year.parse().map_err(|_| MonthError)?;
        let month: u32 = month.parse().map_err(|_| MonthError)?;
        if !(1..=12).contains(&month) {
            return Err(MonthError);
        }
        Ok(Self { year, month })
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl Month {
    /// The month (JST) of a time in milliseconds since the epoch.
    pub fn of_ms(ms: i64) -> Self {
        let at: DateTime<FixedOffset> = DateTime::from_timestamp_millis(ms)
            .unwrap_or_default()
            .with_timezone(&super::eligibility::jst());
        Self {
            year: at.year(),
            month: at.month(),
        }
    }

    /// `months` later.
    pub fn plus(self, months: u32) -> Self {
        let index = self.year * 12 + (self.month as i32 - 1) + months as i32;
        Self {
            year: index.div_euclid(12),
            month: index.rem_euclid(12) as u32 + 1,
        }
    }
}

/// How long registration takes when the operator names no month: two months after the
/// application's month.
pub const DEFAULT_MONTHS: u32 = 2;

/// The month to show for an application made at `applied_ms`, at `now_ms`, with the operator's
/// month if any.
pub fn expected_by(applied_ms: i64, now_ms: i64, configured: Option<Month>) -> Month {
    let now = Month::of_ms(now_ms);
    let candidate = configured
        .filter(|month| *month >= now)
        .unwrap_or_else(|| Month::of_ms(applied_ms).plus(DEFAULT_MONTHS));
    candidate.max(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(rfc3339: &str) -> i64 {
        DateTime::parse_from_rfc3339(rfc3339)
            .expect("time")
            .timestamp_millis()
    }

    #[test]
    fn months_parse_print_and_add() {
        let month: Month = "2026-11".parse().expect("month");
        assert_eq!(month.to_string(), "2026-11");
        assert_eq!(month.plus(2).to_string(), "2027-01");
        assert_eq!(month.plus(14).to_string(), "2028-01");
        for bad in [
            "2026-13",
            "2026-00",
            "2026-1",
            "26-01",
            "2026/01",
            "",
            "2021年3月",
        ] {
            assert_eq!(bad.parse::<Month>(), Err(MonthError), "{bad}");
        }
    }

    #[test]
    fn the_month_is_jst() {
        // 2026-11-30 15:30 UTC is 2026-12-01 00:30 JST.
        assert_eq!(
            Month::of_ms(ms("2026-11-30T15:30:00Z")).to_string(),
            "2026-12"
        );
    }

    #[test]
    fn the_month_shown_is_never_past() {
        let applied = ms("2026-11-20T16:00:00+09:00");
        let now = applied;
        // No month configured: two months after the application.
        assert_eq!(expected_by(applied, now, None).to_string(), "2027-01");
        // The operator's month, while it is to come.
        let december = "2026-12".parse().ok();
        assert_eq!(expected_by(applied, now, december).to_string(), "2026-12");
        // The leaflet's 2021-03 (the old default) is past: the default rule instead.
        let old = "2021-03".parse().ok();
        assert_eq!(expected_by(applied, now, old).to_string(), "2027-01");
        // A year later, still being prepared: this month, not a past one.
        let later = ms("2027-11-05T10:00:00+09:00");
        assert_eq!(expected_by(applied, later, None).to_string(), "2027-11");
    }
}
