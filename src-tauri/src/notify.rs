//! Desktop notifications (placeholder until the notification plugin is
//! wired): logged only.

pub fn deliver(_app: &tauri::AppHandle, title: &str, body: &str) {
    tracing::info!(title, body, "notification");
}
