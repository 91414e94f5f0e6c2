//! The systems whose ports are judged.

use portcullis_compliance::SystemAddress;
use portcullis_model::AppError;
use portcullis_model::compliance::{NewSystem, System};
use portcullis_model::listing::SystemName;
use portcullis_model::requests::SystemEdit;

use crate::error::{Result, from_store};
use crate::workspace::Workspace;
use portcullis_model::SystemId;

impl Workspace {
    pub async fn systems(&self) -> Result<Vec<System>> {
        self.store.systems().await.map_err(from_store)
    }

    /// A system by its name (any case) or id.
    /// Every system's id and name, by name: what a filter or a form
    /// offers, without the rest.
    pub async fn system_names(&self) -> Result<Vec<SystemName>> {
        self.store.system_names().await.map_err(from_store)
    }

    pub async fn find_system(&self, name_or_id: &str) -> Result<System> {
        self.store.find_system(name_or_id).await.map_err(from_store)
    }

    /// Registers a system; every address must be an IP address, a CIDR
    /// block or a host name.
    pub async fn add_system(&self, system: NewSystem) -> Result<System> {
        check_addresses(&system.addresses)?;
        self.store
            .add_system(&self.actor, system)
            .await
            .map_err(from_store)
    }

    /// Changes the fields `edit` gives.
    pub async fn edit_system(&self, edit: SystemEdit) -> Result<System> {
        let mut system = self.store.system(edit.id).await.map_err(from_store)?;
        if let Some(addresses) = edit.addresses {
            check_addresses(&addresses)?;
            system.addresses = addresses;
        }
        system.name = edit.name.unwrap_or(system.name);
        system.role = edit.role.unwrap_or(system.role);
        system.scope = edit.scope.unwrap_or(system.scope);
        system.exposure = edit.exposure.unwrap_or(system.exposure);
        system.notes = edit.notes.unwrap_or(system.notes);
        self.store
            .update_system(&self.actor, system)
            .await
            .map_err(from_store)
    }

    /// Removes a system that has no inventory entries left; the audit log
    /// keeps what it was.
    pub async fn remove_system(&self, id: SystemId) -> Result<System> {
        self.store
            .remove_system(&self.actor, id)
            .await
            .map_err(from_store)
    }
}

/// Every address must be an IP address, a CIDR block or a host name; the
/// error names which one is not (1-based).
fn check_addresses(addresses: &[String]) -> Result<()> {
    if addresses.is_empty() {
        return Err(AppError::bad_input(
            "addresses",
            "a system needs at least one address",
        ));
    }
    for (index, address) in addresses.iter().enumerate() {
        SystemAddress::parse(address).map_err(|error| {
            AppError::bad_input(
                "addresses",
                format!("address number {}: {error}", index + 1),
            )
        })?;
    }
    Ok(())
}
