//! `portcullis systems list|add|edit|remove`: the machines whose ports are
//! judged, with their role, PCI DSS scope and exposure.

use std::process::ExitCode;

use portcullis_compliance::SystemAddress;
use portcullis_model::compliance::{Exposure, NewSystem, Scope, System, SystemRole};

use crate::Failure;
use crate::context::{
    Session, bad_input, parse_serde_name, print_json, safe, serde_name, store_failure,
};

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
    let store = session.open().await?;
    match args.action {
        SystemsAction::List { json } => {
            let systems = store.systems().await.map_err(store_failure)?;
            if json {
                print_json(&systems)?;
            } else {
                print_list(&systems);
            }
        }
        SystemsAction::Add { name, fields } => {
            check_addresses(&fields.addresses)?;
            let system = NewSystem {
                name,
                addresses: fields.addresses,
                role: fields.role,
                scope: fields.scope,
                exposure: fields.exposure,
                notes: fields.notes,
            };
            let system = store
                .add_system(&session.actor, system)
                .await
                .map_err(store_failure)?;
            println!("Added system {} (id {}).", safe(&system.name), system.id);
        }
        SystemsAction::Edit {
            system,
            name,
            fields,
        } => {
            let mut changed = store.find_system(&system).await.map_err(store_failure)?;
            if !fields.addresses.is_empty() {
                check_addresses(&fields.addresses)?;
                changed.addresses = fields.addresses;
            }
            changed.name = name.unwrap_or(changed.name);
            changed.role = fields.role.unwrap_or(changed.role);
            changed.scope = fields.scope.unwrap_or(changed.scope);
            changed.exposure = fields.exposure.unwrap_or(changed.exposure);
            changed.notes = fields.notes.unwrap_or(changed.notes);
            let system = store
                .update_system(&session.actor, changed)
                .await
                .map_err(store_failure)?;
            println!("Updated system {} (id {}).", safe(&system.name), system.id);
        }
        SystemsAction::Remove { system } => {
            let system = store.find_system(&system).await.map_err(store_failure)?;
            let removed = store
                .remove_system(&session.actor, system.id)
                .await
                .map_err(store_failure)?;
            println!(
                "Removed system {} (id {}); the audit log keeps what it was.",
                safe(&removed.name),
                removed.id
            );
        }
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

/// Every address must be an IP address, a CIDR block or a host name.
fn check_addresses(addresses: &[String]) -> Result<(), Failure> {
    for (index, address) in addresses.iter().enumerate() {
        SystemAddress::parse(address)
            .map_err(|error| bad_input(format!("--address number {}: {error}", index + 1)))?;
    }
    Ok(())
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
