//! Pages whose features have not been built yet say so plainly, and say what
//! they will hold, instead of showing controls that do nothing.

use leptos::prelude::*;

use super::Page;
use crate::components::EmptyState;

#[component]
pub fn EmptyPage(page: Page) -> impl IntoView {
    let (purpose, arrives_with) = promise(page);
    view! {
        <section class="page" data-test="page" data-page=page.test_id()>
            <h1>{page.title()}</h1>
            <p class="lead">{purpose}</p>
            <EmptyState
                title="Nothing here yet"
                message=format!("This page is not built yet. It arrives with {arrives_with}.")
            />
        </section>
    }
}

/// What the page is for, and which piece of work brings it.
fn promise(page: Page) -> (&'static str, &'static str) {
    match page {
        Page::Dashboard => (
            "Your compliance at a glance: open findings by severity, systems that pass or fail, and when the next quarterly scan is due.",
            "the compliance core",
        ),
        Page::Scans => (
            "Every scan you have run: which ports were open, what answered on them, and what changed since the last time.",
            "the scan engine",
        ),
        Page::Start
        | Page::Systems
        | Page::Inventory
        | Page::Findings
        | Page::Reports
        | Page::Settings => ("", "its own page"),
    }
}
