//! `portcullis backup FILE` and `portcullis restore FILE`, with a progress
//! bar on a terminal.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressStyle};
use portcullis_model::maintenance::CopyProgress;

use crate::Failure;
use crate::context::{Session, failure};

#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    /// Where to write the copy; it must not exist yet.
    file: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// A backup made by `portcullis backup`. It is checked (integrity,
    /// schema version) before anything is replaced, and the database it
    /// replaces is saved first.
    file: PathBuf,
}

pub async fn backup(session: &Session, args: BackupArgs) -> Result<ExitCode, Failure> {
    let workspace = session.open().await?;
    let bar = progress_bar("backing up");
    let shown = bar.clone();
    let summary = workspace
        .backup(&args.file, move |p| show(&shown, p))
        .await
        .map_err(failure);
    finish(&bar);
    let summary = summary?;
    println!(
        "Backed up to {} ({} bytes, schema version {}).",
        summary.path, summary.bytes, summary.schema_version
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn restore(session: &Session, args: RestoreArgs) -> Result<ExitCode, Failure> {
    let workspace = session.open().await?;
    let bar = progress_bar("restoring");
    let shown = bar.clone();
    let summary = workspace
        .restore(&args.file, move |p| show(&shown, p))
        .await
        .map_err(failure);
    finish(&bar);
    let summary = summary?;
    println!(
        "Restored {} (schema version {}).",
        args.file.display(),
        summary.restored_schema_version
    );
    println!(
        "The database it replaced was saved as {}.",
        summary.previous_saved_to
    );
    Ok(ExitCode::SUCCESS)
}

/// A bar on a terminal's standard error; nothing when piped.
fn progress_bar(what: &'static str) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} {wide_bar} {pos}/{len} pages")
            .expect("a valid template"),
    );
    bar.set_message(what);
    Some(bar)
}

fn show(bar: &Option<ProgressBar>, progress: CopyProgress) {
    if let Some(bar) = bar {
        bar.set_length(progress.pages_total);
        bar.set_position(progress.pages_done);
    }
}

fn finish(bar: &Option<ProgressBar>) {
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
}
