//! The route table: every path the window knows and the view it shows, in
//! one place. Links are plain `<a href>`; the router turns their clicks
//! into in-window navigation.

use leptos::prelude::*;
use leptos_router::components::{Route, Routes};
use leptos_router::path;

use crate::pages::dashboard::DashboardPage;
use crate::pages::findings::{FindingPage, FindingsPage};
use crate::pages::inventory::{InventoryEntryPage, InventoryPage};
use crate::pages::not_found::NotFoundPage;
use crate::pages::reports::ReportsPage;
use crate::pages::scans::{NewScanPage, ScanComparePage, ScanPage, ScansPage};
use crate::pages::settings::SettingsPage;
use crate::pages::start::StartPage;
use crate::pages::systems::{SystemPage, SystemsPage};
use crate::wizard::{WizardEntry, WizardPage};

#[component]
pub fn AppRoutes() -> impl IntoView {
    view! {
        <Routes fallback=NotFoundPage>
            <Route path=path!("/") view=StartPage />
            <Route path=path!("/wizard") view=WizardEntry />
            <Route path=path!("/wizard/:step") view=WizardPage />
            <Route path=path!("/dashboard") view=DashboardPage />
            <Route path=path!("/systems") view=SystemsPage />
            <Route path=path!("/systems/:id") view=SystemPage />
            <Route path=path!("/scans") view=ScansPage />
            <Route path=path!("/scans/compare") view=ScanComparePage />
            <Route path=path!("/scans/new") view=NewScanPage />
            <Route path=path!("/scans/:id") view=ScanPage />
            <Route path=path!("/inventory") view=InventoryPage />
            <Route path=path!("/inventory/:id") view=InventoryEntryPage />
            <Route path=path!("/findings") view=FindingsPage />
            <Route path=path!("/findings/:id") view=FindingPage />
            <Route path=path!("/reports") view=ReportsPage />
            <Route path=path!("/settings") view=SettingsPage />
        </Routes>
    }
}
