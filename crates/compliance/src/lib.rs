//! Pure compliance rules: a scan compared with the systems and their
//! approved port inventory becomes findings, each mapped to the PCI DSS
//! v4.0 requirements it serves, in plain English, with what closes it.
//!
//! No I/O happens here, and no clock is read: every input, "now" included,
//! is passed in, so every rule can be tested with plain values. The words
//! and severities come from the rule book in `assets/rules/rules.toml`,
//! embedded at compile time ([`Rulebook::builtin`]).
//!
//! - [`evaluate`]: one scan in, findings out.
//! - [`assess`]: the verdict per system and overall, as an ASV would judge.
//! - [`reconcile`]: findings across scans (new, still open, fixed and
//!   verified by a scan that covered them, reopened).
//! - [`accept`] and [`mark_fixed`]: decisions on a finding; accepting one
//!   also says what to write into the inventory.
//! - [`diff`]: two scans of the same targets, port by port, against the
//!   inventory.
//! - [`renew`]: an inventory entry approved again, for a term.
//! - [`firewall_ruleset`]: a default-deny inbound ruleset from a system's
//!   approved inventory.
//! - [`KnowledgeBase::fix`]: the steps that fix a finding on the merchant's
//!   platform, from `assets/remediation`; [`guess_platform`] from a scan.
//! - [`monitoring`]: when a monitoring schedule's slot is due.
//! - [`judge_segmentation`]: a scan from a network meant to be cut off
//!   from the card data systems; any answer breaks the segmentation.

mod attention;
mod coverage;
mod decisions;
mod diff;
mod documents;
mod estate;
mod evaluate;
mod firewall;
pub mod monitoring;
mod remediation;
mod renewal;
mod rulebook;
mod schedule;
mod segmentation;
mod status;
mod template;
mod tracking;

pub use attention::{AttentionBounds, attention_bounds};
pub use coverage::Coverage;
pub use decisions::{group_decisions, verdict_of};
pub use diff::{diff, posture_facts};
pub use documents::{
    InventoryDocumentInput, Sighting, dispute_statement, inventory_document, report_hosts,
    report_verdict, weight,
};
pub use estate::{AddressError, SystemAddress, is_expired};
pub use evaluate::{Evaluation, EvaluationInput, evaluate};
pub use firewall::{CONFIRM_SECONDS, firewall_ruleset};
pub use remediation::{
    FixEntry, FixRequest, KnowledgeBase, KnowledgeError, ServiceEntry, guess_platform,
};
pub use renewal::{Renewal, RenewalError, Term, renew};
pub use rulebook::{AcceptPolicy, Category, Rule, Rulebook, RulebookError};
pub use schedule::{INVENTORY_REVIEW_MONTHS, schedule};
pub use segmentation::{
    MAX_LISTED_ANSWERS, SegmentationVerdict, describe_answer, judge_segmentation,
    segmentation_summary,
};
pub use status::{acceptance_holds, assess, assess_tracked, stands_now};
pub use tracking::{
    AcceptRequest, DEFAULT_ACCEPTANCE_DAYS, DecisionError, DisputeRequest, accept, dispute,
    mark_fixed, reconcile, reconcile_owned,
};
