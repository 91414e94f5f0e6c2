//! The Review step: the findings that stand now as a handful of decisions.

use portcullis_model::judgement::FindingFilter;
use portcullis_model::review::ReviewCard;

use crate::error::{Result, from_store};
use crate::words;
use crate::workspace::Workspace;

impl Workspace {
    /// One card per decision that settles findings standing now, worst
    /// first: every finding about one port together, every advisory one
    /// update closes together, every setting of one service together.
    pub async fn review(&self) -> Result<Vec<ReviewCard>> {
        let every_finding = FindingFilter::default();
        let (systems, records) =
            tokio::try_join!(self.store.systems(), self.store.findings(&every_finding),)
                .map_err(from_store)?;
        let groups = portcullis_compliance::group_decisions(self.rulebook, &records, self.now());
        Ok(groups
            .into_iter()
            .map(|group| words::review_card(group, &systems))
            .collect())
    }
}
