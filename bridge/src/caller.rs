//! Which extension started the host, from the arguments the browser passes.
//!
//! Chromium-based browsers pass `chrome-extension://<id>/` as the first argument (on Windows a
//! `--parent-window=` may follow). Firefox passes the path of the host manifest and then the
//! add-on id. The manifest's `allowed_origins` / `allowed_extensions` already restrict who may
//! start the host; this check makes a copied or edited manifest useless too.

/// Why an extension identifier cannot be allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtensionIdError {
    /// `chrome-extension://` with something other than 32 letters a–p.
    #[error("{0:?}: a Chromium extension id is 32 letters a-p (chrome://extensions shows it)")]
    Chromium(String),
    /// A `moz-extension://` address: the per-installation UUID, not the add-on's id.
    #[error("{0:?}: moz-extension:// addresses change with every installation; give the add-on id (name@domain or {{UUID}}) from its manifest")]
    MozExtension(String),
    /// Neither form.
    #[error("{0:?}: give chrome-extension://<id>/ (Chrome, Chromium, Edge) or a Firefox add-on id (name@domain or {{UUID}})")]
    Unknown(String),
}

/// A Chromium extension id: 32 letters a–p.
fn is_chromium_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| (b'a'..=b'p').contains(&b))
}

/// An extension identifier as browsers give it to a host and as the host manifests must list
/// it: `chrome-extension://<id>/` (with its trailing slash: Chromium rejects a manifest whose
/// `allowed_origins` has none, "Empty path") or a Firefox add-on id (`name@domain`, `{UUID}`).
/// A bare 32-letter Chromium id and a missing trailing slash are completed.
///
/// # Errors
/// [`ExtensionIdError`] for anything else, saying what to give instead.
pub fn normalize_extension(text: &str) -> Result<String, ExtensionIdError> {
    let text = text.trim();
    if let Some(rest) = text.strip_prefix("chrome-extension://") {
        let id = rest.strip_suffix('/').unwrap_or(rest);
        return if is_chromium_id(id) {
            Ok(format!("chrome-extension://{id}/"))
        } else {
            Err(ExtensionIdError::Chromium(text.to_owned()))
        };
    }
    if is_chromium_id(text) {
        return Ok(format!("chrome-extension://{text}/"));
    }
    if text.starts_with("moz-extension://") {
        return Err(ExtensionIdError::MozExtension(text.to_owned()));
    }
    // Firefox's add-on ids (WebExtensions `browser_specific_settings.gecko.id`): an e-mail-like
    // `name@domain` or a UUID in braces.
    let email = text.split_once('@').is_some_and(|(name, domain)| {
        let ok = |part: &str| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._+".contains(&b))
        };
        ok(name) && ok(domain) && !domain.contains('@')
    });
    let uuid = text
        .strip_prefix('{')
        .and_then(|t| t.strip_suffix('}'))
        .is_some_and(|u| {
            let groups: Vec<&str> = u.split('-').collect();
            groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
                && groups
                    .iter()
                    .all(|g| g.bytes().all(|b| b.is_ascii_hexdigit()))
        });
    if email || uuid {
        Ok(text.to_owned())
    } else {
        Err(ExtensionIdError::Unknown(text.to_owned()))
    }
}

/// The extension that started the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// A Chromium extension origin, normalised to `chrome-extension://<id>/`.
    Chromium(String),
    /// A Firefox add-on id.
    Firefox(String),
    /// Nothing recognisable: every request is refused.
    Unknown,
}

impl Caller {
    /// Reads the caller from the arguments (without the program name).
    pub fn from_args<S: AsRef<str>>(args: &[S]) -> Self {
        let args: Vec<&str> = args.iter().map(AsRef::as_ref).collect();
        if let Some(origin) = args.iter().find(|a| a.starts_with("chrome-extension://")) {
            let id = origin
                .trim_start_matches("chrome-extension://")
                .trim_end_matches('/');
            if is_chromium_id(id) {
                return Self::Chromium(format!("chrome-extension://{id}/"));
            }
            return Self::Unknown;
        }
        match args.as_slice() {
            [manifest, addon_id, ..] if manifest.ends_with(".json") && !addon_id.is_empty() => {
                Self::Firefox((*addon_id).to_owned())
            }
            _ => Self::Unknown,
        }
    }

    /// The identifier compared with the allow-list.
    pub fn id(&self) -> Option<&str> {
        match self {
            Self::Chromium(id) | Self::Firefox(id) => Some(id),
            Self::Unknown => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browsers_arguments() {
        assert_eq!(
            Caller::from_args(&["chrome-extension://abcdefghijklmnopabcdefghijklmnop/"]),
            Caller::Chromium("chrome-extension://abcdefghijklmnopabcdefghijklmnop/".into())
        );
        assert_eq!(
            Caller::from_args(&[
                "chrome-extension://abcdefghijklmnopabcdefghijklmnop",
                "--parent-window=0"
            ]),
            Caller::Chromium("chrome-extension://abcdefghijklmnopabcdefghijklmnop/".into())
        );
        assert_eq!(
            Caller::from_args(&[
                "/home/u/.mozilla/native-messaging-hosts/jp.myna.bridge.json",
                "helper@myna"
            ]),
            Caller::Firefox("helper@myna".into())
        );
        assert_eq!(Caller::from_args::<&str>(&[]), Caller::Unknown);
        assert_eq!(
            Caller::from_args(&["chrome-extension://NOT-AN-ID/"]),
            Caller::Unknown
        );
        assert_eq!(Caller::from_args(&["status"]), Caller::Unknown);
    }

    #[test]
    fn extension_ids_are_completed_or_refused() {
        let id = "abcdefghijklmnopabcdefghijklmnop";
        let full = format!("chrome-extension://{id}/");
        // The reported input: no trailing slash.
        for given in [
            format!("chrome-extension://{id}"),
            full.clone(),
            id.to_owned(),
        ] {
            assert_eq!(normalize_extension(&given), Ok(full.clone()), "{given}");
        }
        for firefox in [
            "helper@myna-portal.example",
            "{12345678-9abc-def0-1234-56789abcdef0}",
        ] {
            assert_eq!(normalize_extension(firefox).as_deref(), Ok(firefox));
        }
        assert!(matches!(
            normalize_extension("chrome-extension://abc/"),
            Err(ExtensionIdError::Chromium(_))
        ));
        assert!(matches!(
            normalize_extension("chrome-extension://ABCDEFGHIJKLMNOPABCDEFGHIJKLMNOP/"),
            Err(ExtensionIdError::Chromium(_))
        ));
        assert!(matches!(
            normalize_extension("moz-extension://0d4e8c1a-0000-4000-8000-000000000000/"),
            Err(ExtensionIdError::MozExtension(_))
        ));
        for wrong in ["", "helper", "a@b@c", "{1234}", "https://myna.example"] {
            assert!(
                matches!(
                    normalize_extension(wrong),
                    Err(ExtensionIdError::Unknown(_))
                ),
                "{wrong}"
            );
        }
    }
}
