//! The IPC commands. Each handler's name, request and response are those of
//! a `portcullis_model::Command`; the UI calls them through that type only.

use portcullis_model::{AppInfoCommand, Command, IpcError};
use tauri::State;

use crate::state::AppState;

type Request<C> = <C as Command>::Request;
type Response<C> = <C as Command>::Response;

/// Fails the build if a handler's name drifts from its command's wire name.
macro_rules! assert_command_name {
    ($command:ty, $handler:ident) => {
        const _: () = assert!(
            const_str_eq(<$command as Command>::NAME, stringify!($handler)),
            "handler name differs from the command's NAME"
        );
    };
}

const fn const_str_eq(a: &str, b: &str) -> bool {
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

assert_command_name!(AppInfoCommand, app_info);
#[tauri::command]
pub async fn app_info(
    state: State<'_, AppState>,
    request: Request<AppInfoCommand>,
) -> Result<Response<AppInfoCommand>, IpcError> {
    let _ = request;
    announce_ui_ready();
    Ok(portcullis_model::AppInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        data_dir: state.data_dir.display().to_string(),
        database: state.database_status().await,
    })
}

/// The UI asks for `app_info` as soon as it has mounted, so its first answer
/// marks the moment the window is usable. `cargo xtask bench startup` times
/// launches by this line on standard error.
fn announce_ui_ready() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| eprintln!("{UI_READY_MARKER}"));
}

/// Printed once per run; see [`announce_ui_ready`].
pub const UI_READY_MARKER: &str = "portcullis-desktop: ui ready (first app_info answered)";
