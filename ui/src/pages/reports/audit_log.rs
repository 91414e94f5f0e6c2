//! The audit log as an assessor reads it: every change, newest first, who
//! made it and when, and the check of its hash chain, which shows that no
//! row was changed, removed or slipped in since it was written.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portcullis_model::commands::{AuditShow, AuditVerify, Empty};
use portcullis_model::compliance::AuditEntry;
use portcullis_model::maintenance::ChainReport;

use crate::audit_history::action_words;
use crate::components::{Card, Pager, Paging};
use crate::ipc;
use crate::text::{local_time, sentence};

/// How many of the newest rows the page lists.
const LISTED: i64 = 10_000;

#[component]
pub fn AuditLogCard() -> impl IntoView {
    let rows = LocalResource::new(|| async { ipc::invoke::<AuditShow>(&LISTED).await });
    let check = RwSignal::new(None::<Result<ChainReport, String>>);
    let checking = RwSignal::new(false);
    let verify = move |_| {
        if checking.get_untracked() {
            return;
        }
        checking.set(true);
        spawn_local(async move {
            let report = ipc::invoke::<AuditVerify>(&Empty::default()).await;
            check.set(Some(report.map_err(|error| sentence(&error.message))));
            checking.set(false);
        });
    };
    view! {
        <Card title="Audit log">
            <p class="muted">
                "Every change to your systems, approvals and findings, with who made it and when. Each row is chained to the one before by a hash, so a change made behind Portcullis's back shows."
            </p>
            <div class="actions">
                <button class="button" type="button" on:click=verify aria-disabled=move || checking.get().then_some("true") data-test="audit-verify">
                    "Check the log has not been tampered with"
                </button>
            </div>
            {move || check.get().map(chain_view)}
            {move || match rows.get() {
                None => view! { <p class="muted">"Loading the log…"</p> }.into_any(),
                Some(Err(error)) => view! { <p class="form-error">{sentence(&error.message)}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => {
                    view! { <p class="muted">"Nothing has been changed yet."</p> }.into_any()
                }
                Some(Ok(list)) => view! { <AuditTable list /> }.into_any(),
            }}
        </Card>
    }
}

fn chain_view(report: Result<ChainReport, String>) -> impl IntoView {
    match report {
        Err(message) => view! { <p class="form-error" role="alert" data-test="audit-chain">{message}</p> }.into_any(),
        Ok(report) => match report.first_bad {
            None => view! {
                <p class="notice" data-kind="ok" role="status" data-test="audit-chain" data-intact="true">
                    {format!(
                        "The log is intact: all {} rows fit their chain. Its last hash is {}: note it somewhere else to notice later if rows were cut off the end.",
                        report.rows_checked,
                        report.head_hash.unwrap_or_default()
                    )}
                </p>
            }
            .into_any(),
            Some(bad) => view! {
                <p class="form-error" role="alert" data-test="audit-chain" data-intact="false">
                    {format!("The log was changed outside Portcullis: {bad}")}
                </p>
            }
            .into_any(),
        },
    }
}

#[component]
fn AuditTable(list: Vec<AuditEntry>) -> impl IntoView {
    let list = StoredValue::new(list);
    let total = Signal::derive(move || list.with_value(Vec::len));
    let paging = Paging::new();
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-label="The audit log">
            <table class="data-table">
                <thead>
                    <tr>
                        <th scope="col">"When"</th>
                        <th scope="col">"Who"</th>
                        <th scope="col">"What"</th>
                        <th scope="col">"Of what"</th>
                    </tr>
                </thead>
                <tbody data-test="audit-rows">
                    <For
                        each=move || list.with_value(|rows| paging.slice(rows))
                        key=|entry| entry.id
                        children=|entry| {
                            view! {
                                <tr data-test="audit-row">
                                    <td class="nowrap">{local_time(entry.at)}</td>
                                    <td>{entry.actor.clone()}</td>
                                    <td>{action_words(entry.action)}</td>
                                    <td>{format!("{} {}", entry.entity.replace('_', " "), entry.entity_id)}</td>
                                </tr>
                            }
                        }
                    />
                </tbody>
            </table>
        </div>
        <Pager paging total noun="changes" />
    }
}
