//! A labelled field with its hint and its error beside it.
//!
//! The error is where the eye already is (under the input, not in a banner)
//! and is tied to the input by `aria-describedby` with `aria-invalid`, so a
//! screen reader reads it when the field gets focus. The backend says which
//! field an error concerns (`AppError::field`); pages map that name here.

use leptos::prelude::*;

#[component]
pub fn Field(
    /// The id of the input and the stem of its hint's and error's ids
    /// (the error's `data-test` is `error-<id>`).
    #[prop(into)]
    id: String,
    #[prop(into)] label: String,
    value: RwSignal<String>,
    /// One line on what to type, shown under the label.
    #[prop(optional, into)]
    hint: Option<String>,
    /// The problem with what was typed; `None` when there is none.
    #[prop(into)]
    error: Signal<Option<String>>,
    #[prop(optional, into)] placeholder: Option<String>,
    /// The input's `data-test` is `field-<test>`; `field-<id>` without it.
    /// Fields repeated once per card share a name here while their ids
    /// stay unique.
    #[prop(optional)]
    test: Option<&'static str>,
    /// The input's type: `text` unless said, or `date`.
    #[prop(default = "text")]
    kind: &'static str,
    /// What the browser may fill in (`name` for a person's name); nothing
    /// unless said.
    #[prop(default = "off")]
    autocomplete: &'static str,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let has_hint = hint.is_some();
    let described_by = described_by(&id, has_hint, error, None);
    let test = format!("field-{}", test.map_or(id.as_str(), |test| test));
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            {hint.map(|hint| view! { <p class="hint" id=hint_id>{hint}</p> })}
            <input
                id=id.clone()
                name=id.clone()
                type=kind
                autocomplete=autocomplete
                spellcheck="false"
                placeholder=placeholder
                bind:value=value
                aria-invalid=move || error.with(Option::is_some).then_some("true")
                aria-describedby=described_by
                data-test=test
            />
            {error_line(id, error)}
        </div>
    }
}

/// What a field's `aria-describedby` names, so a screen reader reads it
/// with the field: its hint (`<id>-hint`), a nudge (`<id>-nudge`) while
/// it shows, and its error (`<id>-error`) while there is one.
pub fn described_by(
    id: &str,
    has_hint: bool,
    error: Signal<Option<String>>,
    nudge: Option<Signal<bool>>,
) -> impl Fn() -> Option<String> + Send + Sync + use<> {
    let id = id.to_owned();
    move || {
        let mut ids = Vec::new();
        if has_hint {
            ids.push(format!("{id}-hint"));
        }
        if nudge.is_some_and(|nudge| nudge.get()) {
            ids.push(format!("{id}-nudge"));
        }
        if error.with(Option::is_some) {
            ids.push(format!("{id}-error"));
        }
        (!ids.is_empty()).then(|| ids.join(" "))
    }
}

/// A field's error under it, while there is one: `<id>-error`, with the
/// `data-test` `error-<id>`.
pub fn error_line(id: String, error: Signal<Option<String>>) -> impl IntoView {
    move || {
        error.get().map(|message| {
            view! {
                <p class="field-error" id=format!("{id}-error") data-test=format!("error-{id}")>
                    {message}
                </p>
            }
        })
    }
}

/// The backend's refusal held in `error`, as a sentence, when it concerns
/// `field` (`AppError::field`): what a [`Field`] shows beside itself.
pub fn error_for(
    error: RwSignal<Option<portcullis_model::AppError>>,
    field: &'static str,
) -> Signal<Option<String>> {
    Signal::derive(move || {
        error.with(|error| {
            error
                .as_ref()
                .filter(|error| error.field.as_deref() == Some(field))
                .map(|error| crate::text::sentence(&error.message))
        })
    })
}
