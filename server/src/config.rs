//! Settings, from the command line or the environment (`server --help` explains each).

use std::{net::SocketAddr, path::PathBuf};

use clap::Parser;

/// The My Number Card portal's API server.
#[derive(Debug, Clone, Parser)]
#[command(version, about)]
pub struct Settings {
    /// Address to listen on.
    #[arg(long, env = "MYNA_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Directory of the embedded SQLite database (created on first start).
    #[arg(long, env = "MYNA_DATA_DIR", default_value = "myna-data")]
    pub data_dir: PathBuf,
    /// `postgres://…` to use PostgreSQL instead of the embedded SQLite file.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,
    /// The portal's origin, as the browser shows it: the card signs it, and the server rebuilds
    /// the signed data from this value, never from the request.
    #[arg(long, env = "MYNA_ORIGIN", default_value = "http://127.0.0.1:8080")]
    pub origin: String,
    /// JPKI user-authentication CA certificates to trust (DER or PEM; repeatable or comma-separated).
    #[arg(long = "trust-ca", env = "MYNA_TRUST_CA", value_delimiter = ',')]
    pub trust_ca: Vec<PathBuf>,
    /// CRLs of those CAs (DER; repeatable or comma-separated).
    #[arg(long = "crl", env = "MYNA_CRL", value_delimiter = ',')]
    pub crl: Vec<PathBuf>,
    /// Seconds without a request after which a session ends (the kiosk uses 60).
    #[arg(long, env = "MYNA_IDLE_TIMEOUT_SECS", default_value_t = 900)]
    pub idle_timeout_secs: u64,
    /// Card events before this RFC 3339 time take effect at once (flows.md F3).
    #[arg(long, env = "MYNA_ELIGIBILITY_CUT_OVER")]
    pub eligibility_cut_over: Option<chrono::DateTime<chrono::Utc>>,
    /// The text of 「{date}までに登録完了予定」 on the status page.
    #[arg(
        long,
        env = "MYNA_REGISTRATION_EXPECTED_BY",
        default_value = "2021年3月"
    )]
    pub registration_expected_by: String,
    /// The version of the terms the SPA shows; applications must name it.
    #[arg(long, env = "MYNA_TERMS_VERSION", default_value = "2021-03")]
    pub terms_version: String,
}

impl Settings {
    /// The database URL: `DATABASE_URL`, else `sqlite://DATA_DIR/myna.sqlite3`.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("myna.sqlite3").display()
            ),
        }
    }

    /// Cookies are `Secure` unless the portal is served over plain http on a loopback host
    /// (development).
    pub fn secure_cookies(&self) -> bool {
        match protocol::origin::check_origin_syntax(&self.origin) {
            Ok(("http", host, _)) => !protocol::origin::is_loopback_host(host),
            _ => true,
        }
    }

    /// Settings for tests: defaults plus the given arguments.
    pub fn for_tests(args: &[&str]) -> Self {
        let mut all = vec!["myna-server"];
        all.extend_from_slice(args);
        Self::parse_from(all)
    }
}
