//! Segmentation tests (PCI DSS 11.4.5): recorded, then the findings about
//! them follow.

use portcullis_model::AppError;
use portcullis_model::judgement::SegmentationOutcome;
use portcullis_model::requests::SegmentationTestInput;

use crate::error::{Result, from_store};
use crate::workspace::Workspace;

impl Workspace {
    /// Records a segmentation test, then judges the newest judged scan
    /// again: the findings about segmentation are made when a scan is
    /// judged. The note is the record's evidence (who tested what, where
    /// the report is), so it may not be empty; a test cannot have happened
    /// after now (the workspace's clock).
    pub async fn record_segmentation_test(
        &self,
        test: SegmentationTestInput,
    ) -> Result<SegmentationOutcome> {
        let now = self.now();
        let at = test.at.unwrap_or(now);
        if test.note.trim().is_empty() {
            return Err(AppError::bad_input(
                "note",
                "a segmentation test needs a note: who tested which networks, and where the \
                 report is",
            ));
        }
        if at > now {
            return Err(AppError::bad_input(
                "at",
                format!(
                    "the segmentation test's date {} is in the future",
                    at.format("%Y-%m-%d %H:%M UTC")
                ),
            ));
        }
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
