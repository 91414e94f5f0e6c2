//! Findings tracked across scans, one record per finding key.
//!
//! The rules (`crates/compliance`) decide what a scan found and how each
//! tracked finding moves (fixed, verified, reopened, accepted); this module
//! stores the outcome. Every change of a finding's status or acceptance is
//! written to the audit log in the transaction that makes it.

use chrono::{DateTime, Utc};
use portcullis_model::compliance::AuditAction;
use portcullis_model::compliance::{
    Acceptance, BusinessNeed, Dispute, DisputeKind, Finding, FindingRecord, FindingState,
    FindingStatus, InventoryEntry, InventoryWrite, Reconciliation, RecordUpdate,
};
use portcullis_model::judgement::{FindingFilter, ScanFindingsSaved};
use portcullis_model::{FindingId, ScanId, SystemId};
use sqlx::SqliteConnection;

use crate::audit::{self, Change};
use crate::codec::{json_text, json_value, name_of, parse_name};
use crate::columns::{Columns, query_all};
use crate::database::Store;
use crate::error::StoreError;
use crate::inventory;
use crate::time::{now_rfc3339, to_rfc3339};

/// The audit log's name for a finding.
const ENTITY: &str = "finding";

impl Store {
    /// Findings, worst first.
    pub async fn findings(&self, filter: &FindingFilter) -> Result<Vec<FindingRecord>, StoreError> {
        let filter = filter.clone();
        let mut records = self
            .readers()
            .read(move |conn| {
                query_all(
                    conn,
                    "SELECT f.* FROM findings AS f
                     WHERE (?1 IS NULL OR f.id IN
                            (SELECT finding_id FROM scan_findings WHERE scan_id = ?1))
                       AND (?2 IS NULL OR f.status = ?2)
                       AND (?3 IS NULL OR f.system_id = ?3)
                       AND (?4 IS NULL OR (f.dispute_kind IS NOT NULL) = ?4)",
                    rusqlite::params![
                        filter.scan_id.map(ScanId::get),
                        filter.status.map(stored_status),
                        filter.system_id.map(SystemId::get),
                        filter.status.and_then(stored_as_dispute),
                    ],
                    |row| record_from_row(row),
                )
            })
            .await?;
        records.sort_by(|a, b| {
            b.finding
                .severity
                .cmp(&a.finding.severity)
                .then(a.id.cmp(&b.id))
        });
        Ok(records)
    }

    /// One finding.
    pub async fn finding(&self, id: FindingId) -> Result<FindingRecord, StoreError> {
        let mut conn = self.pool().acquire().await?;
        load_record(&mut conn, id).await
    }

    /// Stores what one scan did to the findings, in one transaction: new
    /// records, changed records (status changes audited), and which
    /// findings the scan saw. The new findings become the new records
    /// as they are, written many rows a statement (see
    /// [`insert_new_findings`]).
    pub async fn save_scan_findings(
        &self,
        actor: &str,
        scan_id: ScanId,
        reconciliation: Reconciliation,
    ) -> Result<ScanFindingsSaved, StoreError> {
        let mut tx = self.begin_write().await?;
        let mut saved = ScanFindingsSaved::default();
        let ids = insert_new_findings(&mut tx, &reconciliation.new, scan_id).await?;
        link_all_to_scan(&mut tx, scan_id, &ids).await?;
        saved.new = reconciliation
            .new
            .into_iter()
            .zip(ids)
            .map(|(finding, id)| FindingRecord {
                id,
                finding,
                state: FindingState::Open,
                first_seen_scan: scan_id,
                last_seen_scan: scan_id,
            })
            .collect();
        for update in &reconciliation.updated {
            let action = AuditAction::FindingTracked(update.change);
            let record = write_record(&mut tx, actor, action, &update.record).await?;
            if record.last_seen_scan == scan_id {
                link_to_scan(&mut tx, scan_id, record.id).await?;
            }
            saved.updated.push(RecordUpdate {
                change: update.change,
                record,
            });
        }
        sqlx::query("UPDATE scans SET evaluated_at = ? WHERE id = ?")
            .bind(now_rfc3339())
            .bind(scan_id.get())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(saved)
    }

    /// Stores a finding whose status or acceptance a person changed
    /// (`action` names the change for the audit log, e.g. "finding.fixed").
    pub async fn update_finding(
        &self,
        actor: &str,
        action: AuditAction,
        record: &FindingRecord,
    ) -> Result<FindingRecord, StoreError> {
        let mut tx = self.begin_write().await?;
        let record = write_record(&mut tx, actor, action, record).await?;
        tx.commit().await?;
        Ok(record)
    }

    /// Changes finding `id` as `decide` says, reading it inside the write
    /// transaction that stores the change: two people changing the same
    /// finding at once are served one after the other, the second deciding
    /// on what the first wrote. `decide`'s refusal is handed back as it is
    /// and nothing is written.
    pub async fn change_finding<E>(
        &self,
        actor: &str,
        action: AuditAction,
        id: FindingId,
        decide: impl FnOnce(&FindingRecord) -> Result<FindingRecord, E>,
    ) -> Result<Result<FindingRecord, E>, StoreError> {
        let mut tx = self.begin_write().await?;
        let current = load_record(&mut tx, id).await?;
        let changed = match decide(&current) {
            Ok(changed) => changed,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let record = write_record(&mut tx, actor, action, &changed).await?;
        tx.commit().await?;
        Ok(Ok(record))
    }

    /// Accepts finding `id` as `decide` says, given the finding and the
    /// inventory as they are inside the write transaction, and writes what
    /// the acceptance does to the inventory in the same transaction, all
    /// audited. Like [`Store::change_finding`], concurrent acceptances are
    /// serialised and none is lost.
    pub async fn accept_finding<E>(
        &self,
        actor: &str,
        id: FindingId,
        decide: impl FnOnce(&FindingRecord, &[InventoryEntry]) -> Result<Acceptance, E>,
    ) -> Result<Result<(FindingRecord, Option<InventoryEntry>), E>, StoreError> {
        let mut tx = self.begin_write().await?;
        let current = load_record(&mut tx, id).await?;
        let inventory = inventory::all_entries(&mut tx).await?;
        let acceptance = match decide(&current, &inventory) {
            Ok(acceptance) => acceptance,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let record = write_record(
            &mut tx,
            actor,
            AuditAction::FindingAccept,
            &acceptance.record,
        )
        .await?;
        let entry = match &acceptance.inventory {
            InventoryWrite::None => None,
            InventoryWrite::Create(entry) => {
                let created = inventory::insert_entry(&mut tx, entry.clone()).await?;
                inventory::audit_entry(
                    &mut tx,
                    actor,
                    AuditAction::InventoryAdd,
                    None,
                    Some(&created),
                )
                .await?;
                Some(created)
            }
            InventoryWrite::Update(entry) => {
                let before = inventory::load_entry(&mut tx, entry.id).await?;
                let after = inventory::rewrite_entry(&mut tx, entry).await?;
                inventory::audit_entry(
                    &mut tx,
                    actor,
                    AuditAction::InventoryApprove,
                    Some(&before),
                    Some(&after),
                )
                .await?;
                Some(after)
            }
        };
        tx.commit().await?;
        Ok(Ok((record, entry)))
    }
}

async fn link_to_scan(
    conn: &mut SqliteConnection,
    scan_id: ScanId,
    finding_id: FindingId,
) -> Result<(), StoreError> {
    sqlx::query("INSERT OR IGNORE INTO scan_findings (scan_id, finding_id) VALUES (?, ?)")
        .bind(scan_id.get())
        .bind(finding_id.get())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// New findings in one statement: with 20 values a row, 32,766 bound
/// values at most (SQLite's limit) and room to spare.
const FINDINGS_PER_INSERT: usize = 500;
/// Links to a scan in one statement (two values a row).
const LINKS_PER_INSERT: usize = 2_000;

/// New records, open, first and last seen in `scan_id`, many rows a
/// statement: one statement (and one round trip to sqlx's worker thread)
/// per finding took seconds for a scan of a large network, which makes
/// one finding per host. Ids are given here, in order from the largest
/// stored, which is what SQLite would choose itself; the write lock taken
/// by the transaction keeps them free. Returns them in `findings`' order.
async fn insert_new_findings(
    conn: &mut SqliteConnection,
    findings: &[Finding],
    scan_id: ScanId,
) -> Result<Vec<FindingId>, StoreError> {
    let largest: i64 = sqlx::query_scalar("SELECT coalesce(max(id), 0) FROM findings")
        .fetch_one(&mut *conn)
        .await?;
    let now = now_rfc3339();
    let mut ids = Vec::with_capacity(findings.len());
    let mut next_id = largest;
    for chunk in findings.chunks(FINDINGS_PER_INSERT) {
        let sql = format!(
            "INSERT INTO findings
                (id, key, kind, severity, title, explanation, remedy, requirements, system_id,
                 address, port, protocol, service, version, evidence, status,
                 first_seen_scan, last_seen_scan, created_at, updated_at, product)
             VALUES {}",
            repeat_row(
                "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?)",
                chunk.len()
            )
        );
        let mut query = sqlx::query(&sql);
        for finding in chunk {
            next_id += 1;
            let id = FindingId(next_id);
            ids.push(id);
            query = query
                .bind(id.get())
                .bind(&finding.key)
                .bind(finding.kind.id())
                .bind(name_of(&finding.severity))
                .bind(&*finding.title)
                .bind(&*finding.explanation)
                .bind(&*finding.remedy)
                .bind(json_text(&finding.requirements))
                .bind(finding.system_id.map(SystemId::get))
                .bind(finding.address.map(|a| a.to_string()))
                .bind(finding.port.map(i64::from))
                .bind(finding.protocol.map(|p| p.as_str()))
                .bind(&finding.service)
                .bind(&finding.version)
                .bind(&finding.evidence)
                .bind(scan_id.get())
                .bind(scan_id.get())
                .bind(&now)
                .bind(&now)
                .bind(&finding.product);
        }
        query
            .execute(&mut *conn)
            .await
            .map_err(|error| duplicate_among(error, chunk))?;
    }
    Ok(ids)
}

/// A unique key already stored, said as such (naming the statement's first
/// keys: SQLite does not say which row it refused); other errors as they
/// are.
fn duplicate_among(error: sqlx::Error, chunk: &[Finding]) -> StoreError {
    const KEYS_NAMED: usize = 3;
    match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            let mut keys: Vec<String> = chunk
                .iter()
                .take(KEYS_NAMED)
                .map(|finding| format!("`{}`", finding.key))
                .collect();
            if chunk.len() > KEYS_NAMED {
                keys.push(format!("{} more", chunk.len() - KEYS_NAMED));
            }
            let what = match chunk {
                [finding] => format!("a finding with key `{}`", finding.key),
                _ => format!("a finding with one of the keys {}", keys.join(", ")),
            };
            StoreError::Duplicate { what }
        }
        _ => error.into(),
    }
}

/// Links every finding of `ids` to the scan, many rows a statement.
async fn link_all_to_scan(
    conn: &mut SqliteConnection,
    scan_id: ScanId,
    ids: &[FindingId],
) -> Result<(), StoreError> {
    for chunk in ids.chunks(LINKS_PER_INSERT) {
        let sql = format!(
            "INSERT OR IGNORE INTO scan_findings (scan_id, finding_id) VALUES {}",
            repeat_row("(?, ?)", chunk.len())
        );
        let mut query = sqlx::query(&sql);
        for id in chunk {
            query = query.bind(scan_id.get()).bind(id.get());
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// `row` `count` times, separated by commas: the VALUES of a statement
/// that writes `count` rows.
fn repeat_row(row: &str, count: usize) -> String {
    vec![row; count].join(", ")
}

/// Writes every field of an existing record; audits a change of status or
/// acceptance. Returns the record as stored.
async fn write_record(
    conn: &mut SqliteConnection,
    actor: &str,
    action: AuditAction,
    record: &FindingRecord,
) -> Result<FindingRecord, StoreError> {
    let before = load_record(conn, record.id).await?;
    if before.finding.key != record.finding.key {
        return Err(StoreError::Invalid(format!(
            "finding {} has key `{}`, not `{}`",
            record.id, before.finding.key, record.finding.key
        )));
    }
    let finding = &record.finding;
    let state = StateColumns::of(&record.state);
    sqlx::query(
        "UPDATE findings SET kind = ?, severity = ?, title = ?, explanation = ?, remedy = ?,
            requirements = ?, system_id = ?, address = ?, port = ?, protocol = ?, service = ?,
            version = ?, evidence = ?, status = ?, accepted_until = ?, justification = ?,
            approver = ?, first_seen_scan = ?, last_seen_scan = ?, fixed_by_scan = ?,
            verified_by_scan = ?, updated_at = ?, product = ?, dispute_kind = ?
         WHERE id = ?",
    )
    .bind(finding.kind.id())
    .bind(name_of(&finding.severity))
    .bind(&*finding.title)
    .bind(&*finding.explanation)
    .bind(&*finding.remedy)
    .bind(json_text(&finding.requirements))
    .bind(finding.system_id.map(SystemId::get))
    .bind(finding.address.map(|a| a.to_string()))
    .bind(finding.port.map(i64::from))
    .bind(finding.protocol.map(|p| p.as_str()))
    .bind(&finding.service)
    .bind(&finding.version)
    .bind(&finding.evidence)
    .bind(stored_status(state.status))
    .bind(state.accepted_until.map(to_rfc3339))
    .bind(state.justification)
    .bind(state.approver)
    .bind(record.first_seen_scan.get())
    .bind(record.last_seen_scan.get())
    .bind(state.fixed_by_scan)
    .bind(state.verified_by_scan)
    .bind(now_rfc3339())
    .bind(&finding.product)
    .bind(state.dispute_kind.map(DisputeKind::id))
    .bind(record.id.get())
    .execute(&mut *conn)
    .await
    .map_err(|error| match &error {
        sqlx::Error::Database(db) if db.is_check_violation() => StoreError::Invalid(format!(
            "finding {}: an accepted finding needs a justification, an approver and an \
             expiry, and a verified one the scan that verified it",
            record.id
        )),
        _ => error.into(),
    })?;
    let after = load_record(conn, record.id).await?;
    if status_changed(&before, &after) {
        audit::append(
            conn,
            Change {
                actor,
                action,
                entity: ENTITY,
                entity_id: record.id.to_string(),
                before: Some(json_value(&status_view(&before))),
                after: Some(json_value(&status_view(&after))),
            },
        )
        .await?;
    }
    Ok(after)
}

/// Whether the audit log must hear of the change: status, acceptance, or
/// the scans that fixed or verified it. A finding merely seen again is not
/// a change anyone decided.
fn status_changed(before: &FindingRecord, after: &FindingRecord) -> bool {
    status_view(before) != status_view(after)
}

/// The part of a record the audit log keeps (its shape is the audit log's
/// since the first schema: state columns by name).
#[derive(Debug, PartialEq, Eq, serde::Serialize)]
struct StatusView<'a> {
    key: &'a str,
    #[serde(flatten)]
    state: StateColumns<'a>,
}

fn status_view(record: &FindingRecord) -> StatusView<'_> {
    StatusView {
        key: &record.finding.key,
        state: StateColumns::of(&record.state),
    }
}

/// The status column's word for a status: a disputed finding is stored as
/// accepted with its dispute kind (migration 0007 says why).
pub(crate) fn stored_status(status: FindingStatus) -> String {
    match status {
        FindingStatus::Disputed => name_of(&FindingStatus::Accepted),
        status => name_of(&status),
    }
}

/// For a filter on a status the column shares, whether the rows wanted
/// carry a dispute kind.
pub(crate) fn stored_as_dispute(status: FindingStatus) -> Option<bool> {
    match status {
        FindingStatus::Accepted => Some(false),
        FindingStatus::Disputed => Some(true),
        _ => None,
    }
}

/// A finding's state as the table's columns hold it. The table's checks
/// refuse an accepted row without its justification, approver and expiry,
/// or a verified one without its scan. A dispute uses the acceptance's
/// columns (its evidence, who submits it, its term) and names its kind.
#[derive(Debug, PartialEq, Eq, serde::Serialize)]
struct StateColumns<'a> {
    status: FindingStatus,
    accepted_until: Option<DateTime<Utc>>,
    justification: Option<&'a str>,
    approver: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dispute_kind: Option<DisputeKind>,
    /// The same scan as `verified_by_scan`: the column predates the state
    /// type, which keeps one.
    fixed_by_scan: Option<i64>,
    verified_by_scan: Option<i64>,
}

impl<'a> StateColumns<'a> {
    fn of(state: &'a FindingState) -> StateColumns<'a> {
        let need = state.business_need();
        let verified_by = match state {
            FindingState::Verified { by_scan } => Some(by_scan.get()),
            _ => None,
        };
        let dispute = state.dispute();
        StateColumns {
            status: state.status(),
            accepted_until: state.settled_until(),
            justification: need
                .map(|need| need.justification.as_str())
                .or(dispute.map(|dispute| dispute.evidence.as_str())),
            approver: need
                .map(|need| need.approver.as_str())
                .or(dispute.map(|dispute| dispute.submitted_by.as_str())),
            dispute_kind: dispute.map(|dispute| dispute.kind),
            fixed_by_scan: verified_by,
            verified_by_scan: verified_by,
        }
    }
}

/// The state a row holds; a row the table's checks should have refused is
/// corrupt.
fn state_from_row(row: &impl Columns, id: i64) -> Result<FindingState, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("finding {id}: {what}"));
    let status: FindingStatus = row.name("status")?;
    Ok(match status {
        FindingStatus::Open => FindingState::Open,
        FindingStatus::Fixed => FindingState::Fixed,
        FindingStatus::Accepted if row.text("dispute_kind")?.is_some() => {
            let kind = row.text("dispute_kind")?.unwrap_or_default();
            FindingState::Disputed(Dispute {
                kind: DisputeKind::from_id(&kind)
                    .ok_or_else(|| corrupt("disputed on grounds this version does not know"))?,
                evidence: row
                    .text("justification")?
                    .ok_or_else(|| corrupt("disputed without evidence"))?,
                submitted_by: row
                    .text("approver")?
                    .ok_or_else(|| corrupt("disputed without who submits it"))?,
                until: row
                    .time("accepted_until")?
                    .ok_or_else(|| corrupt("disputed without an end"))?,
            })
        }
        FindingStatus::Disputed => return Err(corrupt("the status column never says disputed")),
        FindingStatus::Accepted => FindingState::Accepted(BusinessNeed {
            justification: row
                .text("justification")?
                .ok_or_else(|| corrupt("accepted without a justification"))?,
            approver: row
                .text("approver")?
                .ok_or_else(|| corrupt("accepted without an approver"))?,
            until: row
                .time("accepted_until")?
                .ok_or_else(|| corrupt("accepted without an end"))?,
        }),
        FindingStatus::Verified => FindingState::Verified {
            by_scan: row
                .int("verified_by_scan")?
                .map(ScanId)
                .ok_or_else(|| corrupt("verified without its scan"))?,
        },
    })
}

async fn load_record(
    conn: &mut SqliteConnection,
    id: FindingId,
) -> Result<FindingRecord, StoreError> {
    let row = sqlx::query("SELECT * FROM findings WHERE id = ?")
        .bind(id.get())
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            entity: "finding",
            key: id.to_string(),
        })?;
    record_from_row(&row)
}

/// Reads the columns in the table's order, which bulk reads look up
/// fastest (see `columns::IndexedRow`).
pub(crate) fn record_from_row(row: &impl Columns) -> Result<FindingRecord, StoreError> {
    let id = row.required_int("id")?;
    let key = row.required_text("key")?;
    let kind = row.name("kind")?;
    let severity = row.name("severity")?;
    let title = row.required_shared_text("title")?;
    let explanation = row.required_shared_text("explanation")?;
    let remedy = row.required_shared_text("remedy")?;
    let requirements = row.required_json("requirements")?;
    let system_id = row.int("system_id")?.map(SystemId);
    let address = row.with_text("address", |address| {
        address
            .map(|a| {
                a.parse()
                    .map_err(|_| StoreError::Corrupt(format!("address `{a}`")))
            })
            .transpose()
    })?;
    let port = row
        .int("port")?
        .map(|p| u16::try_from(p).map_err(|_| StoreError::Corrupt(format!("port {p}"))))
        .transpose()?;
    let protocol = row.with_text("protocol", |protocol| {
        protocol.map(|p| parse_name("protocol", p)).transpose()
    })?;
    let service = row.text("service")?;
    let version = row.text("version")?;
    let evidence = row.required_text("evidence")?;
    let product = row.text("product")?;
    let state = state_from_row(row, id)?;
    Ok(FindingRecord {
        id: FindingId(id),
        finding: Finding {
            kind,
            severity,
            title,
            explanation,
            remedy,
            requirements,
            system_id,
            address,
            port,
            protocol,
            service,
            product,
            version,
            evidence,
            key,
        },
        state,
        first_seen_scan: ScanId(row.required_int("first_seen_scan")?),
        last_seen_scan: ScanId(row.required_int("last_seen_scan")?),
    })
}
