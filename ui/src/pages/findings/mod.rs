//! Findings: everything the scans found, filtered by system, severity,
//! kind and state, a page at a time; each finding's own page (`detail`)
//! explains it and holds its actions. Filters start from the address's
//! query (`/findings?system=3&state=open`) so other pages can link to a
//! view of them.

mod detail;

pub use detail::FindingPage;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use portcullis_model::commands::{Empty, FindingsPageCommand, SystemNames};
use portcullis_model::compliance::{FindingKind, FindingStatus, Severity};
use portcullis_model::ids::{FindingId, SystemId};
use portcullis_model::listing::{FindingPage, FindingQuery, PageRequest};

use crate::components::lazy_options::system_options;
use crate::components::{Card, DataTable, EmptyState, LazyOptions, Pager, Paging};
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

    /// The query for the backend: the filters that name something it
    /// knows, and the page shown.
    fn query(self, page: PageRequest) -> FindingQuery {
        let severity = self.severity.get();
        let kind = self.kind.get();
        let state = self.state.get();
        FindingQuery {
            system_id: self.system.get().parse().ok().map(SystemId),
            severity: SEVERITIES
                .into_iter()
                .find(|known| known.label().eq_ignore_ascii_case(&severity)),
            kind: FindingKind::ALL
                .into_iter()
                .find(|known| known.id() == kind),
            status: STATUSES
                .iter()
                .find(|(_, key)| *key == state)
                .map(|(status, _)| *status),
            page,
        }
    }
}

#[component]
pub fn FindingsPage() -> impl IntoView {
    let filters = Filters::from_query();
    let paging = Paging::new();
    let page = LocalResource::new(move || {
        let query = filters.query(paging.request());
        async move { ipc::invoke::<FindingsPageCommand>(&query).await }
    });
    // The page as last loaded: it stays on screen while the next loads, so
    // the filters keep their focus.
    let loaded = Signal::derive(move || page.get().and_then(Result::ok));
    let has_findings = move || loaded.with(|page| page.as_ref().is_some_and(|page| page.all > 0));
    view! {
        <section class="page" data-test="page" data-page="nav-findings">
            <h1>"Findings"</h1>
            <p class="lead">
                "What the scans found, in plain words. Open one to see what it is, why it matters and what to do."
            </p>
            {move || match page.get() {
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
                Some(Ok(page)) if page.all == 0 => {
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
                Some(Ok(_)) => ().into_any(),
            }}
            <Show when=has_findings>
                <FindingTable loaded filters paging />
            </Show>
        </section>
    }
}

#[component]
fn FindingTable(
    loaded: Signal<Option<FindingPage>>,
    filters: Filters,
    paging: Paging,
) -> impl IntoView {
    let names =
        LocalResource::new(|| async { ipc::invoke::<SystemNames>(&Empty::default()).await });
    let system_options = system_options(Signal::derive(move || names.get().and_then(Result::ok)));
    let kind_options = Signal::derive(move || {
        loaded
            .with(|page| page.as_ref().map(|page| page.kinds.clone()))
            .unwrap_or_default()
            .into_iter()
            .map(|kind| (kind.id().to_owned(), kind_words(kind)))
            .collect::<Vec<_>>()
    });
    let total = Signal::derive(move || {
        loaded.with(|page| {
            page.as_ref()
                .map_or(0, |page| usize::try_from(page.total).unwrap_or(usize::MAX))
        })
    });
    let rows = move || {
        loaded.with(|page| {
            page.as_ref()
                .map(|page| page.rows.clone())
                .unwrap_or_default()
        })
    };
    let severity_options = SEVERITIES
        .iter()
        .map(|s| (s.label().to_lowercase(), s.label().to_owned()))
        .collect::<Vec<_>>();
    let state_options = STATUSES
        .iter()
        .map(|(status, key)| ((*key).to_owned(), status_words(*status).to_owned()))
        .collect::<Vec<_>>();
    view! {
        <Card>
            <div class="filters" role="group" aria-label="Filter the findings">
                <FilterSelect id="filter-system" label="System" value=filters.system paging options=system_options many=true />
                <FilterSelect
                    id="filter-severity"
                    label="Severity"
                    value=filters.severity
                    paging
                    options=Signal::stored(severity_options)
                />
                <FilterSelect id="filter-kind" label="Kind" value=filters.kind paging options=kind_options />
                <FilterSelect
                    id="filter-state"
                    label="State"
                    value=filters.state
                    paging
                    options=Signal::stored(state_options)
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
                    each=rows
                    key=|row| (row.record.id, row.record.status())
                    children=move |row| {
                        let record = row.record;
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
                                <td>{row.system_name.unwrap_or_else(|| "No system".to_owned())}</td>
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

/// A labelled select whose first option, "Any", clears the filter; a
/// change goes back to the first page.
#[component]
fn FilterSelect(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    paging: Paging,
    /// Each option's key and words.
    options: Signal<Vec<(String, String)>>,
    /// Thousands of options (the systems): drawn when reached for.
    #[prop(optional)]
    many: bool,
) -> impl IntoView {
    let lazy = if many {
        LazyOptions::new()
    } else {
        LazyOptions::eager()
    };
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <select
                id=id
                data-test=id
                on:focus=move |_| lazy.reach()
                on:pointerenter=move |_| lazy.reach()
                on:change=move |event| {
                    paging.page.set(0);
                    value.set(event_target_value(&event));
                }
            >
                <option value="" selected=move || value.with(String::is_empty)>
                    "Any"
                </option>
                {lazy.view(options, value.into())}
            </select>
        </div>
    }
}
