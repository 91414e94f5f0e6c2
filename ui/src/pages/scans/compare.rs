//! Two scans side by side: what opened, closed or changed at each address
//! between them, each change said against the inventory ("not in the
//! inventory: approve it or close it"), and why the comparison may
//! mislead when the scans looked at different things.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use portcullis_model::commands::DiffCommand;
use portcullis_model::diff_view::{AddressChanges, DiffView};
use portcullis_model::requests::DiffRequest;
use portcullis_model::scan_record::{ScanId, ScanRecord};

use super::{open_words, scan_path, status_words};
use crate::components::{Card, EmptyState};
use crate::ipc;
use crate::text::{local_time, sentence};

#[component]
pub fn ScanComparePage() -> impl IntoView {
    let query = use_query_map();
    let pair = move || {
        query.with(|query| {
            let before = query.get("before")?.parse::<ScanId>().ok()?;
            let after = query.get("after")?.parse::<ScanId>().ok()?;
            Some(DiffRequest { before, after })
        })
    };
    let diff = LocalResource::new(move || {
        let wanted = pair();
        async move {
            match wanted {
                Some(request) => ipc::invoke::<DiffCommand>(&request).await.map(Some),
                None => Ok(None),
            }
        }
    });
    view! {
        <section class="page" data-test="page" data-page="nav-scans">
            <p class="breadcrumb">
                <a href="/scans">"Scans"</a>
            </p>
            <h1>"Two scans compared"</h1>
            {move || match diff.get() {
                None => view! { <p class="muted">"Comparing…"</p> }.into_any(),
                Some(Err(error)) => {
                    view! { <p class="form-error" role="alert" data-test="compare-error">{sentence(&error.message)}</p> }.into_any()
                }
                Some(Ok(None)) => {
                    view! {
                        <EmptyState title="Pick two scans" message="Tick two scans in the list, then press Compare.">
                            <a class="button" href="/scans">"See your scans"</a>
                        </EmptyState>
                    }
                        .into_any()
                }
                Some(Ok(Some(view))) => compare_view(view).into_any(),
            }}
        </section>
    }
}

fn compare_view(diff: DiffView) -> impl IntoView {
    let DiffView {
        before,
        after,
        warnings,
        addresses,
        summary,
        ..
    } = diff;
    view! {
        <div class="side-by-side">
            {scan_card("Before", before)}
            {scan_card("After", after)}
        </div>
        <p class="lead" data-test="compare-summary">{summary}</p>
        {(!warnings.is_empty())
            .then(|| {
                view! {
                    <ul class="notice-list" data-kind="warning" data-test="compare-warnings">
                        {warnings.into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}
                    </ul>
                }
            })}
        <Card title="What changed">
            {if addresses.is_empty() {
                view! { <p class="muted" data-test="compare-nothing">"Nothing changed between these two scans."</p> }.into_any()
            } else {
                view! {
                    <ul class="change-list" data-test="compare-changes">
                        {addresses.into_iter().map(address_item).collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </Card>
    }
}

fn scan_card(label: &'static str, record: ScanRecord) -> impl IntoView {
    view! {
        <section class="card" data-test=format!("compare-{}", label.to_lowercase())>
            <h2 class="card-title">
                {format!("{label}: ")}
                <a href=scan_path(record.id)>{format!("Scan {}", record.id)}</a>
            </h2>
            <p>{local_time(record.started_at)}</p>
            <p class="muted">{format!("{} · {}", status_words(record.status), open_words(&record))}</p>
            <p class="muted why">{record.targets.clone()}</p>
        </section>
    }
}

fn address_item(changes: AddressChanges) -> impl IntoView {
    view! {
        <li data-test="compare-address">
            <strong>{format!("{} ({})", changes.address, changes.system)}</strong>
            <ul>
                {changes.changes.into_iter().map(|change| view! { <li data-test="compare-change">{change}</li> }).collect_view()}
            </ul>
        </li>
    }
}
