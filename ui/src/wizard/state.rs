//! The wizard's progress while the window is open: loaded once, changed by
//! the steps, saved after every change, so leaving at any step loses
//! nothing.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portcullis_model::wizard::{WizardProgress, WizardStep};

use super::progress;
use crate::components::Toasts;

/// Shared through context by every step.
#[derive(Debug, Clone, Copy)]
pub struct WizardState {
    /// `None` until the saved progress has been read.
    pub progress: RwSignal<Option<WizardProgress>>,
    /// The newest progress not yet handed to the backend.
    unsaved: StoredValue<Option<WizardProgress>>,
    /// Whether a save is under way, for the page to say so.
    pub saving: RwSignal<bool>,
}

impl WizardState {
    /// Creates the state, puts it in context and starts loading.
    pub fn provide() -> WizardState {
        let state = WizardState {
            progress: RwSignal::new(None),
            unsaved: StoredValue::new(None),
            saving: RwSignal::new(false),
        };
        provide_context(state);
        let toasts = Toasts::from_context();
        spawn_local(async move {
            let loaded = progress::load().await.unwrap_or_else(|error| {
                toasts.error(format!(
                    "Your saved answers could not be read, so the guided check starts again: {}",
                    error.message
                ));
                WizardProgress::default()
            });
            state.progress.set(Some(loaded));
        });
        state
    }

    pub fn from_context() -> WizardState {
        expect_context::<WizardState>()
    }

    /// Changes the progress with `change` and saves it.
    pub fn update(self, change: impl FnOnce(&mut WizardProgress)) {
        let mut saved = None;
        self.progress.update(|progress| {
            let progress = progress.get_or_insert_with(WizardProgress::default);
            change(progress);
            saved = Some(progress.clone());
        });
        if let Some(progress) = saved {
            self.unsaved.set_value(Some(progress));
            self.save_in_order();
        }
    }

    /// Saves one at a time, always the newest: two saves in flight could
    /// land in either order and leave the older answers saved. Answers
    /// given during a save are saved right after it, together.
    fn save_in_order(self) {
        if self.saving.get_untracked() {
            return;
        }
        self.saving.set(true);
        let toasts = Toasts::from_context();
        spawn_local(async move {
            while let Some(progress) = self.unsaved.try_update_value(Option::take).flatten() {
                if let Err(error) = progress::save(&progress).await {
                    toasts.error(format!(
                        "Your answers could not be saved: {}",
                        error.message
                    ));
                }
            }
            self.saving.set(false);
        });
    }

    /// Moves to `step` (saving that it was reached).
    pub fn go_to(self, step: WizardStep) {
        self.update(|progress| progress.go_to(step));
    }
}
