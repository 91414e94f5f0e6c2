//! The first page a new user sees: what Portcullis will walk them through,
//! and one obvious button to begin (or go on with) the guided check.

use leptos::prelude::*;

use portcullis_model::wizard::WizardStep;

use crate::components::{Badge, BadgeLevel};
use crate::wizard::{WIZARD_ENTRY, WizardState, step_name};

#[component]
pub fn StartPage() -> impl IntoView {
    let state = WizardState::from_context();
    // Where a returning merchant stopped; `None` before the first answer.
    let resume_at = Memo::new(move |_| {
        state.progress.with(|progress| {
            progress
                .as_ref()
                .map(|progress| progress.step)
                .filter(|step| *step != WizardStep::Business)
        })
    });
    let button_words = move || match resume_at.get() {
        Some(step) => format!(
            "Continue the guided check: step {}, {}",
            step.number(),
            step_name(step)
        ),
        None => "Start the guided check".to_owned(),
    };
    view! {
        <section class="page" data-test="page" data-page="nav-start">
            <h1>"Welcome to Portcullis"</h1>
            <p class="lead">
                "Portcullis helps you find every open port on your systems, decide which ones your business really needs, close the rest, and keep the proof an assessor asks for."
            </p>
            <div class="card highlight">
                <h2 class="card-title">"Start here"</h2>
                <p>
                    "The guided check asks about your business, finds your open ports and walks you through fixing them, one step at a time. Your answers are saved as you go, so you can stop and come back."
                </p>
                <a class="button primary" href=WIZARD_ENTRY data-test="start-wizard">
                    {button_words}
                </a>
            </div>
            <h2>"What the guided check does"</h2>
            <ol class="steps">
                <li>
                    <strong>"Scan"</strong>
                    " – find out which ports are open on your systems."
                </li>
                <li>
                    <strong>"Review"</strong>
                    " – for each open port, say why your business needs it, or mark it for closing."
                </li>
                <li>
                    <strong>"Fix"</strong>
                    " – follow step-by-step instructions to close what is not needed."
                </li>
                <li>
                    <strong>"Verify"</strong>
                    " – scan again to prove the port is closed, and keep the evidence."
                </li>
            </ol>
            <h2>"What you will be told about each open port"</h2>
            <ul class="verdict-legend">
                <li>
                    <Badge level=BadgeLevel::Fail />
                    " Your quarterly ASV scan will fail until it is closed or fixed."
                </li>
                <li>
                    <Badge level=BadgeLevel::NeedsReason />
                    " Allowed if you write down why your business needs it, and who approved it."
                </li>
                <li>
                    <Badge level=BadgeLevel::Fine />
                    " Nothing to do."
                </li>
            </ul>
        </section>
    }
}
