//! Findings: everything the scans found, filtered by system, severity,
//! kind and state, a page at a time; each finding's own page (`detail`)
//! explains it and holds its actions. Filters start from the address's
//! query (`/findings?system=3&state=open`) so other pages can link to a
//! view of them.

mod detail;

pub use detail::FindingPage;

use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use portcullis_model::commands::{Empty, FindingsList, SystemsList};
use portcullis_model::compliance::{FindingKind, FindingRecord, FindingStatus, Severity, System};
use portcullis_model::ids::{FindingId, SystemId};
use portcullis_model::judgement::FindingFilter;

use crate::components::{Card, DataTable, EmptyState, Pager, Paging};
use crate::ipc;
use crate::text::sentence;

/// The path of one finding's page.
pub fn finding_path(id: FindingId) -> String {
    format!("/findings/{id}")
}

pub fn severity_words(severity: Severity) -> &'static str {
    severity.label()
}

pub fn status_words(status: FindingStatus) -> &'static str {
    match status {
        FindingStatus::Open => "Open",
        FindingStatus::Accepted => "Accepted as a business need",
        FindingStatus::Disputed => "Disputed with the ASV",
        FindingStatus::Fixed => "Reported fixed, not yet proven",
        FindingStatus::Verified => "Fixed, proven by a scan",
    }
}

const STATUSES: [(FindingStatus, &str); 5] = [
    (FindingStatus::Open, "open"),
    (FindingStatus::Accepted, "accepted"),
    (FindingStatus::Disputed, "disputed"),
    (FindingStatus::Fixed, "fixed"),
    (FindingStatus::Verified, "verified"),
];

const SEVERITIES: [Severity; 5] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
    Severity::Info,
];

/// "unlisted-open-port" as "Unlisted open port".
pub fn kind_words(kind: FindingKind) -> String {
    let id = kind.id().replace('-', " ");
    let mut chars = id.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// What the filters hold: empty text means "any".
#[derive(Debug, Clone, Copy)]
struct Filters {
    system: RwSignal<String>,
    severity: RwSignal<String>,
    kind: RwSignal<String>,
    state: RwSignal<String>,
}

impl Filters {
    fn from_query() -> Filters {
        let query = use_query_map();
        let get = |key: &str| query.with_untracked(|query| query.get(key).unwrap_or_default());
        Filters {
            system: RwSignal::new(get("system")),
            severity: RwSignal::new(get("severity")),
            kind: RwSignal::new(get("kind")),
            state: RwSignal::new(get("state")),
        }
    }

    fn admits(self, record: &FindingRecord) -> bool {
        let finding = &record.finding;
        let system = self.system.get();
        let severity = self.severity.get();
        let kind = self.kind.get();
        let state = self.state.get();
        (system.is_empty() || finding.system_id.is_some_and(|id| id.to_string() == system))
            && (severity.is_empty() || finding.severity.label().eq_ignore_ascii_case(&severity))
            && (kind.is_empty() || finding.kind.id() == kind)
            && (state.is_empty() || status_key(record.status()) == state)
    }
}

fn status_key(status: FindingStatus) -> &'static str {
    STATUSES
        .iter()
        .find(|(known, _)| *known == status)
        .map_or("open", |(_, key)| key)
}

#[component]
pub fn FindingsPage() -> impl IntoView {
    let loaded = LocalResource::new(|| async {
        let findings = ipc::invoke::<FindingsList>(&FindingFilter::default()).await?;
        let systems = ipc::invoke::<SystemsList>(&Empty::default()).await?;
        Ok::<_, portcullis_model::AppError>((findings, systems))
    });
    view! {
        <section class="page" data-test="page" data-page="nav-findings">
            <h1>"Findings"</h1>
            <p class="lead">
                "What the scans found, in plain words. Open one to see what it is, why it matters and what to do."
            </p>
            {move || match loaded.get() {
                None => view! { <p class="muted">"Loading the findings…"</p> }.into_any(),
                Some(Err(error)) => {
                    view! {
                        <p class="form-error" role="alert">
                            "The findings could not be loaded: "
                            {sentence(&error.message)}
                        </p>
                    }
                        .into_any()
                }
                Some(Ok((findings, _))) if findings.is_empty() => {
                    view! {
                        <EmptyState
                            title="No findings yet"
                            message="Findings appear after your first scan. The guided check walks you through it."
                        >
                            <a class="button primary" href="/wizard">"Start the guided check"</a>
                        </EmptyState>
                    }
                        .into_any()
                }
                Some(Ok((findings, systems))) => view! { <FindingTable findings systems /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn FindingTable(findings: Vec<FindingRecord>, systems: Vec<System>) -> impl IntoView {
    let mut findings = findings;
    // What needs attention first: open before answered, worst first.
    findings.sort_by(|a, b| {
        (a.status() != FindingStatus::Open, b.finding.severity, a.id).cmp(&(
            b.status() != FindingStatus::Open,
            a.finding.severity,
            b.id,
        ))
    });
    let kinds: BTreeSet<FindingKind> = findings.iter().map(|record| record.finding.kind).collect();
    let names = StoredValue::new(
        systems
            .iter()
            .map(|system| (system.id, system.name.clone()))
            .collect::<Vec<_>>(),
    );
    let findings = StoredValue::new(findings);
    let filters = Filters::from_query();
    let paging = Paging::new();
    let shown = Memo::new(move |_| {
        findings.with_value(|all| {
            all.iter()
                .filter(|record| filters.admits(record))
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    Effect::new(move |_| {
        shown.track();
        paging.page.set(0);
    });
    let total = Signal::derive(move || shown.with(Vec::len));
    let system_name = move |id: Option<SystemId>| {
        names.with_value(|names| {
            id.and_then(|id| names.iter().find(|(known, _)| *known == id))
                .map_or_else(|| "No system".to_owned(), |(_, name)| name.clone())
        })
    };
    view! {
        <Card>
            <div class="filters" role="group" aria-label="Filter the findings">
                <FilterSelect
                    id="filter-system"
                    label="System"
                    value=filters.system
                    options=systems.iter().map(|s| (s.id.to_string(), s.name.clone())).collect()
                />
                <FilterSelect
                    id="filter-severity"
                    label="Severity"
                    value=filters.severity
                    options=SEVERITIES
                        .iter()
                        .map(|s| (s.label().to_lowercase(), s.label().to_owned()))
                        .collect()
                />
                <FilterSelect
                    id="filter-kind"
                    label="Kind"
                    value=filters.kind
                    options=kinds.iter().map(|k| (k.id().to_owned(), kind_words(*k))).collect()
                />
                <FilterSelect
                    id="filter-state"
                    label="State"
                    value=filters.state
                    options=STATUSES
                        .iter()
                        .map(|(status, key)| ((*key).to_owned(), status_words(*status).to_owned()))
                        .collect()
                />
            </div>
            <p aria-live="polite" data-test="findings-count">
                {move || match total.get() {
                    1 => "1 finding".to_owned(),
                    count => format!("{} findings", crate::components::pager::thousands(count)),
                }}
            </p>
            <DataTable
                label="Findings"
                headers=&["Severity", "Finding", "System", "State"]
                body_test="finding-rows"
            >
                <For
                    each=move || shown.with(|rows| paging.slice(rows))
                    key=|record| (record.id, record.status())
                    children=move |record| {
                        view! {
                            <tr data-test="finding-row" data-port=record.finding.port.map(|port| port.to_string())>
                                <td>
                                    <span
                                        class="severity"
                                        data-severity=record.finding.severity.label().to_lowercase()
                                    >
                                        {severity_words(record.finding.severity)}
                                    </span>
                                </td>
                                <th scope="row">
                                    <a href=finding_path(record.id) data-test="finding-link">
                                        {record.finding.title.to_string()}
                                    </a>
                                </th>
                                <td>{system_name(record.finding.system_id)}</td>
                                <td data-test="finding-state">{status_words(record.status())}</td>
                            </tr>
                        }
                    }
                />
            </DataTable>
            <Show when=move || total.get() == 0>
                <p class="muted" data-test="findings-filter-none">
                    "No finding matches these filters. Set one back to \"Any\" to see more."
                </p>
            </Show>
            <Pager paging total noun="findings" />
        </Card>
    }
}

/// A labelled select whose first option, "Any", clears the filter.
#[component]
fn FilterSelect(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    /// Each option's key and words.
    options: Vec<(String, String)>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <select
                id=id
                data-test=id
                on:change=move |event| value.set(event_target_value(&event))
            >
                <option value="" selected=move || value.with(String::is_empty)>
                    "Any"
                </option>
                {options
                    .into_iter()
                    .map(|(key, words)| {
                        let selected_key = key.clone();
                        view! {
                            <option value=key selected=move || value.with(|v| *v == selected_key)>
                                {words}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}
