//! The list of the wizard's steps, always in sight: where the merchant is,
//! what is done, and what cannot start yet, in words as well as colour.
//!
//! An ordered list (`<ol>`), the current step marked `aria-current="step"`,
//! and every step already reached a link, so it can be reopened by Tab and
//! Enter; steps not reached are plain text, not disabled links that
//! keyboard users would stop on for nothing.

use leptos::prelude::*;

/// Where a step stands, as the merchant is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepStatus {
    Done,
    Current,
    /// Reached before, not finished.
    Open,
    /// Not reached yet: an earlier step must be finished first.
    Locked,
}

impl StepStatus {
    fn words(self) -> &'static str {
        match self {
            StepStatus::Done => "Done",
            StepStatus::Current => "You are here",
            StepStatus::Open => "Not finished",
            StepStatus::Locked => "Cannot start yet",
        }
    }

    fn key(self) -> &'static str {
        match self {
            StepStatus::Done => "done",
            StepStatus::Current => "current",
            StepStatus::Open => "open",
            StepStatus::Locked => "locked",
        }
    }
}

/// One step as the stepper shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepperItem {
    pub name: &'static str,
    pub href: String,
    pub status: StepStatus,
    /// The `data-test` of the step, for the end-to-end tests.
    pub test_id: String,
}

#[component]
pub fn Stepper(
    /// What the steps are of, for the list's accessible name.
    #[prop(into)]
    label: String,
    #[prop(into)] items: Signal<Vec<StepperItem>>,
) -> impl IntoView {
    view! {
        <nav aria-label=label>
            <ol class="stepper" data-test="stepper">
                {move || items.get().into_iter().map(step_view).collect_view()}
            </ol>
        </nav>
    }
}

fn step_view(item: StepperItem) -> impl IntoView {
    let StepperItem {
        name,
        href,
        status,
        test_id,
    } = item;
    let body = move || {
        view! {
            <span class="step-name">{name}</span>
            <span class="step-status">{status.words()}</span>
        }
    };
    let current = (status == StepStatus::Current).then_some("step");
    let view = if status == StepStatus::Locked {
        view! {
            <span class="step" data-status=status.key() data-test=test_id>
                {body()}
            </span>
        }
        .into_any()
    } else {
        view! {
            <a
                class="step"
                href=href
                aria-current=current
                data-status=status.key()
                data-test=test_id
            >
                {body()}
            </a>
        }
        .into_any()
    };
    view! { <li>{view}</li> }
}
