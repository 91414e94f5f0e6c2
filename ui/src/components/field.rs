//! A labelled text field with its hint and its error beside it.
//!
//! The error is where the eye already is (under the input, not in a banner)
//! and is tied to the input by `aria-describedby` with `aria-invalid`, so a
//! screen reader reads it when the field gets focus. The backend says which
//! field an error concerns (`AppError::field`); pages map that name here.

use leptos::prelude::*;

#[component]
pub fn Field(
    /// The id of the input; also its `data-test` (`field-<id>`) and the
    /// stem of its hint's and error's ids.
    id: &'static str,
    #[prop(into)] label: String,
    value: RwSignal<String>,
    /// One line on what to type, shown under the label.
    #[prop(optional, into)]
    hint: Option<String>,
    /// The problem with what was typed; `None` when there is none.
    #[prop(into)]
    error: Signal<Option<String>>,
    #[prop(optional, into)] placeholder: Option<String>,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let has_hint = hint.is_some();
    let described_by = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || {
            let ids: Vec<&str> = [
                has_hint.then_some(hint_id.as_str()),
                error.with(Option::is_some).then_some(error_id.as_str()),
            ]
            .into_iter()
            .flatten()
            .collect();
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field">
            <label for=id>{label}</label>
            {hint.map(|hint| view! { <p class="hint" id=hint_id.clone()>{hint}</p> })}
            <input
                id=id
                name=id
                type="text"
                autocomplete="off"
                spellcheck="false"
                placeholder=placeholder
                bind:value=value
                aria-invalid=move || error.with(Option::is_some).then_some("true")
                aria-describedby=described_by
                data-test=format!("field-{id}")
            />
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
        </div>
    }
}
