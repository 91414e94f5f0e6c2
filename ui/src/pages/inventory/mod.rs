//! Inventory: the approved ports (PCI DSS 1.2.5), every one with why it is
//! open, who approved it and until when; sorted by a column, filtered by
//! system, port and what needs attention (approvals ending soon or ended,
//! approvals due for the six-monthly review of 1.2.7, ports the latest
//! scan did not find open), a page at a time, each page cut out by the
//! database;
//! and the form that approves a port. Each entry's page (`entry`) renews
//! or removes it, with its audit trail.

mod entry;
mod transfer;

pub use entry::InventoryEntryPage;

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use portcullis_model::AppError;
use portcullis_model::commands::{Empty, InventoryAdd, InventoryPageCommand, SystemNames};
use portcullis_model::compliance::InventoryEntry;
use portcullis_model::ids::{InventoryEntryId, SystemId};
use portcullis_model::listing::{
    InventoryAttention, InventoryPage, InventoryQuery, InventorySort, SystemName,
};
use portcullis_model::requests::InventoryAddition;
use portcullis_model::scan::Protocol;

use crate::components::field::error_for;
use crate::components::lazy_options::system_options;
use crate::components::{Card, EmptyState, Field, LazyOptions, Pager, Paging, Toasts};
use crate::dates::decode_until;
use crate::ipc;
use crate::text::{local_time, sentence};

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

/// What the "Show" filter offers: each choice, its key and its words.
const ATTENTION: [(InventoryAttention, &str, &str); 5] = [
    (InventoryAttention::All, "all", "Every approval"),
    (
        InventoryAttention::EndingSoon,
        "ending-soon",
        "Ending within 30 days",
    ),
    (InventoryAttention::Ended, "ended", "Ended"),
    (
        InventoryAttention::ReviewDue,
        "review-due",
        "Approved over six months ago (review due)",
    ),
    (
        InventoryAttention::NotSeenLately,
        "not-seen",
        "Not found open by the latest scan",
    ),
];

/// The column the table is sorted by, and which way.
#[derive(Debug, Clone, Copy)]
struct Sort {
    key: RwSignal<InventorySort>,
    ascending: RwSignal<bool>,
}

impl Sort {
    /// Sorts by `key`; a second click on the same column turns the order.
    fn by(self, key: InventorySort) {
        if self.key.get_untracked() == key {
            self.ascending.update(|ascending| *ascending = !*ascending);
        } else {
            self.key.set(key);
            self.ascending.set(true);
        }
    }

    /// The header's `aria-sort`.
    fn state_of(self, key: InventorySort) -> &'static str {
        match (self.key.get() == key, self.ascending.get()) {
            (false, _) => "none",
            (true, true) => "ascending",
            (true, false) => "descending",
        }
    }
}

/// The table's filters and sort: what the backend is asked for.
#[derive(Debug, Clone, Copy)]
struct Choices {
    system: RwSignal<String>,
    port: RwSignal<String>,
    attention: RwSignal<InventoryAttention>,
    sort: Sort,
    paging: Paging,
}

impl Choices {
    fn new() -> Choices {
        Choices {
            system: RwSignal::new(String::new()),
            port: RwSignal::new(String::new()),
            attention: RwSignal::new(InventoryAttention::All),
            sort: Sort {
                key: RwSignal::new(InventorySort::System),
                ascending: RwSignal::new(true),
            },
            paging: Paging::new(),
        }
    }

    fn query(self) -> InventoryQuery {
        InventoryQuery {
            system_id: self.system.get().parse().ok().map(SystemId),
            port: self.port.get().trim().parse().ok(),
            attention: self.attention.get(),
            sort: self.sort.key.get(),
            descending: !self.sort.ascending.get(),
            page: self.paging.request(),
        }
    }

    /// Back to the first page, when what is shown changes.
    fn restart(self) {
        self.paging.page.set(0);
    }
}

#[component]
pub fn InventoryPage() -> impl IntoView {
    let changed = RwSignal::new(0_u32);
    let choices = Choices::new();
    let page = LocalResource::new(move || {
        changed.track();
        let query = choices.query();
        async move { ipc::invoke::<InventoryPageCommand>(&query).await }
    });
    let names =
        LocalResource::new(|| async { ipc::invoke::<SystemNames>(&Empty::default()).await });
    // The page as last loaded: it stays on screen while the next loads, so
    // the filters keep their focus.
    let loaded = Signal::derive(move || page.get().and_then(Result::ok));
    let systems = Signal::derive(move || names.get().and_then(Result::ok));
    let ready = move || {
        loaded.with(Option::is_some)
            && systems.with(|names| names.as_ref().is_some_and(|n| !n.is_empty()))
    };
    view! {
        <section class="page" data-test="page" data-page="nav-inventory">
            <h1>"Inventory"</h1>
            <p class="lead">
                "Your approved open ports (PCI DSS Requirement 1.2.5): each port, why the business needs it, who approved it and until when. A port open without an entry here is a finding."
            </p>
            {move || match (page.get(), names.get()) {
                (Some(Err(error)), _) | (_, Some(Err(error))) => {
                    view! {
                        <p class="form-error" role="alert">
                            "The inventory could not be loaded: "
                            {sentence(&error.message)}
                        </p>
                    }
                        .into_any()
                }
                (None, _) | (_, None) => view! { <p class="muted">"Loading the inventory…"</p> }.into_any(),
                (_, Some(Ok(names))) if names.is_empty() => {
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
                _ => ().into_any(),
            }}
            <Show when=ready>
                <InventoryTable loaded systems choices />
                <AddEntry systems changed />
            </Show>
            // Outside the reloaded part, so what a transfer came to stays
            // on screen after the list reloads with what it brought in.
            <transfer::TransferCard changed />
        </section>
    }
}

#[component]
fn InventoryTable(
    loaded: Signal<Option<InventoryPage>>,
    systems: Signal<Option<Vec<SystemName>>>,
    choices: Choices,
) -> impl IntoView {
    let now = crate::dates::now();
    let sort = choices.sort;
    let filter_options = LazyOptions::new();
    let total = Signal::derive(move || {
        loaded.with(|page| {
            page.as_ref()
                .map_or(0, |page| usize::try_from(page.total).unwrap_or(usize::MAX))
        })
    });
    let any = move || loaded.with(|page| page.as_ref().is_some_and(|page| page.all > 0));
    let rows = move || {
        loaded.with(|page| {
            page.as_ref()
                .map(|page| page.rows.clone())
                .unwrap_or_default()
        })
    };
    let header = move |key: InventorySort, words: &'static str| {
        view! {
            <th scope="col" aria-sort=move || sort.state_of(key)>
                <button
                    class="sort"
                    type="button"
                    on:click=move |_| {
                        choices.restart();
                        sort.by(key);
                    }
                >
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
            <Show when=move || !any()>
                <EmptyState
                    title="No approved ports yet"
                    message="Scan your systems, then say why each port they need is open, in the guided check's Review or below."
                >
                    <a class="button" href="/wizard">"Start the guided check"</a>
                </EmptyState>
            </Show>
            <div class="filters" role="group" aria-label="Filter the approvals">
                <div class="field">
                    <label for="filter-system">"System"</label>
                    <select
                        id="filter-system"
                        data-test="filter-system"
                        on:focus=move |_| filter_options.reach()
                        on:pointerenter=move |_| filter_options.reach()
                        on:change=move |event| {
                            choices.restart();
                            choices.system.set(event_target_value(&event));
                        }
                    >
                        <option value="">"Any"</option>
                        {filter_options.view(system_options(systems), choices.system.into())}
                    </select>
                </div>
                <div class="field">
                    <label for="filter-port">"Port"</label>
                    <input
                        id="filter-port"
                        type="search"
                        inputmode="numeric"
                        placeholder="For example 22"
                        prop:value=move || choices.port.get()
                        on:input=move |event| {
                            choices.restart();
                            choices.port.set(event_target_value(&event));
                        }
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
                            if let Some((chosen, _, _)) = ATTENTION.iter().find(|(_, k, _)| *k == key) {
                                choices.restart();
                                choices.attention.set(*chosen);
                            }
                        }
                    >
                        {ATTENTION
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
                            {header(InventorySort::Port, "Port")}
                            {header(InventorySort::System, "System")}
                            <th scope="col">"Why it is open"</th>
                            {header(InventorySort::Approved, "Approved")}
                            {header(InventorySort::Until, "Until")}
                        </tr>
                    </thead>
                    <tbody data-test="inventory-rows">
                        <For
                            each=rows
                            key=|row| (row.entry.id, row.entry.approved_at, row.entry.expires_at)
                            children=move |row| {
                                let entry = row.entry;
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
                                        <td>{row.system_name}</td>
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
            <Show when=move || { total.get() == 0 && any() }>
                <p class="muted" data-test="inventory-filter-none">
                    "No approval matches. Set the filters back to see them all."
                </p>
            </Show>
            <Pager paging=choices.paging total noun="approvals" />
        </Card>
    }
}

/// The form that approves a port of a system.
#[component]
fn AddEntry(systems: Signal<Option<Vec<SystemName>>>, changed: RwSignal<u32>) -> impl IntoView {
    let toasts = Toasts::from_context();
    let navigate = use_navigate();
    let system = RwSignal::new(systems.with_untracked(|names| {
        names
            .iter()
            .flatten()
            .next()
            .map(|s| s.id.to_string())
            .unwrap_or_default()
    }));
    let port = RwSignal::new(String::new());
    let protocol = RwSignal::new(Protocol::Tcp);
    let service = RwSignal::new(String::new());
    let justification = RwSignal::new(String::new());
    let approver = RwSignal::new(String::new());
    let until = RwSignal::new(String::new());
    let options = LazyOptions::new();
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
                        on:focus=move |_| options.reach()
                        on:pointerenter=move |_| options.reach()
                        on:change=move |event| system.set(event_target_value(&event))
                    >
                        {options.view(system_options(systems), system.into())}
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
