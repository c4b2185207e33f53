//! What a citizen does: open a page, press, fill, type the PIN in the extension's window, and
//! the steps every flow shares (the card step, the application up to it).

use std::{
    process::Command,
    time::{Duration, Instant},
};

use anyhow::{bail, Context as _};
use fantoccini::Locator;

use crate::*;

impl Portal {
    /// Opens `path` of the portal.
    ///
    /// # Errors
    /// When the browser or the WebDriver server fails, or what is looked for does not come within
    /// the harness's wait.
    pub async fn open(&mut self, path: &str) -> anyhow::Result<()> {
        self.client.goto(&format!("{}{path}", self.origin)).await?;
        Ok(())
    }

    /// Waits until `selector` exists and is enabled, then clicks it.
    ///
    /// # Errors
    /// When the browser or the WebDriver server fails, or what is looked for does not come within
    /// the harness's wait.
    pub async fn press(&self, selector: &str) -> anyhow::Result<()> {
        let give_up = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(element) = self.client.find(Locator::Css(selector)).await {
                if element.is_enabled().await.unwrap_or(false) {
                    element.click().await?;
                    return Ok(());
                }
            }
            if Instant::now() > give_up {
                bail!("no enabled {selector}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Types `text` into the input `selector` (it is cleared first).
    ///
    /// # Errors
    /// When the browser or the WebDriver server fails, or what is looked for does not come within
    /// the harness's wait.
    pub async fn fill(&self, selector: &str, text: &str) -> anyhow::Result<()> {
        let field = self.client.find(Locator::Css(selector)).await?;
        field.clear().await?;
        field.send_keys(text).await?;
        Ok(())
    }

    /// In the PIN window: types `pin` and stays there (the scenario decides when to press OK).
    ///
    /// # Errors
    /// When the browser or the WebDriver server fails, or what is looked for does not come within
    /// the harness's wait.
    pub async fn type_pin(&mut self, pin: &str) -> anyhow::Result<()> {
        self.pin_window().await?;
        let field = self.client.find(Locator::Css("#pin")).await?;
        field.send_keys(pin).await?;
        Ok(())
    }

    /// In the PIN window: types `pin`, confirms the last try when asked, presses OK, and goes
    /// back to the portal's window.
    ///
    /// # Errors
    /// When the browser or the WebDriver server fails, or what is looked for does not come within
    /// the harness's wait.
    pub async fn enter_pin(&mut self, pin: &str) -> anyhow::Result<()> {
        self.type_pin(pin).await?;
        if let Ok(confirm) = self.client.find(Locator::Css("#confirm")).await {
            if confirm.is_displayed().await.unwrap_or(false) {
                confirm.click().await?;
            }
        }
        self.screenshot("pin-window").await?;
        self.press("#ok").await?;
        self.main_window().await
    }

    /// Types `pin` in the PIN window one digit at a time over `taking` (a citizen who looks for
    /// each key), then OK.
    ///
    /// # Errors
    /// When the browser or the WebDriver server fails, or what is looked for does not come within
    /// the harness's wait.
    pub async fn enter_pin_slowly(&mut self, pin: &str, taking: Duration) -> anyhow::Result<()> {
        self.pin_window().await?;
        let pause = taking / u32::try_from(pin.len().max(1)).unwrap_or(1);
        for digit in pin.chars() {
            tokio::time::sleep(pause).await;
            let field = self.client.find(Locator::Css("#pin")).await?;
            field.send_keys(&digit.to_string()).await?;
        }
        self.press("#ok").await?;
        self.main_window().await
    }

    /// F1 up to the card step: the terms (the portal-user opt-in as `opt_in`), 「同意して次へ進む」.
    ///
    /// # Errors
    /// When the browser or the WebDriver server fails, or what is looked for does not come within
    /// the harness's wait.
    pub async fn apply_until_card_step(&mut self, opt_in: bool) -> anyhow::Result<()> {
        self.open("/insurance/apply").await?;
        self.see("登録の内容について確認ください").await?;
        if !opt_in {
            self.press("input[name=portal-user]").await?;
        }
        self.screenshot("terms").await?;
        self.press("button.primary").await?;
        self.see("マイナンバーカードを読み取り申し込みます").await?;
        self.screenshot("card").await?;
        Ok(())
    }

    /// Presses the card step's button once the card is ready; while it is not (a card just put
    /// on the reader), presses 「もう一度確認する」 now and then, as a person would.
    ///
    /// # Errors
    /// When the browser or the WebDriver server fails, or what is looked for does not come within
    /// the harness's wait.
    pub async fn read_card(&mut self) -> anyhow::Result<()> {
        let give_up = Instant::now() + Duration::from_secs(20);
        let mut recheck = Instant::now() + Duration::from_secs(2);
        while self
            .client
            .find(Locator::Css("[data-readiness='READY']"))
            .await
            .is_err()
        {
            if Instant::now() > give_up {
                bail!(
                    "the card was never ready; the page says:\n{}",
                    self.page_text().await?
                );
            }
            if Instant::now() > recheck {
                if let Ok(button) = self.client.find(Locator::Css(".readiness button")).await {
                    let _ = button.click().await;
                }
                recheck = Instant::now() + Duration::from_secs(2);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self.screenshot("card-step").await?;
        self.press(".card-step button.primary").await
    }

    /// In the PIN window: presses 「キャンセル」.
    ///
    /// # Errors
    /// When the browser or the WebDriver server fails, or what is looked for does not come within
    /// the harness's wait.
    pub async fn cancel_pin(&mut self) -> anyhow::Result<()> {
        self.pin_window().await?;
        self.screenshot("pin-window").await?;
        self.press("#cancel").await?;
        self.main_window().await
    }

    /// What an operator does on the server's machine: `myna-server --data-dir … ARGS` on the
    /// portal's database (e.g. `maintenance start --scope mynapoint`); its standard output.
    ///
    /// # Errors
    /// When the command cannot run or fails (its standard error in the message).
    pub fn operator(&self, args: &[&str]) -> anyhow::Result<String> {
        let output = Command::new(crate::stack::built()?.server)
            .arg("--data-dir")
            .arg(self.dir.path().join("data"))
            .args(args)
            .env("MYNA_LOG", "warn")
            .output()
            .context("running myna-server")?;
        anyhow::ensure!(
            output.status.success(),
            "myna-server {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        );
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }

    /// Stops the private pcscd: the reader's service gone (an unplugged reader takes its
    /// readers away the same way). Nothing restarts it in this scenario.
    pub fn stop_reader_service(&mut self) {
        self._pcscd.stop();
    }

    /// Kills the bridge process the browser started (its wrapper wrote the pid, then became it).
    ///
    /// # Errors
    /// When the bridge's process id cannot be read or the signal cannot be sent.
    pub fn kill_bridge(&self) -> anyhow::Result<()> {
        let pid = std::fs::read_to_string(self.dir.path().join("bridge.pid"))
            .context("the bridge has not started")?;
        let status = Command::new("kill").arg(pid.trim()).status()?;
        anyhow::ensure!(status.success(), "kill {} failed", pid.trim());
        Ok(())
    }
}
