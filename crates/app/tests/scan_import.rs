//! Imports of other scanners' reports through the workspace, as the
//! desktop makes them: followed by a watch, stopped by it with nothing
//! kept, and an ASV's PDF report imported as proposed with the PDF kept.

use std::path::{Path, PathBuf};

use portcullis_app::{ImportWatch, Workspace, WorkspaceOptions};
use portcullis_model::compliance::Exposure;
use portcullis_model::import::ImportStage;
use tempfile::TempDir;

const NESSUS_REPORT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../formats/tests/fixtures/asv-scan.nessus"
);

async fn workspace() -> (TempDir, Workspace) {
    let dir = tempfile::tempdir().unwrap();
    let options = WorkspaceOptions::new(dir.path().to_path_buf(), "tester".into());
    let workspace = Workspace::open(options).await.unwrap();
    (dir, workspace)
}

/// The originals kept under `imports/` in the data directory.
fn kept(workspace: &Workspace) -> Vec<PathBuf> {
    match std::fs::read_dir(workspace.data_dir().join("imports")) {
        Ok(entries) => entries.map(|entry| entry.unwrap().path()).collect(),
        Err(_) => Vec::new(),
    }
}

#[tokio::test]
async fn the_watch_sees_the_whole_file_read_then_the_judging() {
    let (_dir, workspace) = workspace().await;
    let watch = ImportWatch::default();
    let outcome = workspace
        .import_scan_watched(Path::new(NESSUS_REPORT), Exposure::External, None, &watch)
        .await
        .unwrap();
    assert!(outcome.judgement.is_some());
    let progress = watch.progress();
    let size = std::fs::metadata(NESSUS_REPORT).unwrap().len();
    assert_eq!((progress.read_bytes, progress.total_bytes), (size, size));
    assert_eq!(progress.stage, ImportStage::Judging);
    assert_eq!(kept(&workspace).len(), 1);
}

#[tokio::test]
async fn an_import_cancelled_while_read_keeps_neither_scan_nor_file() {
    let (_dir, workspace) = workspace().await;
    let watch = ImportWatch::default();
    watch.cancel();
    let error = workspace
        .import_scan_watched(Path::new(NESSUS_REPORT), Exposure::External, None, &watch)
        .await
        .unwrap_err();
    assert!(error.message.contains("was stopped"), "{error}");
    assert!(workspace.scans(10).await.unwrap().is_empty());
    assert!(kept(&workspace).is_empty());
}

#[tokio::test]
async fn an_asv_pdf_report_imports_as_proposed_with_the_pdf_kept() {
    let (dir, workspace) = workspace().await;
    let made = chrono::DateTime::parse_from_rfc3339("2026-11-30T12:00:00Z")
        .unwrap()
        .to_utc();
    let source = include_str!("../../formats/tests/fixtures/asv-report.typ");
    let pdf = portcullis_documents::render_pdf(source, &[], made).unwrap();
    let path = dir.path().join("asv-q4.pdf");
    std::fs::write(&path, &pdf).unwrap();

    let proposal = workspace.propose_from_asv_pdf(&path).await.unwrap();
    assert_eq!(proposal.items.len() as u64, proposal.rows);
    assert!(workspace.scans(10).await.unwrap().is_empty());

    let outcome = workspace
        .import_asv_proposal(&path, Exposure::External, &ImportWatch::default())
        .await
        .unwrap();
    assert_eq!(outcome.scan.open_ports, Some(proposal.open_ports as u32));
    let kept = kept(&workspace);
    assert_eq!(kept.len(), 2, "the list and the PDF: {kept:?}");
    assert!(
        kept.iter().any(|file| std::fs::read(file).unwrap() == pdf),
        "the PDF is kept byte for byte"
    );
}
