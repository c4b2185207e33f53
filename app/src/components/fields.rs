//! A form field with its label and its error (at the terminal the on-screen keyboard types;
//! the system's stays away).

use leptos::prelude::*;

use super::text::tx;
use crate::{i18n::*, kiosk::is_terminal, validate::Field};

/// A labelled text field bound to a signal.
#[component]
pub fn TextField(
    id: &'static str,
    label: AnyView,
    value: RwSignal<String>,
    #[prop(optional)] numeric: bool,
    /// The field this input is, and the signal naming the field in error.
    #[prop(optional)]
    check: Option<(Field, RwSignal<Option<Field>>)>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let described = error_id.clone();
    let wrong = move || check.is_some_and(|(field, error)| error.get() == Some(field));
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input id=id name=id type="text" autocomplete="off"
                // At the terminal the on-screen keyboard types; the system's stays away.
                inputmode=if is_terminal() { "none" } else if numeric { "numeric" } else { "text" }
                aria-describedby=described
                aria-invalid=move || wrong().then_some("true")
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))/>
            <p class="field-error" id=error_id role="alert">
                {move || check.filter(|_| wrong()).map(|(field, _)| field_message(field))}
            </p>
        </div>
    }
}

/// The message of a payment-input field the server or the form found wrong.
pub fn field_message(field: Field) -> AnyView {
    match field {
        Field::PaymentServiceId => {
            tx(|l| td_string!(l, mynapoint.invalid_payment_service_id)).into_any()
        }
        Field::SecurityCode => tx(|l| td_string!(l, mynapoint.invalid_security_code)).into_any(),
        Field::PhoneLast4 => tx(|l| td_string!(l, mynapoint.invalid_phone_last4)).into_any(),
    }
}
