//! Building the UI and the desktop app, and `cargo xtask run`.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Command;

use anyhow::{Result, bail};

use crate::{cmd, display, paths, setup};

/// The desktop app must embed ui/dist: without this feature it is a dev
/// build that loads `trunk serve`'s URL and shows a blank window.
pub const APP_FEATURES: &str = "portcullis-desktop/custom-protocol";

const APP_PACKAGE: &str = "portcullis-desktop";

/// Builds the UI with trunk: debug builds into ui/dist, release builds into
/// `target/ui-dist-release` (see [`release_ui_dist`]). Debug builds skip
/// wasm-opt; release builds use the wasm-opt setup installs. Trunk runs
/// offline, so crates are fetched first.
///
/// Trunk runs under `flock` on [`TRUNK_LOCK`]: the checkout is shared, and
/// two trunk builds at once clobber each other's output.
pub fn build_ui(release: bool) -> Result<()> {
    if release {
        setup::ensure_wasm_opt()?;
    }
    cmd::run(cmd::command("cargo").args(["fetch", "--quiet"]))?;
    let mut trunk = cmd::command("flock");
    trunk
        .args([TRUNK_LOCK, "trunk", "build", "--quiet"])
        .current_dir(paths::workspace_root().join("ui"));
    if release {
        trunk.arg("--release").arg("--dist").arg(release_ui_dist());
    }
    cmd::run(&mut trunk)
}

/// The lock every trunk build of this checkout takes (`flock FILE trunk
/// ...`, by people and by xtask alike).
pub const TRUNK_LOCK: &str = "/tmp/portcullis-trunk.lock";

/// Where release builds of the UI go, and what release builds of the app
/// embed: not ui/dist, which debug builds (the end-to-end tests, other
/// people's) rewrite at any time, so a release binary built meanwhile
/// would embed a debug UI or a half-written one.
pub fn release_ui_dist() -> PathBuf {
    paths::target_dir().join("ui-dist-release")
}

/// Builds the desktop app (after the UI: the binary embeds ui/dist at
/// compile time) and returns its path.
pub fn build_app(release: bool) -> Result<PathBuf> {
    let mut cargo = cmd::command("cargo");
    cargo.args([
        "build",
        "--package",
        APP_PACKAGE,
        "--features",
        APP_FEATURES,
    ]);
    if release {
        // `TAURI_CONFIG` is merged into tauri.conf.json by the build script
        // and by `generate_context!`.
        let dist = release_ui_dist();
        let config = serde_json::json!({ "build": { "frontendDist": dist } });
        cargo
            .arg("--release")
            .env("TAURI_CONFIG", config.to_string());
    }
    cmd::run(&mut cargo)?;
    app_binary(release)
}

/// Builds every crate and test of the workspace, with the app's features,
/// and returns the desktop binary's path (debug).
pub fn build_workspace() -> Result<PathBuf> {
    cmd::run(cmd::command("cargo").args([
        "build",
        "--workspace",
        "--all-targets",
        "--features",
        APP_FEATURES,
    ]))?;
    app_binary(false)
}

/// The desktop binary of the last build (debug or release).
pub fn app_binary(release: bool) -> Result<PathBuf> {
    let binary = paths::target_dir()
        .join(if release { "release" } else { "debug" })
        .join(APP_PACKAGE);
    if !binary.is_file() {
        bail!("{} is missing: build it first", binary.display());
    }
    Ok(binary)
}

/// `cargo xtask run`: setup, build, open the window and wait for it to close.
pub fn run_app(release: bool, app_args: &[OsString]) -> Result<()> {
    setup::run()?;
    build_ui(release)?;
    let binary = build_app(release)?;
    let display = display::ensure()?;
    let mut app = Command::new(&binary);
    app.args(app_args);
    display.apply_to(&mut app);
    cmd::run(&mut app)
}
