//! What a scenario checks: words on the screen, the card step's verdict, and at every
//! screenshot the page's fit (no sideways scroll, 44 px targets, the terminal's screens whole)
//! and its accessibility (axe-core, WCAG 2.x A and AA), at PC, phone and terminal sizes.

use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use fantoccini::Locator;
use serde_json::Value;

use crate::*;

/// The phone the screens must fit (CSS pixels): an iPhone 12–15 and most Androids are 390 wide;
/// 360 is the narrowest in common use, 430 the widest.
pub const PHONE: (u32, u32) = (390, 844);

/// The terminal's screens: a portrait 1080×1920 and a landscape 1280×800 kiosk.
pub const TERMINAL_SCREENS: [(u32, u32); 2] = [(1080, 1920), (1280, 800)];

/// The narrowest and widest phones in common use, checked besides [`PHONE`] (not shot).
pub const PHONE_WIDTHS: [u32; 2] = [360, 430];

/// Checks the page at its current size: no sideways scroll, and every control (buttons, fields,
/// the labels of checkboxes and radio buttons) at least 44 × 44 CSS pixels and inside the screen
/// (WCAG 2.5.5; inline links in a sentence are exempt); on a terminal (`arguments[0]`) no
/// scrolling down either: a kiosk has no scroll wheel and a citizen must see every step whole.
/// Returns what is wrong.
const FIT_CHECK: &str = r#"
const problems = [];
const root = document.documentElement;
if (root.scrollWidth > root.clientWidth + 1) {
  problems.push('the page scrolls sideways: ' + root.scrollWidth + ' px wide in ' + root.clientWidth);
}
if (arguments[0] && root.scrollHeight > root.clientHeight + 1) {
  problems.push('the page scrolls down: ' + root.scrollHeight + ' px high in ' + root.clientHeight);
}
const controls = 'button, a.button, input:not([type=checkbox]):not([type=radio]):not([type=hidden]), select, label.checkbox, label.confirm, label.result';
for (const el of document.querySelectorAll(controls)) {
  const r = el.getBoundingClientRect();
  if (r.width === 0 && r.height === 0) continue;
  const name = el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ').join('.') : '')
    + ' "' + (el.textContent || el.value || '').trim().slice(0, 24) + '"';
  if (r.height < 44 || r.width < 44) problems.push(name + ' is ' + Math.round(r.width) + '×' + Math.round(r.height) + ' px');
  if (r.right > root.clientWidth + 1 || r.left < -1) problems.push(name + ' leaves the screen');
}
return problems;
"#;

/// Runs axe-core on the page (after its script) and returns its serious and critical
/// violations of WCAG 2.x A and AA, each with up to three of its elements.
const AXE_RUN: &str = r#"
;const done = arguments[arguments.length - 1];
axe.run(document, {
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
  resultTypes: ['violations'],
}).then(r => done(r.violations
  .filter(v => v.impact === 'serious' || v.impact === 'critical')
  .map(v => v.id + ' (' + v.impact + '): ' + v.help + ' at '
    + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))))
  .catch(e => done(['axe-core could not run: ' + e]));
"#;

impl Portal {
    /// Saves a screenshot of the current window as the next step, after checking that every
    /// element marked `hidden` is really not displayed (a CSS `display` rule beats the
    /// attribute unless the style sheet says otherwise).
    ///
    /// # Errors
    /// When the screenshot cannot be taken or written, or the page at any size scrolls sideways,
    /// has a control under 44 px, or fails the accessibility audit.
    pub async fn screenshot(&mut self, step: &str) -> anyhow::Result<()> {
        // The leaflet's sentences of this screen, when the page is in Japanese (`leaflet.rs`).
        let page = self
            .client
            .execute(
                "return [document.documentElement.lang, document.body.classList.contains('kiosk')]",
                Vec::new(),
            )
            .await?;
        let terminal = page.get(1).and_then(Value::as_bool).unwrap_or(false);
        if let Some(sentences) = leaflet::sentences(step, terminal) {
            if page.get(0).and_then(Value::as_str) == Some("ja") {
                for sentence in sentences {
                    self.see(sentence)
                        .await
                        .with_context(|| format!("at {step}: the leaflet's words"))?;
                }
            }
        }
        if step != "failure" {
            let shown = self
                .client
                .execute(
                    "return [...document.querySelectorAll('[hidden]')]\
                     .filter(e => getComputedStyle(e).display !== 'none')\
                     .map(e => e.outerHTML.slice(0, 160));",
                    Vec::new(),
                )
                .await?;
            if shown.as_array().is_some_and(|a| !a.is_empty()) {
                bail!("at {step}: elements marked hidden are displayed: {shown}");
            }
        }
        self.shot += 1;
        let png = self.client.screenshot().await?;
        std::fs::write(self.shots.join(format!("{:02}-{step}.png", self.shot)), png)?;
        if step == "failure" {
            return Ok(());
        }
        // axe-core when the run names it (`cargo xtask e2e` always does; the benchmark does not).
        if let Some(axe) = &self.axe {
            let mut script = axe.clone();
            script.push_str(AXE_RUN);
            let found = self.client.execute_async(&script, Vec::new()).await?;
            if found.as_array().is_some_and(|a| !a.is_empty()) {
                bail!("at {step}: axe-core finds serious or critical violations: {found}");
            }
        }
        self.at_other_sizes(step).await
    }

    /// Sizes the window so that the page's viewport is `width` × `height` CSS pixels (the
    /// window's own frame, if the browser draws one, is added), then lets the page lay out;
    /// returns the viewport's width reached (headless Firefox keeps at least 500 px).
    async fn viewport(&mut self, width: u32, height: u32) -> anyhow::Result<u64> {
        let inner = || async {
            let inner = self
                .client
                .execute("return [window.innerWidth, window.innerHeight]", Vec::new())
                .await?;
            let read = |i: usize| {
                inner
                    .get(i)
                    .and_then(Value::as_u64)
                    .and_then(|v| u32::try_from(v).ok())
                    .unwrap_or(0)
            };
            anyhow::Ok((read(0), read(1)))
        };
        let (frame_w, frame_h) = self.frame;
        self.client
            .set_window_size(width + frame_w, height + frame_h)
            .await?;
        tokio::time::sleep(Duration::from_millis(150)).await;
        let (w, h) = inner().await?;
        // The frame found once (the viewport came out smaller than asked) is kept for the run.
        let (more_w, more_h) = (width.saturating_sub(w), height.saturating_sub(h));
        if more_w == 0 && more_h == 0 {
            return Ok(u64::from(w));
        }
        self.frame = (frame_w + more_w, frame_h + more_h);
        self.client
            .set_window_size(width + self.frame.0, height + self.frame.1)
            .await?;
        tokio::time::sleep(Duration::from_millis(250)).await;
        Ok(u64::from(inner().await?.0))
    }

    /// The screen again at the other sizes it must serve, each saved beside the PC one: a
    /// phone (checked: no sideways scroll, 44-px targets) for the PC pages, the terminal's two
    /// screens for the terminal's pages. The window is put back afterwards.
    async fn at_other_sizes(&mut self, step: &str) -> anyhow::Result<()> {
        let kiosk = self
            .client
            .execute(
                "return document.body.classList.contains('kiosk')",
                Vec::new(),
            )
            .await?
            .as_bool()
            .unwrap_or(false);
        let (_, _, width, height) = self.client.get_window_rect().await?;
        let sizes: Vec<(u32, u32, &str)> = if kiosk {
            TERMINAL_SCREENS
                .iter()
                .map(|&(w, h)| (w, h, if w < h { "portrait" } else { "landscape" }))
                .collect()
        } else {
            vec![(PHONE.0, PHONE.1, "phone")]
        };
        let mut problems = Vec::new();
        for (w, h, name) in sizes {
            let reached = self.viewport(w, h).await?;
            let found = self.client.execute(FIT_CHECK, vec![kiosk.into()]).await?;
            if let Some(found) = found.as_array().filter(|a| !a.is_empty()) {
                problems.push(format!(
                    "at {name} ({reached} px wide, {h} high): {found:?}"
                ));
            }
            // The file says the width the browser reached when it is not the phone's.
            let suffix = if kiosk || u64::from(w) == reached {
                name.to_owned()
            } else {
                format!("{name}-{reached}px")
            };
            let png = self.client.screenshot().await?;
            std::fs::write(
                self.shots
                    .join(format!("{:02}-{step}-{suffix}.png", self.shot)),
                png,
            )?;
            if kiosk {
                continue;
            }
            // The other phones' widths: checked, not shot (a browser that stops above them,
            // headless Firefox at 500, checks what it reached once).
            for other in PHONE_WIDTHS {
                let at = self.viewport(other, PHONE.1).await?;
                if at == reached {
                    continue;
                }
                let found = self.client.execute(FIT_CHECK, vec![false.into()]).await?;
                if let Some(found) = found.as_array().filter(|a| !a.is_empty()) {
                    problems.push(format!("on a phone {at} px wide: {found:?}"));
                }
            }
        }
        self.client
            .set_window_size(
                u32::try_from(width).unwrap_or(1280),
                u32::try_from(height).unwrap_or(900),
            )
            .await?;
        tokio::time::sleep(Duration::from_millis(200)).await;
        if !problems.is_empty() {
            bail!("at {step}: {}", problems.join("; "));
        }
        Ok(())
    }

    /// Waits until the page's text contains `words`.
    ///
    /// # Errors
    /// When the browser or the WebDriver server fails, or what is looked for does not come within
    /// the harness's wait.
    pub async fn see(&self, words: &str) -> anyhow::Result<()> {
        let give_up = Instant::now() + Duration::from_secs(20);
        loop {
            let text = self.page_text().await?;
            if text.contains(words) {
                return Ok(());
            }
            if Instant::now() > give_up {
                bail!("waited for {words:?}; the page says:\n{text}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the card step has found the state `code` (`READY`, `NO_READER`, …).
    ///
    /// # Errors
    /// When the browser or the WebDriver server fails, or what is looked for does not come within
    /// the harness's wait.
    pub async fn readiness(&self, code: &str) -> anyhow::Result<()> {
        let selector = format!("[data-readiness='{code}']");
        let give_up = Instant::now() + Duration::from_secs(20);
        while self.client.find(Locator::Css(&selector)).await.is_err() {
            if Instant::now() > give_up {
                bail!(
                    "the card step never said {code}; the page says:\n{}",
                    self.page_text().await?
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(())
    }
}
