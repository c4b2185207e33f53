//! The portal's service state: the maintenance windows operators set (`myna-server
//! maintenance`, a row in the database that every instance reads), so that the page says what
//! is unavailable and until when before the citizen takes out the card
//! (`docs/maintenance.md`).

use serde::{Deserialize, Serialize};

/// What a maintenance window stops. On the wire in `snake_case` (`"mynapoint"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Everything that needs the server: the card login and every service.
    All,
    /// 健康保険証利用の申込 (F1) and its status (F2).
    Insurance,
    /// マイナポイントの予約・申込 (F4, F5), also at the MyNa Point terminal, and its receipt.
    Mynapoint,
    /// The bulk application that follows MyNa Point's (F6).
    Bulk,
    /// Never sent by this server: a scope of a newer one. It stops nothing this page knows of;
    /// the page says "some services".
    #[serde(other)]
    Unknown,
}

impl Scope {
    /// Every scope an operator can name.
    pub const NAMED: [Self; 4] = [Self::All, Self::Insurance, Self::Mynapoint, Self::Bulk];

    /// The scope as on the wire and in the database (`mynapoint`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Insurance => "insurance",
            Self::Mynapoint => "mynapoint",
            Self::Bulk => "bulk",
            Self::Unknown => "unknown",
        }
    }

    /// The named scope spelled `text`, if any.
    pub fn from_name(text: &str) -> Option<Self> {
        Self::NAMED.into_iter().find(|scope| scope.as_str() == text)
    }

    /// Whether a window of this scope stops what `service` needs: `all` stops everything, a
    /// service's window stops that service.
    pub fn stops(self, service: Self) -> bool {
        self == Self::All || (self == service && self != Self::Unknown)
    }
}

/// One maintenance window that has not ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Window {
    /// What it stops.
    pub scope: Scope,
    /// When it starts (RFC 3339, JST).
    pub from: String,
    /// When the operators expect it to end (RFC 3339, JST); absent when they did not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    /// Whether it is on now (by the server's clock, not the page's).
    pub active: bool,
}

/// `GET /service-state`: the windows that are on now or will start within
/// [`ANNOUNCED_DAYS`] days, earliest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceState {
    /// Earliest first.
    pub maintenance: Vec<Window>,
}

/// How far ahead the service state announces a window: a week, as portals announce theirs.
pub const ANNOUNCED_DAYS: i64 = 7;

/// Whether `service` is stopped now, and until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// Stopped until this time (RFC 3339, JST): the end of the last window that stops it, with
    /// every window that starts before the one before it ends.
    Until(String),
    /// Stopped, and some window that stops it has no end: until the operators end it.
    Open,
}

impl Stop {
    /// The time to try again, when there is one.
    pub fn until(&self) -> Option<&str> {
        match self {
            Self::Until(until) => Some(until),
            Self::Open => None,
        }
    }
}

impl ServiceState {
    /// Whether a window stops `service` now, and until when: the time to try again is the end
    /// of the windows that follow each other without a gap (one that starts before the last
    /// ends), and there is none when one of them has no end. Times compare as written: the
    /// server writes every one in JST to the second (`2026-12-01T06:00:00+09:00`), so their
    /// text order is their time order.
    pub fn stopping(&self, service: Scope) -> Option<Stop> {
        let stopping: Vec<&Window> = self
            .maintenance
            .iter()
            .filter(|window| window.scope.stops(service))
            .collect();
        let mut end: Option<&str> = None;
        for window in stopping.iter().filter(|window| window.active) {
            match window.until.as_deref() {
                None => return Some(Stop::Open),
                Some(until) => end = end.max(Some(until)),
            }
        }
        let mut end = end?;
        loop {
            let mut extended = false;
            for window in stopping
                .iter()
                .filter(|window| !window.active && window.from.as_str() <= end)
            {
                match window.until.as_deref() {
                    None => return Some(Stop::Open),
                    Some(until) if until > end => {
                        end = until;
                        extended = true;
                    }
                    Some(_) => {}
                }
            }
            if !extended {
                return Some(Stop::Until(end.to_owned()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(scope: Scope, active: bool, until: Option<&str>) -> Window {
        Window {
            scope,
            from: "2026-12-01T02:00:00+09:00".into(),
            until: until.map(str::to_owned),
            active,
        }
    }

    #[test]
    fn all_stops_every_service_and_a_service_only_itself() {
        for service in Scope::NAMED {
            assert!(Scope::All.stops(service));
        }
        assert!(Scope::Mynapoint.stops(Scope::Mynapoint));
        assert!(!Scope::Mynapoint.stops(Scope::Insurance));
        assert!(!Scope::Insurance.stops(Scope::Bulk));
        assert!(!Scope::Unknown.stops(Scope::Unknown));
        assert!(!Scope::Unknown.stops(Scope::Insurance));
    }

    fn announced(scope: Scope, from: &str, until: Option<&str>) -> Window {
        Window {
            from: from.into(),
            ..window(scope, false, until)
        }
    }

    const SIX: &str = "2026-12-01T06:00:00+09:00";
    const EIGHT: &str = "2026-12-01T08:00:00+09:00";

    #[test]
    fn only_an_active_window_of_the_service_or_all_stops_it() {
        let state = ServiceState {
            maintenance: vec![
                window(Scope::Insurance, true, None),
                window(Scope::Mynapoint, false, Some(SIX)),
            ],
        };
        assert_eq!(state.stopping(Scope::Insurance), Some(Stop::Open));
        assert_eq!(state.stopping(Scope::Mynapoint), None, "not started yet");
        assert_eq!(state.stopping(Scope::Bulk), None);
    }

    #[test]
    fn the_time_to_try_again_is_when_every_window_that_stops_the_service_is_over() {
        // An open window of the whole portal beside a service's own with an end: no end.
        let open_all = ServiceState {
            maintenance: vec![
                window(Scope::All, true, None),
                window(Scope::Bulk, true, Some(SIX)),
            ],
        };
        assert_eq!(open_all.stopping(Scope::Bulk), Some(Stop::Open));
        // Two on now: the later end.
        let two = ServiceState {
            maintenance: vec![
                window(Scope::Mynapoint, true, Some(EIGHT)),
                window(Scope::All, true, Some(SIX)),
            ],
        };
        assert_eq!(
            two.stopping(Scope::Mynapoint)
                .as_ref()
                .and_then(Stop::until),
            Some(EIGHT)
        );
        // Back to back: one on until six, the next announced from six to eight.
        let chained = ServiceState {
            maintenance: vec![
                window(Scope::Mynapoint, true, Some(SIX)),
                announced(Scope::Mynapoint, SIX, Some(EIGHT)),
                announced(Scope::Insurance, SIX, None),
            ],
        };
        assert_eq!(
            chained.stopping(Scope::Mynapoint),
            Some(Stop::Until(EIGHT.into()))
        );
        // ... and an open one from six: no end.
        let chained_open = ServiceState {
            maintenance: vec![
                window(Scope::Mynapoint, true, Some(SIX)),
                announced(Scope::All, SIX, None),
            ],
        };
        assert_eq!(chained_open.stopping(Scope::Mynapoint), Some(Stop::Open));
        // A gap: the next window does not extend it.
        let gap = ServiceState {
            maintenance: vec![
                window(Scope::Mynapoint, true, Some(SIX)),
                announced(Scope::Mynapoint, "2026-12-01T07:00:00+09:00", Some(EIGHT)),
            ],
        };
        assert_eq!(
            gap.stopping(Scope::Mynapoint),
            Some(Stop::Until(SIX.into()))
        );
    }

    #[test]
    fn the_wire_spells_scopes_in_snake_case_and_keeps_a_newer_scope() {
        for scope in Scope::NAMED {
            let json = serde_json::to_string(&scope).expect("json");
            assert_eq!(json, format!("\"{}\"", scope.as_str()));
            assert_eq!(Scope::from_name(scope.as_str()), Some(scope));
        }
        let state: ServiceState = serde_json::from_str(
            r#"{"maintenance":[{"scope":"receipts","from":"2026-12-01T02:00:00+09:00","active":true}]}"#,
        )
        .expect("a newer server's scope is read");
        assert_eq!(state.maintenance[0].scope, Scope::Unknown);
        assert_eq!(state.stopping(Scope::Insurance), None);
        assert_eq!(Scope::from_name("unknown"), None);
    }
}
