//! `myna-server`: the portal's API.

use std::sync::Arc;

use anyhow::Context as _;
use clap::Parser;
use server::{config::Settings, db::Db, AppState};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("MYNA_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .init();
    let settings = Settings::parse();
    if settings.database_url.is_none() {
        std::fs::create_dir_all(&settings.data_dir)
            .with_context(|| format!("creating {}", settings.data_dir.display()))?;
    }
    let trust = server::load_trust(&settings)?;
    if trust.n_anchors() == 0 {
        tracing::warn!("no --trust-ca given: every card login will be refused");
    }
    let db = Db::connect(&settings.database_url())
        .await
        .context("opening the database")?;
    let listener = tokio::net::TcpListener::bind(settings.listen)
        .await
        .with_context(|| format!("listening on {}", settings.listen))?;
    tracing::info!(listen = %settings.listen, origin = %settings.origin, postgres = db.is_postgres(), "serving");
    let state = AppState {
        db,
        trust: Arc::new(trust),
        settings: Arc::new(settings),
        clock: server::system_clock(),
    };
    server::serve(state, listener, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
    .context("serving")?;
    Ok(())
}
