//! `portcullis audit verify|show`: the append-only audit log. `verify`
//! walks the hash chain and exits non-zero naming the first bad row.

use std::process::ExitCode;

use crate::context::{Session, failure, print_json, safe};
use crate::{Failure, exit};

#[derive(Debug, clap::Args)]
pub struct AuditArgs {
    #[command(subcommand)]
    action: AuditAction,
}

#[derive(Debug, clap::Subcommand)]
enum AuditAction {
    /// Check that no row was changed, removed or inserted since it was
    /// written. Exit code 5 when one was.
    Verify,
    /// Show the newest rows.
    Show {
        /// How many rows.
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(i64).range(1..))]
        limit: i64,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(session: &Session, args: AuditArgs) -> Result<ExitCode, Failure> {
    let workspace = session.open().await?;
    let outcome = match args.action {
        AuditAction::Verify => {
            let report = workspace.verify_audit_log().await.map_err(failure)?;
            match (&report.first_bad, &report.head_hash) {
                (Some(bad), _) => {
                    eprintln!("portcullis: the audit log has been tampered with: {bad}.");
                    eprintln!(
                        "Rows before {} check out; restore a backup taken before the change to recover.",
                        bad.id
                    );
                    ExitCode::from(exit::TAMPERED)
                }
                (None, Some(head)) => {
                    println!(
                        "The audit log is intact: {} rows, chained from the first to the last.",
                        report.rows_checked
                    );
                    println!(
                        "Last row's hash: {head} (note it elsewhere to detect a cut-off tail later)."
                    );
                    ExitCode::SUCCESS
                }
                (None, None) => {
                    println!("The audit log is empty: nothing has been changed yet.");
                    ExitCode::SUCCESS
                }
            }
        }
        AuditAction::Show { limit, json } => {
            let rows = workspace.audit_rows(limit).await.map_err(failure)?;
            if json {
                print_json(&rows)?;
            } else if rows.is_empty() {
                println!("The audit log has no rows to show: nothing has been changed yet.");
            } else {
                for row in &rows {
                    println!(
                        "{:>6}  {}  {:<12} {:<24} {} {}",
                        row.id,
                        row.at.format("%Y-%m-%d %H:%M:%S"),
                        safe(&row.actor),
                        row.action.name(),
                        safe(&row.entity),
                        safe(&row.entity_id)
                    );
                }
            }
            ExitCode::SUCCESS
        }
    };
    Ok(outcome)
}
