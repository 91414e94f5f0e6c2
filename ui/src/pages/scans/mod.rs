//! Scans: every recorded scan, newest first, filtered by status, origin
//! and target, a page at a time; tick two to compare them (`compare`);
//! open one for every host and port it saw and what was judged (`detail`).
//! A new scan (`/scans/new`) is the guided check's Scan step on a page of
//! its own, so it offers the same choices, the same readiness check and
//! the same live view, whether or not the guided check was finished.

mod compare;
mod detail;

pub use compare::ScanComparePage;
pub use detail::ScanPage;

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use portcullis_model::commands::ScansList;
use portcullis_model::compliance::Exposure;
use portcullis_model::scan_record::{ScanId, ScanRecord, ScanStatus};

use crate::components::{Card, EmptyState, Pager, Paging};
use crate::ipc;
use crate::text::{local_time, sentence};

/// How many of the newest scans the page lists.
const LISTED: i64 = 5_000;

/// A scan started from the Scans page.
#[component]
pub fn NewScanPage() -> impl IntoView {
    view! {
        <section class="page" data-test="page" data-page="nav-scans" data-step="scan">
            <p class="breadcrumb">
                <a href="/scans">"Scans"</a>
            </p>
            <h1>"A new scan"</h1>
            <crate::wizard::ScanStep back="/scans" />
        </section>
    }
}

pub fn scan_path(id: ScanId) -> String {
    format!("/scans/{id}")
}

pub fn status_words(status: ScanStatus) -> &'static str {
    match status {
        ScanStatus::Running => "Running",
        ScanStatus::Finished => "Finished",
        ScanStatus::Cancelled => "Stopped early (partial)",
        ScanStatus::Interrupted => "Interrupted (partial)",
    }
}

pub fn origin_words(origin: Exposure) -> &'static str {
    match origin {
        Exposure::External => "From the internet",
        Exposure::Internal => "From inside",
    }
}

/// "3 open ports" or "—" while it runs.
pub fn open_words(record: &ScanRecord) -> String {
    match record.open_ports {
        None => "—".to_owned(),
        Some(1) => "1 open port".to_owned(),
        Some(count) => format!("{count} open ports"),
    }
}

#[component]
pub fn ScansPage() -> impl IntoView {
    let scans = LocalResource::new(|| async { ipc::invoke::<ScansList>(&LISTED).await });
    view! {
        <section class="page" data-test="page" data-page="nav-scans">
            <h1>"Scans"</h1>
            <p class="lead">
                "Every scan you have run: which ports were open, what answered on them, and what changed from one scan to the next."
            </p>
            <div class="actions">
                <a class="button primary" href="/scans/new" data-test="scan-new">
                    "Start a new scan"
                </a>
            </div>
            {move || match scans.get() {
                None => view! { <p class="muted">"Loading your scans…"</p> }.into_any(),
                Some(Err(error)) => {
                    view! {
                        <p class="form-error" role="alert">
                            "Your scans could not be loaded: "
                            {sentence(&error.message)}
                        </p>
                    }
                        .into_any()
                }
                Some(Ok(list)) if list.is_empty() => {
                    view! {
                        <EmptyState
                            title="No scans yet"
                            message="Your first scan shows which ports your systems have open. The guided check starts it for you."
                        />
                    }
                        .into_any()
                }
                Some(Ok(list)) => view! { <ScanTable list /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn ScanTable(list: Vec<ScanRecord>) -> impl IntoView {
    let list = StoredValue::new(list);
    let status = RwSignal::new(String::new());
    let origin = RwSignal::new(String::new());
    let target = RwSignal::new(String::new());
    let paging = Paging::new();
    // The two scans ticked for comparison, in the order ticked.
    let ticked = RwSignal::new(Vec::<ScanId>::new());
    let shown = Memo::new(move |_| {
        let status = status.get();
        let origin = origin.get();
        let target = target.get().trim().to_lowercase();
        list.with_value(|all| {
            all.iter()
                .filter(|r| status.is_empty() || r.status.as_str() == status)
                .filter(|r| {
                    origin.is_empty() || (origin == "external") == (r.origin == Exposure::External)
                })
                .filter(|r| target.is_empty() || r.targets.to_lowercase().contains(&target))
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    Effect::new(move |_| {
        shown.track();
        paging.page.set(0);
    });
    let total = Signal::derive(move || shown.with(Vec::len));
    let navigate = use_navigate();
    let compare = move |_| {
        let mut pair = ticked.get_untracked();
        if pair.len() != 2 {
            return;
        }
        pair.sort();
        navigate(
            &format!("/scans/compare?before={}&after={}", pair[0], pair[1]),
            Default::default(),
        );
    };
    let toggle = move |id: ScanId, on: bool| {
        ticked.update(|ticked| {
            ticked.retain(|known| *known != id);
            if on {
                ticked.push(id);
                // Two at most: the oldest tick gives way.
                if ticked.len() > 2 {
                    ticked.remove(0);
                }
            }
        });
    };
    view! {
        <Card>
            <div class="filters" role="group" aria-label="Filter the scans">
                <div class="field">
                    <label for="filter-status">"Status"</label>
                    <select id="filter-status" data-test="filter-status" on:change=move |e| status.set(event_target_value(&e))>
                        <option value="">"Any"</option>
                        {[ScanStatus::Finished, ScanStatus::Running, ScanStatus::Cancelled, ScanStatus::Interrupted]
                            .into_iter()
                            .map(|s| view! { <option value=s.as_str()>{status_words(s)}</option> })
                            .collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="filter-origin">"Scanned from"</label>
                    <select id="filter-origin" data-test="filter-origin" on:change=move |e| origin.set(event_target_value(&e))>
                        <option value="">"Anywhere"</option>
                        <option value="internal">"Inside"</option>
                        <option value="external">"The internet"</option>
                    </select>
                </div>
                <div class="field">
                    <label for="filter-target">"Target"</label>
                    <input id="filter-target" type="search" placeholder="An address or name" bind:value=target data-test="filter-target" />
                </div>
            </div>
            <div class="compare-bar">
                <p aria-live="polite" data-test="compare-hint">
                    {move || match ticked.with(Vec::len) {
                        0 => "Tick two scans to compare them.".to_owned(),
                        1 => "Tick one more scan to compare.".to_owned(),
                        _ => "Ready to compare the two scans ticked.".to_owned(),
                    }}
                </p>
                <button
                    class="button"
                    type="button"
                    on:click=compare
                    disabled=move || ticked.with(Vec::len) != 2
                    data-test="scan-compare"
                >
                    "Compare"
                </button>
            </div>
            <div class="table-scroll" tabindex="0" role="region" aria-label="Your scans">
                <table class="data-table">
                    <thead>
                        <tr>
                            <th scope="col"><span class="visually-hidden">"Compare"</span></th>
                            <th scope="col">"Scan"</th>
                            <th scope="col">"Targets"</th>
                            <th scope="col">"Found"</th>
                            <th scope="col">"Status"</th>
                        </tr>
                    </thead>
                    <tbody data-test="scan-rows">
                        <For
                            each=move || shown.with(|rows| paging.slice(rows))
                            key=|record| (record.id, record.status)
                            children=move |record| {
                                let id = record.id;
                                view! {
                                    <tr data-test="scan-row" data-scan=id.to_string()>
                                        <td>
                                            <input
                                                type="checkbox"
                                                aria-label=format!("Compare scan {id}")
                                                prop:checked=move || ticked.with(|t| t.contains(&id))
                                                on:change=move |e| toggle(id, event_target_checked(&e))
                                                data-test="scan-tick"
                                            />
                                        </td>
                                        <th scope="row">
                                            <a href=scan_path(id) data-test="scan-link">
                                                {format!("Scan {id}")}
                                            </a>
                                            <span class="muted">{format!(", {}", local_time(record.started_at))}</span>
                                        </th>
                                        <td class="why">{record.targets.clone()}</td>
                                        <td>{open_words(&record)}</td>
                                        <td>{format!("{}, {}", status_words(record.status), origin_words(record.origin).to_lowercase())}</td>
                                    </tr>
                                }
                            }
                        />
                    </tbody>
                </table>
            </div>
            <Show when=move || total.get() == 0>
                <p class="muted">"No scan matches these filters."</p>
            </Show>
            <Pager paging total noun="scans" />
        </Card>
    }
}
