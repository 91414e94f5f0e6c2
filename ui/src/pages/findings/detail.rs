//! One finding's page: what it is and why it matters, what to do, the
//! requirement it serves, the evidence as the scan reported it (as text:
//! scanned services are hostile), where it stands and its history; and
//! its actions: the Review step's decision (accept as a business need,
//! dispute with the ASV, close it) while it stands, then its fix steps and
//! the rescan that proves it.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use portcullis_model::commands::FindingDetailCommand;
use portcullis_model::compliance::{FindingRecord, FindingState};
use portcullis_model::ids::FindingId;
use portcullis_model::review::ReviewCard;
use portcullis_model::{AppError, ErrorKind};

use super::{kind_words, severity_words, status_words};
use crate::audit_history::AuditHistory;
use crate::components::{Card, EmptyState};
use crate::ipc;
use crate::text::{local_time, sentence};
use crate::wizard::DecisionCard;

/// The finding, the name of its system, and the Review card that decides
/// it while it stands.
#[derive(Debug, Clone)]
struct Loaded {
    record: FindingRecord,
    system: Option<(String, String)>,
    card: Option<ReviewCard>,
}

async fn load(id: FindingId) -> Result<Option<Loaded>, AppError> {
    let detail = match ipc::invoke::<FindingDetailCommand>(&id).await {
        Ok(detail) => detail,
        Err(error) if error.kind == ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(error),
    };
    Ok(Some(Loaded {
        system: detail
            .system
            .map(|system| (format!("/systems/{}", system.id), system.name)),
        record: detail.record,
        card: detail.card,
    }))
}

#[component]
pub fn FindingPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<FindingId>().ok())
    };
    let loaded = LocalResource::new(move || {
        let wanted = id();
        async move {
            match wanted {
                Some(id) => load(id).await,
                None => Ok(None),
            }
        }
    });
    view! {
        <section class="page" data-test="page" data-page="nav-findings">
            <p class="breadcrumb">
                <a href="/findings">"Findings"</a>
            </p>
            {move || match loaded.get() {
                None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Some(Err(error)) => {
                    view! {
                        <h1>"Finding"</h1>
                        <p class="form-error" role="alert">{sentence(&error.message)}</p>
                    }
                        .into_any()
                }
                Some(Ok(None)) => {
                    view! {
                        <h1>"Finding not found"</h1>
                        <EmptyState
                            title="There is no such finding"
                            message="The list of findings shows every one your scans raised."
                        >
                            <a class="button" href="/findings">"See the findings"</a>
                        </EmptyState>
                    }
                        .into_any()
                }
                Some(Ok(Some(loaded))) => finding_view(loaded).into_any(),
            }}
        </section>
    }
}

fn finding_view(loaded: Loaded) -> impl IntoView {
    let Loaded {
        record,
        system,
        card,
    } = loaded;
    let finding = record.finding.clone();
    let requirements = finding
        .requirements
        .iter()
        .map(|number| format!("PCI DSS {number}"))
        .collect::<Vec<_>>()
        .join(", ");
    let place = place_words(&record);
    view! {
        <h1 data-test="finding-title">{finding.title.to_string()}</h1>
        <p class="lead">
            <span class="severity" data-severity=finding.severity.label().to_lowercase()>
                {format!("{} severity", severity_words(finding.severity))}
            </span>
            {format!(" · {} · ", kind_words(finding.kind))}
            <span data-test="finding-status">{status_words(record.status())}</span>
        </p>
        <Card title="What it is and why it matters">
            <p data-test="finding-explanation">{finding.explanation.to_string()}</p>
            <h3>"What to do"</h3>
            <p data-test="finding-remedy">{finding.remedy.to_string()}</p>
            <p class="muted">{format!("This serves {requirements}.")}</p>
        </Card>
        <Card title="Where and what the scan saw">
            <p>
                {place}
                {system
                    .map(|(path, name)| {
                        view! {
                            " on "
                            <a href=path data-test="finding-system">{name}</a>
                        }
                    })}
            </p>
            // Scanned services are hostile: the evidence is a text node in
            // a <pre>, never markup.
            <div class="evidence">
                <pre data-test="finding-evidence">{finding.evidence.clone()}</pre>
            </div>
            <p class="muted">
                {format!(
                    "First seen in scan {}, last seen in scan {}.",
                    record.first_seen_scan,
                    record.last_seen_scan
                )}
            </p>
        </Card>
        <StateCard record=record.clone() card />
        <AuditHistory entity="finding" entity_id=record.id.to_string() />
    }
}

/// "203.0.113.10, port 3306/tcp (mysql, MySQL 8.0.36)".
fn place_words(record: &FindingRecord) -> String {
    let finding = &record.finding;
    let mut words = finding
        .address
        .map_or_else(|| "Everywhere".to_owned(), |address| address.to_string());
    if let Some(port) = finding.port {
        let protocol = finding.protocol.map_or("tcp", |p| p.as_str());
        words.push_str(&format!(", port {port}/{protocol}"));
    }
    let service = [
        finding.service.as_deref(),
        finding.product.as_deref(),
        finding.version.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    if !service.is_empty() {
        words.push_str(&format!(" ({service})"));
    }
    words
}

/// The answer given, or the decision still to make, and what comes next.
#[component]
fn StateCard(record: FindingRecord, card: Option<ReviewCard>) -> impl IntoView {
    let answer = match &record.state {
        FindingState::Open => None,
        FindingState::Accepted(need) => Some(format!(
            "Accepted as a business need by {} until {}: {}",
            need.approver,
            local_time(need.until),
            need.justification
        )),
        FindingState::Disputed(dispute) => Some(format!(
            "Disputed with the ASV by {} until {}: {}",
            dispute.submitted_by,
            local_time(dispute.until),
            dispute.evidence
        )),
        FindingState::Fixed => {
            Some("Reported fixed. A new scan of this place proves it: run Verify.".to_owned())
        }
        FindingState::Verified { by_scan } => Some(format!("Fixed: scan {by_scan} proved it.")),
    };
    let approver = RwSignal::new(String::new());
    view! {
        <Card title="What you decided">
            {answer.map(|answer| view! { <p data-test="finding-answer">{answer}</p> })}
            {card
                .map(|card| {
                    view! {
                        <div data-test="finding-decision">
                            <DecisionCard card=RwSignal::new(card) approver />
                        </div>
                    }
                })}
            <div class="actions">
                <a class="button" href="/wizard/fix" data-test="finding-fix">
                    "See how to fix it"
                </a>
                <a class="button" href="/wizard/verify" data-test="finding-verify">
                    "Verify with a new scan"
                </a>
            </div>
        </Card>
    }
}
