//! The guided check: seven steps from "how do you take cards" to "where you
//! stand", one screen each, with the steps always in sight.
//!
//! `/wizard` resumes where the merchant left off; `/wizard/<step>` shows a
//! step, once it has been reached. The progress lives in [`WizardState`]
//! and is saved by [`progress`] after every change.

mod business;
mod done;
mod firewall;
mod fix;
mod live_scan;
pub mod progress;
mod review;
mod saq_words;
mod scan;
mod state;
mod systems;
mod verify;

use leptos::html;
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_params_map;
use portcullis_model::wizard::{WizardProgress, WizardStep};

use crate::components::{EmptyState, StepStatus, Stepper, StepperItem};
pub(crate) use fix::{KnownPlatform, PlatformQuestion};
pub(crate) use review::DecisionCard;
pub(crate) use scan::ScanStep;
pub use state::WizardState;

/// Where "Start the guided check" leads: the saved step.
pub const WIZARD_ENTRY: &str = "/wizard";

/// The path of a step's screen.
pub fn step_path(step: WizardStep) -> String {
    format!("{WIZARD_ENTRY}/{}", step.slug())
}

/// The step's name as the stepper and its heading show it.
pub fn step_name(step: WizardStep) -> &'static str {
    match step {
        WizardStep::Business => "Your business",
        WizardStep::Systems => "Your systems",
        WizardStep::Scan => "Scan",
        WizardStep::Review => "Review",
        WizardStep::Fix => "Fix",
        WizardStep::Verify => "Verify",
        WizardStep::Done => "Done",
    }
}

/// `/wizard`: once the saved progress is read, go to its step.
#[component]
pub fn WizardEntry() -> impl IntoView {
    let state = WizardState::from_context();
    move || match state.progress.get() {
        None => loading().into_any(),
        Some(progress) => view! { <Redirect path=step_path(progress.step) /> }.into_any(),
    }
}

/// `/wizard/<step>`: the stepper and the step's screen.
///
/// Each part reads only what it shows through a memo, so an answer saved
/// on a step does not rebuild the step (and take the focus away).
#[component]
pub fn WizardPage() -> impl IntoView {
    let state = WizardState::from_context();
    let params = use_params_map();
    let step = Memo::new(move |_| {
        params.with(|params| {
            params
                .get("step")
                .and_then(|slug| WizardStep::from_slug(&slug))
        })
    });
    let loaded = Memo::new(move |_| state.progress.with(Option::is_some));
    // Opening a reached step makes it the one to resume at.
    Effect::new(move |_| {
        let (Some(step), Some(progress)) = (step.get(), state.progress.get()) else {
            return;
        };
        if progress.step != step && progress.can_open(step) {
            state.update(|progress| progress.step = step);
        }
    });
    move || match (loaded.get(), step.get()) {
        (false, _) => loading().into_any(),
        (true, None) => view! { <Redirect path=WIZARD_ENTRY /> }.into_any(),
        (true, Some(step)) => step_page(state, step).into_any(),
    }
}

fn step_page(state: WizardState, step: WizardStep) -> impl IntoView {
    // A new step takes the focus to its heading, so keyboard and screen
    // reader users start at its top instead of wherever the button that
    // led here was.
    let heading = NodeRef::<html::H1>::new();
    Effect::new(move |_| {
        if let Some(heading) = heading.get() {
            // Focusing an element with a tabindex does not fail.
            let _ = heading.focus();
        }
    });
    let items = Memo::new(move |_| {
        state
            .progress
            .with(|progress| {
                progress
                    .as_ref()
                    .map(|progress| stepper_items(progress, step))
            })
            .unwrap_or_default()
    });
    let can_open = Memo::new(move |_| {
        state.progress.with(|progress| {
            progress
                .as_ref()
                .is_some_and(|progress| progress.can_open(step))
        })
    });
    view! {
        <section class="page wizard" data-test="page" data-page="wizard" data-step=step.slug()>
            <div class="wizard-head">
                <h1 node_ref=heading tabindex="-1">
                    {format!("Step {} of 7: {}", step.number(), step_name(step))}
                </h1>
                <p
                    class="saved-note"
                    data-test="save-state"
                    data-saving=move || if state.saving.get() { "true" } else { "false" }
                >
                    {move || {
                        if state.saving.get() {
                            "Saving your answers…"
                        } else {
                            "Your answers are saved as you go. You can stop at any step and come back."
                        }
                    }}
                </p>
            </div>
            <Stepper label="Steps of the guided check" items=items />
            {move || {
                if can_open.get() {
                    step_body(step)
                } else {
                    not_yet(state.progress.get_untracked().unwrap_or_default()).into_any()
                }
            }}
        </section>
    }
}

fn loading() -> impl IntoView {
    view! { <p class="muted">"Reading your saved answers…"</p> }
}

fn stepper_items(progress: &WizardProgress, current: WizardStep) -> Vec<StepperItem> {
    let furthest = progress.furthest.max(progress.step);
    WizardStep::ALL
        .into_iter()
        .map(|step| StepperItem {
            name: step_name(step),
            href: step_path(step),
            status: if step == current {
                StepStatus::Current
            } else if step < furthest {
                StepStatus::Done
            } else if step == furthest {
                StepStatus::Open
            } else {
                StepStatus::Locked
            },
            test_id: format!("step-{}", step.slug()),
        })
        .collect()
}

/// A step not reached yet, opened by its address: the way to the furthest
/// one reached.
fn not_yet(progress: WizardProgress) -> impl IntoView {
    let furthest = progress.furthest.max(progress.step);
    view! {
        <EmptyState
            title="This step cannot start yet"
            message=format!(
                "Finish the steps before it first. You got as far as \"{}\".",
                step_name(furthest),
            )
        >
            <a class="button primary" href=step_path(furthest)>
                {format!("Go to {}", step_name(furthest))}
            </a>
        </EmptyState>
    }
}

fn step_body(step: WizardStep) -> AnyView {
    match step {
        WizardStep::Business => view! { <business::BusinessStep /> }.into_any(),
        WizardStep::Systems => view! { <systems::SystemsStep /> }.into_any(),
        WizardStep::Scan => view! { <scan::ScanStep /> }.into_any(),
        WizardStep::Review => view! { <review::ReviewStep /> }.into_any(),
        WizardStep::Fix => view! { <fix::FixStep /> }.into_any(),
        WizardStep::Verify => view! { <verify::VerifyStep /> }.into_any(),
        WizardStep::Done => view! { <done::DoneStep /> }.into_any(),
    }
}
