//! The verdicts an assessor would give, per system and for the whole
//! estate, with the reasons behind them.

use crate::ids::SystemId;
use serde::{Deserialize, Serialize};

/// The judgement an assessor would give. Ordered from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Pass,
    /// Nothing fails, but something needs a fix or a documented
    /// justification.
    ActionNeeded,
    /// Something fails, and each failing finding is disputed: it passes
    /// only if the ASV accepts the disputes.
    Disputed,
    Fail,
}

/// One system's verdict, with the reasons behind it (worst first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemStatus {
    pub system_id: SystemId,
    pub name: String,
    pub verdict: Verdict,
    pub reasons: Vec<String>,
}

/// The verdict for the whole estate: the worst of the in-scope systems and
/// of the findings that belong to no system (overdue scans, unclaimed
/// hosts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverallStatus {
    pub verdict: Verdict,
    pub reasons: Vec<String>,
    pub systems: Vec<SystemStatus>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_order_from_mild_to_bad() {
        assert!(Verdict::Fail > Verdict::Disputed);
        assert!(Verdict::Disputed > Verdict::ActionNeeded && Verdict::ActionNeeded > Verdict::Pass);
    }
}
