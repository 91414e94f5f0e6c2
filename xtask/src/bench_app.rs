//! `cargo xtask bench app`: the desktop app as a merchant feels it.
//!
//! - launch to interactive: the release app started repeatedly, timed until
//!   its UI has mounted and answered its first IPC call (as `startup`);
//! - memory: the proportional set size (PSS, which shares each shared page
//!   among its users, so the sum over processes is honest) of the app and
//!   its WebKit processes, idle and while full 65,535-port scans stream
//!   into the window, and the app's own growth during them;
//! - responsiveness: while those scans stream, the time from a click on a
//!   navigation link until the next frame after it is painted, measured in
//!   the page (`performance.now()` around `click()` and two animation
//!   frames), at the 95th percentile.
//!
//! The scans target 127.0.0.1 only. They are started through the same
//! `scan_start` command and Channel the window's scan view uses.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use fantoccini::{Client, ClientBuilder};
use serde_json::json;

use crate::{bench, compile, display, paths, setup};

/// Goals from the issue, printed beside the figures.
const LAUNCH_GOAL_MS: f64 = 1000.0;
const TOTAL_PSS_GOAL_MIB: f64 = 300.0;
const BACKEND_GROWTH_GOAL_MIB: f64 = 50.0;
const CLICK_P95_GOAL_MS: f64 = 100.0;

/// Full scans streamed while clicking (each takes a few seconds on
/// loopback), and the clicks measured at least.
const SCANS: usize = 3;
const MIN_CLICKS: usize = 60;

pub fn run(launches: usize) -> Result<()> {
    setup::run()?;
    compile::build_ui(true)?;
    let app = compile::build_app(true)?;
    let display = display::ensure()?;

    let mut launch_ms: Vec<f64> = Vec::new();
    for run in 1..=launches {
        let data_dir = std::env::temp_dir().join(format!("portcullis-bench-app-launch-{run}"));
        let _ = std::fs::remove_dir_all(&data_dir);
        let (took, _) = bench::launch_once(&app, &data_dir, &display)?;
        eprintln!("launch {run}: interactive after {:.0} ms", ms(took));
        launch_ms.push(ms(took));
        let _ = std::fs::remove_dir_all(&data_dir);
    }

    let runtime = tokio::runtime::Runtime::new()?;
    let figures = runtime.block_on(measure_under_scans(&app, &display))?;

    let launch = median(&mut launch_ms);
    println!("bench app (release build, {launches} launches, {SCANS} full scans of 127.0.0.1):");
    println!("  launch to interactive, median: {launch:.0} ms (goal under {LAUNCH_GOAL_MS:.0} ms)");
    println!(
        "  PSS idle: total {:.0} MiB (app {:.0}, WebKit web {:.0}, network {:.0})",
        figures.idle.total(),
        figures.idle.app,
        figures.idle.web,
        figures.idle.network
    );
    println!(
        "  PSS while scans stream, highest: total {:.0} MiB (goal under {TOTAL_PSS_GOAL_MIB:.0})",
        figures.peak_total
    );
    println!(
        "  backend growth during the scans: {:.0} MiB (goal under {BACKEND_GROWTH_GOAL_MIB:.0})",
        figures.peak_app - figures.idle.app
    );
    println!(
        "  click to next frame during the scans: p95 {:.0} ms, median {:.0} ms over {} clicks (goal p95 under {CLICK_P95_GOAL_MS:.0} ms)",
        figures.click_p95, figures.click_median, figures.clicks
    );
    println!("  scan updates received by the window: {}", figures.updates);
    Ok(())
}

/// PSS in MiB of the app and its WebKit processes.
#[derive(Debug, Clone, Copy, Default)]
struct Pss {
    app: f64,
    web: f64,
    network: f64,
}

impl Pss {
    fn total(&self) -> f64 {
        self.app + self.web + self.network
    }
}

struct Figures {
    idle: Pss,
    peak_total: f64,
    peak_app: f64,
    click_p95: f64,
    click_median: f64,
    clicks: usize,
    updates: u64,
}

async fn measure_under_scans(app: &Path, display: &display::Display) -> Result<Figures> {
    let data_dir = tempfile_dir("portcullis-bench-app-scan")?;
    let (mut driver, client) = open_session(app, &data_dir, display).await?;
    let outcome = measure(&client, app).await;
    let _ = client.close().await;
    let _ = Command::new("kill")
        .args(["-TERM", &driver.id().to_string()])
        .status();
    let _ = driver.wait();
    let _ = std::fs::remove_dir_all(&data_dir);
    outcome
}

async fn measure(client: &Client, app: &Path) -> Result<Figures> {
    wait_until_interactive(client).await?;
    let pid = app_pid(app).context("the app's process was not found")?;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let idle = pss_of(pid);

    let mut peak_total = idle.total();
    let mut peak_app = idle.app;
    let mut clicks: Vec<f64> = Vec::new();
    for _ in 0..SCANS {
        start_full_scan(client).await?;
        let started = Instant::now();
        loop {
            let pss = pss_of(pid);
            peak_total = peak_total.max(pss.total());
            peak_app = peak_app.max(pss.app);
            if scan_finished(client).await? {
                break;
            }
            if started.elapsed() > Duration::from_secs(300) {
                bail!("a full scan of 127.0.0.1 did not finish within 5 minutes");
            }
            clicks.push(click_to_frame(client, clicks.len()).await?);
        }
    }
    // Keep clicking (idle) only if the scans were too short to sample.
    if clicks.len() < MIN_CLICKS {
        eprintln!(
            "only {} clicks fitted in the scans; the figures use those",
            clicks.len()
        );
    }
    let updates = client
        .execute("return window.__benchUpdates || 0;", vec![])
        .await?
        .as_u64()
        .unwrap_or(0);
    let count = clicks.len();
    if count == 0 {
        bail!("no click could be measured while the scans ran");
    }
    Ok(Figures {
        idle,
        peak_total,
        peak_app,
        click_p95: percentile(&mut clicks.clone(), 0.95),
        click_median: median(&mut clicks),
        clicks: count,
        updates,
    })
}

async fn open_session(
    app: &Path,
    data_dir: &Path,
    display: &display::Display,
) -> Result<(Child, Client)> {
    let port = free_port()?;
    let native_port = free_port()?;
    let mut command = Command::new(paths::tools_root().join("bin/tauri-driver"));
    command
        .args(["--port", &port.to_string()])
        .args(["--native-port", &native_port.to_string()])
        .args(["--native-driver", "/usr/bin/WebKitWebDriver"])
        .stdout(Stdio::null())
        .stdin(Stdio::null());
    display.apply_to(&mut command);
    let driver = command.spawn().context("cannot start tauri-driver")?;
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            bail!("tauri-driver did not listen on port {port}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let capabilities = json!({
        "tauri:options": {
            "application": app,
            "args": ["--data-dir", data_dir],
        }
    });
    let serde_json::Value::Object(capabilities) = capabilities else {
        unreachable!("a JSON object literal")
    };
    let mut builder = ClientBuilder::native();
    builder.capabilities(capabilities);
    let client = builder
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .context("tauri-driver could not start the app")?;
    Ok((driver, client))
}

/// Waits until the window has mounted and its backend answers.
async fn wait_until_interactive(client: &Client) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let ready = client
            .execute(
                "return !!(window.__TAURI__ && document.querySelector('[data-test^=nav-]'));",
                vec![],
            )
            .await?
            .as_bool()
            .unwrap_or(false);
        if ready {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("the window never became interactive");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Starts a recorded connect scan of every TCP port of 127.0.0.1 whose
/// updates stream into the page over a Tauri Channel, as the scan view's.
async fn start_full_scan(client: &Client) -> Result<()> {
    let script = r#"
        const settings = arguments[0];
        window.__benchDone = false;
        const channel = new window.__TAURI__.core.Channel();
        channel.onmessage = (update) => {
            window.__benchUpdates = (window.__benchUpdates || 0) + 1;
            if (update.state !== 'running') { window.__benchDone = true; }
        };
        window.__TAURI__.core
            .invoke('scan_start', { request: settings, updates: channel })
            .catch((error) => { window.__benchError = JSON.stringify(error); window.__benchDone = true; });
        return true;
    "#;
    let settings = json!({
        "targets": ["127.0.0.1"],
        "targets_file": null,
        "ports": "-",
        "tcp": "connect",
        "udp": false,
        "profile": "normal",
        "max_rate": null,
        "discover": false,
        "identify": false,
        "posture": false,
        "external": false,
    });
    client.execute(script, vec![settings]).await?;
    Ok(())
}

async fn scan_finished(client: &Client) -> Result<bool> {
    let state = client
        .execute(
            "return [window.__benchDone === true, window.__benchError || null];",
            vec![],
        )
        .await?;
    if let Some(error) = state.get(1).and_then(|e| e.as_str()) {
        bail!("the scan could not start: {error}");
    }
    Ok(state.get(0).and_then(|d| d.as_bool()).unwrap_or(false))
}

/// Clicks the `index`-th navigation link (round robin) and returns the
/// milliseconds until the second animation frame after it: the frame that
/// shows the click's effect.
async fn click_to_frame(client: &Client, index: usize) -> Result<f64> {
    let script = r#"
        const done = arguments[arguments.length - 1];
        const links = [...document.querySelectorAll('[data-test^=nav-]')];
        const link = links[arguments[0] % links.length];
        const started = performance.now();
        link.click();
        requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - started)));
    "#;
    let took = client
        .execute_async(script, vec![json!(index)])
        .await?
        .as_f64()
        .context("the click's time was not a number")?;
    Ok(took)
}

/// The process running `app` (tauri-driver starts it through
/// WebKitWebDriver, so it is not our child).
fn app_pid(app: &Path) -> Option<u32> {
    let app = std::fs::canonicalize(app).ok()?;
    std::fs::read_dir("/proc")
        .ok()?
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .find(|pid| std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|exe| exe == app))
}

fn pss_of(app: u32) -> Pss {
    Pss {
        app: pss_mib(app),
        web: bench::children_of(app, "WebKitWebProcess")
            .into_iter()
            .map(pss_mib)
            .sum(),
        network: bench::children_of(app, "WebKitNetworkProcess")
            .into_iter()
            .map(pss_mib)
            .sum(),
    }
}

/// A process's PSS from /proc/PID/smaps_rollup, in MiB.
fn pss_mib(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .ok()
        .and_then(|rollup| {
            rollup
                .lines()
                .find_map(|line| line.strip_prefix("Pss:"))
                .and_then(|value| value.split_whitespace().next()?.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

fn tempfile_dir(name: &str) -> Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind(("127.0.0.1", 0))?
        .local_addr()?
        .port())
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn median(values: &mut [f64]) -> f64 {
    percentile(values, 0.5)
}

fn percentile(values: &mut [f64], quantile: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    let index = ((values.len() as f64 - 1.0) * quantile).round() as usize;
    values[index.min(values.len() - 1)]
}
