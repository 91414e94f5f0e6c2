//! A table of facts read across: column headers, rows, and a frame that
//! scrolls sideways on its own (reachable by keyboard, named for screen
//! readers) so a wide table never widens the page.

use leptos::prelude::*;

#[component]
pub fn DataTable(
    /// What the table lists, read out when its frame is reached.
    label: &'static str,
    headers: &'static [&'static str],
    /// The `data-test` of the rows' body, if a test counts them.
    #[prop(optional)]
    body_test: Option<&'static str>,
    /// The rows: `<tr>` elements.
    children: Children,
) -> impl IntoView {
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-label=label>
            <table class="data-table">
                <thead>
                    <tr>
                        {headers
                            .iter()
                            .map(|header| view! { <th scope="col">{*header}</th> })
                            .collect_view()}
                    </tr>
                </thead>
                <tbody data-test=body_test>{children()}</tbody>
            </table>
        </div>
    }
}
