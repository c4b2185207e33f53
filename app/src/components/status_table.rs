//! F2's table: whether the card is registered as the health-insurance card, and since when; what
//! the insurer's record links the person to (masked) and the registration's history (issue 14).

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
    let cancelled = status.application == api::ApplicationState::Cancelled;
    let registration = status.registration;
    let expected = status.expected_by.clone().unwrap_or_default();
    let portal_user = status.portal_user.is_some();
    let link = status.link.clone();
    let history = status.history.clone();
    let has_history = !history.is_empty();
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
                                {if cancelled {
                                    tx(|l| td_string!(l, status.cancelled))
                                } else {
                                    tx(|l| td_string!(l, status.not_applied))
                                }}
                                " "
                                <a href=routes::INSURANCE_APPLY>{if cancelled {
                                    tx(|l| td_string!(l, status.apply_again))
                                } else {
                                    tx(|l| td_string!(l, status.apply_now))
                                }}</a>
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
                                Some(api::Registration::Frozen) => view! { <td class="warn">{tx(|l| td_string!(l, status.frozen))}</td> }.into_any(),
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
                {link.map(|link| {
                    let ids = [link.symbol, link.number].into_iter().flatten().collect::<Vec<_>>().join(" ");
                    view! {
                        <tr><th scope="row">{tx(|l| td_string!(l, status.row_insurer))}</th><td>{link.insurer_name}</td></tr>
                        <tr><th scope="row">{tx(|l| td_string!(l, status.row_card_ids))}</th><td class="masked">{ids}</td></tr>
                        {link.as_of.map(|at| view! {
                            <tr><th scope="row">{tx(|l| td_string!(l, status.row_as_of))}</th><td>{format::slashed_date(&at)}</td></tr>
                        })}
                    }
                })}
                <Show when=move || portal_user>
                    <tr>
                        <th scope="row">{tx(|l| td_string!(l, status.row_portal_user))}</th>
                        <td class="ok">{tx(|l| td_string!(l, status.received))}</td>
                    </tr>
                </Show>
            </tbody>
        </table>
        <Show when=move || has_history>
            <h3>{tx(|l| td_string!(l, status.history_heading))}</h3>
            <ul class="history">
                {history.clone().into_iter().map(|entry| view! {
                    <li>
                        <span class="when">{format::slashed(&entry.at)}</span>" "
                        {match entry.event {
                            api::HistoryEvent::Applied => tx(|l| td_string!(l, status.event_applied)),
                            api::HistoryEvent::Linked => tx(|l| td_string!(l, status.event_linked)),
                            api::HistoryEvent::Disputed => tx(|l| td_string!(l, status.event_disputed)),
                            api::HistoryEvent::Cancelled => tx(|l| td_string!(l, status.event_cancelled)),
                            api::HistoryEvent::CertificateRequested => tx(|l| td_string!(l, status.event_certificate)),
                        }}
                        {entry.receipt_number.map(|n| view! { " (" {tx(|l| td_string!(l, status.receipt_number))} ": " {n} ")" })}
                    </li>
                }).collect_view()}
            </ul>
        </Show>
    }
}
