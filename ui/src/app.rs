//! The window's frame: navigation on the left, the current page on the right.

use leptos::prelude::*;

use crate::backend_status::BackendStatus;
use crate::pages::Page;

#[component]
pub fn App() -> impl IntoView {
    let status = BackendStatus::provide();
    let (current, set_current) = signal(Page::Start);
    view! {
        <div class="shell">
            <nav class="sidebar" aria-label="Main">
                <div class="brand">"Portcullis"</div>
                <ul>
                    {Page::ALL
                        .into_iter()
                        .map(|page| {
                            view! {
                                <li>
                                    <button
                                        class="nav-item"
                                        class:active=move || current.get() == page
                                        data-test=page.test_id()
                                        on:click=move |_| set_current.set(page)
                                    >
                                        {page.title()}
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
                <DatabaseBadge status />
            </nav>
            <main class="content">{move || current.get().view()}</main>
        </div>
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
