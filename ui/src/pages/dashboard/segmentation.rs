//! "Test that your card systems are cut off" (PCI DSS 11.4.5): the
//! merchant says which network this computer is on, Portcullis scans every
//! system in scope from there, and any answer means the separation is
//! broken, named with how to fix it.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portcullis_model::commands::{ScanCancel, SegmentationRun};
use portcullis_model::scan_record::{RunId, ScanUpdate};
use portcullis_model::segmentation::{
    SegmentationAnswer, SegmentationRunInput, SegmentationRunOutcome,
};

use crate::components::progress_bar::ProgressBar;
use crate::components::{Card, Field};
use crate::ipc;
use crate::text::sentence;

/// Where the test stands.
#[derive(Debug, Clone, PartialEq)]
enum Testing {
    Idle,
    Running,
    Done(Box<SegmentationRunOutcome>),
    Failed(String),
}

#[component]
pub fn SegmentationCard(changed: RwSignal<u32>) -> impl IntoView {
    let network = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let state = RwSignal::new(Testing::Idle);
    let run = RwSignal::new(None::<RunId>);
    let done = RwSignal::new((0_u64, 0_u64));
    let start = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if state.get_untracked() == Testing::Running {
            return;
        }
        let request = SegmentationRunInput {
            network: network.get_untracked(),
        };
        error.set(None);
        state.set(Testing::Running);
        done.set((0, 0));
        spawn_local(async move {
            let on_update = move |update: ScanUpdate| {
                run.set(Some(update.run));
                if let Some(progress) = update.progress {
                    done.set((progress.probes_done, progress.probes_total));
                }
            };
            let answer = ipc::stream::<SegmentationRun>(&request, on_update).await;
            run.set(None);
            match answer {
                Ok((outcome, _)) => {
                    state.set(Testing::Done(Box::new(outcome)));
                    changed.update(|count| *count += 1);
                }
                Err(failure) if failure.field.as_deref() == Some("network") => {
                    error.set(Some(sentence(&failure.message)));
                    state.set(Testing::Idle);
                }
                Err(failure) => state.set(Testing::Failed(sentence(&failure.message))),
            }
        });
    };
    let cancel = move |_| {
        if let Some(id) = run.get_untracked() {
            spawn_local(async move {
                let _ = ipc::invoke::<ScanCancel>(&id).await;
            });
        }
    };
    let percent = Signal::derive(move || {
        let (finished, total) = done.get();
        if total == 0 {
            0.0
        } else {
            #[allow(clippy::cast_precision_loss)]
            let share = finished as f64 / total as f64;
            share * 100.0
        }
    });
    view! {
        <Card title="Test that your card systems are cut off">
            <p>
                "If a network of yours is out of scope, such as the guest Wi-Fi or the office, PCI DSS asks you to prove it cannot reach the systems that handle cards (Requirement 11.4.5). Connect this computer to that network, then test from here: Portcullis tries every port of every system in scope, and nothing should answer."
            </p>
            <form class="segmentation-form" data-test="segmentation-form" novalidate=true on:submit=start>
                <Field
                    id="segmentation-network"
                    label="Which network is this computer on now?"
                    hint="The name you know it by, such as \"Guest Wi-Fi\". It goes into the record an assessor reads."
                    value=network
                    error=Signal::derive(move || error.get())
                />
                <div class="actions">
                    <button
                        class="button"
                        type="submit"
                        data-test="segmentation-start"
                        disabled=move || state.get() == Testing::Running
                    >
                        "Test from this network"
                    </button>
                </div>
            </form>
            {move || match state.get() {
                Testing::Idle => ().into_any(),
                Testing::Running => {
                    view! {
                        <ProgressBar
                            label="Testing the separation"
                            percent
                            value_text=Signal::derive(move || {
                                let (finished, total) = done.get();
                                format!("{finished} of {total} probes")
                            })
                        >
                            <button class="button" type="button" data-test="segmentation-cancel" on:click=cancel>
                                "Cancel"
                            </button>
                        </ProgressBar>
                    }
                        .into_any()
                }
                Testing::Failed(message) => {
                    view! { <p class="field-error" role="alert" data-test="segmentation-error">{message}</p> }
                        .into_any()
                }
                Testing::Done(outcome) => outcome_view(*outcome).into_any(),
            }}
        </Card>
    }
}

fn outcome_view(outcome: SegmentationRunOutcome) -> impl IntoView {
    let position = &outcome.evidence.position;
    let from = format!(
        "Tested from \"{}\": interface {}, address {}, gateway {}.",
        outcome.evidence.network,
        position.interface,
        position.address,
        position
            .gateway
            .map_or_else(|| "none found".to_owned(), |gateway| gateway.to_string())
    );
    let more = outcome.evidence.answers_not_listed;
    view! {
        <div class="segmentation-outcome" role="status" data-test="segmentation-outcome" data-passed=outcome.passed.to_string()>
            <p class="outcome-line">{outcome.summary}</p>
            {(!outcome.evidence.answers.is_empty())
                .then(|| {
                    view! {
                        <ul class="answer-list" data-test="segmentation-answers">
                            {outcome.evidence.answers.into_iter().map(answer_item).collect_view()}
                        </ul>
                    }
                })}
            {(more > 0).then(|| view! { <p class="muted">{format!("And {more} more.")}</p> })}
            <p class="muted">{from}</p>
        </div>
    }
}

fn answer_item(answer: SegmentationAnswer) -> impl IntoView {
    let service = answer
        .service
        .map(|service| format!(" ({service})"))
        .unwrap_or_default();
    view! {
        <li data-test="segmentation-answer">
            {format!(
                "{} port {}/{}{service}",
                answer.address,
                answer.port,
                answer.protocol.as_str(),
            )}
        </li>
    }
}
