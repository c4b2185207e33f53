//! Component tests in a real browser (headless Chromium and Firefox through
//! `wasm-bindgen-test-runner`; `cargo xtask test` runs both). The extension is played by a fake
//! content script that speaks the real `postMessage` contract.
#![cfg(target_arch = "wasm32")]

use app::ui::{CardStep, Failure, Language};
use leptos::prelude::*;
use wasm_bindgen::{prelude::*, JsCast};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn window() -> web_sys::Window {
    web_sys::window().expect("window")
}

fn document() -> web_sys::Document {
    window().document().expect("document")
}

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .expect("timer");
    });
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .expect("sleep");
}

/// A fresh element to mount into, and a clean slate (no remembered language, no helper).
fn fresh_root() -> web_sys::HtmlElement {
    if let Ok(Some(storage)) = window().local_storage() {
        let _ = storage.clear();
    }
    let root = document().document_element().expect("root");
    let _ = root.remove_attribute("data-myna-helper");
    // The runner reports through elements of its own in <body>: only our roots are removed.
    let body = document().body().expect("body");
    if let Ok(old) = document().query_selector_all(".test-root") {
        for i in 0..old.length() {
            if let Some(node) = old.item(i) {
                let _ = body.remove_child(&node);
            }
        }
    }
    let div = document()
        .create_element("div")
        .expect("div")
        .dyn_into::<web_sys::HtmlElement>()
        .expect("html element");
    div.set_class_name("test-root");
    body.append_child(&div).expect("append");
    div
}

fn text(root: &web_sys::HtmlElement) -> String {
    root.text_content().unwrap_or_default()
}

fn click(root: &web_sys::HtmlElement, selector: &str) {
    root.query_selector(selector)
        .expect("selector")
        .unwrap_or_else(|| panic!("no {selector}"))
        .dyn_into::<web_sys::HtmlElement>()
        .expect("html element")
        .click();
}

/// Waits until `predicate` holds (the DOM updates asynchronously), for at most `ms`.
async fn until(ms: i32, mut predicate: impl FnMut() -> bool) -> bool {
    let mut waited = 0;
    while !predicate() {
        if waited >= ms {
            return false;
        }
        sleep(20).await;
        waited += 20;
    }
    true
}

#[wasm_bindgen_test]
async fn japanese_by_default_english_on_request_and_remembered() {
    let root = fresh_root();
    let _app = leptos::mount::mount_to(root.clone(), app::App);
    assert!(
        until(1000, || text(&root).contains("健康保険証利用の申込")).await,
        "{}",
        text(&root)
    );
    let html = document().document_element().expect("html");
    assert_eq!(html.get_attribute("lang").as_deref(), Some("ja"));
    click(&root, "button.lang-switch");
    assert!(
        until(1000, || text(&root).contains(
            "Use your My Number Card as your health-insurance card"
        ))
        .await,
        "{}",
        text(&root)
    );
    assert!(until(1000, || html.get_attribute("lang").as_deref() == Some("en")).await);
    let remembered = window()
        .local_storage()
        .expect("storage")
        .expect("storage")
        .get_item("myna-lang")
        .expect("item");
    assert_eq!(remembered.as_deref(), Some("en"));
}

fn mount_card_step(root: &web_sys::HtmlElement) -> impl Sized {
    let failure = RwSignal::new(None::<Failure>);
    leptos::mount::mount_to(root.clone(), move || {
        view! {
            <Language>
                <CardStep submit="申し込む".into_any() on_login=Callback::new(|()| {}) failure/>
            </Language>
        }
    })
}

fn readiness(root: &web_sys::HtmlElement) -> Option<String> {
    root.query_selector("[data-readiness]")
        .ok()
        .flatten()
        .and_then(|element| element.get_attribute("data-readiness"))
}

#[wasm_bindgen_test]
async fn without_the_extension_the_card_step_says_to_install_it() {
    let root = fresh_root();
    let _step = mount_card_step(&root);
    // No acknowledgement within 1 s: the helper is missing.
    assert!(
        until(3000, || readiness(&root).as_deref()
            == Some("EXTENSION_UNAVAILABLE"))
        .await,
        "{}",
        text(&root)
    );
    assert!(
        text(&root).contains("拡張機能が見つかりません"),
        "{}",
        text(&root)
    );
    let button = root
        .query_selector("button.primary")
        .expect("selector")
        .expect("button");
    assert!(
        button.has_attribute("disabled"),
        "cannot read without the helper"
    );
}

/// Plays the content script: acknowledges every request and answers `status` with `status`.
fn fake_content_script(status: serde_json::Value) -> Closure<dyn Fn(web_sys::MessageEvent)> {
    let root = document().document_element().expect("root");
    root.set_attribute("data-myna-helper", "1")
        .expect("attribute");
    let listener = Closure::<dyn Fn(web_sys::MessageEvent)>::new(
        move |event: web_sys::MessageEvent| {
            let Ok(text) = js_sys::JSON::stringify(&event.data()) else {
                return;
            };
            let Ok(message) = serde_json::from_str::<serde_json::Value>(&String::from(text)) else {
                return;
            };
            if message["myna"] != "request" {
                return;
            }
            let id = message["id"].clone();
            let origin = window().location().origin().expect("origin");
            let post = |value: serde_json::Value| {
                let js = js_sys::JSON::parse(&value.to_string()).expect("json");
                window().post_message(&js, &origin).expect("post");
            };
            post(serde_json::json!({"myna": "ack", "id": id}));
            post(
                serde_json::json!({"myna": "response", "id": id, "ok": true, "result": status.clone()}),
            );
        },
    );
    window()
        .add_event_listener_with_callback("message", listener.as_ref().unchecked_ref())
        .expect("listener");
    listener
}

#[wasm_bindgen_test]
async fn at_one_try_left_reading_needs_an_explicit_confirmation() {
    let root = fresh_root();
    let listener = fake_content_script(serde_json::json!({
        "readers": [{"name": "Reader 0", "card": "jpki"}],
        "authPinTriesLeft": 1,
        "reader": "Reader 0",
    }));
    let _step = mount_card_step(&root);
    assert!(
        until(3000, || readiness(&root).as_deref() == Some("PIN_LAST_TRY")).await,
        "{}",
        text(&root)
    );
    assert!(
        text(&root).contains("市区町村の窓口でしか解除できません"),
        "{}",
        text(&root)
    );
    let button = root
        .query_selector("button.primary")
        .expect("selector")
        .expect("button");
    assert!(button.has_attribute("disabled"));
    click(&root, "label.confirm input");
    assert!(until(1000, || !button.has_attribute("disabled")).await);
    let _ =
        window().remove_event_listener_with_callback("message", listener.as_ref().unchecked_ref());
}

#[wasm_bindgen_test]
async fn no_reader_and_other_cards_say_what_to_fix() {
    for (status, expected, words) in [
        (
            serde_json::json!({"readers": [], "authPinTriesLeft": null, "reader": null}),
            "NO_READER",
            "リーダライタが見つかりません",
        ),
        (
            serde_json::json!({"readers": [{"name": "R", "card": "other"}], "authPinTriesLeft": null, "reader": null}),
            "NOT_MYNUMBER_CARD",
            "マイナンバーカードではありません",
        ),
    ] {
        let root = fresh_root();
        let listener = fake_content_script(status);
        let _step = mount_card_step(&root);
        assert!(
            until(3000, || readiness(&root).as_deref() == Some(expected)).await,
            "{expected}: {}",
            text(&root)
        );
        assert!(text(&root).contains(words), "{}", text(&root));
        let _ = window()
            .remove_event_listener_with_callback("message", listener.as_ref().unchecked_ref());
    }
}

#[wasm_bindgen_test]
async fn the_kana_keyboard_and_number_pad_type_into_their_field() {
    let root = fresh_root();
    let keyword = RwSignal::new(String::new());
    let digits = RwSignal::new(String::from("9"));
    let _keyboard = leptos::mount::mount_to(root.clone(), move || {
        view! {
            <Language>
                <app::mynapoint::KanaKeyboard target=keyword/>
                <app::mynapoint::NumPad target=digits/>
            </Language>
        }
    });
    let press = |label: &str| {
        let keys = root.query_selector_all("button.key").expect("keys");
        for i in 0..keys.length() {
            let key = keys
                .item(i)
                .and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
                .expect("key");
            if key.text_content().as_deref() == Some(label) {
                key.click();
                return;
            }
        }
        panic!("no key {label}");
    };
    assert!(
        until(1000, || text(&root).contains("1文字消す")).await,
        "{}",
        text(&root)
    );
    for kana in ["サ", "ク", "ラ"] {
        press(kana);
    }
    assert_eq!(keyword.get_untracked(), "サクラ");
    press("1文字消す");
    assert_eq!(keyword.get_untracked(), "サク");
    press("4");
    assert_eq!(digits.get_untracked(), "94");
}
