//! Which extension started the host, from the arguments the browser passes.
//!
//! Chromium-based browsers pass `chrome-extension://<id>/` as the first argument (on Windows a
//! `--parent-window=` may follow). Firefox passes the path of the host manifest and then the
//! add-on id. The manifest's `allowed_origins` / `allowed_extensions` already restrict who may
//! start the host; this check makes a copied or edited manifest useless too.

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
            if !id.is_empty() && id.bytes().all(|b| (b'a'..=b'p').contains(&b)) {
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
            Caller::from_args(&["chrome-extension://abcdefghijklmnop", "--parent-window=0"]),
            Caller::Chromium("chrome-extension://abcdefghijklmnop/".into())
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
}
