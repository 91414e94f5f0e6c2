//! The Portcullis desktop shell.
//!
//! Thin by design: it parses its few arguments, opens the workspace
//! (`portcullis-app`), registers the IPC commands whose types live in
//! `portcullis-model`, and forwards events. Anything that decides
//! something belongs in the app layer and below.

mod args;
#[macro_use]
mod commands;
mod files;
mod login;
pub mod notify;
mod state;
mod tray;
mod watching;
mod webview_memory;

use portcullis_model::{DatabaseStatusChanged, Event};
use tauri::{Emitter, Manager};

use crate::state::AppState;

/// Builds and runs the app until its last window closes, or, when the
/// person keeps watching from the tray, until "Quit Portcullis".
pub fn run() {
    webview_memory::before_start();
    log_to_stderr();
    let args = args::DesktopArgs::from_env();
    let data_dir = match portcullis_app::resolve_data_dir(args.data_dir.as_deref()) {
        Ok(dir) => dir,
        Err(error) => {
            eprintln!("portcullis-desktop: {error}");
            std::process::exit(2);
        }
    };
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(login::plugin())
        .plugin(tauri_plugin_notification::init())
        .manage(AppState::new(data_dir))
        .manage(tray::Background::new(args.in_tray))
        .setup(|app| {
            tray::start(app.handle())?;
            open_store_in_background(app.handle().clone());
            quit_on_sigterm(app.handle().clone());
            Ok(())
        })
        .invoke_handler(commands::handlers())
        .build(tauri::generate_context!())
        .expect("the Tauri runtime failed to start")
        .run(|app, event| match event {
            // The last window closed (an exit asked for carries a code):
            // stay in the tray if the person chose to keep watching.
            tauri::RunEvent::ExitRequested {
                code: None, api, ..
            } if app.state::<tray::Background>().keeps_running() => {
                api.prevent_exit();
            }
            tauri::RunEvent::WindowEvent {
                event: tauri::WindowEvent::Destroyed,
                ..
            } => webview_memory::after_window_closed(),
            tauri::RunEvent::Exit => shut_down(app),
            _ => {}
        });
}

/// Warnings and errors (a notification nobody could show, a tray that
/// could not be set up) on standard error; `PORTCULLIS_LOG` as for the CLI
/// (`PORTCULLIS_LOG=debug`) says more.
fn log_to_stderr() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("PORTCULLIS_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// SIGTERM (the session ending, `kill`, a service manager) quits as "Quit
/// Portcullis" does, through the workspace's shutdown, instead of leaving
/// running scans for the next start to find interrupted. A tray app has no
/// window whose closing would do it.
fn quit_on_sigterm(app: tauri::AppHandle) {
    #[cfg(unix)]
    tauri::async_runtime::spawn(async move {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                if terminate.recv().await.is_some() {
                    app.exit(0);
                }
            }
            Err(error) => tracing::warn!(%error, "cannot listen for SIGTERM"),
        }
    });
    #[cfg(not(unix))]
    let _ = app;
}

/// On exit, running scans end as cancelled, with what they found saved,
/// rather than as interrupted for the next start to find.
fn shut_down(app: &tauri::AppHandle) {
    let state = app.state::<AppState>();
    state.watch_stop.notify_waiters();
    tauri::async_runtime::block_on(async {
        if let Ok(workspace) = state.workspace().await {
            workspace.shutdown().await;
        }
    });
}

/// Opens (and migrates) the database without holding up the window, then
/// tells the UI through [`DatabaseStatusChanged`].
fn open_store_in_background(app: tauri::AppHandle) {
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        let status = state.open().await;
        if let Ok(workspace) = state.workspace().await {
            tray::follow_saved_choice(&app, &workspace).await;
        }
        if let Err(error) = app.emit(DatabaseStatusChanged::NAME, &status) {
            eprintln!("portcullis-desktop: cannot notify the UI: {error}");
        }
        watching::start_watch(app.clone());
    });
}
