//! Imports of the files other tools write (nmap XML, Nessus and Greenbone
//! reports, CSV findings lists): each becomes a recorded scan, judged as
//! one of Portcullis's own, or nothing at all. A report's own findings
//! are kept with the scan, and the rules weigh them with the rest.
//!
//! The file is read on a blocking thread and streamed over a bounded
//! channel into the scan's writer, so a file of hundreds of megabytes is
//! never held whole. If reading fails part-way, what was written of the
//! scan is removed again.

use std::io::{BufRead, BufReader};
use std::path::Path;

use portcullis_formats::{
    FormatError, ImportFormat, Item, Limits, MAX_PDF_BYTES, ReadOutcome, RunInfo, asv_pdf_text,
    proposal_csv, propose, read_csv, read_greenbone_xml, read_nessus, read_nmap_xml, sniff,
};
use portcullis_model::AppError;
use portcullis_model::ScanId;
use portcullis_model::compliance::Exposure;
use portcullis_model::import::{AsvProposal, ImportOutcome, ProposedItem};
use portcullis_model::scan::{ScanEvent, ScanSummary};
use portcullis_model::scan_record::ScanStatus;
use portcullis_store::{NewScan, ScanWriter};
use tokio::sync::mpsc;

use crate::error::{Result, from_store};
use crate::import_watch::ImportWatch;
use crate::workspace::Workspace;

/// Items waiting between the reader and the writer: enough to keep both
/// busy, few enough that memory stays flat (a few megabytes). The reader
/// keeps parsing while a batch is written: a batch is hundreds of items,
/// and with room for only 256 the reader waited for most of each one.
const CHANNEL_ITEMS: usize = 4096;

/// Bytes read to tell what a file is.
const SNIFF_BYTES: usize = 4096;

/// The field an import's errors concern.
const FIELD: &str = "file";

impl Workspace {
    /// Imports `path` as a scan run from `origin` (inside the network, or
    /// from the internet), records it, and judges it when it holds a whole
    /// run. The content says what the file is; `format` (when given) or
    /// else the file's ending says what it should be, and a file that is
    /// not what it claims is refused.
    pub async fn import_scan(
        &self,
        path: &Path,
        origin: Exposure,
        format: Option<ImportFormat>,
    ) -> Result<ImportOutcome> {
        self.import_scan_watched(path, origin, format, &ImportWatch::default())
            .await
    }

    /// [`Workspace::import_scan`], telling `watch` how far it is and
    /// stopping, with nothing kept, once `watch` is cancelled while the
    /// file is read.
    pub async fn import_scan_watched(
        &self,
        path: &Path,
        origin: Exposure,
        format: Option<ImportFormat>,
        watch: &ImportWatch,
    ) -> Result<ImportOutcome> {
        let shown = path.display().to_string();
        let file = std::fs::File::open(path).map_err(|error| {
            AppError::bad_input(FIELD, format!("{shown} cannot be opened: {error}"))
        })?;
        let size = file.metadata().map(|metadata| metadata.len()).unwrap_or(0);
        watch.begin(size);
        let mut input = BufReader::with_capacity(64 * 1024, watch.counting(file));
        let head = input
            .fill_buf()
            .map_err(|error| match watch.is_cancelled() {
                true => stopped(&shown),
                false => AppError::bad_input(FIELD, format!("{shown} cannot be read: {error}")),
            })?;
        let claimed = match format {
            Some(format) => Claim::Chosen(format),
            None => match path.file_name().map(|name| name.to_string_lossy()) {
                Some(name) => {
                    ImportFormat::claimed_by_name(&name).map_or(Claim::Nothing, Claim::ByName)
                }
                None => Claim::Nothing,
            },
        };
        let kind = identify(&shown, head, claimed)?;
        if kind == ImportFormat::AsvPdf {
            return Err(AppError::bad_input(
                FIELD,
                format!(
                    "{shown} is an ASV's PDF report: its text is read to propose what it lists, \
                     for you to confirm before anything is saved"
                ),
            ));
        }

        let (sender, receiver) = mpsc::channel(CHANNEL_ITEMS);
        let reading = tokio::task::spawn_blocking(move || {
            read_as(kind, input, &mut |item| sender.blocking_send(item).is_ok())
        });
        let written = self.write_import(receiver, origin).await;
        let read = reading
            .await
            .map_err(|error| AppError::internal(format!("the import stopped: {error}")))?;
        let written = match (written, read) {
            (Ok(written), Ok(_)) => written,
            (Ok(written), Err(error)) => {
                discard(written.writer).await?;
                if watch.is_cancelled() {
                    return Err(stopped(&shown));
                }
                return Err(refused(&shown, &error));
            }
            (Err((writer, error)), _) => {
                discard(writer).await?;
                return Err(error);
            }
        };
        let Written {
            writer: Some(writer),
            run: Some(run),
            summary,
            reported_items,
            false_positives,
        } = written
        else {
            discard(written.writer).await?;
            return Err(AppError::bad_input(
                FIELD,
                format!("{shown} holds no scan to import"),
            ));
        };
        let mut warnings = writer.warnings().to_vec();
        let scan = writer.finish(summary.as_ref()).await.map_err(from_store)?;
        // The original goes into the evidence pack; failing to keep it
        // loses no scan, so it is said, not fatal.
        let original_sha256 = match self.store.keep_imported_file(scan.id, path).await {
            Ok(kept) => Some(kept.sha256),
            Err(error) => {
                warnings.push(format!("the original file was not kept: {error}"));
                None
            }
        };
        watch.judging();
        let judgement = match scan.status {
            ScanStatus::Finished => Some(self.judge_scan(scan.id).await?),
            _ => None,
        };
        Ok(ImportOutcome {
            kind: kind.name().to_owned(),
            scanner: run.scanner,
            args: run.args,
            scan,
            warnings,
            reported_items,
            false_positives,
            original_sha256,
            judgement,
        })
    }

    /// Writes what the reader sends until it is done; on a store error,
    /// stops taking more (the reader then stops) and says why.
    async fn write_import(
        &self,
        mut receiver: mpsc::Receiver<Item>,
        origin: Exposure,
    ) -> std::result::Result<Written, (Option<ScanWriter>, AppError)> {
        let mut written = Written::default();
        while let Some(item) = receiver.recv().await {
            let step = match item {
                Item::Run(info) => match self.begin_import(&info, origin).await {
                    Ok(started) => {
                        written.writer = Some(started);
                        written.run = Some(info);
                        Ok(())
                    }
                    Err(error) => Err(error),
                },
                Item::Event(ScanEvent::Finished(ended)) => {
                    written.summary = Some(ended);
                    Ok(())
                }
                Item::Event(event) => match &mut written.writer {
                    Some(writer) => writer.record_owned(event).await.map_err(from_store),
                    None => Err(before_run()),
                },
                Item::Reported(reported) => {
                    written.reported_items += 1;
                    written.false_positives += u64::from(reported.false_positive);
                    match &mut written.writer {
                        Some(writer) => writer.record_reported(&reported).await.map_err(from_store),
                        None => Err(before_run()),
                    }
                }
            };
            if let Err(error) = step {
                return Err((written.writer, error));
            }
        }
        Ok(written)
    }

    async fn begin_import(&self, run: &RunInfo, origin: Exposure) -> Result<ScanWriter> {
        let new_scan = NewScan {
            actor: self.actor().to_owned(),
            targets: run.targets.clone(),
            ports: run.ports.clone(),
            requested_method: "imported".to_owned(),
            profile: format!("imported from {}", run.scanner.trim()),
            origin,
            coverage: run.coverage.clone(),
        };
        self.store.begin_scan(&new_scan).await.map_err(from_store)
    }
}

impl Workspace {
    /// Reads an ASV's PDF report and proposes what it lists, as rows to
    /// confirm. Nothing is saved: the merchant corrects the rows and
    /// imports them, with the PDF as evidence ([`Workspace::keep_evidence`]).
    pub async fn propose_from_asv_pdf(&self, path: &Path) -> Result<AsvProposal> {
        let shown = path.display().to_string();
        let size = std::fs::metadata(path)
            .map_err(|error| {
                AppError::bad_input(FIELD, format!("{shown} cannot be read: {error}"))
            })?
            .len();
        if size > MAX_PDF_BYTES as u64 {
            return Err(AppError::bad_input(
                FIELD,
                format!("{shown} is {size} bytes; an ASV report is read up to {MAX_PDF_BYTES}"),
            ));
        }
        let bytes = std::fs::read(path).map_err(|error| {
            AppError::bad_input(FIELD, format!("{shown} cannot be read: {error}"))
        })?;
        let sha256 = portcullis_documents::sha256_hex(&bytes);
        let text = tokio::task::spawn_blocking(move || asv_pdf_text(&bytes))
            .await
            .map_err(|error| AppError::internal(format!("reading the PDF stopped: {error}")))?
            .map_err(|error| refused(&shown, &error))?;
        let rows = propose(&text);
        if rows.is_empty() {
            return Err(AppError::bad_input(
                FIELD,
                format!(
                    "{shown} lists no address with a port or a finding that Portcullis could read; \
                     copy its findings into a CSV list instead"
                ),
            ));
        }
        let hosts: std::collections::BTreeSet<_> = rows.iter().map(|row| row.host).collect();
        Ok(AsvProposal {
            sha256,
            rows: rows.len() as u64,
            hosts: hosts.len() as u64,
            open_ports: rows.iter().filter(|row| row.finding == "Open port").count() as u64,
            csv: proposal_csv(&rows),
            items: rows.iter().map(proposed_item).collect(),
        })
    }

    /// Imports what the ASV's PDF report at `pdf` lists, as proposed, and
    /// keeps the PDF with the scan as its evidence: the window's "import
    /// these" once the person has looked at the proposal.
    pub async fn import_asv_proposal(
        &self,
        pdf: &Path,
        origin: Exposure,
        watch: &ImportWatch,
    ) -> Result<ImportOutcome> {
        let proposal = self.propose_from_asv_pdf(pdf).await?;
        let folder = tempfile::tempdir_in(self.data_dir())
            .map_err(|error| AppError::internal(format!("no room for the proposal: {error}")))?;
        let list = folder.path().join("asv-report-proposal.csv");
        std::fs::write(&list, proposal.csv.as_bytes()).map_err(|error| {
            AppError::internal(format!("the proposal was not written: {error}"))
        })?;
        let mut outcome = self
            .import_scan_watched(&list, origin, Some(ImportFormat::Csv), watch)
            .await?;
        self.keep_evidence(outcome.scan.id, pdf).await?;
        outcome.kind = "your ASV's PDF report".to_owned();
        Ok(outcome)
    }

    /// Keeps `path` unchanged with scan `scan_id` as its evidence (the
    /// ASV's PDF behind a confirmed proposal); answers its SHA-256.
    pub async fn keep_evidence(&self, scan_id: ScanId, path: &Path) -> Result<String> {
        self.store.scan(scan_id).await.map_err(from_store)?;
        let kept = self
            .store
            .keep_imported_file(scan_id, path)
            .await
            .map_err(from_store)?;
        Ok(kept.sha256)
    }
}

fn proposed_item(row: &portcullis_formats::ProposedRow) -> ProposedItem {
    ProposedItem {
        host: row.host,
        port: row.port,
        protocol: row.protocol,
        finding: row.finding.clone(),
        severity: row.severity.clone(),
        cvss: row.cvss,
    }
}

/// What an import wrote, once its reader is done.
#[derive(Default)]
struct Written {
    /// `None` when the file held no run.
    writer: Option<ScanWriter>,
    run: Option<RunInfo>,
    /// `None` for a file cut short.
    summary: Option<ScanSummary>,
    reported_items: u64,
    false_positives: u64,
}

/// What a file is expected to be.
#[derive(Debug, Clone, Copy)]
enum Claim {
    /// The person chose the format.
    Chosen(ImportFormat),
    /// The file's name ends the way these formats' files do.
    ByName(&'static [ImportFormat]),
    /// Nothing: the content alone decides.
    Nothing,
}

fn before_run() -> AppError {
    AppError::internal("an import sent events before its run")
}

/// What the file holds, checked against what it claims to be.
fn identify(shown: &str, head: &[u8], claimed: Claim) -> Result<ImportFormat> {
    let found = sniff(&head[..head.len().min(SNIFF_BYTES)]);
    let expected = match claimed {
        Claim::Chosen(format) => format.name().to_owned(),
        Claim::ByName(formats) => formats
            .iter()
            .map(|format| format.name())
            .collect::<Vec<_>>()
            .join(" or "),
        Claim::Nothing => ImportFormat::ALL
            .iter()
            .map(|format| format.name())
            .collect::<Vec<_>>()
            .join(", "),
    };
    let Some(found) = found else {
        return Err(AppError::bad_input(
            FIELD,
            format!(
                "{shown} is not a file Portcullis can import: expected {expected}, found {}",
                describe(head)
            ),
        ));
    };
    let matches = match claimed {
        Claim::Chosen(format) => format == found,
        Claim::ByName(formats) => formats.contains(&found),
        Claim::Nothing => true,
    };
    if !matches {
        let why = match claimed {
            Claim::Chosen(_) => "the format chosen",
            _ => "its name",
        };
        return Err(AppError::bad_input(
            FIELD,
            format!(
                "{shown} was not imported: {why} says {expected}, but it holds a {}. \
                 Choose that format, or give the file its usual ending",
                found.name()
            ),
        ));
    }
    Ok(found)
}

/// Reads `input` with the reader for `kind`.
fn read_as(
    kind: ImportFormat,
    input: impl BufRead,
    emit: &mut dyn FnMut(Item) -> bool,
) -> std::result::Result<ReadOutcome, FormatError> {
    let limits = Limits::default();
    match kind {
        ImportFormat::NmapXml => read_nmap_xml(input, limits, emit),
        ImportFormat::Nessus => read_nessus(input, limits, emit),
        ImportFormat::Greenbone => read_greenbone_xml(input, limits, emit),
        ImportFormat::Csv => read_csv(input, limits, emit),
        ImportFormat::AsvPdf => Err(FormatError::Stopped),
    }
}

async fn discard(writer: Option<ScanWriter>) -> Result<()> {
    match writer {
        Some(writer) => writer.discard().await.map_err(from_store),
        None => Ok(()),
    }
}

/// The import was cancelled while its file was read.
fn stopped(shown: &str) -> AppError {
    AppError::bad_input(
        FIELD,
        format!("the import of {shown} was stopped; nothing of it was kept"),
    )
}

fn refused(shown: &str, error: &FormatError) -> AppError {
    AppError::bad_input(FIELD, format!("{shown} was not imported: {error}"))
}

/// What a file's first bytes look like, for the message that refuses it.
fn describe(head: &[u8]) -> String {
    if head.is_empty() {
        return "an empty file".to_owned();
    }
    let text = String::from_utf8_lossy(&head[..head.len().min(200)]);
    if text.trim_start().starts_with('<') {
        let root = text
            .split('<')
            .map(str::trim)
            .find(|tag| !tag.is_empty() && !tag.starts_with(['?', '!']))
            .and_then(|tag| tag.split([' ', '>', '/']).next())
            .unwrap_or("?");
        let root: String = root
            .chars()
            .filter(|c| c.is_ascii_graphic())
            .take(40)
            .collect();
        return format!("an XML file whose first element is <{root}>");
    }
    if std::str::from_utf8(&head[..head.len().min(SNIFF_BYTES)]).is_err() {
        return "a file that is not text".to_owned();
    }
    "text that is not XML".to_owned()
}
