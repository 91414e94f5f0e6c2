//! The problems other scanners reported, as an imported report gave them
//! (written by the scan's writer with the rest of the import).

use portcullis_model::ScanId;
use portcullis_model::import::ReportedItem;

use crate::database::Store;
use crate::error::StoreError;

impl Store {
    /// The items imported with scan `scan_id`, in file order; none for a
    /// scan Portcullis ran itself.
    pub async fn reported_items(&self, scan_id: ScanId) -> Result<Vec<ReportedItem>, StoreError> {
        let rows: Vec<String> =
            sqlx::query_scalar("SELECT item FROM reported_items WHERE scan_id = ? ORDER BY seq")
                .bind(scan_id.get())
                .fetch_all(self.pool())
                .await?;
        rows.iter()
            .map(|text| {
                serde_json::from_str(text).map_err(|error| {
                    StoreError::Corrupt(format!("column reported_items.item: {error}"))
                })
            })
            .collect()
    }
}
