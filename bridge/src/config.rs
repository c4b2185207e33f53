//! The bridge's configuration: `bridge.json` beside the executable (written by `myna-bridge
//! install`), or the file named by `MYNA_BRIDGE_CONFIG`.
//!
//! ```json
//! {
//!   "allowedOrigins": ["https://portal.example.jp"],
//!   "developerOrigins": ["http://127.0.0.1:8080"],
//!   "allowedExtensions": ["chrome-extension://<32 letters a-p>/", "helper@myna-portal.example"],
//!   "cardTimeoutMs": 15000,
//!   "cardWaitMs": 10000,
//!   "cardHoldMs": 130000
//! }
//! ```
//! `allowedOrigins` take only `https://` origins. Loopback `http://` origins are accepted only
//! from `developerOrigins`, which a production install leaves empty.

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use protocol::origin::{check_origin_syntax, OriginError};
use serde::{Deserialize, Serialize};

/// Environment variable naming the configuration file.
pub const CONFIG_ENV: &str = "MYNA_BRIDGE_CONFIG";
/// File name of the configuration beside the executable.
pub const CONFIG_FILE: &str = "bridge.json";

/// Why the configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not the expected JSON.
    #[error("{path}: {source}")]
    Json {
        /// The file.
        path: PathBuf,
        /// Why.
        source: serde_json::Error,
    },
    /// An origin in the file is malformed, or an `http` origin is in `allowedOrigins`.
    #[error("{path}: origin {origin:?} is not allowed here: {reason}")]
    Origin {
        /// The file.
        path: PathBuf,
        /// The origin.
        origin: String,
        /// Why.
        reason: OriginError,
    },
}

/// The configuration as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Config {
    /// Production portal origins (`https://` only).
    #[serde(default)]
    pub allowed_origins: Vec<String>,
    /// Development origins (may be loopback `http://`).
    #[serde(default)]
    pub developer_origins: Vec<String>,
    /// Extensions allowed to call the host.
    #[serde(default)]
    pub allowed_extensions: Vec<String>,
    /// Deadline of one card operation.
    #[serde(default = "default_card_timeout_ms")]
    pub card_timeout_ms: u64,
    /// How long `authenticate` waits for a card to be put on the reader.
    #[serde(default = "default_card_wait_ms")]
    pub card_wait_ms: u64,
    /// Longest time a card stays held after `prepare` when no `authenticate` or `release`
    /// follows (default [`protocol::bridge::CARD_HOLD_MS`]: the extension's PIN window waits
    /// 120 s). Shorter only costs speed: `authenticate` then finds the card again.
    #[serde(default = "default_card_hold_ms")]
    pub card_hold_ms: u64,
}

fn default_card_timeout_ms() -> u64 {
    protocol::bridge::CARD_TIMEOUT_MS
}

fn default_card_wait_ms() -> u64 {
    protocol::bridge::CARD_WAIT_MS
}

fn default_card_hold_ms() -> u64 {
    protocol::bridge::CARD_HOLD_MS
}

impl Default for Config {
    fn default() -> Self {
        Self {
            allowed_origins: Vec::new(),
            developer_origins: Vec::new(),
            allowed_extensions: Vec::new(),
            card_timeout_ms: default_card_timeout_ms(),
            card_wait_ms: default_card_wait_ms(),
            card_hold_ms: default_card_hold_ms(),
        }
    }
}

impl Config {
    /// Where the configuration is read from.
    pub fn default_path() -> Option<PathBuf> {
        if let Some(path) = std::env::var_os(CONFIG_ENV) {
            return Some(PathBuf::from(path));
        }
        let exe = std::env::current_exe().ok()?;
        Some(exe.parent()?.join(CONFIG_FILE))
    }

    /// Reads and checks a configuration file.
    ///
    /// # Errors
    /// [`ConfigError::Io`] when the file cannot be read, [`ConfigError::Json`] when it is not the
    /// configuration's JSON, [`ConfigError::Origin`] when it names an origin that is not valid.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let bytes = std::fs::read(path).map_err(|source| ConfigError::Io {
            path: path.to_owned(),
            source,
        })?;
        let config: Self = serde_json::from_slice(&bytes).map_err(|source| ConfigError::Json {
            path: path.to_owned(),
            source,
        })?;
        config
            .validate()
            .map_err(|(origin, reason)| ConfigError::Origin {
                path: path.to_owned(),
                origin,
                reason,
            })?;
        Ok(config)
    }

    /// Checks the origins: `allowedOrigins` https only, `developerOrigins` any valid origin.
    ///
    /// # Errors
    /// The first origin that is not valid, with why.
    pub fn validate(&self) -> Result<(), (String, OriginError)> {
        for origin in &self.allowed_origins {
            match check_origin_syntax(origin) {
                Ok(("https", _, _)) => {}
                Ok(_) => return Err((origin.clone(), OriginError::Scheme)),
                Err(e) => return Err((origin.clone(), e)),
            }
        }
        for origin in &self.developer_origins {
            check_origin_syntax(origin).map_err(|e| (origin.clone(), e))?;
        }
        Ok(())
    }

    /// Whether a page of `origin` may use the card. The syntax was checked by the parser.
    pub fn origin_allowed(&self, origin: &str) -> bool {
        match check_origin_syntax(origin) {
            Ok(("https", _, _)) => {
                self.allowed_origins.iter().any(|o| o == origin)
                    || self.developer_origins.iter().any(|o| o == origin)
            }
            Ok(_) => self.developer_origins.iter().any(|o| o == origin),
            Err(_) => false,
        }
    }

    /// Whether the extension may call the host. A listed id is compared in its normal form
    /// (`crate::caller::normalize_extension`): a configuration written without the trailing
    /// slash still admits its extension.
    pub fn extension_allowed(&self, id: &str) -> bool {
        self.allowed_extensions.iter().any(|e| {
            e == id || crate::caller::normalize_extension(e).is_ok_and(|normal| normal == id)
        })
    }

    /// The card operation deadline.
    pub fn card_timeout(&self) -> Duration {
        Duration::from_millis(self.card_timeout_ms)
    }

    /// How long to wait for a card.
    pub fn card_wait(&self) -> Duration {
        Duration::from_millis(self.card_wait_ms)
    }

    /// How long a card stays held after `prepare`.
    pub fn card_hold(&self) -> Duration {
        Duration::from_millis(self.card_hold_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        Config {
            allowed_origins: vec!["https://myna.example".into()],
            developer_origins: vec![
                "http://127.0.0.1:8080".into(),
                "https://staging.example".into(),
            ],
            ..Config::default()
        }
    }

    #[test]
    fn allow_list() {
        let config = config();
        assert!(config.origin_allowed("https://myna.example"));
        assert!(config.origin_allowed("https://staging.example"));
        assert!(config.origin_allowed("http://127.0.0.1:8080"));
        assert!(!config.origin_allowed("http://127.0.0.1:8081"));
        assert!(!config.origin_allowed("https://evil.example"));
        assert!(!config.origin_allowed("https://myna.example/"));
        let production = Config {
            developer_origins: vec![],
            ..config
        };
        assert!(!production.origin_allowed("http://127.0.0.1:8080"));
    }

    #[test]
    fn http_is_refused_in_the_production_list() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("bridge.json");
        std::fs::write(&path, r#"{"allowedOrigins":["http://127.0.0.1:8080"]}"#).expect("write");
        assert!(matches!(
            Config::load(&path),
            Err(ConfigError::Origin { .. })
        ));
        std::fs::write(
            &path,
            r#"{"allowedOrigins":["https://a.example"],"extra":1}"#,
        )
        .expect("write");
        assert!(matches!(Config::load(&path), Err(ConfigError::Json { .. })));
        std::fs::write(
            &path,
            r#"{"allowedOrigins":["https://a.example"],"cardWaitMs":5}"#,
        )
        .expect("write");
        let config = Config::load(&path).expect("loads");
        assert_eq!(config.card_wait(), Duration::from_millis(5));
        assert_eq!(config.card_timeout(), Duration::from_secs(15));
    }

    #[test]
    fn an_extension_listed_without_its_slash_is_still_admitted() {
        let id = "chrome-extension://abcdefghijklmnopabcdefghijklmnop";
        let config = Config {
            allowed_extensions: vec![id.into()],
            ..config()
        };
        assert!(config.extension_allowed(&format!("{id}/")));
        assert!(!config.extension_allowed("chrome-extension://bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb/"));
    }
}
