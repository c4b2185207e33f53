//! The MyNa Point terminal's rules (docs/flows.md F4): 60 s without input → back to the start with the
//! session ended, after a warning. Pure: the caller passes the clock.

/// How long the terminal waits without input.
pub const IDLE_TIMEOUT_MS: f64 = 60_000.0;
/// How long before the end the warning shows.
pub const WARNING_MS: f64 = 15_000.0;

/// Where the idle timer stands.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Idle {
    /// Input is recent.
    Active,
    /// The warning shows; the seconds left until the reset.
    Warning(u32),
    /// Time is up: end the session, back to the start.
    Expired,
}

/// The idle timer: the time of the last input and the timeout.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IdleTimer {
    last_input_ms: f64,
    timeout_ms: f64,
}

impl IdleTimer {
    /// A timer started at `now_ms` (a timeout under the warning shows the warning at once).
    pub fn new(now_ms: f64, timeout_ms: f64) -> Self {
        Self {
            last_input_ms: now_ms,
            timeout_ms,
        }
    }

    /// A new timeout (the server's, once known), counted from the same last input.
    pub fn set_timeout(&mut self, timeout_ms: f64) {
        self.timeout_ms = timeout_ms;
    }

    /// Any touch, click or key.
    pub fn input(&mut self, now_ms: f64) {
        self.last_input_ms = now_ms;
    }

    /// Where it stands at `now_ms`.
    pub fn state(&self, now_ms: f64) -> Idle {
        let left = self.timeout_ms - (now_ms - self.last_input_ms);
        if left <= 0.0 {
            Idle::Expired
        } else if left <= WARNING_MS.min(self.timeout_ms / 2.0) {
            Idle::Warning((left / 1000.0).ceil() as u32)
        } else {
            Idle::Active
        }
    }
}

/// The terminal's on-screen keyboards, one per kind of field (docs/terminal.md): the field
/// decides, the citizen never switches. Each is rows of ten keys; `　` (U+3000) is a gap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Katakana in the gojūon table (ア-row first, columns read left to right), with the marks
    /// (゛ ゜ 小) applied to the last character: the service search's keyword.
    Kana,
    /// Digits and the Latin letters in alphabetical order (a shift key for small letters):
    /// payment-service IDs and security codes, which may be alphanumeric.
    Alphanumeric,
    /// Digits only: the phone number's last four digits.
    Digits,
}

impl Layout {
    /// The rows of keys.
    pub fn rows(self) -> &'static [&'static str] {
        match self {
            Self::Kana => &[
                "アカサタナハマヤラワ",
                "イキシチニヒミ　リヲ",
                "ウクスツヌフムユルン",
                "エケセテネヘメ　レー",
                "オコソトノホモヨロ　",
            ],
            Self::Alphanumeric => &["1234567890", "ABCDEFGHIJ", "KLMNOPQRST", "UVWXYZ"],
            Self::Digits => &["123", "456", "789", "0"],
        }
    }
}

/// The marks a kana key changes the last character with: each pair is (plain, marked); pressing
/// the mark again takes it off. Written out because Unicode's decompositions give ゛ but not the
/// small forms, and a table is the shape a reader checks against the gojūon chart.
pub const VOICED: &str =
    "カガキギクグケゲコゴサザシジスズセゼソゾタダチヂツヅテデトドハバヒビフブヘベホボウヴ";
/// ゜: the semi-voiced forms.
pub const SEMI_VOICED: &str = "ハパヒピフプヘペホポ";
/// 小: the small forms.
pub const SMALL: &str = "アァイィウゥエェオォツッヤャユュヨョワヮ";

/// `text` with its last character marked by `pairs` (or unmarked if it already is); `None`
/// when the mark does not apply to that character.
pub fn mark_last(text: &str, pairs: &str) -> Option<String> {
    let last = text.chars().next_back()?;
    let pairs: Vec<char> = pairs.chars().collect();
    let at = pairs.iter().position(|&c| c == last)?;
    let other = pairs[at ^ 1];
    let mut marked = text[..text.len() - last.len_utf8()].to_owned();
    marked.push(other);
    Some(marked)
}

/// Whether the page runs on the MyNa Point terminal: provided by each part's shell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kiosk(pub bool);

/// Whether this page runs on the MyNa Point terminal ([`Kiosk`]; off when no part provided it).
pub fn is_terminal() -> bool {
    leptos::prelude::use_context::<Kiosk>().is_some_and(|k| k.0)
}

/// The same, where the screens ask "at the terminal?" of the card step.
pub fn at_terminal() -> bool {
    is_terminal()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warns_then_expires_and_input_restarts_it() {
        let mut timer = IdleTimer::new(0.0, IDLE_TIMEOUT_MS);
        assert_eq!(timer.state(30_000.0), Idle::Active);
        assert_eq!(timer.state(45_000.0), Idle::Warning(15));
        assert_eq!(timer.state(59_001.0), Idle::Warning(1));
        assert_eq!(timer.state(60_000.0), Idle::Expired);
        timer.input(59_000.0);
        assert_eq!(timer.state(60_000.0), Idle::Active);
        assert_eq!(timer.state(118_500.0), Idle::Warning(1));
        assert_eq!(timer.state(119_000.0), Idle::Expired);
    }

    #[test]
    fn a_new_timeout_counts_from_the_last_input() {
        let mut timer = IdleTimer::new(0.0, 60_000.0);
        timer.set_timeout(20_000.0);
        assert_eq!(timer.state(9_000.0), Idle::Active);
        assert_eq!(timer.state(10_500.0), Idle::Warning(10));
        assert_eq!(timer.state(20_000.0), Idle::Expired);
    }

    #[test]
    fn a_short_timeout_warns_for_half_of_it() {
        let timer = IdleTimer::new(0.0, 2_000.0);
        assert_eq!(timer.state(500.0), Idle::Active);
        assert_eq!(timer.state(1_500.0), Idle::Warning(1));
        assert_eq!(timer.state(2_000.0), Idle::Expired);
    }

    #[test]
    fn the_kana_keys_and_marks_reach_every_katakana_a_service_name_uses() {
        let keys: String = Layout::Kana.rows().concat();
        for kana in ["ア", "ン", "ー", "ヲ", "ヨ"] {
            assert!(keys.contains(kana), "{kana}");
        }
        assert_eq!(mark_last("サクラハ", VOICED).as_deref(), Some("サクラバ"));
        assert_eq!(mark_last("ハ", SEMI_VOICED).as_deref(), Some("パ"));
        assert_eq!(mark_last("パ", SEMI_VOICED).as_deref(), Some("ハ"));
        assert_eq!(mark_last("ガ", VOICED).as_deref(), Some("カ"));
        assert_eq!(mark_last("ペイ", SMALL).as_deref(), Some("ペィ"));
        assert_eq!(mark_last("ウ", VOICED).as_deref(), Some("ヴ"));
        assert_eq!(mark_last("ア", VOICED), None);
        assert_eq!(mark_last("", SMALL), None);
        for pairs in [VOICED, SEMI_VOICED, SMALL] {
            assert_eq!(pairs.chars().count() % 2, 0, "{pairs}");
        }
    }

    #[test]
    fn every_row_has_at_most_ten_keys() {
        for layout in [Layout::Kana, Layout::Alphanumeric, Layout::Digits] {
            for row in layout.rows() {
                assert!(row.chars().count() <= 10, "{row}");
            }
        }
        let keys: String = Layout::Alphanumeric.rows().concat();
        assert_eq!(keys.chars().count(), 36);
    }
}
