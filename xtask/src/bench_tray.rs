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
//! 3. clicks "Open Portcullis" in the tray icon's menu and waits for the
//!    new window's UI to answer (a window built again after one closed
//!    must not stay blank), closes it again, and clicks "Quit Portcullis":
//!    the app must end with status 0, through the workspace's shutdown.
//!
//! The menu is clicked as a desktop's tray host clicks it: the app runs on
//! a session bus of the bench's own (`dbus-daemon`), where the tray icon
//! exports its menu (`com.canonical.dbusmenu`, libayatana-appindicator),
//! and `gdbus` reads the menu's layout and sends the item's `clicked`
//! event.
//!
//! Then two checks of the other paths: with the choice off, closing the
//! window quits the app; started with `--in-tray` (the login entry), no
//! window and no WebKit process exist, the PSS is the backend's alone, and
//! SIGTERM quits it with status 0.
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
    let bus = SessionBus::start()?;
    let runtime = tokio::runtime::Runtime::new()?;

    let mut open = Vec::new();
    let mut tray = Vec::new();
    let mut sends = Sends::default();
    for run in 1..=runs {
        let dir = fresh_dir(&format!("portcullis-bench-tray-{run}"))?;
        runtime.block_on(keep_watching(&dir, true))?;
        let (window, closed) = window_then_tray(&app, &dir, &display, &bus, &mut sends)?;
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
    closing_quits(&app, &dir, &display, &bus, &mut sends)?;
    let _ = std::fs::remove_dir_all(&dir);

    let dir = fresh_dir("portcullis-bench-tray-login")?;
    let at_login = started_in_tray(&app, &dir, &display, &bus)?;
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
        "  checked, {runs} of {runs}: closing the window ends the app's WebKit web process and the app stays; the tray's \"Open Portcullis\" builds a window whose UI answers, which closes again the same way; \"Quit Portcullis\" ends the app with status 0. Once each: with the choice off, closing the window quits with status 0; --in-tray starts no window and no WebKit process, and SIGTERM quits it with status 0"
    );
    println!(
        "  close messages (WM_DELETE_WINDOW) sent: {} for {} closes",
        sends.messages, sends.closes
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
fn window_then_tray(
    app: &Path,
    dir: &Path,
    display: &display::Display,
    bus: &SessionBus,
    sends: &mut Sends,
) -> Result<(Pss, Pss)> {
    let Running { mut child, ready } = start(app, dir, display, bus, &[])?;
    let pid = child.id();
    let outcome = (|| {
        wait_until_ready(&ready)?;
        std::thread::sleep(SETTLE);
        let open = Pss::of(pid);
        if bench::children_of(pid, "WebKitWebProcess").is_empty() {
            bail!("the window is open but the app has no WebKit web process");
        }
        close_to_tray(display, &mut child, sends)?;
        std::thread::sleep(SETTLE);
        let tray = Pss::of(pid);

        bus.click_tray_item(pid, "Open Portcullis")?;
        wait_until_ready(&ready).context("the window opened from the tray")?;
        if bench::children_of(pid, "WebKitWebProcess").is_empty() {
            bail!("the window opened from the tray has no WebKit web process");
        }
        close_to_tray(display, &mut child, sends)
            .context("closing the window opened from the tray")?;
        bus.click_tray_item(pid, "Quit Portcullis")?;
        let status = wait_for_exit(&mut child).context("\"Quit Portcullis\" did not quit")?;
        if !status.success() {
            bail!("\"Quit Portcullis\" ended the app with {status}, not a clean quit");
        }
        Ok((open, tray))
    })();
    stop(&mut child);
    outcome
}

/// Closes the window; the app's web process must end and the app stay.
fn close_to_tray(display: &display::Display, child: &mut Child, sends: &mut Sends) -> Result<()> {
    let pid = child.id();
    let gone = || bench::children_of(pid, "WebKitWebProcess").is_empty();
    close_until(display, pid, gone, sends).with_context(|| {
        format!(
            "the WebKit web process did not end after the window closed (windows still shown: {:?})",
            app_windows(display, pid).unwrap_or_default(),
        )
    })?;
    if let Some(status) = child.try_wait()? {
        bail!("the app quit when its window closed ({status}), with keep watching on");
    }
    Ok(())
}

/// How many close messages the closes took.
#[derive(Debug, Default)]
struct Sends {
    closes: usize,
    messages: usize,
}

/// Sends the close message until `done`, at most [`CLOSE_TRIES`] times, 5 s
/// apart, as a person clicks the close button again when nothing happens.
/// Under Xvfb with no window manager, GTK sometimes lets a first
/// `WM_DELETE_WINDOW` pass without a word (about one close in three here);
/// the second one has always closed the window. The summary says how many
/// were needed.
fn close_until(
    display: &display::Display,
    pid: u32,
    mut done: impl FnMut() -> bool,
    sends: &mut Sends,
) -> Result<()> {
    sends.closes += 1;
    for _ in 0..CLOSE_TRIES {
        close_window(display, pid)?;
        sends.messages += 1;
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if done() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    bail!("still not done after {CLOSE_TRIES} close messages, 5 s apart")
}

/// See [`close_until`].
const CLOSE_TRIES: usize = 6;

/// With the choice off, closing the window quits, cleanly.
fn closing_quits(
    app: &Path,
    dir: &Path,
    display: &display::Display,
    bus: &SessionBus,
    sends: &mut Sends,
) -> Result<()> {
    let Running { mut child, ready } = start(app, dir, display, bus, &[])?;
    let pid = child.id();
    let outcome = (|| {
        wait_until_ready(&ready)?;
        let exited = std::cell::Cell::new(None);
        close_until(
            display,
            pid,
            || {
                if let Ok(Some(status)) = child.try_wait() {
                    exited.set(Some(status));
                }
                exited.get().is_some()
            },
            sends,
        )
        .context("with keep watching off, the app did not quit when its window closed")?;
        let status = exited.get().context("the app's exit status")?;
        if !status.success() {
            bail!("with keep watching off, closing the window ended the app with {status}");
        }
        Ok(())
    })();
    stop(&mut child);
    outcome
}

/// Started as the login entry starts it: no window, no WebKit.
fn started_in_tray(
    app: &Path,
    dir: &Path,
    display: &display::Display,
    bus: &SessionBus,
) -> Result<Pss> {
    let Running { mut child, .. } = start(app, dir, display, bus, &["--in-tray"])?;
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
/// the app or WebKit writes lands in the person's own; the session bus is
/// the bench's, and the accessibility bridge stays off (it would start the
/// accessibility bus's daemons on it).
fn start(
    app: &Path,
    dir: &Path,
    display: &display::Display,
    bus: &SessionBus,
    args: &[&str],
) -> Result<Running> {
    let mut command = Command::new(app);
    command
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
        .env("NO_AT_BRIDGE", "1")
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

/// A D-Bus session bus of the bench's own, where the app's tray icon
/// exports its menu; stopped when dropped.
struct SessionBus {
    daemon: Child,
    address: String,
}

/// Where libayatana-appindicator exports the menu of the tray icon whose
/// id is `portcullis` (src-tauri/src/tray.rs), through tray-icon.
const TRAY_MENU_PATH: &str = "/org/ayatana/NotificationItem/tray_icon_tray_app_portcullis/Menu";

impl SessionBus {
    fn start() -> Result<SessionBus> {
        let mut daemon = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("cannot start dbus-daemon (Debian package dbus-daemon)")?;
        let stdout = daemon.stdout.take().context("dbus-daemon's stdout")?;
        let mut address = String::new();
        BufReader::new(stdout).read_line(&mut address)?;
        let address = address.trim().to_owned();
        if address.is_empty() {
            let _ = daemon.kill();
            let _ = daemon.wait();
            bail!("dbus-daemon printed no address");
        }
        Ok(SessionBus { daemon, address })
    }

    /// Clicks the item labelled `label` in the tray menu of the app `pid`.
    fn click_tray_item(&self, pid: u32, label: &str) -> Result<()> {
        let (connection, layout) = self
            .menu_of(pid)
            .with_context(|| format!("the tray menu of the app (pid {pid}) is not on the bus"))?;
        let id = item_id(&layout, label)
            .with_context(|| format!("no item {label:?} in the tray menu: {layout}"))?;
        self.gdbus(
            &connection,
            "com.canonical.dbusmenu.Event",
            &[&id.to_string(), "clicked", "<0>", "0"],
        )
        .with_context(|| format!("clicking {label:?} in the tray menu"))?;
        Ok(())
    }

    /// The app's connection that exports the menu, and the menu's layout.
    fn menu_of(&self, pid: u32) -> Option<(String, String)> {
        let listed = crate::cmd::output(
            Command::new("busctl")
                .arg(format!("--address={}", self.address))
                .args(["list", "--no-pager", "--no-legend"]),
        )?;
        listed
            .lines()
            .filter_map(|line| {
                let mut columns = line.split_whitespace();
                let name = columns.next()?;
                let owner = columns.next()?.parse::<u32>().ok()?;
                (name.starts_with(':') && owner == pid).then(|| name.to_owned())
            })
            .find_map(|connection| {
                let layout = self
                    .gdbus(
                        &connection,
                        "com.canonical.dbusmenu.GetLayout",
                        &["0", "-1", "['label']"],
                    )
                    .ok()?;
                Some((connection, layout))
            })
    }

    fn gdbus(&self, destination: &str, method: &str, args: &[&str]) -> Result<String> {
        let output = Command::new("gdbus")
            .args(["call", "--address", &self.address, "--dest", destination])
            .args(["--object-path", TRAY_MENU_PATH, "--method", method])
            .args(["--timeout", "5", "--"])
            .args(args)
            .output()
            .context("cannot run gdbus (Debian package libglib2.0-bin)")?;
        if !output.status.success() {
            bail!("{}", String::from_utf8_lossy(&output.stderr).trim());
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }
}

impl Drop for SessionBus {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.daemon.id().to_string()])
            .status();
        let _ = self.daemon.wait();
    }
}

/// The id of the item labelled `label` in a dbusmenu layout as gdbus
/// prints it: `... <(2, {'label': <'Open Portcullis'>}, @av [])> ...`.
fn item_id(layout: &str, label: &str) -> Option<i32> {
    let at = layout.find(&format!("{{'label': <'{label}'>}}"))?;
    let before = &layout[..at];
    let open = before.rfind('(')?;
    before[open + 1..]
        .trim()
        .trim_end_matches(',')
        .trim()
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::item_id;

    #[test]
    fn a_menu_item_is_found_by_its_label() {
        let layout = "(uint32 2, (0, {'label': <'Label Empty'>}, [<(2, {'label': <'Open Portcullis'>}, @av [])>, <(3, {'label': <'Quit Portcullis'>}, @av [])>]))";
        assert_eq!(item_id(layout, "Open Portcullis"), Some(2));
        assert_eq!(item_id(layout, "Quit Portcullis"), Some(3));
        assert_eq!(item_id(layout, "Settings"), None);
    }
}
