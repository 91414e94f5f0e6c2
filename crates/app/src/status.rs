//! Where the merchant stands: the verdict an assessor would give now.

use portcullis_model::dashboard::{Dashboard, SegmentationRecord, StatusReport};
use portcullis_model::judgement::FindingFilter;

use crate::error::{Result, from_store};
use crate::workspace::Workspace;

impl Workspace {
    /// The verdict overall and per system, with the reasons, and when the
    /// recurring tests last ran.
    pub async fn status(&self) -> Result<StatusReport> {
        let every_finding = FindingFilter::default();
        let (systems, records, history) = tokio::try_join!(
            self.store.systems(),
            self.store.findings(&every_finding),
            self.store.testing_history(None),
        )
        .map_err(from_store)?;
        let status = portcullis_compliance::assess_tracked(&systems, &records, self.now());
        Ok(StatusReport { status, history })
    }

    /// The dashboard's figures.
    pub async fn dashboard(&self) -> Result<Dashboard> {
        self.store.dashboard().await.map_err(from_store)
    }

    /// The recorded segmentation tests, newest first.
    pub async fn segmentation_tests(&self) -> Result<Vec<SegmentationRecord>> {
        self.store.segmentation_tests().await.map_err(from_store)
    }
}
