//! Settings: for now, what the app knows about itself, including how old
//! its list of known-vulnerable versions is.

use leptos::prelude::*;
use portcullis_model::service::AdvisoryData;
use portcullis_model::{DatabaseState, DatabaseStatus};

use crate::backend_status::BackendStatus;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let status = BackendStatus::from_context();
    view! {
        <section class="page" data-test="page" data-page="nav-settings">
            <h1>"Settings"</h1>
            <h2>"About this installation"</h2>
            {move || match status.info.get() {
                None => view! { <p class="muted">"Asking the backend…"</p> }.into_any(),
                Some(Err(error)) => {
                    view! {
                        <p class="error" data-test="backend-error">
                            "The backend did not answer: "
                            {error.message}
                        </p>
                    }
                        .into_any()
                }
                Some(Ok(info)) => {
                    view! {
                        <dl class="facts">
                            <dt>"Version"</dt>
                            <dd data-test="app-version">{info.version}</dd>
                            <dt>"Data directory"</dt>
                            <dd data-test="data-dir">
                                <code>{info.data_dir}</code>
                            </dd>
                            <dt>"Database"</dt>
                            <dd>
                                {move || status.database.get().map(|database| database_view(&database))}
                            </dd>
                            <dt>"Known vulnerable versions"</dt>
                            <dd data-test="advisories">{advisories_view(&info.advisories)}</dd>
                        </dl>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}

fn database_view(database: &DatabaseStatus) -> impl IntoView + use<> {
    let detail = match &database.state {
        DatabaseState::Opening => "opening…".to_owned(),
        DatabaseState::Ready { schema_version } => {
            format!("ready, schema version {schema_version}")
        }
        DatabaseState::Failed { message } => format!("failed: {message}"),
    };
    view! {
        <code data-test="database-path">{database.path.clone()}</code>
        <span class="db-state" data-test="database-state" data-state=database.state.label()>
            {detail}
        </span>
    }
}

/// How old the list of vulnerable and unsupported versions is, in words,
/// with the backend's warning when it is too old to trust.
fn advisories_view(data: &AdvisoryData) -> impl IntoView + use<> {
    let age = match data.age_days {
        0 => "today".to_owned(),
        1 => "yesterday".to_owned(),
        days => format!("{days} days ago"),
    };
    let summary = format!(
        "{} entries, last checked against their sources on {} ({age}).",
        data.advisories, data.reviewed
    );
    view! {
        <span>{summary}</span>
        {data
            .warning
            .clone()
            .map(|warning| {
                view! {
                    <p class="notice" data-kind="warning" data-test="advisories-warning">
                        {warning}
                    </p>
                }
            })}
    }
}
