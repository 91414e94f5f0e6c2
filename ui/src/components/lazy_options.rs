//! A select's options, drawn when the person reaches for the select.
//!
//! A list of 5,000 systems is 5,000 option elements: drawing them with the
//! page costs it its first paint. Until the select is focused (by Tab or a
//! click) or the pointer comes over it, only the chosen option is drawn;
//! then all of them are, before the list opens.

use leptos::prelude::*;
use portcullis_model::listing::SystemName;

/// Whether the person has reached for the select yet.
#[derive(Debug, Clone, Copy)]
pub struct LazyOptions {
    reached: RwSignal<bool>,
}

impl LazyOptions {
    pub fn new() -> LazyOptions {
        LazyOptions {
            reached: RwSignal::new(false),
        }
    }

    /// Every option drawn from the start: for a short list.
    pub fn eager() -> LazyOptions {
        LazyOptions {
            reached: RwSignal::new(true),
        }
    }

    /// Whether the person has reached for the select, tracked: a list that
    /// is costly to load can wait for it too.
    pub fn reached(self) -> bool {
        self.reached.get()
    }

    /// From now on every option is drawn. The select calls it on focus
    /// and on pointer enter.
    pub fn reach(self) {
        if !self.reached.get_untracked() {
            self.reached.set(true);
        }
    }

    /// The options (each a key and its words) as `<option>`s: all of them
    /// once reached, else only the one whose key is `chosen`.
    pub fn view(
        self,
        options: Signal<Vec<(String, String)>>,
        chosen: Signal<String>,
    ) -> impl IntoView {
        move || {
            let reached = self.reached.get();
            let chosen = chosen.get_untracked();
            options.with(|options| {
                options
                    .iter()
                    .filter(|(key, _)| reached || *key == chosen)
                    .map(|(key, words)| {
                        view! {
                            <option value=key.clone() selected=*key == chosen>
                                {words.clone()}
                            </option>
                        }
                    })
                    .collect_view()
            })
        }
    }
}

/// The systems, once loaded, as a select's options: each one's id and
/// name.
pub fn system_options(systems: Signal<Option<Vec<SystemName>>>) -> Signal<Vec<(String, String)>> {
    Signal::derive(move || {
        systems.with(|names| {
            names
                .iter()
                .flatten()
                .map(|s| (s.id.to_string(), s.name.clone()))
                .collect()
        })
    })
}

impl Default for LazyOptions {
    fn default() -> LazyOptions {
        LazyOptions::new()
    }
}
