//! The database: SQLite by default (one file under the data directory, WAL), PostgreSQL when the
//! URL says so. The same migrations and the same queries run on both through sqlx's `Any` driver;
//! queries use `$1, $2, …` placeholders in order, which both engines accept.
//!
//! Only this module holds SQL.

use sqlx::{
    any::{AnyConnectOptions, AnyPoolOptions},
    AnyPool, ConnectOptions, Connection, Executor,
};
use std::str::FromStr;

use crate::feeds::Record;

/// A database error, with the detail kept for the log.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// sqlx failed.
    #[error("database: {0}")]
    Sqlx(#[from] sqlx::Error),
    /// Migrations failed.
    #[error("migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// The pool and which engine is behind it.
#[derive(Clone)]
pub struct Db {
    pool: AnyPool,
    postgres: bool,
}

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
    /// Connects and migrates. `url` is `sqlite://PATH` or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Self, DbError> {
        sqlx::any::install_default_drivers();
        let postgres = url.starts_with("postgres:") || url.starts_with("postgresql:");
        let options = AnyConnectOptions::from_str(url)?.disable_statement_logging();
        let pool = AnyPoolOptions::new()
            .max_connections(if postgres { 16 } else { 8 })
            .after_connect(move |connection, _| {
                Box::pin(async move {
                    if !postgres {
                        // WAL: readers never block the writer; NORMAL keeps every committed
                        // transaction across a process crash (not across a power cut).
                        connection
                            .execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON;")
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Self { pool, postgres })
    }

    /// Whether PostgreSQL is behind the pool.
    pub fn is_postgres(&self) -> bool {
        self.postgres
    }

    /// Checks the connection (for `/healthz`).
    pub async fn ping(&self) -> Result<(), DbError> {
        let mut connection = self.pool.acquire().await?;
        connection.ping().await?;
        Ok(())
    }

    /// Creates a session; `idle_ms` is its own idle timeout (a terminal's), `None` the default.
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

    /// Stores a checked CRL in one transaction: it replaces the same CA's older CRL and its
    /// entries; an older or identical one changes nothing (a rollback to an old list would
    /// un-revoke cards).
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

    /// The person a certificate is linked to.
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
                Record::InsurerRecord {
                    person_id,
                    insurer_name,
                } => sqlx::query(
                    "INSERT INTO insurer_records (person_id, insurer_name, linked_ms) VALUES ($1, $2, $3) \
                     ON CONFLICT (person_id) DO UPDATE SET insurer_name = excluded.insurer_name, linked_ms = excluded.linked_ms",
                )
                .bind(person_id)
                .bind(insurer_name)
                .bind(now_ms),
            };
            query.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The person's latest card event.
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

    /// Records an application; a second one for the same person changes nothing (idempotent).
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

    /// Reserves `candidate` as the person's MyKey ID unless they have one; returns the person's
    /// ID, or `None` when `candidate` is already someone else's (the caller draws again).
    pub async fn reserve_mykey(
        &self,
        person_id: &str,
        candidate: &str,
        now_ms: i64,
    ) -> Result<Option<String>, DbError> {
        sqlx::query(
            "INSERT INTO mykey_ids (person_id, mykey_id, reserved_ms) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(person_id)
        .bind(candidate)
        .bind(now_ms)
        .execute(&self.pool)
        .await?;
        self.mykey_of(person_id).await
    }

    /// The person's MyKey ID.
    pub async fn mykey_of(&self, person_id: &str) -> Result<Option<String>, DbError> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT mykey_id FROM mykey_ids WHERE person_id = $1")
                .bind(person_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(id,)| id))
    }

    /// Whether a payment-service ID (by its key) is already used by anyone.
    pub async fn payment_key_taken(&self, payment_key: &str) -> Result<bool, DbError> {
        let row: Option<(i64,)> =
            sqlx::query_as("SELECT 1 FROM point_applications WHERE payment_key = $1")
                .bind(payment_key)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.is_some())
    }

    /// Stores a MyNa Point application; `false` when the person already applied or the ID is
    /// already used (the uniqueness of both is the database's, so concurrent requests cannot
    /// both win).
    pub async fn insert_point_application(
        &self,
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
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The person's MyNa Point application.
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

    /// Registers the person as a portal user (idempotent).
    pub async fn register_portal_user(
        &self,
        person_id: &str,
        terms_version: &str,
        now_ms: i64,
    ) -> Result<(), DbError> {
        sqlx::query(
            "INSERT INTO portal_users (person_id, registered_ms, terms_version) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(person_id)
        .bind(now_ms)
        .bind(terms_version)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Counts one hit of `bucket` in the window starting at `window_ms`; returns the hits so far.
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
    pub async fn prune_rate_limits(&self, before_ms: i64) -> Result<u64, DbError> {
        let done = sqlx::query("DELETE FROM rate_limits WHERE window_ms < $1")
            .bind(before_ms)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}
