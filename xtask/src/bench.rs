//! `cargo xtask bench`: measurements, printed as medians over several runs.
//!
//! `startup`: launch the desktop app under the display, time it until the
//! UI has mounted and answered its first IPC call (the app prints a marker
//! line then), and read the resident memory of the app and its WebKit
//! processes a moment later.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::{compile, display, setup};

/// Must equal `UI_READY_MARKER` in src-tauri/src/commands.rs.
const UI_READY_MARKER: &str = "portcullis-desktop: ui ready (first app_info answered)";

/// How long after "ui ready" memory is read: the web process settles.
const SETTLE: Duration = Duration::from_secs(2);

pub fn startup(runs: usize, release: bool) -> Result<()> {
    setup::run()?;
    compile::build_ui(release)?;
    let app = compile::build_app(release)?;
    let display = display::ensure()?;
    let mut launches = Vec::new();
    let mut memory = Vec::new();
    for run in 1..=runs {
        let data_dir = std::env::temp_dir().join(format!("portcullis-bench-startup-{run}"));
        let _ = std::fs::remove_dir_all(&data_dir);
        let (took, rss) = launch_once(&app, &data_dir, &display, &[])?;
        eprintln!(
            "run {run}: ui ready after {:.0} ms; resident: app {} MiB, WebKit web {} MiB, network {} MiB",
            took.as_secs_f64() * 1000.0,
            rss.app / 1024,
            rss.web / 1024,
            rss.network / 1024
        );
        launches.push(took);
        memory.push(rss);
        let _ = std::fs::remove_dir_all(&data_dir);
    }
    launches.sort();
    let median = |mut values: Vec<u64>| {
        values.sort_unstable();
        values[values.len() / 2]
    };
    println!(
        "startup ({} build, {runs} runs): launch to ui ready median {:.0} ms; resident median: app {} MiB, WebKit web process {} MiB, network process {} MiB",
        if release { "release" } else { "debug" },
        launches[launches.len() / 2].as_secs_f64() * 1000.0,
        median(memory.iter().map(|m| m.app).collect()) / 1024,
        median(memory.iter().map(|m| m.web).collect()) / 1024,
        median(memory.iter().map(|m| m.network).collect()) / 1024,
    );
    Ok(())
}

/// Resident set sizes in KiB.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Resident {
    app: u64,
    web: u64,
    network: u64,
}

/// Starts the app once (with `env` added to its environment), returns how
/// long its UI took to become ready and its memory a moment later, and
/// stops it.
pub(crate) fn launch_once(
    app: &Path,
    data_dir: &Path,
    display: &display::Display,
    env: &[(&str, &str)],
) -> Result<(Duration, Resident)> {
    let mut command = Command::new(app);
    command
        .arg("--data-dir")
        .arg(data_dir)
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    display.apply_to(&mut command);
    let started = Instant::now();
    let mut child = command.spawn().context("cannot start the app")?;
    let stderr = child.stderr.take().expect("piped");
    let ready = BufReader::new(stderr)
        .lines()
        .map_while(Result::ok)
        .any(|line| line.contains(UI_READY_MARKER));
    let took = started.elapsed();
    if !ready {
        let _ = child.kill();
        bail!("the app exited without its UI becoming ready");
    }
    std::thread::sleep(SETTLE);
    let resident = Resident {
        app: rss_kib(child.id()),
        web: children_rss(child.id(), "WebKitWebProcess"),
        network: children_rss(child.id(), "WebKitNetworkProcess"),
    };
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
    Ok((took, resident))
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmRSS:"))
                .and_then(|value| value.split_whitespace().next()?.parse().ok())
        })
        .unwrap_or(0)
}

/// The summed RSS of `parent`'s direct children whose command name starts
/// with `name`.
fn children_rss(parent: u32, name: &str) -> u64 {
    children_of(parent, name).into_iter().map(rss_kib).sum()
}

/// `parent`'s direct children whose command name starts with `name`.
pub(crate) fn children_of(parent: u32, name: &str) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            // "pid (comm) state ppid ...": comm may hold spaces, so split at
            // the last parenthesis.
            let Some((head, tail)) = stat.rsplit_once(')') else {
                return false;
            };
            let comm = head.split_once('(').map_or("", |(_, c)| c);
            let ppid = tail
                .split_whitespace()
                .nth(1)
                .and_then(|p| p.parse::<u32>().ok());
            ppid == Some(parent) && comm.starts_with(&name[..name.len().min(15)])
        })
        .collect()
}

/// WebKit web processes running now, anyone's.
pub(crate) fn web_processes() -> usize {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0;
    };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|comm| comm.starts_with("WebKitWebProces"))
        })
        .count()
}

/// A process's proportional set size (PSS: each shared page divided among
/// its users, so sums over processes are honest) from
/// /proc/PID/smaps_rollup, in MiB; 0 when the process is gone.
pub(crate) fn pss_mib(pid: u32) -> f64 {
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
