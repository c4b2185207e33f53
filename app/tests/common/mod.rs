//! What the browser tests share: a fresh root to mount into, DOM helpers that wait (the DOM
//! updates asynchronously), and the texts of the translation files, so a test never repeats a
//! string it checks.
#![allow(dead_code)] // each test file uses its own part

use wasm_bindgen::JsCast;

pub fn win() -> web_sys::Window {
    web_sys::window().expect("window")
}

pub fn doc() -> web_sys::Document {
    win().document().expect("document")
}

pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        win()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .expect("timer");
    });
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .expect("sleep");
}

/// Shows `path` in the address bar without loading it (the router reads it when mounted).
pub fn go(path: &str) {
    win()
        .history()
        .expect("history")
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(path))
        .expect("replaceState");
}

pub fn path() -> String {
    win().location().pathname().unwrap_or_default()
}

/// A fresh element to mount into, and a clean slate: no remembered language or simulated
/// situation, no helper mark, the API on the page's own origin, the address `/`.
pub fn fresh_root() -> web_sys::HtmlElement {
    if let Ok(Some(storage)) = win().session_storage() {
        let _ = storage.clear();
    }
    fresh_root_keeping_session()
}

/// [`fresh_root`] keeping the tab's sessionStorage (what a page load of the same tab keeps).
pub fn fresh_root_keeping_session() -> web_sys::HtmlElement {
    if let Ok(Some(storage)) = win().local_storage() {
        let _ = storage.clear();
    }
    app::api::use_server("");
    go("/");
    let root = doc().document_element().expect("root");
    let _ = root.remove_attribute("data-myna-helper");
    // The runner reports through elements of its own in <body>: only our roots are removed.
    let body = doc().body().expect("body");
    if let Ok(old) = doc().query_selector_all(".test-root") {
        for i in 0..old.length() {
            if let Some(node) = old.item(i) {
                let _ = body.remove_child(&node);
            }
        }
    }
    let div = doc()
        .create_element("div")
        .expect("div")
        .dyn_into::<web_sys::HtmlElement>()
        .expect("html element");
    div.set_class_name("test-root");
    body.append_child(&div).expect("append");
    div
}

/// Sends the API calls and the fetches of texts kept as data (`app/public/content/`) to the test
/// server (`cargo xtask test` starts it with `--static-dir app`).
pub fn use_test_server() {
    let Some(server) = option_env!("MYNA_TEST_SERVER") else {
        panic!("MYNA_TEST_SERVER names no server: run these tests with `cargo xtask test`");
    };
    app::api::use_server(server);
}

/// The text of a fragment kept as data, without its tags (to compare with what a page shows).
pub fn fragment_sentences(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find('>') {
        rest = &rest[open + 1..];
        let end = rest.find('<').unwrap_or(rest.len());
        let piece = rest[..end].trim();
        if !piece.is_empty() && !piece.starts_with("!--") {
            out.push(piece.replace("&amp;", "&"));
        }
        rest = &rest[end..];
    }
    out
}

pub fn set_storage(key: &str, value: &str) {
    win()
        .local_storage()
        .expect("storage")
        .expect("storage")
        .set_item(key, value)
        .expect("set item");
}

pub fn text(root: &web_sys::HtmlElement) -> String {
    root.text_content().unwrap_or_default()
}

pub fn find(root: &web_sys::HtmlElement, selector: &str) -> Option<web_sys::HtmlElement> {
    root.query_selector(selector)
        .expect("selector")
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
}

pub fn click(root: &web_sys::HtmlElement, selector: &str) {
    find(root, selector)
        .unwrap_or_else(|| panic!("no {selector} in: {}", text(root)))
        .click();
}

/// Types `value` into the input `selector` as a person would (an `input` event follows).
pub fn type_into(root: &web_sys::HtmlElement, selector: &str, value: &str) {
    let input = find(root, selector)
        .unwrap_or_else(|| panic!("no {selector}"))
        .dyn_into::<web_sys::HtmlInputElement>()
        .expect("input");
    input.set_value(value);
    let event = web_sys::Event::new("input").expect("event");
    input.dispatch_event(&event).expect("dispatch");
}

/// Waits until `predicate` holds, for at most `ms`.
pub async fn until(ms: i32, mut predicate: impl FnMut() -> bool) -> bool {
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

/// Waits until the root's text contains `words`; fails the test with the text otherwise.
pub async fn see(root: &web_sys::HtmlElement, words: &str) {
    assert!(
        until(5000, || text(root).contains(words)).await,
        "waited for {words:?}; the page says: {}",
        text(root)
    );
}

/// The text of `key` (`section.name`) in `locale`'s translation file, up to its first
/// interpolation (`{{ … }}`).
pub fn tr(locale: &str, key: &str) -> String {
    let file = match locale {
        "ja" => include_str!("../../locales/ja.json"),
        "en" => include_str!("../../locales/en.json"),
        other => panic!("no locale {other}"),
    };
    let all: serde_json::Value = serde_json::from_str(file).expect("locale JSON");
    let mut value = &all;
    for part in key.split('.') {
        value = &value[part];
    }
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("no {key} in {locale}"));
    text.split("{{").next().unwrap_or_default().to_owned()
}

/// Japanese, the default.
pub fn ja(key: &str) -> String {
    tr("ja", key)
}

/// The state the card step found (`data-readiness`).
pub fn readiness(root: &web_sys::HtmlElement) -> Option<String> {
    root.query_selector("[data-readiness]")
        .ok()
        .flatten()
        .and_then(|element| element.get_attribute("data-readiness"))
}

/// The heading the step moved focus to.
pub fn focused_heading() -> Option<String> {
    let active = doc().active_element()?;
    matches!(active.tag_name().as_str(), "H1" | "H2").then(|| active.text_content())?
}

/// Waits until `selector` exists and is enabled (the DOM updates asynchronously), then clicks it.
pub async fn press(root: &web_sys::HtmlElement, selector: &str) {
    let ready = until(5000, || {
        find(root, selector).is_some_and(|element| !element.has_attribute("disabled"))
    })
    .await;
    assert!(ready, "no enabled {selector} in: {}", text(root));
    click(root, selector);
}

/// A mounted view that, when dropped, also runs the cleanups of everything it created: the
/// router's window listeners would otherwise outlive the test (an owner cycle keeps them) and
/// catch the next test's link clicks.
pub struct Mounted {
    owner: leptos::prelude::Owner,
    _handle: Box<dyn std::any::Any>,
}

impl Drop for Mounted {
    fn drop(&mut self) {
        self.owner.cleanup();
    }
}

/// Mounts `view` into `root` under an owner of the test's own.
pub fn mount<F, N>(root: &web_sys::HtmlElement, view: F) -> Mounted
where
    F: FnOnce() -> N + 'static,
    N: leptos::prelude::IntoView + 'static,
{
    let owner = leptos::prelude::Owner::new();
    let handle = owner.with(|| leptos::mount::mount_to(root.clone(), view));
    Mounted {
        owner,
        _handle: Box::new(handle),
    }
}
