//! Monitoring in the desktop app: the commands over the workspace's
//! schedules, alerts and notifications, and the watch that runs the
//! schedules while the app is open and shows what they raise.

use std::sync::Arc;

use portcullis_app::watch::Pace;
use portcullis_model::commands::*;
use portcullis_model::monitor::{MonitorOutcome, Notification, NotificationRaised};
use portcullis_model::{AppError, Command, Event};
use tauri::{Emitter, Manager, State};

use crate::state::AppState;

type Request<C> = <C as Command>::Request;
type Response<C> = <C as Command>::Response;

handler!(SchedulesList, schedules_list, |w, _| w.schedules().await);
handler!(ServiceProvider, service_provider, |w, given| w
    .service_provider(given)
    .await);
handler!(ScanProfileCommand, scan_profile, |w, given| w
    .scan_profile(given)
    .await);
handler!(ScheduleAdd, schedule_add, |w, input| w
    .add_schedule(input)
    .await);
handler!(ScheduleRemove, schedule_remove, |w, id| w
    .remove_schedule(id)
    .await);
handler!(AlertsList, alerts_list, |w, unseen| w
    .alerts(unseen, 200)
    .await);
handler!(AlertsSeen, alerts_seen, |w, through| w
    .mark_alerts_seen(through)
    .await);
handler!(NotificationsList, notifications_list, |w, _| w
    .notifications(50)
    .await);

assert_command_name!(MonitorNow::NAME, monitor_now);
/// One check now; the watch is woken so that its notification shows at
/// once rather than within the minute.
#[tauri::command]
pub async fn monitor_now(
    state: State<'_, AppState>,
    request: Request<MonitorNow>,
) -> Result<Response<MonitorNow>, AppError> {
    let _: portcullis_model::commands::Empty = request;
    let outcome: Result<MonitorOutcome, AppError> = state.workspace().await?.monitor_once().await;
    state.wake_watch();
    outcome
}

/// Keeps watch while the app runs: the schedules run when due, and each
/// notification raised (here or by a check the computer's scheduler ran)
/// is shown once on the desktop and announced to the window.
pub fn start_watch(app: tauri::AppHandle) {
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        let Ok(workspace) = state.workspace().await else {
            return;
        };
        let pace = Pace::RealTime {
            every: portcullis_app::watch::WATCH_EVERY,
            wake: Arc::clone(&state.watch_wake),
        };
        let stop = state.watch_stop.notified();
        let show = |notification: &Notification| show(&app, notification);
        workspace.watch(pace, stop, show, |_, _| {}).await;
    });
}

fn show(app: &tauri::AppHandle, notification: &Notification) {
    crate::notify::notify(app, &notification.title, &notification.body);
    if let Err(error) = app.emit(NotificationRaised::NAME, notification) {
        tracing::warn!(%error, "the window was not told of a notification");
    }
}
