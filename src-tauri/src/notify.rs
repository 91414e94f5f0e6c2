//! Desktop notifications, delivered through tauri-plugin-notification
//! from Rust (the window is never granted the plugin's commands).
//!
//! A notification is a courtesy on top of the dashboard's record of what
//! changed, never the record itself: so failing to show one is logged and
//! never an error the caller must handle. On Linux the plugin sends it on
//! a background task and drops what the notification server answers; a
//! desktop without a server (a bare X session, a server) would then lose
//! notifications without a word, so a second task asks the server for its
//! name and logs when none answers.

use tauri::AppHandle;
use tauri_plugin_notification::NotificationExt;

/// Shows a desktop notification; returns at once, never fails.
pub fn notify(app: &AppHandle, title: &str, body: &str) {
    let shown = app.notification().builder().title(title).body(body).show();
    if let Err(error) = shown {
        tracing::warn!(%error, title, "the desktop notification could not be sent");
        return;
    }
    #[cfg(all(unix, not(target_os = "macos")))]
    {
        let title = title.to_owned();
        tauri::async_runtime::spawn_blocking(move || {
            if let Err(error) = notify_rust::get_server_information() {
                tracing::warn!(
                    %error,
                    title = %title,
                    "no desktop notification server answers; the notification was not shown"
                );
            }
        });
    }
}
