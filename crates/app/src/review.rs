//! The Review step: the findings that stand now as a handful of decisions.

use portcullis_model::FindingId;
use portcullis_model::compliance::System;
use portcullis_model::judgement::FindingFilter;
use portcullis_model::listing::SystemName;
use portcullis_model::review::{FindingDetail, ReviewCard};

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

    /// One finding, the name of its system, and its Review card while it
    /// stands. A decision's group never spans systems, so the card is
    /// worked out from that system's findings alone: quick with
    /// thousands of systems.
    pub async fn finding_detail(&self, id: FindingId) -> Result<FindingDetail> {
        let record = self.store.finding(id).await.map_err(from_store)?;
        let system = match record.finding.system_id {
            Some(system_id) => Some(self.store.system(system_id).await.map_err(from_store)?),
            None => None,
        };
        let filter = FindingFilter {
            system_id: record.finding.system_id,
            ..FindingFilter::default()
        };
        let records = self.store.findings(&filter).await.map_err(from_store)?;
        let systems: Vec<System> = system.iter().cloned().collect();
        let card = portcullis_compliance::group_decisions(self.rulebook, &records, self.now())
            .into_iter()
            .find(|group| group.findings.iter().any(|member| member.id == id))
            .map(|group| words::review_card(group, &systems));
        Ok(FindingDetail {
            record,
            system: system.map(|system| SystemName {
                id: system.id,
                name: system.name,
                scope: system.scope,
            }),
            card,
        })
    }
}
