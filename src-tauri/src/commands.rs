//! The IPC handlers: one line each over the workspace. Each handler's name,
//! request and response are those of a command in `portcullis_model`'s
//! table; the UI calls them through those types only.

use portcullis_model::commands::*;
use portcullis_model::scan_record::{RunId, ScanUpdate};
use portcullis_model::{AppError, AppInfo, Command};
use tauri::ipc::Channel;
use tauri::{AppHandle, State};

use crate::state::AppState;
// The file commands and the macros Tauri makes beside each, for `register!`.
use crate::files::*;
use crate::watching::*;

type Request<C> = <C as Command>::Request;
type Response<C> = <C as Command>::Response;

/// Fails the build if a handler's name drifts from its command's wire name.
macro_rules! assert_command_name {
    ($name:expr, $handler:ident) => {
        const _: () = assert!(
            $crate::commands::const_str_eq($name, stringify!($handler)),
            "handler name differs from the command's NAME"
        );
    };
}

pub(crate) const fn const_str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// A handler for `$command`: the open workspace as `$workspace`, the
/// request as `$request`, and one expression that answers.
macro_rules! handler {
    ($command:ty, $handler:ident, |$workspace:ident, $request:pat_param| $answer:expr) => {
        assert_command_name!(<$command as Command>::NAME, $handler);
        #[tauri::command]
        pub async fn $handler(
            state: State<'_, AppState>,
            request: Request<$command>,
        ) -> Result<Response<$command>, AppError> {
            let $workspace = state.workspace().await?;
            let $request = request;
            $answer
        }
    };
}

assert_command_name!(AppInfoCommand::NAME, app_info);
#[tauri::command]
pub async fn app_info(
    state: State<'_, AppState>,
    request: Request<AppInfoCommand>,
) -> Result<Response<AppInfoCommand>, AppError> {
    let _ = request;
    announce_ui_ready();
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        data_dir: state.data_dir.display().to_string(),
        database: state.database_status().await,
        advisories: portcullis_app::advisories_in_use(),
    })
}

handler!(SystemsList, systems_list, |w, _| w.systems().await);
handler!(SystemAdd, system_add, |w, system| w
    .add_system(system)
    .await);
handler!(SystemEditCommand, system_edit, |w, edit| w
    .edit_system(edit)
    .await);
handler!(SystemRemove, system_remove, |w, id| w
    .remove_system(id)
    .await);
handler!(InventoryList, inventory_list, |w, system| w
    .inventory(system)
    .await);
handler!(InventoryAdd, inventory_add, |w, entry| w
    .add_inventory_entry(entry)
    .await);
handler!(InventoryRenew, inventory_renew, |w, renewal| w
    .renew_inventory_entry(renewal)
    .await);
handler!(InventoryRemove, inventory_remove, |w, removal| w
    .remove_inventory_entry(removal)
    .await);
handler!(FindingsList, findings_list, |w, filter| w
    .findings(&filter)
    .await);
handler!(InventoryEntryCommand, inventory_entry, |w, id| w
    .inventory_row(id)
    .await);
handler!(FindingDetailCommand, finding_detail, |w, id| w
    .finding_detail(id)
    .await);
handler!(FindingAccept, finding_accept, |w, acceptance| w
    .accept_finding(acceptance)
    .await);
handler!(FindingDispute, finding_dispute, |w, disputal| w
    .dispute_finding(disputal)
    .await);
handler!(FindingFixed, finding_fixed, |w, id| w.mark_fixed(id).await);
handler!(ScansList, scans_list, |w, limit| w.scans(limit).await);
handler!(ScanReportCommand, scan_report, |w, id| w
    .scan_report(id)
    .await);
handler!(ScanJudge, scan_judge, |w, id| w.judge_scan(id).await);
handler!(ScanCancel, scan_cancel, |w, run| w.cancel_scan(run));
handler!(ScansRunning, scans_running, |w, _| Ok(w.running_scans()));
handler!(SystemNames, system_names, |w, _| w.system_names().await);
handler!(InventoryPageCommand, inventory_page, |w, query| w
    .inventory_page(&query)
    .await);
handler!(FindingsPageCommand, findings_page, |w, query| w
    .finding_page(&query)
    .await);
handler!(StatusCommand, status, |w, _| w.status().await);
handler!(CopyCancel, copy_cancel, |w, _| {
    w.cancel_copy();
    Ok(())
});
handler!(DashboardStatus, dashboard_status, |w, _| w
    .dashboard_status()
    .await);
handler!(DashboardCommand, dashboard, |w, _| w.dashboard().await);
handler!(DiffCommand, diff, |w, request| w.diff(request).await);
handler!(SegmentationRecordCommand, segmentation_record, |w, test| w
    .record_segmentation_test(test)
    .await);
handler!(SegmentationList, segmentation_list, |w, _| w
    .segmentation_tests()
    .await);
handler!(AuditVerify, audit_verify, |w, _| w.verify_audit_log().await);
handler!(AuditShow, audit_show, |w, limit| w.audit_rows(limit).await);
handler!(WizardLoad, wizard_load, |w, _| w.wizard_progress().await);
handler!(WizardSave, wizard_save, |w, progress| w
    .save_wizard_progress(progress)
    .await);
handler!(GuidedScanSettings, guided_scan_settings, |w, depth| w
    .guided_scan_settings(depth)
    .await);
handler!(ScanReadiness, scan_readiness, |w, _| w
    .scan_readiness()
    .await);
handler!(LocalNetworks, local_networks, |w, _| w
    .local_networks()
    .await);
handler!(ReviewCommand, review, |w, _| w.review().await);
handler!(BusinessName, business_name, |w, given| w
    .business_name(given.as_deref())
    .await);
handler!(
    VerificationSettings,
    verification_settings,
    |w, findings| w.verification_settings(findings).await
);
handler!(FixStepsCommand, fix_steps, |w, request| w
    .fix_steps(request.finding_id, request.platform)
    .await);
handler!(SystemPlatformCommand, system_platform, |w, id| w
    .system_platform(id)
    .await);
handler!(SystemPlatformSet, system_platform_set, |w, statement| w
    .set_system_platform(statement.system_id, statement.platform)
    .await);
handler!(FirewallRulesetCommand, firewall_ruleset, |w, request| w
    .firewall_ruleset(request.system_id, request.format)
    .await);

handler!(KeepWatching, keep_watching, |w, _| w.keep_watching().await);

assert_command_name!(KeepWatchingSet::NAME, keep_watching_set);
/// Saves the choice and puts the tray icon up or takes it down.
#[tauri::command]
pub async fn keep_watching_set(
    app: AppHandle,
    state: State<'_, AppState>,
    request: Request<KeepWatchingSet>,
) -> Result<Response<KeepWatchingSet>, AppError> {
    crate::tray::set_keep_watching(&app, &*state.workspace().await?, request).await
}

assert_command_name!(StartAtLogin::NAME, start_at_login);
#[tauri::command]
pub async fn start_at_login(
    app: AppHandle,
    request: Request<StartAtLogin>,
) -> Result<Response<StartAtLogin>, AppError> {
    let _ = request;
    crate::login::enabled(&app)
}

assert_command_name!(StartAtLoginSet::NAME, start_at_login_set);
#[tauri::command]
pub async fn start_at_login_set(
    app: AppHandle,
    request: Request<StartAtLoginSet>,
) -> Result<Response<StartAtLoginSet>, AppError> {
    crate::login::set(&app, request)
}

assert_command_name!(ScanStart::NAME, scan_start);
/// Plans, records and starts a scan; its updates go to `updates` until it
/// ends. The scan belongs to the workspace, not to this call: a reloaded
/// window finds it with `scans_running` and follows it with `scan_attach`.
#[tauri::command]
pub async fn scan_start(
    state: State<'_, AppState>,
    request: <ScanStart as StreamCommand>::Request,
    updates: Channel<ScanUpdate>,
) -> Result<RunId, AppError> {
    let workspace = state.workspace().await?;
    let plan = workspace.plan_scan(request).await?;
    let run = workspace.start_scan(plan, true).await?;
    forward(run.subscribe(), updates);
    Ok(run.id())
}

assert_command_name!(ScanAttach::NAME, scan_attach);
#[tauri::command]
pub async fn scan_attach(
    state: State<'_, AppState>,
    request: <ScanAttach as StreamCommand>::Request,
    updates: Channel<ScanUpdate>,
) -> Result<(), AppError> {
    let workspace = state.workspace().await?;
    forward(workspace.attach_scan(request)?, updates);
    Ok(())
}

assert_command_name!(SegmentationRun::NAME, segmentation_run);
/// Runs the segmentation test; its scan's updates go to `updates`, and the
/// answer is the recorded outcome.
#[tauri::command]
pub async fn segmentation_run(
    state: State<'_, AppState>,
    request: <SegmentationRun as StreamCommand>::Request,
    updates: Channel<ScanUpdate>,
) -> Result<<SegmentationRun as StreamCommand>::Response, AppError> {
    let workspace = state.workspace().await?;
    let run = workspace.start_segmentation_test(request).await?;
    forward(run.scan.subscribe(), updates);
    workspace.finish_segmentation_test(run).await
}

/// Sends a scan's updates to the window until the scan ends or the window
/// stops listening.
fn forward(mut subscription: portcullis_app::Subscription, updates: Channel<ScanUpdate>) {
    tauri::async_runtime::spawn(async move {
        while let Some(update) = subscription.next().await {
            if updates.send(update).is_err() {
                break;
            }
        }
    });
}

/// The UI asks for `app_info` as soon as it has mounted, so its first answer
/// marks the moment the window is usable. `cargo xtask bench startup` times
/// launches by this line on standard error, and `bench tray` knows by it
/// that a window opened again from the tray works.
fn announce_ui_ready() {
    if !UI_ANNOUNCED.swap(true, std::sync::atomic::Ordering::SeqCst) {
        eprintln!("{UI_READY_MARKER}");
    }
}

/// Whether this window's UI was announced; see [`expect_new_ui`].
static UI_ANNOUNCED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// A new window is built: its UI is announced in turn.
pub fn expect_new_ui() {
    UI_ANNOUNCED.store(false, std::sync::atomic::Ordering::SeqCst);
}

/// Printed once per window; see [`announce_ui_ready`].
pub const UI_READY_MARKER: &str = "portcullis-desktop: ui ready (first app_info answered)";

/// Registers every handler with Tauri, and lists their names for the test
/// that compares them with the model's table.
macro_rules! register {
    ($($handler:ident),* $(,)?) => {
        /// The handlers, for `tauri::Builder::invoke_handler`.
        pub fn handlers() -> impl Fn(tauri::ipc::Invoke<tauri::Wry>) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($handler),*]
        }

        /// The names of the registered handlers.
        #[cfg(test)]
        pub const REGISTERED: &[&str] = &[$(stringify!($handler)),*];
    };
}

register![
    app_info,
    systems_list,
    system_add,
    system_edit,
    system_remove,
    inventory_list,
    inventory_add,
    inventory_renew,
    inventory_remove,
    findings_list,
    findings_page,
    inventory_entry,
    finding_detail,
    dashboard_status,
    inventory_page,
    system_names,
    finding_accept,
    finding_dispute,
    finding_fixed,
    scans_list,
    scan_report,
    scan_judge,
    scan_cancel,
    scans_running,
    status,
    dashboard,
    diff,
    segmentation_record,
    segmentation_list,
    audit_verify,
    audit_show,
    wizard_load,
    wizard_save,
    guided_scan_settings,
    scan_readiness,
    local_networks,
    review,
    verification_settings,
    fix_steps,
    system_platform,
    system_platform_set,
    firewall_ruleset,
    import_cancel,
    proposal_save,
    export_document,
    inventory_export_file,
    inventory_import_file,
    business_name,
    service_provider,
    scan_profile,
    schedules_list,
    schedule_add,
    schedule_remove,
    monitor_now,
    alerts_list,
    alerts_seen,
    notifications_list,
    keep_watching,
    keep_watching_set,
    start_at_login,
    start_at_login_set,
    scan_start,
    scan_attach,
    import_file,
    import_proposal,
    segmentation_run,
    backup_save,
    restore_open,
    copy_cancel,
];

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// A command in the model's table without a handler here (or a handler
    /// for no command) fails this test.
    #[test]
    fn every_command_has_exactly_one_registered_handler() {
        let declared: BTreeSet<&str> = portcullis_model::COMMAND_NAMES
            .iter()
            .chain(STREAM_COMMAND_NAMES)
            .copied()
            .collect();
        let registered: BTreeSet<&str> = REGISTERED.iter().copied().collect();
        assert_eq!(
            registered.len(),
            REGISTERED.len(),
            "a handler is registered twice"
        );
        assert_eq!(declared, registered);
    }

    /// Every command is granted to the main window, and nothing else is
    /// asked for beyond listening to events.
    #[test]
    fn the_window_is_granted_exactly_the_app_commands() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/capabilities/default.json"
        ))
        .unwrap();
        let capability: serde_json::Value = serde_json::from_str(&text).unwrap();
        let granted: BTreeSet<String> = capability["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_owned())
            .collect();
        let mut expected: BTreeSet<String> = REGISTERED
            .iter()
            .map(|name| format!("allow-{}", name.replace('_', "-")))
            .collect();
        expected.insert("core:event:allow-listen".into());
        expected.insert("core:event:allow-unlisten".into());
        assert_eq!(granted, expected);
    }
}
