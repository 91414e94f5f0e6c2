//! `cargo xtask bench app`: the desktop app as a merchant feels it.
//!
//! - launch to interactive: the release app started repeatedly, timed until
//!   its UI has mounted and answered its first IPC call (as `startup`);
//! - memory: the proportional set size (PSS, which shares each shared page
//!   among its users, so the sum over processes is honest) of the app and
//!   its WebKit processes, idle and while full scans stream into the
//!   window, and the app's own growth during them;
//! - responsiveness: while those scans stream, the time from a click until
//!   the next frame after it is painted, measured in the page
//!   (`performance.now()` around `click()` and two animation frames), at
//!   the 95th percentile.
//!
//! The scans run as a merchant runs them: over WebDriver the bench walks
//! the guided check (the business questions, one system "This computer"
//! at 127.0.0.1), chooses the Full scan in the Scan step (every TCP port
//! and the common UDP ports), ticks the permission and clicks Start, so the
//! step's live view renders every update while the bench samples memory
//! and clicks the running scan's "Show the systems". Network safety: the data directory
//! is fresh, the only address typed is 127.0.0.1, and the bench refuses to
//! start a scan unless the Scan step lists exactly that one target.
//!
//! `--no-build` measures the release binary already built (the checkout is
//! shared: someone else's half-done change may not build).
//! `--webkit-defaults` runs the same binary with WebKitGTK's memory
//! settings left at WebKit's defaults (src-tauri/src/webview_memory.rs), for
//! a before-and-after on one build.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use crate::{bench, compile, display, paths, setup};

/// Goals from the issue, printed beside the figures.
const LAUNCH_GOAL_MS: f64 = 1000.0;
const TOTAL_PSS_GOAL_MIB: f64 = 300.0;
const BACKEND_GROWTH_GOAL_MIB: f64 = 50.0;
const CLICK_P95_GOAL_MS: f64 = 100.0;

/// Full scans run one after the other through the Scan step.
const SCANS: usize = 3;

/// The only address the bench ever scans.
const LOOPBACK: &str = "127.0.0.1";

/// The most one full scan of 127.0.0.1 may take.
const SCAN_LIMIT: Duration = Duration::from_secs(600);

/// How long a WebDriver wait for an element lasts.
const PATIENCE: Duration = Duration::from_secs(30);

/// What the app is told to leave at WebKit's defaults with
/// `--webkit-defaults` (read by src-tauri/src/webview_memory.rs).
const WEBKIT_DEFAULTS_VARIABLE: &str = "PORTCULLIS_WEBKIT_DEFAULTS";

pub fn run(launches: usize, webkit_defaults: bool, no_build: bool) -> Result<()> {
    setup::run()?;
    let app = if no_build {
        compile::app_binary(true)?
    } else {
        compile::build_ui(true)?;
        compile::build_app(true)?
    };
    let display = display::ensure()?;
    let env: Vec<(&str, &str)> = if webkit_defaults {
        vec![(WEBKIT_DEFAULTS_VARIABLE, "all")]
    } else {
        Vec::new()
    };

    let others = bench::web_processes();
    if others > 0 {
        eprintln!(
            "note: {others} other WebKit web processes run on this machine; they share WebKit's \
             libraries with the app's, so its PSS reads lower than on a machine of its own"
        );
    }

    let mut launch_ms: Vec<f64> = Vec::new();
    for run in 1..=launches {
        let data_dir = std::env::temp_dir().join(format!("portcullis-bench-app-launch-{run}"));
        let _ = std::fs::remove_dir_all(&data_dir);
        let (took, _) = bench::launch_once(&app, &data_dir, &display, &env)?;
        eprintln!("launch {run}: interactive after {:.0} ms", ms(took));
        launch_ms.push(ms(took));
        let _ = std::fs::remove_dir_all(&data_dir);
    }

    let runtime = tokio::runtime::Runtime::new()?;
    let figures = runtime.block_on(measure_under_scans(&app, &display, &env))?;

    let launch = median(&mut launch_ms);
    println!(
        "bench app (release build, WebKit settings: {}, {launches} launches, {} full scans of {LOOPBACK} through the Scan step):",
        if webkit_defaults {
            "WebKit's defaults"
        } else {
            "the app's"
        },
        figures.scans.len()
    );
    println!("  launch to interactive, median: {launch:.0} ms (goal under {LAUNCH_GOAL_MS:.0} ms)");
    println!("  PSS idle: {} MiB", figures.idle.describe());
    println!(
        "  PSS while the scans stream, highest: {} MiB (goal under {TOTAL_PSS_GOAL_MIB:.0})",
        figures.peak.describe()
    );
    println!("  PSS after the scans: {} MiB", figures.after.describe());
    println!(
        "  backend growth during the scans: {:.0} MiB (goal under {BACKEND_GROWTH_GOAL_MIB:.0})",
        figures.peak_app - figures.idle.app
    );
    println!(
        "  click to next frame during the scans: p95 {:.0} ms, median {:.0} ms over {} clicks (goal p95 under {CLICK_P95_GOAL_MS:.0} ms)",
        figures.click_p95, figures.click_median, figures.clicks
    );
    for (index, scan) in figures.scans.iter().enumerate() {
        println!(
            "  scan {}: {:.0} s, {} renders of the live view; \"{}\"",
            index + 1,
            scan.seconds,
            scan.renders,
            scan.outcome
        );
    }
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

struct Figures {
    idle: Pss,
    /// The sample with the highest total.
    peak: Pss,
    peak_app: f64,
    after: Pss,
    click_p95: f64,
    click_median: f64,
    clicks: usize,
    scans: Vec<ScanFigures>,
}

struct ScanFigures {
    seconds: f64,
    /// DOM mutation batches in the live view: how often it re-rendered.
    renders: u64,
    /// What the step said at the end.
    outcome: String,
}

async fn measure_under_scans(
    app: &Path,
    display: &display::Display,
    env: &[(&str, &str)],
) -> Result<Figures> {
    let data_dir = tempfile_dir("portcullis-bench-app-scan")?;
    let (mut driver, client) = open_session(app, &data_dir, display, env).await?;
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

    walk_to_scan_step(client).await?;
    let mut peak = idle;
    let mut peak_app = idle.app;
    let mut clicks: Vec<f64> = Vec::new();
    let mut scans = Vec::new();
    for round in 0..SCANS {
        if round > 0 {
            // Back to Your systems and on again: a fresh Scan step.
            click(client, ".actions a.button[href$='/systems']").await?;
            wait_for_step(client, "systems").await?;
            click(client, "[data-test=wizard-next]").await?;
            wait_for_step(client, "scan").await?;
        }
        start_full_scan(client).await?;
        let started = Instant::now();
        let outcome = loop {
            let pss = pss_of(pid);
            if pss.total() > peak.total() {
                peak = pss;
            }
            peak_app = peak_app.max(pss.app);
            if let Some(outcome) = scan_outcome(client).await? {
                break outcome;
            }
            if started.elapsed() > SCAN_LIMIT {
                bail!("a full scan of {LOOPBACK} did not finish within {SCAN_LIMIT:?}");
            }
            clicks.push(click_to_frame(client).await?);
        };
        let renders = client
            .execute("return window.__benchRenders || 0;", vec![])
            .await?
            .as_u64()
            .unwrap_or(0);
        let seconds = started.elapsed().as_secs_f64();
        eprintln!(
            "scan {}: {seconds:.0} s, {renders} renders: {outcome}",
            round + 1
        );
        scans.push(ScanFigures {
            seconds,
            renders,
            outcome,
        });
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    let after = pss_of(pid);
    let picture = save_screenshot(client).await?;
    eprintln!("the window after the scans: {}", picture.display());
    let count = clicks.len();
    if count == 0 {
        bail!("no click could be measured while the scans ran");
    }
    Ok(Figures {
        idle,
        peak,
        peak_app,
        after,
        click_p95: percentile(&mut clicks.clone(), 0.95),
        click_median: median(&mut clicks),
        clicks: count,
        scans,
    })
}

/// From the start page to the Scan step, as a merchant with a hosted
/// payment page and one system, this computer.
async fn walk_to_scan_step(client: &Client) -> Result<()> {
    click(client, "[data-test=start-wizard]").await?;
    click(client, "[data-test=channel-hosted-page]").await?;
    click(client, "[data-test=hosting-rented-server]").await?;
    click(client, "[data-test=wizard-next]").await?;
    wait_for_step(client, "systems").await?;
    type_into(client, "[data-test=field-name]", "This computer").await?;
    type_into(client, "[data-test=field-addresses]", LOOPBACK).await?;
    click(client, "[data-test=system-add]").await?;
    let deadline = Instant::now() + PATIENCE;
    while client
        .find_all(Locator::Css("[data-test=system-row]"))
        .await?
        .len()
        != 1
    {
        if Instant::now() > deadline {
            bail!("the system {LOOPBACK} was not added");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    click(client, "[data-test=wizard-next]").await?;
    wait_for_step(client, "scan").await
}

/// In the Scan step: checks that 127.0.0.1 is the one target, then Full
/// scan, permission, Start; counts the live view's renders from then on.
async fn start_full_scan(client: &Client) -> Result<()> {
    let targets = wait_for(client, "[data-test=scan-targets]")
        .await?
        .text()
        .await?;
    let only_loopback = targets.lines().count() == 1
        && targets
            .rsplit_once('–')
            .is_some_and(|(_, addresses)| addresses.trim() == LOOPBACK);
    if !only_loopback {
        bail!("the Scan step would scan {targets:?}; the bench scans {LOOPBACK} only");
    }
    click(client, "[data-test=scan-full]").await?;
    click(client, "[data-test=permission-box]").await?;
    click(client, "[data-test=scan-start]").await?;
    wait_for(client, "[data-test=live-scan]").await?;
    client
        .execute(
            r#"
            window.__benchRenders = 0;
            const view = document.querySelector('[data-test=live-scan]');
            new MutationObserver(() => { window.__benchRenders += 1; })
                .observe(view, { subtree: true, childList: true, characterData: true, attributes: true });
            "#,
            vec![],
        )
        .await?;
    Ok(())
}

/// What the Scan step says once the scan has ended, or `None` while it
/// runs.
async fn scan_outcome(client: &Client) -> Result<Option<String>> {
    let outcome = client
        .execute(
            "const outcome = document.querySelector('[data-test=scan-outcome]'); \
             const failed = document.querySelector('[data-test=live-scan] .form-error'); \
             return outcome ? outcome.textContent : (failed ? 'failed: ' + failed.textContent : null);",
            vec![],
        )
        .await?;
    match outcome.as_str() {
        Some(words) if words.starts_with("failed: ") => bail!("the scan {words}"),
        Some(words) => Ok(Some(words.to_owned())),
        None => Ok(None),
    }
}

/// Saves a picture of the window to `target/bench-app/after-scans.png`;
/// fails if the window no longer paints (two animation frames and the
/// picture must come within 10 s each).
async fn save_screenshot(client: &Client) -> Result<std::path::PathBuf> {
    let limit = Duration::from_secs(10);
    let frames = client.execute_async(
        "const done = arguments[arguments.length - 1]; \
         requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
        vec![],
    );
    tokio::time::timeout(limit, frames)
        .await
        .context("the window painted no frame after the scans")??;
    let png = tokio::time::timeout(limit, client.screenshot())
        .await
        .context("the window's picture did not come after the scans")??;
    let dir = paths::target_dir().join("bench-app");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("after-scans.png");
    std::fs::write(&path, png)?;
    Ok(path)
}

async fn wait_for(client: &Client, css: &str) -> Result<fantoccini::elements::Element> {
    client
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css(css))
        .await
        .with_context(|| format!("no element matches {css}"))
}

async fn click(client: &Client, css: &str) -> Result<()> {
    wait_for(client, css).await?.click().await?;
    Ok(())
}

async fn type_into(client: &Client, css: &str, text: &str) -> Result<()> {
    let field = wait_for(client, css).await?;
    field.clear().await?;
    field.send_keys(text).await?;
    Ok(())
}

/// Waits until the guided check shows `step` (its slug).
async fn wait_for_step(client: &Client, step: &str) -> Result<()> {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let shown = wait_for(client, "[data-test=page]")
            .await?
            .attr("data-step")
            .await?;
        if shown.as_deref() == Some(step) {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("the guided check shows step {shown:?}, not {step}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub(crate) async fn open_session(
    app: &Path,
    data_dir: &Path,
    display: &display::Display,
    env: &[(&str, &str)],
) -> Result<(Child, Client)> {
    let port = free_port()?;
    let native_port = free_port()?;
    let mut command = Command::new(paths::tools_root().join("bin/tauri-driver"));
    command
        .args(["--port", &port.to_string()])
        .args(["--native-port", &native_port.to_string()])
        .args(["--native-driver", "/usr/bin/WebKitWebDriver"])
        .stdout(Stdio::null())
        .stdin(Stdio::null())
        // tauri-driver starts WebKitWebDriver, which starts the app: the
        // app inherits this environment.
        .envs(env.iter().copied());
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
pub(crate) async fn wait_until_interactive(client: &Client) -> Result<()> {
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

/// Clicks the running scan's "Show the systems" button (which shows and
/// hides the list in turn) and returns the milliseconds until the second
/// animation frame after the click: the frame that shows it.
async fn click_to_frame(client: &Client) -> Result<f64> {
    let script = r#"
        const done = arguments[arguments.length - 1];
        const toggle = document.querySelector('[data-test=scan-summary-toggle]');
        const started = performance.now();
        toggle.click();
        requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - started)));
    "#;
    let took = client
        .execute_async(script, vec![])
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
        app: bench::pss_mib(app),
        web: bench::children_of(app, "WebKitWebProcess")
            .into_iter()
            .map(bench::pss_mib)
            .sum(),
        network: bench::children_of(app, "WebKitNetworkProcess")
            .into_iter()
            .map(bench::pss_mib)
            .sum(),
    }
}

pub(crate) fn tempfile_dir(name: &str) -> Result<std::path::PathBuf> {
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

pub(crate) fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

pub(crate) fn median(values: &mut [f64]) -> f64 {
    percentile(values, 0.5)
}

pub(crate) fn percentile(values: &mut [f64], quantile: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    let index = ((values.len() as f64 - 1.0) * quantile).round() as usize;
    values[index.min(values.len() - 1)]
}
