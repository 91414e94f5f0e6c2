//! One scan's page: when and how it ran, every host and port it saw with
//! the service, version and posture found there (scanned services are
//! hostile: all of it is text), and what was judged from it.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use portcullis_model::AppError;
use portcullis_model::commands::{FindingsList, ScanReportCommand, ScansList};
use portcullis_model::judgement::FindingFilter;
use portcullis_model::report::{HostResult, ScanReport};
use portcullis_model::scan::{PortResult, PortState};
use portcullis_model::scan_record::{ScanId, ScanRecord};
use portcullis_model::service::Posture;

use super::{open_words, origin_words, status_words};
use crate::components::{Card, DataTable, EmptyState};
use crate::ipc;
use crate::pages::findings::{finding_path, severity_words, status_words as finding_status};
use crate::text::{local_time, sentence};

/// How many recent scans are searched for the record of this one.
const SEARCHED: i64 = 5_000;

#[component]
pub fn ScanPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<ScanId>().ok())
    };
    let loaded = LocalResource::new(move || {
        let wanted = id();
        async move {
            let Some(id) = wanted else {
                return Ok(None);
            };
            let records = ipc::invoke::<ScansList>(&SEARCHED).await?;
            let Some(record) = records.into_iter().find(|record| record.id == id) else {
                return Ok(None);
            };
            let report = ipc::invoke::<ScanReportCommand>(&id).await?;
            Ok::<_, AppError>(Some((record, report)))
        }
    });
    view! {
        <section class="page" data-test="page" data-page="nav-scans">
            <p class="breadcrumb">
                <a href="/scans">"Scans"</a>
            </p>
            {move || match loaded.get() {
                None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Some(Err(error)) => {
                    view! {
                        <h1>"Scan"</h1>
                        <p class="form-error" role="alert">{sentence(&error.message)}</p>
                    }
                        .into_any()
                }
                Some(Ok(None)) => {
                    view! {
                        <h1>"Scan not found"</h1>
                        <EmptyState title="There is no such scan" message="The list of scans shows every one recorded.">
                            <a class="button" href="/scans">"See your scans"</a>
                        </EmptyState>
                    }
                        .into_any()
                }
                Some(Ok(Some((record, report)))) => scan_view(record, report).into_any(),
            }}
        </section>
    }
}

fn scan_view(record: ScanRecord, report: ScanReport) -> impl IntoView {
    let id = record.id;
    let methods = record
        .methods
        .iter()
        .map(|choice| format!("{} ({})", choice.method.as_str(), choice.why))
        .collect::<Vec<_>>()
        .join("; ");
    let elapsed = record
        .elapsed_seconds
        .map_or_else(String::new, |seconds| format!(", {seconds:.1} s"));
    let warnings = record.warnings.clone();
    view! {
        <h1 data-test="scan-title">{format!("Scan {id}")}</h1>
        <p class="lead">
            {format!(
                "{} · {} · {}{elapsed} · {}",
                local_time(record.started_at),
                origin_words(record.origin),
                status_words(record.status),
                open_words(&record)
            )}
        </p>
        <Card title="What was scanned">
            <dl class="entry-facts">
                <dt>"Targets"</dt>
                <dd>{record.targets.clone()}</dd>
                <dt>"Ports"</dt>
                <dd>{record.ports.clone()}</dd>
                <dt>"How"</dt>
                <dd>{if methods.is_empty() { "Not finished yet".to_owned() } else { methods }}</dd>
                <dt>"Services identified"</dt>
                <dd>{if record.coverage.identification { "Yes" } else { "No" }}</dd>
                <dt>"Settings checked"</dt>
                <dd>{if record.coverage.posture { "Yes (TLS, SSH, web)" } else { "No" }}</dd>
                <dt>"Started by"</dt>
                <dd>{record.actor.clone()}</dd>
            </dl>
            {(!warnings.is_empty())
                .then(|| {
                    view! {
                        <ul class="notice-list" data-kind="warning">
                            {warnings.into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}
                        </ul>
                    }
                })}
        </Card>
        <Card title="What it found">
            {if report.hosts.is_empty() {
                view! { <p class="muted">"No host answered."</p> }.into_any()
            } else {
                report.hosts.into_iter().map(host_view).collect_view().into_any()
            }}
        </Card>
        <JudgedCard id />
    }
}

fn host_view(host: HostResult) -> impl IntoView {
    let name = host.host.name.clone().map_or_else(
        || host.host.address.to_string(),
        |name| format!("{name} ({})", host.host.address),
    );
    let state = if host.host.up { "up" } else { "down" };
    let open: Vec<PortResult> = host.ports_in(PortState::Open).cloned().collect();
    let others = host.ports.len() - open.len();
    view! {
        <section class="host" data-test="scan-host">
            <h3>{format!("{name}: {state}")}</h3>
            <p class="muted">{host.host.reason.clone()}</p>
            {if open.is_empty() {
                view! { <p>"No open port."</p> }.into_any()
            } else {
                view! {
                    <DataTable label="Open ports" headers=&["Port", "Service", "Version", "Settings seen"] body_test="scan-ports">
                        {open.into_iter().map(port_row).collect_view()}
                    </DataTable>
                }
                    .into_any()
            }}
            {(others > 0)
                .then(|| view! { <p class="muted">{format!("{others} more ports listed as closed or filtered.")}</p> })}
        </section>
    }
}

fn port_row(port: PortResult) -> impl IntoView {
    let (service, version) = match &port.identity {
        Some(identity) => (
            identity.service.clone(),
            [identity.product.clone(), identity.version.clone()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" "),
        ),
        None => (
            port.service
                .clone()
                .map_or_else(|| "unknown".to_owned(), |name| format!("{name} (usual)")),
            String::new(),
        ),
    };
    view! {
        <tr data-test="scan-port" data-port=port.port.to_string()>
            <th scope="row">{format!("{}/{}", port.port, port.protocol.as_str())}</th>
            <td>{service}</td>
            <td>{if version.is_empty() { "—".to_owned() } else { version }}</td>
            <td>{port.posture.as_deref().map_or_else(|| "—".to_owned(), posture_words)}</td>
        </tr>
    }
}

/// "TLS 1.2, TLS 1.3; HTTP 200; 1 known weakness".
fn posture_words(posture: &Posture) -> String {
    let mut parts = Vec::new();
    if let Some(tls) = &posture.tls {
        let versions = tls.versions.iter().map(|v| v.label()).collect::<Vec<_>>();
        parts.push(if versions.is_empty() {
            "TLS".to_owned()
        } else {
            versions.join(", ")
        });
    }
    if let Some(ssh) = &posture.ssh {
        parts.push(ssh.banner.clone());
    }
    if let Some(http) = &posture.http {
        parts.push(
            http.status
                .map_or_else(|| "HTTP".to_owned(), |status| format!("HTTP {status}")),
        );
    }
    if !posture.open_access.is_empty() {
        parts.push("answers without a password".to_owned());
    }
    match posture.advisories.len() {
        0 => {}
        1 => parts.push("1 known weakness".to_owned()),
        count => parts.push(format!("{count} known weaknesses")),
    }
    if parts.is_empty() {
        "—".to_owned()
    } else {
        parts.join("; ")
    }
}

/// The findings this scan saw, as judged.
#[component]
fn JudgedCard(id: ScanId) -> impl IntoView {
    let findings = LocalResource::new(move || async move {
        let filter = FindingFilter {
            scan_id: Some(id),
            ..FindingFilter::default()
        };
        ipc::invoke::<FindingsList>(&filter).await
    });
    view! {
        <Card title="What was judged">
            {move || match findings.get() {
                None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Some(Err(error)) => view! { <p class="form-error">{sentence(&error.message)}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => {
                    view! { <p class="muted" data-test="scan-judged-none">"Nothing this scan saw needs your attention."</p> }.into_any()
                }
                Some(Ok(list)) => {
                    view! {
                        <DataTable label="Findings of this scan" headers=&["Severity", "Finding", "State"] body_test="scan-findings">
                            {list
                                .into_iter()
                                .map(|record| {
                                    view! {
                                        <tr>
                                            <td>
                                                <span class="severity" data-severity=record.finding.severity.label().to_lowercase()>
                                                    {severity_words(record.finding.severity)}
                                                </span>
                                            </td>
                                            <th scope="row">
                                                <a href=finding_path(record.id)>{record.finding.title.to_string()}</a>
                                            </th>
                                            <td>{finding_status(record.status())}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </DataTable>
                    }
                        .into_any()
                }
            }}
        </Card>
    }
}
