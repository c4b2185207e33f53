//! `cargo xtask extension [--origin https://…]…`: the store packages of the extension, one zip
//! for Chrome and Edge and one for Firefox, from the one source in `extension/`.
//!
//! Each package's manifest keeps only what its browser reads (Chrome: `background.service_worker`;
//! Firefox: `background.scripts` and `browser_specific_settings`), drops the development `key`
//! (the stores assign the ID) and the loopback matches, and names the deployment's portal origins
//! (`--origin`, repeatable; the placeholder `https://myna.example` otherwise) in the content
//! script's matches, the host permissions and `config.js`. `dev.json` is never packaged.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};
use serde_json::{json, Value};

/// The placeholder origin of the source tree.
const PLACEHOLDER: &str = protocol::extension::PLACEHOLDER_ORIGIN;
/// The files of a package besides the manifest.
const FILES: [&str; 10] = [
    "config.js",
    "rules.js",
    "native.js",
    "pin_window.js",
    "background.js",
    "content.js",
    "pin.html",
    "pin.js",
    "pin.css",
    "messages.js",
];

/// Firefox's background scripts, in load order (Chromium's service worker loads the same
/// files with `importScripts`).
const BACKGROUND: [&str; 5] = [
    "config.js",
    "rules.js",
    "native.js",
    "pin_window.js",
    "background.js",
];

/// Which store a package is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Store {
    /// Chrome Web Store and Edge Add-ons.
    Chromium,
    /// addons.mozilla.org.
    Firefox,
}

impl Store {
    fn name(self) -> &'static str {
        match self {
            Self::Chromium => "chrome-edge",
            Self::Firefox => "firefox",
        }
    }
}

/// Checks a production origin: `https://host[:port]`, nothing after.
fn check_origin(origin: &str) -> anyhow::Result<()> {
    let Some(rest) = origin.strip_prefix("https://") else {
        bail!("{origin}: a portal origin is https://host[:port]");
    };
    if rest.is_empty() || rest.contains(['/', '?', '#', '@', '*']) {
        bail!("{origin}: a portal origin is https://host[:port], nothing after");
    }
    Ok(())
}

/// The manifest of the package for `store`, from the source manifest.
pub fn package_manifest(source: &Value, store: Store, origins: &[String]) -> Value {
    let mut manifest = source.clone();
    if let Some(object) = manifest.as_object_mut() {
        object.remove("key");
        let matches: Vec<String> = origins.iter().map(|o| format!("{o}/*")).collect();
        object.insert("host_permissions".into(), json!(matches));
        if let Some(scripts) = object
            .get_mut("content_scripts")
            .and_then(Value::as_array_mut)
        {
            for script in scripts {
                script["matches"] = json!(matches);
            }
        }
        match store {
            Store::Chromium => {
                object.remove("browser_specific_settings");
                object.insert(
                    "background".into(),
                    json!({ "service_worker": "background.js" }),
                );
            }
            Store::Firefox => {
                object.insert("background".into(), json!({ "scripts": BACKGROUND }));
            }
        }
    }
    manifest
}

/// `config.js` with the deployment's origins: generated, never patched
/// (`protocol::extension`).
pub fn package_config(origins: &[String]) -> String {
    let origins: Vec<&str> = origins.iter().map(String::as_str).collect();
    protocol::extension::config_js(&origins)
}

/// Rewrites `extension/config.js` from `protocol`'s constants (`cargo xtask extension-config`).
///
/// # Errors
/// When the file cannot be written.
pub fn write_source_config(root: &Path) -> anyhow::Result<()> {
    let path = root.join("extension/config.js");
    std::fs::write(&path, protocol::extension::config_js(&[PLACEHOLDER]))
        .with_context(|| format!("writing {}", path.display()))
}

/// Writes both packages into `out` and returns the zips' paths.
///
/// # Errors
/// When an origin is not a bare https origin, or a file cannot be read, written or zipped.
pub fn package(root: &Path, origins: &[String], out: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let origins: Vec<String> = if origins.is_empty() {
        vec![PLACEHOLDER.to_owned()]
    } else {
        origins.to_vec()
    };
    for origin in &origins {
        check_origin(origin)?;
    }
    let source_dir = root.join("extension");
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(source_dir.join("manifest.json"))
            .context("reading extension/manifest.json")?,
    )
    .context("extension/manifest.json is not JSON")?;
    let version = manifest["version"].as_str().unwrap_or("0").to_owned();
    let mut zips = Vec::new();
    for store in [Store::Chromium, Store::Firefox] {
        let dir = out.join(store.name());
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        for file in FILES {
            std::fs::copy(source_dir.join(file), dir.join(file))
                .with_context(|| format!("copying extension/{file}"))?;
        }
        std::fs::write(dir.join("config.js"), package_config(&origins))?;
        std::fs::write(
            dir.join("manifest.json"),
            serde_json::to_string_pretty(&package_manifest(&manifest, store, &origins))?,
        )?;
        let zip = out.join(format!("myna-extension-{version}-{}.zip", store.name()));
        let _ = std::fs::remove_file(&zip);
        let status = std::process::Command::new("zip")
            .arg("-q")
            .arg("-X")
            .arg("-r")
            .arg(&zip)
            .arg(".")
            .current_dir(&dir)
            .status()
            .context("running zip")?;
        if !status.success() {
            bail!("zip failed with {status}");
        }
        zips.push(zip);
    }
    Ok(zips)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source() -> Value {
        let text = include_str!("../../extension/manifest.json");
        serde_json::from_str(text).expect("the source manifest is JSON")
    }

    #[test]
    fn each_store_gets_only_its_keys_and_the_deployments_origins() {
        let origins = vec!["https://portal.example.jp".to_owned()];
        let chrome = package_manifest(&source(), Store::Chromium, &origins);
        assert_eq!(
            chrome["background"],
            json!({"service_worker": "background.js"})
        );
        assert!(chrome.get("browser_specific_settings").is_none());
        assert!(chrome.get("key").is_none());
        assert_eq!(
            chrome["content_scripts"][0]["matches"],
            json!(["https://portal.example.jp/*"])
        );
        assert_eq!(
            chrome["host_permissions"],
            json!(["https://portal.example.jp/*"])
        );
        let firefox = package_manifest(&source(), Store::Firefox, &origins);
        assert_eq!(firefox["background"], json!({ "scripts": BACKGROUND }));
        assert_eq!(
            firefox["browser_specific_settings"]["gecko"]["id"],
            "helper@myna-portal.example"
        );
        assert_eq!(firefox["permissions"], json!(["nativeMessaging"]));
        assert_eq!(
            firefox["browser_specific_settings"]["gecko"]["data_collection_permissions"],
            json!({ "required": ["none"] })
        );
    }

    #[test]
    fn the_config_names_the_deployments_origins() {
        let packaged = package_config(&["https://a.example".into(), "https://b.example".into()]);
        assert!(packaged.contains(r#"["https://a.example", "https://b.example"]"#));
        assert!(!packaged.contains(PLACEHOLDER));
    }

    #[test]
    fn only_https_origins_without_paths_are_packaged() {
        assert!(check_origin("https://portal.example.jp").is_ok());
        assert!(check_origin("https://portal.example.jp:8443").is_ok());
        for bad in [
            "http://portal.example.jp",
            "https://portal.example.jp/",
            "https://*.example.jp",
            "https://",
        ] {
            assert!(check_origin(bad).is_err(), "{bad}");
        }
    }
}
