//! When a person may first apply after a municipal card event (docs/flows.md F3, 初回登録の申込が可能か).
//!
//! Some events take effect at once; others from the afternoon (12:00 JST) of the next weekday,
//! where a weekday is neither a Saturday, a Sunday nor a Japanese public holiday (the `jpholiday`
//! crate computes the holidays by their legal rules, substitute and citizens' holidays included).
//! Before a configurable cut-over every event takes effect at once.

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc, Weekday,
};
use serde::{Deserialize, Serialize};

/// What the municipal office did (the numbered cases of F3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CardEvent {
    /// ① A card was issued or re-issued.
    CardIssued,
    /// ② The PIN, the name or the address changed.
    PinOrAttributesChanged,
    /// ③ The user-authentication certificate was renewed.
    AuthCertificateRenewed,
    /// ④ A suspension after loss was lifted.
    SuspensionLifted,
    /// ⑤ A user-authentication certificate was added to a card without one.
    AuthCertificateAdded,
    /// ⑥ The signing certificate was revoked.
    SignCertificateRevoked,
}

impl CardEvent {
    /// Every event, in the order of F3.
    pub const ALL: [Self; 6] = [
        Self::CardIssued,
        Self::PinOrAttributesChanged,
        Self::AuthCertificateRenewed,
        Self::SuspensionLifted,
        Self::AuthCertificateAdded,
        Self::SignCertificateRevoked,
    ];

    /// The name feeds and the database use (snake_case, as serde writes it).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CardIssued => "card_issued",
            Self::PinOrAttributesChanged => "pin_or_attributes_changed",
            Self::AuthCertificateRenewed => "auth_certificate_renewed",
            Self::SuspensionLifted => "suspension_lifted",
            Self::AuthCertificateAdded => "auth_certificate_added",
            Self::SignCertificateRevoked => "sign_certificate_revoked",
        }
    }
}

/// An event name that is not one of [`CardEvent::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("event must be one of card_issued, pin_or_attributes_changed, auth_certificate_renewed, suspension_lifted, auth_certificate_added, sign_certificate_revoked; not {0:?}")]
pub struct UnknownCardEvent(pub String);

impl std::str::FromStr for CardEvent {
    type Err = UnknownCardEvent;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|event| event.as_str() == name)
            .ok_or_else(|| UnknownCardEvent(name.to_owned()))
    }
}

/// Japan Standard Time (UTC+9, no daylight saving).
pub fn jst() -> FixedOffset {
    // 9 hours is within ±24 h, so east_opt always succeeds; UTC is an unreachable fallback.
    FixedOffset::east_opt(9 * 3600).unwrap_or(chrono::Offset::fix(&Utc))
}

/// Whether `date` is a weekday in Japan: not a Saturday, a Sunday or a public holiday.
pub fn is_business_day(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
        && !jpholiday::jpholiday::JPHoliday::new().is_holiday(&date)
}

/// 12:00 JST of the first weekday after the JST date of `at`.
pub fn next_weekday_afternoon(at: DateTime<Utc>) -> DateTime<Utc> {
    let mut date = at.with_timezone(&jst()).date_naive();
    // A year never has more than a handful of consecutive days off; 30 is a safe bound.
    for _ in 0..30 {
        date += Duration::days(1);
        if is_business_day(date) {
            break;
        }
    }
    let noon = date.and_time(NaiveTime::from_hms_opt(12, 0, 0).unwrap_or(NaiveTime::MIN));
    match jst().from_local_datetime(&noon).single() {
        Some(local) => local.with_timezone(&Utc),
        None => at,
    }
}

/// From when a person can apply after `event` happened at `occurred_at`. `None` means not with
/// this certificate (⑥ when the user-authentication certificate was revoked too).
pub fn available_from(
    event: CardEvent,
    occurred_at: DateTime<Utc>,
    auth_certificate_revoked: bool,
    cut_over: Option<DateTime<Utc>>,
) -> Option<DateTime<Utc>> {
    if cut_over.is_some_and(|cut_over| occurred_at < cut_over) {
        return (!auth_certificate_revoked || event != CardEvent::SignCertificateRevoked)
            .then_some(occurred_at);
    }
    match event {
        CardEvent::CardIssued | CardEvent::PinOrAttributesChanged => Some(occurred_at),
        CardEvent::AuthCertificateRenewed
        | CardEvent::SuspensionLifted
        | CardEvent::AuthCertificateAdded => Some(next_weekday_afternoon(occurred_at)),
        CardEvent::SignCertificateRevoked => (!auth_certificate_revoked).then_some(occurred_at),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A JST wall-clock time as UTC.
    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        jst()
            .with_ymd_and_hms(y, m, d, h, min, 0)
            .single()
            .expect("valid JST time")
            .with_timezone(&Utc)
    }

    #[test]
    fn the_f3_table_case_by_case() {
        use CardEvent::*;
        // Wednesday 2026-11-18 10:00 JST: an ordinary weekday followed by one.
        let wednesday = at(2026, 11, 18, 10, 0);
        let thursday_noon = at(2026, 11, 19, 12, 0);
        let cases = [
            (CardIssued, false, Some(wednesday)),
            (PinOrAttributesChanged, false, Some(wednesday)),
            (AuthCertificateRenewed, false, Some(thursday_noon)),
            (SuspensionLifted, false, Some(thursday_noon)),
            (AuthCertificateAdded, false, Some(thursday_noon)),
            (SignCertificateRevoked, false, Some(wednesday)),
            (SignCertificateRevoked, true, None),
        ];
        for (event, auth_revoked, expected) in cases {
            assert_eq!(
                available_from(event, wednesday, auth_revoked, None),
                expected,
                "{event:?}"
            );
        }
    }

    #[test]
    fn weekends_and_holidays_are_skipped() {
        use CardEvent::AuthCertificateRenewed as Renewed;
        // Friday 2026-11-20 16:00 → Saturday, Sunday, then Monday 23 Nov is 勤労感謝の日:
        // Tuesday 24 Nov 12:00.
        assert_eq!(
            available_from(Renewed, at(2026, 11, 20, 16, 0), false, None),
            Some(at(2026, 11, 24, 12, 0))
        );
        // Saturday → Monday (an ordinary Monday: 2026-11-30).
        assert_eq!(
            available_from(Renewed, at(2026, 11, 28, 9, 0), false, None),
            Some(at(2026, 11, 30, 12, 0))
        );
        // Golden Week 2026: 29 Apr (Wed) 昭和の日; 3–6 May: 憲法記念日 (Sun), みどりの日, こどもの日,
        // 振替休日. Friday 1 May → Thursday 7 May.
        assert_eq!(
            available_from(Renewed, at(2026, 5, 1, 11, 0), false, None),
            Some(at(2026, 5, 7, 12, 0))
        );
        // Late on a day in JST that is still the previous day in UTC counts by the JST date:
        // Monday 2026-11-30 08:00 JST is Sunday 23:00 UTC → Tuesday 12:00.
        assert_eq!(
            available_from(Renewed, at(2026, 11, 30, 8, 0), false, None),
            Some(at(2026, 12, 1, 12, 0))
        );
        // Year end: 31 Dec 2026 (Thu) → 1 Jan holiday, 2–3 Jan weekend → Monday 4 Jan 2027.
        assert_eq!(
            available_from(Renewed, at(2026, 12, 31, 12, 0), false, None),
            Some(at(2027, 1, 4, 12, 0))
        );
    }

    #[test]
    fn before_the_cut_over_everything_is_at_once() {
        let occurred = at(2026, 11, 20, 16, 0);
        let cut_over = Some(at(2027, 1, 1, 0, 0));
        assert_eq!(
            available_from(CardEvent::AuthCertificateRenewed, occurred, false, cut_over),
            Some(occurred)
        );
        assert_eq!(
            available_from(CardEvent::SignCertificateRevoked, occurred, true, cut_over),
            None
        );
        let past_cut_over = Some(at(2020, 1, 1, 0, 0));
        assert_eq!(
            available_from(
                CardEvent::AuthCertificateRenewed,
                occurred,
                false,
                past_cut_over
            ),
            Some(at(2026, 11, 24, 12, 0))
        );
    }

    #[test]
    fn business_days() {
        assert!(is_business_day(
            NaiveDate::from_ymd_opt(2026, 11, 24).expect("date")
        ));
        assert!(
            !is_business_day(NaiveDate::from_ymd_opt(2026, 11, 23).expect("date")),
            "勤労感謝の日"
        );
        assert!(
            !is_business_day(NaiveDate::from_ymd_opt(2026, 11, 22).expect("date")),
            "Sunday"
        );
        assert!(
            !is_business_day(NaiveDate::from_ymd_opt(2026, 9, 22).expect("date")),
            "国民の休日 2026"
        );
    }
}
