//! The documents an assessor asks for, as data: the port inventory
//! document (PCI DSS 1.2.5 to 1.2.7). Their formats are written by
//! `crates/documents`; this gathers what they say.

use portcullis_compliance::{InventoryDocumentInput, Sighting, inventory_document};
use portcullis_model::AppError;
use portcullis_model::documents::InventoryDocument;
use portcullis_model::judgement::FindingFilter;

use crate::error::{Result, from_store};
use crate::workspace::Workspace;

/// The setting that remembers the business's name for its documents.
const BUSINESS_NAME: &str = "documents.business-name";

/// The review log's length at most: a year of weekly changes, twice over.
const REVIEW_LOG_ROWS: i64 = 1000;

impl Workspace {
    /// The business name the documents carry: the one given (which is
    /// then remembered), else the one remembered.
    pub async fn business_name(&self, given: Option<&str>) -> Result<String> {
        if let Some(name) = given {
            let name = name.trim();
            if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
                return Err(AppError::bad_input(
                    "business",
                    "the business name must be 1 to 200 characters, on one line",
                ));
            }
            self.store
                .put_setting(BUSINESS_NAME, name)
                .await
                .map_err(from_store)?;
            return Ok(name.to_owned());
        }
        let kept = self
            .store
            .setting(BUSINESS_NAME)
            .await
            .map_err(from_store)?;
        Ok(kept.unwrap_or_else(|| "Your business".to_owned()))
    }

    /// The port inventory document as it stands now.
    pub async fn inventory_document(&self, business: Option<&str>) -> Result<InventoryDocument> {
        let business = self.business_name(business).await?;
        let every_finding = FindingFilter::default();
        let (systems, inventory, sightings, tracked, trail) = tokio::try_join!(
            self.store.systems(),
            self.store.inventory(None),
            self.store.open_sightings(),
            self.store.findings(&every_finding),
            self.store.audit_trail("inventory_entry", REVIEW_LOG_ROWS),
        )
        .map_err(from_store)?;
        let sightings: Vec<Sighting> = sightings
            .into_iter()
            .map(|seen| Sighting {
                address: seen.address,
                protocol: seen.protocol,
                port: seen.port,
                last_seen: seen.last_seen,
            })
            .collect();
        Ok(inventory_document(&InventoryDocumentInput {
            business: &business,
            now: self.now(),
            systems: &systems,
            inventory: &inventory,
            sightings: &sightings,
            tracked: &tracked,
            trail: &trail,
        }))
    }
}
