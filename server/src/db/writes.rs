//! Card-signed writes (`docs/contract.md`, "Signed writes"): the signature a login left for one
//! write, claimed once by that write and then kept as its evidence.

use super::{Db, DbError};

/// A signature over a write's content, as the login verified it (a row of `signed_writes`).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SignedWriteRow {
    /// Random id (hex).
    pub id: String,
    /// The session the login moved to (SHA-256 of its cookie value).
    pub session_id_hash: String,
    /// `protocol::signing::WritePurpose`'s wire name (or `bulk-application`, which the
    /// MyNa Point application's signature covers), set when a write claims the row (the
    /// digest already binds it: the login does not need to know it).
    pub purpose: Option<String>,
    /// The write's digest (hex), `protocol::signing::write_digest`.
    pub digest: String,
    /// The nonce the card signed (standard base64: the server's random bytes, then the digest).
    pub nonce: String,
    /// The card's signature (standard base64).
    pub signature: String,
    /// The user-authentication certificate that verifies it (standard base64 DER; it holds no
    /// name, address, birth date or sex).
    pub certificate: String,
    /// `issuer|serial`.
    pub certificate_key: String,
    /// When the login verified it (ms).
    pub signed_ms: i64,
    /// Until when the write may claim it (ms).
    pub expires_ms: i64,
}

impl Db {
    /// Keeps a verified signature for the write it names.
    ///
    /// # Errors
    /// [`DbError`] when the database fails.
    pub async fn add_signed_write(&self, row: &SignedWriteRow) -> Result<(), DbError> {
        self.insert_signed_write(row, None, None).await
    }

    async fn insert_signed_write(
        &self,
        row: &SignedWriteRow,
        person_id: Option<&str>,
        written_ms: Option<i64>,
    ) -> Result<(), DbError> {
        sqlx::query(
            "INSERT INTO signed_writes (id, session_id_hash, purpose, digest, nonce, signature, certificate, \
             certificate_key, signed_ms, expires_ms, person_id, written_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(&row.id)
        .bind(&row.session_id_hash)
        .bind(row.purpose.as_deref())
        .bind(&row.digest)
        .bind(&row.nonce)
        .bind(&row.signature)
        .bind(&row.certificate)
        .bind(&row.certificate_key)
        .bind(row.signed_ms)
        .bind(row.expires_ms)
        .bind(person_id)
        .bind(written_ms)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Claims the session's unused, unexpired signature over `digest` for `purpose`, made by
    /// `certificate_key`, for `person_id`'s write now: `Some(id)` once, `None` when there is
    /// none (never signed, other content, already claimed, expired). One statement, so two
    /// concurrent writes cannot both claim it.
    ///
    /// # Errors
    /// [`DbError`] when the database fails.
    pub async fn claim_signed_write(
        &self,
        session_id_hash: &str,
        purpose: &str,
        digest: &str,
        certificate_key: &str,
        person_id: &str,
        now_ms: i64,
    ) -> Result<Option<String>, DbError> {
        let row: Option<(String,)> = sqlx::query_as(
            "UPDATE signed_writes SET written_ms = $1, person_id = $2, purpose = $3 WHERE id = (\
                SELECT id FROM signed_writes WHERE session_id_hash = $4 AND digest = $5 \
                AND certificate_key = $6 AND written_ms IS NULL AND expires_ms >= $1 \
                ORDER BY signed_ms DESC LIMIT 1) AND written_ms IS NULL RETURNING id",
        )
        .bind(now_ms)
        .bind(person_id)
        .bind(purpose)
        .bind(session_id_hash)
        .bind(digest)
        .bind(certificate_key)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(id,)| id))
    }

    /// Gives back a claimed signature whose write the database refused (a concurrent write
    /// won): it may be claimed again until it expires, and is no evidence of a write.
    ///
    /// # Errors
    /// [`DbError`] when the database fails.
    pub async fn release_signed_write(&self, id: &str) -> Result<(), DbError> {
        sqlx::query(
            "UPDATE signed_writes SET written_ms = NULL, person_id = NULL, purpose = NULL WHERE id = $1",
        )
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Takes the session's newest write of `purpose` made since `since_ms` by
    /// `certificate_key` that covered nothing yet, marking it as covering one more write now
    /// (the MyNa Point application the F6 bulk application follows): once, in one statement.
    ///
    /// # Errors
    /// [`DbError`] when the database fails.
    pub async fn take_written_signed_write(
        &self,
        session_id_hash: &str,
        purpose: &str,
        certificate_key: &str,
        since_ms: i64,
        now_ms: i64,
    ) -> Result<Option<SignedWriteRow>, DbError> {
        sqlx::query_as(
            "UPDATE signed_writes SET covered_ms = $1 WHERE id = (\
                SELECT id FROM signed_writes WHERE session_id_hash = $2 AND purpose = $3 \
                AND certificate_key = $4 AND written_ms >= $5 AND covered_ms IS NULL \
                ORDER BY written_ms DESC LIMIT 1) AND covered_ms IS NULL \
             RETURNING id, session_id_hash, purpose, digest, nonce, signature, certificate, \
             certificate_key, signed_ms, expires_ms",
        )
        .bind(now_ms)
        .bind(session_id_hash)
        .bind(purpose)
        .bind(certificate_key)
        .bind(since_ms)
        .fetch_optional(&self.pool)
        .await
        .map_err(DbError::from)
    }

    /// Moves a session's signatures to its new id after a login of the same person (as its
    /// other tabs' challenges move): a write signed in one tab survives a card step in another.
    ///
    /// # Errors
    /// [`DbError`] when the database fails.
    pub async fn move_signed_writes(&self, from: &str, to: &str) -> Result<(), DbError> {
        sqlx::query("UPDATE signed_writes SET session_id_hash = $1 WHERE session_id_hash = $2")
            .bind(to)
            .bind(from)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Records a write that another write's signature covers (F6 after F5), as written now.
    ///
    /// # Errors
    /// [`DbError`] when the database fails.
    pub async fn add_covered_write(
        &self,
        row: &SignedWriteRow,
        person_id: &str,
        now_ms: i64,
    ) -> Result<(), DbError> {
        self.insert_signed_write(row, Some(person_id), Some(now_ms))
            .await
    }

    /// The signed writes made for `person_id`, oldest first, each with when it was written
    /// (ms): the evidence behind the person's receipts.
    ///
    /// # Errors
    /// [`DbError`] when the database fails.
    pub async fn signed_writes_of(
        &self,
        person_id: &str,
    ) -> Result<Vec<(SignedWriteRow, i64)>, DbError> {
        #[derive(sqlx::FromRow)]
        struct Written {
            #[sqlx(flatten)]
            row: SignedWriteRow,
            written_ms: i64,
        }
        let rows: Vec<Written> = sqlx::query_as(
            "SELECT id, session_id_hash, purpose, digest, nonce, signature, certificate, certificate_key, \
             signed_ms, expires_ms, written_ms FROM signed_writes WHERE person_id = $1 \
             AND written_ms IS NOT NULL ORDER BY written_ms, id",
        )
        .bind(person_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|w| (w.row, w.written_ms)).collect())
    }

    /// Forgets signatures no write claimed before they expired; the number forgotten.
    ///
    /// # Errors
    /// [`DbError`] when the database fails.
    pub async fn prune_signed_writes(&self, now_ms: i64) -> Result<u64, DbError> {
        let done =
            sqlx::query("DELETE FROM signed_writes WHERE written_ms IS NULL AND expires_ms < $1")
                .bind(now_ms)
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected())
    }
}
