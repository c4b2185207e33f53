//! Component tests in a real browser (headless Chromium and Firefox through
//! `wasm-bindgen-test-runner`; `cargo xtask test` runs both). The extension is played by a fake
//! content script that speaks the real `postMessage` contract.
#![cfg(target_arch = "wasm32")]

use app::ui::{CardStep, Failure, Language};
use leptos::prelude::*;
use wasm_bindgen::{prelude::*, JsCast};
use wasm_bindgen_test::*;

mod common;
use common::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn japanese_by_default_english_on_request_and_remembered() {
    let root = fresh_root();
    let _app = mount(&root, app::App);
    assert!(
        until(1000, || text(&root).contains("健康保険証利用の申込")).await,
        "{}",
        text(&root)
    );
    let html = doc().document_element().expect("html");
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
    let remembered = win()
        .local_storage()
        .expect("storage")
        .expect("storage")
        .get_item("myna-lang")
        .expect("item");
    assert_eq!(remembered.as_deref(), Some("en"));
}

fn mount_card_step(root: &web_sys::HtmlElement) -> impl Sized {
    let failure = RwSignal::new(None::<Failure>);
    mount(root, move || {
        view! {
            <Language>
                <CardStep submit="申し込む".into_any() on_login=Callback::new(|()| {}) failure/>
            </Language>
        }
    })
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
    let root = doc().document_element().expect("root");
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
            let origin = win().location().origin().expect("origin");
            let post = |value: serde_json::Value| {
                let js = js_sys::JSON::parse(&value.to_string()).expect("json");
                win().post_message(&js, &origin).expect("post");
            };
            post(serde_json::json!({"myna": "ack", "id": id}));
            post(
                serde_json::json!({"myna": "response", "id": id, "ok": true, "result": status.clone()}),
            );
        },
    );
    win()
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
    let _ = win().remove_event_listener_with_callback("message", listener.as_ref().unchecked_ref());
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
        let _ =
            win().remove_event_listener_with_callback("message", listener.as_ref().unchecked_ref());
    }
}

#[wasm_bindgen_test]
async fn the_kana_keyboard_and_number_pad_type_into_their_field() {
    let root = fresh_root();
    let keyword = RwSignal::new(String::new());
    let digits = RwSignal::new(String::from("9"));
    let _keyboard = mount(&root, move || {
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
