//! Watching from the system tray: the window can close while the backend
//! keeps checking on schedule.
//!
//! When the person has chosen it ("Keep watching from the tray when the
//! window is closed", saved by the app layer), closing the window does not
//! quit. The window is destroyed, not hidden: a hidden window keeps its
//! webview, and WebKit's web process with it, which is most of what the app
//! costs in memory; a destroyed one lets that process end, so watching costs
//! the backend (and WebKit's network process, which WebKitGTK never ends and
//! Tauri keeps on Linux for the next window: tauri-apps/tauri#14626). The
//! tray icon's menu opens the window again, built afresh from the
//! configuration (same label, same page), or quits through the workspace's
//! shutdown like any other exit.
//!
//! What it saves, PSS in MiB of the app and its WebKit processes
//! (`cargo xtask bench tray --release --no-build --runs 3`, release build,
//! Xvfb, a session bus of the bench's own, 2026-12-07; medians; the debug
//! build read 345, 129 and 91):
//!
//! | state                        | total | app | WebKit web | network |
//! |------------------------------|-------|-----|------------|---------|
//! | window open                  | 236   | 70  | 148        | 18      |
//! | window closed, in the tray   | 88    | 69  | 0          | 19      |
//! | started at login (--in-tray) | 40    | 40  | 0          | 0       |
//!
//! The network process stays (see above); the app keeps about 30 MiB more
//! than one that never opened a window: WebKit's and GTK's side of the
//! window in this process.
//!
//! Without the choice, closing the window quits, as it always has. Started
//! with `--in-tray` (the login entry), there is no window and the tray icon
//! is there for this run whatever the choice, so the person can open or
//! quit it; the choice still decides what closing a window does.

use std::sync::atomic::{AtomicBool, Ordering};

use portcullis_app::Workspace;
use portcullis_model::AppError;
use tauri::menu::{Menu, MenuEvent, MenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, WebviewWindowBuilder};

/// The main window's label, as in tauri.conf.json (which does not create
/// it: [`start`] does, unless the app starts in the tray).
pub const MAIN_WINDOW: &str = "main";

/// The one tray icon's id.
const TRAY_ID: &str = "portcullis";

/// The menu's items: id and words.
const OPEN: (&str, &str) = ("open", "Open Portcullis");
const QUIT: (&str, &str) = ("quit", "Quit Portcullis");

/// What the shell knows about running in the background.
#[derive(Debug)]
pub struct Background {
    /// The saved choice, mirrored here because a closing window asks for
    /// it on the event loop, which must not wait for the database.
    keep_watching: AtomicBool,
    /// Started by the login entry, with no window.
    started_in_tray: bool,
}

impl Background {
    pub fn new(started_in_tray: bool) -> Self {
        Self {
            keep_watching: AtomicBool::new(false),
            started_in_tray,
        }
    }

    /// Whether the app stays when its last window closes.
    pub fn keeps_running(&self) -> bool {
        self.keep_watching.load(Ordering::SeqCst)
    }
}

/// At start: the window, or only the tray icon when started in the tray.
pub fn start(app: &AppHandle) -> tauri::Result<()> {
    if app.state::<Background>().started_in_tray {
        show_icon(app)
    } else {
        open_window(app)
    }
}

/// Once the database is open: follows the saved choice. Unreadable, it
/// counts as off: closing then quits, the behaviour nobody is surprised by.
pub async fn follow_saved_choice(app: &AppHandle, workspace: &Workspace) {
    let on = workspace.keep_watching().await.unwrap_or_else(|error| {
        tracing::warn!(error = %error.message, "cannot read whether to keep watching from the tray");
        false
    });
    if let Err(error) = apply(app, on) {
        tracing::warn!(%error, "cannot put Portcullis in the system tray");
    }
}

/// Saves the choice and acts on it at once: the tray icon appears or goes.
pub async fn set_keep_watching(
    app: &AppHandle,
    workspace: &Workspace,
    on: bool,
) -> Result<bool, AppError> {
    let saved = workspace.set_keep_watching(on).await?;
    apply(app, saved).map_err(|error| {
        AppError::internal(format!("the tray icon could not be set up: {error}"))
            .with_field("keep-watching")
    })?;
    Ok(saved)
}

fn apply(app: &AppHandle, keep_watching: bool) -> tauri::Result<()> {
    let background = app.state::<Background>();
    background
        .keep_watching
        .store(keep_watching, Ordering::SeqCst);
    if keep_watching || background.started_in_tray {
        show_icon(app)
    } else {
        app.remove_tray_by_id(TRAY_ID);
        Ok(())
    }
}

/// Adds the tray icon with its menu, unless it is there.
fn show_icon(app: &AppHandle) -> tauri::Result<()> {
    if app.tray_by_id(TRAY_ID).is_some() {
        return Ok(());
    }
    let open = MenuItem::with_id(app, OPEN.0, OPEN.1, true, None::<&str>)?;
    let quit = MenuItem::with_id(app, QUIT.0, QUIT.1, true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&open, &quit])?;
    let mut icon = TrayIconBuilder::with_id(TRAY_ID)
        .tooltip("Portcullis")
        .menu(&menu)
        .show_menu_on_left_click(true)
        .on_menu_event(on_menu);
    if let Some(image) = app.default_window_icon() {
        icon = icon.icon(image.clone());
    }
    icon.build(app)?;
    Ok(())
}

fn on_menu(app: &AppHandle, event: MenuEvent) {
    match event.id().as_ref() {
        id if id == OPEN.0 => {
            if let Err(error) = open_window(app) {
                tracing::error!(%error, "cannot open the window");
            }
        }
        // Through the event loop's exit, so `RunEvent::Exit` shuts the
        // workspace down as on any other exit.
        id if id == QUIT.0 => app.exit(0),
        _ => {}
    }
}

/// Brings the main window forward, or builds it again from the
/// configuration when it was closed.
pub fn open_window(app: &AppHandle) -> tauri::Result<()> {
    if let Some(window) = app.get_webview_window(MAIN_WINDOW) {
        window.unminimize()?;
        window.show()?;
        return window.set_focus();
    }
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|window| window.label == MAIN_WINDOW)
        .ok_or(tauri::Error::WindowNotFound)?
        .clone();
    crate::commands::expect_new_ui();
    WebviewWindowBuilder::from_config(app, &config)?.build()?;
    Ok(())
}
