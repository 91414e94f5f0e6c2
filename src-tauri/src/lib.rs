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
mod notify;
mod state;
mod watching;
mod webview_memory;

use portcullis_model::{DatabaseStatusChanged, Event};
use tauri::{Emitter, Manager};

use crate::state::AppState;

/// Builds and runs the app until its last window closes.
pub fn run() {
    webview_memory::before_start();
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
        .manage(AppState::new(data_dir))
        .setup(|app| {
            open_store_in_background(app.handle().clone());
            Ok(())
        })
        .invoke_handler(commands::handlers())
        .build(tauri::generate_context!())
        .expect("the Tauri runtime failed to start")
        .run(|app, event| {
            if let tauri::RunEvent::Exit = event {
                shut_down(app);
            }
        });
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
        if let Err(error) = app.emit(DatabaseStatusChanged::NAME, &status) {
            eprintln!("portcullis-desktop: cannot notify the UI: {error}");
        }
        watching::start_watch(app.clone());
    });
}
