//! The documents an assessor asks for, as data: the port inventory
//! document (PCI DSS 1.2.5 to 1.2.7), the scan report and the dispute
//! pack. Their formats
//! are written by `crates/documents`; this gathers what they say.

use portcullis_compliance::{InventoryDocumentInput, Sighting, inventory_document};
use portcullis_model::compliance::{Finding, FindingRecord, FindingState, Severity};
use portcullis_model::documents::{
    DisputeDocument, InventoryDocument, Observation, READINESS_NOTICE, ReportFinding,
    ScanReportDocument, SeverityCount,
};
use portcullis_model::judgement::FindingFilter;
use portcullis_model::requests::DiffRequest;
use portcullis_model::scan_record::ScanStatus;
use portcullis_model::service::ServiceIdentity;
use portcullis_model::{AppError, FindingId, ScanId};
use portcullis_store::PortSeen;

use crate::error::{Result, from_store};
use crate::words;
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

/// Judged scans the report's charts show, at most.
const HISTORY_SCANS: i64 = 12;

impl Workspace {
    /// The report of scan `scan_id`: what was scanned and how, its open
    /// ports, its findings in plain English, the changes since the scan
    /// before, and the scans before it for the charts.
    pub async fn scan_report_document(
        &self,
        scan_id: ScanId,
        business: Option<&str>,
    ) -> Result<ScanReportDocument> {
        let business = self.business_name(business).await?;
        let store = &self.store;
        let this_scan = FindingFilter {
            scan_id: Some(scan_id),
            ..FindingFilter::default()
        };
        let (scan, report, systems, inventory, findings, history, previous) = tokio::try_join!(
            store.scan(scan_id),
            store.scan_report(scan_id),
            store.systems(),
            store.inventory(None),
            store.findings(&this_scan),
            store.scan_history(scan_id, HISTORY_SCANS),
            store.previous_comparable_scan(scan_id),
        )
        .map_err(from_store)?;
        let changes = match previous {
            Some(before) => Some(
                self.diff(DiffRequest {
                    before: before.id,
                    after: scan_id,
                })
                .await?,
            ),
            None => None,
        };
        let mut findings = findings;
        findings.sort_by_key(|record| std::cmp::Reverse(record.finding.severity));
        Ok(ScanReportDocument {
            business,
            made_at: self.now(),
            notice: READINESS_NOTICE.to_owned(),
            how: words::how_scanned(&scan),
            verdict: portcullis_compliance::report_verdict(&findings),
            hosts: portcullis_compliance::report_hosts(&report, &systems, &inventory),
            severities: severity_counts(&findings),
            findings: findings.iter().map(report_finding).collect(),
            scan,
            changes,
            history,
        })
    }
}

fn severity_counts(findings: &[FindingRecord]) -> Vec<SeverityCount> {
    [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ]
    .into_iter()
    .map(|severity| SeverityCount {
        severity,
        label: severity.label().to_owned(),
        count: u32::try_from(
            findings
                .iter()
                .filter(|record| record.finding.severity == severity)
                .count(),
        )
        .unwrap_or(u32::MAX),
    })
    .collect()
}

fn report_finding(record: &FindingRecord) -> ReportFinding {
    let finding = &record.finding;
    let status = match &record.state {
        FindingState::Accepted(need) => format!("accepted until {}", need.until.format("%Y-%m-%d")),
        FindingState::Disputed(dispute) => {
            format!(
                "disputed with the ASV until {}",
                dispute.until.format("%Y-%m-%d")
            )
        }
        _ => record.status().words().to_owned(),
    };
    ReportFinding {
        severity: finding.severity,
        weight: portcullis_compliance::weight(finding.severity).to_owned(),
        kind: finding.kind,
        title: finding.title.to_string(),
        explanation: finding.explanation.to_string(),
        remedy: finding.remedy.to_string(),
        requirements: finding.requirements.to_vec(),
        status,
        address: finding.address,
        port: finding.port,
        protocol: finding.protocol,
        evidence: finding.evidence.clone(),
    }
}

/// Scans a dispute pack looks through for the finding's place.
const DISPUTE_SCANS: i64 = 20;

impl Workspace {
    /// The dispute pack's content for finding `finding_id`.
    pub async fn dispute_document(
        &self,
        finding_id: FindingId,
        business: Option<&str>,
    ) -> Result<DisputeDocument> {
        let business = self.business_name(business).await?;
        let record = self.store.finding(finding_id).await.map_err(from_store)?;
        if !record.finding.kind.is_disputable() {
            return Err(AppError::bad_input(
                "finding",
                format!(
                    "finding {finding_id} is one of Portcullis's own reminders, not something an ASV reports: there is nothing to dispute"
                ),
            ));
        }
        let observations = self.observations_of(&record.finding).await?;
        let dispute = match &record.state {
            FindingState::Disputed(dispute) => Some(dispute),
            _ => None,
        };
        let statement = portcullis_compliance::dispute_statement(
            &business,
            &record.finding,
            dispute,
            &observations,
        );
        Ok(DisputeDocument {
            made_at: self.now(),
            finding_id,
            finding: report_finding(&record),
            grounds: dispute.map(|d| d.kind.words().to_owned()),
            evidence: dispute.map(|d| d.evidence.clone()).unwrap_or_default(),
            submitted_by: dispute.map(|d| d.submitted_by.clone()),
            observations,
            statement,
            business,
        })
    }

    /// What the newest finished scans that looked at the finding's port
    /// saw there, newest first.
    async fn observations_of(&self, finding: &Finding) -> Result<Vec<Observation>> {
        let (Some(address), Some(port), Some(protocol)) =
            (finding.address, finding.port, finding.protocol)
        else {
            return Ok(Vec::new());
        };
        let scans = self.store.scans(DISPUTE_SCANS).await.map_err(from_store)?;
        let mut seen = Vec::new();
        for scan in scans.iter().filter(|scan| {
            scan.status == ScanStatus::Finished
                && (scan.coverage.reported_checks
                    || scan
                        .coverage
                        .ranges(protocol)
                        .iter()
                        .any(|range| range.first <= port && port <= range.last))
        }) {
            let at = self
                .store
                .port_seen(scan.id, address, protocol, port)
                .await
                .map_err(from_store)?;
            let (state, what) = match at {
                PortSeen::HostAbsent => ("the host did not answer".to_owned(), String::new()),
                PortSeen::NotListed if scan.coverage.reported_checks => {
                    ("not in that report".to_owned(), String::new())
                }
                PortSeen::NotListed => ("closed".to_owned(), String::new()),
                PortSeen::Listed {
                    state,
                    service,
                    identity,
                } => (state.as_str().to_owned(), seen_there(service, identity)),
            };
            seen.push(Observation {
                scan_id: scan.id,
                at: scan.started_at,
                state,
                seen: what,
            });
        }
        Ok(seen)
    }
}

/// What answered at a port, in a few words with its evidence.
fn seen_there(service: Option<String>, identity: Option<ServiceIdentity>) -> String {
    match identity {
        Some(identity) => {
            let mut words = identity.service.clone();
            if let Some(product) = &identity.product {
                words = format!(
                    "{product}{}",
                    identity
                        .version
                        .as_deref()
                        .map(|v| format!(" {v}"))
                        .unwrap_or_default()
                );
            }
            if !identity.evidence.is_empty() {
                words.push_str(&format!(
                    "; it said: {}",
                    identity.evidence.lines().next().unwrap_or("")
                ));
            }
            words
        }
        None => service
            .map(|name| format!("{name}, going by the port number"))
            .unwrap_or_default(),
    }
}
