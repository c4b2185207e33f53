//! `myna-bridge`: started by the browser as a native-messaging host, or by a person to install
//! or uninstall the host manifests.

use std::path::PathBuf;

use anyhow::Context as _;
use bridge::{
    caller::Caller,
    config::Config,
    install::{self, InstallOptions, BROWSERS},
    pcsc_service::PcscService,
    Host,
};
use clap::{Parser, Subcommand};

/// The My Number Card portal's card-reader bridge. Browsers start it by themselves; run it by
/// hand only to install or uninstall it.
#[derive(Parser)]
#[command(version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Register the bridge with the browsers and write its configuration beside the executable.
    Install {
        /// System-wide (needs administrator rights) instead of for the current user.
        #[arg(long)]
        system: bool,
        /// Browsers to register with (repeatable): chrome, chromium, edge, firefox [default: all].
        #[arg(long = "browser")]
        browsers: Vec<String>,
        /// Extensions allowed to call the bridge (repeatable): `chrome-extension://<id>/` for
        /// Chrome, Chromium and Edge; the add-on id for Firefox.
        #[arg(long = "extension", required = true)]
        extensions: Vec<String>,
        /// Portal origins allowed to request the card (repeatable; https only).
        #[arg(long = "origin")]
        origins: Vec<String>,
        /// Development origins (repeatable; may be http on a loopback host).
        #[arg(long = "developer-origin")]
        developer_origins: Vec<String>,
        /// Deadline of one card operation in milliseconds.
        #[arg(long, default_value_t = 15_000)]
        card_timeout_ms: u64,
        /// How long to wait for a card to be presented, in milliseconds.
        #[arg(long, default_value_t = 10_000)]
        card_wait_ms: u64,
        /// A Chrome, Chromium or Edge profile started with `--user-data-dir DIR` (repeatable):
        /// such a browser reads host manifests from DIR, not from the default profile's folder.
        #[arg(long = "user-data-dir")]
        user_data_dirs: Vec<PathBuf>,
    },
    /// Check what each browser reads: its host manifest, the executable it names, the
    /// extension ids and the configuration. Exits with 1 when a browser could not start the
    /// bridge.
    Doctor {
        /// The system-wide registration instead of the current user's.
        #[arg(long)]
        system: bool,
        /// Browsers (repeatable) [default: all].
        #[arg(long = "browser")]
        browsers: Vec<String>,
        /// Also the profiles started with `--user-data-dir DIR` (repeatable).
        #[arg(long = "user-data-dir")]
        user_data_dirs: Vec<PathBuf>,
    },
    /// Write the installed tree of a system-wide installation for an OS under a folder (the
    /// executable, its configuration, every browser's manifest, on Windows the registry keys as
    /// a .reg file), or with --deb build the Debian package of it.
    Package {
        /// linux, macos or windows.
        #[arg(long, default_value = "linux")]
        os: String,
        /// The folder to write the tree to (for --deb: the staging folder, made empty first).
        #[arg(long)]
        root: PathBuf,
        /// Build the Debian package at this path (Linux only).
        #[arg(long)]
        deb: Option<PathBuf>,
        /// The executable to package [default: this one].
        #[arg(long)]
        exe: Option<PathBuf>,
        /// Extensions allowed to call the bridge (repeatable), as for install.
        #[arg(long = "extension", required = true)]
        extensions: Vec<String>,
        /// Portal origins allowed to request the card (repeatable; https only).
        #[arg(long = "origin", required = true)]
        origins: Vec<String>,
    },
    /// Remove the browsers' host manifests and the configuration.
    Uninstall {
        /// System-wide instead of for the current user.
        #[arg(long)]
        system: bool,
        /// Browsers (repeatable) [default: all].
        #[arg(long = "browser")]
        browsers: Vec<String>,
    },
}

fn all_browsers(browsers: Vec<String>) -> Vec<String> {
    if browsers.is_empty() {
        BROWSERS.iter().map(|b| (*b).to_owned()).collect()
    } else {
        browsers
    }
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let is_cli = matches!(
        args.first().map(String::as_str),
        Some(
            "install"
                | "uninstall"
                | "doctor"
                | "package"
                | "help"
                | "--help"
                | "-h"
                | "--version"
                | "-V"
        )
    );
    let result = if is_cli { run_cli() } else { run_host(&args) };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("myna-bridge: {error:#}");
            std::process::ExitCode::from(2)
        }
    }
}

/// The configuration `install` and `package` write: extension ids as the browsers read them
/// (`chrome-extension://<id>/` with its slash), origins checked.
fn checked_config(
    extensions: &[String],
    origins: Vec<String>,
    developer_origins: Vec<String>,
    card_timeout_ms: u64,
    card_wait_ms: u64,
) -> anyhow::Result<Config> {
    let extensions = extensions
        .iter()
        .map(|e| bridge::caller::normalize_extension(e))
        .collect::<Result<Vec<_>, _>>()
        .context("--extension")?;
    let config = Config {
        allowed_origins: origins,
        developer_origins,
        allowed_extensions: extensions,
        card_timeout_ms,
        card_wait_ms,
        ..Config::default()
    };
    if let Err((origin, reason)) = config.validate() {
        anyhow::bail!("origin {origin:?} cannot be allowed: {reason}");
    }
    Ok(config)
}

fn run_cli() -> anyhow::Result<()> {
    let exe = std::env::current_exe().context("finding the bridge executable")?;
    match Cli::parse().command {
        Command::Install {
            system,
            browsers,
            extensions,
            origins,
            developer_origins,
            card_timeout_ms,
            card_wait_ms,
            user_data_dirs,
        } => {
            let config = checked_config(
                &extensions,
                origins,
                developer_origins,
                card_timeout_ms,
                card_wait_ms,
            )?;
            let options = InstallOptions {
                system,
                browsers: all_browsers(browsers),
                exe,
                config,
                user_data_dirs,
            };
            for path in install::install(&options)? {
                println!("wrote {}", path.display());
            }
            // Read back as each browser reads it: "wrote" is not "works".
            report(&install::check(
                &options.browsers,
                options.system,
                &options.user_data_dirs,
            )?)?;
        }
        Command::Doctor {
            system,
            browsers,
            user_data_dirs,
        } => {
            report(&install::check(
                &all_browsers(browsers),
                system,
                &user_data_dirs,
            )?)?;
        }
        Command::Package {
            os,
            root,
            deb,
            exe: packaged,
            extensions,
            origins,
        } => {
            let os = bridge::package::Os::parse(&os)
                .with_context(|| format!("--os {os:?}: linux, macos or windows"))?;
            let config = checked_config(&extensions, origins, Vec::new(), 15_000, 10_000)?;
            let packaged = packaged.unwrap_or(exe);
            let written = match deb {
                Some(out) => {
                    anyhow::ensure!(os == bridge::package::Os::Linux, "--deb needs --os linux");
                    // Never emptied for the caller: a mistyped --root must not cost a folder.
                    let used = std::fs::read_dir(&root).is_ok_and(|mut d| d.next().is_some());
                    anyhow::ensure!(!used, "--root {} is not empty", root.display());
                    let written = bridge::package::build_deb(
                        &root,
                        &packaged,
                        &config,
                        env!("CARGO_PKG_VERSION"),
                        &out,
                    )?;
                    println!("built {}", out.display());
                    written
                }
                None => bridge::package::stage(&root, os, &packaged, &config)?,
            };
            for path in written {
                println!("  {}", path.display());
            }
        }
        Command::Uninstall { system, browsers } => {
            install::uninstall(system, &all_browsers(browsers), &exe)?;
            println!("removed the host manifests and the configuration");
        }
    }
    Ok(())
}

/// Prints each browser's finding, then the snap and Flatpak browsers of this machine (which do
/// not read what `install` writes: "wrote" must not read as "works" for them); an error when any
/// browser could not start the bridge.
fn report(findings: &[install::Finding]) -> anyhow::Result<()> {
    if cfg!(target_os = "linux") {
        let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("/"), PathBuf::from);
        for sandboxed in install::sandboxed_browsers(std::path::Path::new("/"), &home) {
            println!(
                "note  {:8} {}: {}",
                sandboxed.browser,
                sandboxed.found.display(),
                sandboxed.advice
            );
        }
    }
    for finding in findings {
        match &finding.problem {
            None => println!("ok    {:8} {}", finding.browser, finding.manifest.display()),
            Some(problem) => println!(
                "FAIL  {:8} {}: {problem}",
                finding.browser,
                finding.manifest.display()
            ),
        }
    }
    let failed: Vec<&str> = findings
        .iter()
        .filter(|f| f.problem.is_some())
        .map(|f| f.browser)
        .collect();
    anyhow::ensure!(
        failed.is_empty(),
        "{} cannot start the bridge (see above)",
        failed.join(", ")
    );
    Ok(())
}

fn run_host(args: &[String]) -> anyhow::Result<()> {
    // Logs go to stderr, which the browser keeps apart from the protocol on stdout. Never at a
    // level that could show a PIN: no code path formats one.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("MYNA_BRIDGE_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
    let caller = Caller::from_args(args);
    let path = Config::default_path();
    let (config, problem) = match &path {
        Some(path) => match Config::load(path) {
            Ok(config) => (config, None),
            Err(error) => (Config::default(), Some(error.to_string())),
        },
        None => (Config::default(), Some("no configuration path".to_owned())),
    };
    tracing::info!(
        ?caller,
        version = env!("CARGO_PKG_VERSION"),
        config = ?path,
        "bridge started"
    );
    let service = PcscService::new(&config);
    let host = Host::new(config, caller, problem, service);
    host.serve(std::io::stdin().lock(), std::io::stdout().lock())
        .context("stdio")?;
    Ok(())
}
