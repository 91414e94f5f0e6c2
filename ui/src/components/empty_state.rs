//! What a page or list shows when it has nothing yet: what will be here and
//! the one thing to do next, instead of a blank area that looks broken.

use leptos::prelude::*;

#[component]
pub fn EmptyState(
    #[prop(into)] title: String,
    /// What will be here, in a sentence.
    #[prop(into)]
    message: String,
    /// The next step (a link or a button), if there is one.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="empty-state" data-test="empty-state">
            <h2 class="empty-state-title">{title}</h2>
            <p class="not-yet">{message}</p>
            {children.map(|children| view! { <div class="actions">{children()}</div> })}
        </div>
    }
}
