//! The approved port inventory (PCI DSS 1.2.5).

use portcullis_compliance::{Renewal, RenewalError, Term};
use portcullis_model::AppError;
use portcullis_model::InventoryEntryId;
use portcullis_model::compliance::{InventoryEntry, NewInventoryEntry};
use portcullis_model::judgement::{ImportSummary, InventoryFormat};
use portcullis_model::listing::{InventoryPage, InventoryQuery, InventoryRow};
use portcullis_model::requests::{
    InventoryAddition, InventoryRemoval, InventoryRenewal, RenewalTerm,
};

use portcullis_store::InventorySelection;

use crate::error::{Result, from_store};
use crate::inventory_file;
use crate::workspace::Workspace;
use portcullis_model::SystemId;

/// Refuses what the store would refuse, naming the field, so the window
/// shows it beside the field it concerns.
fn check_addition(addition: &InventoryAddition, now: chrono::DateTime<chrono::Utc>) -> Result<()> {
    if addition.port == 0 {
        return Err(AppError::bad_input("port", "give a port from 1 to 65535"));
    }
    if addition.justification.trim().is_empty() {
        return Err(AppError::bad_input(
            "justification",
            "say why the business needs this port open",
        ));
    }
    if addition.approver.trim().is_empty() {
        return Err(AppError::bad_input(
            "approver",
            "give the name of who approves it",
        ));
    }
    if addition.expires_at.is_some_and(|until| until <= now) {
        return Err(AppError::bad_input(
            "until",
            "an approval that ends before it is given would never hold: give a date after today, or none",
        ));
    }
    Ok(())
}

/// The longest reason for a removal the log keeps.
const MAX_REASON_CHARS: usize = 500;

impl Workspace {
    /// The inventory, of one system or of all, by system, protocol, port.
    pub async fn inventory(&self, system_id: Option<SystemId>) -> Result<Vec<InventoryEntry>> {
        self.store.inventory(system_id).await.map_err(from_store)
    }

    /// A page of the inventory: filtered (what needs attention is worked
    /// out as of now), sorted, cut in the database.
    pub async fn inventory_page(&self, query: &InventoryQuery) -> Result<InventoryPage> {
        let bounds = portcullis_compliance::attention_bounds(query.attention, self.now());
        let selection = InventorySelection {
            system_id: query.system_id,
            port: query.port,
            ends_after: bounds.ends_after,
            ends_by: bounds.ends_by,
            approved_by: bounds.approved_by,
            not_seen: bounds.not_seen,
            sort: query.sort,
            descending: query.descending,
            page: query.page,
        };
        self.store
            .inventory_page(&selection)
            .await
            .map_err(from_store)
    }

    /// One entry, with the name of its system.
    pub async fn inventory_row(&self, id: InventoryEntryId) -> Result<InventoryRow> {
        let entry = self.store.inventory_entry(id).await.map_err(from_store)?;
        let system = self
            .store
            .system(entry.system_id)
            .await
            .map_err(from_store)?;
        Ok(InventoryRow {
            entry,
            system_name: system.name,
        })
    }

    /// Whether an entry's approval has lapsed, as of now.
    pub fn is_expired(&self, entry: &InventoryEntry) -> bool {
        portcullis_compliance::is_expired(entry, self.now())
    }

    /// Approves a port of a system, now.
    pub async fn add_inventory_entry(&self, addition: InventoryAddition) -> Result<InventoryEntry> {
        check_addition(&addition, self.now())?;
        let entry = NewInventoryEntry {
            system_id: addition.system_id,
            port: addition.port,
            protocol: addition.protocol,
            service: addition.service,
            version: addition.version,
            justification: addition.justification,
            approver: addition.approver,
            approved_at: self.now(),
            expires_at: addition.expires_at,
            sources: addition.sources,
            notes: addition.notes,
        };
        self.store
            .add_inventory_entry(&self.actor, entry)
            .await
            .map_err(from_store)
    }

    /// Approves an entry again, now, for the term asked.
    pub async fn renew_inventory_entry(&self, renewal: InventoryRenewal) -> Result<InventoryEntry> {
        let id = renewal.id;
        let entry = self.store.inventory_entry(id).await.map_err(from_store)?;
        let request = Renewal {
            approver: renewal.approver,
            justification: renewal.justification,
            term: match renewal.term {
                RenewalTerm::SameAsBefore => Term::SameAsBefore,
                RenewalTerm::Until(until) => Term::Until(until),
                RenewalTerm::NoExpiry => Term::NoExpiry,
            },
            now: self.now(),
        };
        let renewed = portcullis_compliance::renew(&entry, &request).map_err(|error| {
            let field = match error {
                RenewalError::NoApprover => "approver",
                RenewalError::NoJustification => "justification",
                _ => "until",
            };
            AppError::bad_input(field, format!("inventory entry {id}: {error}"))
        })?;
        self.store
            .approve_inventory_entry(&self.actor, &renewed)
            .await
            .map_err(from_store)
    }

    /// Removes an entry; the audit log keeps it as it was.
    /// Removes an entry with the reason it goes: a reason is required, so
    /// an assessor reading the log sees why a port was no longer approved.
    pub async fn remove_inventory_entry(
        &self,
        removal: InventoryRemoval,
    ) -> Result<InventoryEntry> {
        let reason = removal.reason.trim();
        if reason.is_empty() {
            return Err(AppError::bad_input(
                "reason",
                "say why the port no longer needs to be open, for the audit log",
            ));
        }
        if reason.chars().count() > MAX_REASON_CHARS {
            return Err(AppError::bad_input(
                "reason",
                format!("keep the reason under {MAX_REASON_CHARS} characters"),
            ));
        }
        self.store
            .remove_inventory_entry(&self.actor, removal.id, Some(reason))
            .await
            .map_err(from_store)
    }

    /// Imports entries from CSV or JSON text: all of them, or none if any
    /// row is wrong (each problem named by line and field).
    pub async fn import_inventory(
        &self,
        format: InventoryFormat,
        text: &str,
    ) -> Result<ImportSummary> {
        let systems = self.systems().await?;
        let entries = inventory_file::read(format, text, &systems, self.now())?;
        self.store
            .import_inventory(&self.actor, entries)
            .await
            .map_err(from_store)
    }

    /// The whole inventory as CSV or JSON, in the import's format.
    pub async fn export_inventory(&self, format: InventoryFormat) -> Result<String> {
        let (systems, entries) = tokio::try_join!(self.systems(), self.inventory(None))?;
        Ok(inventory_file::write(format, &entries, &systems))
    }
}
