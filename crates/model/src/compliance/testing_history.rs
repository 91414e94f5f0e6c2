//! When the recurring tests PCI DSS asks for (internal and external scans,
//! segmentation tests) last happened: the dates the programme rules judge
//! overdue.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A segmentation test (PCI DSS 11.4.5): a penetration test proving that
/// out-of-scope networks cannot reach the CDE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentationTest {
    pub at: DateTime<Utc>,
    pub passed: bool,
}

/// A scan by an Approved Scanning Vendor (PCI DSS 11.3.2), as its report
/// gave it: only an ASV's passing scan meets the quarterly external-scan
/// requirement; Portcullis's own scans from outside prepare for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AsvScan {
    /// When the ASV scanned (the report's scan date).
    pub at: DateTime<Utc>,
    pub passed: bool,
}

/// When the recurring tests PCI DSS asks for last happened. The rules judge
/// whether they are overdue; the store knows the dates. A scan being
/// evaluated counts only if the caller includes it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestingHistory {
    /// The last finished scan from inside the network (11.3.1).
    pub last_internal_scan: Option<DateTime<Utc>>,
    /// The last finished scan from the internet (11.3.2).
    pub last_external_scan: Option<DateTime<Utc>>,
    pub last_segmentation_test: Option<SegmentationTest>,
    /// The newest ASV scan recorded (11.3.2); `None` in records made
    /// before ASV scans were recorded.
    #[serde(default)]
    pub last_asv_scan: Option<AsvScan>,
    /// The business is a service provider (it stores, processes or
    /// transmits card data for other businesses): its segmentation is
    /// tested every six months (11.4.6), not every twelve (11.4.5). A
    /// setting of the application's; the store leaves it `false`.
    #[serde(default)]
    pub service_provider: bool,
}
