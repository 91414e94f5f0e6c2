//! `portcullis inventory list|add|approve|remove|import|export`: the
//! approved ports of each system (PCI DSS 1.2.5). Every change lands in the
//! audit log; nothing here deletes history.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use portcullis_app::Workspace;
use portcullis_model::compliance::InventoryEntry;
use portcullis_model::judgement::InventoryFormat;
use portcullis_model::requests::{
    InventoryAddition, InventoryRemoval, InventoryRenewal, RenewalTerm,
};
use portcullis_model::scan::Protocol;

use crate::context::{Session, bad_input, failure, parse_date, parse_serde_name, print_json, safe};
use crate::{Failure, exit};
use portcullis_model::{InventoryEntryId, IpNet, SystemId};

#[derive(Debug, clap::Args)]
pub struct InventoryArgs {
    #[command(subcommand)]
    action: InventoryAction,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum FileFormat {
    Csv,
    Json,
}

#[derive(Debug, clap::Subcommand)]
enum InventoryAction {
    /// List the approved ports.
    List {
        /// Only this system's (name or id).
        #[arg(long)]
        system: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Approve a port of a system.
    Add {
        /// The system's name or id.
        #[arg(long)]
        system: String,
        #[arg(long)]
        port: u16,
        #[arg(long, default_value = "tcp", value_parser = parse_serde_name::<Protocol>)]
        protocol: Protocol,
        /// The service expected there ("https", "ssh", or a product such as
        /// "nginx").
        #[arg(long)]
        service: Option<String>,
        /// The version expected, as a prefix ("9.2" accepts "9.2p1").
        #[arg(long)]
        version: Option<String>,
        /// Why the business needs this port open.
        #[arg(long)]
        justification: String,
        /// Who approved it.
        #[arg(long)]
        approver: String,
        /// When the approval must be renewed (2025-12-31); none: it does
        /// not lapse.
        #[arg(long, value_parser = parse_date)]
        expires: Option<DateTime<Utc>>,
        /// Where connections may come from: an IP address or a CIDR block
        /// (203.0.113.0/24); give it again for more. None: anywhere.
        /// Firewall rulesets let in only these.
        #[arg(long = "from", value_name = "ADDRESS", value_parser = parse_source)]
        sources: Vec<IpNet>,
        #[arg(long, default_value = "")]
        notes: String,
    },
    /// Approve an entry again (renew it): approved now, by APPROVER, for
    /// the same term as before unless --expires or --no-expiry says
    /// otherwise.
    Approve {
        /// The entry's id (see `inventory list`).
        id: InventoryEntryId,
        /// Who approves it.
        #[arg(long)]
        approver: String,
        /// Until when (2026-06-30; after now). Default: as long as the
        /// approval being renewed ran, counted from now.
        #[arg(long, value_parser = parse_date, conflicts_with = "no_expiry")]
        expires: Option<DateTime<Utc>>,
        /// The approval does not lapse.
        #[arg(long)]
        no_expiry: bool,
        /// A new statement of why the business needs the port (default:
        /// the entry's).
        #[arg(long)]
        justification: Option<String>,
    },
    /// Remove an entry (the audit log keeps it as it was).
    Remove {
        /// The entry's id (see `inventory list`).
        id: InventoryEntryId,
        /// Why the port no longer needs to be open; the audit log keeps it.
        #[arg(long)]
        reason: String,
    },
    /// Import entries from a CSV or JSON file: all of them, or none if any
    /// row is wrong. Rows for a port already approved replace its entry.
    Import {
        file: PathBuf,
        /// The file's format (default: from its extension).
        #[arg(long, value_enum)]
        format: Option<FileFormat>,
    },
    /// Export the inventory as CSV or JSON (the import's format).
    Export {
        /// Where to write (default: standard output).
        file: Option<PathBuf>,
        /// The format (default: from FILE's extension, else CSV).
        #[arg(long, value_enum)]
        format: Option<FileFormat>,
    },
}

pub async fn run(session: &Session, args: InventoryArgs) -> Result<ExitCode, Failure> {
    let workspace = session.open().await?;
    match args.action {
        InventoryAction::List { system, json } => {
            let system_id = match system {
                Some(name) => Some(workspace.find_system(&name).await.map_err(failure)?.id),
                None => None,
            };
            let entries = workspace.inventory(system_id).await.map_err(failure)?;
            if json {
                print_json(&entries)?;
            } else {
                print_list(&workspace, &entries).await?;
            }
        }
        InventoryAction::Add {
            system,
            port,
            protocol,
            service,
            version,
            justification,
            approver,
            expires,
            sources,
            notes,
        } => {
            let system = workspace.find_system(&system).await.map_err(failure)?;
            let addition = InventoryAddition {
                system_id: system.id,
                port,
                protocol,
                service,
                version,
                justification,
                approver,
                expires_at: expires,
                sources,
                notes,
            };
            let entry = workspace
                .add_inventory_entry(addition)
                .await
                .map_err(failure)?;
            println!(
                "Approved {}/{} on {} (entry {}).",
                entry.port,
                entry.protocol.as_str(),
                safe(&system.name),
                entry.id
            );
        }
        InventoryAction::Approve {
            id,
            approver,
            expires,
            no_expiry,
            justification,
        } => {
            let term = match (expires, no_expiry) {
                (Some(until), _) => RenewalTerm::Until(until),
                (None, true) => RenewalTerm::NoExpiry,
                (None, false) => RenewalTerm::SameAsBefore,
            };
            let renewal = InventoryRenewal {
                id,
                approver,
                justification,
                term,
            };
            let entry = workspace
                .renew_inventory_entry(renewal)
                .await
                .map_err(failure)?;
            println!(
                "Entry {} ({}/{}) approved by {} {}.",
                entry.id,
                entry.port,
                entry.protocol.as_str(),
                safe(&entry.approver),
                until(entry.expires_at)
            );
        }
        InventoryAction::Remove { id, reason } => {
            let entry = workspace
                .remove_inventory_entry(InventoryRemoval { id, reason })
                .await
                .map_err(failure)?;
            println!(
                "Removed entry {} ({}/{}); the audit log keeps what it was.",
                entry.id,
                entry.port,
                entry.protocol.as_str()
            );
        }
        InventoryAction::Import { file, format } => {
            let format = format_for(format, Some(&file)).ok_or_else(|| {
                bad_input(format!(
                    "{}: say --format csv or --format json (the extension does not tell)",
                    file.display()
                ))
            })?;
            let text = std::fs::read_to_string(&file)
                .map_err(|e| bad_input(format!("cannot read {}: {e}", file.display())))?;
            let summary = workspace
                .import_inventory(format, &text)
                .await
                .map_err(|error| failure(error.context(file.display())))?;
            println!(
                "Imported {}: {} added, {} updated, {} unchanged.",
                file.display(),
                summary.added,
                summary.updated,
                summary.unchanged
            );
        }
        InventoryAction::Export { file, format } => {
            let format = format_for(format, file.as_deref()).unwrap_or(InventoryFormat::Csv);
            let text = workspace.export_inventory(format).await.map_err(failure)?;
            match file {
                Some(path) => std::fs::write(&path, text).map_err(|e| {
                    Failure::new(
                        exit::BAD_INPUT,
                        anyhow::anyhow!("cannot write {}: {e}", path.display()),
                    )
                })?,
                None => print!("{text}"),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The format asked for, or the one the file's extension names.
fn format_for(asked: Option<FileFormat>, file: Option<&Path>) -> Option<InventoryFormat> {
    let from_extension = || {
        let extension = file?.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "csv" => Some(FileFormat::Csv),
            "json" => Some(FileFormat::Json),
            _ => None,
        }
    };
    match asked.or_else(from_extension)? {
        FileFormat::Csv => Some(InventoryFormat::Csv),
        FileFormat::Json => Some(InventoryFormat::Json),
    }
}

fn until(expires: Option<DateTime<Utc>>) -> String {
    match expires {
        Some(at) => format!("until {}", at.format("%Y-%m-%d")),
        None => "with no expiry".into(),
    }
}

/// One `--from`: an IP address or a CIDR block.
fn parse_source(text: &str) -> Result<IpNet, String> {
    match portcullis_app::parse_sources(text)?.as_slice() {
        [one] => Ok(*one),
        _ => Err("give one address or block per --from".to_owned()),
    }
}

async fn print_list(workspace: &Workspace, entries: &[InventoryEntry]) -> Result<(), Failure> {
    if entries.is_empty() {
        println!("The inventory is empty. Approve ports with `portcullis inventory add`.");
        return Ok(());
    }
    let names: HashMap<SystemId, String> = workspace
        .systems()
        .await
        .map_err(failure)?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    for entry in entries {
        let system = names.get(&entry.system_id).map_or("?", String::as_str);
        let expected = match (&entry.service, &entry.version) {
            (Some(service), Some(version)) => format!(" {service} {version}"),
            (Some(service), None) => format!(" {service}"),
            (None, _) => String::new(),
        };
        let lapsed = if workspace.is_expired(entry) {
            "  EXPIRED: re-approve or remove"
        } else {
            ""
        };
        println!(
            "{:>5}  {} {}/{}{}: {}",
            entry.id,
            safe(system),
            entry.port,
            entry.protocol.as_str(),
            safe(&expected),
            safe(&entry.justification)
        );
        println!(
            "       approved by {} on {}, {}{lapsed}",
            safe(&entry.approver),
            entry.approved_at.format("%Y-%m-%d"),
            until(entry.expires_at)
        );
        if !entry.sources.is_empty() {
            let sources: Vec<String> = entry.sources.iter().map(ToString::to_string).collect();
            println!("       only from {}", sources.join(", "));
        }
    }
    Ok(())
}
