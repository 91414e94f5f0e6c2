//! The compliance domain: the merchant's systems and their approved port
//! inventory, the findings a scan produces against them, how a finding is
//! tracked from one scan to the next, the verdicts an assessor would give,
//! the differences between two scans, and the audit trail of every change.
//!
//! These are plain values. `crates/compliance` computes them (pure rules),
//! `crates/store` keeps them, and the shells show them; all of them agree on
//! these types so that nothing is translated twice.
//!
//! Times are UTC. Identifiers (`id`, `system_id`, scan ids) are the store's
//! row ids.
//!
//! - `systems`: the systems and what they are for.
//! - `inventory`: the approved ports.
//! - `firewall`: rulesets made from them.
//! - `remediation`: the steps that fix a finding on a platform.
//! - `coverage`: what a scan looked at.
//! - `testing_history`: when the recurring tests last happened.
//! - `findings`: what a rule found.
//! - `tracking`: a finding's life across scans, and accepting it.
//! - `verdicts`: pass, action needed or fail.
//! - `diff`: what changed between two scans.
//! - `audit`: the audit trail.

mod audit;
mod coverage;
mod diff;
mod findings;
mod firewall;
mod inventory;
mod remediation;
mod systems;
mod testing_history;
mod tracking;
mod verdicts;

pub use audit::{AuditAction, AuditEntry};
pub use coverage::{PortRange, ScanCoverage};
pub use diff::{
    HostChange, HostChangeKind, InventoryVerdict, PortChange, PortChangeKind, ScanDiff,
};
pub use findings::{Finding, FindingKind, Severity};
pub use firewall::{AllowedPort, FirewallFormat, Ruleset, RulesetFile};
pub use inventory::{InventoryEntry, NewInventoryEntry};
pub use remediation::{FixSteps, Platform, PlatformChoice, PlatformFamily, SystemPlatform};
pub use systems::{Exposure, NewSystem, Scope, System, SystemRole};
pub use testing_history::{AsvScan, SegmentationTest, TestingHistory};
pub use tracking::{
    Acceptance, BusinessNeed, Dispute, DisputeKind, FindingRecord, FindingState, FindingStatus,
    InventoryWrite, Reconciliation, RecordChange, RecordUpdate,
};
pub use verdicts::{OverallStatus, SystemStatus, Verdict};
