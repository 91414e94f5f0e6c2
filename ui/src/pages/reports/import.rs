//! "Bring in a scan report": the file the system's dialog chooses becomes
//! a judged scan, with its progress shown and a Cancel button while it is
//! read. An ASV's PDF report is read and its list shown first, to import
//! as it stands or to correct in a spreadsheet.

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use portcullis_model::commands::{Empty, ImportCancel, ImportFile, ImportProposal, ProposalSave};
use portcullis_model::compliance::Exposure;
use portcullis_model::import::{
    AsvProposal, ImportAnswer, ImportChoice, ImportProgress, ImportStage, ImportedScan,
    ProposedItem,
};
use portcullis_model::wizard::WizardStep;

use crate::components::progress_bar::ProgressBar;
use crate::components::{Card, Choice, ChoiceGroup, ChoiceKind, DataTable};
use crate::ipc;
use crate::text::sentence;
use crate::wizard::{WizardState, step_path};

/// Where the Review step is told it was reached from an import.
const FROM_IMPORT: &str = "?from=import";

/// What the card shows.
#[derive(Debug, Clone, PartialEq)]
enum Stage {
    Idle,
    Importing(ImportProgress),
    Imported(Box<ImportedScan>),
    Proposed(Box<AsvProposal>),
    Stopped(String),
}

#[component]
pub fn ImportCard(
    /// Counts the imports that saved something, for the lists that show
    /// scans and findings to reload.
    imported: RwSignal<u32>,
) -> impl IntoView {
    let origin = RwSignal::new(Exposure::External);
    let stage = RwSignal::new(Stage::Idle);
    // Set once the proposal was saved to correct: the next file chosen is
    // that list, with the ASV's PDF as its evidence.
    let saved_proposal = RwSignal::new(None::<String>);
    let failure = RwSignal::new(None::<String>);
    let progress_heading = NodeRef::<html::H3>::new();

    let run = move |with_asv_report: bool, proposal: bool| {
        failure.set(None);
        stage.set(Stage::Importing(ImportProgress {
            stage: ImportStage::Reading,
            read_bytes: 0,
            total_bytes: 0,
        }));
        spawn_local(async move {
            let on_progress = move |progress: ImportProgress| {
                stage.update(|stage| {
                    if matches!(stage, Stage::Importing(_)) {
                        *stage = Stage::Importing(progress);
                    }
                })
            };
            let answered = match proposal {
                true => ipc::stream::<ImportProposal>(&origin.get_untracked(), on_progress).await,
                false => {
                    let choice = ImportChoice {
                        origin: origin.get_untracked(),
                        with_asv_report,
                    };
                    ipc::stream::<ImportFile>(&choice, on_progress).await
                }
            };
            stage.set(match answered {
                Ok((ImportAnswer::Dismissed, _)) => Stage::Idle,
                Ok((ImportAnswer::Cancelled, _)) => {
                    Stage::Stopped("The import was stopped. Nothing of it was kept.".to_owned())
                }
                Ok((ImportAnswer::Imported(outcome), _)) => {
                    saved_proposal.set(None);
                    imported.update(|count| *count += 1);
                    Stage::Imported(outcome)
                }
                Ok((ImportAnswer::Proposed(proposal), _)) => {
                    saved_proposal.set(None);
                    Stage::Proposed(Box::new(proposal))
                }
                Err(error) => {
                    failure.set(Some(sentence(&error.message)));
                    Stage::Idle
                }
            });
        });
    };
    let choose = move |_| run(saved_proposal.get_untracked().is_some(), false);
    let cancel = move |_| {
        spawn_local(async move {
            if let Err(error) = ipc::invoke::<ImportCancel>(&Empty::default()).await {
                failure.set(Some(sentence(&error.message)));
            }
        });
    };
    let importing = move || stage.with(|stage| matches!(stage, Stage::Importing(_)));
    // The Choose button is disabled while an import runs: the focus goes to
    // the progress heading, from where Tab reaches Cancel. Once per import.
    let started = Memo::new(move |_| importing());
    Effect::new(move |_| {
        if let (true, Some(heading)) = (started.get(), progress_heading.get()) {
            // Focusing an element with a tabindex does not fail.
            let _ = heading.focus();
        }
    });

    view! {
        <Card title="Bring in a scan report you already have">
            <p>
                "Your ASV's report (the PDF, or the .nessus file if they gave you one), an OpenVAS report, nmap's XML or a CSV findings list. Portcullis judges what it lists as it judges its own scans, and keeps the file unchanged as evidence."
            </p>
            <ChoiceGroup id="import-origin" legend="Where did that scan run from?" columns=true>
                <Choice
                    kind=ChoiceKind::Radio
                    name="import-origin"
                    title="From the internet"
                    detail="Your ASV's quarterly external scan, or any scan from outside your network."
                    checked=Signal::derive(move || origin.get() == Exposure::External)
                    on_change=move |on| if on { origin.set(Exposure::External) }
                    test_id="import-origin-external"
                />
                <Choice
                    kind=ChoiceKind::Radio
                    name="import-origin"
                    title="From inside your network"
                    detail="An internal scan, yours or your IT provider's."
                    checked=Signal::derive(move || origin.get() == Exposure::Internal)
                    on_change=move |on| if on { origin.set(Exposure::Internal) }
                    test_id="import-origin-internal"
                />
            </ChoiceGroup>
            <div class="actions">
                <button
                    class="button"
                    class:primary=move || stage.with(|stage| matches!(stage, Stage::Idle | Stage::Stopped(_)))
                    type="button"
                    disabled=importing
                    on:click=choose
                    data-test="import-choose"
                >
                    {move || match saved_proposal.get() {
                        Some(_) => "Choose the corrected list…",
                        None => "Choose a file…",
                    }}
                </button>
            </div>
            {move || failure.get().map(|message| view! {
                <p class="form-error" role="alert" data-test="import-error">
                    {message}
                </p>
            })}
            <div hidden=move || !importing()>
                <h3 node_ref=progress_heading tabindex="-1">"Bringing it in"</h3>
                <ProgressBar
                    label="Import progress"
                    percent=Signal::derive(move || stage.with(|stage| match stage {
                        Stage::Importing(progress) => progress.percent(),
                        _ => 0.0,
                    }))
                    value_text=Signal::derive(move || stage.with(|stage| match stage {
                        Stage::Importing(progress) => progress_words(progress),
                        _ => String::new(),
                    }))
                >
                    <Show when=move || stage.with(|stage| matches!(stage, Stage::Importing(p) if p.stage == ImportStage::Reading))>
                        <button class="button" type="button" on:click=cancel data-test="import-cancel">
                            "Cancel"
                        </button>
                    </Show>
                </ProgressBar>
                <p class="muted" data-test="import-progress">
                    {move || stage.with(|stage| match stage {
                        Stage::Importing(progress) => progress_words(progress),
                        _ => String::new(),
                    })}
                </p>
            </div>
            <div role="status" data-test="import-status">
                {move || match stage.get() {
                    Stage::Stopped(message) => view! { <p>{message}</p> }.into_any(),
                    Stage::Imported(outcome) => imported_view(&outcome).into_any(),
                    Stage::Proposed(proposal) => {
                        proposal_view(&proposal, saved_proposal, failure, run).into_any()
                    }
                    _ => ().into_any(),
                }}
            </div>
        </Card>
    }
}

/// "12.5 of 201 MB read", then "Judging what it found…".
fn progress_words(progress: &ImportProgress) -> String {
    match progress.stage {
        ImportStage::Judging => "Read. Judging what it found…".to_owned(),
        ImportStage::Reading if progress.total_bytes == 0 => "Waiting for your choice…".to_owned(),
        ImportStage::Reading => format!(
            "{} of {} read",
            size_words(progress.read_bytes),
            size_words(progress.total_bytes)
        ),
    }
}

fn size_words(bytes: u64) -> String {
    const KB: f64 = 1_000.0;
    let bytes = bytes as f64;
    if bytes < KB * KB {
        format!("{:.0} kB", (bytes / KB).max(1.0))
    } else {
        format!("{:.1} MB", bytes / (KB * KB))
    }
}

/// What the file became, and the way on: the wizard's Review step.
fn imported_view(outcome: &ImportedScan) -> impl IntoView + use<> {
    let state = WizardState::from_context();
    let navigate = use_navigate();
    let scan = &outcome.scan;
    let findings = outcome.findings as usize;
    let summary = format!(
        "Brought in {}: {} {} answered, with {} open {}.",
        outcome.kind,
        scan.hosts_up.unwrap_or(0),
        plural(scan.hosts_up.unwrap_or(0) as usize, "address", "addresses"),
        scan.open_ports.unwrap_or(0),
        plural(scan.open_ports.unwrap_or(0) as usize, "port", "ports"),
    );
    let judged = outcome
        .judged
        .clone()
        .unwrap_or_else(|| "It was cut short, so it was kept but not judged.".to_owned());
    let walk = move |_| {
        state.go_to(WizardStep::Review);
        navigate(
            &format!("{}{FROM_IMPORT}", step_path(WizardStep::Review)),
            Default::default(),
        );
    };
    view! {
        <div class="import-result" data-test="import-result">
            <p data-test="import-summary">{summary}</p>
            <p>{sentence(&judged)}</p>
            {(!outcome.warnings.is_empty()).then(|| view! {
                <ul class="warnings" data-test="import-warnings">
                    {outcome.warnings.iter().map(|warning| view! { <li>{sentence(warning)}</li> }).collect_view()}
                </ul>
            })}
            {outcome.original_sha256.clone().map(|sha256| view! {
                <p class="muted">"The file is kept unchanged as evidence. Its SHA-256 fingerprint: " <code class="fingerprint">{sha256}</code></p>
            })}
            <div class="actions">
                {(findings > 0).then(|| view! {
                    <button class="button primary" type="button" on:click=walk data-test="import-walk">
                        {format!("Walk through {} {}", findings, plural(findings, "finding", "findings"))}
                    </button>
                })}
            </div>
        </div>
    }
}

/// The list an ASV's PDF report was read to give, to import as it stands
/// or to save and correct first.
fn proposal_view<Run: Fn(bool, bool) + Copy + 'static>(
    proposal: &AsvProposal,
    saved: RwSignal<Option<String>>,
    failure: RwSignal<Option<String>>,
    run: Run,
) -> impl IntoView + use<Run> {
    let findings = proposal.rows - proposal.open_ports;
    let summary = format!(
        "Your ASV's report seems to list {} open {} and {} {} on {} {}. Check them against the report before you bring them in.",
        proposal.open_ports,
        plural(proposal.open_ports as usize, "port", "ports"),
        findings,
        plural(findings as usize, "finding", "findings"),
        proposal.hosts,
        plural(proposal.hosts as usize, "address", "addresses"),
    );
    let rows = proposal.rows;
    let items = proposal.items.iter().map(proposed_row).collect_view();
    let save = move |_| {
        spawn_local(async move {
            match ipc::invoke::<ProposalSave>(&Empty::default()).await {
                Ok(Some(path)) => saved.set(Some(path)),
                Ok(None) => {}
                Err(error) => failure.set(Some(sentence(&error.message))),
            }
        });
    };
    view! {
        <div class="import-result" data-test="proposal">
            <p data-test="proposal-summary">{summary}</p>
            <DataTable
                label="What the report lists"
                headers=&["Address", "Port", "What the report says", "Severity"]
                body_test="proposal-rows"
            >
                {items}
            </DataTable>
            <p class="muted">
                "The PDF is kept unchanged with the scan, as its evidence. Its SHA-256 fingerprint: "
                <code class="fingerprint">{proposal.sha256.clone()}</code>
            </p>
            {move || saved.get().map(|path| view! {
                <p data-test="proposal-saved">
                    "Saved to " <code>{path}</code>
                    ". Correct it in your spreadsheet program, save it as CSV, then choose it with the button above."
                </p>
            })}
            <div class="actions">
                <button class="button primary" type="button" on:click=move |_| run(false, true) data-test="proposal-import">
                    {format!("Bring in these {rows} {}", plural(rows as usize, "item", "items"))}
                </button>
                <button class="button" type="button" on:click=save data-test="proposal-save">
                    "Save as a spreadsheet to correct first…"
                </button>
            </div>
        </div>
    }
}

fn proposed_row(item: &ProposedItem) -> impl IntoView + use<> {
    let port = match (item.port, item.protocol) {
        (Some(port), Some(protocol)) => format!("{port}/{}", protocol.as_str()),
        (Some(port), None) => port.to_string(),
        _ => "the whole address".to_owned(),
    };
    let severity = capitalised(&item.severity);
    let severity = match item.cvss {
        Some(score) => format!("{severity} ({score:.1})"),
        None => severity,
    };
    view! {
        <tr>
            <td>{item.host.to_string()}</td>
            <td>{port}</td>
            <td>{item.finding.clone()}</td>
            <td>{severity}</td>
        </tr>
    }
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn plural(count: usize, one: &'static str, many: &'static str) -> &'static str {
    if count == 1 { one } else { many }
}
