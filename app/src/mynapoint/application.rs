//! F5 up to the signed application: card → MyKey ID → payment service → its input →
//! 「申込確定」; the receipt is the next part's (`super::receipt`).

use leptos::{prelude::*, task::spawn_local};

use crate::{
    api::{self, ApiCode, ApiErrorBody, Service},
    components::{
        api_message, fields::field_message, tx, CardStep, Confirm, Failure, FailureMessage,
        Keyboard, StepHeading, TextField,
    },
    content::{self, Content},
    i18n::*,
    kiosk::{is_terminal, Layout},
    routes::{self, use_go_to},
    validate::{self, Field, PaymentInput},
};

#[derive(Debug, Clone, PartialEq)]
enum ApplyStep {
    /// Asking the server whether the card already logged in (straight from the reservation:
    /// the leaflet reads the card once there, and again only at step 7).
    Starting,
    Card,
    NoReservation,
    Search,
    Results(Vec<Service>),
    Service(Service),
    Terms(Service),
    Input(Service),
    Review {
        service: Service,
        input: PaymentInput,
        confirming: bool,
    },
    /// Step 7: the card signs exactly this application (`api::point_write`), which is then
    /// sent unchanged.
    CardAgain {
        service: Service,
        write: api::Write,
    },
}

/// Whether a refusal of the input step is shown above the form: every one but a field's own,
/// which its field shows (a field this page does not know is shown above as well).
fn point_error_is_general(error: &ApiErrorBody) -> bool {
    error.code != ApiCode::InvalidField || error.invalid_field().is_none()
}

/// The message of a refusal of the application, at the input step: the field's own text when
/// the server named a field of the form, else the refusal's.
fn point_error(error: &ApiErrorBody) -> AnyView {
    match (error.code, error.invalid_field()) {
        (ApiCode::InvalidField, Some(field)) => field_message(field),
        _ => api_message(error),
    }
}

/// A service's four rows.
#[component]
fn ServiceTable(service: Service) -> impl IntoView {
    view! {
        <table class="status-table service">
            <tbody>
                <tr><th scope="row">{tx(|l| td_string!(l, mynapoint.service_name))}</th><td>{service.name}</td></tr>
                <tr><th scope="row">{tx(|l| td_string!(l, mynapoint.category))}</th><td>{service.category}</td></tr>
                <tr><th scope="row">{tx(|l| td_string!(l, mynapoint.payment_method))}</th><td>{service.payment_method}</td></tr>
                <tr><th scope="row">{tx(|l| td_string!(l, mynapoint.registration_number))}</th><td>{service.registration_number}</td></tr>
            </tbody>
        </table>
    }
}

/// F5: login → search → results → service → terms → input → review → card → receipt, then F6.
#[component]
pub fn PointApply() -> impl IntoView {
    let go_to = use_go_to();
    let kiosk = is_terminal();
    let step = RwSignal::new(ApplyStep::Starting);
    let failure = RwSignal::new(None::<Failure>);
    let my_key_id = RwSignal::new(None::<String>);
    let keyword = RwSignal::new(String::new());
    let agreed = RwSignal::new(false);
    let payment_id = RwSignal::new(String::new());
    let security_code = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let field_error = RwSignal::new(None::<Field>);
    let apply_error = RwSignal::new(None::<ApiErrorBody>);
    let focused = RwSignal::new(0u8);
    let checking = RwSignal::new(false);

    let after_login = Callback::new(move |()| {
        spawn_local(async move {
            match api::reservation().await {
                Ok(reservation) => {
                    my_key_id.set(Some(reservation.my_key_id));
                    step.set(ApplyStep::Search);
                }
                Err(error) if error.code == ApiCode::NotFound => step.set(ApplyStep::NoReservation),
                Err(error) => {
                    // Shown by the card step, which offers the way on.
                    failure.set(Some(Failure::Api(error)));
                    step.set(ApplyStep::Card);
                }
            }
        });
    });
    // Only straight from the reservation (「申込へ」, `?continue=1`) does the card's session
    // count; the start screen's 「マイナポイントの申込」 always reads the card (at a terminal
    // the session may still be the previous citizen's).
    let from_reservation = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .is_some_and(|s| s.contains("continue=1"));
    spawn_local(async move {
        if from_reservation && api::session().await.is_ok_and(|s| s.authenticated) {
            after_login.run(());
        } else {
            step.set(ApplyStep::Card);
        }
    });
    let search = move || {
        let q = keyword.get_untracked();
        spawn_local(async move {
            match api::services(&q).await {
                Ok(found) => {
                    // An earlier refusal (a maintenance window since ended) is over.
                    failure.set(None);
                    step.set(ApplyStep::Results(found));
                }
                Err(error) => failure.set(Some(Failure::Api(error))),
            }
        });
    };
    // A refusal of the application (at step 5's check, or after the card at step 7): back to
    // the input, nothing typed lost, the wrong field marked.
    let refused = move |error: ApiErrorBody, service: Service| {
        if error.code == ApiCode::InvalidField {
            field_error.set(error.invalid_field());
        }
        apply_error.set(Some(error));
        step.set(ApplyStep::Input(service));
    };
    let submit_input = move |service: Service| match validate::payment_input(
        &payment_id.get_untracked(),
        &security_code.get_untracked(),
        &phone.get_untracked(),
    ) {
        Ok(input) => {
            field_error.set(None);
            apply_error.set(None);
            // One check at a time: a second press while the provider is asked does nothing.
            if checking.get_untracked() {
                return;
            }
            checking.set(true);
            // Step 5's errors at step 5: the provider and the one-use rule are asked now.
            spawn_local(async move {
                let checked = api::apply_point(
                    api::point_write(&service.registration_number, &input, kiosk),
                    true,
                )
                .await;
                checking.set(false);
                match checked {
                    Ok(_) => step.set(ApplyStep::Review {
                        service,
                        input,
                        confirming: false,
                    }),
                    Err(error) => refused(error, service),
                }
            });
        }
        Err(field) => field_error.set(Some(field)),
    };
    let submit_application = Callback::new(move |()| {
        let ApplyStep::CardAgain { service, write } = step.get_untracked() else {
            return;
        };
        let go_to = go_to.clone();
        spawn_local(async move {
            match api::apply_point(write, false).await {
                Ok(true) => {
                    // The security code is not kept once the application is made; the receipt
                    // part reads the receipt from the server (a reload shows it again).
                    security_code.set(String::new());
                    go_to(routes::MYNAPOINT_RECEIPT);
                }
                Ok(false) => refused(ApiErrorBody::network("unexpected answer"), service),
                Err(error) => refused(error, service),
            }
        });
    });
    view! {
        <h2 class="flow-title">
            {tx(|l| td_string!(l, mynapoint.apply_title))}
            {move || my_key_id.get().map(|id| view! { <span class="my-key-id-badge">{tx(|l| td_string!(l, mynapoint.my_key_id))}": "{id}</span> })}
        </h2>
        {move || match step.get() {
            ApplyStep::Starting => ().into_any(),
            ApplyStep::Card => view! {
                <StepHeading>{tx(|l| td_string!(l, mynapoint.apply_title))}</StepHeading>
                <CardStep service=protocol::maintenance::Scope::Mynapoint submit=tx(|l| td_string!(l, mynapoint.to_input)).into_any() on_login=after_login failure/>
            }
            .into_any(),
            ApplyStep::NoReservation => view! {
                <StepHeading>{tx(|l| td_string!(l, mynapoint.reserve_first))}</StepHeading>
                <a class="button primary" href=routes::MYNAPOINT_RESERVE rel="external">{tx(|l| td_string!(l, top.mynapoint_reserve))}</a>
            }
            .into_any(),
            ApplyStep::Search => search_step(keyword, failure, kiosk, search),
            ApplyStep::Results(found) => results_step(found, step),
            ApplyStep::Service(service) => service_step(service, kiosk, agreed, step),
            ApplyStep::Terms(service) => terms_step(service, agreed, step),
            ApplyStep::Input(service) => input_step(
                service,
                InputFields { payment_id, security_code, phone, field_error, apply_error, focused },
                kiosk,
                checking,
                submit_input,
            ),
            ApplyStep::Review { service, input, confirming } => review_step(service, input, confirming, step, kiosk),
            ApplyStep::CardAgain { write, .. } => view! {
                <StepHeading>{tx(|l| td_string!(l, mynapoint.card_again))}</StepHeading>
                <CardStep service=protocol::maintenance::Scope::Mynapoint submit=tx(|l| td_string!(l, mynapoint.apply_ok)).into_any() on_login=submit_application failure write/>
            }
            .into_any(),
        }}
    }
}

/// Step 4 (検索): the keyword, with the terminal's kana keyboard.
fn search_step(
    keyword: RwSignal<String>,
    failure: RwSignal<Option<Failure>>,
    kiosk: bool,
    search: impl Fn() + Copy + Send + Sync + 'static,
) -> AnyView {
    view! {
        <StepHeading>{tx(|l| td_string!(l, mynapoint.search_heading))}</StepHeading>
        <div class="with-keyboard">
            <form on:submit=move |ev| { ev.prevent_default(); search(); } class:typing=kiosk>
                <TextField id="keyword" label=tx(|l| td_string!(l, mynapoint.keyword)).into_any() value=keyword/>
                <Content name="keyword-hint"/>
                <button type="submit" class="primary">{tx(|l| td_string!(l, mynapoint.search))}</button>
            </form>
            <Show when=move || kiosk><Keyboard layout=Layout::Kana target=keyword field=|l| td_string!(l, mynapoint.keyword)/></Show>
        </div>
        {move || failure.get().map(|failure| view! { <FailureMessage failure/> })}
    }
    .into_any()
}

/// Step 4's results: one service to choose.
fn results_step(found: Vec<Service>, step: RwSignal<ApplyStep>) -> AnyView {
    let chosen = RwSignal::new(None::<usize>);
    let empty = found.is_empty();
    let list = found.clone();
    view! {
            <StepHeading>{tx(|l| td_string!(l, mynapoint.results_heading))}</StepHeading>
            <Show when=move || empty><p>{tx(|l| td_string!(l, mynapoint.no_results))}</p></Show>
            <fieldset class="results">
                <legend>{tx(|l| td_string!(l, mynapoint.results_heading))}</legend>
                {list
                    .into_iter()
                    .enumerate()
                    .map(|(i, service)| view! {
                        <label class="result">
                            <input type="radio" name="service" value=service.registration_number.clone()
                                on:change=move |_| chosen.set(Some(i))/>
                            <span class="name">{service.name.clone()}</span>
                            <span class="category">{service.category.clone()}</span>
                        </label>
                    })
                    .collect_view()}
            </fieldset>
            <div class="buttons">
                <button type="button" on:click=move |_| step.set(ApplyStep::Search)>{tx(|l| td_string!(l, mynapoint.search))}</button>
                <button type="button" class="primary" disabled=move || chosen.get().is_none()
                    on:click=move |_| {
                        if let Some(service) = chosen.get().and_then(|i| found.get(i).cloned()) {
                            step.set(ApplyStep::Service(service));
                        }
                    }>
                    {tx(|l| td_string!(l, mynapoint.select))}
                </button>
            </div>
        }
        .into_any()
}

/// The chosen service's four rows; at the terminal, a service that cannot be applied for there
/// says so.
fn service_step(
    service: Service,
    kiosk: bool,
    agreed: RwSignal<bool>,
    step: RwSignal<ApplyStep>,
) -> AnyView {
    let blocked = kiosk && !service.kiosk_applicable;
    let next = service.clone();
    view! {
            <StepHeading>{tx(|l| td_string!(l, mynapoint.service_heading))}</StepHeading>
            <ServiceTable service/>
            <Show when=move || blocked>
                <p class="error" role="alert">{tx(|l| td_string!(l, mynapoint.kiosk_not_applicable))}</p>
            </Show>
            <div class="buttons">
                <button type="button" on:click=move |_| step.set(ApplyStep::Search)>{tx(|l| td_string!(l, mynapoint.search))}</button>
                <button type="button" class="primary" disabled=blocked
                    on:click=move |_| { agreed.set(false); step.set(ApplyStep::Terms(next.clone())); }>
                    {tx(|l| td_string!(l, mynapoint.next))}
                </button>
            </div>
        }
        .into_any()
}

/// The terms of MyNa Point, agreed to before the input.
fn terms_step(service: Service, agreed: RwSignal<bool>, step: RwSignal<ApplyStep>) -> AnyView {
    view! {
        <StepHeading>{tx(|l| td_string!(l, mynapoint.terms_heading))}</StepHeading>
        <div class="terms" tabindex="0"><Content name=content::mynapoint_terms()/></div>
        <p><a href=routes::TERMS_MYNAPOINT target="_blank" rel="noopener">{tx(|l| td_string!(l, terms.mynapoint_title))}</a></p>
        <Content name="only-one"/>
        <label class="checkbox">
            <input type="checkbox" prop:checked=move || agreed.get() on:change=move |ev| agreed.set(event_target_checked(&ev))/>
            {tx(|l| td_string!(l, mynapoint.terms_agree))}
        </label>
        <button type="button" class="primary" disabled=move || !agreed.get()
            on:click=move |_| step.set(ApplyStep::Input(service.clone()))>
            {tx(|l| td_string!(l, mynapoint.to_input))}
        </button>
    }
    .into_any()
}

/// What the input step types into, and what it marks.
#[derive(Clone, Copy)]
struct InputFields {
    payment_id: RwSignal<String>,
    security_code: RwSignal<String>,
    phone: RwSignal<String>,
    field_error: RwSignal<Option<Field>>,
    apply_error: RwSignal<Option<ApiErrorBody>>,
    /// The field the terminal's keyboard types into (0, 1, 2: the last one touched).
    focused: RwSignal<u8>,
}

/// Step 5 (入力): the payment service's ID, the security code and the phone's last digits,
/// with the field the server or the form found wrong marked.
fn input_step(
    service: Service,
    fields: InputFields,
    kiosk: bool,
    checking: RwSignal<bool>,
    submit_input: impl Fn(Service) + Copy + Send + Sync + 'static,
) -> AnyView {
    let InputFields {
        payment_id,
        security_code,
        phone,
        field_error,
        apply_error,
        focused,
    } = fields;

    // The field the terminal's keyboard types into (the last one touched), and
    // the keyboard its kind needs.
    let keyboard = move || {
        let (target, layout, field): (_, _, fn(Locale) -> &'static str) = match focused.get() {
            1 => (security_code, Layout::Alphanumeric, |l| {
                td_string!(l, mynapoint.security_code)
            }),
            2 => (phone, Layout::Digits, |l| {
                td_string!(l, mynapoint.phone_last4)
            }),
            _ => (payment_id, Layout::Alphanumeric, |l| {
                td_string!(l, mynapoint.payment_service_id)
            }),
        };
        view! { <Keyboard layout target field/> }
    };
    let typing = move |n: u8| kiosk && focused.get() == n;
    view! {
            <StepHeading>{tx(|l| td_string!(l, mynapoint.input_heading))}</StepHeading>
            {move || apply_error.get().filter(point_error_is_general).map(|error| view! {
                <div class="error" role="alert"><p>{point_error(&error)}</p></div>
            })}
            <div class="with-keyboard">
                <form on:submit=move |ev| { ev.prevent_default(); submit_input(service.clone()); }>
                    <div on:focusin=move |_| focused.set(0) class:typing=move || typing(0)>
                        <TextField id="payment-service-id" label=tx(|l| td_string!(l, mynapoint.payment_service_id)).into_any() value=payment_id check=(Field::PaymentServiceId, field_error)/>
                    </div>
                    <div on:focusin=move |_| focused.set(1) class:typing=move || typing(1)>
                        <TextField id="security-code" label=tx(|l| td_string!(l, mynapoint.security_code)).into_any() value=security_code check=(Field::SecurityCode, field_error)/>
                    </div>
                    <div on:focusin=move |_| focused.set(2) class:typing=move || typing(2)>
                        <TextField id="phone-last4" numeric=true label=tx(|l| td_string!(l, mynapoint.phone_last4)).into_any() value=phone check=(Field::PhoneLast4, field_error)/>
                    </div>
                    <Content name="phone-hint"/>
                    <button type="submit" class="primary" disabled=move || checking.get()>{tx(|l| td_string!(l, mynapoint.check))}</button>
                </form>
                <Show when=move || kiosk>{keyboard}</Show>
            </div>
        }
        .into_any()
}

/// Step 6 (確認): the service and the masked input, then 「申込確定」.
fn review_step(
    service: Service,
    input: PaymentInput,
    confirming: bool,
    step: RwSignal<ApplyStep>,
    kiosk: bool,
) -> AnyView {
    let (s2, i2) = (service.clone(), input.clone());
    let (s3, i3) = (service.clone(), input.clone());
    let back = service.clone();
    let masked = validate::mask(&input.payment_service_id);
    let phone = input.phone_last4.clone().unwrap_or_default();
    view! {
            <StepHeading>{tx(|l| td_string!(l, mynapoint.confirm_heading))}</StepHeading>
            <ServiceTable service/>
            <dl class="review">
                <dt>{tx(|l| td_string!(l, mynapoint.payment_service_id))}</dt><dd>{masked}</dd>
                <dt>{tx(|l| td_string!(l, mynapoint.phone_last4))}</dt><dd>{phone}</dd>
            </dl>
            <div class="buttons">
                <button type="button" on:click=move |_| step.set(ApplyStep::Input(back.clone()))>{tx(|l| td_string!(l, apply.back))}</button>
                <button type="button" class="primary"
                    on:click=move |_| step.set(ApplyStep::Review { service: s2.clone(), input: i2.clone(), confirming: true })>
                    {tx(|l| td_string!(l, mynapoint.apply))}
                </button>
            </div>
            <Show when=move || confirming>
                <Confirm
                    text=tx(|l| td_string!(l, mynapoint.confirm_apply)).into_any()
                    ok=tx(|l| td_string!(l, mynapoint.apply_ok)).into_any()
                    on_ok=Callback::new({
                        let (service, input) = (s3.clone(), i3.clone());
                        move |()| step.set(ApplyStep::CardAgain {
                            write: api::point_write(&service.registration_number, &input, kiosk),
                            service: service.clone(),
                        })
                    })
                    on_cancel=Callback::new({
                        let (service, input) = (s3.clone(), i3.clone());
                        move |()| step.set(ApplyStep::Review { service: service.clone(), input: input.clone(), confirming: false })
                    })
                />
            </Show>
        }
        .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(code: ApiCode, field: Option<&str>) -> ApiErrorBody {
        ApiErrorBody {
            field: field.map(str::to_owned),
            ..ApiErrorBody::new(code, "")
        }
    }

    #[test]
    fn a_field_the_page_does_not_know_is_not_left_unsaid() {
        assert!(!point_error_is_general(&refusal(
            ApiCode::InvalidField,
            Some("paymentServiceId")
        )));
        assert!(point_error_is_general(&refusal(
            ApiCode::InvalidField,
            Some("somethingNew")
        )));
        assert!(point_error_is_general(&refusal(
            ApiCode::InvalidField,
            None
        )));
        assert!(point_error_is_general(&refusal(
            ApiCode::ProviderRejected,
            None
        )));
    }
}
