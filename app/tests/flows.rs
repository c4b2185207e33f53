//! Every flow's steps in a real browser against a real server: `cargo xtask test` starts
//! `myna-server` on a fresh SQLite database with `--cors`, trusting a virtual card that the
//! simulated helper (feature `simulated-helper`) signs with, and names it in `MYNA_TEST_SERVER`.
//! The page is served by `wasm-bindgen-test-runner`; the server's `--origin` is that page's.
#![cfg(target_arch = "wasm32")]

mod common;
use common::*;

use app::components::{CardStep, Failure, Language};
use leptos::prelude::*;
use protocol::ErrorCode;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A fresh root, the API on the test server, the simulated card in `situation`.
fn start(situation: &str) -> web_sys::HtmlElement {
    let root = fresh_root();
    let Some(server) = option_env!("MYNA_TEST_SERVER") else {
        panic!("MYNA_TEST_SERVER names no server: run these tests with `cargo xtask test`");
    };
    app::api::use_server(server);
    set_storage("myna-simulated", situation);
    root
}

/// Waits for the card step to be ready, then presses its button.
async fn read_card(root: &web_sys::HtmlElement) {
    assert!(
        until(5000, || readiness(root).as_deref() == Some("READY")).await,
        "card step not ready: {}",
        text(root)
    );
    press(root, ".card-step button.primary").await;
}

#[wasm_bindgen_test]
async fn f1_application_with_the_portal_user_opt_in_then_f2_status() {
    let root = start("ready");
    go("/insurance/apply");
    // Where the part sends the citizen with a full page load (which would end this test's page).
    let loaded = RwSignal::new(None::<String>);
    let page_load = app::routes::PageLoad(Callback::new(move |path| loaded.set(Some(path))));
    let apply = mount(&root, move || {
        provide_context(page_load);
        view! { <app::insurance::InsuranceApp/> }
    });
    // Step 1: terms, the opt-in checked by default, the step bar on step 1.
    see(&root, &ja("apply.terms_heading")).await;
    let current = find(&root, "li[aria-current=step]").expect("current step");
    assert_eq!(
        current.text_content().unwrap_or_default(),
        ja("steps.step1")
    );
    let opt_in = find(&root, "input[name=portal-user]")
        .expect("opt-in")
        .unchecked_into::<web_sys::HtmlInputElement>();
    assert!(opt_in.checked());
    press(&root, "button.primary").await;
    // Step 2: the card; focus moved to the new heading.
    see(&root, &ja("apply.card_heading")).await;
    assert!(
        until(1000, || focused_heading() == Some(ja("apply.card_heading"))).await,
        "focus on {:?}",
        focused_heading()
    );
    let current = find(&root, "li[aria-current=step]").expect("current step");
    assert_eq!(
        current.text_content().unwrap_or_default(),
        ja("steps.step2")
    );
    read_card(&root).await;
    // Done: the F2 table with the third row, as the user opted in.
    see(&root, &ja("apply.done_heading")).await;
    let table = find(&root, "table").expect("status table");
    let rows = table.query_selector_all("tr").expect("rows").length();
    assert_eq!(rows, 3, "{}", text(&root));
    assert!(text(&root).contains(&ja("status.row_portal_user")));
    assert!(text(&root).contains(&ja("status.received")));
    press(&root, "button.primary").await;
    assert!(
        until(5000, || loaded.get_untracked().as_deref() == Some("/")).await,
        "「終了」 goes back to the top page: {:?}",
        loaded.get_untracked()
    );
    drop(apply);
    // F2 from the top page (a link to the other part): the card, then the same table.
    let root = start("ready");
    go("/");
    let top = mount(&root, app::App);
    see(&root, &ja("top.check_status")).await;
    assert!(find(&root, "a[href='/insurance/status'][rel=external]").is_some());
    drop(top);
    let root = start("ready");
    go("/insurance/status");
    let _status = mount(&root, move || {
        provide_context(page_load);
        view! { <app::insurance::InsuranceApp/> }
    });
    see(&root, &ja("status.card_heading")).await;
    read_card(&root).await;
    see(&root, &ja("status.result_heading")).await;
    assert!(text(&root).contains(&ja("status.row_portal_user")));
    assert!(text(&root).contains(&ja("status.received")));
}

/// F1 through the health-insurance part `part` mounted on `root` (at `/insurance/apply`), up
/// to 「申し込みを受け付けました」; the part unmounted after.
async fn registered<F, N>(root: &web_sys::HtmlElement, part: F)
where
    F: FnOnce() -> N + 'static,
    N: IntoView + 'static,
{
    let apply = mount(root, part);
    see(root, &ja("apply.terms_heading")).await;
    press(root, "button.primary").await;
    read_card(root).await;
    see(root, &ja("apply.done_heading")).await;
    drop(apply);
}

#[wasm_bindgen_test]
async fn f2_cancellation_with_the_certificate_then_the_receipts() {
    let root = start("ready");
    go("/insurance/apply");
    let loaded = RwSignal::new(None::<String>);
    let page_load = app::routes::PageLoad(Callback::new(move |path| loaded.set(Some(path))));
    let part = move || {
        provide_context(page_load);
        view! { <app::insurance::InsuranceApp/> }
    };
    // Registered first (F1; idempotent when another test registered already).
    registered(&root, part).await;
    let root = start("ready");
    go("/insurance/status");
    let _status = mount(&root, part);
    read_card(&root).await;
    see(&root, &ja("status.result_heading")).await;
    // What it changes, the certificate asked for by default, then exactly what is sent.
    press(&root, ".cancel-button").await;
    see(&root, &ja("status.cancel_effect_1")).await;
    see(&root, &ja("status.cancel_effect_4")).await;
    let certificate = find(&root, "input[name=certificate]")
        .expect("the certificate's choice")
        .unchecked_into::<web_sys::HtmlInputElement>();
    assert!(certificate.checked());
    press(&root, ".insurance-request button.primary").await;
    see(&root, &ja("status.cancel_confirm_heading")).await;
    see(&root, &ja("status.cancel_confirm_certificate")).await;
    read_card(&root).await;
    // The receipt, and the table says it.
    see(&root, &ja("status.cancel_done")).await;
    see(&root, &ja("status.certificate_sent")).await;
    let number = find(&root, ".insurance-request .receipt-number")
        .and_then(|e| e.text_content())
        .unwrap_or_default();
    assert_eq!(number.len(), 24, "{}", text(&root));
    see(&root, &ja("status.cancelled")).await;
    see(&root, &ja("status.event_cancelled")).await;
    see(&root, &ja("status.event_certificate")).await;
    assert!(
        find(&root, ".cancel-button").is_none(),
        "nothing left to cancel"
    );
    // やりとり履歴 (the portal's page) shows it with the same number, newest first.
    let root = start("ready");
    go("/history");
    let _history = mount(&root, app::App);
    see(&root, &ja("history.card_heading")).await;
    read_card(&root).await;
    see(&root, &ja("history.kind_insurance_cancellation")).await;
    let first = find(&root, ".receipts .receipt").expect("a receipt");
    let first = first.text_content().unwrap_or_default();
    assert!(
        first.contains(&ja("history.kind_insurance_cancellation")) && first.contains(&number),
        "{first}"
    );
    see(&root, &ja("history.status_cancelled")).await;
}

#[wasm_bindgen_test]
async fn a_cancellation_from_a_stale_window_reads_the_status_again() {
    let root = start("ready");
    go("/insurance/apply");
    let page_load = app::routes::PageLoad(Callback::new(|_| {}));
    let part = move || {
        provide_context(page_load);
        view! { <app::insurance::InsuranceApp/> }
    };
    registered(&root, part).await;
    // Two windows of one browser show F2 with the registration.
    let first = start("ready");
    go("/insurance/status");
    let _first = mount(&first, part);
    read_card(&first).await;
    see(&first, &ja("status.result_heading")).await;
    let second = doc()
        .create_element("div")
        .expect("div")
        .dyn_into::<web_sys::HtmlElement>()
        .expect("element");
    second.set_class_name("test-root");
    doc()
        .body()
        .expect("body")
        .append_child(&second)
        .expect("append");
    let _second = mount(&second, part);
    read_card(&second).await;
    see(&second, &ja("status.result_heading")).await;
    // The first cancels; the second, still showing the registration, tries too.
    press(&first, ".cancel-button").await;
    press(&first, ".insurance-request button.primary").await;
    read_card(&first).await;
    see(&first, &ja("status.cancel_done")).await;
    press(&second, ".cancel-button").await;
    press(&second, ".insurance-request button.primary").await;
    read_card(&second).await;
    // Read again and said, not an error to retry: no cancellation left to offer.
    see(&second, &ja("status.changed_elsewhere")).await;
    see(&second, &ja("status.cancelled")).await;
    assert!(
        find(&second, ".cancel-button").is_none(),
        "{}",
        text(&second)
    );
    assert!(
        find(&second, ".certificate-button").is_none(),
        "asked with the cancellation: {}",
        text(&second)
    );
}

#[wasm_bindgen_test]
async fn every_card_error_has_its_own_message_in_both_languages() {
    for locale in ["ja", "en"] {
        for code in ErrorCode::ALL {
            let root = start(&format!("fail:{}", code.as_str()));
            set_storage("myna-lang", locale);
            let failure = RwSignal::new(None::<Failure>);
            let _step = mount(&root, move || {
                view! {
                    <Language>
                        <CardStep service=protocol::maintenance::Scope::Insurance submit="go".into_any() on_login=Callback::new(|()| {}) failure/>
                    </Language>
                }
            });
            read_card(&root).await;
            let key = format!("card_error.{}", code.as_str().to_lowercase());
            let expected = tr(locale, &key);
            assert!(
                until(5000, || find(&root, ".error")
                    .and_then(|e| e.text_content())
                    .is_some_and(|t| t.contains(&expected)))
                .await,
                "{locale} {}: expected {expected:?}, the page says {}",
                code.as_str(),
                text(&root)
            );
            if code == ErrorCode::PinIncorrect {
                let tries = tr(locale, "card.tries_left");
                assert!(text(&root).contains(&tries), "{}", text(&root));
            }
            assert_eq!(
                failure
                    .get_untracked()
                    .map(|f| matches!(f, Failure::Card(b) if b.code == code)),
                Some(true)
            );
        }
    }
}

#[wasm_bindgen_test]
async fn f4_reservation_f5_application_with_validation_and_the_provider_refusal_then_f6() {
    let root = start("ready");
    go("/mynapoint/apply");
    let apply = mount(&root, app::mynapoint::ApplyApp);
    // Applying before reserving sends the user to the reservation, in the other MyNa Point
    // part: a full page load (this test mounts that part itself instead).
    read_card(&root).await;
    see(&root, &ja("mynapoint.reserve_first")).await;
    assert!(find(&root, "a[href='/mynapoint/reserve'][rel=external]").is_some());
    drop(apply);
    let root = start("ready");
    go("/mynapoint/reserve");
    let reserve = mount(&root, app::mynapoint::App);
    // F4: card → 発行 → 予約確定 → the MyKey ID.
    see(&root, &ja("mynapoint.issue_heading")).await;
    read_card(&root).await;
    assert!(until(5000, || find(&root, ".card-step").is_none()).await);
    press(&root, "button.primary").await;
    see(&root, &ja("mynapoint.confirm_reserve")).await;
    // The confirmation is the platform's modal dialog: named by its heading, the focus inside
    // on OK, the page behind inert; Escape (the dialog's `cancel`) is Cancel.
    let dialog = find(&root, "dialog.dialog[open]").expect("a modal dialog");
    assert!(dialog.matches(":modal").unwrap_or(false), "not modal");
    let named_by = dialog.get_attribute("aria-labelledby").expect("a name");
    assert_eq!(
        doc()
            .get_element_by_id(&named_by)
            .and_then(|h| h.text_content())
            .as_deref(),
        Some(ja("mynapoint.reserve_ok").as_str())
    );
    let focused = doc().active_element().expect("focus");
    assert!(dialog.contains(Some(&focused)), "the focus stayed behind");
    assert_eq!(focused.text_content(), Some(ja("mynapoint.ok")));
    dialog
        .dispatch_event(&web_sys::Event::new("cancel").expect("event"))
        .expect("cancel");
    assert!(
        until(2000, || find(&root, "dialog").is_none()).await,
        "Escape closes it"
    );
    press(&root, "button.primary").await;
    press(&root, ".dialog button.primary").await;
    see(&root, &ja("mynapoint.reserved_heading")).await;
    let my_key_id = find(&root, "[data-my-key-id]")
        .and_then(|e| e.get_attribute("data-my-key-id"))
        .expect("MyKey ID");
    assert!(!my_key_id.is_empty());
    // F5 (the application part): card → search → results → service → terms → input.
    assert!(find(&root, "a[href='/mynapoint/apply?continue=1'][rel=external]").is_some());
    drop(reserve);
    let root = start("ready");
    go("/mynapoint/apply?continue=1");
    // Where a part sends the citizen with a full page load (which would end this test's page).
    let loaded = RwSignal::new(None::<String>);
    let page_load = app::routes::PageLoad(Callback::new(move |path| loaded.set(Some(path))));
    let apply = mount(&root, move || {
        provide_context(page_load);
        view! { <app::mynapoint::ApplyApp/> }
    });
    // Straight from the reservation: the card that logged in counts, no second read here.
    see(&root, &ja("mynapoint.search_heading")).await;
    assert!(find(&root, ".card-step").is_none());
    assert!(
        text(&root).contains(&my_key_id),
        "the badge shows the MyKey ID"
    );
    type_into(&root, "#keyword", "さくら");
    press(&root, "form button[type=submit]").await;
    see(&root, &ja("mynapoint.results_heading")).await;
    see(&root, "さくらペイ").await;
    press(&root, "input[type=radio]").await;
    press(&root, ".buttons button.primary").await;
    see(&root, &ja("mynapoint.service_heading")).await;
    see(&root, "MP0000002").await;
    press(&root, ".buttons button.primary").await;
    see(&root, &ja("mynapoint.terms_heading")).await;
    let next = find(&root, "button.primary").expect("next");
    assert!(
        next.has_attribute("disabled"),
        "the terms must be agreed to"
    );
    press(&root, "label.checkbox input").await;
    assert!(until(1000, || !next.has_attribute("disabled")).await);
    next.click();
    see(&root, &ja("mynapoint.input_heading")).await;
    // Validation: each field in turn, the wrong one marked and explained.
    press(&root, "form button[type=submit]").await;
    see(&root, &ja("mynapoint.invalid_payment_service_id")).await;
    let id_input = find(&root, "#payment-service-id").expect("id input");
    assert_eq!(
        id_input.get_attribute("aria-invalid").as_deref(),
        Some("true")
    );
    type_into(&root, "#payment-service-id", "SAKURA0001");
    press(&root, "form button[type=submit]").await;
    see(&root, &ja("mynapoint.invalid_security_code")).await;
    type_into(&root, "#security-code", "000");
    type_into(&root, "#phone-last4", "12a4");
    press(&root, "form button[type=submit]").await;
    see(&root, &ja("mynapoint.invalid_phone_last4")).await;
    // Full-width digits count as digits.
    type_into(&root, "#phone-last4", "１２３４");
    press(&root, "form button[type=submit]").await;
    // The demo provider refuses the security code 000: at step 5 (before the card), the input
    // kept.
    see(&root, &ja("mynapoint.provider_rejected")).await;
    assert!(find(&root, ".card-step").is_none());
    let kept = find(&root, "#payment-service-id")
        .expect("id input")
        .unchecked_into::<web_sys::HtmlInputElement>();
    assert_eq!(kept.value(), "SAKURA0001");
    type_into(&root, "#security-code", "123");
    press(&root, "form button[type=submit]").await;
    see(&root, &ja("mynapoint.confirm_heading")).await;
    assert!(!text(&root).contains("SAKURA0001"), "the ID is masked");
    press(&root, ".buttons button.primary").await;
    press(&root, ".dialog button.primary").await;
    read_card(&root).await;
    // The signed application loads the receipt part, which reads the receipt from the server
    // (mounted here as a page load would: a reload shows the same).
    assert!(
        until(5000, || loaded.get_untracked().as_deref()
            == Some("/mynapoint/receipt"))
        .await,
        "the receipt part was not loaded: {:?} {}",
        loaded.get_untracked(),
        text(&root)
    );
    drop(apply);
    let root = start("ready");
    go("/mynapoint/receipt");
    loaded.set(None);
    let _receipt = mount(&root, move || {
        provide_context(page_load);
        view! { <app::mynapoint::ReceiptApp/> }
    });
    see(&root, &ja("mynapoint.done_heading")).await;
    assert!(
        text(&root).contains(&my_key_id),
        "the badge shows the MyKey ID"
    );
    let receipt = find(&root, ".receipt-number")
        .and_then(|e| e.text_content())
        .unwrap_or_default();
    assert!(!receipt.is_empty(), "a receipt number");
    let masked = app::validate::mask("SAKURA0001");
    assert!(
        text(&root).contains(&masked),
        "the receipt names the ID, masked: {}",
        text(&root)
    );
    assert!(!text(&root).contains("SAKURA0001"));
    // F6 on the same session, then logout.
    press(&root, ".bulk button.primary").await;
    see(&root, &ja("bulk.done")).await;
    see(&root, "マイナンバーカードを取り外してください。").await;
    let buttons = root.query_selector_all("button.primary").expect("buttons");
    let logout = buttons
        .item(buttons.length() - 1)
        .expect("logout")
        .unchecked_into::<web_sys::HtmlElement>();
    // 「ログアウト」 ends the session and loads the start screen (another part: a page load).
    assert_eq!(
        logout.text_content().unwrap_or_default(),
        ja("mynapoint.logout")
    );
    logout.click();
    assert!(
        until(5000, || loaded.get_untracked().as_deref()
            == Some("/mynapoint"))
        .await,
        "logout did not load the start screen: {:?}",
        loaded.get_untracked()
    );
    assert!(
        !app::api::session()
            .await
            .is_ok_and(|session| session.authenticated),
        "the session ended"
    );
}
