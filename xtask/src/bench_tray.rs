//! `cargo xtask bench tray`: what watching from the tray costs, and proof
//! that closing the window releases the webview.
//!
//! Each run, on a fresh data directory whose "keep watching from the tray"
//! is turned on through the app layer (the same use case the Settings page
//! calls):
//! 1. starts the app (no WebDriver: the session would end with the
//!    window), waits for its UI to answer, lets it settle, and reads the
//!    PSS of the app and its WebKit processes: the window open;
//! 2. closes the window as a window manager does when the person clicks
//!    its close button (the X11 message `WM_DELETE_WINDOW`), checks that
//!    the app's WebKit web processes end while the app itself stays, lets
//!    it settle, and reads the PSS again: in the tray;
//! 3. sends SIGTERM and checks that the app quits cleanly (status 0),
//!    through the workspace's shutdown.
//!
//! Then two checks of the other paths: with the choice off, closing the
//! window quits the app; started with `--in-tray` (the login entry), no
//! window and no WebKit process exist, and the PSS is the backend's alone.
//!
//! Processes are the app's own children only, so other WebKit apps on the
//! machine do not count; they do share WebKit's libraries with it, which
//! lowers its PSS (noted when there are any).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use portcullis_app::{Workspace, WorkspaceOptions};
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    AtomEnum, ClientMessageEvent, ConnectionExt as _, EventMask, MapState, Window,
};

use crate::{bench, compile, display, setup};

/// Must equal `UI_READY_MARKER` in src-tauri/src/commands.rs.
const UI_READY_MARKER: &str = "portcullis-desktop: ui ready (first app_info answered)";

/// How long after a change memory is read: WebKit and malloc settle.
const SETTLE: Duration = Duration::from_secs(5);

/// How long the app may take to start, to end its web process, to quit.
const PATIENCE: Duration = Duration::from_secs(30);

pub fn run(runs: usize, release: bool, no_build: bool) -> Result<()> {
    setup::run()?;
    let app = if no_build {
        compile::app_binary(release)?
    } else {
        compile::build_ui(release)?;
        compile::build_app(release)?
    };
    let display = display::ensure()?;
    let runtime = tokio::runtime::Runtime::new()?;

    let mut open = Vec::new();
    let mut tray = Vec::new();
    for run in 1..=runs {
        let dir = fresh_dir(&format!("portcullis-bench-tray-{run}"))?;
        runtime.block_on(keep_watching(&dir, true))?;
        let (window, closed) = window_then_tray(&app, &dir, &display)?;
        eprintln!(
            "run {run}: window open {}; in the tray {}",
            window.describe(),
            closed.describe()
        );
        open.push(window);
        tray.push(closed);
        let _ = std::fs::remove_dir_all(&dir);
    }

    let dir = fresh_dir("portcullis-bench-tray-off")?;
    runtime.block_on(keep_watching(&dir, false))?;
    closing_quits(&app, &dir, &display)?;
    let _ = std::fs::remove_dir_all(&dir);

    let dir = fresh_dir("portcullis-bench-tray-login")?;
    let at_login = started_in_tray(&app, &dir, &display)?;
    let _ = std::fs::remove_dir_all(&dir);

    let others = bench::web_processes();
    println!(
        "bench tray ({} build, {runs} runs, PSS in MiB, medians):",
        if release { "release" } else { "debug" }
    );
    println!(
        "  window open:                  {}",
        median(&open).describe()
    );
    println!(
        "  window closed, in the tray:   {}",
        median(&tray).describe()
    );
    println!("  started at login (--in-tray): {}", at_login.describe());
    println!(
        "  checked: closing the window ends the app's WebKit web process and the app stays ({runs} of {runs}); SIGTERM then quits it with status 0; with the choice off, closing the window quits with status 0; --in-tray starts no window and no WebKit process"
    );
    if others > 0 {
        println!(
            "  note: {others} other WebKit web processes ran on this machine and share WebKit's libraries: the PSS reads lower than alone"
        );
    }
    Ok(())
}

/// PSS in MiB of the app and its WebKit children.
#[derive(Debug, Clone, Copy, Default)]
struct Pss {
    app: f64,
    web: f64,
    network: f64,
}

impl Pss {
    fn of(app: u32) -> Pss {
        // A fold from 0.0: an empty `sum` of floats is -0.0, printed "-0".
        let sum = |name| {
            bench::children_of(app, name)
                .into_iter()
                .map(bench::pss_mib)
                .fold(0.0, |total, pss| total + pss)
        };
        Pss {
            app: bench::pss_mib(app),
            web: sum("WebKitWebProcess"),
            network: sum("WebKitNetworkProcess"),
        }
    }

    fn total(&self) -> f64 {
        self.app + self.web + self.network
    }

    fn describe(&self) -> String {
        format!(
            "total {:.0} (app {:.0}, WebKit web {:.0}, network {:.0})",
            self.total(),
            self.app,
            self.web,
            self.network
        )
    }
}

/// The sample with the median total.
fn median(samples: &[Pss]) -> Pss {
    let mut sorted = samples.to_vec();
    sorted.sort_by(|a, b| a.total().total_cmp(&b.total()));
    sorted[sorted.len() / 2]
}

/// Saves the choice through the app layer, as the Settings page does.
async fn keep_watching(dir: &Path, on: bool) -> Result<()> {
    let workspace = Workspace::open(WorkspaceOptions::new(dir.to_path_buf(), "bench".into()))
        .await
        .map_err(|error| anyhow::anyhow!("cannot open the workspace: {}", error.message))?;
    workspace
        .set_keep_watching(on)
        .await
        .map_err(|error| anyhow::anyhow!("cannot save the choice: {}", error.message))?;
    workspace.shutdown().await;
    Ok(())
}

/// Steps 1 to 3 of the module's doc: the PSS with the window open and in
/// the tray.
fn window_then_tray(app: &Path, dir: &Path, display: &display::Display) -> Result<(Pss, Pss)> {
    let Running { mut child, ready } = start(app, dir, display, &[])?;
    let pid = child.id();
    let outcome = (|| {
        wait_until_ready(&ready)?;
        std::thread::sleep(SETTLE);
        let open = Pss::of(pid);
        if bench::children_of(pid, "WebKitWebProcess").is_empty() {
            bail!("the window is open but the app has no WebKit web process");
        }
        close_window(display, pid)?;
        wait_until(|| bench::children_of(pid, "WebKitWebProcess").is_empty())
            .context("the WebKit web process did not end after the window closed")?;
        std::thread::sleep(SETTLE);
        if let Some(status) = child.try_wait()? {
            bail!("the app quit when its window closed ({status}), with keep watching on");
        }
        let tray = Pss::of(pid);
        quit(&mut child)?;
        Ok((open, tray))
    })();
    stop(&mut child);
    outcome
}

/// With the choice off, closing the window quits, cleanly.
fn closing_quits(app: &Path, dir: &Path, display: &display::Display) -> Result<()> {
    let Running { mut child, ready } = start(app, dir, display, &[])?;
    let outcome = (|| {
        wait_until_ready(&ready)?;
        close_window(display, child.id())?;
        let status = wait_for_exit(&mut child)
            .context("with keep watching off, the app did not quit when its window closed")?;
        if !status.success() {
            bail!("with keep watching off, closing the window ended the app with {status}");
        }
        Ok(())
    })();
    stop(&mut child);
    outcome
}

/// Started as the login entry starts it: no window, no WebKit.
fn started_in_tray(app: &Path, dir: &Path, display: &display::Display) -> Result<Pss> {
    let Running { mut child, .. } = start(app, dir, display, &["--in-tray"])?;
    let pid = child.id();
    let outcome = (|| {
        std::thread::sleep(SETTLE + SETTLE);
        if let Some(status) = child.try_wait()? {
            bail!("started in the tray, the app quit at once ({status})");
        }
        if !app_windows(display, pid)?.is_empty() {
            bail!("started in the tray, the app shows a window");
        }
        let pss = Pss::of(pid);
        if pss.web > 0.0 || pss.network > 0.0 {
            bail!("started in the tray, the app runs WebKit processes");
        }
        quit(&mut child)?;
        Ok(pss)
    })();
    stop(&mut child);
    outcome
}

/// A running app, and word of its UI being ready.
struct Running {
    child: Child,
    ready: mpsc::Receiver<()>,
}

/// Starts the app on `dir`. Its standard error is read on a thread, for
/// the line it prints once its UI answered, and so that it never blocks on
/// a full pipe. HOME and the XDG directories are inside `dir`, so nothing
/// the app or WebKit writes lands in the person's own.
fn start(app: &Path, dir: &Path, display: &display::Display, args: &[&str]) -> Result<Running> {
    let mut command = Command::new(app);
    command
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("HOME", dir)
        .env("XDG_CACHE_HOME", dir.join("cache"))
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("XDG_DATA_HOME", dir.join("data"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    display.apply_to(&mut command);
    let mut child = command.spawn().context("cannot start the app")?;
    let stderr = child
        .stderr
        .take()
        .context("the app's stderr was not piped")?;
    let (tell, ready) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains(UI_READY_MARKER) {
                let _ = tell.send(());
            }
        }
    });
    Ok(Running { child, ready })
}

fn wait_until_ready(ready: &mpsc::Receiver<()>) -> Result<()> {
    ready
        .recv_timeout(PATIENCE)
        .context("the app's UI did not become ready")
}

/// Sends `WM_DELETE_WINDOW` to the app's visible windows, as a window
/// manager does when the close button is clicked.
fn close_window(display: &display::Display, pid: u32) -> Result<()> {
    let name = display
        .name()
        .context("no X display to close the window on")?;
    let (connection, _) = x11rb::connect(Some(&name)).context("cannot connect to the display")?;
    let windows = app_windows(display, pid)?;
    if windows.is_empty() {
        bail!("the app shows no window to close");
    }
    let protocols = atom(&connection, b"WM_PROTOCOLS")?;
    let delete = atom(&connection, b"WM_DELETE_WINDOW")?;
    for window in windows {
        let message = ClientMessageEvent::new(
            32,
            window,
            protocols,
            [delete, x11rb::CURRENT_TIME, 0, 0, 0],
        );
        connection.send_event(false, window, EventMask::NO_EVENT, message)?;
    }
    connection.flush()?;
    Ok(())
}

/// The app's mapped top-level windows (GTK sets `_NET_WM_PID` on them;
/// under Xvfb with no window manager they are the root's children).
fn app_windows(display: &display::Display, pid: u32) -> Result<Vec<Window>> {
    let name = display.name().context("no X display")?;
    let (connection, screen) =
        x11rb::connect(Some(&name)).context("cannot connect to the display")?;
    let root = connection.setup().roots[screen].root;
    let wm_pid = atom(&connection, b"_NET_WM_PID")?;
    let mut found = Vec::new();
    for window in connection.query_tree(root)?.reply()?.children {
        let owner = connection
            .get_property(false, window, wm_pid, AtomEnum::CARDINAL, 0, 1)?
            .reply()?
            .value32()
            .and_then(|mut values| values.next());
        if owner != Some(pid) {
            continue;
        }
        let mapped = connection.get_window_attributes(window)?.reply()?.map_state;
        if mapped == MapState::VIEWABLE {
            found.push(window);
        }
    }
    Ok(found)
}

fn atom(connection: &impl Connection, name: &[u8]) -> Result<u32> {
    Ok(connection.intern_atom(false, name)?.reply()?.atom)
}

/// SIGTERM, then the exit status must be 0: the app quit through the
/// workspace's shutdown rather than being killed.
fn quit(child: &mut Child) -> Result<()> {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let status = wait_for_exit(child).context("the app did not quit on SIGTERM")?;
    if !status.success() {
        bail!("the app ended with {status} on SIGTERM, not a clean quit");
    }
    Ok(())
}

fn wait_for_exit(child: &mut Child) -> Result<std::process::ExitStatus> {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(status);
        }
        if Instant::now() > deadline {
            bail!("the app is still running after {PATIENCE:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn wait_until(done: impl Fn() -> bool) -> Result<()> {
    let deadline = Instant::now() + PATIENCE;
    while !done() {
        if Instant::now() > deadline {
            bail!("still not so after {PATIENCE:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(())
}

/// Whatever happened, the app does not outlive the bench.
fn stop(child: &mut Child) {
    if let Ok(None) = child.try_wait() {
        let _ = child.kill();
        let _ = child.wait();
    }
}

fn fresh_dir(name: &str) -> Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
