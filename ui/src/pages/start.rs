//! The first page a new user sees: what Portcullis will walk them through.

use leptos::prelude::*;

#[component]
pub fn StartPage() -> impl IntoView {
    view! {
        <section class="page" data-test="page" data-page="nav-start">
            <h1>"Welcome to Portcullis"</h1>
            <p class="lead">
                "Portcullis helps you find every open port on your systems, decide which ones your business really needs, close the rest, and keep the proof an assessor asks for."
            </p>
            <ol class="steps">
                <li>
                    <strong>"Scan"</strong>
                    " – find out which ports are open on your systems."
                </li>
                <li>
                    <strong>"Review"</strong>
                    " – for each open port, say why your business needs it, or mark it for closing."
                </li>
                <li>
                    <strong>"Fix"</strong>
                    " – follow step-by-step instructions to close what is not needed."
                </li>
                <li>
                    <strong>"Verify"</strong>
                    " – scan again to prove the port is closed, and keep the evidence."
                </li>
            </ol>
            <div class="empty-state">
                <p class="not-yet">
                    "The guided wizard is not built yet: scanning arrives with the scan engine."
                </p>
            </div>
        </section>
    }
}
