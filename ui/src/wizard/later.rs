//! Steps whose work has not been built yet say what they will do and what
//! brings them, and offer the way back, instead of controls that do
//! nothing.

use leptos::prelude::*;
use portcullis_model::wizard::WizardStep;

use super::{step_name, step_path};
use crate::components::EmptyState;

#[component]
pub fn LaterStep(step: WizardStep) -> impl IntoView {
    let purpose = match step {
        WizardStep::Scan => {
            "Choose a quick or a full scan, confirm that you may scan these systems, and watch the open ports appear as they are found."
        }
        WizardStep::Review => {
            "Each open port as a card: what it is, what your ASV scan will say about it, and your answer: \"we need this\" or \"we don't\"."
        }
        WizardStep::Fix => {
            "For each port to close, the steps for your system with buttons to copy them, and the firewall rules for the ports you keep."
        }
        WizardStep::Verify => {
            "A new scan of exactly what you fixed: each item turns green, or says in words what is still wrong."
        }
        _ => "Where you stand, what to do next and when, and the documents your assessor asks for.",
    };
    let back = step.previous().unwrap_or(WizardStep::Business);
    view! {
        <p class="lead">{purpose}</p>
        <EmptyState
            title="Not built yet"
            message="This step is not part of this version of Portcullis yet."
        >
            <a class="button" href=step_path(back)>
                {format!("Back to {}", step_name(back))}
            </a>
        </EmptyState>
    }
}
