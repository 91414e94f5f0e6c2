//! Long lists a page at a time: the findings and the inventory as their
//! pages ask for them, filtered, sorted and cut in the database, so a
//! page over 20,000 rows carries 50 of them and stays as quick as a page
//! over 50.

use serde::{Deserialize, Serialize};

use crate::compliance::{
    FindingKind, FindingRecord, FindingStatus, InventoryEntry, Scope, Severity,
};
use crate::ids::SystemId;

/// The most rows one page may ask for.
pub const MAX_PAGE_ROWS: u32 = 500;

/// Which rows of a list: `limit` rows from `offset` (both counted from 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRequest {
    pub offset: u32,
    pub limit: u32,
}

impl PageRequest {
    /// The limit, at most [`MAX_PAGE_ROWS`].
    pub fn bounded_limit(self) -> u32 {
        self.limit.min(MAX_PAGE_ROWS)
    }
}

impl Default for PageRequest {
    fn default() -> PageRequest {
        PageRequest {
            offset: 0,
            limit: 50,
        }
    }
}

/// A system's id, name and scope: what a filter or a form offers to
/// choose from, without the rest of the system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemName {
    pub id: SystemId,
    pub name: String,
    pub scope: Scope,
}

/// Which findings, a page of them: open before answered, worst first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingQuery {
    pub system_id: Option<SystemId>,
    pub severity: Option<Severity>,
    pub kind: Option<FindingKind>,
    pub status: Option<FindingStatus>,
    pub page: PageRequest,
}

/// A finding, with the name of its system for the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingRow {
    pub record: FindingRecord,
    pub system_name: Option<String>,
}

/// One page of findings, and what the whole list holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingPage {
    pub rows: Vec<FindingRow>,
    /// How many findings the filters admit.
    pub total: u64,
    /// How many findings there are at all: 0 means "nothing scanned yet",
    /// not "nothing matches".
    pub all: u64,
    /// The kinds of finding there are, for the kind filter.
    pub kinds: Vec<FindingKind>,
}

/// What needs attention in the inventory, as its "Show" filter offers it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InventoryAttention {
    #[default]
    All,
    /// The approval ends within 30 days.
    EndingSoon,
    /// The approval has ended.
    Ended,
    /// Approved over six months ago: due for the review of 1.2.7.
    ReviewDue,
    /// The newest scan of its system did not find the port open: the
    /// approval may no longer be needed (a stale entry finding is open).
    NotSeenLately,
}

/// The column the inventory is sorted by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InventorySort {
    #[default]
    System,
    Port,
    Approved,
    /// When the approval ends; entries without an end come last.
    Until,
}

/// Which inventory entries, sorted, a page of them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryQuery {
    pub system_id: Option<SystemId>,
    pub port: Option<u16>,
    pub attention: InventoryAttention,
    pub sort: InventorySort,
    pub descending: bool,
    pub page: PageRequest,
}

/// An approved port, with the name of its system for the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryRow {
    pub entry: InventoryEntry,
    pub system_name: String,
}

/// One page of the inventory, and what the whole of it holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryPage {
    pub rows: Vec<InventoryRow>,
    /// How many entries the filters admit.
    pub total: u64,
    /// How many entries there are at all.
    pub all: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_asks_for_no_more_than_the_bound() {
        let page = PageRequest {
            offset: 0,
            limit: 1_000_000,
        };
        assert_eq!(page.bounded_limit(), MAX_PAGE_ROWS);
    }
}
