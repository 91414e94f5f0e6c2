//! The inventory as a file: saved as CSV (for a spreadsheet) or JSON, and
//! brought in from one, all of its rows or none, each problem named by
//! its line so the person can correct the file.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portcullis_model::AppError;
use portcullis_model::commands::{Empty, InventoryExportFile, InventoryImportFile};
use portcullis_model::judgement::InventoryFormat;

use crate::components::Card;
use crate::ipc;
use crate::text::sentence;

/// What the last transfer came to.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    None,
    Done(String),
    Refused(AppError),
}

#[component]
pub fn TransferCard(changed: RwSignal<u32>) -> impl IntoView {
    let outcome = RwSignal::new(Outcome::None);
    let export = move |format: InventoryFormat| {
        spawn_local(async move {
            outcome.set(match ipc::invoke::<InventoryExportFile>(&format).await {
                Ok(None) => Outcome::None,
                Ok(Some(path)) => Outcome::Done(format!("Saved the inventory to {path}.")),
                Err(error) => Outcome::Refused(error),
            });
        });
    };
    let import = move |_| {
        spawn_local(async move {
            outcome.set(
                match ipc::invoke::<InventoryImportFile>(&Empty::default()).await {
                    Ok(None) => Outcome::None,
                    Ok(Some(summary)) => {
                        changed.update(|count| *count += 1);
                        Outcome::Done(format!(
                            "Brought in: {} added, {} updated, {} already as the file says.",
                            summary.added, summary.updated, summary.unchanged
                        ))
                    }
                    Err(error) => Outcome::Refused(error),
                },
            );
        });
    };
    view! {
        <Card title="Spreadsheet or file">
            <p class="muted">
                "Keep the inventory in a spreadsheet, or give it to your assessor. A file brought in is taken whole or not at all: rows for a port already approved replace it."
            </p>
            <div class="actions">
                <button class="button" type="button" on:click=move |_| export(InventoryFormat::Csv) data-test="inventory-export-csv">
                    "Save as CSV…"
                </button>
                <button class="button" type="button" on:click=move |_| export(InventoryFormat::Json) data-test="inventory-export-json">
                    "Save as JSON…"
                </button>
                <button class="button" type="button" on:click=import data-test="inventory-import">
                    "Bring in a file…"
                </button>
            </div>
            {move || match outcome.get() {
                Outcome::None => ().into_any(),
                Outcome::Done(message) => {
                    view! { <p class="notice" data-kind="ok" role="status" data-test="transfer-done">{message}</p> }.into_any()
                }
                Outcome::Refused(error) => {
                    view! {
                        <div class="form-error" role="alert" data-test="transfer-refused">
                            <p>{sentence(&error.message)}</p>
                            {(!error.problems.is_empty())
                                .then(|| {
                                    view! {
                                        <ul data-test="transfer-problems">
                                            {error
                                                .problems
                                                .iter()
                                                .map(|problem| view! { <li>{problem.to_string()}</li> })
                                                .collect_view()}
                                        </ul>
                                    }
                                })}
                        </div>
                    }
                        .into_any()
                }
            }}
        </Card>
    }
}
