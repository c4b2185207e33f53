//! `myna-server`: the portal's API, and the commands that import its feeds.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use server::{
    config::Settings,
    db::Db,
    feeds::{self, Feed, Format},
    AppState,
};

/// The My Number Card portal's server: the API, the SPA, and the import of the registry and
/// insurer feeds.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    #[command(flatten)]
    settings: Settings,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API and the SPA (what runs without a command).
    Serve,
    /// Import a registry or insurer feed from a CSV or JSON file: every record is checked first,
    /// and either all are written in one transaction or none, with every error listed. `crl`
    /// imports a CRL (DER or PEM) of a `--trust-ca` CA: every instance sees it at once.
    Import {
        /// Which feed the file holds.
        #[arg(value_enum)]
        feed: Imported,
        /// The file (`.csv` or `.json`, or say `--format`).
        file: PathBuf,
        /// The file's format, when its name does not say.
        #[arg(long, value_enum)]
        format: Option<Format>,
    },
    /// Stop the whole portal or one service for maintenance, end it, or list the windows. A
    /// window is a row in the database: every instance sees it at once, and the pages say what
    /// is stopped and until when before the citizen takes out the card.
    Maintenance {
        #[command(subcommand)]
        action: MaintenanceAction,
    },
    /// Write what the insurers need to stdout, oldest first (docs/feeds.md, "Exports"):
    /// `disputes`, the links their persons reported as not theirs (「これは私ではない」);
    /// `requests`, the registrations cancelled online and the eligibility certificates asked
    /// for.
    Export {
        /// What to export.
        #[arg(value_enum)]
        what: Exported,
        /// The output's format.
        #[arg(long, value_enum, default_value = "csv")]
        format: Format,
        /// Only what was received from this time on (RFC 3339, e.g. 2026-12-01T00:00:00+09:00).
        #[arg(long)]
        since: Option<chrono::DateTime<chrono::FixedOffset>>,
        /// Only this insurer's (its name as in the insurer feed): each insurer gets its own
        /// persons' reports and requests. `''`: those no insurer's record names yet.
        #[arg(long)]
        insurer: Option<String>,
    },
}

/// What `export` writes.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Exported {
    /// The disputed links.
    Disputes,
    /// The cancellations and the eligibility certificate's requests.
    Requests,
}

/// What `maintenance` does.
#[derive(Debug, Subcommand)]
enum MaintenanceAction {
    /// Add a window: from `--from` (now when absent) until `--until` (until `end` when absent).
    Start {
        /// What it stops (`all` also stops the card login). Always said: no default stops the
        /// whole portal by mistake.
        #[arg(long, value_enum)]
        scope: ScopeArg,
        /// When it starts (RFC 3339, e.g. 2026-12-02T02:00:00+09:00); now when absent. A window
        /// that starts within a week is announced on the pages.
        #[arg(long)]
        from: Option<chrono::DateTime<chrono::FixedOffset>>,
        /// When it is expected to end (RFC 3339): the pages say to try again from then.
        #[arg(long)]
        until: Option<chrono::DateTime<chrono::FixedOffset>>,
    },
    /// End the windows of `--scope` (of every scope when absent): one that is on ends now, one
    /// that has not started is dropped.
    End {
        /// Whose windows.
        #[arg(long, value_enum)]
        scope: Option<ScopeArg>,
    },
    /// List every window that has not ended (also those more than a week ahead, which the pages
    /// do not announce yet): scope, from, until (`-`: until ended), on or announced.
    List,
}

/// What a maintenance window stops (`protocol::maintenance::Scope`).
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum ScopeArg {
    /// The card login and every service.
    All,
    /// The health-insurance application and its status.
    Insurance,
    /// MyNa Point's reservation and application, also at the terminal.
    Mynapoint,
    /// The bulk application.
    Bulk,
}

impl ScopeArg {
    fn scope(self) -> protocol::maintenance::Scope {
        use protocol::maintenance::Scope;
        match self {
            Self::All => Scope::All,
            Self::Insurance => Scope::Insurance,
            Self::Mynapoint => Scope::Mynapoint,
            Self::Bulk => Scope::Bulk,
        }
    }
}

/// What `import` reads.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Imported {
    /// The registry's card events.
    CardEvents,
    /// The registry's certificate→person links.
    CertificateLinks,
    /// The insurer feed.
    InsurerRecords,
    /// A CRL of a trusted JPKI CA.
    Crl,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("MYNA_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli: Cli = match server::config::parse_with_config(std::env::args_os().collect()) {
        Ok(cli) => cli,
        Err(error) => match error.downcast::<clap::Error>() {
            Ok(clap_error) => clap_error.exit(),
            Err(error) => return Err(error),
        },
    };
    let settings = cli.settings;
    settings.check()?;
    match cli.command {
        None | Some(Command::Serve) => serve(settings).await,
        Some(Command::Import { feed, file, format }) => {
            let feed = match feed {
                Imported::CardEvents => Feed::CardEvents,
                Imported::CertificateLinks => Feed::CertificateLinks,
                Imported::InsurerRecords => Feed::InsurerRecords,
                Imported::Crl => return import_crl(settings, &file).await,
            };
            import(settings, feed, &file, format).await
        }
        Some(Command::Maintenance { action }) => maintenance(settings, action).await,
        Some(Command::Export {
            what,
            format,
            since,
            insurer,
        }) => {
            let db = open_db(&settings).await?;
            let since = since.map_or(0, |t| t.timestamp_millis());
            // `--insurer ''`: the rows no insurer's record names (the operator routes them).
            let of_insurer = |name: &Option<String>| {
                insurer
                    .as_deref()
                    .is_none_or(|insurer| name.as_deref().unwrap_or("") == insurer)
            };
            let text = match what {
                Exported::Disputes => {
                    let mut rows = db
                        .disputes(since, None)
                        .await
                        .context("reading the disputes")?;
                    rows.retain(|row| of_insurer(&row.insurer_name));
                    server::feeds::export_disputes(&rows, format)?
                }
                Exported::Requests => {
                    let mut rows = db
                        .insurance_requests(since, None)
                        .await
                        .context("reading the requests")?;
                    rows.retain(|row| of_insurer(&row.insurer_name));
                    server::feeds::export_requests(&rows, format)?
                }
            };
            print!("{text}");
            Ok(())
        }
    }
}

async fn open_db(settings: &Settings) -> anyhow::Result<Db> {
    if settings.database_url.is_none() {
        std::fs::create_dir_all(&settings.data_dir)
            .with_context(|| format!("creating {}", settings.data_dir.display()))?;
    }
    Db::connect(&settings.database_url())
        .await
        .context("opening the database")
}

async fn import(
    settings: Settings,
    feed: Feed,
    file: &std::path::Path,
    format: Option<Format>,
) -> anyhow::Result<()> {
    let Some(format) = format.or_else(|| Format::of_path(file)) else {
        anyhow::bail!(
            "{}: say --format csv or --format json (the name ends in neither)",
            file.display()
        );
    };
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("reading {} (it must be UTF-8)", file.display()))?;
    let records = match feeds::parse(feed, format, &text) {
        Ok(records) => records,
        Err(errors) => {
            for error in errors.iter().take(feeds::MAX_ERRORS) {
                eprintln!("{}: {error}", file.display());
            }
            if errors.len() > feeds::MAX_ERRORS {
                eprintln!("… and {} more", errors.len() - feeds::MAX_ERRORS);
            }
            anyhow::bail!(
                "{}: {} invalid record(s); nothing was imported",
                file.display(),
                errors.len()
            );
        }
    };
    let db = open_db(&settings).await?;
    db.import(&records, chrono::Utc::now().timestamp_millis())
        .await
        .context("writing the records; nothing was imported")?;
    println!("{}: imported {} record(s)", file.display(), records.len());
    Ok(())
}

async fn import_crl(settings: Settings, file: &std::path::Path) -> anyhow::Result<()> {
    let trust = server::load_trust(&settings)?;
    if trust.n_anchors() == 0 {
        anyhow::bail!("say which CAs to trust (--trust-ca): a CRL is imported only when one of them signed it");
    }
    let db = open_db(&settings).await?;
    let now = chrono::Utc::now().timestamp_millis();
    let done = server::revocation::import_file(&db, &trust, file, now).await?;
    let said = match done {
        server::db::CrlImport::Stored => "imported",
        server::db::CrlImport::Unchanged => "already imported; nothing changed",
        server::db::CrlImport::Older => {
            "older than the CRL of the same CA already imported; nothing changed"
        }
    };
    println!("{}: {said}", file.display());
    Ok(())
}

async fn maintenance(settings: Settings, action: MaintenanceAction) -> anyhow::Result<()> {
    let db = open_db(&settings).await?;
    let now = chrono::Utc::now().timestamp_millis();
    match action {
        MaintenanceAction::Start { scope, from, until } => {
            let (starts_ms, ends_ms) = server::maintenance::window_bounds(now, from, until)?;
            db.add_maintenance(scope.scope().as_str(), starts_ms, ends_ms)
                .await
                .context("storing the window")?;
            println!(
                "maintenance of {} from {} until {}",
                scope.scope().as_str(),
                server::rfc3339(starts_ms),
                ends_ms.map_or_else(|| "it is ended".to_owned(), server::rfc3339)
            );
        }
        MaintenanceAction::End { scope } => {
            let changed = db
                .end_maintenance(scope.map(|scope| scope.scope().as_str()), now)
                .await
                .context("ending the windows")?;
            println!("ended {changed} window(s)");
        }
        MaintenanceAction::List => {
            for window in server::maintenance::windows_before(&db, now, i64::MAX)
                .await
                .context("reading the windows")?
                .maintenance
            {
                println!("{}", server::maintenance::describe(&window));
            }
        }
    }
    Ok(())
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let db = open_db(&settings).await?;
    // Before the port accepts connections: from then on SIGHUP reloads, never kills.
    let hangup = server::revocation::Hangup::install();
    let listener = tokio::net::TcpListener::bind(settings.listen)
        .await
        .with_context(|| format!("listening on {}", settings.listen))?;
    let local = listener.local_addr().context("the listening address")?;
    tracing::info!(listen = %local, origin = %settings.origin, postgres = db.is_postgres(), "serving");
    // One line on stdout for scripts and tests that listen on port 0.
    println!("listening on http://{local}");
    let state = AppState::new(settings, db, server::system_clock())?;
    if state.trust.n_anchors() == 0 {
        tracing::warn!("no --trust-ca given: every card login will be refused");
    }
    server::serve(state, listener, hangup, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
    .context("serving")?;
    Ok(())
}
