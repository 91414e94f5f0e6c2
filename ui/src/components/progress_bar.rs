//! Progress of anything that takes longer than a moment. A real
//! `role=progressbar` with its value, so a screen reader can ask how far it
//! is, and a slot beside it for the Cancel button every long task offers.

use leptos::prelude::*;

#[component]
pub fn ProgressBar(
    /// What is progressing, read out with the value ("Scanning").
    #[prop(into)]
    label: String,
    /// Percent done, 0 to 100.
    #[prop(into)]
    percent: Signal<f64>,
    /// Words for the value ("512 of 1,000 ports"), if a number alone says
    /// too little.
    #[prop(optional, into)]
    value_text: Option<Signal<String>>,
    /// The Cancel button.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let clamped = move || percent.get().clamp(0.0, 100.0);
    view! {
        <div class="progress">
            <div
                class="progress-track"
                role="progressbar"
                aria-label=label
                aria-valuemin="0"
                aria-valuemax="100"
                aria-valuenow=move || format!("{:.0}", clamped())
                aria-valuetext=move || value_text.map(|text| text.get())
                data-test="progress"
            >
                <div class="progress-fill" style:width=move || format!("{}%", clamped())></div>
            </div>
            {children.map(|children| children())}
        </div>
    }
}
