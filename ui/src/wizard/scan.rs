//! Step 3, "Scan": how thorough, what a faster scan needs, and the
//! merchant's word that they may scan these systems, which gates Start.
//!
//! The live view (progress, ports as they are found, Cancel) needs the
//! streaming `scan_start` binding, which is not built yet: Start saves the
//! choice and says plainly that nothing was scanned, rather than pretend.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portcullis_model::commands::{Empty, SystemsList};
use portcullis_model::compliance::System;
use portcullis_model::wizard::{Hosting, ScanDepth, WizardStep};

use super::{WizardState, step_path};
use crate::components::{Card, Choice, ChoiceGroup, ChoiceKind};
use crate::ipc;

#[component]
pub fn ScanStep() -> impl IntoView {
    let state = WizardState::from_context();
    let saved = state.progress.get_untracked().unwrap_or_default();
    let depth = RwSignal::new(saved.scan_depth.unwrap_or_default());
    let shared_hosting = saved
        .business
        .is_some_and(|business| business.hosting == Some(Hosting::Shared));
    let permission = RwSignal::new(false);
    let tried_without_permission = RwSignal::new(false);
    let started = RwSignal::new(false);

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
        started.set(true);
    };

    view! {
        <p class="lead">
            "Portcullis will look for open ports on the systems you listed, the way your ASV's scanner does."
        </p>
        <Targets />
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
        <p class="hint">
            "Faster scans send raw network packets, which needs a permission most programs do not have. On Linux, an administrator grants it once with "
            <code>"sudo setcap cap_net_raw+ep"</code>
            " followed by the path of the Portcullis program. Without it, Portcullis makes ordinary connections: slower, with the same answers. The scan says which way it ran."
        </p>
        {shared_hosting
            .then(|| {
                view! {
                    <p class="notice" data-kind="warning" data-test="shared-hosting-warning">
                        "Your website is on shared hosting: check your host's terms before scanning. Some forbid it, and a scan can get a shared account suspended."
                    </p>
                }
            })}
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
                test_id="scan-permission"
            />
        </ChoiceGroup>
        {move || {
            started
                .get()
                .then(|| {
                    view! {
                        <p class="notice" role="status" data-test="scan-not-built">
                            "Your choice is saved. The live scan view is not part of this version of Portcullis yet, so nothing was scanned."
                        </p>
                    }
                })
        }}
        <div class="actions">
            <a class="button" href=step_path(WizardStep::Systems)>
                "Back"
            </a>
            <button
                class="button primary"
                type="button"
                aria-disabled=move || (!permission.get()).then_some("true")
                on:click=start
                data-test="scan-start"
            >
                "Start the scan"
            </button>
        </div>
    }
}

/// The systems the scan will cover, so nobody scans by surprise.
#[component]
fn Targets() -> impl IntoView {
    let systems = RwSignal::new(None::<Vec<System>>);
    spawn_local(async move {
        let listed = ipc::invoke::<SystemsList>(&Empty::default()).await;
        systems.set(Some(listed.unwrap_or_default()));
    });
    view! {
        <Card title="What will be scanned">
            {move || match systems.get() {
                None => view! { <p class="muted">"Loading your systems…"</p> }.into_any(),
                Some(list) if list.is_empty() => {
                    view! { <p>"No systems yet: go back one step and add one."</p> }.into_any()
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
