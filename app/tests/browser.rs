//! Component tests in a real browser (headless Chromium and Firefox through
//! `wasm-bindgen-test-runner`; `cargo xtask test` runs both). The extension is played by a fake
//! content script that speaks the real `postMessage` contract.
#![cfg(target_arch = "wasm32")]

use app::components::{CardStep, Failure, Language};
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
    // The top page has its heading (issue 11, item 12).
    assert_eq!(
        find(&root, "h1").and_then(|h| h.text_content()),
        Some(ja("top.heading"))
    );
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
                <CardStep service=protocol::maintenance::Scope::Insurance submit="申し込む".into_any() on_login=Callback::new(|()| {}) failure/>
            </Language>
        }
    })
}

#[wasm_bindgen_test]
async fn without_the_extension_the_card_step_says_to_install_it() {
    let root = fresh_root();
    let _step = mount_card_step(&root);
    // No acknowledgement within 1 s: the helper is missing.
    let button = card_step_says(&root, "EXTENSION_UNAVAILABLE", "拡張機能が見つかりません").await;
    assert!(
        button.has_attribute("disabled"),
        "cannot read without the helper"
    );
    // The way to install it.
    let link = find(&root, "a.install").expect("install link");
    assert_eq!(link.get_attribute("href").as_deref(), Some("/info#install"));
    assert_eq!(
        link.text_content().unwrap_or_default(),
        ja("card.install_link")
    );
}

/// Waits until the card step found `code` and says `words`; returns its primary button.
async fn card_step_says(root: &web_sys::HtmlElement, code: &str, words: &str) -> web_sys::Element {
    assert!(
        until(3000, || readiness(root).as_deref() == Some(code)).await,
        "{code}: {}",
        text(root)
    );
    assert!(text(root).contains(words), "{}", text(root));
    root.query_selector("button.primary")
        .expect("selector")
        .expect("button")
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
    let button = card_step_says(&root, "PIN_LAST_TRY", "市区町村の窓口でしか解除できません").await;
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
        (
            serde_json::json!({"readers": [{"name": "R0", "card": "inUse"}, {"name": "R1", "card": "other"}], "authPinTriesLeft": null, "reader": null}),
            "READER_IN_USE",
            "別のプログラムが使用しています",
        ),
        (
            serde_json::json!({"readers": [{"name": "R0", "card": "other"}, {"name": "R1", "card": "absent"}], "authPinTriesLeft": null, "reader": null}),
            "NO_CARD",
            "カードリーダにセットしてください",
        ),
    ] {
        let root = fresh_root();
        let listener = fake_content_script(status);
        let _step = mount_card_step(&root);
        card_step_says(&root, expected, words).await;
        let _ =
            win().remove_event_listener_with_callback("message", listener.as_ref().unchecked_ref());
    }
}

#[wasm_bindgen_test]
async fn each_terminal_keyboard_types_into_its_field() {
    use app::kiosk::Layout;
    let root = fresh_root();
    let keyword = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let digits = RwSignal::new(String::from("9"));
    let _keyboard = mount(&root, move || {
        view! {
            <Language>
                <div id="kana"><app::components::Keyboard layout=Layout::Kana target=keyword field=|_| "keyword"/></div>
                <div id="alnum"><app::components::Keyboard layout=Layout::Alphanumeric target=code field=|_| "code"/></div>
                <div id="digits"><app::components::Keyboard layout=Layout::Digits target=digits field=|_| "phone"/></div>
            </Language>
        }
    });
    let press = |board: &str, label: &str| {
        let keys = root
            .query_selector_all(&format!("#{board} button.key"))
            .expect("keys");
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
        panic!("no key {label} on {board}");
    };
    assert!(
        until(1000, || text(&root).contains("1文字消す")).await,
        "{}",
        text(&root)
    );
    // Each keyboard names the field it types into.
    assert!(text(&root).contains("入力先：keyword"), "{}", text(&root));
    for kana in ["サ", "ク", "ラ", "ハ", "゛"] {
        press("kana", kana);
    }
    assert_eq!(keyword.get_untracked(), "サクラバ");
    press("kana", "1文字消す");
    assert_eq!(keyword.get_untracked(), "サクラ");
    // Letters and digits, small letters after the shift key.
    for key in ["S", "1", "abc"] {
        press("alnum", key);
    }
    let small_keys = || {
        root.query_selector_all("#alnum button.key")
            .map(|keys| {
                (0..keys.length())
                    .any(|i| keys.item(i).and_then(|k| k.text_content()).as_deref() == Some("b"))
            })
            .unwrap_or(false)
    };
    assert!(
        until(1000, small_keys).await,
        "the shift key shows small letters"
    );
    press("alnum", "b");
    assert_eq!(code.get_untracked(), "S1b");
    assert!(
        root.query_selector("#digits button.key[aria-pressed]")
            .expect("query")
            .is_none(),
        "the number pad has no shift key"
    );
    press("digits", "4");
    assert_eq!(digits.get_untracked(), "94");
    press("digits", "全て消す");
    assert_eq!(digits.get_untracked(), "");
}

#[wasm_bindgen_test]
async fn the_kiosk_warns_after_quiet_then_ends_the_session_and_returns_to_the_start() {
    use std::sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    };
    let root = fresh_root();
    // A screen of the part the terminal starts in: the reset stays in the page (from the
    // application part it is a full page load).
    go("/mynapoint/reserve");
    let now = Arc::new(AtomicU64::new(1_000_000));
    let set = {
        let now = Arc::clone(&now);
        move |ms: u64| now.store(ms, Ordering::SeqCst)
    };
    let clock = Callback::new(move |()| now.load(Ordering::SeqCst) as f64);
    let _guard = mount(&root, move || {
        view! {
            <Language>
                <leptos_router::components::Router>
                    // As the part's shell does: moves within the part go through the router.
                    {app::routes::provide_router_moves()}
                    <app::mynapoint::IdleGuard clock/>
                </leptos_router::components::Router>
            </Language>
        }
    });
    let warning = |root: &web_sys::HtmlElement| find(root, ".idle-warning").is_some();
    // 44 s of quiet: nothing yet (the warning comes in the last 15 s of 60).
    set(1_044_000);
    sleep(600).await;
    assert!(!warning(&root), "{}", text(&root));
    // 46 s: the warning, counting the seconds left.
    set(1_046_000);
    assert!(until(2000, || warning(&root)).await, "{}", text(&root));
    let words = ja("mynapoint.idle_warning");
    assert!(
        text(&root).contains(&format!("{words}14")),
        "{}",
        text(&root)
    );
    // One dialog while the warning lasts: a second later only its seconds change (a dialog made
    // anew each second would move a screen reader and the focus every second).
    let dialog = find(&root, ".idle-warning").expect("the warning");
    set(1_047_000);
    assert!(
        until(2000, || text(&root).contains(&format!("{words}13"))).await,
        "{}",
        text(&root)
    );
    assert!(
        find(&root, ".idle-warning").is_some_and(|now| now == dialog),
        "the warning's dialog was made anew"
    );
    // A key restarts the timer and the warning goes.
    win()
        .dispatch_event(&web_sys::Event::new("keydown").expect("event"))
        .expect("dispatch");
    assert!(until(2000, || !warning(&root)).await, "{}", text(&root));
    assert_eq!(path(), "/mynapoint/reserve");
    // 61 s without input: back to the start.
    set(1_046_000 + 61_000);
    assert!(
        until(3000, || path() == app::routes::MYNAPOINT_KIOSK).await,
        "still at {}",
        path()
    );
}

#[wasm_bindgen_test]
async fn a_refusal_not_yet_eligible_says_from_when_to_try_again() {
    for (locale, date) in [
        ("ja", "2026年11月25日 12:00"),
        ("en", "25 Nov 2026, 12:00 (JST)"),
    ] {
        let root = fresh_root();
        set_storage("myna-lang", locale);
        let error = app::api::ApiErrorBody {
            available_from: Some("2026-11-25T12:00:00+09:00".into()),
            ..app::api::ApiErrorBody::new(app::api::ApiCode::NotYetEligible, "")
        };
        let _message = mount(&root, move || {
            view! { <Language><app::components::FailureMessage failure=Failure::Api(error)/></Language> }
        });
        see(&root, &tr(locale, "api_error.not_yet_eligible")).await;
        see(&root, date).await;
    }
}

#[wasm_bindgen_test]
async fn a_code_from_a_newer_server_is_shown_as_sent() {
    for locale in ["ja", "en"] {
        let root = fresh_root();
        set_storage("myna-lang", locale);
        let error: app::api::ApiErrorBody =
            serde_json::from_str(r#"{"code":"SOMETHING_NEW","message":"m"}"#).expect("parses");
        let _message = mount(&root, move || {
            view! { <Language><app::components::FailureMessage failure=Failure::Api(error)/></Language> }
        });
        see(&root, "SOMETHING_NEW").await;
    }
}

#[wasm_bindgen_test]
async fn a_code_from_a_newer_extension_is_shown_as_sent() {
    for locale in ["ja", "en"] {
        let root = fresh_root();
        set_storage("myna-lang", locale);
        let body: protocol::ErrorBody =
            serde_json::from_str(r#"{"code":"CARD_ON_FIRE","message":"m","hint":1}"#)
                .expect("a newer side's refusal is read");
        let _message = mount(&root, move || {
            view! { <Language><app::components::FailureMessage failure=Failure::Card(body)/></Language> }
        });
        see(&root, &tr(locale, "card_error.internal")).await;
        see(&root, "CARD_ON_FIRE").await;
    }
}

#[wasm_bindgen_test]
async fn the_status_table_has_the_portal_user_row_only_after_the_opt_in() {
    let status = |portal_user: Option<protocol::api::Received>| app::api::InsuranceStatus {
        application: app::api::ApplicationState::Received,
        applied_at: Some("2026-11-24T10:00:00+09:00".into()),
        registration: Some(app::api::Registration::Preparing),
        expected_by: Some("2027-01".into()),
        portal_user,
        link: None,
        history: Vec::new(),
    };
    for (portal_user, rows) in [(None, 2), (Some(protocol::api::Received::Received), 3)] {
        let root = fresh_root();
        let found = status(portal_user);
        let _table = mount(&root, move || {
            view! { <Language><app::components::StatusTable status=found/></Language> }
        });
        assert!(
            until(2000, || find(&root, "table").is_some()).await,
            "{}",
            text(&root)
        );
        let count = root.query_selector_all("tr").expect("rows").length();
        assert_eq!(count, rows, "{}", text(&root));
        see(&root, &ja("status.preparing")).await;
        see(&root, "2027年1月").await;
        // The leaflet's two notes under a registration being prepared, with the month.
        see(&root, "2027年1月が近づいてきましたら").await;
        see(&root, &ja("status.note_where")).await;
    }
    // Linked, then disputed (issue 14): the insurer, the symbol and number masked, the record's
    // date, the frozen registration and the history with the receipt number.
    let root = fresh_root();
    let disputed = app::api::InsuranceStatus {
        registration: Some(app::api::Registration::Frozen),
        expected_by: None,
        link: Some(protocol::api::InsurerLink {
            insurer_name: "全国健康保険協会".into(),
            symbol: Some("＊＊45".into()),
            number: Some("＊＊78".into()),
            as_of: Some("2026-11-02".into()),
        }),
        history: vec![
            protocol::api::HistoryEntry {
                at: "2026-11-24T10:00:00+09:00".into(),
                event: app::api::HistoryEvent::Applied,
                receipt_number: None,
            },
            protocol::api::HistoryEntry {
                at: "2026-11-25T09:00:00+09:00".into(),
                event: app::api::HistoryEvent::Linked,
                receipt_number: None,
            },
            protocol::api::HistoryEntry {
                at: "2026-11-30T12:00:00+09:00".into(),
                event: app::api::HistoryEvent::Disputed,
                receipt_number: Some("1234 5678 9012 3456 7890".into()),
            },
        ],
        ..status(None)
    };
    let _table = mount(&root, move || {
        view! { <Language><app::components::StatusTable status=disputed.clone()/></Language> }
    });
    see(&root, &ja("status.frozen")).await;
    assert_eq!(
        root.query_selector_all("tr").expect("rows").length(),
        5,
        "{}",
        text(&root)
    );
    see(&root, "全国健康保険協会").await;
    see(&root, "＊＊45 ＊＊78").await;
    see(&root, "2026/11/02").await;
    see(&root, &ja("status.history_heading")).await;
    assert_eq!(
        root.query_selector_all(".history li")
            .expect("items")
            .length(),
        3
    );
    see(&root, &ja("status.event_disputed")).await;
    see(&root, "1234 5678 9012 3456 7890").await;
}

#[wasm_bindgen_test]
async fn the_information_page_has_every_section_and_the_install_guide() {
    let root = fresh_root();
    use_test_server();
    go("/info");
    let info = mount(&root, app::App);
    // Every sentence of the text kept as data is on the page.
    for sentence in fragment_sentences(include_str!("../public/content/ja/info.html")) {
        see(&root, &sentence).await;
    }
    // The health-insurance line's own facts (issue 11, item 10): 「4→2」, weekdays 9:30–18:30.
    see(&root, "「4→2」の順にお進みください").await;
    see(&root, "平日：9時30分～18時30分").await;
    // The install section links each store.
    let stores = root
        .query_selector_all("#install a[href^='https://']")
        .expect("links")
        .length();
    assert_eq!(stores, 3, "{}", text(&root));
    drop(info);
    // From the top page, 「詳しくはこちら」 leads there.
    let root = fresh_root();
    use_test_server();
    let _top = mount(&root, app::App);
    see(&root, &ja("top.details")).await;
    press(&root, "a[href='/info']").await;
    see(&root, "よくある質問にお答えします").await;
}

/// The card step's install link (`/info#install`) lands on the install section, not at the top
/// of the page: the page scrolls to the `#fragment` once the text has arrived.
#[wasm_bindgen_test]
async fn a_link_to_a_section_lands_on_it() {
    let root = fresh_root();
    use_test_server();
    win().scroll_to_with_x_and_y(0.0, 0.0);
    go("/info#install");
    let _info = mount(&root, app::App);
    assert!(
        until(5000, || find(&root, "#install").is_some()).await,
        "{}",
        text(&root)
    );
    assert!(
        until(2000, || {
            find(&root, "#install").is_some_and(|section| {
                let top = section.get_bounding_client_rect().top();
                (-2.0..50.0).contains(&top)
            })
        })
        .await,
        "the install section is at {} px, scrolled {} px",
        find(&root, "#install").map_or(f64::NAN, |s| s.get_bounding_client_rect().top()),
        win().scroll_y().unwrap_or_default()
    );
}

/// Both 利用規約 links open a page with the terms, of the version an application names; the
/// MyNa Point terms include the liability and personal-data clauses (issue 11, item 4).
#[wasm_bindgen_test]
async fn the_terms_pages_show_the_terms_and_their_version() {
    for (path, title, fragment) in [
        (
            "/terms",
            "terms.portal_title",
            include_str!("../public/content/ja/terms-portal-2021-03.html"),
        ),
        (
            "/terms/mynapoint",
            "terms.mynapoint_title",
            include_str!("../public/content/ja/terms-mynapoint-2020-07.html"),
        ),
    ] {
        let root = fresh_root();
        use_test_server();
        go(path);
        let page = mount(&root, app::App);
        see(&root, &ja(title)).await;
        for sentence in fragment_sentences(fragment) {
            see(&root, &sentence).await;
        }
        let version = if path == "/terms" {
            protocol::site::PORTAL_TERMS_VERSION
        } else {
            protocol::site::MYNAPOINT_TERMS_VERSION
        };
        see(&root, version).await;
        assert!(find(&root, "#liability").is_some() && find(&root, "#personal-data").is_some());
        drop(page);
    }
    // The MyNa Point terms name the clauses the leaflet lists.
    let root = fresh_root();
    use_test_server();
    go("/terms/mynapoint");
    let _page = mount(&root, app::App);
    see(&root, "決済事業者は責任を負いません").await;
    see(&root, "利用者が入力した個人情報を提供することがあります").await;
}

/// A path that is no page is 「ページが見つかりません」 with a way back, in both parts — not the
/// top page (the server answers it with 404).
#[wasm_bindgen_test]
async fn an_unknown_path_is_not_found_in_both_parts() {
    let root = fresh_root();
    go("/no-such-page");
    let page = mount(&root, app::App);
    see(&root, &ja("not_found.title")).await;
    assert!(!text(&root).contains(&ja("top.insurance_title")));
    assert!(find(&root, "a[href='/']").is_some());
    drop(page);
    let root = fresh_root();
    go("/mynapoint/no-such-page");
    let _page = mount(&root, app::mynapoint::App);
    see(&root, &ja("not_found.title")).await;
    assert!(find(&root, "a[href='/'][rel=external]").is_some());
}

/// On a phone the card step says what is true — a phone's browser cannot read the card, use a PC
/// with a reader — and offers no install link and no button that can never work (issue 11,
/// item 8).
#[wasm_bindgen_test]
async fn on_a_phone_the_card_step_says_to_use_a_pc_and_has_no_dead_button() {
    // A touch-only device, as a phone's browser reports it (`matchMedia`); its user agent is
    // the headless browser's own and plays no part.
    let window = win();
    let real = js_sys::Reflect::get(&window, &"matchMedia".into()).expect("matchMedia");
    let touch_only = js_sys::Function::new_with_args(
        "query",
        &format!(
            "return {{ matches: query === {:?}, media: query, addEventListener() {{}}, removeEventListener() {{}} }};",
            app::extension::TOUCH_ONLY
        ),
    );
    js_sys::Reflect::set(&window, &"matchMedia".into(), &touch_only).expect("stub");
    let root = fresh_root();
    let step = mount_card_step(&root);
    see(&root, &ja("card_error.phone")).await;
    let words = text(&root);
    js_sys::Reflect::set(&window, &"matchMedia".into(), &real).expect("restore");
    assert!(find(&root, "a.install").is_none(), "{words}");
    assert!(
        find(&root, ".card-step button.primary").is_none_or(|b| b.has_attribute("hidden")),
        "a button that cannot work: {words}"
    );
    assert!(!words.contains(&ja("card.recheck")), "{words}");
    drop(step);
}

/// Every card step says which password is meant, in the leaflet's words; the terminal says where
/// the card goes on it and never speaks of a PC or an extension (issue 11, item 7).
#[wasm_bindgen_test]
async fn the_card_step_explains_the_password_on_a_pc_and_at_the_terminal() {
    let root = fresh_root();
    use_test_server();
    let step = mount_card_step(&root);
    see(&root, "利用者証明用電子証明書用暗証番号とは、マイナンバーカードを市区町村の窓口で受け取った際に利用者様自身が設定した数字4ケタの暗証番号（パスワード）です。3回間違えるとロックされるのでご注意ください。").await;
    see(
        &root,
        "※ロック解除には市区町村の窓口で手続きが必要になります。",
    )
    .await;
    drop(step);
    let root = fresh_root();
    use_test_server();
    let failure = RwSignal::new(None::<Failure>);
    let _kiosk = mount(&root, move || {
        provide_context(app::kiosk::Kiosk(true));
        view! {
            <Language>
                <CardStep service=protocol::maintenance::Scope::Insurance submit="次へ進む".into_any() on_login=Callback::new(|()| {}) failure/>
            </Language>
        }
    });
    see(&root, "この位置にマイナンバーカードをセット").await;
    see(&root, "「数字4桁のパスワード」").await;
    see(&root, "ロックがかかります").await;
    let words = text(&root);
    for wrong in ["PC", "パソコン", "拡張機能"] {
        assert!(
            !words.contains(wrong),
            "the terminal says {wrong:?}: {words}"
        );
    }
}

/// Typing the PIN in the extension's window is not input this page sees: while a card request
/// is under way the terminal's idle timer does not run out (issue 10, item 4).
#[wasm_bindgen_test]
async fn a_card_request_under_way_keeps_the_kiosk_awake() {
    use std::sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    };
    let root = fresh_root();
    // A screen of the part the terminal starts in: the reset stays in the page (from the
    // application part it is a full page load).
    go("/mynapoint/reserve");
    let now = Arc::new(AtomicU64::new(5_000_000));
    let set = {
        let now = Arc::clone(&now);
        move |ms: u64| now.store(ms, Ordering::SeqCst)
    };
    let clock = Callback::new(move |()| now.load(Ordering::SeqCst) as f64);
    let pending = RwSignal::new(None::<RwSignal<bool>>);
    let _guard = mount(&root, move || {
        view! {
            <Language>
                {
                    let activity = app::components::card_activity();
                    activity.pending.set(true);
                    pending.set(Some(activity.pending));
                }
                <leptos_router::components::Router>
                    // As the part's shell does: moves within the part go through the router.
                    {app::routes::provide_router_moves()}
                    <app::mynapoint::IdleGuard clock/>
                </leptos_router::components::Router>
            </Language>
        }
    });
    let warning = |root: &web_sys::HtmlElement| find(root, ".idle-warning").is_some();
    // 100 s of PIN typing, in steps the page's timer sees: no warning, no reset.
    for step in 1..=10 {
        set(5_000_000 + step * 10_000);
        sleep(300).await;
        assert!(!warning(&root), "at {step}0 s: {}", text(&root));
    }
    assert_eq!(path(), "/mynapoint/reserve");
    // The request ends; 61 s of quiet then reset as before.
    if let Some(pending) = pending.get_untracked() {
        pending.set(false);
    }
    set(5_100_000 + 61_000);
    assert!(
        until(3000, || path() == app::routes::MYNAPOINT_KIOSK).await,
        "still at {}",
        path()
    );
}

/// After a login, a certificate in its last three months is announced with its date and where
/// to renew it; one further off is not (issue 10, item 5).
#[wasm_bindgen_test]
async fn a_certificate_near_its_expiry_is_announced() {
    let day = 86_400_000.0;
    let at = |ms: f64| {
        js_sys::Date::new(&JsValue::from_f64(ms))
            .to_iso_string()
            .as_string()
            .unwrap_or_default()
    };
    let now = js_sys::Date::now();
    for (expires, shown) in [(now + 30.0 * day, true), (now + 200.0 * day, false)] {
        let root = fresh_root();
        let expires_at = at(expires);
        let _notice = mount(&root, move || {
            let expires_at = expires_at.clone();
            view! {
                <Language>
                    {
                        app::components::card_activity().expires_at.set(Some(expires_at));
                    }
                    <app::components::CertificateNotice/>
                </Language>
            }
        });
        sleep(300).await;
        assert_eq!(
            find(&root, ".certificate-expiry").is_some(),
            shown,
            "{}",
            text(&root)
        );
        if shown {
            let words = ja("card.certificate_expires");
            let before_date = words.split("{{").next().unwrap_or_default().to_owned();
            assert!(text(&root).contains(&before_date), "{}", text(&root));
            assert!(
                text(&root).contains("市区町村の窓口で更新"),
                "{}",
                text(&root)
            );
        }
    }
}

#[wasm_bindgen_test]
async fn the_card_step_of_a_stopped_service_asks_for_no_card() {
    for (locale, ends, from, to) in [
        (
            "ja",
            "2026年12月1日 06:00",
            "2026年12月5日 01:00",
            "2026年12月5日 05:00",
        ),
        (
            "en",
            "1 Dec 2026, 06:00 (JST)",
            "5 Dec 2026, 01:00 (JST)",
            "5 Dec 2026, 05:00 (JST)",
        ),
    ] {
        let root = fresh_root();
        set_storage("myna-lang", locale);
        let windows: protocol::maintenance::ServiceState =
            serde_json::from_value(serde_json::json!({
                "maintenance": [
                    {"scope": "mynapoint", "from": "2026-12-01T02:00:00+09:00",
                     "until": "2026-12-01T06:00:00+09:00", "active": true},
                    {"scope": "insurance", "from": "2026-12-05T01:00:00+09:00",
                     "until": "2026-12-05T05:00:00+09:00", "active": false},
                ]
            }))
            .expect("state");
        // The server refused the step's request: a window started while the page was open.
        let failure = RwSignal::new(Some(Failure::Api(app::api::ApiErrorBody {
            until: Some("2026-12-01T06:00:00+09:00".into()),
            ..app::api::ApiErrorBody::new(app::api::ApiCode::Maintenance, "")
        })));
        // The card itself is ready: only the window keeps the step from reading it.
        let listener = fake_content_script(serde_json::json!({
            "readers": [{"name": "Reader 0", "card": "jpki"}],
            "authPinTriesLeft": 3,
            "reader": "Reader 0",
        }));
        let _step = mount(&root, move || {
            view! {
                <Language>
                    <app::components::MaintenanceWindows windows=windows.maintenance/>
                    <CardStep service=protocol::maintenance::Scope::Mynapoint
                        submit="次へ進む".into_any() on_login=Callback::new(|()| {}) failure/>
                </Language>
            }
        });
        assert!(
            until(3000, || readiness(&root).as_deref() == Some("READY")).await,
            "{}",
            text(&root)
        );
        // The step's own message: the server's refusal, until when.
        see(
            &root,
            &[
                tr(locale, "api_error.maintenance"),
                ends.to_owned(),
                tr(locale, "maintenance.retry_end"),
            ]
            .concat(),
        )
        .await;
        // The list's sentence as its pieces make it, in each language.
        let now = [
            tr(locale, "maintenance.now"),
            tr(locale, "maintenance.mynapoint"),
            tr(locale, "maintenance.now_until"),
            ends.to_owned(),
            tr(locale, "maintenance.retry_end"),
        ]
        .concat();
        see(&root, &now).await;
        // The announced window of another service, with both of its times, not as a warning.
        let announced = [
            from.to_owned(),
            tr(locale, "maintenance.announced_to"),
            to.to_owned(),
            tr(locale, "maintenance.announced_until"),
            tr(locale, "maintenance.insurance"),
            tr(locale, "maintenance.announced_end"),
        ]
        .concat();
        see(&root, &announced).await;
        let notice = find(&root, ".maintenance p[data-scope='insurance']").expect("announced");
        assert!(!notice.class_list().contains("warning"));
        let on = find(&root, ".maintenance p[data-scope='mynapoint']").expect("on now");
        assert!(on.class_list().contains("warning"));
        let button = find(&root, ".card-step button.primary").expect("button");
        assert!(button.hidden(), "no button while the service is stopped");
        assert!(button.has_attribute("disabled"));
        assert!(
            find(&root, ".readiness button").is_some(),
            "「もう一度確認する」 to go on after the window"
        );
        let _ =
            win().remove_event_listener_with_callback("message", listener.as_ref().unchecked_ref());
        drop(listener);
    }
}

#[wasm_bindgen_test]
async fn a_maintenance_refusal_says_until_when_or_to_try_later() {
    for (locale, date) in [
        ("ja", "2026年12月1日 06:00"),
        ("en", "1 Dec 2026, 06:00 (JST)"),
    ] {
        let root = fresh_root();
        set_storage("myna-lang", locale);
        let error = app::api::ApiErrorBody {
            until: Some("2026-12-01T06:00:00+09:00".into()),
            ..app::api::ApiErrorBody::new(app::api::ApiCode::Maintenance, "")
        };
        let open = app::api::ApiErrorBody::new(app::api::ApiCode::Maintenance, "");
        let _message = mount(&root, move || {
            view! {
                <Language>
                    <app::components::FailureMessage failure=Failure::Api(error.clone())/>
                    <app::components::FailureMessage failure=Failure::Api(open.clone())/>
                </Language>
            }
        });
        see(
            &root,
            &[
                tr(locale, "api_error.maintenance"),
                date.to_owned(),
                tr(locale, "maintenance.retry_end"),
            ]
            .concat(),
        )
        .await;
        see(&root, &tr(locale, "api_error.maintenance_open")).await;
    }
}

/// A card taken off the reader ends the session (issue 14): with a card session open the part
/// asks the extension every second whether the card of the login is still there; when it has
/// left, the card is forgotten, the part's start is loaded afresh, and the start says why. A card
/// still there, or an extension that cannot answer, ends nothing.
#[wasm_bindgen_test]
async fn a_card_taken_off_the_reader_ends_the_session_and_the_start_says_why() {
    let session_storage = || win().session_storage().expect("storage").expect("storage");
    let root = fresh_root();
    go("/mynapoint/reserve");
    // The simulated card is there: nothing happens for a few checks.
    set_storage("myna-simulated", "ready");
    session_storage()
        .set_item("myna-card", "1 Simulated Reader 00 00")
        .expect("set");
    let loaded = RwSignal::new(None::<String>);
    let page_load = app::routes::PageLoad(Callback::new(move |path| loaded.set(Some(path))));
    let page = mount(&root, move || {
        provide_context(page_load);
        view! { <app::mynapoint::App/> }
    });
    sleep(2500).await;
    assert_eq!(loaded.get_untracked(), None, "left with the card there");
    assert!(app::session_card::watched().is_some());
    // The card leaves: within two checks the start is loaded, the card forgotten.
    set_storage("myna-simulated", "card-removed");
    assert!(
        until(2500, || loaded.get_untracked().is_some()).await,
        "still here"
    );
    assert_eq!(loaded.get_untracked().as_deref(), Some("/mynapoint"));
    assert!(
        app::session_card::watched().is_none(),
        "the card is still watched"
    );
    drop(page);
    // The start page says why.
    let root = fresh_root_keeping_session();
    go("/mynapoint");
    let _start = mount(&root, app::mynapoint::App);
    see(&root, &ja("card.removed_logout")).await;
    assert!(find(&root, ".card-removed[role=status]").is_some());
}
