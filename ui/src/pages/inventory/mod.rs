//! Inventory: the approved ports (PCI DSS 1.2.5), every one with why it is
//! open, who approved it and until when; sorted by a column, filtered by
//! system, port and what needs attention (approvals ending soon or ended,
//! approvals due for the six-monthly review of 1.2.7), a page at a time;
//! and the form that approves a port. Each entry's page (`entry`) renews
//! or removes it, with its audit trail.

mod entry;
mod transfer;

pub use entry::InventoryEntryPage;

use chrono::{DateTime, Duration, Utc};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use portcullis_model::AppError;
use portcullis_model::commands::{Empty, InventoryAdd, InventoryList, SystemsList};
use portcullis_model::compliance::{InventoryEntry, System};
use portcullis_model::ids::{InventoryEntryId, SystemId};
use portcullis_model::requests::InventoryAddition;
use portcullis_model::scan::Protocol;

use crate::components::field::error_for;
use crate::components::{Card, EmptyState, Field, Pager, Paging, Toasts};
use crate::dates::decode_until;
use crate::ipc;
use crate::text::{local_time, sentence};

/// An approval ending within this many days is "ending soon".
const ENDING_SOON_DAYS: i64 = 30;
/// PCI DSS 1.2.7: rule sets and what they allow are reviewed every six
/// months; an approval older than this is due for review.
const REVIEW_DAYS: i64 = 183;

/// The path of one entry's page.
pub fn entry_path(id: InventoryEntryId) -> String {
    format!("/inventory/{id}")
}

/// "Port 22/tcp".
pub fn port_words(entry: &InventoryEntry) -> String {
    format!("Port {}/{}", entry.port, entry.protocol.as_str())
}

/// "Until 4 March 2027", "Ended 4 March 2026", "No end date".
pub fn until_words(entry: &InventoryEntry, now: DateTime<Utc>) -> String {
    match entry.expires_at {
        None => "No end date".to_owned(),
        Some(until) if until <= now => format!("Ended {}", local_time(until)),
        Some(until) => format!("Until {}", local_time(until)),
    }
}

/// What needs attention, as the "Show" filter offers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Attention {
    All,
    EndingSoon,
    Ended,
    ReviewDue,
}

impl Attention {
    const ALL: [(Attention, &'static str, &'static str); 4] = [
        (Attention::All, "all", "Every approval"),
        (
            Attention::EndingSoon,
            "ending-soon",
            "Ending within 30 days",
        ),
        (Attention::Ended, "ended", "Ended"),
        (
            Attention::ReviewDue,
            "review-due",
            "Approved over six months ago (review due)",
        ),
    ];

    fn admits(self, entry: &InventoryEntry, now: DateTime<Utc>) -> bool {
        match self {
            Attention::All => true,
            Attention::EndingSoon => entry.expires_at.is_some_and(|until| {
                until > now && until <= now + Duration::days(ENDING_SOON_DAYS)
            }),
            Attention::Ended => entry.expires_at.is_some_and(|until| until <= now),
            Attention::ReviewDue => entry.approved_at <= now - Duration::days(REVIEW_DAYS),
        }
    }
}

/// The column the table is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SortKey {
    System,
    Port,
    Approved,
    Until,
}

#[derive(Debug, Clone, Copy)]
struct Sort {
    key: RwSignal<SortKey>,
    ascending: RwSignal<bool>,
}

impl Sort {
    /// Sorts by `key`; a second click on the same column turns the order.
    fn by(self, key: SortKey) {
        if self.key.get_untracked() == key {
            self.ascending.update(|ascending| *ascending = !*ascending);
        } else {
            self.key.set(key);
            self.ascending.set(true);
        }
    }

    fn apply(self, rows: &mut [InventoryEntry], names: &[(SystemId, String)]) {
        let name = |id: SystemId| {
            names
                .iter()
                .find(|(known, _)| *known == id)
                .map_or("", |(_, name)| name.as_str())
                .to_lowercase()
        };
        match self.key.get() {
            SortKey::System => rows.sort_by_cached_key(|e| (name(e.system_id), e.port)),
            SortKey::Port => rows.sort_by_key(|e| (e.port, e.protocol.as_str(), e.system_id)),
            SortKey::Approved => rows.sort_by_key(|e| e.approved_at),
            // Entries without an end sort last: they need no renewal.
            SortKey::Until => rows.sort_by_key(|e| (e.expires_at.is_none(), e.expires_at)),
        }
        if !self.ascending.get() {
            rows.reverse();
        }
    }

    /// The header's `aria-sort`.
    fn state_of(self, key: SortKey) -> &'static str {
        match (self.key.get() == key, self.ascending.get()) {
            (false, _) => "none",
            (true, true) => "ascending",
            (true, false) => "descending",
        }
    }
}

#[component]
pub fn InventoryPage() -> impl IntoView {
    let changed = RwSignal::new(0_u32);
    let loaded = LocalResource::new(move || {
        changed.track();
        async {
            let entries = ipc::invoke::<InventoryList>(&None).await?;
            let systems = ipc::invoke::<SystemsList>(&Empty::default()).await?;
            Ok::<_, AppError>((entries, systems))
        }
    });
    view! {
        <section class="page" data-test="page" data-page="nav-inventory">
            <h1>"Inventory"</h1>
            <p class="lead">
                "Your approved open ports (PCI DSS Requirement 1.2.5): each port, why the business needs it, who approved it and until when. A port open without an entry here is a finding."
            </p>
            {move || match loaded.get() {
                None => view! { <p class="muted">"Loading the inventory…"</p> }.into_any(),
                Some(Err(error)) => {
                    view! {
                        <p class="form-error" role="alert">
                            "The inventory could not be loaded: "
                            {sentence(&error.message)}
                        </p>
                    }
                        .into_any()
                }
                Some(Ok((_, systems))) if systems.is_empty() => {
                    view! {
                        <EmptyState
                            title="No systems yet"
                            message="Ports are approved for a system. Add your systems first."
                        >
                            <a class="button primary" href="/systems">"Add a system"</a>
                        </EmptyState>
                    }
                        .into_any()
                }
                Some(Ok((entries, systems))) => {
                    view! {
                        <InventoryTable entries systems=systems.clone() />
                        <AddEntry systems changed />
                    }
                        .into_any()
                }
            }}
            // Outside the reloaded part, so what a transfer came to stays
            // on screen after the list reloads with what it brought in.
            <transfer::TransferCard changed />
        </section>
    }
}

#[component]
fn InventoryTable(entries: Vec<InventoryEntry>, systems: Vec<System>) -> impl IntoView {
    let now = crate::dates::now();
    let names = StoredValue::new(
        systems
            .iter()
            .map(|system| (system.id, system.name.clone()))
            .collect::<Vec<_>>(),
    );
    let count = entries.len();
    let entries = StoredValue::new(entries);
    let system = RwSignal::new(String::new());
    let port = RwSignal::new(String::new());
    let attention = RwSignal::new(Attention::All);
    let sort = Sort {
        key: RwSignal::new(SortKey::System),
        ascending: RwSignal::new(true),
    };
    let paging = Paging::new();
    let shown = Memo::new(move |_| {
        let system = system.get();
        let port = port.get();
        let port = port.trim();
        let attention = attention.get();
        let mut rows = entries.with_value(|all| {
            all.iter()
                .filter(|e| system.is_empty() || e.system_id.to_string() == system)
                .filter(|e| port.is_empty() || e.port.to_string() == port)
                .filter(|e| attention.admits(e, now))
                .cloned()
                .collect::<Vec<_>>()
        });
        names.with_value(|names| sort.apply(&mut rows, names));
        rows
    });
    Effect::new(move |_| {
        shown.track();
        paging.page.set(0);
    });
    let total = Signal::derive(move || shown.with(Vec::len));
    let system_name = move |id: SystemId| {
        names.with_value(|names| {
            names
                .iter()
                .find(|(known, _)| *known == id)
                .map_or_else(String::new, |(_, name)| name.clone())
        })
    };
    let header = move |key: SortKey, words: &'static str| {
        view! {
            <th scope="col" aria-sort=move || sort.state_of(key)>
                <button class="sort" type="button" on:click=move |_| sort.by(key)>
                    {words}
                    <span aria-hidden="true">
                        {move || match sort.state_of(key) {
                            "ascending" => " ▲",
                            "descending" => " ▼",
                            _ => "",
                        }}
                    </span>
                </button>
            </th>
        }
    };
    view! {
        <Card title="Approved ports">
            {(count == 0)
                .then(|| {
                    view! {
                        <EmptyState
                            title="No approved ports yet"
                            message="Scan your systems, then say why each port they need is open, in the guided check's Review or below."
                        >
                            <a class="button" href="/wizard">"Start the guided check"</a>
                        </EmptyState>
                    }
                })}
            <div class="filters" role="group" aria-label="Filter the approvals">
                <div class="field">
                    <label for="filter-system">"System"</label>
                    <select
                        id="filter-system"
                        data-test="filter-system"
                        on:change=move |event| system.set(event_target_value(&event))
                    >
                        <option value="">"Any"</option>
                        {systems
                            .iter()
                            .map(|s| view! { <option value=s.id.to_string()>{s.name.clone()}</option> })
                            .collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="filter-port">"Port"</label>
                    <input
                        id="filter-port"
                        type="search"
                        inputmode="numeric"
                        placeholder="For example 22"
                        bind:value=port
                        data-test="filter-port"
                    />
                </div>
                <div class="field">
                    <label for="filter-attention">"Show"</label>
                    <select
                        id="filter-attention"
                        data-test="filter-attention"
                        on:change=move |event| {
                            let key = event_target_value(&event);
                            if let Some((chosen, _, _)) = Attention::ALL.iter().find(|(_, k, _)| *k == key) {
                                attention.set(*chosen);
                            }
                        }
                    >
                        {Attention::ALL
                            .into_iter()
                            .map(|(_, key, words)| view! { <option value=key>{words}</option> })
                            .collect_view()}
                    </select>
                </div>
            </div>
            <p aria-live="polite" data-test="inventory-count">
                {move || match total.get() {
                    1 => "1 approval".to_owned(),
                    count => format!("{} approvals", crate::components::pager::thousands(count)),
                }}
            </p>
            <div class="table-scroll" tabindex="0" role="region" aria-label="Approved ports">
                <table class="data-table">
                    <thead>
                        <tr>
                            {header(SortKey::Port, "Port")}
                            {header(SortKey::System, "System")}
                            <th scope="col">"Why it is open"</th>
                            {header(SortKey::Approved, "Approved")}
                            {header(SortKey::Until, "Until")}
                        </tr>
                    </thead>
                    <tbody data-test="inventory-rows">
                        <For
                            each=move || shown.with(|rows| paging.slice(rows))
                            key=|entry| (entry.id, entry.approved_at, entry.expires_at)
                            children=move |entry| {
                                view! {
                                    <tr data-test="inventory-row">
                                        <th scope="row">
                                            <a class="nowrap" href=entry_path(entry.id) data-test="inventory-link">
                                                {port_words(&entry)}
                                            </a>
                                            {entry
                                                .service
                                                .clone()
                                                .map(|service| view! { <span class="muted">{format!(" {service}")}</span> })}
                                        </th>
                                        <td>{system_name(entry.system_id)}</td>
                                        <td class="why">{entry.justification.clone()}</td>
                                        <td>{format!("{}, {}", entry.approver, local_time(entry.approved_at))}</td>
                                        <td data-test="inventory-until">{until_words(&entry, now)}</td>
                                    </tr>
                                }
                            }
                        />
                    </tbody>
                </table>
            </div>
            <Show when=move || { total.get() == 0 && count > 0 }>
                <p class="muted" data-test="inventory-filter-none">
                    "No approval matches. Set the filters back to see them all."
                </p>
            </Show>
            <Pager paging total noun="approvals" />
        </Card>
    }
}

/// The form that approves a port of a system.
#[component]
fn AddEntry(systems: Vec<System>, changed: RwSignal<u32>) -> impl IntoView {
    let toasts = Toasts::from_context();
    let navigate = use_navigate();
    let system = RwSignal::new(
        systems
            .first()
            .map(|s| s.id.to_string())
            .unwrap_or_default(),
    );
    let port = RwSignal::new(String::new());
    let protocol = RwSignal::new(Protocol::Tcp);
    let service = RwSignal::new(String::new());
    let justification = RwSignal::new(String::new());
    let approver = RwSignal::new(String::new());
    let until = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let busy = RwSignal::new(false);
    let general = Signal::derive(move || {
        error.with(|error| {
            error
                .as_ref()
                .filter(|error| {
                    !matches!(
                        error.field.as_deref(),
                        Some("port" | "justification" | "approver" | "until")
                    )
                })
                .map(|error| sentence(&error.message))
        })
    });
    let add = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let Ok(port_number) = port.get_untracked().trim().parse::<u16>() else {
            error.set(Some(AppError::bad_input(
                "port",
                "Give a port from 1 to 65535.",
            )));
            return;
        };
        let expires_at = match until.get_untracked().trim() {
            "" => None,
            typed => match decode_until(typed) {
                Ok(date) => Some(date),
                Err(message) => {
                    error.set(Some(AppError::bad_input("until", message)));
                    return;
                }
            },
        };
        let Some(system_id) = system.get_untracked().parse::<SystemId>().ok() else {
            error.set(Some(AppError::bad_input("system", "Choose the system.")));
            return;
        };
        let service_typed = service.get_untracked().trim().to_owned();
        let request = InventoryAddition {
            system_id,
            port: port_number,
            protocol: protocol.get_untracked(),
            service: (!service_typed.is_empty()).then_some(service_typed),
            version: None,
            justification: justification.get_untracked().trim().to_owned(),
            approver: approver.get_untracked().trim().to_owned(),
            expires_at,
            sources: Vec::new(),
            notes: String::new(),
        };
        busy.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            match ipc::invoke::<InventoryAdd>(&request).await {
                Ok(added) => {
                    error.set(None);
                    toasts.success(format!("{} approved.", port_words(&added)));
                    changed.update(|count| *count += 1);
                    navigate(&entry_path(added.id), Default::default());
                }
                Err(refused) => error.set(Some(refused)),
            }
            busy.set(false);
        });
    };
    view! {
        <Card title="Approve a port">
            <form on:submit=add data-test="inventory-form" novalidate>
                <div class="field">
                    <label for="entry-system">"System"</label>
                    <select
                        id="entry-system"
                        data-test="field-entry-system"
                        on:change=move |event| system.set(event_target_value(&event))
                    >
                        {systems
                            .iter()
                            .map(|s| view! { <option value=s.id.to_string()>{s.name.clone()}</option> })
                            .collect_view()}
                    </select>
                </div>
                <div class="field-row">
                    <Field id="port" label="Port" hint="A number from 1 to 65535." value=port error=error_for(error, "port") />
                    <div class="field">
                        <label for="entry-protocol">"Protocol"</label>
                        <select
                            id="entry-protocol"
                            data-test="field-entry-protocol"
                            on:change=move |event| {
                                protocol.set(if event_target_value(&event) == "udp" { Protocol::Udp } else { Protocol::Tcp });
                            }
                        >
                            <option value="tcp">"TCP"</option>
                            <option value="udp">"UDP"</option>
                        </select>
                    </div>
                </div>
                <Field
                    id="service"
                    label="Service expected there (optional)"
                    hint="For example https or ssh. Another service on the port will be a finding."
                    value=service
                    error=Signal::derive(|| None::<String>)
                />
                <Field
                    id="justification"
                    label="Why the business needs it open"
                    hint="A sentence your assessor can check, like \"Customers reach the shop over HTTPS\"."
                    value=justification
                    error=error_for(error, "justification")
                />
                <Field id="approver" label="Approved by" value=approver error=error_for(error, "approver") autocomplete="name" />
                <Field
                    id="until"
                    label="Approved until (optional)"
                    hint="Leave empty for no end date."
                    value=until
                    kind="date"
                    error=error_for(error, "until")
                />
                {move || {
                    general
                        .get()
                        .map(|message| view! { <p class="form-error" role="alert" data-test="form-error">{message}</p> })
                }}
                <button class="button primary" type="submit" data-test="entry-add" aria-disabled=move || busy.get().then_some("true")>
                    "Approve this port"
                </button>
            </form>
        </Card>
    }
}
