//! A question answered by ticking boxes or picking one option: a fieldset
//! whose legend is the question, each option a large labelled target with a
//! line of explanation, and the group's error beside it.
//!
//! Native checkboxes and radios, so Tab, Space and the arrow keys work as
//! everywhere else; the error is tied to the group by `aria-describedby`.

use leptos::prelude::*;

/// Tick any number, or pick exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChoiceKind {
    Checkbox,
    Radio,
}

#[component]
pub fn ChoiceGroup(
    /// The group's id: the stem of its error's id and its `data-test`.
    id: &'static str,
    /// The question.
    #[prop(into)]
    legend: String,
    /// Why the answer is not accepted; none when it is.
    #[prop(optional, into)]
    error: MaybeProp<String>,
    /// Drawn indented, as a follow-up to the option above it.
    #[prop(optional)]
    nested: bool,
    /// Options side by side, two to a row, where a page must fit a screen;
    /// a nested group among them takes a whole row.
    #[prop(optional)]
    columns: bool,
    children: Children,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let described_by = {
        let error_id = error_id.clone();
        move || error.get().is_some().then(|| error_id.clone())
    };
    view! {
        <fieldset class="choices" class:nested=nested aria-describedby=described_by data-test=id>
            <legend>{legend}</legend>
            {move || {
                error
                    .get()
                    .map(|message| {
                        view! {
                            <p class="field-error" id=error_id.clone() data-test=format!("error-{id}")>
                                {message}
                            </p>
                        }
                    })
            }}
            <div class:choice-grid=columns>{children()}</div>
        </fieldset>
    }
}

#[component]
pub fn Choice(
    kind: ChoiceKind,
    /// The `name` shared by a group of radios.
    name: &'static str,
    #[prop(into)] title: String,
    #[prop(into)] detail: String,
    #[prop(into)] checked: Signal<bool>,
    /// Called with the new state when the person ticks or unticks.
    on_change: impl Fn(bool) + 'static,
    #[prop(into)] test_id: String,
) -> impl IntoView {
    let kind = match kind {
        ChoiceKind::Checkbox => "checkbox",
        ChoiceKind::Radio => "radio",
    };
    view! {
        <label class="choice">
            <input
                type=kind
                name=name
                prop:checked=checked
                on:change=move |event| on_change(event_target_checked(&event))
                data-test=test_id
            />
            <span class="choice-text">
                <strong>{title}</strong>
                <span>{detail}</span>
            </span>
        </label>
    }
}
