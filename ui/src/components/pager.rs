//! Paging for long lists: a page of rows at a time, with where the reader
//! is ("51–100 of 5,000") and Previous and Next. A list of thousands stays
//! as quick to draw as a list of fifty, and the count tells the reader
//! how much there is.

use leptos::prelude::*;
use portcullis_model::listing::PageRequest;

/// Rows on one page.
pub const PAGE_SIZE: usize = 50;

/// The page shown, counted from 0, of `total` rows.
#[derive(Debug, Clone, Copy)]
pub struct Paging {
    pub page: RwSignal<usize>,
}

impl Paging {
    pub fn new() -> Paging {
        Paging {
            page: RwSignal::new(0),
        }
    }

    /// The rows of the page shown, out of `rows`; the page steps back when
    /// a filter left fewer rows than it starts at.
    pub fn slice<T: Clone>(self, rows: &[T]) -> Vec<T> {
        let last = pages(rows.len()).saturating_sub(1);
        let page = self.page.get().min(last);
        rows.iter()
            .skip(page * PAGE_SIZE)
            .take(PAGE_SIZE)
            .cloned()
            .collect()
    }
}

impl Paging {
    /// The page shown, as the backend is asked for it: the database cuts
    /// the page out, so only its rows cross to the window.
    pub fn request(self) -> PageRequest {
        PageRequest {
            offset: u32::try_from(self.page.get() * PAGE_SIZE).unwrap_or(u32::MAX),
            limit: PAGE_SIZE as u32,
        }
    }
}

impl Default for Paging {
    fn default() -> Paging {
        Paging::new()
    }
}

fn pages(total: usize) -> usize {
    total.div_ceil(PAGE_SIZE).max(1)
}

/// "1,234" for 1234: the one way numbers are grouped, app and window alike.
pub use portcullis_model::numbers::thousands;

/// Where the reader is and the buttons that move; nothing when everything
/// fits on one page.
#[component]
pub fn Pager(
    paging: Paging,
    #[prop(into)] total: Signal<usize>,
    /// What the rows are, for the count: "systems".
    noun: &'static str,
) -> impl IntoView {
    let last = move || pages(total.get()) - 1;
    let page = move || paging.page.get().min(last());
    let at_start = Signal::derive(move || page() == 0);
    let at_end = Signal::derive(move || page() >= last());
    let range = move || {
        let total = total.get();
        let first = page() * PAGE_SIZE + 1;
        let end = (first + PAGE_SIZE - 1).min(total);
        format!(
            "{}–{} of {} {noun}",
            thousands(first),
            thousands(end),
            thousands(total)
        )
    };
    view! {
        <Show when=move || { total.get() > PAGE_SIZE }>
            <nav class="pager" aria-label=format!("Pages of {noun}") data-test="pager">
                <button
                    class="button"
                    type="button"
                    disabled=at_start
                    on:click=move |_| paging.page.set(page().saturating_sub(1))
                    data-test="pager-previous"
                >
                    "Previous"
                </button>
                <span aria-live="polite" data-test="pager-range">{range}</span>
                <button
                    class="button"
                    type="button"
                    disabled=at_end
                    on:click=move |_| paging.page.set(page() + 1)
                    data-test="pager-next"
                >
                    "Next"
                </button>
            </nav>
        </Show>
    }
}
