//! `portcullis systems list|add|edit|remove`: the machines whose ports are
//! judged, with their role, PCI DSS scope and exposure.

use std::process::ExitCode;

use portcullis_model::compliance::{Exposure, NewSystem, Scope, System, SystemRole};
use portcullis_model::requests::SystemEdit;

use crate::Failure;
use crate::context::{Session, failure, parse_serde_name, print_json, safe, serde_name};

#[derive(Debug, clap::Args)]
pub struct SystemsArgs {
    #[command(subcommand)]
    action: SystemsAction,
}

#[derive(Debug, clap::Subcommand)]
enum SystemsAction {
    /// List the systems.
    List {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Register a system.
    Add {
        /// A name people know it by, e.g. "web shop".
        name: String,
        #[command(flatten)]
        fields: SystemFields,
    },
    /// Change a system (only the options given change).
    Edit {
        /// The system's name or id.
        system: String,
        /// A new name.
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        fields: OptionalFields,
    },
    /// Remove a system that has no inventory entries left.
    Remove {
        /// The system's name or id.
        system: String,
    },
}

#[derive(Debug, clap::Args)]
struct SystemFields {
    /// An IP address, CIDR block or host name of the system; repeat for
    /// more.
    #[arg(long = "address", short = 'a', value_name = "ADDRESS", required = true)]
    addresses: Vec<String>,
    /// What it is for: web-server, database, payment, office,
    /// network-device, other.
    #[arg(long, value_parser = parse_serde_name::<SystemRole>)]
    role: SystemRole,
    /// Its PCI DSS scope: cde (stores, processes or transmits card data),
    /// connected-to-cde, out-of-scope.
    #[arg(long, value_parser = parse_serde_name::<Scope>)]
    scope: Scope,
    /// external (reachable from the internet) or internal.
    #[arg(long, value_parser = parse_serde_name::<Exposure>)]
    exposure: Exposure,
    /// Anything worth knowing about it.
    #[arg(long, default_value = "")]
    notes: String,
}

#[derive(Debug, clap::Args)]
struct OptionalFields {
    /// Replace the addresses with these (repeat for more).
    #[arg(long = "address", short = 'a', value_name = "ADDRESS")]
    addresses: Vec<String>,
    #[arg(long, value_parser = parse_serde_name::<SystemRole>)]
    role: Option<SystemRole>,
    #[arg(long, value_parser = parse_serde_name::<Scope>)]
    scope: Option<Scope>,
    #[arg(long, value_parser = parse_serde_name::<Exposure>)]
    exposure: Option<Exposure>,
    #[arg(long)]
    notes: Option<String>,
}

pub async fn run(session: &Session, args: SystemsArgs) -> Result<ExitCode, Failure> {
    let workspace = session.open().await?;
    match args.action {
        SystemsAction::List { json } => {
            let systems = workspace.systems().await.map_err(failure)?;
            if json {
                print_json(&systems)?;
            } else {
                print_list(&systems);
            }
        }
        SystemsAction::Add { name, fields } => {
            let system = NewSystem {
                name,
                addresses: fields.addresses,
                role: fields.role,
                scope: fields.scope,
                exposure: fields.exposure,
                notes: fields.notes,
            };
            let system = workspace.add_system(system).await.map_err(address_option)?;
            println!("Added system {} (id {}).", safe(&system.name), system.id);
        }
        SystemsAction::Edit {
            system,
            name,
            fields,
        } => {
            let found = workspace.find_system(&system).await.map_err(failure)?;
            let edit = SystemEdit {
                id: found.id,
                name,
                addresses: (!fields.addresses.is_empty()).then_some(fields.addresses),
                role: fields.role,
                scope: fields.scope,
                exposure: fields.exposure,
                notes: fields.notes,
            };
            let system = workspace.edit_system(edit).await.map_err(address_option)?;
            println!("Updated system {} (id {}).", safe(&system.name), system.id);
        }
        SystemsAction::Remove { system } => {
            let system = workspace.find_system(&system).await.map_err(failure)?;
            let removed = workspace.remove_system(system.id).await.map_err(failure)?;
            println!(
                "Removed system {} (id {}); the audit log keeps what it was.",
                safe(&removed.name),
                removed.id
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// An address refused by the workspace, named as the option that gave it.
fn address_option(error: portcullis_model::AppError) -> Failure {
    let mut error = error;
    if error.field.as_deref() == Some("addresses") {
        error.message = format!("--{}", error.message);
    }
    failure(error)
}

fn print_list(systems: &[System]) {
    if systems.is_empty() {
        println!("No systems yet. Register one with `portcullis systems add`.");
        return;
    }
    println!(
        "{:>4}  {:<20} {:<15} {:<17} {:<9} addresses",
        "id", "name", "role", "scope", "exposure"
    );
    for system in systems {
        println!(
            "{:>4}  {:<20} {:<15} {:<17} {:<9} {}",
            system.id,
            safe(&system.name),
            serde_name(&system.role),
            serde_name(&system.scope),
            serde_name(&system.exposure),
            safe(&system.addresses.join(", "))
        );
    }
}
