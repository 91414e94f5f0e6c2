//! Step 3, "Scan": what will be scanned, what may spoil the result and
//! which scan method will run (the backend's readiness check, in its
//! words), how thorough, and the merchant's word that they may scan these
//! systems, which gates Start.
//!
//! Start saves the choice and hands over to the live view
//! (`live_scan.rs`), which plans the guided scan and follows it. From then
//! on the choices shrink to one line: they cannot change a scan that runs,
//! the live view is what the merchant watches, and a short page keeps the
//! window's memory down while the scan streams (about 10 MiB of WebKit's
//! painting, measured with `cargo xtask bench app`).

use leptos::prelude::*;
use leptos::task::spawn_local;
use portcullis_model::AppError;
use portcullis_model::commands::{Empty, ScanReadiness, SystemsList};
use portcullis_model::compliance::System;
use portcullis_model::guided::{Readiness, ReadinessNote};
use portcullis_model::wizard::{ScanDepth, WizardStep};

use super::live_scan::LiveScanView;
use super::{WizardState, step_path};
use crate::components::{Card, Choice, ChoiceGroup, ChoiceKind};
use crate::ipc;

#[component]
pub fn ScanStep(
    /// Where "Back" leads: the Systems step in the guided check; the
    /// Scans page when a scan is started from there.
    #[prop(optional)]
    back: Option<&'static str>,
) -> impl IntoView {
    let back = back.map_or_else(|| step_path(WizardStep::Systems), str::to_owned);
    let state = WizardState::from_context();
    let saved = state.progress.get_untracked().unwrap_or_default();
    let depth = RwSignal::new(saved.scan_depth.unwrap_or_default());
    let permission = RwSignal::new(false);
    let tried_without_permission = RwSignal::new(false);
    // The depth of the scan started from this screen, once started.
    let started = RwSignal::new(None::<ScanDepth>);

    let permission_error = Signal::derive(move || {
        (tried_without_permission.get() && !permission.get()).then(|| {
            "Tick this box first: scan only systems you own or have written permission to scan."
                .to_owned()
        })
    });
    let start = move |_| {
        if !permission.get_untracked() {
            tried_without_permission.set(true);
            return;
        }
        let chosen = depth.get_untracked();
        state.update(|progress| progress.scan_depth = Some(chosen));
        started.set(Some(chosen));
    };

    let systems = RwSignal::new(None::<Vec<System>>);
    spawn_local(async move {
        let listed = ipc::invoke::<SystemsList>(&Empty::default()).await;
        systems.set(Some(listed.unwrap_or_default()));
    });

    view! {
        <Show
            when=move || started.get().is_none()
            fallback=move || {
                started.get().map(|depth| view! { <RunningSummary depth systems /> })
            }
        >
            <p class="lead">
                "Portcullis will look for open ports on the systems you listed, the way your ASV's scanner does."
            </p>
            <p class="muted" data-test="scan-or-import">
                "Your ASV's report already says what failed? "
                <a href="/reports">"Bring it in"</a>
                " and walk through what it found instead."
            </p>
            <Targets systems />
            <ChoiceGroup id="scan-depth" legend="How thorough should the scan be?">
                <Choice
                    kind=ChoiceKind::Radio
                    name="scan-depth"
                    title="Quick scan"
                    detail="The 1,000 most common ports on each system. A few minutes; good for a first look."
                    checked=Signal::derive(move || depth.get() == ScanDepth::Quick)
                    on_change=move |_| depth.set(ScanDepth::Quick)
                    test_id="scan-quick"
                />
                <Choice
                    kind=ChoiceKind::Radio
                    name="scan-depth"
                    title="Full scan"
                    detail="Every TCP port and the common UDP ports. Takes longer; it is what your ASV's scan looks at."
                    checked=Signal::derive(move || depth.get() == ScanDepth::Full)
                    on_change=move |_| depth.set(ScanDepth::Full)
                    test_id="scan-full"
                />
            </ChoiceGroup>
            <BeforeYouStart />
            <ChoiceGroup
                id="scan-permission"
                legend="Permission to scan"
                error=permission_error
            >
                <Choice
                    kind=ChoiceKind::Checkbox
                    name="scan-permission"
                    title="I own these systems, or have written permission to scan them"
                    detail="Scanning systems without permission can break the law and your provider's terms."
                    checked=permission
                    on_change=move |ticked| permission.set(ticked)
                    test_id="permission-box"
                />
            </ChoiceGroup>
        </Show>
        {move || started.get().map(|depth| view! { <LiveScanView depth /> })}
        <div class="actions">
            <a class="button" href=back>
                "Back"
            </a>
            <Show when=move || started.get().is_none()>
                <button
                    class="button primary"
                    type="button"
                    aria-disabled=move || (!permission.get()).then_some("true")
                    on:click=start
                    data-test="scan-start"
                >
                    "Start the scan"
                </button>
            </Show>
        </div>
    }
}

/// The systems the scan will cover, so nobody scans by surprise.
#[component]
fn Targets(systems: RwSignal<Option<Vec<System>>>) -> impl IntoView {
    view! {
        <Card title="What will be scanned">
            {move || match systems.get() {
                None => view! { <p class="muted">"Loading your systems…"</p> }.into_any(),
                Some(list) if list.is_empty() => {
                    view! {
                        <p data-test="scan-targets-empty">
                            "No systems yet: go back one step and add one."
                        </p>
                    }
                        .into_any()
                }
                Some(list) => {
                    view! {
                        <ul data-test="scan-targets">
                            {list
                                .into_iter()
                                .map(|system| {
                                    view! {
                                        <li>
                                            <strong>{system.name}</strong>
                                            " – "
                                            {system.addresses.join(", ")}
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                        .into_any()
                }
            }}
        </Card>
    }
}

/// The running scan's choices in one line ("A full scan of 3 systems"),
/// with the systems a click away.
#[component]
fn RunningSummary(depth: ScanDepth, systems: RwSignal<Option<Vec<System>>>) -> impl IntoView {
    let shown = RwSignal::new(false);
    let count = move || systems.with(|list| list.as_ref().map_or(0, Vec::len));
    view! {
        <p class="lead" data-test="scan-summary">
            {move || running_words(depth, count())}
            " "
            <button
                class="button quiet"
                type="button"
                aria-expanded=move || shown.get().to_string()
                aria-controls="scan-summary-targets"
                on:click=move |_| shown.update(|shown| *shown = !*shown)
                data-test="scan-summary-toggle"
            >
                {move || if shown.get() { "Hide the systems" } else { "Show the systems" }}
            </button>
        </p>
        <div id="scan-summary-targets">
            <Show when=move || shown.get()>
                <Targets systems />
            </Show>
        </div>
    }
}

/// "A full scan of 3 systems."
fn running_words(depth: ScanDepth, systems: usize) -> String {
    let kind = match depth {
        ScanDepth::Quick => "quick",
        ScanDepth::Full => "full",
    };
    let systems = match systems {
        1 => "1 system".to_owned(),
        many => format!("{many} systems"),
    };
    format!("A {kind} scan of {systems}.")
}

/// What may spoil the result and which scan method will run, as the
/// backend's readiness check says it.
#[component]
fn BeforeYouStart() -> impl IntoView {
    let readiness = RwSignal::new(None::<Result<Readiness, AppError>>);
    spawn_local(async move {
        readiness.set(Some(ipc::invoke::<ScanReadiness>(&Empty::default()).await));
    });
    view! {
        <Card title="Before you start">
            {move || match readiness.get() {
                None => view! { <p class="muted">"Checking what may affect the scan…"</p> }.into_any(),
                Some(Err(error)) => {
                    view! {
                        <p class="form-error" role="alert">
                            "Portcullis could not check what may affect the scan: "
                            {error.message}
                        </p>
                    }
                        .into_any()
                }
                Some(Ok(readiness)) => readiness_view(readiness).into_any(),
            }}
        </Card>
    }
}

fn readiness_view(readiness: Readiness) -> impl IntoView {
    let Readiness { method, notes } = readiness;
    view! {
        <p data-test="scan-method">{method.sentence}</p>
        {method.how_to_grant.map(|how| view! { <p class="hint">{how}</p> })}
        {(!notes.is_empty())
            .then(|| {
                view! {
                    <ul class="readiness-notes" data-test="readiness-notes">
                        {notes.into_iter().map(note_view).collect_view()}
                    </ul>
                }
            })}
    }
}

fn note_view(note: ReadinessNote) -> impl IntoView {
    let about = note.system.unwrap_or_else(|| "All your systems".to_owned());
    view! {
        <li>
            <strong>{about}</strong>
            ": "
            {note.message}
        </li>
    }
}
