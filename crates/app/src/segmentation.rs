//! Segmentation tests (PCI DSS 11.4.5): recorded, then the findings about
//! them follow.

use portcullis_model::judgement::SegmentationOutcome;
use portcullis_model::requests::SegmentationTestInput;

use crate::error::{Result, from_store};
use crate::workspace::Workspace;

impl Workspace {
    /// Records a segmentation test, then judges the newest judged scan
    /// again: the findings about segmentation are made when a scan is
    /// judged.
    pub async fn record_segmentation_test(
        &self,
        test: SegmentationTestInput,
    ) -> Result<SegmentationOutcome> {
        let at = test.at.unwrap_or_else(|| self.now());
        let id = self
            .store
            .record_segmentation_test(&self.actor, at, test.passed, &test.note)
            .await
            .map_err(from_store)?;
        Ok(SegmentationOutcome {
            id,
            rejudged: self.judge_newest_again().await?,
        })
    }
}
