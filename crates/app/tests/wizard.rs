//! The guided check's progress survives quitting: saved, reopened, the same.

use chrono::{TimeZone, Utc};
use portcullis_app::{FixedClock, Workspace, WorkspaceOptions};
use portcullis_model::wizard::{
    BusinessProfile, CardChannel, Hosting, ScanDepth, WizardProgress, WizardStep,
};

async fn open(dir: &std::path::Path) -> Workspace {
    let mut options = WorkspaceOptions::new(dir.to_path_buf(), "alice".into());
    options.clock = FixedClock::new(Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap());
    Workspace::open(options).await.expect("workspace opens")
}

#[tokio::test]
async fn progress_saved_in_the_review_step_is_there_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let workspace = open(dir.path()).await;
    assert_eq!(
        workspace.wizard_progress().await.unwrap(),
        WizardProgress::default(),
        "a new workspace starts at the beginning"
    );

    let mut progress = WizardProgress {
        business: Some(BusinessProfile {
            channels: vec![CardChannel::ProviderFrame],
            terminal_link: None,
            hosting: Some(Hosting::RentedServer),
        }),
        scan_depth: Some(ScanDepth::Full),
        ..WizardProgress::default()
    };
    progress.go_to(WizardStep::Review);
    workspace
        .save_wizard_progress(progress.clone())
        .await
        .unwrap();
    workspace.shutdown().await;
    drop(workspace);

    let reopened = open(dir.path()).await;
    assert_eq!(reopened.wizard_progress().await.unwrap(), progress);
}
