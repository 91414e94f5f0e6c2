//! The dashboard: where the merchant stands, what changed since they last
//! looked (the alerts monitoring raised), what PCI DSS says is due, and
//! the schedules that keep watch.

mod alerts;
mod charts;
mod segmentation;
mod watching;

use leptos::prelude::*;
use portcullis_model::commands::{DashboardStatus, Empty};
use portcullis_model::dashboard::NextStep;

use crate::components::Card;
use crate::ipc;
use crate::monitoring_news::MonitoringNews;
use crate::text::sentence;

use alerts::AlertsCard;
use charts::{ChartsCard, systems_list};
use segmentation::SegmentationCard;
use watching::WatchCard;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let news = MonitoringNews::from_context();
    // Bumped by this page's own changes (a check run, a schedule set);
    // monitoring's notifications bump `news` from the backend.
    let changed = RwSignal::new(0_u32);
    let refresh = Signal::derive(move || (changed.get(), news.raised.get()));
    view! {
        <section class="page" data-test="page" data-page="nav-dashboard">
            <h1>"Dashboard"</h1>
            <StatusLead refresh />
            <ChartsCard refresh />
            <AlertsCard refresh changed />
            <WatchCard refresh changed />
            <SegmentationCard changed />
        </section>
    }
}

/// The headline and the tasks PCI DSS dates, soonest first.
#[component]
fn StatusLead(refresh: Signal<(u32, u32)>) -> impl IntoView {
    let status = LocalResource::new(move || {
        refresh.track();
        async { ipc::invoke::<DashboardStatus>(&Empty::default()).await }
    });
    view! {
        {move || match status.get() {
            None => view! { <p class="lead muted">"Looking at your systems…"</p> }.into_any(),
            Some(Err(error)) => {
                view! { <p class="field-error" data-test="status-error">{sentence(&error.message)}</p> }
                    .into_any()
            }
            Some(Ok(report)) => {
                let steps = report.next_steps;
                let systems = report.status.systems;
                let counts = report.verdict_counts;
                view! {
                    <p class="lead" data-test="status-headline">{report.headline}</p>
                    {(!systems.is_empty())
                        .then(|| {
                            view! {
                                <Card title="Where each system stands">
                                    {systems_list(systems, counts)}
                                </Card>
                            }
                        })}
                    <Card title="What is due">
                        {if steps.is_empty() {
                            view! {
                                <p class="muted">
                                    "Nothing is due. Add your systems in the guided check to see when your scans are due."
                                </p>
                            }
                                .into_any()
                        } else {
                            view! {
                                <ul class="due-list" data-test="due-list">
                                    {steps.into_iter().map(due_item).collect_view()}
                                </ul>
                            }
                                .into_any()
                        }}
                    </Card>
                }
                    .into_any()
            }
        }}
    }
}

fn due_item(step: NextStep) -> impl IntoView {
    view! {
        <li class:overdue=step.overdue data-test="due-item">
            <span class="due-mark" aria-hidden="true">
                {if step.overdue { "!" } else { "•" }}
            </span>
            {step.sentence}
        </li>
    }
}
