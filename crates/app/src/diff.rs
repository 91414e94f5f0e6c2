//! Two recorded scans compared, port by port, against the inventory.

use portcullis_model::diff_view::DiffView;
use portcullis_model::requests::DiffRequest;

use crate::error::{Result, from_store};
use crate::words;
use crate::workspace::Workspace;

impl Workspace {
    pub async fn diff(&self, request: DiffRequest) -> Result<DiffView> {
        let store = &self.store;
        // Independent reads, each on its own connection: they overlap.
        let (before, after, before_report, after_report, systems, inventory) = tokio::try_join!(
            store.scan(request.before),
            store.scan(request.after),
            store.scan_report(request.before),
            store.scan_report(request.after),
            store.systems(),
            store.inventory(None),
        )
        .map_err(from_store)?;
        let diff = portcullis_compliance::diff(
            &before_report,
            &after_report,
            &systems,
            &inventory,
            self.now(),
        );
        Ok(words::diff_view(before, after, diff, &systems, &inventory))
    }
}
