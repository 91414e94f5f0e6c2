//! One approval's page: what is approved and why, its renewal (who
//! approves again, for how long), its audit trail, and its removal, which
//! asks for the reason the log will keep.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};
use portcullis_model::commands::{InventoryEntryCommand, InventoryRemove, InventoryRenew};
use portcullis_model::compliance::InventoryEntry;
use portcullis_model::ids::InventoryEntryId;
use portcullis_model::requests::{InventoryRemoval, InventoryRenewal, RenewalTerm};
use portcullis_model::{AppError, ErrorKind};

use super::{port_words, until_words};
use crate::audit_history::AuditHistory;
use crate::components::field::error_for;
use crate::components::{Card, Choice, ChoiceGroup, ChoiceKind, Dialog, EmptyState, Field, Toasts};
use crate::dates::{date_in_days, decode_until};
use crate::ipc;
use crate::text::{local_time, sentence};

/// The entry and the name of its system.
#[derive(Debug, Clone)]
struct Loaded {
    entry: InventoryEntry,
    system: Option<(String, String)>,
}

async fn load(id: InventoryEntryId) -> Result<Option<Loaded>, AppError> {
    match ipc::invoke::<InventoryEntryCommand>(&id).await {
        Ok(row) => Ok(Some(Loaded {
            system: Some((format!("/systems/{}", row.entry.system_id), row.system_name)),
            entry: row.entry,
        })),
        Err(error) if error.kind == ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error),
    }
}

#[component]
pub fn InventoryEntryPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<InventoryEntryId>().ok())
    };
    let changed = RwSignal::new(0_u32);
    let loaded = LocalResource::new(move || {
        changed.track();
        let wanted = id();
        async move {
            match wanted {
                Some(id) => load(id).await,
                None => Ok(None),
            }
        }
    });
    view! {
        <section class="page" data-test="page" data-page="nav-inventory">
            <p class="breadcrumb">
                <a href="/inventory">"Inventory"</a>
            </p>
            {move || match loaded.get() {
                None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Some(Err(error)) => {
                    view! {
                        <h1>"Approval"</h1>
                        <p class="form-error" role="alert">{sentence(&error.message)}</p>
                    }
                        .into_any()
                }
                Some(Ok(None)) => {
                    view! {
                        <h1>"Approval not found"</h1>
                        <EmptyState
                            title="There is no such approval"
                            message="It may have been removed; the audit log keeps what it was."
                        >
                            <a class="button" href="/inventory">"See the inventory"</a>
                        </EmptyState>
                    }
                        .into_any()
                }
                Some(Ok(Some(loaded))) => entry_view(loaded, changed).into_any(),
            }}
        </section>
    }
}

fn entry_view(loaded: Loaded, changed: RwSignal<u32>) -> impl IntoView {
    let Loaded { entry, system } = loaded;
    let now = crate::dates::now();
    let entry_id = entry.id.to_string();
    let justification = entry.justification.clone();
    let approved = format!("{}, {}", entry.approver, local_time(entry.approved_at));
    let until = until_words(&entry, now);
    let notes = entry.notes.clone();
    let title = match &system {
        Some((_, name)) => format!("{} on {name}", port_words(&entry)),
        None => port_words(&entry),
    };
    let expected = match (&entry.service, &entry.version) {
        (None, _) => "Any service".to_owned(),
        (Some(service), None) => service.clone(),
        (Some(service), Some(version)) => format!("{service} {version}"),
    };
    let sources = if entry.sources.is_empty() {
        "Anywhere".to_owned()
    } else {
        entry
            .sources
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    view! {
        <h1 data-test="entry-title">{title}</h1>
        <Card title="What is approved">
            <dl class="entry-facts">
                <dt>"Why it is open"</dt>
                <dd data-test="entry-justification">{justification}</dd>
                <dt>"Approved by"</dt>
                <dd data-test="entry-approver">{approved}</dd>
                <dt>"Until"</dt>
                <dd data-test="entry-until">{until}</dd>
                <dt>"Service expected"</dt>
                <dd>{expected}</dd>
                <dt>"Connections may come from"</dt>
                <dd>{sources}</dd>
                <dt>"System"</dt>
                <dd>
                    {system
                        .map(|(path, name)| view! { <a href=path>{name}</a> }.into_any())
                        .unwrap_or_else(|| "Unknown".into_any())}
                </dd>
            </dl>
            {(!notes.is_empty()).then(|| view! { <p class="notes">{notes}</p> })}
        </Card>
        <RenewCard entry=entry.clone() changed />
        <AuditHistory entity="inventory_entry" entity_id=entry_id />
        <RemoveCard entry />
    }
}

/// How long the renewal runs, as the form holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TermChoice {
    SameAsBefore,
    Until,
    NoEnd,
}

#[component]
fn RenewCard(entry: InventoryEntry, changed: RwSignal<u32>) -> impl IntoView {
    let toasts = Toasts::from_context();
    let id = entry.id;
    let approver = RwSignal::new(entry.approver.clone());
    let justification = RwSignal::new(String::new());
    let term = RwSignal::new(if entry.expires_at.is_some() {
        TermChoice::SameAsBefore
    } else {
        TermChoice::NoEnd
    });
    let until = RwSignal::new(date_in_days(365));
    let error = RwSignal::new(None::<AppError>);
    let busy = RwSignal::new(false);
    let renew = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let chosen = match term.get_untracked() {
            TermChoice::SameAsBefore => RenewalTerm::SameAsBefore,
            TermChoice::NoEnd => RenewalTerm::NoExpiry,
            TermChoice::Until => match decode_until(&until.get_untracked()) {
                Ok(date) => RenewalTerm::Until(date),
                Err(message) => {
                    error.set(Some(AppError::bad_input("until", message)));
                    return;
                }
            },
        };
        let typed = justification.get_untracked().trim().to_owned();
        let request = InventoryRenewal {
            id,
            approver: approver.get_untracked().trim().to_owned(),
            justification: (!typed.is_empty()).then_some(typed),
            term: chosen,
        };
        busy.set(true);
        spawn_local(async move {
            match ipc::invoke::<InventoryRenew>(&request).await {
                Ok(renewed) => {
                    error.set(None);
                    toasts.success(format!(
                        "{} approved again by {}.",
                        port_words(&renewed),
                        renewed.approver
                    ));
                    changed.update(|count| *count += 1);
                }
                Err(refused) => error.set(Some(refused)),
            }
            busy.set(false);
        });
    };
    view! {
        <Card title="Approve it again">
            <p class="muted">
                "PCI DSS asks you to review what you allow at least every six months (Requirement 1.2.7). Approve it again when the business still needs it."
            </p>
            <form on:submit=renew data-test="renew-form" novalidate>
                <Field id="renew-approver" label="Approved by" value=approver error=error_for(error, "approver") autocomplete="name" />
                <Field
                    id="renew-justification"
                    label="Why it is still needed (optional)"
                    hint="Leave empty to keep the reason given before."
                    value=justification
                    error=error_for(error, "justification")
                />
                <ChoiceGroup id="renew-term" legend="For how long?">
                    <Choice
                        kind=ChoiceKind::Radio
                        name="renew-term"
                        title="As long as before"
                        detail="The same length of time as the last approval, from today."
                        checked=Signal::derive(move || term.get() == TermChoice::SameAsBefore)
                        on_change=move |_| term.set(TermChoice::SameAsBefore)
                        test_id="term-same"
                    />
                    <Choice
                        kind=ChoiceKind::Radio
                        name="renew-term"
                        title="Until a date"
                        detail="Pick the date below."
                        checked=Signal::derive(move || term.get() == TermChoice::Until)
                        on_change=move |_| term.set(TermChoice::Until)
                        test_id="term-until"
                    />
                    <Choice
                        kind=ChoiceKind::Radio
                        name="renew-term"
                        title="No end date"
                        detail="It stays approved until someone removes it. Reviews are still due every six months."
                        checked=Signal::derive(move || term.get() == TermChoice::NoEnd)
                        on_change=move |_| term.set(TermChoice::NoEnd)
                        test_id="term-none"
                    />
                </ChoiceGroup>
                <Show when=move || term.get() == TermChoice::Until>
                    <Field id="renew-until" label="Approved until" value=until kind="date" error=error_for(error, "until") />
                </Show>
                <button class="button primary" type="submit" data-test="renew-save" aria-disabled=move || busy.get().then_some("true")>
                    "Approve again"
                </button>
            </form>
        </Card>
    }
}

/// Removing asks why: the reason goes into the audit log with the entry.
#[component]
fn RemoveCard(entry: InventoryEntry) -> impl IntoView {
    let toasts = Toasts::from_context();
    let navigate = use_navigate();
    let confirming = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let id = entry.id;
    let remove = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let request = InventoryRemoval {
            id,
            reason: reason.get_untracked().trim().to_owned(),
        };
        if request.reason.is_empty() {
            error.set(Some(
                "Say why the port no longer needs to be open, for the audit log.".to_owned(),
            ));
            return;
        }
        let navigate = navigate.clone();
        spawn_local(async move {
            match ipc::invoke::<InventoryRemove>(&request).await {
                Ok(removed) => {
                    confirming.set(false);
                    toasts.success(format!("{} is no longer approved.", port_words(&removed)));
                    navigate("/inventory", Default::default());
                }
                Err(refused) => error.set(Some(sentence(&refused.message))),
            }
        });
    };
    view! {
        <Card title="Remove the approval">
            <p class="muted">
                "When the port is closed for good, or the business no longer needs it. If it is still open, the next scan will report it."
            </p>
            <button class="button danger" type="button" on:click=move |_| confirming.set(true) data-test="entry-remove">
                "Remove this approval"
            </button>
            <Dialog id="remove-entry" title=format!("Remove the approval of {}?", port_words(&entry)) open=confirming>
                <form on:submit=remove novalidate data-test="remove-form">
                    <Field
                        id="remove-reason"
                        label="Why is it no longer needed?"
                        hint="The audit log keeps this with the approval."
                        value=reason
                        error=Signal::derive(move || error.get())
                    />
                    <div class="actions">
                        <button class="button" type="button" autofocus on:click=move |_| confirming.set(false) data-test="dialog-keep">
                            "Keep it"
                        </button>
                        <button class="button danger" type="submit" data-test="dialog-remove">
                            "Remove"
                        </button>
                    </div>
                </form>
            </Dialog>
        </Card>
    }
}
