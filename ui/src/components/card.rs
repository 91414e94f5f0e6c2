//! A card: one bordered surface holding one thing the merchant reads or
//! decides (a finding, a system, an answer). Its title is a real heading so
//! screen reader users can jump between cards.

use leptos::prelude::*;

#[component]
pub fn Card(
    /// The card's heading; none for a card that only groups controls.
    #[prop(optional, into)]
    title: Option<String>,
    /// Drawn with the accent, for the one card that answers the page's
    /// question.
    #[prop(optional)]
    highlight: bool,
    children: Children,
) -> impl IntoView {
    view! {
        <section class="card" class:highlight=highlight>
            {title.map(|title| view! { <h2 class="card-title">{title}</h2> })}
            {children()}
        </section>
    }
}
