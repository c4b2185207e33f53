//! WebDriver commands that fantoccini does not have: geckodriver's add-on installation
//! (`POST /session/{id}/moz/addon/install`), which loads the extension into Firefox.

use serde_json::json;

/// `POST /session/{id}/moz/addon/install`: geckodriver's command for an unpacked add-on.
#[derive(Debug)]
pub(crate) struct InstallAddon {
    pub(crate) path: String,
}

impl fantoccini::wd::WebDriverCompatibleCommand for InstallAddon {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/moz/addon/install",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({ "path": self.path, "temporary": true }).to_string()),
        )
    }
}
