//! From pressing 「申し込む」 to the done screen of F1, through the real stack with the virtual
//! card, in Chromium and Firefox: the median of 20 runs (after one warm-up run), split into the
//! page, the extension, the bridge, the card and the server. The time the PIN window waits for
//! the user (here: WebDriver typing the PIN) is measured by the extension and left out.
//!
//! How each part is measured, per run:
//! - total: the page's clock from the click to the done heading, minus the user's time;
//! - server: the page's Resource Timing of the API calls (loopback network included);
//! - card: the bridge's time inside `SCardTransmit` (pcscd, vpcd and the virtual card), from
//!   its log (`card_us`);
//! - bridge: the extension's round trips to the bridge minus the card (native messaging, the
//!   bridge's own work, PC/SC connection set-up);
//! - extension: the page's request → response time minus the user and the bridge round trips
//!   (content script, background, the PIN window's opening and closing);
//! - page: the rest (the SPA's own work and rendering).
//!
//! - after OK: from the PIN window's answer to the done screen (the extension's `afterOkMs`,
//!   then the page's time from the extension's response to the done heading): what the citizen
//!   waits for after pressing 「OK」; its card part is the bridge's `authenticate` alone.
//!
//! `MYNA_BENCH_CARD_MODEL` = `contact` | `contact-t0` | `contactless` runs the virtual card under
//! that realism model (`virtual_card::link`, signature 700 ms) instead of at software speed.
//!
//! Run with `cargo xtask bench` (release builds of the server and the bridge, the release SPA).

use std::time::{Duration, Instant};

use e2e::{Browser, Options, Portal, PIN};
use serde_json::Value;
use virtual_card::link::CardModel;

const RUNS: usize = 20;

const ARM: &str = r#"
const bench = { t0: 0, done: 0, request: 0, response: 0, timing: null };
window.mynaBench = bench;
window.addEventListener('message', (e) => {
  const d = e.data;
  if (!d || typeof d !== 'object') return;
  if (d.myna === 'request' && d.action === 'authenticate' && !bench.request) bench.request = performance.now();
  if (d.myna === 'response' && bench.request && !bench.response) { bench.response = performance.now(); bench.timing = d.timing; }
});
const observer = new MutationObserver(() => {
  if (!bench.done && Array.from(document.querySelectorAll('h1')).some((h) => h.textContent.includes('申し込みを受け付けました'))) {
    bench.done = performance.now();
    observer.disconnect();
  }
});
observer.observe(document.body, { childList: true, subtree: true, characterData: true });
performance.clearResourceTimings();
bench.t0 = performance.now();
document.querySelector('.card-step button.primary').click();
return 'armed';
"#;

const COLLECT: &str = r#"
const b = window.mynaBench;
if (!b || !b.done) return null;
const api = performance.getEntriesByType('resource')
  .filter((r) => r.name.includes('/api/v1/') && r.startTime >= b.t0)
  .map((r) => r.responseEnd - r.startTime);
return { t0: b.t0, done: b.done, request: b.request, response: b.response, timing: b.timing, api };
"#;

/// One run's parts, in milliseconds.
#[derive(Debug, Clone, Copy, Default)]
struct Split {
    total: f64,
    page: f64,
    /// Of `bridge`: inside the bridge process (PC/SC set-up, its own work).
    in_bridge: f64,
    extension: f64,
    bridge: f64,
    card: f64,
    server: f64,
    /// From the PIN window's answer to the done screen.
    after_ok: f64,
    /// Of `after_ok`: the card's share (the bridge's `authenticate`).
    after_ok_card: f64,
}

fn number(value: &Value, key: &str) -> f64 {
    value[key].as_f64().unwrap_or(0.0)
}

/// The sum of `field` (microseconds) over the last `n` requests the bridge logged, in ms.
fn logged_ms(log: &str, field: &str, n: usize) -> f64 {
    let lines: Vec<&str> = log.lines().filter(|l| l.contains("card_us=")).collect();
    lines[lines.len().saturating_sub(n)..]
        .iter()
        .filter_map(|line| {
            line.split(field)
                .nth(1)?
                .split_whitespace()
                .next()?
                .parse::<f64>()
                .ok()
        })
        .sum::<f64>()
        / 1000.0
}

async fn one_run(p: &mut Portal) -> anyhow::Result<Split> {
    p.apply_until_card_step(true).await?;
    p.readiness("READY").await?;
    let armed = p.client.execute(ARM, vec![]).await?;
    anyhow::ensure!(armed == "armed", "{armed}");
    if model() == CardModel::INSTANT {
        p.enter_pin(PIN).await?;
    } else {
        // A citizen takes seconds over four digits; the card's certificate is read meanwhile.
        // WebDriver's instant typing would leave that read for after OK, where no citizen waits
        // for it. (User time: left out of the totals.)
        p.enter_pin_slowly(PIN, Duration::from_secs(3)).await?;
    }
    let give_up = Instant::now() + Duration::from_secs(20);
    let data = loop {
        let data = p.client.execute(COLLECT, vec![]).await?;
        if !data.is_null() {
            break data;
        }
        anyhow::ensure!(Instant::now() < give_up, "the done screen never came");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let timing = &data["timing"];
    let user = number(timing, "userMs");
    let bridge_round_trips = number(timing, "bridgeMs");
    let helper = number(&data, "response") - number(&data, "request");
    let total = number(&data, "done") - number(&data, "t0") - user;
    let server: f64 = data["api"]
        .as_array()
        .map(|calls| calls.iter().filter_map(Value::as_f64).sum())
        .unwrap_or(0.0);
    // The prepare before the PIN window and the authenticate after it.
    let log = p.bridge_log();
    let card = logged_ms(&log, "card_us=", 2);
    let after_ok_card = logged_ms(&log, "card_us=", 1);
    let after_ok = number(timing, "afterOkMs") + number(&data, "done") - number(&data, "response");
    let in_bridge = logged_ms(&log, "elapsed_us=", 2);
    let extension = helper - user - bridge_round_trips;
    let bridge = bridge_round_trips - card;
    let page = total - server - (helper - user);
    Ok(Split {
        total,
        page,
        in_bridge: in_bridge - card,
        extension,
        bridge,
        card,
        server,
        after_ok,
        after_ok_card,
    })
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        0.0
    } else if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

async fn bench(browser: Browser) -> anyhow::Result<Vec<Split>> {
    let mut portal = Portal::start(
        browser,
        "bench-apply",
        Options {
            rate_limits: false,
            ..Options::default()
        },
    )
    .await?;
    portal.card()?.set_model(model());
    let mut splits = Vec::new();
    for run in 0..=RUNS {
        let split = one_run(&mut portal).await?;
        if run > 0 {
            splits.push(split);
        }
    }
    let _ = portal.client.clone().close().await;
    Ok(splits)
}

/// The card's realism model from `MYNA_BENCH_CARD_MODEL` (software speed without it).
fn model() -> CardModel {
    match std::env::var("MYNA_BENCH_CARD_MODEL").as_deref() {
        Ok("contact") => CardModel::contact_t1(),
        Ok("contact-t0") => CardModel::contact_t0(),
        Ok("contactless") => CardModel::contactless(),
        _ => CardModel::INSTANT,
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // `cargo bench` passes `--bench`; nothing else is understood.
    println!(
        "F1 「申し込む」 → done screen, median of {RUNS} runs (ms; the user's PIN typing left out)"
    );
    println!("card model: {:?}", model());
    println!(
        "| browser | total | page | extension | bridge (of which in the process) | card | server | after OK (card) |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for browser in [Browser::Chromium, Browser::Firefox] {
        let splits = bench(browser).await?;
        let part = |f: fn(&Split) -> f64| median(splits.iter().map(f).collect());
        println!(
            "| {browser:?} | {:.1} | {:.1} | {:.1} | {:.1} ({:.1}) | {:.1} | {:.1} | {:.1} ({:.1}) |",
            part(|s| s.total),
            part(|s| s.page),
            part(|s| s.extension),
            part(|s| s.bridge),
            part(|s| s.in_bridge),
            part(|s| s.card),
            part(|s| s.server),
            part(|s| s.after_ok),
            part(|s| s.after_ok_card),
        );
    }
    Ok(())
}
