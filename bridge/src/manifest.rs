//! The browsers' native-messaging host manifest: which browsers the bridge registers with and
//! the manifest each one reads. `install` writes it for this machine, `package` stages it for
//! an operating system's system-wide layout.

use protocol::NATIVE_HOST_NAME;

/// Browsers the bridge registers with.
pub const BROWSERS: [&str; 4] = ["chrome", "chromium", "edge", "firefox"];

/// The host manifest a browser reads: Chromium-based browsers list `allowed_origins`
/// (`chrome-extension://<id>/`), Firefox `allowed_extensions` (add-on ids).
pub fn manifest_json(browser: &str, exe: &str, extensions: &[String]) -> serde_json::Value {
    let firefox = browser == "firefox";
    let ids: Vec<&String> = extensions
        .iter()
        .filter(|e| e.starts_with("chrome-extension://") != firefox)
        .collect();
    let key = if firefox {
        "allowed_extensions"
    } else {
        "allowed_origins"
    };
    serde_json::json!({
        "name": NATIVE_HOST_NAME,
        "description": "My Number Card portal bridge (card reader access)",
        "path": exe,
        "type": "stdio",
        key: ids,
    })
}
