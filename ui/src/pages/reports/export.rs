//! "Documents for your assessor": each document with its format, saved
//! where the system's save dialog says. The backend writes it; the card
//! shows that it is working, then where the file went and its fingerprint.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portcullis_model::FindingId;
use portcullis_model::ScanId;
use portcullis_model::commands::{BusinessName, ExportDocument, FindingsList, ScansList};
use portcullis_model::compliance::{FindingRecord, FindingStatus};
use portcullis_model::documents::{DocumentFormat, ExportAnswer, ExportOutcome, ExportRequest};
use portcullis_model::judgement::FindingFilter;
use portcullis_model::scan_record::ScanRecord;

use crate::components::{Card, Field};
use crate::ipc;
use crate::text::sentence;

/// The scans offered for a report: the newest, as far back as a year of
/// monthly scans and more.
const SCANS_OFFERED: i64 = 50;

/// Where one document's saving stands.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Saving {
    Idle,
    Working,
    Saved(ExportOutcome),
    Failed(String),
}

#[component]
pub fn ExportCard(
    /// Changes after each import, which adds a scan and findings to offer.
    imported: RwSignal<u32>,
) -> impl IntoView {
    let scans = LocalResource::new(move || {
        imported.track();
        ipc::invoke::<ScansList>(&SCANS_OFFERED)
    });
    let findings = LocalResource::new(move || {
        imported.track();
        async { ipc::invoke::<FindingsList>(&FindingFilter::default()).await }
    });
    let inventory_format = RwSignal::new(DocumentFormat::Pdf);
    let report_format = RwSignal::new(DocumentFormat::Pdf);
    let report_scan = RwSignal::new(None::<ScanId>);
    let dispute_format = RwSignal::new(DocumentFormat::Pdf);
    let dispute_finding = RwSignal::new(None::<FindingId>);

    view! {
        <Card title="Documents for your assessor">
            <p>
                "Each is made on this computer from what Portcullis holds, and saved where you choose. They are readiness documents: only your ASV can issue a passing scan report."
            </p>
            <BusinessNameField />
            <div class="documents">
                <DocumentRow
                    id="inventory"
                    title="Port inventory"
                    detail="Every service your systems may offer, why, who approved it and when it is next reviewed (PCI DSS 1.2.5 to 1.2.7)."
                    request=Signal::derive(move || Some(ExportRequest::Inventory { format: inventory_format.get() }))
                >
                    <FormatPicker id="inventory-format" formats=ExportRequest::Inventory { format: DocumentFormat::Pdf }.formats() chosen=inventory_format />
                </DocumentRow>
                <DocumentRow
                    id="report"
                    title="Scan report"
                    detail="What a scan found, every open port, each finding in plain words and what changed since the scan before."
                    request=Signal::derive(move || Some(ExportRequest::Report { scan_id: report_scan.get(), format: report_format.get() }))
                >
                    <div class="field">
                        <label for="report-scan">"Scan"</label>
                        <select
                            id="report-scan"
                            data-test="report-scan"
                            on:change=move |event| report_scan.set(event_target_value(&event).parse::<i64>().ok().map(ScanId))
                        >
                            <option value="newest">"The newest judged scan"</option>
                            {move || scans.get().and_then(Result::ok).unwrap_or_default().into_iter().map(scan_option).collect_view()}
                        </select>
                    </div>
                    <FormatPicker id="report-format" formats=ExportRequest::Report { scan_id: None, format: DocumentFormat::Pdf }.formats() chosen=report_format />
                </DocumentRow>
                <DocumentRow
                    id="dispute"
                    title="Dispute pack"
                    detail="For a finding you believe your ASV got wrong: the finding, what Portcullis saw there scan after scan, and a letter to send them."
                    request=Signal::derive(move || dispute_finding.get().map(|finding_id| ExportRequest::Dispute { finding_id, format: dispute_format.get() }))
                >
                    <div class="field">
                        <label for="dispute-finding">"Finding"</label>
                        <select
                            id="dispute-finding"
                            data-test="dispute-finding"
                            on:change=move |event| dispute_finding.set(event_target_value(&event).parse::<i64>().ok().map(FindingId))
                        >
                            <option value="">"Choose a finding"</option>
                            {move || disputable(findings.get().and_then(Result::ok).unwrap_or_default()).into_iter().map(finding_option).collect_view()}
                        </select>
                    </div>
                    <FormatPicker id="dispute-format" formats=ExportRequest::Dispute { finding_id: FindingId(0), format: DocumentFormat::Pdf }.formats() chosen=dispute_format />
                </DocumentRow>
                <DocumentRow
                    id="evidence"
                    title="Evidence pack"
                    detail="One ZIP for the assessor: the inventory, the last four quarters' scan reports, the findings history, the audit log with its check, and the reports you brought in, with a checksum list."
                    request=Signal::derive(|| Some(ExportRequest::Evidence))
                />
            </div>
        </Card>
    }
}

/// The name on every document's title page, remembered once saved.
#[component]
fn BusinessNameField() -> impl IntoView {
    let name = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let saved = RwSignal::new(false);
    spawn_local(async move {
        if let Ok(kept) = ipc::invoke::<BusinessName>(&None).await {
            name.set(kept);
        }
    });
    let save = move |_| {
        let given = name.get_untracked();
        spawn_local(async move {
            match ipc::invoke::<BusinessName>(&Some(given)).await {
                Ok(kept) => {
                    name.set(kept);
                    error.set(None);
                    saved.set(true);
                }
                Err(problem) => {
                    error.set(Some(sentence(&problem.message)));
                    saved.set(false);
                }
            }
        });
    };
    view! {
        <div class="document-choices">
            <Field
                id="business-name"
                label="Your business's name, as the documents show it"
                value=name
                error=Signal::derive(move || error.get())
                autocomplete="organization"
            />
            <button class="button" type="button" on:click=save data-test="business-save">
                "Save the name"
            </button>
        </div>
        <p role="status" class="muted" data-test="business-saved">
            {move || saved.get().then_some("Saved. Every document from now on carries it.")}
        </p>
    }
}

/// One document: what it is, its choices, and its Save button.
#[component]
fn DocumentRow(
    id: &'static str,
    title: &'static str,
    detail: &'static str,
    /// The document to save with the choices made; `None` while a choice
    /// is missing.
    request: Signal<Option<ExportRequest>>,
    /// The document's choices (scan, finding, format); none for the pack.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let saving = RwSignal::new(Saving::Idle);
    let save = move |_| {
        let Some(request) = request.get_untracked() else {
            saving.set(Saving::Failed("Choose a finding first.".to_owned()));
            return;
        };
        saving.set(Saving::Working);
        spawn_local(async move {
            saving.set(match ipc::invoke::<ExportDocument>(&request).await {
                Ok(ExportAnswer::Dismissed) => Saving::Idle,
                Ok(ExportAnswer::Saved(outcome)) => Saving::Saved(outcome),
                Err(error) => Saving::Failed(sentence(&error.message)),
            });
        });
    };
    let heading_id = format!("document-{id}");
    view! {
        <section class="document" aria-labelledby=heading_id.clone() data-test=format!("document-{id}")>
            <h3 id=heading_id.clone()>{title}</h3>
            <p class="muted">{detail}</p>
            <div class="document-choices">
                {children.map(|children| children())}
                <button
                    class="button"
                    type="button"
                    on:click=save
                    disabled=move || saving.get() == Saving::Working
                    aria-label=format!("Save the {}…", title.to_lowercase())
                    data-test=format!("save-{id}")
                >
                    "Save…"
                </button>
            </div>
            <div role="status" data-test=format!("saved-{id}")>
                {move || match saving.get() {
                    Saving::Idle => ().into_any(),
                    Saving::Working => view! {
                        <p class="working">
                            <span class="spinner" aria-hidden="true"></span>
                            "Making the document…"
                        </p>
                    }.into_any(),
                    Saving::Saved(outcome) => view! {
                        <p class="saved">
                            "Saved to " <code>{outcome.path}</code> ". SHA-256 fingerprint: "
                            <code class="fingerprint">{outcome.sha256}</code>
                        </p>
                    }.into_any(),
                    Saving::Failed(message) => view! {
                        <p class="form-error" role="alert">{message}</p>
                    }.into_any(),
                }}
            </div>
        </section>
    }
}

/// A document's format, as a select with the formats it can be written in.
#[component]
fn FormatPicker(
    id: &'static str,
    formats: &'static [DocumentFormat],
    chosen: RwSignal<DocumentFormat>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>"Format"</label>
            <select
                id=id
                data-test=id
                on:change=move |event| {
                    if let Some(format) = DocumentFormat::from_id(&event_target_value(&event)) {
                        chosen.set(format);
                    }
                }
            >
                {formats
                    .iter()
                    .map(|format| {
                        let format = *format;
                        view! {
                            <option value=format.id() selected=move || chosen.get() == format>
                                {format_words(format)}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}

fn format_words(format: DocumentFormat) -> &'static str {
    match format {
        DocumentFormat::Pdf => "PDF, to print or send",
        DocumentFormat::Html => "Web page",
        DocumentFormat::Json => "JSON, for other programs",
        DocumentFormat::Csv => "Spreadsheet (CSV)",
        DocumentFormat::Xml => "nmap XML, for other scanners' tools",
    }
}

fn scan_option(scan: ScanRecord) -> impl IntoView {
    let words = format!(
        "Scan {} of {} ({})",
        scan.id,
        scan.started_at.format("%-d %B %Y"),
        scan.profile
    );
    view! {
        <option value=scan.id.0.to_string() title=words.clone()>
            {shortened(&words)}
        </option>
    }
}

/// The findings worth disputing: those that stand or are disputed already.
fn disputable(mut findings: Vec<FindingRecord>) -> Vec<FindingRecord> {
    findings.retain(|record| {
        matches!(
            record.status(),
            FindingStatus::Open | FindingStatus::Disputed
        )
    });
    findings
}

fn finding_option(record: FindingRecord) -> impl IntoView {
    let place = match (record.finding.address, record.finding.port) {
        (Some(address), Some(port)) => format!(" on {address} port {port}"),
        (Some(address), None) => format!(" on {address}"),
        _ => String::new(),
    };
    let words = format!("{}{place}", record.finding.title);
    view! {
        <option value=record.id.0.to_string() title=words.clone()>
            {shortened(&words)}
        </option>
    }
}

/// Option words cut to a length a select can show: WebKit widens the page
/// for a select whose chosen option is longer than the select.
fn shortened(words: &str) -> String {
    const MOST: usize = 40;
    match words.char_indices().nth(MOST) {
        Some((cut, _)) => format!("{}…", words[..cut].trim_end()),
        None => words.to_owned(),
    }
}
