//! Writing the documents an assessor asks for to files: the inventory
//! document, a scan's readiness report, a dispute pack, the evidence
//! pack. Each file is written beside its destination under a temporary
//! name and renamed into place, so a crash never leaves half a document
//! where a whole one is expected.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use portcullis_documents as documents;
use portcullis_model::AppError;
use portcullis_model::documents::{DocumentFormat, ExportOutcome, ExportRequest};
use sha2::{Digest, Sha256};

use crate::error::{Result, from_store};
use crate::workspace::Workspace;

/// The field an export's errors concern.
const FIELD: &str = "format";

impl Workspace {
    /// Writes the document `request` names to `path`, for `business`
    /// (the name remembered when `None`).
    pub async fn export(
        &self,
        request: ExportRequest,
        path: &Path,
        business: Option<&str>,
    ) -> Result<ExportOutcome> {
        check_format(request)?;
        let (detail, (bytes, sha256)) = match request {
            ExportRequest::Evidence => {
                let pack = self.evidence_pack(business).await?;
                let detail = format!(" ({} files)", pack.len());
                write_atomically(path, move |file| pack.write(file)).await?;
                // The ZIP is written with seeks back to its headers, so it
                // is digested once it is whole.
                (detail, digest_of(path)?)
            }
            request => {
                let (bytes, detail) = self.render(request, business).await?;
                let digest = (bytes.len() as u64, documents::sha256_hex(&bytes));
                write_atomically(path, move |file| {
                    file.write_all(&bytes)
                        .map_err(|error| AppError::internal(error.to_string()))
                })
                .await?;
                (detail, digest)
            }
        };
        Ok(ExportOutcome {
            path: path.display().to_string(),
            bytes,
            sha256,
            summary: format!(
                "Wrote {}{} to {} ({bytes} bytes).",
                request.words(),
                detail,
                path.display()
            ),
        })
    }

    /// The document's bytes in its format, and a note for the summary.
    async fn render(
        &self,
        request: ExportRequest,
        business: Option<&str>,
    ) -> Result<(Vec<u8>, String)> {
        match request {
            ExportRequest::Inventory { format } => {
                let document = self.inventory_document(business).await?;
                let bytes = match format {
                    DocumentFormat::Json => documents::inventory_json(&document),
                    DocumentFormat::Csv => documents::inventory_csv(&document),
                    _ => pdf(move || documents::inventory_pdf(&document)).await?,
                };
                Ok((bytes, format!(" as {}", format.id().to_uppercase())))
            }
            ExportRequest::Report { scan_id, format } => {
                let scan_id = match scan_id {
                    Some(id) => id,
                    None => self
                        .store
                        .newest_evaluated_scan()
                        .await
                        .map_err(from_store)?
                        .ok_or_else(|| {
                            AppError::bad_input(
                                "scan",
                                "no scan has been judged yet: scan first, or import one",
                            )
                        })?,
                };
                let bytes = match format {
                    DocumentFormat::Xml => {
                        let (scan, report) =
                            tokio::try_join!(self.scan(scan_id), self.scan_report(scan_id))?;
                        documents::nmap_xml(&report, &documents::NmapRun::of(&scan))
                    }
                    format => {
                        let document = self.scan_report_document(scan_id, business).await?;
                        match format {
                            DocumentFormat::Json => documents::report_json(&document),
                            DocumentFormat::Csv => documents::report_csv(&document),
                            DocumentFormat::Html => documents::report_html(&document),
                            _ => pdf(move || documents::report_pdf(&document)).await?,
                        }
                    }
                };
                Ok((
                    bytes,
                    format!(" of scan {scan_id} as {}", format.id().to_uppercase()),
                ))
            }
            ExportRequest::Dispute { finding_id, format } => {
                let document = self.dispute_document(finding_id, business).await?;
                let bytes = match format {
                    DocumentFormat::Json => documents::dispute_json(&document),
                    _ => pdf(move || documents::dispute_pdf(&document)).await?,
                };
                Ok((
                    bytes,
                    format!(
                        " for finding {finding_id} as {}",
                        format.id().to_uppercase()
                    ),
                ))
            }
            ExportRequest::Evidence => unreachable!("the evidence pack is written as it is made"),
        }
    }
}

/// Refuses a format the document does not come in, naming those it does.
fn check_format(request: ExportRequest) -> Result<()> {
    let format = match request {
        ExportRequest::Inventory { format }
        | ExportRequest::Report { format, .. }
        | ExportRequest::Dispute { format, .. } => format,
        ExportRequest::Evidence => return Ok(()),
    };
    if request.formats().contains(&format) {
        return Ok(());
    }
    let known: Vec<&str> = request.formats().iter().map(|f| f.id()).collect();
    Err(AppError::bad_input(
        FIELD,
        format!(
            "{} comes as {}, not {}",
            request.words(),
            known.join(", "),
            format.id()
        ),
    ))
}

/// Typesets on a blocking thread: a PDF takes a moment of CPU.
async fn pdf<F>(make: F) -> Result<Vec<u8>>
where
    F: FnOnce() -> std::result::Result<Vec<u8>, documents::PdfError> + Send + 'static,
{
    tokio::task::spawn_blocking(make)
        .await
        .map_err(|error| AppError::internal(format!("typesetting stopped: {error}")))?
        .map_err(|error| AppError::internal(format!("the PDF could not be made: {error}")))
}

/// Writes through `write` into a temporary file beside `target`, then
/// renames it into place; on failure the temporary file is removed and
/// `target` is as it was.
async fn write_atomically<F>(target: &Path, write: F) -> Result<()>
where
    F: FnOnce(&mut BufWriter<std::fs::File>) -> Result<()> + Send + 'static,
{
    let target = target.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let partial = partial_path(&target)?;
        let outcome = (|| {
            let file = std::fs::File::create(&partial).map_err(|error| {
                AppError::bad_input(
                    "file",
                    format!("{} cannot be written: {error}", target.display()),
                )
            })?;
            let mut out = BufWriter::new(file);
            write(&mut out)?;
            let file = out
                .into_inner()
                .map_err(|error| AppError::internal(error.to_string()))?;
            file.sync_all()
                .map_err(|error| AppError::internal(error.to_string()))?;
            std::fs::rename(&partial, &target).map_err(|error| {
                AppError::bad_input(
                    "file",
                    format!("{} cannot be written: {error}", target.display()),
                )
            })
        })();
        if outcome.is_err() {
            let _ = std::fs::remove_file(&partial);
        }
        outcome
    })
    .await
    .map_err(|error| AppError::internal(format!("writing stopped: {error}")))?
}

/// `.NAME.partial` beside `target`.
fn partial_path(target: &Path) -> Result<PathBuf> {
    let name = target.file_name().ok_or_else(|| {
        AppError::bad_input("file", format!("{} is not a file name", target.display()))
    })?;
    Ok(target.with_file_name(format!(".{}.partial", name.to_string_lossy())))
}

/// The written file's size and SHA-256, read as a stream (an evidence
/// pack holds the imported originals, which may be large).
fn digest_of(path: &Path) -> Result<(u64, String)> {
    let mut file =
        std::fs::File::open(path).map_err(|error| AppError::internal(error.to_string()))?;
    let mut hasher = Sha256::new();
    let bytes = std::io::copy(&mut file, &mut hasher)
        .map_err(|error| AppError::internal(error.to_string()))?;
    Ok((bytes, documents::hex(&hasher.finalize())))
}
