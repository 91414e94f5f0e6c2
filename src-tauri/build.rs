//! Declares every IPC command in the app manifest, so that each is allowed
//! only where a capability grants it (capabilities/default.json).

fn main() {
    let commands: Vec<&'static str> = portcullis_model::COMMAND_NAMES
        .iter()
        .chain(portcullis_model::commands::STREAM_COMMAND_NAMES)
        .copied()
        .collect();
    let manifest = tauri_build::AppManifest::new().commands(commands.leak());
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("the Tauri build step failed");
}
