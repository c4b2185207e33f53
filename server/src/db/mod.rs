//! The database: SQLite by default (one file under the data directory, WAL), PostgreSQL when the
//! URL says so. The same migrations and the same queries run on both through sqlx's `Any` driver;
//! queries use `$1, $2, …` placeholders in order, which both engines accept.
//!
//! Only this module holds SQL: one file per table group, each its own `impl Db` block.

use sqlx::{
    any::{AnyConnectOptions, AnyPoolOptions},
    AnyPool, ConnectOptions, Connection, Executor,
};
use std::str::FromStr;

mod insurance;
mod limits;
mod maintenance;
mod mynapoint;
mod registry;
mod revocation;
mod sessions;
mod writes;

pub use insurance::{
    DisputeRow, InsuranceRequestRow, InsuranceStatusRow, InsurerSnapshot, LinkRow, RequestKind,
};
pub use maintenance::MaintenanceRow;
pub use mynapoint::PointApplicationRow;
pub use revocation::{CrlImport, CrlRow};
pub use sessions::{
    ChallengeRow, SessionLogin, SessionRow, TakenChallenges, MAX_CHALLENGES, TOUCH_GRANULARITY_MS,
};
pub use writes::{Claim, Cover, SignedWrite, SignedWriteRow};

/// A database error, with the detail kept for the log.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// sqlx failed.
    #[error("database: {0}")]
    Sqlx(#[from] sqlx::Error),
    /// Migrations failed.
    #[error("migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored value this build does not know (written by a newer build, or by hand).
    #[error("stored value: {0}")]
    Corrupt(String),
}

/// The pool and which engine is behind it.
#[derive(Clone)]
pub struct Db {
    pool: AnyPool,
    postgres: bool,
}

impl Db {
    /// Connects and migrates. `url` is `sqlite://PATH` or `postgres://…`.
    ///
    /// # Errors
    /// [`DbError::Sqlx`] when `url` is not a database URL or the database cannot be reached;
    /// [`DbError::Migrate`] when a migration fails or an applied one changed.
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
    ///
    /// # Errors
    /// [`DbError`] when the database fails.
    pub async fn ping(&self) -> Result<(), DbError> {
        let mut connection = self.pool.acquire().await?;
        connection.ping().await?;
        Ok(())
    }
}
