//! F3 to F5: MyNa Point reservations (the MyKey ID) and applications.

use super::{Db, DbError, SignedWrite};

/// A MyNa Point application row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PointApplicationRow {
    /// The service's registration number.
    pub service_code: String,
    /// SHA-256 of the service and the payment-service ID.
    pub payment_key: String,
    /// The ID's last four characters.
    pub payment_id_last4: String,
    /// The phone number's last four digits.
    pub phone_last4: Option<String>,
    /// 申込処理番号.
    pub receipt_number: String,
    /// When it was received.
    pub applied_ms: i64,
    /// The version of the MyNa Point terms agreed to (`None` for rows older than migration
    /// 0005).
    pub terms_version: Option<String>,
}

impl Db {
    /// The person's MyKey ID.
    ///
    /// # Errors
    /// [`DbError`] when the database fails.
    pub async fn mykey_of(&self, person_id: &str) -> Result<Option<String>, DbError> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT mykey_id FROM mykey_ids WHERE person_id = $1")
                .bind(person_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(id,)| id))
    }

    /// When the person's MyKey ID was reserved, and its 受付番号 (none for a reservation made
    /// before receipts were numbered): やりとり履歴.
    ///
    /// # Errors
    /// [`DbError`] when the database fails.
    pub async fn reservation_receipt(
        &self,
        person_id: &str,
    ) -> Result<Option<(i64, Option<String>)>, DbError> {
        Ok(
            sqlx::query_as(
                "SELECT reserved_ms, receipt_number FROM mykey_ids WHERE person_id = $1",
            )
            .bind(person_id)
            .fetch_optional(&self.pool)
            .await?,
        )
    }

    /// Whether a payment-service ID (by its key) is already used by anyone.
    ///
    /// # Errors
    /// [`DbError`] when the database fails.
    pub async fn payment_key_taken(&self, payment_key: &str) -> Result<bool, DbError> {
        let row: Option<(i64,)> =
            sqlx::query_as("SELECT 1 FROM point_applications WHERE payment_key = $1")
                .bind(payment_key)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.is_some())
    }

    /// The person's MyNa Point application.
    ///
    /// # Errors
    /// [`DbError`] when the database fails.
    pub async fn point_application(
        &self,
        person_id: &str,
    ) -> Result<Option<PointApplicationRow>, DbError> {
        #[allow(clippy::type_complexity)]
        let row: Option<(String, String, String, Option<String>, String, i64, Option<String>)> = sqlx::query_as(
            "SELECT service_code, payment_key, payment_id_last4, phone_last4, receipt_number, applied_ms, terms_version \
             FROM point_applications WHERE person_id = $1",
        )
        .bind(person_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(
            |(
                service_code,
                payment_key,
                payment_id_last4,
                phone_last4,
                receipt_number,
                applied_ms,
                terms_version,
            )| {
                PointApplicationRow {
                    service_code,
                    payment_key,
                    payment_id_last4,
                    phone_last4,
                    receipt_number,
                    applied_ms,
                    terms_version,
                }
            },
        ))
    }
}

/// The MyNa Point writes, each in its signed write's transaction (`super::SignedWrite`).
impl SignedWrite {
    /// Reserves `candidate` as the person's MyKey ID, with its receipt, unless they have one;
    /// returns the person's ID and whether this call reserved it, or `None` when `candidate` is
    /// already someone else's (the caller draws again).
    ///
    /// # Errors
    /// [`DbError`] when the database fails.
    pub async fn reserve_mykey(
        &mut self,
        person_id: &str,
        candidate: &str,
        receipt_number: &str,
        now_ms: i64,
    ) -> Result<Option<(String, bool)>, DbError> {
        let done = sqlx::query(
            "INSERT INTO mykey_ids (person_id, mykey_id, reserved_ms, receipt_number) VALUES ($1, $2, $3, $4) \
             ON CONFLICT DO NOTHING",
        )
        .bind(person_id)
        .bind(candidate)
        .bind(now_ms)
        .bind(receipt_number)
        .execute(self.conn())
        .await?;
        let row: Option<(String,)> =
            sqlx::query_as("SELECT mykey_id FROM mykey_ids WHERE person_id = $1")
                .bind(person_id)
                .fetch_optional(self.conn())
                .await?;
        Ok(row.map(|(id,)| (id, done.rows_affected() == 1)))
    }

    /// Stores a MyNa Point application; `false` when the person already applied or the ID is
    /// already used (the uniqueness of both is the database's, so concurrent requests cannot
    /// both win).
    ///
    /// # Errors
    /// [`DbError`] when the database fails. A second application of the same person, or a used
    /// ID, inserts nothing (`ON CONFLICT DO NOTHING`: the caller answers
    /// `ALREADY_APPLIED`).
    pub async fn insert_point_application(
        &mut self,
        row: &PointApplicationRow,
        person_id: &str,
    ) -> Result<bool, DbError> {
        let done = sqlx::query(
            "INSERT INTO point_applications (person_id, service_code, payment_key, payment_id_last4, phone_last4, receipt_number, applied_ms, terms_version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
        )
        .bind(person_id)
        .bind(&row.service_code)
        .bind(&row.payment_key)
        .bind(&row.payment_id_last4)
        .bind(&row.phone_last4)
        .bind(&row.receipt_number)
        .bind(row.applied_ms)
        .bind(&row.terms_version)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
