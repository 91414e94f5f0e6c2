//! The ids of what Portcullis keeps, one type each, so that a system's id
//! can never be passed where a finding's is wanted.
//!
//! Each is the store's row id (a scan run's id is the supervisor's). On the
//! wire they are plain numbers (`serde(transparent)`), so the IPC contract
//! and the files Portcullis writes keep their shape.

use std::fmt;
use std::num::ParseIntError;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

macro_rules! ids {
    ($( $(#[$doc:meta])* $name:ident($inner:ty); )*) => {
        $(
            $(#[$doc])*
            #[derive(
                Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
            )]
            #[serde(transparent)]
            pub struct $name(pub $inner);

            impl $name {
                /// The number the store (or the supervisor) knows it by.
                pub fn get(self) -> $inner {
                    self.0
                }
            }

            impl fmt::Display for $name {
                fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    self.0.fmt(f)
                }
            }

            impl FromStr for $name {
                type Err = ParseIntError;

                fn from_str(text: &str) -> Result<Self, Self::Err> {
                    text.parse().map($name)
                }
            }

            impl From<$inner> for $name {
                fn from(id: $inner) -> Self {
                    $name(id)
                }
            }
        )*
    };
}

ids! {
    /// A system in scope (a server, a router, an office network).
    SystemId(i64);
    /// An entry of the approved port inventory (PCI DSS 1.2.5).
    InventoryEntryId(i64);
    /// A finding as tracked across scans.
    FindingId(i64);
    /// A recorded scan.
    ScanId(i64);
    /// A segmentation test someone recorded (PCI DSS 11.4.5).
    SegmentationTestId(i64);
    /// An ASV scan someone recorded (PCI DSS 11.3.2).
    AsvScanId(i64);
    /// A row of the audit log.
    AuditEntryId(i64);
    /// A monitoring schedule.
    ScheduleId(i64);
    /// One run of a monitoring schedule.
    MonitorRunId(i64);
    /// A change a monitoring check raised.
    AlertId(i64);
    /// A desktop notification, kept.
    NotificationId(i64);
    /// A running scan in the supervisor; a scan that is not recorded has
    /// one too, so it is not a [`ScanId`].
    RunId(u64);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_a_plain_number_on_the_wire_and_in_text() {
        let id = SystemId(42);
        assert_eq!(serde_json::to_string(&id).unwrap(), "42");
        assert_eq!(serde_json::from_str::<SystemId>("42").unwrap(), id);
        assert_eq!(id.to_string(), "42");
        assert_eq!("42".parse::<SystemId>().unwrap(), id);
        assert!("forty-two".parse::<SystemId>().is_err());
    }
}
