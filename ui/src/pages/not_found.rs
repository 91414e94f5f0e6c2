//! A path the route table does not know: say so and offer the way back,
//! rather than an empty pane.

use leptos::prelude::*;

use crate::components::EmptyState;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! {
        <section class="page" data-test="page" data-page="not-found">
            <h1>"This page does not exist"</h1>
            <EmptyState
                title="Nothing here"
                message="The link you followed leads nowhere in Portcullis."
            >
                <a class="button primary" href="/">"Back to Start"</a>
            </EmptyState>
        </section>
    }
}
