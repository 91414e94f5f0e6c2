//! Step 7, "Done": where the merchant stands, led by the backend's one
//! sentence ("2 ports will still fail your ASV scan."), then the verdict
//! overall and per system with the reasons, and what to do next and when.
//!
//! The port inventory (PCI DSS 1.2.5) opens here as a table, the document
//! an assessor asks for first; the printable documents and the report come
//! with the documents issue, and until then the step says so in one line.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use portcullis_model::AppError;
use portcullis_model::commands::{Empty, InventoryList, StatusCommand, SystemsList};
use portcullis_model::compliance::{InventoryEntry, OverallStatus, System, SystemStatus};
use portcullis_model::dashboard::{NextStep, StatusReport};
use portcullis_model::wizard::WizardStep;

use super::{WizardState, step_path};
use crate::components::{Badge, BadgeLevel, DataTable};
use crate::ipc;
use crate::text::sentence;

#[component]
pub fn DoneStep() -> impl IntoView {
    let state = WizardState::from_context();
    let report = RwSignal::new(None::<Result<StatusReport, AppError>>);
    spawn_local(async move {
        report.set(Some(ipc::invoke::<StatusCommand>(&Empty::default()).await));
    });
    let navigate = use_navigate();
    let again = move |_| {
        state.go_to(WizardStep::Systems);
        navigate(&step_path(WizardStep::Systems), Default::default());
    };
    view! {
        {move || match report.get() {
            None => view! { <p class="muted">"Working out where you stand…"</p> }.into_any(),
            Some(Err(error)) => {
                view! {
                    <p class="form-error" role="alert">
                        "Where you stand could not be worked out. "
                        {sentence(&error.message)}
                    </p>
                }
                    .into_any()
            }
            Some(Ok(report)) => report_view(report).into_any(),
        }}
        <InventoryDocument />
        <p class="notice" data-test="done-documents-note">
            "Save a printable inventory and the report for your assessor on "
            <a href="/reports">"the Reports page"</a>
            "."
        </p>
        <div class="actions">
            <a class="button" href=step_path(WizardStep::Verify)>
                "Back"
            </a>
            <button class="button" type="button" on:click=again data-test="done-again">
                "Start again for a new system"
            </button>
        </div>
    }
}

fn report_view(report: StatusReport) -> impl IntoView {
    let StatusReport {
        headline,
        status,
        next_steps,
        ..
    } = report;
    let OverallStatus {
        verdict,
        reasons,
        systems,
    } = status;
    view! {
        <p class="headline" data-test="done-headline">{headline}</p>
        <section class="card" data-test="done-overall">
            <h2 class="card-title">"Overall"</h2>
            <Badge level=BadgeLevel::from(verdict) />
            {reason_list(reasons)}
        </section>
        {(!systems.is_empty())
            .then(|| {
                view! {
                    <section class="card" data-test="done-systems">
                        <h2 class="card-title">"Each system"</h2>
                        <ul class="system-verdicts">
                            {systems.into_iter().map(system_view).collect_view()}
                        </ul>
                    </section>
                }
            })}
        <section class="card" data-test="done-next">
            <h2 class="card-title">"What to do next, and when"</h2>
            {if next_steps.is_empty() {
                view! { <p>"Nothing is due."</p> }.into_any()
            } else {
                view! {
                    <ul class="next-steps">{next_steps.into_iter().map(next_view).collect_view()}</ul>
                }
                    .into_any()
            }}
        </section>
    }
}

fn reason_list(reasons: Vec<String>) -> impl IntoView {
    (!reasons.is_empty()).then(|| {
        view! {
            <ul class="reasons">
                {reasons.into_iter().map(|reason| view! { <li>{reason}</li> }).collect_view()}
            </ul>
        }
    })
}

fn system_view(system: SystemStatus) -> impl IntoView {
    view! {
        <li class="system-verdict" data-test="done-system">
            <h3>{system.name}</h3>
            <Badge level=BadgeLevel::from(system.verdict) />
            {reason_list(system.reasons)}
        </li>
    }
}

fn next_view(step: NextStep) -> impl IntoView {
    view! {
        <li data-overdue=step.overdue.then_some("true")>
            {step.overdue.then(|| view! { <strong>"Due now: "</strong> })}
            {step.sentence}
        </li>
    }
}

/// The approved ports, as the assessor reads them: loaded when the merchant
/// opens it, so Done itself stays quick.
#[component]
fn InventoryDocument() -> impl IntoView {
    let document = RwSignal::new(None::<Result<(Vec<InventoryEntry>, Vec<System>), AppError>>);
    let open = move |_| {
        spawn_local(async move {
            let entries = ipc::invoke::<InventoryList>(&None).await;
            let systems = ipc::invoke::<SystemsList>(&Empty::default()).await;
            document.set(Some(entries.and_then(|entries| Ok((entries, systems?)))));
        });
    };
    view! {
        <section class="card" data-test="done-inventory">
            <h2 class="card-title">"Your port inventory"</h2>
            <p>
                "Every port you said the business needs, with why and who agreed. "
                "PCI DSS requirement 1.2.5 asks you to keep this list; it is the first thing an assessor asks for."
            </p>
            {move || match document.get() {
                None => {
                    view! {
                        <button class="button" type="button" on:click=open data-test="done-inventory-open">
                            "Open the inventory"
                        </button>
                    }
                        .into_any()
                }
                Some(Err(error)) => {
                    view! {
                        <p class="form-error" role="alert">
                            "The inventory could not be read. "
                            {sentence(&error.message)}
                        </p>
                    }
                        .into_any()
                }
                Some(Ok((entries, _))) if entries.is_empty() => {
                    view! { <p data-test="inventory-empty">"No port has been approved yet."</p> }.into_any()
                }
                Some(Ok((entries, systems))) => inventory_table(entries, &systems).into_any(),
            }}
        </section>
    }
}

fn inventory_table(entries: Vec<InventoryEntry>, systems: &[System]) -> impl IntoView {
    let name_of = |entry: &InventoryEntry| {
        systems
            .iter()
            .find(|system| system.id == entry.system_id)
            .map_or_else(|| entry.system_id.to_string(), |system| system.name.clone())
    };
    let rows = entries
        .into_iter()
        .map(|entry| {
            let system = name_of(&entry);
            let port = format!("{}/{}", entry.port, entry.protocol.as_str());
            let service = entry.service.clone().unwrap_or_else(|| "any".to_owned());
            let review_by = entry.expires_at.map_or_else(
                || "no end date".to_owned(),
                |at| at.format("%-d %B %Y").to_string(),
            );
            view! {
                <tr data-test="inventory-row">
                    <td>{system}</td>
                    <td>{port}</td>
                    <td>{service}</td>
                    <td>{entry.justification}</td>
                    <td>{entry.approver}</td>
                    <td>{review_by}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <DataTable
            label="Port inventory"
            headers=&[
                "System",
                "Port",
                "Service",
                "Why the business needs it",
                "Approved by",
                "Approved until",
            ]
        >
            {rows}
        </DataTable>
    }
}
