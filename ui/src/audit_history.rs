//! The history of one thing (a system, a finding, an approval) as the
//! audit log holds it: who did what and when, newest first, in words.

use leptos::prelude::*;
use portcullis_model::AppError;
use portcullis_model::commands::AuditShow;
use portcullis_model::compliance::{AuditAction, AuditEntry, RecordChange};

use crate::components::Card;
use crate::ipc;
use crate::text::{local_time, sentence};

/// How many of the newest audit rows are searched.
const SEARCHED: i64 = 2_000;

/// The audit rows about `entity` number `entity_id` ("system", "7").
#[component]
pub fn AuditHistory(entity: &'static str, entity_id: String) -> impl IntoView {
    let entity_id = StoredValue::new(entity_id);
    let history = LocalResource::new(move || async move {
        let entries = ipc::invoke::<AuditShow>(&SEARCHED).await?;
        let wanted = entity_id.get_value();
        Ok::<_, AppError>(
            entries
                .into_iter()
                .filter(|entry| entry.entity == entity && entry.entity_id == wanted)
                .collect::<Vec<_>>(),
        )
    });
    view! {
        <Card title="History">
            {move || match history.get() {
                None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Some(Err(error)) => {
                    view! { <p class="form-error">{sentence(&error.message)}</p> }.into_any()
                }
                Some(Ok(list)) if list.is_empty() => {
                    view! { <p class="muted">"Nothing recorded yet."</p> }.into_any()
                }
                Some(Ok(list)) => {
                    view! {
                        <ul class="history-list" data-test="history">
                            {list.into_iter().map(history_item).collect_view()}
                        </ul>
                    }
                        .into_any()
                }
            }}
        </Card>
    }
}

fn history_item(entry: AuditEntry) -> impl IntoView {
    view! {
        <li data-test="history-item">
            <strong>{action_words(entry.action)}</strong>
            {format!(" by {}, {}", entry.actor, local_time(entry.at))}
        </li>
    }
}

/// What an audit action did, as a person says it.
pub fn action_words(action: AuditAction) -> &'static str {
    match action {
        AuditAction::SystemAdd => "Added",
        AuditAction::SystemUpdate => "Details changed",
        AuditAction::SystemRemove => "Removed",
        AuditAction::SystemPlatform => "What it runs on was stated",
        AuditAction::InventoryAdd => "Approved",
        AuditAction::InventoryUpdate => "Approval changed",
        AuditAction::InventoryApprove => "Approval renewed",
        AuditAction::InventoryRemove => "Approval removed",
        AuditAction::InventoryImport => "Imported",
        AuditAction::FindingAccept => "Accepted as a business need",
        AuditAction::FindingDispute => "Disputed with the ASV",
        AuditAction::FindingFixed => "Reported fixed",
        AuditAction::FindingTracked(change) => match change {
            RecordChange::StillOpen => "Seen again by a scan",
            RecordChange::StillAccepted => "Seen again; still accepted",
            RecordChange::AcceptanceExpired => "Acceptance ended",
            RecordChange::FixedByScan => "Gone in a scan",
            RecordChange::Verified => "Fix proven by a scan",
            RecordChange::Reopened => "Back again",
        },
        AuditAction::SegmentationTestRecord => "Segmentation test recorded",
        AuditAction::AsvScanRecord => "ASV scan recorded",
        AuditAction::ScheduleAdd => "Watching started",
        AuditAction::ScheduleRemove => "Watching stopped",
    }
}
