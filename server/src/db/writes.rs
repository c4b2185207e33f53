//! Card-signed writes (`docs/contract.md`, "Signed writes"): the signature a login left for one
//! write, claimed once by that write and then kept as its evidence.

use sqlx::{Any, AnyConnection, Executor, Transaction};

use super::{Db, DbError};

/// What a write claims (`crate::writes::begin`): the session's signature over the write's
/// digest, by its certificate, for its person, now.
#[derive(Debug, Clone, Copy)]
pub struct Claim<'a> {
    /// The session (SHA-256 of its cookie value).
    pub session_id_hash: &'a str,
    /// `protocol::signing::WritePurpose`'s wire name.
    pub purpose: &'a str,
    /// The write's digest (hex).
    pub digest: &'a str,
    /// `issuer|serial` of the certificate that logged in.
    pub certificate_key: &'a str,
    /// The person written for.
    pub person_id: &'a str,
    /// Now (ms).
    pub now_ms: i64,
}

/// What a covered write (F6 under F5's signature) takes and records.
#[derive(Debug, Clone, Copy)]
pub struct Cover<'a> {
    /// The session (SHA-256 of its cookie value).
    pub session_id_hash: &'a str,
    /// The covering write's purpose (the MyNa Point application's).
    pub purpose: &'a str,
    /// `issuer|serial` of the certificate that logged in.
    pub certificate_key: &'a str,
    /// The covering write made since then (ms).
    pub since_ms: i64,
    /// The covered write's evidence row: its new id and purpose.
    pub id: &'a str,
    /// The covered write's purpose (`bulk-application`).
    pub covered_purpose: &'a str,
    /// The person written for.
    pub person_id: &'a str,
    /// Now (ms).
    pub now_ms: i64,
}

/// A write under way: a transaction that began by claiming the write's signature. The write's
/// statements run in it (`impl SignedWrite` in each table group's file); [`SignedWrite::commit`]
/// keeps the write and its evidence together; dropped or [`SignedWrite::abandon`]ed, neither
/// is kept and the signature may be claimed again until it expires.
pub struct SignedWrite {
    tx: Transaction<'static, Any>,
    id: String,
}

impl SignedWrite {
    /// The claimed signature's row (`signed_writes.id`): the write's evidence.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The transaction's connection, for the write's statements.
    pub(super) fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    /// Keeps the write with its evidence.
    ///
    /// # Errors
    /// [`DbError`] when the database fails (nothing is kept).
    pub async fn commit(self) -> Result<(), DbError> {
        self.tx.commit().await?;
        Ok(())
    }

    /// Keeps nothing (the write found nothing to do): the signature is not used up.
    ///
    /// # Errors
    /// [`DbError`] when the database fails.
    pub async fn abandon(self) -> Result<(), DbError> {
        self.tx.rollback().await?;
        Ok(())
    }
}

/// Inserts a signature's row through `executor` (the pool, or a write's transaction).
async fn insert_signed_write<'e, E: Executor<'e, Database = Any>>(
    executor: E,
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
    .execute(executor)
    .await?;
    Ok(())
}

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
        insert_signed_write(&self.pool, row, None, None).await
    }

    /// Begins a write by claiming its signature, in the write's own transaction: the session's
    /// unused, unexpired signature over the claim's digest, made by its certificate, for its
    /// person now. `None` when there is none (never signed, other content, already claimed,
    /// expired). The claim is the transaction's first statement (SQLite takes its write lock
    /// there), so two concurrent writes cannot both claim it, and it commits with the write or
    /// not at all: no evidence of a write that did not happen, even after a crash.
    ///
    /// # Errors
    /// [`DbError`] when the database fails.
    pub async fn begin_signed(&self, claim: &Claim<'_>) -> Result<Option<SignedWrite>, DbError> {
        // PostgreSQL: of two writes at once over identical content (two tabs each signed `{}`),
        // the second takes the other unused signature instead of waiting for the first's, which
        // its transaction holds until it commits. (SQLite waits for the write lock before it
        // picks a row.)
        let skip_locked = if self.postgres {
            " FOR UPDATE SKIP LOCKED"
        } else {
            ""
        };
        let sql = format!(
            "UPDATE signed_writes SET written_ms = $1, person_id = $2, purpose = $3 WHERE id = (\
                SELECT id FROM signed_writes WHERE session_id_hash = $4 AND digest = $5 \
                AND certificate_key = $6 AND written_ms IS NULL AND expires_ms >= $1 \
                ORDER BY signed_ms DESC LIMIT 1{skip_locked}) AND written_ms IS NULL RETURNING id"
        );
        let mut tx = self.pool.begin().await?;
        let row: Option<(String,)> = sqlx::query_as(&sql)
            .bind(claim.now_ms)
            .bind(claim.person_id)
            .bind(claim.purpose)
            .bind(claim.session_id_hash)
            .bind(claim.digest)
            .bind(claim.certificate_key)
            .fetch_optional(&mut *tx)
            .await?;
        match row {
            Some((id,)) => Ok(Some(SignedWrite { tx, id })),
            None => {
                tx.rollback().await?;
                Ok(None)
            }
        }
    }

    /// Begins a write that another write's signature covers (F6 after F5): takes the session's
    /// newest write of `cover.purpose` made since `cover.since_ms` by its certificate that
    /// covered nothing yet, and records the covered write under `cover.id` and
    /// `cover.covered_purpose` — in the write's own transaction, as [`Db::begin_signed`].
    ///
    /// # Errors
    /// [`DbError`] when the database fails.
    pub async fn begin_covered(&self, cover: &Cover<'_>) -> Result<Option<SignedWrite>, DbError> {
        let mut tx = self.pool.begin().await?;
        let taken: Option<SignedWriteRow> = sqlx::query_as(
            "UPDATE signed_writes SET covered_ms = $1 WHERE id = (\
                SELECT id FROM signed_writes WHERE session_id_hash = $2 AND purpose = $3 \
                AND certificate_key = $4 AND written_ms >= $5 AND covered_ms IS NULL \
                ORDER BY written_ms DESC LIMIT 1) AND covered_ms IS NULL \
             RETURNING id, session_id_hash, purpose, digest, nonce, signature, certificate, \
             certificate_key, signed_ms, expires_ms",
        )
        .bind(cover.now_ms)
        .bind(cover.session_id_hash)
        .bind(cover.purpose)
        .bind(cover.certificate_key)
        .bind(cover.since_ms)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(mut row) = taken else {
            tx.rollback().await?;
            return Ok(None);
        };
        row.id = cover.id.to_owned();
        row.purpose = Some(cover.covered_purpose.to_owned());
        insert_signed_write(&mut *tx, &row, Some(cover.person_id), Some(cover.now_ms)).await?;
        Ok(Some(SignedWrite { tx, id: row.id }))
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
