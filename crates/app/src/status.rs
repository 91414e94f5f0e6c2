//! Where the merchant stands: the verdict an assessor would give now.

use portcullis_model::dashboard::{Dashboard, SegmentationRecord, StatusReport};
use portcullis_model::judgement::FindingFilter;

use crate::error::{Result, from_store};
use crate::words;
use crate::workspace::Workspace;

impl Workspace {
    /// Where the merchant stands: the headline sentence, the verdict
    /// overall and per system with the reasons, when the recurring tests
    /// last ran and what is due next.
    pub async fn status(&self) -> Result<StatusReport> {
        let every_finding = FindingFilter::default();
        let (systems, records, mut history, inventory, newest) = tokio::try_join!(
            self.store.systems(),
            self.store.findings(&every_finding),
            self.store.testing_history(None),
            self.store.inventory(None),
            self.store.newest_evaluated_scan(),
        )
        .map_err(from_store)?;
        history.service_provider = self.service_provider(None).await?;
        let now = self.now();
        let status = portcullis_compliance::assess_tracked(&systems, &records, now);
        let groups = portcullis_compliance::group_decisions(self.rulebook, &records, now);
        let next_steps = portcullis_compliance::schedule(&systems, &inventory, &history)
            .into_iter()
            .map(|task| words::next_step(task, now))
            .collect();
        Ok(StatusReport {
            headline: words::headline(&groups, newest.is_some()),
            status,
            history,
            next_steps,
        })
    }

    /// The dashboard's figures.
    pub async fn dashboard(&self) -> Result<Dashboard> {
        let mut dashboard = self.store.dashboard().await.map_err(from_store)?;
        dashboard.history.service_provider = self.service_provider(None).await?;
        Ok(dashboard)
    }

    /// The recorded segmentation tests, newest first.
    pub async fn segmentation_tests(&self) -> Result<Vec<SegmentationRecord>> {
        self.store.segmentation_tests().await.map_err(from_store)
    }
}
