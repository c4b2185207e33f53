//! The rate limits' windows.

use super::{Db, DbError};

impl Db {
    /// Counts one hit of `bucket` in the window starting at `window_ms`; returns the hits so far.
    ///
    /// # Errors
    /// [`DbError`] when the database fails.
    pub async fn hit(&self, bucket: &str, window_ms: i64) -> Result<i64, DbError> {
        let (hits,): (i64,) = sqlx::query_as(
            "INSERT INTO rate_limits (bucket, window_ms, hits) VALUES ($1, $2, 1) \
             ON CONFLICT (bucket, window_ms) DO UPDATE SET hits = rate_limits.hits + 1 RETURNING hits",
        )
        .bind(bucket)
        .bind(window_ms)
        .fetch_one(&self.pool)
        .await?;
        Ok(hits)
    }

    /// Forgets rate-limit windows that started before `before_ms`.
    ///
    /// # Errors
    /// [`DbError`] when the database fails.
    pub async fn prune_rate_limits(&self, before_ms: i64) -> Result<u64, DbError> {
        let done = sqlx::query("DELETE FROM rate_limits WHERE window_ms < $1")
            .bind(before_ms)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}
