//! The window's frame: navigation on the left, the current route on the
//! right, and the toasts above both.

use leptos::prelude::*;
use leptos_router::components::{A, Router};

use crate::backend_status::BackendStatus;
use crate::components::{ToastRegion, Toasts};
use crate::monitoring_news::MonitoringNews;
use crate::pages::Page;
use crate::routes::AppRoutes;
use crate::wizard::WizardState;

#[component]
pub fn App() -> impl IntoView {
    let status = BackendStatus::provide();
    Toasts::provide();
    MonitoringNews::provide();
    WizardState::provide();
    crate::theme::apply(crate::theme::chosen());
    view! {
        <Router>
            <a class="skip-link" href="#main">"Skip to content"</a>
            <div class="shell">
                <nav class="sidebar" aria-label="Main">
                    <div class="brand">"Portcullis"</div>
                    <ul>
                        {Page::ALL.into_iter().map(nav_link).collect_view()}
                    </ul>
                    <DatabaseBadge status />
                </nav>
                <main class="content" id="main" tabindex="-1">
                    <AppRoutes />
                </main>
            </div>
            <ToastRegion />
        </Router>
    }
}

/// A navigation link; the router marks the current page's with
/// `aria-current="page"`.
fn nav_link(page: Page) -> impl IntoView {
    view! {
        <li>
            <A href=page.path() attr:class="nav-item" attr:data-test=page.test_id()>
                {page.title()}
            </A>
        </li>
    }
}

/// The database's state, always in sight at the foot of the navigation.
#[component]
fn DatabaseBadge(status: BackendStatus) -> impl IntoView {
    let label = move || match status.database.get() {
        Some(database) => database.state.label(),
        None => "connecting",
    };
    view! {
        <div class="db-badge" data-test="database-badge" data-state=label>
            "Database: "
            {label}
        </div>
    }
}
