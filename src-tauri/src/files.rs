//! The commands that read and write the person's own files: imports,
//! exports, backups and restores. The window never names a path: the backend asks with the
//! system's file dialog (tauri-plugin-dialog) and keeps what was chosen.
//! Everything else is the app layer's.

use std::path::PathBuf;
use std::time::Duration;

use portcullis_app::ImportWatch;
use portcullis_model::commands::*;
use portcullis_model::documents::{ExportAnswer, ExportRequest};
use portcullis_model::import::{ImportAnswer, ImportOutcome, ImportProgress};
use portcullis_model::judgement::{ImportSummary, InventoryFormat};
use portcullis_model::maintenance::{BackupSummary, CopyProgress, RestoreSummary};
use portcullis_model::{AppError, Command, ErrorKind};
use tauri::ipc::Channel;
use tauri::{State, WebviewWindow};
use tauri_plugin_dialog::{DialogExt, FileDialogBuilder};

use crate::state::AppState;

/// How often an import's progress reaches the window.
const PROGRESS_INTERVAL: Duration = Duration::from_millis(150);

/// The titles of the dialogs: what they ask, in the person's words.
pub const IMPORT_DIALOG_TITLE: &str = "Choose the scan report to bring in";
pub const SAVE_DIALOG_TITLE: &str = "Save the document as";
pub const INVENTORY_EXPORT_DIALOG_TITLE: &str = "Save the inventory as";
pub const INVENTORY_IMPORT_DIALOG_TITLE: &str = "Choose the inventory to bring in";
/// The largest inventory file read: 20,000 entries in CSV take about 3 MB.
const INVENTORY_FILE_LIMIT: u64 = 64 * 1024 * 1024;
pub const BACKUP_DIALOG_TITLE: &str = "Save the backup as";
pub const RESTORE_DIALOG_TITLE: &str = "Choose the backup to restore";

assert_command_name!(ImportFile::NAME, import_file);
/// Asks which file to import, then imports it, sending its progress to
/// `updates`. An ASV's PDF report is read and proposed, and kept in mind
/// for `import_proposal` and `proposal_save`.
#[tauri::command]
pub async fn import_file(
    window: WebviewWindow,
    state: State<'_, AppState>,
    request: <ImportFile as StreamCommand>::Request,
    updates: Channel<ImportProgress>,
) -> Result<ImportAnswer, AppError> {
    let workspace = state.workspace().await?;
    let dialog = window
        .dialog()
        .file()
        .set_parent(&window)
        .set_title(IMPORT_DIALOG_TITLE)
        .add_filter(
            "Scan reports (nmap, Nessus, OpenVAS, CSV, PDF)",
            &["xml", "nessus", "csv", "pdf"],
        );
    let Some(path) = pick(dialog).await? else {
        return Ok(ImportAnswer::Dismissed);
    };
    if is_pdf(&path) {
        let proposal = workspace.propose_from_asv_pdf(&path).await?;
        state.transfers.remember_asv_report(path);
        return Ok(ImportAnswer::Proposed(proposal));
    }
    let evidence = match request.with_asv_report {
        true => Some(state.transfers.asv_report()?),
        false => None,
    };
    follow(&state.transfers, updates, async |watch| {
        let outcome = workspace
            .import_scan_watched(&path, request.origin, None, watch)
            .await?;
        if let Some(pdf) = evidence {
            workspace.keep_evidence(outcome.scan.id, &pdf).await?;
        }
        Ok(outcome)
    })
    .await
}

assert_command_name!(ImportProposal::NAME, import_proposal);
/// Imports the proposal of the ASV's PDF report chosen last, as it
/// stands, with the PDF kept as its evidence.
#[tauri::command]
pub async fn import_proposal(
    state: State<'_, AppState>,
    request: <ImportProposal as StreamCommand>::Request,
    updates: Channel<ImportProgress>,
) -> Result<ImportAnswer, AppError> {
    let workspace = state.workspace().await?;
    let pdf = state.transfers.asv_report()?;
    follow(&state.transfers, updates, async |watch| {
        workspace.import_asv_proposal(&pdf, request, watch).await
    })
    .await
}

assert_command_name!(ImportCancel::NAME, import_cancel);
#[tauri::command]
pub async fn import_cancel(
    state: State<'_, AppState>,
    request: <ImportCancel as Command>::Request,
) -> Result<(), AppError> {
    let _ = request;
    state.transfers.cancel_import();
    Ok(())
}

assert_command_name!(ProposalSave::NAME, proposal_save);
/// Saves the proposal of the ASV's PDF report chosen last as a CSV
/// findings list, where the person says.
#[tauri::command]
pub async fn proposal_save(
    window: WebviewWindow,
    state: State<'_, AppState>,
    request: <ProposalSave as Command>::Request,
) -> Result<Option<String>, AppError> {
    let _ = request;
    let workspace = state.workspace().await?;
    let pdf = state.transfers.asv_report()?;
    let proposal = workspace.propose_from_asv_pdf(&pdf).await?;
    let dialog = save_dialog(
        &window,
        "asv-report-findings.csv",
        "CSV findings list",
        "csv",
    );
    let Some(path) = pick_destination(dialog).await? else {
        return Ok(None);
    };
    write_file(&path, proposal.csv.as_bytes())?;
    Ok(Some(path.display().to_string()))
}

assert_command_name!(ExportDocument::NAME, export_document);
/// Asks where to save the document, then writes it there.
#[tauri::command]
pub async fn export_document(
    window: WebviewWindow,
    state: State<'_, AppState>,
    request: <ExportDocument as Command>::Request,
) -> Result<ExportAnswer, AppError> {
    let workspace = state.workspace().await?;
    let today = chrono::Local::now().date_naive();
    let dialog = save_dialog(
        &window,
        &request.suggested_file_name(today),
        kind_of(request),
        request.extension(),
    );
    let Some(path) = pick_destination(dialog).await? else {
        return Ok(ExportAnswer::Dismissed);
    };
    let saved = workspace.export(request, &path, None).await?;
    Ok(ExportAnswer::Saved(saved))
}

assert_command_name!(InventoryExportFile::NAME, inventory_export_file);
/// Asks where to save the inventory, then writes it there in `format`.
#[tauri::command]
pub async fn inventory_export_file(
    window: WebviewWindow,
    state: State<'_, AppState>,
    request: <InventoryExportFile as Command>::Request,
) -> Result<Option<String>, AppError> {
    let workspace = state.workspace().await?;
    let (kind, extension) = match request {
        InventoryFormat::Csv => ("CSV spreadsheet", "csv"),
        InventoryFormat::Json => ("JSON", "json"),
    };
    let dialog = save_dialog(
        &window,
        &format!("port-inventory.{extension}"),
        kind,
        extension,
    )
    .set_title(INVENTORY_EXPORT_DIALOG_TITLE);
    let Some(path) = pick_destination(dialog).await? else {
        return Ok(None);
    };
    let text = workspace.export_inventory(request).await?;
    write_file(&path, text.as_bytes())?;
    Ok(Some(path.display().to_string()))
}

assert_command_name!(InventoryImportFile::NAME, inventory_import_file);
/// Asks which inventory file to bring in, then imports all of it or none.
#[tauri::command]
pub async fn inventory_import_file(
    window: WebviewWindow,
    state: State<'_, AppState>,
    request: <InventoryImportFile as Command>::Request,
) -> Result<Option<ImportSummary>, AppError> {
    let _ = request;
    let workspace = state.workspace().await?;
    let dialog = window
        .dialog()
        .file()
        .set_parent(&window)
        .set_title(INVENTORY_IMPORT_DIALOG_TITLE)
        .add_filter("Inventory (CSV or JSON)", &["csv", "json"]);
    let Some(path) = pick(dialog).await? else {
        return Ok(None);
    };
    let format = match path.extension().and_then(|e| e.to_str()) {
        Some(extension) if extension.eq_ignore_ascii_case("json") => InventoryFormat::Json,
        _ => InventoryFormat::Csv,
    };
    let text = read_bounded(&path, INVENTORY_FILE_LIMIT)?;
    workspace.import_inventory(format, &text).await.map(Some)
}

/// The file's text, refused when it is larger than `limit` or not UTF-8.
fn read_bounded(path: &std::path::Path, limit: u64) -> Result<String, AppError> {
    use std::io::Read;
    let unreadable = |error: std::io::Error| {
        AppError::bad_input(
            "file",
            format!("{} cannot be read: {error}", path.display()),
        )
    };
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > limit {
        return Err(AppError::bad_input(
            "file",
            format!(
                "{} is larger than {} MB: it is not an inventory",
                path.display(),
                limit / (1024 * 1024)
            ),
        ));
    }
    String::from_utf8(bytes)
        .map_err(|_| AppError::bad_input("file", format!("{} is not text (UTF-8)", path.display())))
}

assert_command_name!(BackupSave::NAME, backup_save);
/// Asks where to save a backup of the database, then copies it there,
/// sending the copy's progress to `updates`.
#[tauri::command]
pub async fn backup_save(
    window: WebviewWindow,
    state: State<'_, AppState>,
    request: <BackupSave as StreamCommand>::Request,
    updates: Channel<CopyProgress>,
) -> Result<Option<BackupSummary>, AppError> {
    let _ = request;
    let workspace = state.workspace().await?;
    let name = format!(
        "portcullis-backup-{}.sqlite",
        chrono::Local::now().format("%Y-%m-%d")
    );
    let dialog =
        save_dialog(&window, &name, "Portcullis backup", "sqlite").set_title(BACKUP_DIALOG_TITLE);
    let Some(path) = pick_destination(dialog).await? else {
        return Ok(None);
    };
    let summary = workspace.backup(&path, copy_progress(updates)).await?;
    Ok(Some(summary))
}

assert_command_name!(RestoreOpen::NAME, restore_open);
/// Asks which backup to restore, then restores it (the app layer checks
/// it first and saves the database it replaces), sending the copy's
/// progress to `updates`.
#[tauri::command]
pub async fn restore_open(
    window: WebviewWindow,
    state: State<'_, AppState>,
    request: <RestoreOpen as StreamCommand>::Request,
    updates: Channel<CopyProgress>,
) -> Result<Option<RestoreSummary>, AppError> {
    let _ = request;
    let workspace = state.workspace().await?;
    let dialog = window
        .dialog()
        .file()
        .set_parent(&window)
        .set_title(RESTORE_DIALOG_TITLE)
        .add_filter("Portcullis backup", &["sqlite", "db"]);
    let Some(path) = pick(dialog).await? else {
        return Ok(None);
    };
    let summary = workspace.restore(&path, copy_progress(updates)).await?;
    Ok(Some(summary))
}

/// Writes `bytes` to the file the person chose; a failure names it.
fn write_file(path: &std::path::Path, bytes: &[u8]) -> Result<(), AppError> {
    std::fs::write(path, bytes).map_err(|error| {
        AppError::bad_input(
            "file",
            format!("{} was not written: {error}", path.display()),
        )
    })
}

/// Sends a copy's progress to the window at most every
/// [`PROGRESS_INTERVAL`], and always its last step.
fn copy_progress(updates: Channel<CopyProgress>) -> impl Fn(CopyProgress) + Send + 'static {
    let last_sent = std::sync::Mutex::new(None::<std::time::Instant>);
    move |progress| {
        let now = std::time::Instant::now();
        let mut last_sent = last_sent
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let finished = progress.pages_done >= progress.pages_total;
        if finished || last_sent.is_none_or(|at| now.duration_since(at) >= PROGRESS_INTERVAL) {
            *last_sent = Some(now);
            let _ = updates.send(progress);
        }
    }
}

fn save_dialog(
    window: &WebviewWindow,
    name: &str,
    kind: &str,
    extension: &str,
) -> FileDialogBuilder<tauri::Wry> {
    window
        .dialog()
        .file()
        .set_parent(window)
        .set_title(SAVE_DIALOG_TITLE)
        .set_file_name(name)
        .add_filter(kind, &[extension])
}

/// The filter's name in the save dialog.
fn kind_of(request: ExportRequest) -> &'static str {
    match request.extension() {
        "pdf" => "PDF document",
        "html" => "Web page",
        "json" => "JSON data",
        "csv" => "Spreadsheet (CSV)",
        "xml" => "nmap XML",
        _ => "ZIP archive",
    }
}

/// The file the person chose, or `None` if they closed the dialog. The
/// dialog blocks its thread, so it runs where blocking is allowed.
async fn pick(dialog: FileDialogBuilder<tauri::Wry>) -> Result<Option<PathBuf>, AppError> {
    chosen(tauri::async_runtime::spawn_blocking(move || dialog.blocking_pick_file()).await)
}

async fn pick_destination(
    dialog: FileDialogBuilder<tauri::Wry>,
) -> Result<Option<PathBuf>, AppError> {
    chosen(tauri::async_runtime::spawn_blocking(move || dialog.blocking_save_file()).await)
}

fn chosen(
    answer: Result<Option<tauri_plugin_dialog::FilePath>, tauri::Error>,
) -> Result<Option<PathBuf>, AppError> {
    let answer = answer.map_err(|error| AppError::internal(format!("the file dialog: {error}")))?;
    answer
        .map(|path| {
            path.into_path().map_err(|error| {
                AppError::bad_input("file", format!("that file cannot be opened here: {error}"))
            })
        })
        .transpose()
}

fn is_pdf(path: &std::path::Path) -> bool {
    path.extension()
        .is_some_and(|extension| extension.eq_ignore_ascii_case("pdf"))
}

/// Runs `import` as the one import under way, its progress sent to
/// `updates` while it runs.
async fn follow(
    transfers: &Transfers,
    updates: Channel<ImportProgress>,
    import: impl AsyncFnOnce(&ImportWatch) -> Result<ImportOutcome, AppError>,
) -> Result<ImportAnswer, AppError> {
    let watch = transfers.begin_import()?;
    let reporting = report_progress(watch.clone(), updates);
    let imported = import(&watch).await;
    reporting.abort();
    transfers.end_import();
    answer(imported, &watch)
}

/// Sends the watch's progress to the window until aborted.
fn report_progress(
    watch: ImportWatch,
    updates: Channel<ImportProgress>,
) -> tauri::async_runtime::JoinHandle<()> {
    tauri::async_runtime::spawn(async move {
        loop {
            if updates.send(watch.progress()).is_err() {
                break;
            }
            tokio::time::sleep(PROGRESS_INTERVAL).await;
        }
    })
}

/// A cancelled import is an answer, not an error.
fn answer(
    imported: Result<ImportOutcome, AppError>,
    watch: &ImportWatch,
) -> Result<ImportAnswer, AppError> {
    match imported {
        Ok(outcome) => Ok(ImportAnswer::Imported(Box::new(outcome.into()))),
        Err(_) if watch.is_cancelled() => Ok(ImportAnswer::Cancelled),
        Err(error) => Err(error),
    }
}

/// The imports under way and the ASV report last proposed.
#[derive(Debug, Default)]
pub struct Transfers {
    import: std::sync::Mutex<Option<ImportWatch>>,
    asv_report: std::sync::Mutex<Option<PathBuf>>,
}

impl Transfers {
    /// One import at a time: a second would compete for the database's
    /// one writer and confuse the progress bar.
    fn begin_import(&self) -> Result<ImportWatch, AppError> {
        let mut slot = self
            .import
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        if slot.is_some() {
            return Err(AppError::new(
                ErrorKind::Busy,
                "another file is being imported; wait for it, or cancel it",
            ));
        }
        let watch = ImportWatch::default();
        *slot = Some(watch.clone());
        Ok(watch)
    }

    fn end_import(&self) {
        *self
            .import
            .lock()
            .unwrap_or_else(|poison| poison.into_inner()) = None;
    }

    fn cancel_import(&self) {
        if let Some(watch) = &*self
            .import
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
        {
            watch.cancel();
        }
    }

    fn remember_asv_report(&self, path: PathBuf) {
        *self
            .asv_report
            .lock()
            .unwrap_or_else(|poison| poison.into_inner()) = Some(path);
    }

    fn asv_report(&self) -> Result<PathBuf, AppError> {
        self.asv_report
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
            .clone()
            .ok_or_else(|| AppError::not_found("choose your ASV's PDF report first"))
    }
}
