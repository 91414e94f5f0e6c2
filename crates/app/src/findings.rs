//! Findings: listed, accepted as a business need, disputed with the ASV,
//! reported fixed.

use portcullis_compliance::{AcceptRequest, DisputeRequest};
use portcullis_model::compliance::AuditAction;
use portcullis_model::compliance::{FindingRecord, InventoryEntry};
use portcullis_model::judgement::FindingFilter;
use portcullis_model::listing::{FindingPage, FindingQuery};
use portcullis_model::requests::{FindingAcceptance, FindingDisputal};

use crate::error::{Result, from_decision, from_store};
use crate::workspace::Workspace;
use portcullis_model::FindingId;

impl Workspace {
    /// Findings, worst first. A scan or system named in the filter must
    /// exist.
    pub async fn findings(&self, filter: &FindingFilter) -> Result<Vec<FindingRecord>> {
        if let Some(scan) = filter.scan_id {
            self.store.scan(scan).await.map_err(from_store)?;
        }
        if let Some(system) = filter.system_id {
            self.store.system(system).await.map_err(from_store)?;
        }
        self.store.findings(filter).await.map_err(from_store)
    }

    /// A page of findings, filtered in the database: open before
    /// answered, worst first.
    pub async fn finding_page(&self, query: &FindingQuery) -> Result<FindingPage> {
        self.store.finding_page(query).await.map_err(from_store)
    }

    pub async fn finding(&self, id: FindingId) -> Result<FindingRecord> {
        self.store.finding(id).await.map_err(from_store)
    }

    /// Accepts a finding as a business need: it stops failing the verdict
    /// until the acceptance lapses, and a port finding is approved in the
    /// inventory too. Read, decided and written in one transaction.
    pub async fn accept_finding(
        &self,
        acceptance: FindingAcceptance,
    ) -> Result<(FindingRecord, Option<InventoryEntry>)> {
        let id = acceptance.id;
        let request = AcceptRequest {
            justification: acceptance.justification,
            approver: acceptance.approver,
            until: acceptance.until,
            now: self.now(),
        };
        let rulebook = self.rulebook;
        self.store
            .accept_finding(&self.actor, id, |record, inventory| {
                rulebook.accept(record, &request, inventory)
            })
            .await
            .map_err(from_store)?
            .map_err(|error| from_decision(format!("finding {id}"), error))
    }

    /// Disputes a finding with the ASV: a failing finding then passes only
    /// if the ASV accepts the dispute. Read, decided and written in one
    /// transaction.
    pub async fn dispute_finding(&self, disputal: FindingDisputal) -> Result<FindingRecord> {
        let id = disputal.id;
        let request = DisputeRequest {
            kind: disputal.kind,
            evidence: disputal.evidence,
            submitted_by: disputal.submitted_by,
            until: disputal.until,
            now: self.now(),
        };
        self.store
            .change_finding(&self.actor, AuditAction::FindingDispute, id, |record| {
                portcullis_compliance::dispute(record, &request)
            })
            .await
            .map_err(from_store)?
            .map_err(|error| from_decision(format!("finding {id}"), error))
    }

    /// Reports a finding fixed; the next scan that covers it verifies it.
    pub async fn mark_fixed(&self, id: FindingId) -> Result<FindingRecord> {
        self.store
            .change_finding(&self.actor, AuditAction::FindingFixed, id, |record| {
                portcullis_compliance::mark_fixed(record)
            })
            .await
            .map_err(from_store)?
            .map_err(|error| from_decision(format!("finding {id}"), error))
    }
}
