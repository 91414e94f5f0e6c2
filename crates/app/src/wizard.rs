//! The guided check's progress: saved at every step, so that quitting and
//! coming back lands on the same step with the same answers.

use portcullis_model::wizard::WizardProgress;

use crate::error::{Result, from_store};
use crate::workspace::Workspace;

/// The setting the progress is saved under.
const PROGRESS_KEY: &str = "wizard.progress";

impl Workspace {
    /// The saved progress, or a fresh start when there is none. Progress an
    /// older version saved in a shape this one cannot read also starts
    /// afresh: it holds answers, not records, so nothing an assessor needs
    /// is lost.
    pub async fn wizard_progress(&self) -> Result<WizardProgress> {
        let saved = self.store.setting(PROGRESS_KEY).await.map_err(from_store)?;
        let Some(text) = saved else {
            return Ok(WizardProgress::default());
        };
        Ok(serde_json::from_str(&text).unwrap_or_else(|error| {
            tracing::warn!(%error, "the saved guided-check progress is unreadable; starting afresh");
            WizardProgress::default()
        }))
    }

    /// Saves the progress, replacing what was saved; returns it as saved.
    pub async fn save_wizard_progress(&self, progress: WizardProgress) -> Result<WizardProgress> {
        let text = serde_json::to_string(&progress)
            .map_err(|error| portcullis_model::AppError::internal(error.to_string()))?;
        self.store
            .put_setting(PROGRESS_KEY, &text)
            .await
            .map_err(from_store)?;
        Ok(progress)
    }
}
