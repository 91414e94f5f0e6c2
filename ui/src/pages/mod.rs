//! One module per page of the navigation.

mod empty;
mod settings;
mod start;

use leptos::prelude::*;

/// Every page the navigation offers, in its order.
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

    /// The `data-test` attribute of the page's navigation button, for the
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

    pub fn view(self) -> AnyView {
        match self {
            Page::Start => start::StartPage().into_any(),
            Page::Settings => settings::SettingsPage().into_any(),
            empty => empty::EmptyPage(empty::EmptyPageProps { page: empty }).into_any(),
        }
    }
}
