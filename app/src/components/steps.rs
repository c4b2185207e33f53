//! The step heading (focused when it appears, so screen readers announce each step) and the
//! step bar 「ステップ1 ステップ2 完了」.

use leptos::{html, prelude::*};

use super::text::tx;
use crate::i18n::*;

/// A heading that takes the focus when it appears, so that screen readers announce each step.
#[component]
pub fn StepHeading(children: Children) -> impl IntoView {
    let heading = NodeRef::<html::H1>::new();
    Effect::new(move |_| {
        if let Some(element) = heading.get() {
            let _ = element.focus();
        }
    });
    view! { <h1 node_ref=heading tabindex="-1">{children()}</h1> }
}

/// A section's heading (`h3`) that takes the focus when it appears: a step opened within a
/// screen (the cancellation's explanation, its confirmation) is scrolled to and announced.
#[component]
pub fn SectionHeading(children: Children) -> impl IntoView {
    let heading = NodeRef::<html::H3>::new();
    Effect::new(move |_| {
        if let Some(element) = heading.get() {
            // At the top of the view, not just inside it: what follows the heading is the step.
            element.scroll_into_view();
            let _ = element.focus();
        }
    });
    view! { <h3 node_ref=heading tabindex="-1">{children()}</h3> }
}

/// 「ステップ1 ステップ2 完了」 with the current one marked.
#[component]
pub fn StepBar(current: usize) -> impl IntoView {
    let i18n = use_i18n();
    let item = move |index: usize, label: AnyView| {
        let state = match index.cmp(&current) {
            std::cmp::Ordering::Less => "done",
            std::cmp::Ordering::Equal => "current",
            std::cmp::Ordering::Greater => "todo",
        };
        view! {
            <li class=state aria-current=(index == current).then_some("step")>{label}</li>
        }
    };
    view! {
        <ol class="step-bar" aria-label=move || t_string!(i18n, steps.label).to_string()>
            {item(0, tx(|l| td_string!(l, steps.step1)).into_any())}
            {item(1, tx(|l| td_string!(l, steps.step2)).into_any())}
            {item(2, tx(|l| td_string!(l, steps.done)).into_any())}
        </ol>
    }
}
