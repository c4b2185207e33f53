//! Dates as the pages show them. The server sends every time as RFC 3339 in JST
//! (`2026-11-24T12:00:00+09:00`); the page shows the local JST fields without a date library
//! (chrono or time would add tens of KB to the wasm for two formats).

/// The fields of an RFC 3339 time as written (no conversion: the server writes JST).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    /// Year.
    pub year: u32,
    /// Month, 1–12.
    pub month: u32,
    /// Day, 1–31.
    pub day: u32,
    /// Hour, 0–23.
    pub hour: u32,
    /// Minute, 0–59.
    pub minute: u32,
}

/// Reads `YYYY-MM-DDTHH:MM…`; `None` for anything else.
pub fn parse(text: &str) -> Option<Written> {
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = text.get(range)?;
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let separators = text.get(4..5) == Some("-")
        && text.get(7..8) == Some("-")
        && text.get(10..11) == Some("T")
        && text.get(13..14) == Some(":");
    if !separators {
        return None;
    }
    let written = Written {
        year: number(0..4)?,
        month: number(5..7)?,
        day: number(8..10)?,
        hour: number(11..13)?,
        minute: number(14..16)?,
    };
    let valid = (1..=12).contains(&written.month)
        && (1..=31).contains(&written.day)
        && written.hour < 24
        && written.minute < 60;
    valid.then_some(written)
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `2026年11月24日 12:00` or `24 Nov 2026, 12:00 (JST)`; the text itself when it cannot be read.
pub fn date_time(text: &str, japanese: bool) -> String {
    let Some(w) = parse(text) else {
        return text.to_owned();
    };
    let day = date(text, japanese);
    if japanese {
        format!("{day} {:02}:{:02}", w.hour, w.minute)
    } else {
        format!("{day}, {:02}:{:02} (JST)", w.hour, w.minute)
    }
}

/// `2027年1月14日` or `14 Jan 2027` (JST); the text itself when it cannot be read.
pub fn date(text: &str, japanese: bool) -> String {
    let Some(w) = parse(text) else {
        return text.to_owned();
    };
    if japanese {
        format!("{}年{}月{}日", w.year, w.month, w.day)
    } else {
        let month = MONTHS
            .get(usize::try_from(w.month).unwrap_or(1).saturating_sub(1))
            .copied()
            .unwrap_or("");
        format!("{} {month} {}", w.day, w.year)
    }
}

/// A month `2027-01` as `2027年1月` or `Jan 2027`; the text itself when it cannot be read.
pub fn month(text: &str, japanese: bool) -> String {
    let parsed = text.split_once('-').and_then(|(year, month)| {
        let year: u32 = year.parse().ok()?;
        let month: usize = month.parse().ok()?;
        (year >= 1000 && (1..=12).contains(&month)).then_some((year, month))
    });
    let Some((year, month)) = parsed else {
        return text.to_owned();
    };
    if japanese {
        format!("{year}年{month}月")
    } else {
        format!("{} {year}", MONTHS.get(month - 1).copied().unwrap_or(""))
    }
}

/// A date (`YYYY-MM-DD`) in the receipt's form, `2020/10/13`.
pub fn slashed_date(date: &str) -> String {
    date.chars()
        .map(|c| if c == '-' { '/' } else { c })
        .collect()
}

/// The receipt's form, `2020/10/13 17:00`.
pub fn slashed(text: &str) -> String {
    match parse(text) {
        Some(w) => format!(
            "{}/{:02}/{:02} {:02}:{:02}",
            w.year, w.month, w.day, w.hour, w.minute
        ),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jst_times_read_as_written() {
        let at = "2026-11-24T12:00:00+09:00";
        assert_eq!(date_time(at, true), "2026年11月24日 12:00");
        assert_eq!(date_time(at, false), "24 Nov 2026, 12:00 (JST)");
        assert_eq!(slashed("2020-10-13T17:00:00+09:00"), "2020/10/13 17:00");
        assert_eq!(date("2027-01-14T19:04:00+09:00", true), "2027年1月14日");
        assert_eq!(date("2027-01-14T19:04:00+09:00", false), "14 Jan 2027");
        assert_eq!(month("2027-01", true), "2027年1月");
        assert_eq!(month("2026-12", false), "Dec 2026");
        assert_eq!(month("2026-13", true), "2026-13");
        assert_eq!(month("2021年3月", true), "2021年3月");
    }

    #[test]
    fn anything_else_is_shown_as_is() {
        assert_eq!(date_time("2026年", true), "2026年");
        assert_eq!(
            date_time("2026-13-01T00:00:00+09:00", true),
            "2026-13-01T00:00:00+09:00"
        );
        assert_eq!(parse("2026-11-24 12:00"), None);
    }
}
