//! The Review step's cards: the findings that stand now, grouped by the one
//! decision or action that settles them, so that a merchant with 27
//! findings faces a handful of decisions rather than a wall.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::compliance::{FindingKind, FindingRecord, Verdict};
use crate::ids::SystemId;
use crate::scan::Protocol;

/// What one decision is about; its findings all share it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum DecisionSubject {
    /// An open port: the business needs it (say why) or it is closed.
    Port {
        system_id: Option<SystemId>,
        address: IpAddr,
        protocol: Protocol,
        port: u16,
        service: Option<String>,
    },
    /// Software to update: one update settles every finding here.
    Update {
        system_id: Option<SystemId>,
        address: IpAddr,
        product: String,
        version: Option<String>,
    },
    /// A service's settings to change (encryption, certificate, redirect).
    Settings {
        system_id: Option<SystemId>,
        address: IpAddr,
        protocol: Protocol,
        port: u16,
        service: Option<String>,
    },
    /// A machine answered that no system claims.
    Host { address: IpAddr },
    /// A recurring task of the compliance programme (a scan, a test).
    Programme { finding: FindingKind },
}

impl DecisionSubject {
    /// The system the decision concerns, when one claims it.
    pub fn system_id(&self) -> Option<SystemId> {
        match self {
            DecisionSubject::Port { system_id, .. }
            | DecisionSubject::Update { system_id, .. }
            | DecisionSubject::Settings { system_id, .. } => *system_id,
            DecisionSubject::Host { .. } | DecisionSubject::Programme { .. } => None,
        }
    }
}

/// Findings one decision settles, as the rules group them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionGroup {
    pub subject: DecisionSubject,
    /// What the group does to the verdict now: the worst of its findings,
    /// an accepted one counting for nothing while its acceptance holds.
    pub verdict: Verdict,
    /// Whether "we need this" may settle what does not fail: some finding
    /// here does not fail an ASV scan, and the rule of every such finding
    /// allows a business-need acceptance. What fails is never accepted (no
    /// business need passes a failure): it is fixed or disputed first.
    pub acceptable: bool,
    /// Whether a dispute with the ASV is the way to settle what fails short
    /// of a fix: something here fails, and everything that fails is a
    /// finding an ASV reports.
    #[serde(default)]
    pub disputable: bool,
    /// Worst first.
    pub findings: Vec<FindingRecord>,
}

/// A Review card: a group and the words a person reads about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewCard {
    /// Stable across calls while the group exists, for the window's keys
    /// and saved answers.
    pub key: String,
    /// "Port 22 (ssh) on Web shop".
    pub title: String,
    /// "Updating OpenSSH settles these 3 findings."
    pub summary: String,
    /// "Will fail your ASV scan", "Needs a stated business need", "Fine".
    pub verdict_words: String,
    pub group: DecisionGroup,
}

/// One finding as its own page shows it: the record, the name of its
/// system, and the Review card that decides it while it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingDetail {
    pub record: FindingRecord,
    pub system: Option<crate::listing::SystemName>,
    /// `None` once the finding no longer stands (fixed, or settled).
    pub card: Option<ReviewCard>,
}
