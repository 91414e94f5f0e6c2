//! Renewing an approved port (`inventory approve`): someone approves the
//! inventory entry again, now, for a term.
//!
//! An approval is a decision with a date on it: PCI DSS 1.2.5 asks who
//! approved each allowed port, and 1.2.7 that the rules be reviewed at
//! least every six months. So a renewal that names no term keeps the term
//! the entry had, rather than silently making the approval permanent; only
//! an explicit choice removes the expiry.

use chrono::{DateTime, Utc};
use portcullis_model::compliance::InventoryEntry;

/// How long a renewed approval holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Term {
    /// Until this moment, which must come after the renewal.
    Until(DateTime<Utc>),
    /// As long as the approval being renewed ran (from its approval to its
    /// expiry), counted from now; an approval that never lapsed still does
    /// not.
    SameAsBefore,
    /// It does not lapse.
    NoExpiry,
}

/// A renewal as someone asks for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Renewal {
    pub approver: String,
    /// A new statement of the business need; `None` keeps the entry's.
    pub justification: Option<String>,
    pub term: Term,
    pub now: DateTime<Utc>,
}

/// Why a renewal was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenewalError {
    #[error("approving a port needs an approver: who takes responsibility?")]
    NoApprover,
    #[error("the new justification is empty: say why the business needs the port")]
    NoJustification,
    #[error(
        "the approval must end after now ({}), not on {}",
        .now.format("%Y-%m-%d %H:%M UTC"),
        .until.format("%Y-%m-%d %H:%M UTC")
    )]
    UntilNotInFuture {
        until: DateTime<Utc>,
        now: DateTime<Utc>,
    },
}

/// The entry as renewed: approved by `renewal.approver` now, for the term
/// asked, with the new justification if one was given. The port, the
/// expected service and version, and the notes are the entry's.
pub fn renew(entry: &InventoryEntry, renewal: &Renewal) -> Result<InventoryEntry, RenewalError> {
    let approver = renewal.approver.trim();
    if approver.is_empty() {
        return Err(RenewalError::NoApprover);
    }
    let justification = match &renewal.justification {
        Some(text) if text.trim().is_empty() => return Err(RenewalError::NoJustification),
        Some(text) => text.trim().to_owned(),
        None => entry.justification.clone(),
    };
    let now = renewal.now;
    let expires_at = match renewal.term {
        Term::Until(until) if until <= now => {
            return Err(RenewalError::UntilNotInFuture { until, now });
        }
        Term::Until(until) => Some(until),
        Term::NoExpiry => None,
        Term::SameAsBefore => entry
            .expires_at
            .map(|expires| now + (expires - entry.approved_at)),
    };
    Ok(InventoryEntry {
        approver: approver.to_owned(),
        justification,
        approved_at: now,
        expires_at,
        ..entry.clone()
    })
}

#[cfg(test)]
mod tests {
    use chrono::{TimeDelta, TimeZone};
    use portcullis_model::scan::Protocol;
    use portcullis_model::{InventoryEntryId, SystemId};

    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 6, 1, 12, 0, 0).unwrap()
    }

    /// Approved for six months (183 days), lapsed a month ago.
    fn lapsed() -> InventoryEntry {
        let approved_at = now() - TimeDelta::days(213);
        InventoryEntry {
            id: InventoryEntryId(7),
            system_id: SystemId(1),
            port: 443,
            protocol: Protocol::Tcp,
            service: Some("https".into()),
            version: None,
            justification: "the shop".into(),
            approver: "Alice".into(),
            approved_at,
            expires_at: Some(approved_at + TimeDelta::days(183)),
            sources: Vec::new(),
            notes: "front door".into(),
        }
    }

    fn renewal(term: Term) -> Renewal {
        Renewal {
            approver: " Bob ".into(),
            justification: None,
            term,
            now: now(),
        }
    }

    #[test]
    fn a_renewal_keeps_the_term_unless_told_otherwise() {
        let renewed = renew(&lapsed(), &renewal(Term::SameAsBefore)).unwrap();
        assert_eq!(renewed.approver, "Bob");
        assert_eq!(renewed.approved_at, now());
        assert_eq!(renewed.expires_at, Some(now() + TimeDelta::days(183)));
        assert_eq!(
            (renewed.id, renewed.port, renewed.justification.as_str()),
            (InventoryEntryId(7), 443, "the shop")
        );
        assert_eq!(renewed.notes, "front door");

        let mut permanent = lapsed();
        permanent.expires_at = None;
        let renewed = renew(&permanent, &renewal(Term::SameAsBefore)).unwrap();
        assert_eq!(renewed.expires_at, None, "a permanent approval stays so");
    }

    #[test]
    fn an_explicit_term_or_no_expiry_is_taken() {
        let until = now() + TimeDelta::days(30);
        let renewed = renew(&lapsed(), &renewal(Term::Until(until))).unwrap();
        assert_eq!(renewed.expires_at, Some(until));
        let renewed = renew(&lapsed(), &renewal(Term::NoExpiry)).unwrap();
        assert_eq!(renewed.expires_at, None);
    }

    #[test]
    fn a_term_in_the_past_no_approver_or_an_empty_justification_is_refused() {
        let error = renew(&lapsed(), &renewal(Term::Until(now()))).unwrap_err();
        assert!(matches!(error, RenewalError::UntilNotInFuture { .. }));
        assert!(
            error.to_string().contains("2025-06-01 12:00 UTC"),
            "{error}"
        );

        let mut nobody = renewal(Term::SameAsBefore);
        nobody.approver = "  ".into();
        assert_eq!(renew(&lapsed(), &nobody), Err(RenewalError::NoApprover));

        let mut blank = renewal(Term::SameAsBefore);
        blank.justification = Some(" ".into());
        assert_eq!(renew(&lapsed(), &blank), Err(RenewalError::NoJustification));
        blank.justification = Some(" card payments ".into());
        assert_eq!(
            renew(&lapsed(), &blank).unwrap().justification,
            "card payments"
        );
    }
}
