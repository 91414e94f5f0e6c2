//! What in the inventory needs attention, as times: "ending soon" is an
//! approval that ends within the notice monitoring gives (30 days); "review
//! due" is one given longer ago than the six-monthly review of 1.2.7.

use chrono::{DateTime, Months, Utc};
use portcullis_model::listing::InventoryAttention;

use crate::monitoring::APPROVAL_NOTICE;
use crate::schedule::INVENTORY_REVIEW_MONTHS;

/// The bounds an entry must meet to need this attention; `None` bounds
/// nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AttentionBounds {
    /// The approval ends after this time...
    pub ends_after: Option<DateTime<Utc>>,
    /// ...and no later than this one.
    pub ends_by: Option<DateTime<Utc>>,
    /// The approval was given no later than this time.
    pub approved_by: Option<DateTime<Utc>>,
    /// The newest scan did not find the port open (a stale-entry finding
    /// is open for it).
    pub not_seen: bool,
}

/// The bounds of `attention`, as of `now`.
pub fn attention_bounds(attention: InventoryAttention, now: DateTime<Utc>) -> AttentionBounds {
    let none = AttentionBounds::default();
    match attention {
        InventoryAttention::All => none,
        InventoryAttention::EndingSoon => AttentionBounds {
            ends_after: Some(now),
            ends_by: Some(now + APPROVAL_NOTICE),
            ..none
        },
        InventoryAttention::Ended => AttentionBounds {
            ends_by: Some(now),
            ..none
        },
        InventoryAttention::ReviewDue => AttentionBounds {
            approved_by: now.checked_sub_months(Months::new(INVENTORY_REVIEW_MONTHS)),
            ..none
        },
        InventoryAttention::NotSeenLately => AttentionBounds {
            not_seen: true,
            ..none
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn ending_soon_is_the_next_thirty_days() {
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 12, 0, 0).unwrap();
        let bounds = attention_bounds(InventoryAttention::EndingSoon, now);
        assert_eq!(bounds.ends_after, Some(now));
        assert_eq!(
            bounds.ends_by,
            Some(Utc.with_ymd_and_hms(2027, 1, 6, 12, 0, 0).unwrap())
        );
    }

    #[test]
    fn review_is_due_six_months_after_approval() {
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 12, 0, 0).unwrap();
        let bounds = attention_bounds(InventoryAttention::ReviewDue, now);
        assert_eq!(
            bounds.approved_by,
            Some(Utc.with_ymd_and_hms(2026, 6, 7, 12, 0, 0).unwrap())
        );
        assert!(!bounds.not_seen);
    }
}
