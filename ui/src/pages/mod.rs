//! One module per page of the navigation, and the navigation's list.

pub mod dashboard;
pub mod findings;
pub mod inventory;
pub mod not_found;
pub mod reports;
pub mod scans;
pub mod settings;
pub mod start;
pub mod systems;

/// Every page the navigation offers, in its order. Which view a path shows
/// is the route table's business (`crate::routes`); this only names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    Start,
    Dashboard,
    Systems,
    Scans,
    Inventory,
    Findings,
    Reports,
    Settings,
}

impl Page {
    pub const ALL: [Page; 8] = [
        Page::Start,
        Page::Dashboard,
        Page::Systems,
        Page::Scans,
        Page::Inventory,
        Page::Findings,
        Page::Reports,
        Page::Settings,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Page::Start => "Start",
            Page::Dashboard => "Dashboard",
            Page::Systems => "Systems",
            Page::Scans => "Scans",
            Page::Inventory => "Inventory",
            Page::Findings => "Findings",
            Page::Reports => "Reports",
            Page::Settings => "Settings",
        }
    }

    /// The page's path in the route table.
    pub fn path(self) -> &'static str {
        match self {
            Page::Start => "/",
            Page::Dashboard => "/dashboard",
            Page::Systems => "/systems",
            Page::Scans => "/scans",
            Page::Inventory => "/inventory",
            Page::Findings => "/findings",
            Page::Reports => "/reports",
            Page::Settings => "/settings",
        }
    }

    /// The `data-test` attribute of the page's navigation link, for the
    /// end-to-end tests.
    pub fn test_id(self) -> &'static str {
        match self {
            Page::Start => "nav-start",
            Page::Dashboard => "nav-dashboard",
            Page::Systems => "nav-systems",
            Page::Scans => "nav-scans",
            Page::Inventory => "nav-inventory",
            Page::Findings => "nav-findings",
            Page::Reports => "nav-reports",
            Page::Settings => "nav-settings",
        }
    }
}
