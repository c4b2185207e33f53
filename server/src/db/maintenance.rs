//! The maintenance windows (`docs/maintenance.md`).

use super::{Db, DbError};

/// One stored maintenance window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaintenanceRow {
    /// What it stops (`protocol::maintenance::Scope`'s name).
    pub scope: String,
    /// When it starts (ms since the epoch).
    pub starts_ms: i64,
    /// When it is expected to end (ms); `None` until an operator ends it.
    pub ends_ms: Option<i64>,
}

impl Db {
    /// Adds a window; one that starts at the same moment for the same scope is replaced (an
    /// operator correcting its end).
    ///
    /// # Errors
    /// [`DbError`] when the database fails.
    pub async fn add_maintenance(
        &self,
        scope: &str,
        starts_ms: i64,
        ends_ms: Option<i64>,
    ) -> Result<(), DbError> {
        sqlx::query(
            "INSERT INTO maintenance_windows (scope, starts_ms, ends_ms) VALUES ($1, $2, $3) \
             ON CONFLICT (scope, starts_ms) DO UPDATE SET ends_ms = excluded.ends_ms",
        )
        .bind(scope)
        .bind(starts_ms)
        .bind(ends_ms)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Ends the windows of `scope` (every scope when `None`) that have not ended: one that is on
    /// ends at `now_ms`, one that has not started is dropped. Returns how many changed.
    ///
    /// # Errors
    /// [`DbError`] when the database fails.
    pub async fn end_maintenance(&self, scope: Option<&str>, now_ms: i64) -> Result<u64, DbError> {
        let mut tx = self.pool.begin().await?;
        let ended = sqlx::query(
            "UPDATE maintenance_windows SET ends_ms = $1 \
             WHERE starts_ms <= $1 AND (ends_ms IS NULL OR ends_ms > $1) \
             AND (CAST($2 AS TEXT) IS NULL OR scope = $2)",
        )
        .bind(now_ms)
        .bind(scope)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let dropped = sqlx::query(
            "DELETE FROM maintenance_windows WHERE starts_ms > $1 AND (CAST($2 AS TEXT) IS NULL OR scope = $2)",
        )
        .bind(now_ms)
        .bind(scope)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(ended + dropped)
    }

    /// The windows that have not ended at `now_ms` and start before `horizon_ms`, earliest
    /// first.
    ///
    /// # Errors
    /// [`DbError`] when the database fails.
    pub async fn maintenance_windows(
        &self,
        now_ms: i64,
        horizon_ms: i64,
    ) -> Result<Vec<MaintenanceRow>, DbError> {
        let rows: Vec<(String, i64, Option<i64>)> = sqlx::query_as(
            "SELECT scope, starts_ms, ends_ms FROM maintenance_windows \
             WHERE (ends_ms IS NULL OR ends_ms > $1) AND starts_ms < $2 \
             ORDER BY starts_ms, scope",
        )
        .bind(now_ms)
        .bind(horizon_ms)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(scope, starts_ms, ends_ms)| MaintenanceRow {
                scope,
                starts_ms,
                ends_ms,
            })
            .collect())
    }
}
