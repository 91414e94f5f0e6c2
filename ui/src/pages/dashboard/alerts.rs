//! "What changed": the alerts monitoring raised, newest first, each with
//! why it is news and where to see its fix; and the notifications that
//! told the person on the desktop.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portcullis_model::commands::{AlertsList, AlertsSeen, Empty, NotificationsList};
use portcullis_model::compliance::Severity;
use portcullis_model::monitor::{Alert, DriftReason, Notification};

use crate::components::{Card, EmptyState};
use crate::ipc;
use crate::text::{local_time, sentence};

/// How many notifications the card lists.
const NOTIFICATIONS_SHOWN: usize = 5;

#[component]
pub fn AlertsCard(refresh: Signal<(u32, u32)>, changed: RwSignal<u32>) -> impl IntoView {
    let alerts = LocalResource::new(move || {
        refresh.track();
        ipc::invoke::<AlertsList>(&false)
    });
    let notifications = LocalResource::new(move || {
        refresh.track();
        async { ipc::invoke::<NotificationsList>(&Empty::default()).await }
    });
    let error = RwSignal::new(None::<String>);
    let mark_seen = move |newest: portcullis_model::ids::AlertId| {
        spawn_local(async move {
            match ipc::invoke::<AlertsSeen>(&newest).await {
                Ok(_) => changed.update(|count| *count += 1),
                Err(failure) => error.set(Some(sentence(&failure.message))),
            }
        });
    };
    view! {
        <Card title="What changed">
            {move || match alerts.get() {
                None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Some(Err(failure)) => {
                    view! { <p class="field-error">{sentence(&failure.message)}</p> }.into_any()
                }
                Some(Ok(list)) if list.is_empty() => {
                    view! {
                        <EmptyState
                            title="Nothing new"
                            message="When a check finds a port that opened, a service that changed or an approval that ended, it shows here and on your desktop."
                        />
                    }
                        .into_any()
                }
                Some(Ok(list)) => {
                    let unseen = list.iter().filter(|alert| !alert.seen).count();
                    let newest = list.first().map(|alert| alert.id);
                    view! {
                        <p data-test="alerts-summary">{summary(unseen, list.len())}</p>
                        <ul class="alert-list" data-test="alerts">
                            {list.into_iter().map(alert_item).collect_view()}
                        </ul>
                        {(unseen > 0)
                            .then(|| {
                                view! {
                                    <div class="actions">
                                        <button
                                            class="button"
                                            data-test="alerts-seen"
                                            on:click=move |_| {
                                                if let Some(newest) = newest {
                                                    mark_seen(newest);
                                                }
                                            }
                                        >
                                            "I have seen these"
                                        </button>
                                    </div>
                                }
                            })}
                    }
                        .into_any()
                }
            }}
            {move || error.get().map(|message| view! { <p class="field-error">{message}</p> })}
            {move || {
                notifications
                    .get()
                    .and_then(Result::ok)
                    .filter(|list| !list.is_empty())
                    .map(|list| {
                        view! {
                            <h3 class="subheading">"Told you on your desktop"</h3>
                            <ul class="notification-list" data-test="notifications">
                                {list
                                    .into_iter()
                                    .take(NOTIFICATIONS_SHOWN)
                                    .map(notification_item)
                                    .collect_view()}
                            </ul>
                        }
                    })
            }}
        </Card>
    }
}

fn summary(unseen: usize, all: usize) -> String {
    match unseen {
        0 => format!("You have seen all {all}. They stay here for the record."),
        1 => "1 change is new since you last looked.".to_owned(),
        count => format!("{count} changes are new since you last looked."),
    }
}

fn alert_item(alert: Alert) -> impl IntoView {
    let why = match alert.reason {
        DriftReason::New => "New",
        DriftReason::Back => "Back after a fix",
        DriftReason::ApprovalExpired => "Its approval ended",
        DriftReason::Changed => "Changed since the check before",
    };
    view! {
        <li class="alert-item" class:unseen=!alert.seen data-test="alert" data-finding=alert.finding.map(|id| id.get())>
            <span class="severity" data-severity=severity_key(alert.severity)>
                {alert.severity.label()}
            </span>
            <div class="alert-text">
                <p class="alert-title">{alert.title}</p>
                <p class="muted">
                    {format!("{why}, found {}.", local_time(alert.raised_at))} " "
                    <a href="/wizard/review" data-test="alert-fix">
                        "See what it means and how to fix it"
                    </a>
                </p>
            </div>
        </li>
    }
}

fn severity_key(severity: Severity) -> &'static str {
    match severity {
        Severity::Info => "info",
        Severity::Low => "low",
        Severity::Medium => "medium",
        Severity::High => "high",
        Severity::Critical => "critical",
    }
}

fn notification_item(notification: Notification) -> impl IntoView {
    view! {
        <li data-test="notification">
            <span class="notification-title">{notification.title}</span>
            <span class="muted">{format!(" ({})", local_time(notification.raised_at))}</span>
        </li>
    }
}
