//! The MyNa Point terminal's rules (flows.md F4): 60 s without input → back to the start with the
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

/// The katakana of the on-screen keyboard, in the rows of the gojūon table, with the marks and
/// small forms people need for service names.
pub const KANA_ROWS: [&str; 12] = [
    "アイウエオ",
    "カキクケコ",
    "サシスセソ",
    "タチツテト",
    "ナニヌネノ",
    "ハヒフヘホ",
    "マミムメモ",
    "ヤユヨ",
    "ラリルレロ",
    "ワヲンー",
    "ガギグゲゴザジズゼゾダヂヅデドバビブベボパピプペポ",
    "ァィゥェォッャュョ",
];

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
    fn the_keyboard_has_every_basic_katakana() {
        let all: String = KANA_ROWS.concat();
        for kana in ["ア", "ン", "ー", "パ", "ッ"] {
            assert!(all.contains(kana), "{kana}");
        }
    }
}
