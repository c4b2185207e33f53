//! F2's table: whether the card is registered as the health-insurance card, and since when.

use leptos::prelude::*;

use super::text::tx;
use crate::{
    api::{self, InsuranceStatus},
    format,
    i18n::*,
    routes,
};

/// The F2 table: the third row only when the user opted in.
#[component]
pub fn StatusTable(status: InsuranceStatus) -> impl IntoView {
    let i18n = use_i18n();
    let applied = status.application == api::ApplicationState::Received;
    let registration = status.registration;
    let expected = status.expected_by.clone().unwrap_or_default();
    let portal_user = status.portal_user.is_some();
    view! {
        <table class="status-table">
            <tbody>
                <tr>
                    <th scope="row">{tx(|l| td_string!(l, status.row_application))}</th>
                    <td class=if applied { "ok" } else { "todo" }>
                        {if applied {
                            tx(|l| td_string!(l, status.received)).into_any()
                        } else {
                            view! {
                                {tx(|l| td_string!(l, status.not_applied))}
                                " "
                                <a href=routes::INSURANCE_APPLY>{tx(|l| td_string!(l, status.apply_now))}</a>
                            }
                            .into_any()
                        }}
                    </td>
                </tr>
                <Show when=move || applied>
                    <tr>
                        <th scope="row">{tx(|l| td_string!(l, status.row_registration))}</th>
                        {
                            let expected = expected.clone();
                            match registration {
                                Some(api::Registration::Completed) => view! { <td class="ok">{tx(|l| td_string!(l, status.completed))}</td> }.into_any(),
                                Some(api::Registration::ContactInsurer) => view! { <td class="warn">{tx(|l| td_string!(l, status.contact_insurer))}</td> }.into_any(),
                                Some(api::Registration::Preparing) | None => {
                                    let month = StoredValue::new(expected.clone());
                                    let date = move || month.with_value(|m| format::month(m, i18n.get_locale() == Locale::ja));
                                    view! {
                                        <td class="warn">
                                            {t!(i18n, status.preparing, date)}
                                            <ul class="notes">
                                                <li>{t!(i18n, status.note_check, date)}</li>
                                                <li>{tx(|l| td_string!(l, status.note_where))}</li>
                                            </ul>
                                        </td>
                                    }
                                    .into_any()
                                }
                            }
                        }
                    </tr>
                </Show>
                <Show when=move || portal_user>
                    <tr>
                        <th scope="row">{tx(|l| td_string!(l, status.row_portal_user))}</th>
                        <td class="ok">{tx(|l| td_string!(l, status.received))}</td>
                    </tr>
                </Show>
            </tbody>
        </table>
    }
}
