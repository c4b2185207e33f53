//! Settings, from the command line, the environment or a TOML file (`myna-server --help`
//! explains each). The command line wins over the environment, which wins over the file.

use std::{
    ffi::OsString,
    net::SocketAddr,
    path::{Path, PathBuf},
};

use anyhow::Context as _;
use clap::{CommandFactory, Parser};

/// The My Number Card portal's API server.
#[derive(Debug, Clone, Parser)]
#[command(version, about)]
pub struct Settings {
    /// A TOML file of settings: keys are the long option names (`listen = "0.0.0.0:8080"`,
    /// `trust-ca = ["ca.pem"]`); the command line and the environment override it.
    #[arg(long, env = "MYNA_CONFIG")]
    pub config: Option<PathBuf>,
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
    /// Seconds between looks at the `--crl` files: a changed file is imported into the database,
    /// where every instance sees it at once. SIGHUP reads them at once too.
    #[arg(long, env = "MYNA_CRL_RELOAD_SECS", default_value_t = 10)]
    pub crl_reload_secs: u64,
    /// A CRL past its nextUpdate: `warn` (logged, `/healthz` degraded, `myna_crl_stale` in
    /// `/metrics`, logins go on) or `refuse` (also refuse logins with certificates of that CA,
    /// `REVOCATION_UNAVAILABLE`, until a fresh CRL is imported).
    #[arg(long, env = "MYNA_STALE_CRL", value_enum, default_value = "warn")]
    pub stale_crl: StaleCrlPolicy,
    /// Seconds a card request (an outstanding challenge) keeps its session alive without other
    /// requests: the extension's PIN window waits 120 s for the PIN, plus the card's time.
    #[arg(long, env = "MYNA_CARD_REQUEST_SECS", default_value_t = 150)]
    pub card_request_secs: u64,
    /// Seconds without a request after which a public terminal's session ends (the MyNa Point
    /// terminal asks for one with `GET /api/v1/session?terminal=1`), whatever
    /// `--idle-timeout-secs` says: the next citizen must not find the last one's session.
    #[arg(long, env = "MYNA_TERMINAL_IDLE_TIMEOUT_SECS", default_value_t = 60)]
    pub terminal_idle_timeout_secs: u64,
    /// Seconds without a request after which a session ends (a terminal's: see
    /// `--terminal-idle-timeout-secs`).
    #[arg(long, env = "MYNA_IDLE_TIMEOUT_SECS", default_value_t = 900)]
    pub idle_timeout_secs: u64,
    /// Card events before this RFC 3339 time take effect at once (docs/flows.md F3).
    #[arg(long, env = "MYNA_ELIGIBILITY_CUT_OVER")]
    pub eligibility_cut_over: Option<chrono::DateTime<chrono::Utc>>,
    /// The month of 「{month}までに登録完了予定」 on the status table, `YYYY-MM`; unset, or once
    /// past, the month two months after each application's (`domain::schedule`: never a past
    /// month).
    #[arg(long, env = "MYNA_REGISTRATION_EXPECTED_BY")]
    pub registration_expected_by: Option<crate::domain::schedule::Month>,
    /// The version of マイナポータル利用規約 the SPA shows (`app/public/content/*/terms-portal-VERSION.html`);
    /// applications must name it (`docs/terms.md`).
    #[arg(long, env = "MYNA_TERMS_VERSION", default_value = protocol::site::PORTAL_TERMS_VERSION)]
    pub terms_version: String,
    /// The version of the MyNa Point terms the SPA shows
    /// (`app/public/content/*/terms-mynapoint-VERSION.html`); MyNa Point applications must name it.
    #[arg(long, env = "MYNA_POINT_TERMS_VERSION", default_value = protocol::site::MYNAPOINT_TERMS_VERSION)]
    pub point_terms_version: String,
    /// The MyNa Point payment services (a JSON file, see `server/data/payment-services.json`);
    /// without it, the built-in fictitious catalogue.
    #[arg(long, env = "MYNA_PAYMENT_SERVICES")]
    pub payment_services: Option<PathBuf>,
    /// The payment providers' check endpoint (`docs/provider.md`); without it, the built-in demo
    /// provider, which refuses the security code 000 and confirms everything else.
    #[arg(long, env = "MYNA_PROVIDER_URL")]
    pub provider_url: Option<String>,
    /// Milliseconds to wait for the payment provider before saying it cannot be reached.
    #[arg(long, env = "MYNA_PROVIDER_TIMEOUT_MS", default_value_t = 5000)]
    pub provider_timeout_ms: u64,
    /// Most requests to the card-login and application endpoints per client address per minute
    /// (0: no limit).
    #[arg(long, env = "MYNA_RATE_LIMIT_IP", default_value_t = 120)]
    pub rate_limit_ip: i64,
    /// Most logins and applications per certificate per minute (0: no limit).
    #[arg(long, env = "MYNA_RATE_LIMIT_CERTIFICATE", default_value_t = 20)]
    pub rate_limit_certificate: i64,
    /// Take the client address from the last `X-Forwarded-For` hop (only behind a proxy that
    /// sets it).
    #[arg(long, env = "MYNA_TRUST_FORWARDED_FOR")]
    pub trust_forwarded_for: bool,
    /// The built SPA (Trunk's `dist/`) to serve; without it, only the API is served.
    #[arg(long, env = "MYNA_STATIC_DIR")]
    pub static_dir: Option<PathBuf>,
    /// Development only: answer cross-origin requests from `--origin` (a page served by another
    /// loopback server: the SPA's browser tests, `trunk serve` without its proxy). Refused
    /// unless `--origin` is plain http on a loopback host.
    #[arg(long, env = "MYNA_CORS")]
    pub cors: bool,
}

/// What a login does when its CA's CRL is past nextUpdate (`--stale-crl`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StaleCrlPolicy {
    /// Log it, report it in `/healthz` and `/metrics`; logins go on.
    Warn,
    /// Also refuse logins with certificates of that CA.
    Refuse,
}

/// Parses `args` as `P` with the settings of the `--config` file (or `MYNA_CONFIG`) filled in
/// where neither the command line nor the environment gives them.
///
/// # Errors
/// When the configuration file cannot be read or is not TOML of the settings, or the command
/// line is not valid (clap's error, with its usage).
pub fn parse_with_config<P: Parser>(args: Vec<OsString>) -> anyhow::Result<P> {
    let path = config_path(&args).or_else(|| std::env::var_os("MYNA_CONFIG").map(PathBuf::from));
    let Some(path) = path else {
        return Ok(P::try_parse_from(args)?);
    };
    let extra = file_args::<P>(&path, &args)?;
    let mut all = args;
    let at = all.len().min(1);
    all.splice(at..at, extra);
    Ok(P::try_parse_from(all)?)
}

fn config_path(args: &[OsString]) -> Option<PathBuf> {
    let mut args = args.iter().skip(1);
    while let Some(arg) = args.next() {
        let text = arg.to_string_lossy();
        if text == "--config" {
            return args.next().map(PathBuf::from);
        }
        if let Some(path) = text.strip_prefix("--config=") {
            return Some(PathBuf::from(path));
        }
        if text == "--" {
            break;
        }
    }
    None
}

/// The file's settings as `--key=value` arguments, leaving out those the command line or the
/// environment already gives.
fn file_args<P: CommandFactory>(path: &Path, args: &[OsString]) -> anyhow::Result<Vec<OsString>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let table: toml::Table =
        toml::from_str(&text).with_context(|| format!("{} is not valid TOML", path.display()))?;
    let command = P::command();
    let mut extra = Vec::new();
    for (key, value) in table {
        let long = key.replace('_', "-");
        let Some(arg) = command
            .get_arguments()
            .find(|arg| arg.get_long() == Some(long.as_str()))
        else {
            anyhow::bail!("{}: unknown setting {key:?}", path.display());
        };
        if long == "config" {
            anyhow::bail!("{}: a config file cannot name another", path.display());
        }
        let on_command_line = args.iter().any(|a| {
            let a = a.to_string_lossy();
            a == format!("--{long}") || a.starts_with(&format!("--{long}="))
        });
        let in_environment = arg
            .get_env()
            .is_some_and(|name| std::env::var_os(name).is_some());
        if on_command_line || in_environment {
            continue;
        }
        let values = match value {
            toml::Value::Array(items) => items,
            other => vec![other],
        };
        for value in values {
            let text = match value {
                toml::Value::String(text) => text,
                toml::Value::Integer(n) => n.to_string(),
                toml::Value::Float(n) => n.to_string(),
                // A flag is present or absent: `--name`, not `--name=true`.
                toml::Value::Boolean(true) => {
                    extra.push(OsString::from(format!("--{long}")));
                    continue;
                }
                toml::Value::Boolean(false) => continue,
                toml::Value::Datetime(at) => at.to_string(),
                other => anyhow::bail!("{}: {key} cannot be {other}", path.display()),
            };
            extra.push(OsString::from(format!("--{long}={text}")));
        }
    }
    Ok(extra)
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

    /// `--cors` is for development only: a loopback http origin.
    ///
    /// # Errors
    /// When the settings contradict each other (`--cors` with a non-loopback or https origin, …).
    pub fn check(&self) -> anyhow::Result<()> {
        if self.cors && self.secure_cookies() {
            anyhow::bail!(
                "--cors is for development only: --origin must be http on a loopback host, not {}",
                self.origin
            );
        }
        Ok(())
    }

    /// Milliseconds since the epoch before which a session's last request makes it idle.
    pub fn idle_since_ms(&self, now_ms: i64) -> i64 {
        now_ms.saturating_sub(secs_to_ms(self.idle_timeout_secs))
    }

    /// A terminal session's idle timeout in milliseconds.
    pub fn terminal_idle_ms(&self) -> i64 {
        secs_to_ms(self.terminal_idle_timeout_secs)
    }

    /// Milliseconds since the epoch since which an outstanding challenge keeps its session
    /// alive (`--card-request-secs`).
    pub fn pending_since_ms(&self, now_ms: i64) -> i64 {
        now_ms.saturating_sub(secs_to_ms(self.card_request_secs))
    }

    /// Settings for tests: defaults plus the given arguments.
    pub fn for_tests(args: &[&str]) -> Self {
        let mut all = vec!["myna-server"];
        all.extend_from_slice(args);
        Self::parse_from(all)
    }
}

fn secs_to_ms(secs: u64) -> i64 {
    i64::try_from(secs.saturating_mul(1000)).unwrap_or(i64::MAX)
}
