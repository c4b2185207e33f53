//! Finding things on the screen: the page's text and HTML, its path, the PIN window and the
//! portal's window.

use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use fantoccini::Locator;

use crate::*;

impl Portal {
    /// The visible text of the page.
    ///
    /// # Errors
    /// When the browser or the WebDriver server fails, or what is looked for does not come within
    /// the harness's wait.
    pub async fn page_text(&self) -> anyhow::Result<String> {
        let value = self
            .client
            .execute(
                "return document.body ? document.body.innerText : ''",
                vec![],
            )
            .await?;
        Ok(value.as_str().unwrap_or_default().to_owned())
    }

    /// The whole DOM of the page, as HTML.
    ///
    /// # Errors
    /// When the browser or the WebDriver server fails, or what is looked for does not come within
    /// the harness's wait.
    pub async fn page_html(&self) -> anyhow::Result<String> {
        let value = self
            .client
            .execute("return document.documentElement.outerHTML", vec![])
            .await?;
        Ok(value.as_str().unwrap_or_default().to_owned())
    }

    /// The current path of the portal's window.
    ///
    /// # Errors
    /// When the browser or the WebDriver server fails, or what is looked for does not come within
    /// the harness's wait.
    pub async fn path(&self) -> anyhow::Result<String> {
        Ok(self.client.current_url().await?.path().to_owned())
    }

    /// Waits for the extension's PIN window and makes it the current window.
    ///
    /// # Errors
    /// When the browser or the WebDriver server fails, or what is looked for does not come within
    /// the harness's wait.
    pub async fn pin_window(&mut self) -> anyhow::Result<()> {
        let main = self.main_window.clone().context("no main window")?;
        let give_up = Instant::now() + Duration::from_secs(20);
        loop {
            let windows = self.client.windows().await?;
            if std::env::var_os("MYNA_E2E_DEBUG").is_some() {
                eprintln!("windows: {windows:?}");
            }
            for window in windows {
                if window == main {
                    continue;
                }
                if let Err(error) = self.client.switch_to_window(window.clone()).await {
                    if std::env::var_os("MYNA_E2E_DEBUG").is_some() {
                        eprintln!("cannot switch: {error}");
                    }
                    continue;
                }
                let url = self.client.current_url().await.map(|u| u.to_string());
                if std::env::var_os("MYNA_E2E_DEBUG").is_some() {
                    eprintln!("window {window:?}: {url:?}");
                }
                if url.is_ok_and(|u| u.contains("/pin.html")) {
                    let give_up = Instant::now() + Duration::from_secs(10);
                    while self.client.find(Locator::Css("#pin")).await.is_err() {
                        if Instant::now() > give_up {
                            bail!("the PIN window has no PIN field");
                        }
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    return Ok(());
                }
            }
            self.client.switch_to_window(main.clone()).await?;
            if Instant::now() > give_up {
                bail!(
                    "no PIN window opened; the page says:\n{}",
                    self.page_text().await?
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Back to the portal's window.
    ///
    /// # Errors
    /// When the browser or the WebDriver server fails, or what is looked for does not come within
    /// the harness's wait.
    pub async fn main_window(&mut self) -> anyhow::Result<()> {
        let main = self.main_window.clone().context("no main window")?;
        self.client.switch_to_window(main).await?;
        Ok(())
    }

    /// The My Number Card in reader 0 (none with `Options::reader` off).
    ///
    /// # Errors
    /// When the scenario has no reader.
    pub fn card(&self) -> anyhow::Result<&VpcdCard> {
        self.card.as_ref().context("no card in this scenario")
    }

    /// The card in reader 1 (`Options::second_card` or `Options::other_card`).
    ///
    /// # Errors
    /// When the scenario has none.
    pub fn second_card(&self) -> anyhow::Result<&VpcdCard> {
        self.second_card
            .as_ref()
            .context("no second card in this scenario")
    }

    /// The bridge's log so far.
    pub fn bridge_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("bridge.log")).unwrap_or_default()
    }

    /// The WebDriver server's log, with its browser's output (and that of a bridge the browser
    /// started without the test's wrapper: `Options::packaged_bridge`).
    pub fn driver_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("driver.log")).unwrap_or_default()
    }
}
