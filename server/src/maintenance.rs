//! Maintenance windows: operators stop the whole portal or one service for a while
//! (`myna-server maintenance`, a row in the database: every instance sees it at once); the API
//! says so in `GET /service-state` before the citizen takes out the card, and refuses what a
//! window stops with `MAINTENANCE` and the expected end (`docs/maintenance.md`).

use axum::{
    extract::{Request, State},
    middleware::Next,
    response::{IntoResponse, Response},
};
use protocol::maintenance::{Scope, ServiceState, Window, ANNOUNCED_DAYS};

use crate::{
    db::{Db, DbError},
    error::ApiError,
    AppState,
};

/// The service an API path (with or without `/api/v1`) belongs to: what a window must stop to
/// refuse it. `None` for what never stops: the session, the logout (a citizen can always leave),
/// the service state itself and the OpenAPI document. The card login belongs to
/// [`Scope::All`]: only a window of the whole portal stops it.
pub fn service_of(path: &str) -> Option<Scope> {
    let path = path.strip_prefix("/api/v1").unwrap_or(path);
    match path.trim_start_matches('/').split('/').next()? {
        // The receipts (やりとり履歴) read what every service wrote: only a window of the whole
        // portal stops them.
        "auth" | "receipts" if path != "/auth/logout" => Some(Scope::All),
        "insurance" => Some(Scope::Insurance),
        "mynapoint" => Some(Scope::Mynapoint),
        "bulk-application" => Some(Scope::Bulk),
        _ => None,
    }
}

/// The windows that have not ended at `now` (ms) and start within [`ANNOUNCED_DAYS`], as the
/// page sees them.
///
/// # Errors
/// [`DbError`] when the database fails.
pub async fn service_state(db: &Db, now: i64) -> Result<ServiceState, DbError> {
    windows_before(db, now, now + ANNOUNCED_DAYS * 86_400_000).await
}

/// The windows that have not ended at `now` (ms) and start before `horizon` (ms), earliest
/// first (`myna-server maintenance list` shows them all).
///
/// # Errors
/// [`DbError`] when the database fails.
pub async fn windows_before(db: &Db, now: i64, horizon: i64) -> Result<ServiceState, DbError> {
    let rows = db.maintenance_windows(now, horizon).await?;
    Ok(ServiceState {
        maintenance: rows
            .into_iter()
            .map(|row| Window {
                // A scope written by a newer `myna-server` is announced, and stops nothing here.
                scope: Scope::from_name(&row.scope).unwrap_or(Scope::Unknown),
                from: crate::rfc3339(row.starts_ms),
                until: row.ends_ms.map(crate::rfc3339),
                active: row.starts_ms <= now,
            })
            .collect(),
    })
}

/// `MAINTENANCE` (with the expected end) when a window stops `service` now: the one answer of
/// the guard and of `GET /service-state/{scope}`.
///
/// # Errors
/// [`ApiError::Maintenance`] when a window stops `service`; [`ApiError::Internal`] when the
/// database fails.
pub async fn check(state: &AppState, service: Scope) -> Result<(), ApiError> {
    match service_state(&state.db, state.now_ms())
        .await?
        .stopping(service)
    {
        Some(stop) => Err(ApiError::Maintenance {
            until: stop.until().map(str::to_owned),
        }),
        None => Ok(()),
    }
}

/// Refuses a request whose service a window stops now ([`check`]); lets everything else
/// through. A layer on the API router, so that no route can forget it (the test below checks
/// that every route is placed).
pub async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(service) = service_of(request.uri().path()) else {
        return next.run(request).await;
    };
    match check(&state, service).await {
        Ok(()) => next.run(request).await,
        Err(refusal) => refusal.into_response(),
    }
}

/// Why `myna-server maintenance start` refuses a window.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WindowError {
    /// `--until` is not after `--from` (or now).
    #[error("--until ({until}) must be after the start ({from})")]
    EndsBeforeStart {
        /// The start, RFC 3339.
        from: String,
        /// The end asked for, RFC 3339.
        until: String,
    },
}

/// A window's bounds in ms, to the whole second as every time is written (so that a start
/// printed by `start` or `list` names the window again, to correct its end): from `from` (now
/// when `None`) rounded down, until `until` (open when `None`) rounded up — the pages promise
/// the service back from then, never a moment early.
///
/// # Errors
/// [`WindowError::EndsBeforeStart`] when `until` is not after the start.
pub fn window_bounds(
    now_ms: i64,
    from: Option<chrono::DateTime<chrono::FixedOffset>>,
    until: Option<chrono::DateTime<chrono::FixedOffset>>,
) -> Result<(i64, Option<i64>), WindowError> {
    let starts_ms = from
        .map_or(now_ms, |from| from.timestamp_millis())
        .div_euclid(1000)
        * 1000;
    let ends_ms = until.map(|until| {
        let ms = until.timestamp_millis();
        ms.div_euclid(1000) * 1000 + if ms.rem_euclid(1000) == 0 { 0 } else { 1000 }
    });
    match ends_ms {
        Some(ends_ms) if ends_ms <= starts_ms => Err(WindowError::EndsBeforeStart {
            from: crate::rfc3339(starts_ms),
            until: crate::rfc3339(ends_ms),
        }),
        _ => Ok((starts_ms, ends_ms)),
    }
}

/// One line of `myna-server maintenance list`: scope, from, until (`-` when open), and whether
/// it is on now or announced.
pub fn describe(window: &Window) -> String {
    format!(
        "{}\t{}\t{}\t{}",
        window.scope.as_str(),
        window.from,
        window.until.as_deref().unwrap_or("-"),
        if window.active { "on" } else { "announced" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> chrono::DateTime<chrono::FixedOffset> {
        chrono::DateTime::parse_from_rfc3339(text).expect("time")
    }

    #[test]
    fn a_window_starts_now_unless_told_and_must_end_after_it_starts() {
        let now = at("2026-12-01T02:00:00+09:00").timestamp_millis();
        assert_eq!(window_bounds(now, None, None), Ok((now, None)));
        let until = at("2026-12-01T06:00:00+09:00");
        assert_eq!(
            window_bounds(now, None, Some(until)),
            Ok((now, Some(until.timestamp_millis())))
        );
        let later = at("2026-12-02T02:00:00+09:00");
        assert_eq!(
            window_bounds(now, Some(later), Some(until)),
            Err(WindowError::EndsBeforeStart {
                from: "2026-12-02T02:00:00+09:00".into(),
                until: "2026-12-01T06:00:00+09:00".into(),
            })
        );
        assert!(window_bounds(now, None, Some(at("2026-12-01T01:00:00+09:00"))).is_err());
        // To the second: a start now is the second it is in, an end the second after.
        assert_eq!(
            window_bounds(now + 250, None, Some(at("2026-12-01T06:00:00.001+09:00"))),
            Ok((
                now,
                Some(at("2026-12-01T06:00:01+09:00").timestamp_millis())
            ))
        );
    }

    /// What never stops; every other route must belong to a service.
    const ALWAYS_OPEN: [&str; 4] = [
        "/session",
        "/auth/logout",
        "/service-state",
        "/service-state/{scope}",
    ];

    #[test]
    fn every_route_of_the_api_is_placed() {
        let openapi = crate::openapi();
        for path in openapi.paths.paths.keys() {
            assert_eq!(
                service_of(path).is_none(),
                ALWAYS_OPEN.contains(&path.as_str()),
                "{path}: place it in service_of or in ALWAYS_OPEN"
            );
        }
    }

    #[test]
    fn the_login_stops_only_with_the_whole_portal() {
        assert_eq!(service_of("/api/v1/auth/login"), Some(Scope::All));
        assert_eq!(service_of("/auth/challenge"), Some(Scope::All));
        assert_eq!(service_of("/api/v1/auth/logout"), None);
        assert_eq!(
            service_of("/api/v1/mynapoint/application/check"),
            Some(Scope::Mynapoint)
        );
        assert_eq!(service_of("/bulk-application"), Some(Scope::Bulk));
        assert_eq!(service_of("/insurance/status"), Some(Scope::Insurance));
    }
}
