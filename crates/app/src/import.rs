//! Imports of the files other tools write (nmap XML first): each becomes a
//! recorded scan, judged as one of Portcullis's own, or nothing at all.
//!
//! The file is read on a blocking thread and streamed over a bounded
//! channel into the scan's writer, so a file of hundreds of megabytes is
//! never held whole. If reading fails part-way, what was written of the
//! scan is removed again.

use std::io::{BufRead, BufReader};
use std::path::Path;

use portcullis_formats::{FileKind, FormatError, Item, Limits, RunInfo, read_nmap_xml, sniff};
use portcullis_model::AppError;
use portcullis_model::compliance::Exposure;
use portcullis_model::import::ImportOutcome;
use portcullis_model::scan::{ScanEvent, ScanSummary};
use portcullis_model::scan_record::ScanStatus;
use portcullis_store::{NewScan, ScanWriter};
use tokio::sync::mpsc;

use crate::error::{Result, from_store};
use crate::workspace::Workspace;

/// Items waiting between the reader and the writer: enough to keep both
/// busy, few enough that memory stays flat.
const CHANNEL_ITEMS: usize = 256;

/// Bytes read to tell what a file is.
const SNIFF_BYTES: usize = 4096;

/// The field an import's errors concern.
const FIELD: &str = "file";

impl Workspace {
    /// Imports `path` as a scan run from `origin` (inside the network, or
    /// from the internet), records it, and judges it when it holds a whole
    /// run.
    pub async fn import_scan(&self, path: &Path, origin: Exposure) -> Result<ImportOutcome> {
        let shown = path.display().to_string();
        let file = std::fs::File::open(path).map_err(|error| {
            AppError::bad_input(FIELD, format!("{shown} cannot be opened: {error}"))
        })?;
        let mut input = BufReader::with_capacity(64 * 1024, file);
        let head = input.fill_buf().map_err(|error| {
            AppError::bad_input(FIELD, format!("{shown} cannot be read: {error}"))
        })?;
        let kind = sniff(&head[..head.len().min(SNIFF_BYTES)]).ok_or_else(|| {
            AppError::bad_input(
                FIELD,
                format!(
                    "{shown} is not a file Portcullis can import: expected {}, found {}",
                    FileKind::NmapXml.name(),
                    describe(head)
                ),
            )
        })?;

        let (sender, receiver) = mpsc::channel(CHANNEL_ITEMS);
        let reading = tokio::task::spawn_blocking(move || match kind {
            FileKind::NmapXml => read_nmap_xml(input, Limits::default(), &mut |item| {
                sender.blocking_send(item).is_ok()
            }),
            _ => Err(FormatError::Stopped),
        });
        let written = self.write_import(receiver, origin).await;
        let read = reading
            .await
            .map_err(|error| AppError::internal(format!("the import stopped: {error}")))?;
        let (writer, run, summary) = match (written, read) {
            (Ok(written), Ok(_)) => written,
            (Ok((writer, ..)), Err(error)) => {
                discard(writer).await?;
                return Err(refused(&shown, &error));
            }
            (Err((writer, error)), _) => {
                discard(writer).await?;
                return Err(error);
            }
        };
        let (Some(writer), Some(run)) = (writer, run) else {
            return Err(AppError::bad_input(
                FIELD,
                format!("{shown} holds no scan to import"),
            ));
        };
        let warnings = writer.warnings().to_vec();
        let scan = writer.finish(summary.as_ref()).await.map_err(from_store)?;
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
        let mut writer: Option<ScanWriter> = None;
        let mut run = None;
        let mut summary = None;
        while let Some(item) = receiver.recv().await {
            let step = match item {
                Item::Run(info) => match self.begin_import(&info, origin).await {
                    Ok(started) => {
                        writer = Some(started);
                        run = Some(info);
                        Ok(())
                    }
                    Err(error) => Err(error),
                },
                Item::Reported(_) => Ok(()),
                Item::Event(ScanEvent::Finished(ended)) => {
                    summary = Some(ended);
                    Ok(())
                }
                Item::Event(event) => match &mut writer {
                    Some(writer) => writer.record(&event).await.map_err(from_store),
                    None => Err(AppError::internal("an import sent events before its run")),
                },
            };
            if let Err(error) = step {
                return Err((writer, error));
            }
        }
        Ok((writer, run, summary))
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

type Written = (Option<ScanWriter>, Option<RunInfo>, Option<ScanSummary>);

async fn discard(writer: Option<ScanWriter>) -> Result<()> {
    match writer {
        Some(writer) => writer.discard().await.map_err(from_store),
        None => Ok(()),
    }
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
    if text.contains("NessusClientData") {
        return "a Nessus report (.nessus), which Portcullis does not read yet".to_owned();
    }
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
