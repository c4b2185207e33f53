//! Sessions and their login challenges (`docs/security.md` 12).

use super::{Db, DbError};

/// How stale a session's last-activity mark may get before a request rewrites it.
pub const TOUCH_GRANULARITY_MS: i64 = 1000;

/// A session row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    /// The CSRF token the SPA echoes in `X-CSRF-Token`.
    pub csrf_token: String,
    /// Last activity.
    pub last_seen_ms: i64,
    /// issuer|serial after a card login.
    pub certificate_key: Option<String>,
    /// The person the registry links that certificate to, read with the session.
    pub person_id: Option<String>,
    /// Whether an imported CRL revokes that certificate.
    pub revoked: bool,
    /// That certificate's notAfter (ms).
    pub certificate_expires_ms: Option<i64>,
    /// The session's own idle timeout (ms), a terminal's; `None`: the server's default.
    pub idle_ms: Option<i64>,
}

/// What a card login writes into its session.
#[derive(Debug, Clone, Copy)]
pub struct SessionLogin<'a> {
    /// SHA-256 of the new cookie value.
    pub new_id_hash: &'a str,
    /// `issuer|serial`.
    pub certificate_key: &'a str,
    /// The certificate's notAfter (ms).
    pub certificate_expires_ms: i64,
    /// A new CSRF token when the session changes person; `None` keeps the token.
    pub new_csrf: Option<&'a str>,
}

/// A challenge row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChallengeRow {
    /// The nonce, standard base64.
    pub nonce: String,
    /// When it was issued (ms).
    pub created_ms: i64,
    /// When it expires (ms).
    pub expires_ms: i64,
}

/// What a login took: the session's challenges and the presented certificate's revocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TakenChallenges {
    /// Newest first, at most [`MAX_CHALLENGES`].
    pub challenges: Vec<ChallengeRow>,
    /// An imported CRL revokes the certificate.
    pub revoked: bool,
}

/// Most challenges a login considers (a few tabs); older ones are dropped.
pub const MAX_CHALLENGES: i64 = 8;

impl Db {
    /// Creates a session; `idle_ms` is its own idle timeout (a terminal's), `None` the default.
    ///
    /// # Errors
    /// [`DbError`] when the database fails.
    pub async fn create_session(
        &self,
        id_hash: &str,
        csrf_token: &str,
        now_ms: i64,
        idle_ms: Option<i64>,
    ) -> Result<(), DbError> {
        sqlx::query("INSERT INTO sessions (id_hash, csrf_token, created_ms, last_seen_ms, idle_ms) VALUES ($1, $2, $3, $4, $5)")
            .bind(id_hash)
            .bind(csrf_token)
            .bind(now_ms)
            .bind(now_ms)
            .bind(idle_ms)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Gives a session its own idle timeout (a terminal's).
    ///
    /// # Errors
    /// [`DbError`] when the database fails.
    pub async fn set_session_idle(&self, id_hash: &str, idle_ms: i64) -> Result<(), DbError> {
        sqlx::query("UPDATE sessions SET idle_ms = $1 WHERE id_hash = $2")
            .bind(idle_ms)
            .bind(id_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Reads a session that has been active since `idle_since_ms`, and marks it active now.
    /// The mark is written only when the stored one is more than [`TOUCH_GRANULARITY_MS`] old,
    /// so most requests read and do not write (the idle timeout is exact to that granularity).
    ///
    /// A session with a card request under way (a challenge issued since `pending_since_ms`)
    /// is alive however long ago its last request was: the citizen is typing the PIN in the
    /// extension's window, which the page cannot see.
    ///
    /// # Errors
    /// [`DbError`] when the database fails.
    pub async fn touch_session(
        &self,
        id_hash: &str,
        idle_since_ms: i64,
        pending_since_ms: i64,
        now_ms: i64,
    ) -> Result<Option<SessionRow>, DbError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            csrf_token: String,
            last_seen_ms: i64,
            certificate_key: Option<String>,
            person_id: Option<String>,
            revoked: i64,
            certificate_expires_ms: Option<i64>,
            idle_ms: Option<i64>,
        }
        let row: Option<Row> = sqlx::query_as(
            "SELECT s.csrf_token, s.last_seen_ms, s.certificate_key, l.person_id, \
             (SELECT COUNT(*) FROM revoked_certificates r WHERE r.certificate_key = s.certificate_key) AS revoked, \
             s.certificate_expires_ms, s.idle_ms \
             FROM sessions s \
             LEFT JOIN certificate_links l ON l.certificate_key = s.certificate_key \
             WHERE s.id_hash = $1 AND (s.last_seen_ms >= COALESCE($4 - s.idle_ms, $2) OR EXISTS \
             (SELECT 1 FROM challenges c WHERE c.session_id_hash = s.id_hash AND c.created_ms >= $3))",
        )
        .bind(id_hash)
        .bind(idle_since_ms)
        .bind(pending_since_ms)
        .bind(now_ms)
        .fetch_optional(&self.pool)
        .await?;
        let Some(Row {
            csrf_token,
            last_seen_ms,
            certificate_key,
            person_id,
            revoked,
            certificate_expires_ms,
            idle_ms,
        }) = row
        else {
            return Ok(None);
        };
        if now_ms - last_seen_ms >= TOUCH_GRANULARITY_MS {
            sqlx::query(
                "UPDATE sessions SET last_seen_ms = $1 WHERE id_hash = $2 AND last_seen_ms < $3",
            )
            .bind(now_ms)
            .bind(id_hash)
            .bind(now_ms)
            .execute(&self.pool)
            .await?;
        }
        Ok(Some(SessionRow {
            csrf_token,
            last_seen_ms: now_ms.max(last_seen_ms),
            certificate_key,
            person_id,
            revoked: revoked > 0,
            certificate_expires_ms,
            idle_ms,
        }))
    }

    /// Deletes a session (its pending challenges go with it).
    ///
    /// # Errors
    /// [`DbError`] when the database fails.
    pub async fn delete_session(&self, id_hash: &str) -> Result<(), DbError> {
        sqlx::query("DELETE FROM challenges WHERE session_id_hash = $1")
            .bind(id_hash)
            .execute(&self.pool)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Deletes sessions idle since before `idle_since_ms` unless a card request is under way
    /// (a challenge issued since `pending_since_ms`), and challenges that expired before
    /// `idle_since_ms`.
    /// A session with its own idle timeout (a terminal's) is measured by that one from `now_ms`.
    ///
    /// # Errors
    /// [`DbError`] when the database fails.
    pub async fn expire_sessions(
        &self,
        idle_since_ms: i64,
        pending_since_ms: i64,
        now_ms: i64,
    ) -> Result<u64, DbError> {
        sqlx::query("DELETE FROM challenges WHERE expires_ms < $1")
            .bind(idle_since_ms)
            .execute(&self.pool)
            .await?;
        let done = sqlx::query(
            "DELETE FROM sessions WHERE last_seen_ms < COALESCE($3 - idle_ms, $1) AND NOT EXISTS \
             (SELECT 1 FROM challenges c WHERE c.session_id_hash = sessions.id_hash AND c.created_ms >= $2)",
        )
        .bind(idle_since_ms)
        .bind(pending_since_ms)
        .bind(now_ms)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    /// Stores a new login challenge for the session beside those still outstanding. A login
    /// considers the newest [`MAX_CHALLENGES`] and drops the rest; the janitor removes expired
    /// ones; the per-address limit on challenges bounds what one client can store meanwhile.
    ///
    /// # Errors
    /// [`DbError`] when the database fails.
    pub async fn add_challenge(
        &self,
        id_hash: &str,
        nonce_b64: &str,
        now_ms: i64,
        expires_ms: i64,
    ) -> Result<(), DbError> {
        sqlx::query(
            "INSERT INTO challenges (nonce, session_id_hash, created_ms, expires_ms) VALUES ($1, $2, $3, $4)",
        )
        .bind(nonce_b64)
        .bind(id_hash)
        .bind(now_ms)
        .bind(expires_ms)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Takes every outstanding challenge of the session (one statement, so two logins cannot
    /// both take one), newest first and at most [`MAX_CHALLENGES`], with whether an imported
    /// CRL revokes `certificate_key` (the certificate the login presents).
    ///
    /// # Errors
    /// [`DbError`] when the database fails.
    pub async fn take_challenges(
        &self,
        id_hash: &str,
        certificate_key: &str,
    ) -> Result<TakenChallenges, DbError> {
        let rows: Vec<(String, i64, i64, i64)> = sqlx::query_as(
            "DELETE FROM challenges WHERE session_id_hash = $1 RETURNING nonce, created_ms, expires_ms, \
             (SELECT COUNT(*) FROM revoked_certificates WHERE certificate_key = $2)",
        )
        .bind(id_hash)
        .bind(certificate_key)
        .fetch_all(&self.pool)
        .await?;
        let revoked = rows.iter().any(|row| row.3 > 0);
        let mut challenges: Vec<ChallengeRow> = rows
            .into_iter()
            .map(|(nonce, created_ms, expires_ms, _)| ChallengeRow {
                nonce,
                created_ms,
                expires_ms,
            })
            .collect();
        challenges.sort_by(|a, b| {
            b.created_ms
                .cmp(&a.created_ms)
                .then_with(|| a.nonce.cmp(&b.nonce))
        });
        challenges.truncate(MAX_CHALLENGES as usize);
        Ok(TakenChallenges {
            challenges,
            revoked,
        })
    }

    /// Puts challenges back, under `id_hash` (the session's id, or its new one after a login).
    ///
    /// # Errors
    /// [`DbError`] when the database fails.
    pub async fn restore_challenges(
        &self,
        id_hash: &str,
        challenges: &[ChallengeRow],
    ) -> Result<(), DbError> {
        for challenge in challenges {
            sqlx::query(
                "INSERT INTO challenges (nonce, session_id_hash, created_ms, expires_ms) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(&challenge.nonce)
            .bind(id_hash)
            .bind(challenge.created_ms)
            .bind(challenge.expires_ms)
            .execute(&self.pool)
            .await?;
        }
        Ok(())
    }

    /// Binds the session to a certificate after a card login, under a new session id (the old
    /// id must not survive a change of privilege). Another certificate than the session's is
    /// another person: the session then gets `new_csrf` as its CSRF token.
    ///
    /// # Errors
    /// [`DbError`] when the database fails.
    pub async fn authenticate_session(
        &self,
        old_id_hash: &str,
        login: &SessionLogin<'_>,
        now_ms: i64,
    ) -> Result<bool, DbError> {
        let done = sqlx::query(
            "UPDATE sessions SET id_hash = $1, certificate_key = $2, authenticated_ms = $3, last_seen_ms = $4, \
             certificate_expires_ms = $5, csrf_token = COALESCE($6, csrf_token) WHERE id_hash = $7",
        )
        .bind(login.new_id_hash)
        .bind(login.certificate_key)
        .bind(now_ms)
        .bind(now_ms)
        .bind(login.certificate_expires_ms)
        .bind(login.new_csrf)
        .bind(old_id_hash)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
