//! The dashboard's pictures: where each system stands in the ASV's terms,
//! open findings by severity, and open ports and findings over the last
//! scans. Every figure is a link to the page that explains it.

use leptos::prelude::*;
use portcullis_model::commands::{DashboardCommand, Empty};
use portcullis_model::compliance::{FindingStatus, Severity, SystemStatus};
use portcullis_model::dashboard::{Dashboard, VerdictCount};

use crate::components::pager::thousands;
use crate::components::{Badge, BadgeLevel, Bar, BarChart, Card, LineChart, TimePoint};
use crate::ipc;
use crate::text::sentence;

const SEVERITIES: [(Severity, &str); 5] = [
    (Severity::Critical, "critical"),
    (Severity::High, "high"),
    (Severity::Medium, "medium"),
    (Severity::Low, "low"),
    (Severity::Info, "info"),
];

/// How many systems stand at each verdict, then the systems that need the
/// merchant most, worst first, each a link to its page; with more systems
/// than the backend listed, a link to all of them.
pub fn systems_list(systems: Vec<SystemStatus>, counts: Vec<VerdictCount>) -> impl IntoView {
    let total: u32 = counts.iter().map(|count| count.count).sum();
    let summary = counts
        .iter()
        .map(|count| {
            format!(
                "{}: {}",
                BadgeLevel::from(count.verdict).words(),
                thousands(count.count as usize)
            )
        })
        .collect::<Vec<_>>()
        .join(" · ");
    let listed = systems.len();
    view! {
        {(total as usize > listed)
            .then(|| view! { <p class="muted" data-test="verdict-counts">{summary}</p> })}
        <ul class="verdict-list" data-test="system-verdicts">
            {systems
                .into_iter()
                .map(|system| {
                    let reason = system.reasons.first().cloned().unwrap_or_default();
                    view! {
                        <li data-test="system-verdict">
                            <Badge level=BadgeLevel::from(system.verdict) />
                            <a href=format!("/systems/{}", system.system_id)>{system.name}</a>
                            <span class="muted">{reason}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
        {(total as usize > listed)
            .then(|| {
                view! {
                    <p>
                        <a href="/systems" data-test="all-systems">
                            {format!("See all {} systems", thousands(total as usize))}
                        </a>
                    </p>
                }
            })}
    }
}

#[component]
pub fn ChartsCard(refresh: Signal<(u32, u32)>) -> impl IntoView {
    let figures = LocalResource::new(move || {
        refresh.track();
        async { ipc::invoke::<DashboardCommand>(&Empty::default()).await }
    });
    view! {
        {move || match figures.get() {
            None => view! { <p class="muted">"Counting…"</p> }.into_any(),
            Some(Err(error)) => view! { <p class="field-error">{sentence(&error.message)}</p> }.into_any(),
            Some(Ok(dashboard)) => charts(dashboard).into_any(),
        }}
    }
}

fn charts(dashboard: Dashboard) -> impl IntoView {
    let bars = SEVERITIES
        .into_iter()
        .map(|(severity, key)| Bar {
            label: severity.label(),
            count: dashboard
                .findings
                .iter()
                .filter(|count| count.status == FindingStatus::Open && count.severity == severity)
                .map(|count| count.count)
                .sum(),
            href: format!("/findings?state=open&severity={key}"),
            key,
        })
        .collect::<Vec<_>>();
    let open_total: u64 = bars.iter().map(|bar| bar.count).sum();
    let trend = dashboard.trend;
    let summary = trend_summary(&trend);
    let points = trend
        .iter()
        .map(|point| TimePoint {
            label: format!("Scan {}", point.scan_id),
            values: vec![u64::from(point.open_ports), point.findings],
        })
        .collect::<Vec<_>>();
    let newest = trend.last().map(|point| point.scan_id);
    view! {
        <div class="chart-grid">
            <Card title="Open findings by severity">
                {if open_total == 0 {
                    view! { <p class="muted" data-test="no-open-findings">"No open findings. Each scan adds what it finds here."</p> }.into_any()
                } else {
                    view! {
                        <BarChart bars label="Open findings by severity" />
                        <p class="muted">"Choose a bar to see those findings."</p>
                    }
                        .into_any()
                }}
            </Card>
            <Card title="Over your last scans">
                {if points.is_empty() {
                    view! { <p class="muted">"After your first scan, this shows how open ports and findings change from scan to scan."</p> }.into_any()
                } else {
                    view! {
                        <LineChart points series=["open ports", "findings seen"] summary />
                        <p class="muted">
                            <a href="/scans">"See every scan"</a>
                            {newest.map(|id| view! { " · " <a href=format!("/scans/{id}")>{format!("the newest, scan {id}")}</a> })}
                        </p>
                    }
                        .into_any()
                }}
            </Card>
        </div>
    }
}

/// "Over the last 5 scans, open ports went from 3 to 1 and findings from
/// 4 to 1."
fn trend_summary(trend: &[portcullis_model::dashboard::TrendPoint]) -> String {
    match (trend.first(), trend.last()) {
        (Some(first), Some(last)) if trend.len() > 1 => format!(
            "Over the last {} scans, open ports went from {} to {} and findings seen from {} to {}.",
            trend.len(),
            first.open_ports,
            last.open_ports,
            first.findings,
            last.findings
        ),
        (Some(only), _) => format!(
            "One scan so far: {} open ports and {} findings seen.",
            only.open_ports, only.findings
        ),
        _ => String::new(),
    }
}
