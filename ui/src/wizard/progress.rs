//! Where the guided check's progress is kept: the backend's database,
//! through `wizard_load` and `wizard_save`, so that quitting the app and
//! coming back lands on the same step with the same answers. These are the
//! only two functions the wizard calls to load and save it.

use portcullis_model::AppError;
use portcullis_model::commands::{Empty, WizardLoad, WizardSave};
use portcullis_model::wizard::WizardProgress;

use crate::ipc;

/// The saved progress, or a fresh start when nothing was saved.
pub async fn load() -> Result<WizardProgress, AppError> {
    ipc::invoke::<WizardLoad>(&Empty::default()).await
}

pub async fn save(progress: &WizardProgress) -> Result<(), AppError> {
    ipc::invoke::<WizardSave>(progress).await.map(drop)
}
