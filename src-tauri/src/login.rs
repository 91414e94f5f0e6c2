//! "Start Portcullis when I log in": the operating system's autostart
//! entry (an XDG autostart file on Linux, a launch agent on macOS, a Run
//! key on Windows), written and read through tauri-plugin-autostart from
//! Rust. The entry itself is the one record of the choice, so what the
//! Settings page shows is what happens at the next login; the window is
//! never granted the plugin's own commands.

use portcullis_model::AppError;
use tauri::AppHandle;
use tauri_plugin_autostart::ManagerExt;

use crate::args::IN_TRAY;

/// The field the errors concern, for the Settings page.
const FIELD: &str = "start-at-login";

/// The plugin, set to start the app with no window, in the tray.
pub fn plugin() -> tauri::plugin::TauriPlugin<tauri::Wry> {
    tauri_plugin_autostart::Builder::new().arg(IN_TRAY).build()
}

/// Whether the entry is there.
pub fn enabled(app: &AppHandle) -> Result<bool, AppError> {
    app.autolaunch()
        .is_enabled()
        .map_err(|error| failed("read", &error))
}

/// Writes or removes the entry; answers what the system then reports.
pub fn set(app: &AppHandle, on: bool) -> Result<bool, AppError> {
    let manager = app.autolaunch();
    let done = if on {
        manager.enable()
    } else {
        manager.disable()
    };
    done.map_err(|error| failed("change", &error))?;
    enabled(app)
}

fn failed(what: &str, error: &tauri_plugin_autostart::Error) -> AppError {
    AppError::new(
        portcullis_model::ErrorKind::Unavailable,
        format!("Portcullis could not {what} its start at login: {error}"),
    )
    .with_field(FIELD)
}
