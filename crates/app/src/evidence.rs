//! The evidence pack: everything an assessor asks for in one ZIP (a BagIt
//! bag with a SHA-256 manifest): the inventory document, the last four
//! quarters' scan reports, the findings with how each was resolved, the
//! audit log with its chain check, and the imported originals unchanged.
//! Every document in it is dated the day the pack is made, so the same
//! records give the same bytes all that day.

use std::io::{Seek, Write};
use std::path::PathBuf;

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use portcullis_documents as documents;
use portcullis_documents::{BagInfo, PackEntry, Payload};
use portcullis_model::AppError;
use portcullis_model::compliance::{Exposure, FindingRecord};
use portcullis_model::judgement::FindingFilter;
use portcullis_model::scan_record::{ScanRecord, ScanStatus};

use crate::error::{Result, from_store};
use crate::workspace::Workspace;

/// Scans looked through for the last four quarters' reports.
const SCANS_LOOKED_AT: i64 = 2000;
/// Audit rows the pack carries at most.
const AUDIT_ROWS: i64 = 100_000;

/// A file of the pack: made for it, or kept on disk.
enum Content {
    Bytes(Vec<u8>),
    File(PathBuf),
}

/// The pack, made and ready to write.
pub(crate) struct EvidencePack {
    root: String,
    info: BagInfo,
    files: Vec<(String, Content)>,
}

impl EvidencePack {
    pub(crate) fn len(&self) -> usize {
        self.files.len()
    }

    /// Writes the ZIP to `out`.
    pub(crate) fn write<W: Write + Seek>(self, out: W) -> Result<()> {
        let entries = self
            .files
            .iter()
            .map(|(path, content)| PackEntry {
                path: path.clone(),
                payload: match content {
                    Content::Bytes(bytes) => Payload::Bytes(bytes),
                    Content::File(file) => Payload::File(file),
                },
            })
            .collect();
        documents::write_evidence_pack(out, &self.root, &self.info, entries)
            .map(|_| ())
            .map_err(|error| AppError::internal(format!("the evidence pack: {error}")))
    }
}

/// Midnight (UTC) of `now`'s day: the date every document of the pack
/// carries.
fn day_of(now: DateTime<Utc>) -> DateTime<Utc> {
    now.date_naive()
        .and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_utc()
}

/// The first day of the calendar quarter `now` is in.
fn quarter_start(now: DateTime<Utc>) -> DateTime<Utc> {
    let month = (now.month0() / 3) * 3 + 1;
    NaiveDate::from_ymd_opt(now.year(), month, 1)
        .expect("a quarter starts on a real day")
        .and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_utc()
}

/// For this quarter and the three before it, the newest judged scan from
/// inside and from outside: the scans PCI DSS 11.3.1 and 11.3.2 ask for
/// each quarter.
fn quarterly_scans(scans: &[ScanRecord], now: DateTime<Utc>) -> Vec<&ScanRecord> {
    let mut chosen = Vec::new();
    let mut start = quarter_start(now);
    let mut end = now;
    for _ in 0..4 {
        for origin in [Exposure::Internal, Exposure::External] {
            // `scans` come newest first.
            if let Some(scan) = scans.iter().find(|scan| {
                scan.origin == origin
                    && scan.status == ScanStatus::Finished
                    && scan.evaluated_at.is_some()
                    && scan.started_at >= start
                    && scan.started_at <= end
            }) {
                chosen.push(scan);
            }
        }
        end = start;
        start = start - Months::new(3);
    }
    chosen.sort_by_key(|scan| scan.id);
    chosen
}

impl Workspace {
    /// Makes the evidence pack's content.
    pub(crate) async fn evidence_pack(&self, business: Option<&str>) -> Result<EvidencePack> {
        let business = self.business_name(business).await?;
        let made = day_of(self.now());
        let mut files: Vec<(String, Content)> = Vec::new();

        let mut inventory = self.inventory_document(Some(&business)).await?;
        inventory.made_at = made;
        files.push((
            "inventory/inventory.json".into(),
            Content::Bytes(documents::inventory_json(&inventory)),
        ));
        files.push((
            "inventory/inventory.csv".into(),
            Content::Bytes(documents::inventory_csv(&inventory)),
        ));
        let pdf = tokio::task::spawn_blocking(move || documents::inventory_pdf(&inventory))
            .await
            .map_err(|error| AppError::internal(error.to_string()))?
            .map_err(|error| AppError::internal(format!("the inventory PDF: {error}")))?;
        files.push(("inventory/inventory.pdf".into(), Content::Bytes(pdf)));

        let scans = self
            .store
            .scans(SCANS_LOOKED_AT)
            .await
            .map_err(from_store)?;
        for scan in quarterly_scans(&scans, self.now()) {
            let mut report = self.scan_report_document(scan.id, Some(&business)).await?;
            report.made_at = made;
            let name = format!(
                "scan-reports/scan-{}-{}-{}",
                scan.id,
                scan.started_at.format("%Y-%m-%d"),
                match scan.origin {
                    Exposure::Internal => "internal",
                    Exposure::External => "external",
                }
            );
            files.push((
                format!("{name}.json"),
                Content::Bytes(documents::report_json(&report)),
            ));
            let pdf = tokio::task::spawn_blocking(move || documents::report_pdf(&report))
                .await
                .map_err(|error| AppError::internal(error.to_string()))?
                .map_err(|error| AppError::internal(format!("a scan report PDF: {error}")))?;
            files.push((format!("{name}.pdf"), Content::Bytes(pdf)));
        }

        let findings = self
            .store
            .findings(&FindingFilter::default())
            .await
            .map_err(from_store)?;
        files.push((
            "findings/findings.json".into(),
            Content::Bytes(json(&findings)),
        ));
        files.push((
            "findings/findings.csv".into(),
            Content::Bytes(findings_csv(&findings)),
        ));

        let mut audit = self
            .store
            .audit_rows(None, AUDIT_ROWS)
            .await
            .map_err(from_store)?;
        audit.reverse();
        let chain = self.verify_audit_log().await?;
        files.push(("audit/audit-log.json".into(), Content::Bytes(json(&audit))));
        files.push((
            "audit/chain-check.json".into(),
            Content::Bytes(json(&chain)),
        ));

        let mut missing = Vec::new();
        for kept in self.store.imported_files().await.map_err(from_store)? {
            // A database restored from a backup may list originals that
            // stayed behind: the pack says so rather than failing.
            if !kept.path.is_file() {
                missing.push(format!("{} (scan {})", kept.file_name, kept.scan_id));
                continue;
            }
            let name = kept
                .path
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_else(|| format!("scan-{}", kept.scan_id));
            files.push((format!("imported/{name}"), Content::File(kept.path)));
        }
        files.push((
            "README.txt".into(),
            Content::Bytes(readme(&business, made, &missing).into_bytes()),
        ));
        Ok(EvidencePack {
            root: format!("portcullis-evidence-{}", made.format("%Y-%m-%d")),
            info: BagInfo {
                organization: business,
                description: "PCI DSS evidence: port inventory, quarterly scan readiness reports, findings history, audit log, imported originals".to_owned(),
                made,
                software: format!("Portcullis {}", env!("CARGO_PKG_VERSION")),
            },
            files,
        })
    }
}

fn json<T: serde::Serialize + ?Sized>(value: &T) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(value).expect("records serialise");
    bytes.push(b'\n');
    bytes
}

/// The findings history as CSV: what each was, and how it was resolved.
fn findings_csv(findings: &[FindingRecord]) -> Vec<u8> {
    let mut csv = documents::SafeCsv::new(&[
        "id",
        "kind",
        "severity",
        "title",
        "address",
        "port",
        "protocol",
        "status",
        "first_seen_scan",
        "last_seen_scan",
        "resolution",
    ]);
    for record in findings {
        let finding = &record.finding;
        let id = record.id.to_string();
        let address = finding.address.map(|a| a.to_string()).unwrap_or_default();
        let port = finding.port.map(|p| p.to_string()).unwrap_or_default();
        let (first, last) = (
            record.first_seen_scan.to_string(),
            record.last_seen_scan.to_string(),
        );
        let resolution = resolution(record);
        csv.row([
            id.as_str(),
            finding.kind.id(),
            finding.severity.label(),
            &finding.title,
            &address,
            &port,
            finding.protocol.map_or("", |p| p.as_str()),
            record.status().words(),
            &first,
            &last,
            &resolution,
        ]);
    }
    csv.finish()
}

/// How a finding was resolved, in words.
fn resolution(record: &FindingRecord) -> String {
    use portcullis_model::compliance::FindingState;
    match &record.state {
        FindingState::Open => String::new(),
        FindingState::Accepted(need) => format!(
            "accepted by {} until {}: {}",
            need.approver,
            need.until.format("%Y-%m-%d"),
            need.justification
        ),
        FindingState::Disputed(dispute) => format!(
            "disputed as a {} by {} until {}: {}",
            dispute.kind.words(),
            dispute.submitted_by,
            dispute.until.format("%Y-%m-%d"),
            dispute.evidence
        ),
        FindingState::Fixed => "reported fixed; no scan has confirmed it yet".to_owned(),
        FindingState::Verified { by_scan } => format!("fixed, verified by scan {by_scan}"),
    }
}

fn readme(business: &str, made: DateTime<Utc>, missing: &[String]) -> String {
    let mut text = format!(
        "Evidence pack for {business}, made by Portcullis on {}.\n\n\
         inventory/     the port inventory (PCI DSS 1.2.5 to 1.2.7), as PDF, CSV and JSON\n\
         scan-reports/  for each of the last four quarters, the newest internal and external scan's\n\
         \x20              readiness report (PDF and JSON). These are not ASV reports.\n\
         findings/      every finding with its status and how it was resolved and verified\n\
         audit/         the audit log, and the check of its hash chain\n\
         imported/      the files imported into Portcullis (such as an ASV's report), unchanged\n\n\
         To check that nothing was changed, run in the pack's folder:\n\
         \x20   sha256sum -c manifest-sha256.txt\n",
        made.format("%-d %B %Y")
    );
    if !missing.is_empty() {
        text.push_str(&format!(
            "\nThese imported files are no longer beside the database, so they are not in the pack: {}.\n",
            missing.join(", ")
        ));
    }
    text
}
