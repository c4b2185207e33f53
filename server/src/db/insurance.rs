//! F1 and F2: the health-insurance use registration and its status.

use super::{Db, DbError};

/// The F2 table's data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InsuranceStatusRow {
    /// When the application was received.
    pub applied_ms: i64,
    /// What the insurer feed says: `None` nothing yet, `Some(true)` linked, `Some(false)` no
    /// insurer record.
    pub insurer: Option<bool>,
    /// Whether the person applied for the portal-user registration.
    pub portal_user: bool,
}

impl Db {
    /// Records an application; a second one for the same person changes nothing (idempotent).
    ///
    /// # Errors
    /// [`DbError`] when the database fails.
    pub async fn apply_insurance(
        &self,
        person_id: &str,
        register_portal_user: bool,
        terms_version: &str,
        now_ms: i64,
    ) -> Result<(), DbError> {
        sqlx::query(
            "INSERT INTO insurance_applications (person_id, register_portal_user, terms_version, applied_ms) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (person_id) DO NOTHING",
        )
        .bind(person_id)
        .bind(i64::from(register_portal_user))
        .bind(terms_version)
        .bind(now_ms)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The person's application with what the insurer feed says and whether they applied for
    /// the portal-user registration: the F2 table in one query.
    ///
    /// # Errors
    /// [`DbError`] when the database fails.
    pub async fn insurance_status(
        &self,
        person_id: &str,
    ) -> Result<Option<InsuranceStatusRow>, DbError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            applied_ms: i64,
            insurer_linked_ms: Option<i64>,
            insurer_name: Option<String>,
            portal_user_ms: Option<i64>,
        }
        let row: Option<Row> = sqlx::query_as(
            "SELECT a.applied_ms, i.linked_ms AS insurer_linked_ms, i.insurer_name, p.registered_ms AS portal_user_ms \
             FROM insurance_applications a \
             LEFT JOIN insurer_records i ON i.person_id = a.person_id \
             LEFT JOIN portal_users p ON p.person_id = a.person_id \
             WHERE a.person_id = $1",
        )
        .bind(person_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|row| InsuranceStatusRow {
            applied_ms: row.applied_ms,
            insurer: row.insurer_linked_ms.map(|_| row.insurer_name.is_some()),
            portal_user: row.portal_user_ms.is_some(),
        }))
    }
}
