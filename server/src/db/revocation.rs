//! The imported certificate revocation lists.

use super::{Db, DbError};

/// What the database holds of one imported CRL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrlRow {
    /// SHA-256 of the signing CA's key.
    pub authority: String,
    /// The issuer DN.
    pub issuer: String,
    /// thisUpdate (ms).
    pub this_update_ms: i64,
    /// nextUpdate (ms).
    pub next_update_ms: Option<i64>,
    /// How many certificates it revokes.
    pub revoked_count: i64,
}

/// What importing a CRL did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrlImport {
    /// Stored: it replaced an older one of the same CA, or was the first.
    Stored,
    /// The same CA's CRL with this thisUpdate is already there.
    Unchanged,
    /// The database holds a newer CRL of the same CA; this one was not stored.
    Older,
}

impl Db {
    /// Stores a checked CRL in one transaction: it replaces the same CA's older CRL and its
    /// entries; an older or identical one changes nothing (a rollback to an old list would
    /// un-revoke cards).
    ///
    /// # Errors
    /// [`DbError`] when the database fails.
    pub async fn import_crl(
        &self,
        crl: &crate::domain::certificate::CheckedCrl,
        now_ms: i64,
    ) -> Result<CrlImport, DbError> {
        let mut tx = self.pool.begin().await?;
        // The write comes first: PostgreSQL locks the row, so a second instance importing at the
        // same moment waits and then sees this CRL; SQLite takes its write lock at once instead
        // of upgrading a read transaction (which could fail under a concurrent writer).
        let stored = sqlx::query(
            "INSERT INTO crls (authority, issuer, this_update_ms, next_update_ms, revoked_count, imported_ms) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (authority) DO UPDATE SET issuer = excluded.issuer, \
             this_update_ms = excluded.this_update_ms, next_update_ms = excluded.next_update_ms, \
             revoked_count = excluded.revoked_count, imported_ms = excluded.imported_ms \
             WHERE crls.this_update_ms < excluded.this_update_ms",
        )
        .bind(&crl.authority)
        .bind(&crl.issuer)
        .bind(crl.this_update_ms)
        .bind(crl.next_update_ms)
        .bind(crl.revoked.len() as i64)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        if stored.rows_affected() == 0 {
            let (current,): (i64,) =
                sqlx::query_as("SELECT this_update_ms FROM crls WHERE authority = $1")
                    .bind(&crl.authority)
                    .fetch_one(&mut *tx)
                    .await?;
            tx.rollback().await?;
            return Ok(if current == crl.this_update_ms {
                CrlImport::Unchanged
            } else {
                CrlImport::Older
            });
        }
        sqlx::query("DELETE FROM revoked_certificates WHERE authority = $1")
            .bind(&crl.authority)
            .execute(&mut *tx)
            .await?;
        for (id, revoked_ms) in &crl.revoked {
            sqlx::query(
                "INSERT INTO revoked_certificates (certificate_key, authority, revoked_ms) VALUES ($1, $2, $3) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(id.key())
            .bind(&crl.authority)
            .bind(*revoked_ms)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(CrlImport::Stored)
    }

    /// Every imported CRL.
    ///
    /// # Errors
    /// [`DbError`] when the database fails.
    pub async fn crls(&self) -> Result<Vec<CrlRow>, DbError> {
        let rows: Vec<(String, String, i64, Option<i64>, i64)> = sqlx::query_as(
            "SELECT authority, issuer, this_update_ms, next_update_ms, revoked_count FROM crls ORDER BY issuer, this_update_ms",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(authority, issuer, this_update_ms, next_update_ms, revoked_count)| CrlRow {
                    authority,
                    issuer,
                    this_update_ms,
                    next_update_ms,
                    revoked_count,
                },
            )
            .collect())
    }
}
