//! The portal end to end: the scenarios of issue 5, each in Chromium and in Firefox.
//! Run with `cargo xtask e2e` (it builds the parts and names them in `MYNA_E2E_*`).

use e2e::{Browser, Options, Portal, PIN};

/// F1 with the portal-user opt-in, then F2 shows the application and the opt-in.
async fn application_then_status(browser: Browser) {
    let portal = Portal::start(browser, "f1-f2", Options::default())
        .await
        .expect("portal");
    portal
        .run(async |p: &mut Portal| {
            p.open("/insurance/apply").await?;
            p.see("登録の内容について確認ください").await?;
            p.screenshot("terms").await?;
            p.press("button.primary").await?;
            p.readiness("READY").await?;
            p.screenshot("card-step").await?;
            p.press(".card-step button.primary").await?;
            p.enter_pin(PIN).await?;
            anyhow::ensure!(
                !p.page_html().await?.contains(PIN),
                "the page's DOM holds the PIN"
            );
            p.see("申し込みを受け付けました").await?;
            p.see("マイナポータルの利用者登録").await?;
            p.screenshot("done").await?;
            p.open("/insurance/status").await?;
            p.readiness("READY").await?;
            p.press(".card-step button.primary").await?;
            p.enter_pin(PIN).await?;
            p.see("正常に受け付けました").await?;
            p.see("マイナポータルの利用者登録").await?;
            p.screenshot("status").await?;
            Ok(())
        })
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn chromium_application_then_status() {
    application_then_status(Browser::Chromium).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn firefox_application_then_status() {
    application_then_status(Browser::Firefox).await;
}
