//! The registry link: which person a card's certificate belongs to, the imported feeds of the
//! insurers and the card-event feed, and the portal's users.

use super::{Db, DbError, SignedWrite};
use crate::feeds::Record;

impl Db {
    /// The person a certificate is linked to.
    ///
    /// # Errors
    /// [`DbError`] when the database fails.
    pub async fn person_of(&self, certificate_key: &str) -> Result<Option<String>, DbError> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT person_id FROM certificate_links WHERE certificate_key = $1")
                .bind(certificate_key)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(person,)| person))
    }

    /// Writes feed records, all or none, in one transaction. A link or insurer record replaces
    /// the person's previous one; a card event already imported is kept once.
    ///
    /// # Errors
    /// [`DbError`] when the database fails. Nothing of the feed is written then.
    pub async fn import(&self, records: &[Record], now_ms: i64) -> Result<(), DbError> {
        let mut tx = self.pool.begin().await?;
        for record in records {
            let query = match record {
                Record::CertificateLink {
                    certificate_key,
                    person_id,
                } => sqlx::query(
                    "INSERT INTO certificate_links (certificate_key, person_id, linked_ms) VALUES ($1, $2, $3) \
                     ON CONFLICT (certificate_key) DO UPDATE SET person_id = excluded.person_id, linked_ms = excluded.linked_ms",
                )
                .bind(certificate_key)
                .bind(person_id)
                .bind(now_ms),
                Record::CardEvent {
                    person_id,
                    event,
                    occurred_ms,
                    auth_certificate_revoked,
                } => sqlx::query(
                    "INSERT INTO card_events (person_id, kind, occurred_ms, auth_certificate_revoked) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (person_id, kind, occurred_ms) DO NOTHING",
                )
                .bind(person_id)
                .bind(event.as_str())
                .bind(*occurred_ms)
                .bind(i64::from(*auth_certificate_revoked)),
                // A link frozen by its person's dispute stays frozen until the insurer sends a
                // different record, or the same one dated after the disputed one: its correction
                // or its confirmation after checking (docs/feeds.md). The link's date in the
                // history moves only when what it links to changes.
                Record::InsurerRecord {
                    person_id,
                    insurer_name,
                    symbol_last,
                    number_last,
                    as_of_ms,
                } => sqlx::query(
                    "INSERT INTO insurer_records (person_id, insurer_name, linked_ms, symbol_last, number_last, as_of_ms) \
                     VALUES ($1, $2, $3, $4, $5, $6) \
                     ON CONFLICT (person_id) DO UPDATE SET insurer_name = excluded.insurer_name, \
                     linked_ms = CASE WHEN COALESCE(excluded.insurer_name, '') = COALESCE(insurer_records.insurer_name, '') \
                       AND COALESCE(excluded.symbol_last, '') = COALESCE(insurer_records.symbol_last, '') \
                       AND COALESCE(excluded.number_last, '') = COALESCE(insurer_records.number_last, '') \
                       THEN insurer_records.linked_ms ELSE excluded.linked_ms END, \
                     frozen_ms = CASE WHEN COALESCE(excluded.insurer_name, '') = COALESCE(insurer_records.insurer_name, '') \
                       AND COALESCE(excluded.symbol_last, '') = COALESCE(insurer_records.symbol_last, '') \
                       AND COALESCE(excluded.number_last, '') = COALESCE(insurer_records.number_last, '') \
                       AND COALESCE(excluded.as_of_ms, -1) <= COALESCE(insurer_records.as_of_ms, -1) \
                       THEN insurer_records.frozen_ms ELSE NULL END, \
                     symbol_last = excluded.symbol_last, number_last = excluded.number_last, as_of_ms = excluded.as_of_ms",
                )
                .bind(person_id)
                .bind(insurer_name)
                .bind(now_ms)
                .bind(symbol_last)
                .bind(number_last)
                .bind(*as_of_ms),
            };
            query.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The person's latest card event.
    ///
    /// # Errors
    /// [`DbError`] when the database fails.
    pub async fn latest_card_event(
        &self,
        person_id: &str,
    ) -> Result<Option<(String, i64, bool)>, DbError> {
        let row: Option<(String, i64, i64)> = sqlx::query_as(
            "SELECT kind, occurred_ms, auth_certificate_revoked FROM card_events WHERE person_id = $1 \
             ORDER BY occurred_ms DESC LIMIT 1",
        )
        .bind(person_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(kind, at, revoked)| (kind, at, revoked != 0)))
    }
}

/// The portal-user registration, in its signed write's transaction (`super::SignedWrite`).
impl SignedWrite {
    /// Registers the person as a portal user, with its receipt (idempotent: `false` when they
    /// were already).
    ///
    /// # Errors
    /// [`DbError`] when the database fails.
    pub async fn register_portal_user(
        &mut self,
        person_id: &str,
        terms_version: &str,
        receipt_number: &str,
        now_ms: i64,
    ) -> Result<bool, DbError> {
        let done = sqlx::query(
            "INSERT INTO portal_users (person_id, registered_ms, terms_version, receipt_number) VALUES ($1, $2, $3, $4) \
             ON CONFLICT DO NOTHING",
        )
        .bind(person_id)
        .bind(now_ms)
        .bind(terms_version)
        .bind(receipt_number)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
