//! The extension's manifest, checked: what it may do, where it runs, and the IDs the bridge is
//! registered for.

use base64::Engine as _;
use e2e::{CHROMIUM_EXTENSION, FIREFOX_EXTENSION};
use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};

fn extension_dir() -> std::path::PathBuf {
    e2e::crate_dir().join("../extension")
}

fn manifest() -> Value {
    let text = std::fs::read_to_string(extension_dir().join("manifest.json")).expect("manifest");
    serde_json::from_str(&text).expect("manifest.json is JSON")
}

#[test]
fn it_asks_only_for_native_messaging_on_the_portals_pages() {
    let manifest = manifest();
    assert_eq!(manifest["manifest_version"], 3);
    assert_eq!(manifest["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(manifest["permissions"], json!(["nativeMessaging"]));
    assert!(!manifest.to_string().contains("<all_urls>"));
    assert!(
        manifest.get("web_accessible_resources").is_none(),
        "no page may load the PIN window"
    );
    assert!(manifest.get("externally_connectable").is_none());
    let scripts = manifest["content_scripts"]
        .as_array()
        .expect("content scripts");
    assert_eq!(scripts.len(), 1);
    let script = &scripts[0];
    assert_eq!(script["js"], json!(["content.js"]));
    assert_eq!(script["all_frames"], false, "top-level pages only");
    assert_eq!(script["run_at"], "document_start");
    assert_eq!(manifest["host_permissions"], script["matches"]);
    for pattern in script["matches"].as_array().expect("matches") {
        let pattern = pattern.as_str().expect("pattern");
        let allowed = pattern.starts_with("https://") && !pattern.contains('*')
            || pattern.ends_with("/*")
                && ["https://", "http://127.0.0.1/", "http://localhost/"]
                    .iter()
                    .any(|prefix| pattern.starts_with(prefix))
                && !pattern.starts_with("https://*");
        assert!(allowed, "{pattern}");
    }
}

#[test]
fn one_source_for_chromium_and_firefox_with_fixed_ids() {
    let manifest = manifest();
    assert_eq!(manifest["background"]["service_worker"], "background.js");
    assert_eq!(
        manifest["background"]["scripts"],
        json!([
            "config.js",
            "rules.js",
            "native.js",
            "pin_window.js",
            "background.js"
        ])
    );
    assert_eq!(
        manifest["browser_specific_settings"]["gecko"]["id"],
        FIREFOX_EXTENSION
    );
    // The Chromium ID: SHA-256 of the key's DER, the first 32 hex digits mapped 0-f → a-p.
    let key = base64::engine::general_purpose::STANDARD
        .decode(manifest["key"].as_str().expect("key"))
        .expect("the key is base64");
    let id: String = Sha256::digest(&key)[..16]
        .iter()
        .flat_map(|byte| [byte >> 4, byte & 0x0f])
        .map(|nibble| char::from(b'a' + nibble))
        .collect();
    assert_eq!(format!("chrome-extension://{id}/"), CHROMIUM_EXTENSION);
}

#[test]
fn every_file_it_names_exists() {
    let dir = extension_dir();
    let manifest = manifest();
    let mut files = vec!["pin.html", "pin.js", "pin.css", "messages.js"];
    files.extend(
        manifest["background"]["scripts"]
            .as_array()
            .expect("scripts")
            .iter()
            .filter_map(Value::as_str),
    );
    files.push(
        manifest["background"]["service_worker"]
            .as_str()
            .expect("worker"),
    );
    for script in manifest["content_scripts"].as_array().expect("scripts") {
        files.extend(
            script["js"]
                .as_array()
                .expect("js")
                .iter()
                .filter_map(Value::as_str),
        );
    }
    for file in files {
        assert!(dir.join(file).is_file(), "extension/{file} is missing");
    }
}

/// `config.js` is what `protocol` generates for the placeholder origin: the bridge's name, the
/// protocol version and the deadlines come from one place (`cargo xtask extension-config`
/// rewrites it after a change there).
#[test]
fn the_extensions_settings_are_generated_from_the_protocol() {
    let config = std::fs::read_to_string(extension_dir().join("config.js")).expect("config.js");
    assert_eq!(
        config,
        protocol::extension::config_js(&[protocol::extension::PLACEHOLDER_ORIGIN]),
        "extension/config.js is stale: run `cargo xtask extension-config`"
    );
}

/// The extension's `ErrorCode` type (tests/globals.d.ts, which `tsc` checks every script
/// against) names exactly the contract's codes.
#[test]
fn the_extensions_error_codes_are_the_contracts() {
    let globals =
        std::fs::read_to_string(extension_dir().join("tests/globals.d.ts")).expect("globals.d.ts");
    let start = globals.find("type ErrorCode =").expect("type ErrorCode");
    let end = start + globals[start..].find(';').expect("the union ends");
    let theirs: std::collections::BTreeSet<&str> =
        globals[start..end].split('"').skip(1).step_by(2).collect();
    let ours: std::collections::BTreeSet<&str> = protocol::ErrorCode::ALL
        .iter()
        .map(|c| c.as_str())
        .collect();
    assert_eq!(theirs, ours);
}

/// The baseline of what the extension may do (`extension/permissions.baseline.json`): the
/// manifest asks for exactly that, so that a widening (a new permission, host or page, which
/// makes Chrome disable the installed extension until the user accepts it) fails here unless the
/// baseline changes in the same commit. The store packages (`cargo xtask extension`) replace
/// the placeholder origin and ask for nothing more.
#[test]
fn it_asks_for_nothing_beyond_its_permission_baseline() {
    let manifest = manifest();
    let baseline: Value = serde_json::from_str(
        &std::fs::read_to_string(extension_dir().join("permissions.baseline.json"))
            .expect("permissions.baseline.json"),
    )
    .expect("the baseline is JSON");
    let or_empty = |value: &Value| value.as_array().cloned().unwrap_or_default();
    assert_eq!(
        or_empty(&manifest["permissions"]),
        or_empty(&baseline["permissions"]),
        "permissions"
    );
    assert_eq!(
        or_empty(&manifest["optional_permissions"]),
        or_empty(&baseline["optional_permissions"]),
        "optional permissions"
    );
    assert_eq!(
        or_empty(&manifest["host_permissions"]),
        or_empty(&baseline["host_permissions"]),
        "host permissions"
    );
    let matches: Vec<Value> = or_empty(&manifest["content_scripts"])
        .iter()
        .flat_map(|script| or_empty(&script["matches"]))
        .collect();
    assert_eq!(
        matches,
        or_empty(&baseline["content_script_matches"]),
        "content-script matches"
    );
    assert!(manifest.get("optional_host_permissions").is_none());
    // Firefox's add-on store requires new add-ons to declare what they collect (November 2025):
    // nothing.
    assert_eq!(
        manifest["browser_specific_settings"]["gecko"]["data_collection_permissions"]["required"],
        baseline["data_collection"]
    );
}
