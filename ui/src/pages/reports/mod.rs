//! Reports: what comes in (the reports a merchant already has) and what
//! goes out (the documents an assessor asks for), and the audit log with
//! the check of its chain.

mod audit_log;
mod export;
mod import;

use leptos::prelude::*;

#[component]
pub fn ReportsPage() -> impl IntoView {
    let imported = RwSignal::new(0u32);
    view! {
        <section class="page" data-test="page" data-page="nav-reports">
            <h1>"Reports"</h1>
            <p class="lead">
                "Bring in the scan reports you already have, and save the documents your assessor asks for."
            </p>
            <import::ImportCard imported />
            <export::ExportCard imported />
            <audit_log::AuditLogCard />
        </section>
    }
}
