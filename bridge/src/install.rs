//! `myna-bridge install` / `uninstall`: the browsers' host manifests, through the
//! `native_messaging` crate (paths per browser, OS and scope; registry keys on Windows), and the
//! bridge's own configuration beside the executable.

use std::path::{Path, PathBuf};

use native_messaging::Scope;
use protocol::NATIVE_HOST_NAME;

use crate::config::{Config, CONFIG_FILE};
pub use crate::manifest::BROWSERS;

/// What to install.
#[derive(Debug, Clone)]
pub struct InstallOptions {
    /// Per user or system-wide.
    pub system: bool,
    /// Browsers (keys of [`BROWSERS`]).
    pub browsers: Vec<String>,
    /// The executable the manifests point to (absolute).
    pub exe: PathBuf,
    /// The configuration written beside the executable.
    pub config: Config,
    /// Chromium-family profiles started with their own `--user-data-dir`: such a browser reads
    /// user-level host manifests from `<dir>/NativeMessagingHosts/`, not from the default
    /// profile's folder.
    pub user_data_dirs: Vec<PathBuf>,
}

/// The host manifest's path in a Chromium-family `--user-data-dir`.
pub fn profile_manifest_path(user_data_dir: &Path) -> PathBuf {
    user_data_dir
        .join("NativeMessagingHosts")
        .join(format!("{NATIVE_HOST_NAME}.json"))
}

/// Why installation failed.
#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    /// A browser key is unknown.
    #[error("unknown browser {0:?}; use one of chrome, chromium, edge, firefox")]
    UnknownBrowser(String),
    /// No extension of the needed kind was given for a browser.
    #[error("{0}")]
    MissingExtension(&'static str),
    /// File system or registry failure.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// Why it failed.
        source: std::io::Error,
    },
}

fn scope(system: bool) -> Scope {
    if system {
        Scope::System
    } else {
        Scope::User
    }
}

fn check_browsers(browsers: &[String]) -> Result<Vec<&'static str>, InstallError> {
    browsers
        .iter()
        .map(|b| {
            BROWSERS
                .iter()
                .find(|known| **known == b.as_str())
                .copied()
                .ok_or_else(|| InstallError::UnknownBrowser(b.clone()))
        })
        .collect()
}

/// Writes the configuration and the manifests. Returns the manifest paths written.
///
/// # Errors
/// [`InstallError`]: an unknown browser, no extension of the kind a browser needs, or a file or
/// registry entry that cannot be written.
pub fn install(options: &InstallOptions) -> Result<Vec<PathBuf>, InstallError> {
    let browsers = check_browsers(&options.browsers)?;
    let chromium: Vec<String> = options
        .config
        .allowed_extensions
        .iter()
        .filter(|e| e.starts_with("chrome-extension://"))
        .cloned()
        .collect();
    let firefox: Vec<String> = options
        .config
        .allowed_extensions
        .iter()
        .filter(|e| !e.starts_with("chrome-extension://"))
        .cloned()
        .collect();
    if browsers.iter().any(|b| *b != "firefox") && chromium.is_empty() {
        return Err(InstallError::MissingExtension(
            "Chromium-based browsers need --extension chrome-extension://<id>/",
        ));
    }
    if browsers.contains(&"firefox") && firefox.is_empty() {
        return Err(InstallError::MissingExtension(
            "Firefox needs --extension <add-on id>",
        ));
    }
    let config_path = config_path(&options.exe);
    let json = serde_json::to_vec_pretty(&options.config).map_err(|e| InstallError::Io {
        context: "encoding the configuration".into(),
        source: e.into(),
    })?;
    std::fs::write(&config_path, json).map_err(|source| InstallError::Io {
        context: format!("writing {}", config_path.display()),
        source,
    })?;
    native_messaging::install(
        NATIVE_HOST_NAME,
        "My Number Card portal bridge (card reader access)",
        &options.exe,
        &chromium,
        &firefox,
        &browsers,
        scope(options.system),
    )
    .map_err(|source| InstallError::Io {
        context: "writing the host manifests".into(),
        source,
    })?;
    let mut written = manifest_paths(&browsers, options.system)?;
    for dir in &options.user_data_dirs {
        if chromium.is_empty() {
            return Err(InstallError::MissingExtension(
                "a --user-data-dir profile needs --extension chrome-extension://<id>/",
            ));
        }
        let path = profile_manifest_path(dir);
        let manifest = crate::manifest::manifest_json(
            "chromium",
            &options.exe.to_string_lossy(),
            &options.config.allowed_extensions,
        );
        let io = |context: String| move |source| InstallError::Io { context, source };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(io(format!("creating {}", parent.display())))?;
        }
        let json = serde_json::to_vec_pretty(&manifest).map_err(|e| InstallError::Io {
            context: "encoding the manifest".into(),
            source: e.into(),
        })?;
        std::fs::write(&path, json).map_err(io(format!("writing {}", path.display())))?;
        written.push(path);
    }
    Ok(written)
}

/// What [`check`] found for one browser: its manifest's path and, when the browser could not
/// start the bridge from it, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The browser (a key of [`BROWSERS`]).
    pub browser: &'static str,
    /// Where that browser reads the manifest.
    pub manifest: PathBuf,
    /// What is wrong; `None` when the browser can start the bridge.
    pub problem: Option<String>,
}

/// Checks each browser's host manifest the way the browser reads it (`myna-bridge doctor`, and
/// `install` after writing): the manifest where that browser looks, valid JSON with our name and
/// `stdio`, an executable that exists at an absolute `path`, extension ids in the form that
/// browser accepts (`chrome-extension://<id>/` with its slash for Chromium-based browsers, add-on
/// ids for Firefox), and the configuration beside the executable loading and admitting them.
///
/// # Errors
/// An unknown browser or a manifest path that cannot be found.
pub fn check(
    browsers: &[String],
    system: bool,
    user_data_dirs: &[PathBuf],
) -> Result<Vec<Finding>, InstallError> {
    let browsers = check_browsers(browsers)?;
    let paths = manifest_paths(&browsers, system)?;
    let profiles = user_data_dirs
        .iter()
        .map(|dir| ("profile", profile_manifest_path(dir)));
    Ok(browsers
        .into_iter()
        .zip(paths)
        .chain(profiles)
        .map(|(browser, manifest)| {
            let problem = check_manifest(browser, &manifest).err();
            Finding {
                browser,
                manifest,
                problem,
            }
        })
        .collect())
}

fn check_manifest(browser: &str, path: &Path) -> Result<(), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("no manifest ({e})"))?;
    let manifest: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| format!("not JSON: {e}"))?;
    if manifest["name"] != NATIVE_HOST_NAME {
        return Err(format!("its name is not {NATIVE_HOST_NAME}"));
    }
    if manifest["type"] != "stdio" {
        return Err("its type is not stdio".into());
    }
    let exe = manifest["path"]
        .as_str()
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .ok_or("its path is not an absolute path")?;
    if !is_executable(&exe) {
        return Err(format!("{} is not an executable file", exe.display()));
    }
    let (key, chromium) = if browser == "firefox" {
        ("allowed_extensions", false)
    } else {
        ("allowed_origins", true)
    };
    let ids: Vec<&str> = manifest[key]
        .as_array()
        .map(|a| a.iter().filter_map(serde_json::Value::as_str).collect())
        .unwrap_or_default();
    if ids.is_empty() {
        return Err(format!("{key} lists no extension"));
    }
    for id in &ids {
        let normal = crate::caller::normalize_extension(id).map_err(|e| e.to_string())?;
        if normal != *id || normal.starts_with("chrome-extension://") != chromium {
            return Err(format!("{key} has {id:?}, which {browser} does not accept"));
        }
    }
    let config_path = config_path(&exe);
    let config = Config::load(&config_path).map_err(|e| e.to_string())?;
    if let Some(id) = ids.iter().find(|id| !config.extension_allowed(id)) {
        return Err(format!(
            "{} does not admit {id}, which the manifest lets call",
            config_path.display()
        ));
    }
    Ok(())
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

/// A browser packaged in a sandbox that does not read the manifests `install` writes, found on
/// this machine: what to tell the person installing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sandboxed {
    /// The browser key.
    pub browser: &'static str,
    /// Where it was found.
    pub found: PathBuf,
    /// What works instead.
    pub advice: &'static str,
}

/// Snap and Flatpak browsers under `root` (the file system's root; a test gives its own) and
/// `home`. A snap or Flatpak Chromium cannot start a host outside its sandbox at all; a snap or
/// Flatpak Firefox can only through the WebExtensions portal of xdg-desktop-portal (Firefox ≥
/// 106 with a portal that has it, as on Ubuntu 23.10 and later), which reads the same
/// `~/.mozilla/native-messaging-hosts` manifest.
pub fn sandboxed_browsers(root: &Path, home: &Path) -> Vec<Sandboxed> {
    const CHROMIUM: &str = "a snap or Flatpak Chromium cannot start the bridge (its sandbox allows no native-messaging host): use Google Chrome or Microsoft Edge from their .deb packages, or Firefox";
    const FIREFOX: &str = "a snap or Flatpak Firefox reaches the bridge only through xdg-desktop-portal's WebExtensions portal (Ubuntu 23.10 and later); if the page says the bridge cannot be reached, use Firefox from Mozilla's .deb package";
    let candidates: [(&str, PathBuf, &str); 6] = [
        ("chromium", root.join("snap/bin/chromium"), CHROMIUM),
        ("firefox", root.join("snap/bin/firefox"), FIREFOX),
        (
            "chromium",
            root.join("var/lib/flatpak/app/org.chromium.Chromium"),
            CHROMIUM,
        ),
        (
            "chromium",
            home.join(".local/share/flatpak/app/org.chromium.Chromium"),
            CHROMIUM,
        ),
        (
            "firefox",
            root.join("var/lib/flatpak/app/org.mozilla.firefox"),
            FIREFOX,
        ),
        (
            "firefox",
            home.join(".local/share/flatpak/app/org.mozilla.firefox"),
            FIREFOX,
        ),
    ];
    candidates
        .into_iter()
        .filter(|(_, path, _)| path.exists())
        .map(|(browser, found, advice)| Sandboxed {
            browser,
            found,
            advice,
        })
        .collect()
}

/// Removes the manifests (and the configuration beside `exe`).
///
/// # Errors
/// [`InstallError`]: an unknown browser, or a file or registry entry that cannot be removed.
pub fn uninstall(system: bool, browsers: &[String], exe: &Path) -> Result<(), InstallError> {
    let browsers = check_browsers(browsers)?;
    native_messaging::remove(NATIVE_HOST_NAME, &browsers, scope(system)).map_err(|source| {
        InstallError::Io {
            context: "removing the host manifests".into(),
            source,
        }
    })?;
    let config = config_path(exe);
    if config.exists() {
        std::fs::remove_file(&config).map_err(|source| InstallError::Io {
            context: format!("removing {}", config.display()),
            source,
        })?;
    }
    Ok(())
}

/// Where each browser's manifest goes.
///
/// # Errors
/// [`InstallError`]: an unknown browser, or a location the platform cannot name.
pub fn manifest_paths(browsers: &[&str], system: bool) -> Result<Vec<PathBuf>, InstallError> {
    browsers
        .iter()
        .map(|b| {
            native_messaging::manifest_path(b, scope(system), NATIVE_HOST_NAME).map_err(|source| {
                InstallError::Io {
                    context: format!("manifest path of {b}"),
                    source,
                }
            })
        })
        .collect()
}

fn config_path(exe: &Path) -> PathBuf {
    exe.parent()
        .map_or_else(|| PathBuf::from(CONFIG_FILE), |dir| dir.join(CONFIG_FILE))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(target_os = "linux")]
    fn system_wide_manifests_go_where_the_browsers_look() {
        let paths = manifest_paths(&BROWSERS, true).expect("paths");
        let expected = [
            "/etc/opt/chrome/native-messaging-hosts/jp.myna.bridge.json",
            "/etc/chromium/native-messaging-hosts/jp.myna.bridge.json",
            "/etc/opt/edge/native-messaging-hosts/jp.myna.bridge.json",
            "/usr/lib/mozilla/native-messaging-hosts/jp.myna.bridge.json",
        ];
        let paths: Vec<_> = paths
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        assert_eq!(paths, expected);
    }

    #[test]
    fn unknown_browsers_and_missing_extensions_are_refused() {
        assert!(matches!(
            check_browsers(&["netscape".into()]),
            Err(InstallError::UnknownBrowser(_))
        ));
        let options = InstallOptions {
            system: false,
            browsers: vec!["chrome".into()],
            exe: PathBuf::from("/nonexistent/myna-bridge"),
            config: Config {
                allowed_extensions: vec!["helper@myna.example".into()],
                ..Config::default()
            },
            user_data_dirs: Vec::new(),
        };
        assert!(matches!(
            install(&options),
            Err(InstallError::MissingExtension(_))
        ));
    }

    #[test]
    fn snap_and_flatpak_browsers_are_found_and_explained() {
        let root = tempfile::tempdir().expect("root");
        let home = tempfile::tempdir().expect("home");
        assert!(sandboxed_browsers(root.path(), home.path()).is_empty());
        std::fs::create_dir_all(root.path().join("snap/bin")).expect("mkdir");
        std::fs::write(root.path().join("snap/bin/chromium"), b"").expect("snap");
        std::fs::create_dir_all(
            home.path()
                .join(".local/share/flatpak/app/org.mozilla.firefox"),
        )
        .expect("flatpak");
        let found = sandboxed_browsers(root.path(), home.path());
        let browsers: Vec<&str> = found.iter().map(|s| s.browser).collect();
        assert_eq!(browsers, ["chromium", "firefox"]);
        assert!(found[0].advice.contains("cannot start the bridge"));
        assert!(found[1].advice.contains("portal"));
    }
}
