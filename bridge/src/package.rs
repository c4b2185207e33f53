//! Installers as files: where each browser reads the bridge's host manifest when it is installed
//! system-wide on each OS ([`system_layout`]), a package tree staged from it ([`stage`]), and the
//! Debian package built from that tree ([`build_deb`]).
//!
//! The `native_messaging` crate knows the paths of the OS it is compiled for, so that `install`
//! can write them on this machine; a package for another OS needs them as data. They are written
//! here from the browsers' documentation (Chrome's and Edge's "native messaging" pages, MDN's
//! "Native manifests") and cross-checked against the crate on the OS a test runs on.

use std::path::{Path, PathBuf};

use protocol::NATIVE_HOST_NAME;

use crate::{
    config::{Config, CONFIG_FILE},
    manifest::{manifest_json, BROWSERS},
};

/// An operating system the bridge is packaged for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    /// Debian and other Linux distributions.
    Linux,
    /// macOS.
    MacOs,
    /// Windows.
    Windows,
}

impl Os {
    /// Parses `linux`, `macos` or `windows`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "linux" => Some(Self::Linux),
            "macos" => Some(Self::MacOs),
            "windows" => Some(Self::Windows),
            _ => None,
        }
    }

    /// Where the package puts the bridge's executable (its configuration goes beside it).
    pub fn executable(self) -> &'static str {
        match self {
            Self::Linux => "/usr/lib/myna-bridge/myna-bridge",
            Self::MacOs => "/Library/Application Support/MynaPortal/myna-bridge",
            Self::Windows => r"C:\Program Files\MynaPortal\myna-bridge.exe",
        }
    }
}

/// Where one browser finds the host manifest of a system-wide installation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    /// The browser (a key of [`BROWSERS`]).
    pub browser: &'static str,
    /// The manifest file, as an absolute path of that OS.
    pub manifest: String,
    /// Windows: the registry key whose default value is the manifest's path (the browser finds
    /// the manifest only through it).
    pub registry_key: Option<String>,
}

/// The system-wide placements of every browser on `os`.
pub fn system_layout(os: Os) -> Vec<Placement> {
    let file = format!("{NATIVE_HOST_NAME}.json");
    BROWSERS
        .iter()
        .map(|&browser| {
            let (manifest, registry_key) = match os {
                Os::Linux => {
                    let dir = match browser {
                        "chrome" => "/etc/opt/chrome/native-messaging-hosts",
                        "chromium" => "/etc/chromium/native-messaging-hosts",
                        "edge" => "/etc/opt/edge/native-messaging-hosts",
                        _ => "/usr/lib/mozilla/native-messaging-hosts",
                    };
                    (format!("{dir}/{file}"), None)
                }
                Os::MacOs => {
                    let dir = match browser {
                        "chrome" => "/Library/Google/Chrome/NativeMessagingHosts",
                        "chromium" => "/Library/Application Support/Chromium/NativeMessagingHosts",
                        "edge" => "/Library/Microsoft/Edge/NativeMessagingHosts",
                        _ => "/Library/Application Support/Mozilla/NativeMessagingHosts",
                    };
                    (format!("{dir}/{file}"), None)
                }
                Os::Windows => {
                    // One manifest per manifest format, beside the executable.
                    let family = if browser == "firefox" {
                        "firefox"
                    } else {
                        "chromium"
                    };
                    let key = match browser {
                        "chrome" => {
                            r"HKEY_LOCAL_MACHINE\SOFTWARE\Google\Chrome\NativeMessagingHosts"
                        }
                        "chromium" => r"HKEY_LOCAL_MACHINE\SOFTWARE\Chromium\NativeMessagingHosts",
                        "edge" => {
                            r"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Edge\NativeMessagingHosts"
                        }
                        _ => r"HKEY_LOCAL_MACHINE\SOFTWARE\Mozilla\NativeMessagingHosts",
                    };
                    (
                        format!(r"C:\Program Files\MynaPortal\{NATIVE_HOST_NAME}.{family}.json"),
                        Some(format!(r"{key}\{NATIVE_HOST_NAME}")),
                    )
                }
            };
            Placement {
                browser,
                manifest,
                registry_key,
            }
        })
        .collect()
}

/// Why a package could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    /// Reading or writing the tree failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// Why it failed.
        source: std::io::Error,
    },
    /// `dpkg-deb` failed or is missing.
    #[error("dpkg-deb: {0}")]
    Dpkg(String),
}

fn io(context: String) -> impl FnOnce(std::io::Error) -> PackageError {
    move |source| PackageError::Io { context, source }
}

/// An absolute path of `os` as a path inside the staging tree `root` (`C:\Program Files\…` →
/// `root/Program Files/…`).
pub fn in_root(root: &Path, os: Os, path: &str) -> PathBuf {
    let relative = match os {
        Os::Windows => path
            .trim_start_matches(r"C:\")
            .split('\\')
            .collect::<PathBuf>(),
        Os::Linux | Os::MacOs => PathBuf::from(path.trim_start_matches('/')),
    };
    root.join(relative)
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), PackageError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io(format!("creating {}", parent.display())))?;
    }
    std::fs::write(path, bytes).map_err(io(format!("writing {}", path.display())))
}

/// Writes the installed tree of `os` under `root`: the executable (a copy of `exe`), its
/// configuration beside it, every browser's manifest where that browser reads it, and on Windows
/// the registry keys as a `.reg` file. Returns the files written, inside `root`.
///
/// # Errors
/// A file that cannot be read or written.
pub fn stage(
    root: &Path,
    os: Os,
    exe: &Path,
    config: &Config,
) -> Result<Vec<PathBuf>, PackageError> {
    let installed = os.executable();
    let exe_path = in_root(root, os, installed);
    let bytes = std::fs::read(exe).map_err(io(format!("reading {}", exe.display())))?;
    write(&exe_path, &bytes)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&exe_path, std::fs::Permissions::from_mode(0o755))
            .map_err(io(format!("making {} executable", exe_path.display())))?;
    }
    let mut written = vec![exe_path.clone()];
    let config_path = exe_path.with_file_name(CONFIG_FILE);
    let json = serde_json::to_vec_pretty(config).map_err(|e| PackageError::Io {
        context: "encoding the configuration".into(),
        source: e.into(),
    })?;
    write(&config_path, &json)?;
    written.push(config_path);
    let mut registry = String::from("Windows Registry Editor Version 5.00\r\n");
    for placement in system_layout(os) {
        let path = in_root(root, os, &placement.manifest);
        let manifest = manifest_json(placement.browser, installed, &config.allowed_extensions);
        let json = serde_json::to_vec_pretty(&manifest).map_err(|e| PackageError::Io {
            context: "encoding a manifest".into(),
            source: e.into(),
        })?;
        write(&path, &json)?;
        if !written.contains(&path) {
            written.push(path);
        }
        if let Some(key) = placement.registry_key {
            let value = placement.manifest.replace('\\', r"\\");
            registry.push_str(&format!("\r\n[{key}]\r\n@=\"{value}\"\r\n"));
        }
    }
    if os == Os::Windows {
        let reg = exe_path.with_file_name("myna-bridge.reg");
        write(&reg, registry.as_bytes())?;
        written.push(reg);
    }
    Ok(written)
}

/// The Debian control file: the bridge needs the PC/SC client library and, to reach readers, the
/// pcscd service.
pub fn debian_control(version: &str, architecture: &str) -> String {
    format!(
        "Package: myna-bridge\n\
         Version: {version}\n\
         Architecture: {architecture}\n\
         Maintainer: My Number Card portal developers <dev@myna.example>\n\
         Depends: libpcsclite1, pcscd\n\
         Section: utils\n\
         Priority: optional\n\
         Description: My Number Card portal bridge (card reader access)\n \
         The native-messaging host that the portal's browser extension starts to reach the\n \
         card reader through PC/SC. Registered system-wide for Chrome, Chromium, Edge and\n \
         Firefox.\n"
    )
}

/// Builds the Debian package of `exe` into `out` (staged in `work`, which must be empty):
/// [`stage`] for Linux plus `DEBIAN/control`, packed by `dpkg-deb`. Every installed file belongs
/// to the package, so `dpkg --remove` takes all of them away.
///
/// # Errors
/// A file that cannot be written, or `dpkg-deb` missing or failing.
pub fn build_deb(
    work: &Path,
    exe: &Path,
    config: &Config,
    version: &str,
    out: &Path,
) -> Result<Vec<PathBuf>, PackageError> {
    let written = stage(work, Os::Linux, exe, config)?;
    let architecture = std::process::Command::new("dpkg")
        .arg("--print-architecture")
        .output()
        .map_err(|e| PackageError::Dpkg(format!("dpkg --print-architecture: {e}")))?;
    let architecture = String::from_utf8_lossy(&architecture.stdout)
        .trim()
        .to_owned();
    write(
        &work.join("DEBIAN/control"),
        debian_control(version, &architecture).as_bytes(),
    )?;
    let output = std::process::Command::new("dpkg-deb")
        .args(["--root-owner-group", "--build"])
        .arg(work)
        .arg(out)
        .output()
        .map_err(|e| PackageError::Dpkg(e.to_string()))?;
    if !output.status.success() {
        return Err(PackageError::Dpkg(
            String::from_utf8_lossy(&output.stderr).into_owned(),
        ));
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(target_os = "linux")]
    fn the_linux_layout_is_where_native_messaging_writes() {
        for placement in system_layout(Os::Linux) {
            let crate_path = native_messaging::manifest_path(
                placement.browser,
                native_messaging::Scope::System,
                NATIVE_HOST_NAME,
            )
            .expect("path");
            assert_eq!(
                PathBuf::from(&placement.manifest),
                crate_path,
                "{}",
                placement.browser
            );
        }
    }

    #[test]
    fn macos_and_windows_layouts_by_path() {
        let manifests =
            |os| -> Vec<String> { system_layout(os).into_iter().map(|p| p.manifest).collect() };
        assert_eq!(
            manifests(Os::MacOs),
            [
                "/Library/Google/Chrome/NativeMessagingHosts/jp.myna.bridge.json",
                "/Library/Application Support/Chromium/NativeMessagingHosts/jp.myna.bridge.json",
                "/Library/Microsoft/Edge/NativeMessagingHosts/jp.myna.bridge.json",
                "/Library/Application Support/Mozilla/NativeMessagingHosts/jp.myna.bridge.json",
            ]
        );
        let windows = system_layout(Os::Windows);
        let keys: Vec<_> = windows
            .iter()
            .map(|p| p.registry_key.clone().expect("a key"))
            .collect();
        assert_eq!(
            keys,
            [
                r"HKEY_LOCAL_MACHINE\SOFTWARE\Google\Chrome\NativeMessagingHosts\jp.myna.bridge",
                r"HKEY_LOCAL_MACHINE\SOFTWARE\Chromium\NativeMessagingHosts\jp.myna.bridge",
                r"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Edge\NativeMessagingHosts\jp.myna.bridge",
                r"HKEY_LOCAL_MACHINE\SOFTWARE\Mozilla\NativeMessagingHosts\jp.myna.bridge",
            ]
        );
        assert_eq!(
            windows[0].manifest,
            r"C:\Program Files\MynaPortal\jp.myna.bridge.chromium.json"
        );
        assert_eq!(
            windows[3].manifest,
            r"C:\Program Files\MynaPortal\jp.myna.bridge.firefox.json"
        );
    }

    fn config() -> Config {
        Config {
            allowed_origins: vec!["https://myna.example".into()],
            developer_origins: Vec::new(),
            allowed_extensions: vec![
                "chrome-extension://abcdefghijklmnopabcdefghijklmnop/".into(),
                "helper@myna.example".into(),
            ],
            card_timeout_ms: 15_000,
            card_wait_ms: 10_000,
            ..Config::default()
        }
    }

    #[test]
    fn staged_trees_of_each_os_by_path() {
        let exe = std::env::current_exe().expect("exe");
        for (os, expected) in [
            (
                Os::MacOs,
                vec![
                    "Library/Application Support/MynaPortal/myna-bridge",
                    "Library/Application Support/MynaPortal/bridge.json",
                    "Library/Google/Chrome/NativeMessagingHosts/jp.myna.bridge.json",
                    "Library/Application Support/Chromium/NativeMessagingHosts/jp.myna.bridge.json",
                    "Library/Microsoft/Edge/NativeMessagingHosts/jp.myna.bridge.json",
                    "Library/Application Support/Mozilla/NativeMessagingHosts/jp.myna.bridge.json",
                ],
            ),
            (
                Os::Windows,
                vec![
                    "Program Files/MynaPortal/myna-bridge.exe",
                    "Program Files/MynaPortal/bridge.json",
                    "Program Files/MynaPortal/jp.myna.bridge.chromium.json",
                    "Program Files/MynaPortal/jp.myna.bridge.firefox.json",
                    "Program Files/MynaPortal/myna-bridge.reg",
                ],
            ),
        ] {
            let root = tempfile::tempdir().expect("dir");
            let written = stage(root.path(), os, &exe, &config()).expect("staged");
            let relative: Vec<_> = written
                .iter()
                .map(|p| p.strip_prefix(root.path()).expect("inside").to_owned())
                .collect();
            let expected: Vec<PathBuf> = expected.iter().map(PathBuf::from).collect();
            assert_eq!(relative, expected, "{os:?}");
        }
        // The Windows manifests name the executable by its Windows path; the .reg file points
        // each browser's key at its manifest.
        let root = tempfile::tempdir().expect("dir");
        stage(root.path(), Os::Windows, &exe, &config()).expect("staged");
        let dir = root.path().join("Program Files/MynaPortal");
        let chromium: serde_json::Value = serde_json::from_slice(
            &std::fs::read(dir.join("jp.myna.bridge.chromium.json")).expect("read"),
        )
        .expect("json");
        assert_eq!(
            chromium["path"],
            r"C:\Program Files\MynaPortal\myna-bridge.exe"
        );
        assert_eq!(
            chromium["allowed_origins"],
            serde_json::json!(["chrome-extension://abcdefghijklmnopabcdefghijklmnop/"])
        );
        let firefox: serde_json::Value = serde_json::from_slice(
            &std::fs::read(dir.join("jp.myna.bridge.firefox.json")).expect("read"),
        )
        .expect("json");
        assert_eq!(
            firefox["allowed_extensions"],
            serde_json::json!(["helper@myna.example"])
        );
        let reg = std::fs::read_to_string(dir.join("myna-bridge.reg")).expect("reg");
        assert!(reg.contains(
            "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Mozilla\\NativeMessagingHosts\\jp.myna.bridge]\r\n@=\"C:\\\\Program Files\\\\MynaPortal\\\\jp.myna.bridge.firefox.json\""
        ), "{reg}");
    }
}
