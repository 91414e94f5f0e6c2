//! One system's page: what it is and runs on, its approved ports, its
//! findings and its history (every change the audit log holds for it),
//! with the form that edits it and the button that removes it.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};
use portcullis_model::commands::{
    Empty, FindingsList, InventoryList, SystemEditCommand, SystemPlatformCommand, SystemRemove,
    SystemsList,
};
use portcullis_model::compliance::{FindingRecord, InventoryEntry, System};
use portcullis_model::ids::SystemId;
use portcullis_model::judgement::FindingFilter;

use crate::audit_history::AuditHistory;
use crate::components::{Card, DataTable, Dialog, EmptyState, Toasts};
use crate::ipc;
use crate::pages::findings::{finding_path, severity_words, status_words};
use crate::system_form::{SystemFields, SystemForm, exposure_words, role_words, scope_words};
use crate::text::{local_time, sentence};
use crate::wizard::{KnownPlatform, PlatformQuestion};

#[component]
pub fn SystemPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<SystemId>().ok())
    };
    let changed = RwSignal::new(0_u32);
    let system = LocalResource::new(move || {
        changed.track();
        let wanted = id();
        async move {
            let list = ipc::invoke::<SystemsList>(&Empty::default()).await?;
            Ok::<_, portcullis_model::AppError>(
                list.into_iter().find(|system| Some(system.id) == wanted),
            )
        }
    });
    view! {
        <section class="page" data-test="page" data-page="nav-systems">
            <p class="breadcrumb">
                <a href="/systems">"Systems"</a>
            </p>
            {move || match system.get() {
                None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Some(Err(error)) => {
                    view! {
                        <h1>"System"</h1>
                        <p class="form-error" role="alert">{sentence(&error.message)}</p>
                    }
                        .into_any()
                }
                Some(Ok(None)) => {
                    view! {
                        <h1>"System not found"</h1>
                        <EmptyState
                            title="There is no such system"
                            message="It may have been removed. The list of systems shows those you have."
                        >
                            <a class="button" href="/systems">"See your systems"</a>
                        </EmptyState>
                    }
                        .into_any()
                }
                Some(Ok(Some(system))) => view! { <SystemView system changed /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn SystemView(system: System, changed: RwSignal<u32>) -> impl IntoView {
    let id = system.id;
    view! {
        <h1 data-test="system-title">{system.name.clone()}</h1>
        <p class="lead">{facts(&system)}</p>
        <PlatformCard system=system.clone() />
        <PortsCard id />
        <FindingsCard id />
        <EditCard system=system.clone() changed />
        <AuditHistory entity="system" entity_id=id.to_string() />
        <RemoveCard system />
    }
}

/// "203.0.113.10 · Handles card data · Reachable from the internet · Runs
/// my website or shop".
fn facts(system: &System) -> String {
    format!(
        "{} · {} · {} · {}",
        system.addresses.join(", "),
        scope_words(system.scope),
        exposure_words(system.exposure),
        role_words(system.role)
    )
}

#[component]
fn PlatformCard(system: System) -> impl IntoView {
    let known = RwSignal::new(None::<KnownPlatform>);
    let id = system.id;
    spawn_local(async move {
        if let Ok(stated) = ipc::invoke::<SystemPlatformCommand>(&id).await {
            known.set(Some(KnownPlatform {
                platform: stated.platform,
                choice: stated.choice,
            }));
        }
    });
    view! {
        <Card title="What it runs on">
            <p class="muted">"Fix steps and firewall rules are written for this."</p>
            <PlatformQuestion
                known
                system_id=Some(id)
                picker_id="system-platform".to_owned()
                system_name=system.name
            />
        </Card>
    }
}

/// The ports approved for the system (PCI DSS 1.2.5).
#[component]
fn PortsCard(id: SystemId) -> impl IntoView {
    let entries =
        LocalResource::new(move || async move { ipc::invoke::<InventoryList>(&Some(id)).await });
    view! {
        <Card title="Approved ports">
            {move || match entries.get() {
                None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Some(Err(error)) => {
                    view! { <p class="form-error">{sentence(&error.message)}</p> }.into_any()
                }
                Some(Ok(list)) if list.is_empty() => {
                    view! {
                        <EmptyState
                            title="No approved ports"
                            message="Every open port needs a business reason (PCI DSS 1.2.5). Scan this system, then say why each port it needs is open."
                        >
                            <a class="button" href="/wizard/scan">"Scan it"</a>
                        </EmptyState>
                    }
                        .into_any()
                }
                Some(Ok(list)) => {
                    view! {
                        <DataTable
                            label="Approved ports"
                            headers=&["Port", "Service", "Why it is open", "Approved by", "Until"]
                            body_test="system-ports"
                        >
                            {list.into_iter().map(port_row).collect_view()}
                        </DataTable>
                    }
                        .into_any()
                }
            }}
        </Card>
    }
}

fn port_row(entry: InventoryEntry) -> impl IntoView {
    view! {
        <tr>
            <th scope="row">{format!("{}/{}", entry.port, entry.protocol.as_str())}</th>
            <td>{entry.service.clone().unwrap_or_else(|| "Any".to_owned())}</td>
            <td>{entry.justification.clone()}</td>
            <td>{entry.approver.clone()}</td>
            <td>{entry.expires_at.map_or_else(|| "No end".to_owned(), local_time)}</td>
        </tr>
    }
}

#[component]
fn FindingsCard(id: SystemId) -> impl IntoView {
    let findings = LocalResource::new(move || async move {
        let filter = FindingFilter {
            system_id: Some(id),
            ..FindingFilter::default()
        };
        ipc::invoke::<FindingsList>(&filter).await
    });
    view! {
        <Card title="Findings">
            {move || match findings.get() {
                None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Some(Err(error)) => {
                    view! { <p class="form-error">{sentence(&error.message)}</p> }.into_any()
                }
                Some(Ok(list)) if list.is_empty() => {
                    view! {
                        <EmptyState
                            title="No findings"
                            message="Nothing a scan found on this system needs your attention. Scan it again after every change."
                        />
                    }
                        .into_any()
                }
                Some(Ok(list)) => {
                    view! {
                        <DataTable
                            label="Findings on this system"
                            headers=&["Severity", "Finding", "State"]
                            body_test="system-findings"
                        >
                            {list.into_iter().map(finding_row).collect_view()}
                        </DataTable>
                    }
                        .into_any()
                }
            }}
        </Card>
    }
}

fn finding_row(record: FindingRecord) -> impl IntoView {
    view! {
        <tr>
            <td>
                <span class="severity" data-severity=record.finding.severity.label().to_lowercase()>
                    {severity_words(record.finding.severity)}
                </span>
            </td>
            <th scope="row">
                <a href=finding_path(record.id)>{record.finding.title.to_string()}</a>
            </th>
            <td>{status_words(record.status())}</td>
        </tr>
    }
}

/// Every answer of the system, editable; the page reloads with what the
/// backend saved.
#[component]
fn EditCard(system: System, changed: RwSignal<u32>) -> impl IntoView {
    let toasts = Toasts::from_context();
    let form = SystemForm::of(&system);
    let system = StoredValue::new(system);
    let save = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if form.busy.get_untracked() || !form.check_name() {
            return;
        }
        let edit = system.with_value(|system| form.edit_of(system));
        form.busy.set(true);
        spawn_local(async move {
            match ipc::invoke::<SystemEditCommand>(&edit).await {
                Ok(saved) => {
                    toasts.success(format!("Saved {}.", saved.name));
                    changed.update(|count| *count += 1);
                }
                Err(error) => form.error.set(Some(error)),
            }
            form.busy.set(false);
        });
    };
    view! {
        <details class="card disclosure" data-test="system-edit">
            <summary data-test="system-edit-open">"Change its details"</summary>
            <form on:submit=save data-test="system-edit-form" novalidate>
                <SystemFields form ask_scope=true />
                <button
                    class="button primary"
                    type="submit"
                    data-test="system-save"
                    aria-disabled=move || form.busy.get().then_some("true")
                >
                    "Save changes"
                </button>
            </form>
        </details>
    }
}

/// Removing asks first; the audit log keeps what the system was.
#[component]
fn RemoveCard(system: System) -> impl IntoView {
    let toasts = Toasts::from_context();
    let navigate = use_navigate();
    let confirming = RwSignal::new(false);
    let id = system.id;
    let name = StoredValue::new(system.name.clone());
    let remove = move |_| {
        confirming.set(false);
        let navigate = navigate.clone();
        spawn_local(async move {
            match ipc::invoke::<SystemRemove>(&id).await {
                Ok(removed) => {
                    toasts.success(format!("Removed {}.", removed.name));
                    navigate("/systems", Default::default());
                }
                Err(error) => toasts.error(format!(
                    "{} could not be removed: {}",
                    name.get_value(),
                    sentence(&error.message)
                )),
            }
        });
    };
    view! {
        <Card title="Stop scanning it">
            <p class="muted">
                "Remove the system when it is gone or no longer yours. Its findings stay in the audit log."
            </p>
            <button
                class="button danger"
                type="button"
                on:click=move |_| confirming.set(true)
                data-test="system-remove"
            >
                {format!("Remove {}", system.name)}
            </button>
            <Dialog id="remove-system" title=format!("Remove {}?", system.name) open=confirming>
                <p>
                    "Portcullis will stop scanning it. The audit log keeps a record that it was removed."
                </p>
                <div class="actions">
                    <button
                        class="button"
                        type="button"
                        autofocus
                        on:click=move |_| confirming.set(false)
                        data-test="dialog-keep"
                    >
                        "Keep it"
                    </button>
                    <button class="button danger" type="button" on:click=remove data-test="dialog-remove">
                        "Remove"
                    </button>
                </div>
            </Dialog>
        </Card>
    }
}
