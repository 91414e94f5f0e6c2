//! The audit trail (PCI DSS 10.2): one entry per change, hash-chained so
//! that an edited or removed row shows.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::tracking::RecordChange;
use crate::ids::AuditEntryId;

/// What a change did, as the audit log names it ("inventory.add"). The
/// names are part of the hash chain: never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditAction {
    SystemAdd,
    SystemUpdate,
    SystemRemove,
    /// The platform a system runs on, stated for its fixes.
    SystemPlatform,
    InventoryAdd,
    InventoryUpdate,
    /// An approval renewed.
    InventoryApprove,
    InventoryRemove,
    InventoryImport,
    FindingAccept,
    /// A finding disputed with the ASV.
    FindingDispute,
    /// A person reported the finding fixed.
    FindingFixed,
    /// A judged scan moved the finding.
    FindingTracked(RecordChange),
    SegmentationTestRecord,
    AsvScanRecord,
    /// A monitoring schedule set.
    ScheduleAdd,
    /// A monitoring schedule stopped.
    ScheduleRemove,
}

impl AuditAction {
    const PLAIN: [(AuditAction, &'static str); 16] = [
        (AuditAction::SystemAdd, "system.add"),
        (AuditAction::SystemUpdate, "system.update"),
        (AuditAction::SystemRemove, "system.remove"),
        (AuditAction::SystemPlatform, "system.platform"),
        (AuditAction::InventoryAdd, "inventory.add"),
        (AuditAction::InventoryUpdate, "inventory.update"),
        (AuditAction::InventoryApprove, "inventory.approve"),
        (AuditAction::InventoryRemove, "inventory.remove"),
        (AuditAction::InventoryImport, "inventory.import"),
        (AuditAction::FindingAccept, "finding.accept"),
        (AuditAction::FindingDispute, "finding.dispute"),
        (AuditAction::FindingFixed, "finding.fixed"),
        (
            AuditAction::SegmentationTestRecord,
            "segmentation-test.record",
        ),
        (AuditAction::AsvScanRecord, "asv-scan.record"),
        (AuditAction::ScheduleAdd, "schedule.add"),
        (AuditAction::ScheduleRemove, "schedule.remove"),
    ];

    const TRACKED: [(RecordChange, &'static str); 6] = [
        (RecordChange::StillOpen, "finding.still-open"),
        (RecordChange::StillAccepted, "finding.still-accepted"),
        (
            RecordChange::AcceptanceExpired,
            "finding.acceptance-expired",
        ),
        (RecordChange::FixedByScan, "finding.fixed-by-scan"),
        (RecordChange::Verified, "finding.verified"),
        (RecordChange::Reopened, "finding.reopened"),
    ];

    /// The name the log stores.
    pub fn name(self) -> &'static str {
        if let AuditAction::FindingTracked(change) = self {
            return Self::TRACKED
                .iter()
                .find(|(known, _)| *known == change)
                .map(|(_, name)| *name)
                .expect("every record change has a name");
        }
        Self::PLAIN
            .iter()
            .find(|(known, _)| *known == self)
            .map(|(_, name)| *name)
            .expect("every plain action has a name")
    }

    /// The action a stored name stands for.
    pub fn from_name(name: &str) -> Option<AuditAction> {
        Self::PLAIN
            .iter()
            .find(|(_, known)| *known == name)
            .map(|(action, _)| *action)
            .or_else(|| {
                Self::TRACKED
                    .iter()
                    .find(|(_, known)| *known == name)
                    .map(|(change, _)| AuditAction::FindingTracked(*change))
            })
    }
}

impl std::fmt::Display for AuditAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Compares with a stored name: `entry.action == "inventory.add"`.
impl PartialEq<&str> for AuditAction {
    fn eq(&self, name: &&str) -> bool {
        self.name() == *name
    }
}

impl Serialize for AuditAction {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for AuditAction {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<AuditAction, D::Error> {
        let name = String::deserialize(deserializer)?;
        AuditAction::from_name(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown audit action `{name}`")))
    }
}

/// One row of the append-only audit log (PCI DSS 10.2): who changed what,
/// when, and how it looked before and after. Each row's `hash` covers the
/// previous row's hash and the row's own content, so editing or removing a
/// row breaks the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: AuditEntryId,
    pub at: DateTime<Utc>,
    pub actor: String,
    /// What happened.
    pub action: AuditAction,
    /// The kind of thing changed, e.g. "inventory_entry", "finding",
    /// "system".
    pub entity: String,
    /// The changed thing's id, as text (a row id or a setting's key).
    pub entity_id: String,
    /// The thing before the change, as JSON; `None`: it did not exist.
    pub before: Option<String>,
    /// The thing after the change, as JSON; `None`: it was removed.
    pub after: Option<String>,
    pub hash: String,
    pub prev_hash: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_round_trips_through_its_stored_name() {
        let mut actions: Vec<AuditAction> = AuditAction::PLAIN
            .iter()
            .map(|(action, _)| *action)
            .collect();
        actions.extend(
            AuditAction::TRACKED
                .iter()
                .map(|(change, _)| AuditAction::FindingTracked(*change)),
        );
        for action in actions {
            assert_eq!(AuditAction::from_name(action.name()), Some(action));
            let json = serde_json::to_string(&action).unwrap();
            assert_eq!(json, format!("\"{}\"", action.name()));
        }
        // A judged scan's names follow the record change's serde names.
        for (change, name) in AuditAction::TRACKED {
            let serde_name = serde_json::to_value(change).unwrap();
            assert_eq!(name, format!("finding.{}", serde_name.as_str().unwrap()));
        }
        assert_eq!(AuditAction::from_name("finding.unknown"), None);
    }
}
