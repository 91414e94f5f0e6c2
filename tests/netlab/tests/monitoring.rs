//! Monitoring on the netlab, through the real CLI and a real SQLite file,
//! with the clock injected (`--now`), never slept: a schedule runs on its
//! slot; a port opened in a target's namespace between two runs raises
//! exactly one alert and one notification; slots missed while "the app was
//! closed" are caught up once; an approval about to lapse is reminded of
//! once. Then a soak: 200 scheduled runs back to back in accelerated time,
//! in one process whose memory is read at run 1 and run 200.
//!
//! The dates are in the past: scans are stamped with the machine's clock,
//! not `--now`, so a date before today keeps the quarterly scan's
//! reminder, which counts from the last scan, out of these counts.
//!
//! Run by `cargo xtask test` (root, netlab up, `PORTCULLIS_CLI` set).

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use portcullis_netlab::Host;
use serde_json::Value;

/// A port the quick scan covers that no netlab daemon listens on.
const OPENED_PORT: u16 = 8081;

fn cli() -> PathBuf {
    portcullis_netlab::cli_under_test()
}

/// `portcullis --data-dir DATA --now NOW ARGS...` outside the netlab (no
/// packets), on UTC so that the schedule's hours are UTC's.
fn portcullis(data: &Path, now: &str, args: &[&str]) -> Value {
    let output = Command::new(cli())
        .env("TZ", "UTC")
        .arg("--data-dir")
        .arg(data)
        .args(["--actor", "netlab test", "--now", now])
        .args(args)
        .output()
        .expect("the CLI runs");
    assert!(
        output.status.success(),
        "portcullis {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap_or(Value::Null)
}

/// `portcullis monitor due --json` at `now`, inside the scanner
/// namespace: the turn and the exit code.
fn due(data: &Path, now: &str) -> (Value, i32) {
    let mut command = portcullis_netlab::scanner_command(&cli()).expect("isolation holds");
    let output: Output = command
        .env("TZ", "UTC")
        .arg("--data-dir")
        .arg(data)
        .args(["--actor", "netlab test", "--now", now])
        .args(["monitor", "due", "--json"])
        .output()
        .expect("the CLI runs");
    let code = output.status.code().unwrap_or(-1);
    assert!(
        code == 0 || code == 1,
        "monitor due at {now} exited {code}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let turn = serde_json::from_slice(&output.stdout).expect("monitor due --json prints JSON");
    (turn, code)
}

fn runs(turn: &Value) -> &Vec<Value> {
    turn["runs"].as_array().expect("runs")
}

fn add_system(data: &Path, host: &str, address: &str) {
    let output = Command::new(cli())
        .arg("--data-dir")
        .arg(data)
        .args(["--actor", "netlab test", "systems", "add", host])
        .args(["--address", address, "--role", "web-server"])
        .args(["--scope", "cde", "--exposure", "internal"])
        .output()
        .expect("the CLI runs");
    assert!(output.status.success(), "{output:?}");
}

/// A listener on `port` inside `host`'s namespace, closed when dropped.
fn open_port(host: &Host, port: u16) -> TcpListener {
    portcullis_netlab::in_namespace(&host.namespace(), || {
        TcpListener::bind((host.v4, port)).expect("the port is free in the target")
    })
    .expect("the target's namespace can be entered")
}

fn alerts(data: &Path) -> Vec<Value> {
    portcullis(
        data,
        "2030-01-01T00:00:00Z",
        &["monitor", "alerts", "--json"],
    )
    .as_array()
    .cloned()
    .expect("a list of alerts")
}

fn notifications(data: &Path, kind: &str) -> Vec<Value> {
    portcullis(
        data,
        "2030-01-01T00:00:00Z",
        &["monitor", "notifications", "--json"],
    )
    .as_array()
    .expect("a list of notifications")
    .iter()
    .filter(|notification| notification["kind"] == kind)
    .cloned()
    .collect()
}

#[test]
#[ignore = "needs root and the netlab: run `cargo xtask test`"]
fn a_schedule_runs_on_time_alerts_once_and_catches_up_once() {
    let web = Host::by_name("web").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    add_system(data, "Web shop", web.v4);
    portcullis(
        data,
        "2026-06-01T08:30:00Z",
        &[
            "monitor", "schedule", "add", "--every", "hourly", "--window", "9-17", "--rate", "2000",
        ],
    );

    let (turn, _) = due(data, "2026-06-01T08:59:00Z");
    assert!(runs(&turn).is_empty(), "before the window: {turn}");

    let (turn, _) = due(data, "2026-06-01T09:00:20Z");
    let first = runs(&turn);
    assert_eq!(first.len(), 1, "the 09:00 slot runs: {turn}");
    assert_eq!(first[0]["slot"], "2026-06-01T09:00:00Z");
    assert_eq!(first[0]["caught_up"], false, "on time");
    let baseline_alerts = alerts(data).len();
    let baseline_notifications = notifications(data, "drift").len();
    assert!(
        baseline_notifications <= 1,
        "the first run's findings (the web server's ports, not in an inventory) are one \
         notification at most"
    );

    let (turn, _) = due(data, "2026-06-01T09:40:00Z");
    assert!(runs(&turn).is_empty(), "that slot ran: {turn}");

    let listener = open_port(&web, OPENED_PORT);
    let (turn, code) = due(data, "2026-06-01T10:00:10Z");
    assert_eq!(code, 1, "drift: {turn}");
    assert_eq!(runs(&turn)[0]["outcome"]["kind"], "drift");
    assert_eq!(runs(&turn)[0]["outcome"]["alerts"], 1, "{turn}");
    let all = alerts(data);
    assert_eq!(all.len(), baseline_alerts + 1, "exactly one alert: {all:?}");
    let title = all[0]["title"].as_str().unwrap();
    assert!(
        title.contains(&format!("Port {OPENED_PORT}/tcp")),
        "{title}"
    );
    let drift = notifications(data, "drift");
    assert_eq!(drift.len(), baseline_notifications + 1, "one notification");
    assert_eq!(drift[0]["count"], 1);
    assert!(
        drift[0]["title"]
            .as_str()
            .unwrap()
            .contains(&format!("{OPENED_PORT}"))
    );

    let (turn, code) = due(data, "2026-06-01T11:00:10Z");
    assert_eq!(code, 0, "the open port is not news twice: {turn}");
    assert_eq!(runs(&turn)[0]["outcome"]["kind"], "clear");
    assert_eq!(alerts(data).len(), baseline_alerts + 1);

    // The app is closed from 11:30 to 14:40: the 12:00, 13:00 and 14:00
    // slots pass. On "restart", one run for the latest, late.
    let (turn, _) = due(data, "2026-06-01T14:40:00Z");
    let caught = runs(&turn);
    assert_eq!(caught.len(), 1, "one catch-up, not three: {turn}");
    assert_eq!(caught[0]["slot"], "2026-06-01T14:00:00Z");
    assert_eq!(caught[0]["caught_up"], true);
    let (turn, _) = due(data, "2026-06-01T14:50:00Z");
    assert!(runs(&turn).is_empty(), "caught up: {turn}");
    drop(listener);

    // An approval lapsing in 20 days: reminded once.
    let approve = Command::new(cli())
        .arg("--data-dir")
        .arg(data)
        .args(["--actor", "netlab test", "--now", "2026-06-01T14:52:00Z"])
        .args(["inventory", "add", "--system", "Web shop"])
        .args([
            "--port",
            "22",
            "--justification",
            "the host's administration",
        ])
        .args(["--approver", "Owner", "--expires", "2026-06-21"])
        .output()
        .unwrap();
    assert!(approve.status.success(), "{approve:?}");
    let reminders_before = notifications(data, "reminder").len();
    let (turn, _) = due(data, "2026-06-01T14:55:00Z");
    let reminded: Vec<&Value> = turn["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "reminder")
        .collect();
    assert_eq!(reminded.len(), 1, "{turn}");
    assert!(
        reminded[0]["body"]
            .as_str()
            .unwrap()
            .contains("port 22/tcp on Web shop ends on 2026-06-21"),
        "{turn}"
    );
    let (turn, _) = due(data, "2026-06-02T08:00:00Z");
    assert!(
        turn["notifications"].as_array().unwrap().is_empty(),
        "a reminder is raised once: {turn}"
    );
    assert_eq!(notifications(data, "reminder").len(), reminders_before + 1);
}

/// The resident memory of a process, in KiB.
fn resident_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("the process runs");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.split_whitespace().next()?.parse().ok())
        .expect("VmRSS")
}

/// Soak: `monitor watch` runs an hourly schedule 200 times back to back,
/// its clock moved an hour after each turn. A port opens after run 50,
/// closes after run 100 and opens again after run 150: exactly two more
/// alerts than the first run raised (new, then back after a fix).
#[test]
#[ignore = "needs root and the netlab: run `cargo xtask test`"]
fn two_hundred_scheduled_runs_keep_memory_flat_and_alert_exactly_as_expected() {
    const RUNS: u64 = 200;
    let db = Host::by_name("db").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    add_system(data, "Database", db.v4);
    portcullis(
        data,
        "2026-06-01T00:30:00Z",
        &[
            "monitor", "schedule", "add", "--every", "hourly", "--rate", "100000",
        ],
    );
    let mut command = portcullis_netlab::scanner_command(&cli()).expect("isolation holds");
    // One turn more than measured, so the process is still there at run 200.
    let turns = (RUNS + 1).to_string();
    let mut watch = command
        .env("TZ", "UTC")
        .arg("--data-dir")
        .arg(data)
        .args(["--actor", "netlab test", "--now", "2026-06-01T01:00:00Z"])
        .args([
            "monitor",
            "watch",
            "--json",
            "--step-minutes",
            "60",
            "--turns",
            &turns,
        ])
        .stdout(Stdio::piped())
        .spawn()
        .expect("monitor watch starts");
    let pid = watch.id();
    let mut listener = None;
    let mut memory = Vec::new();
    let mut first_alerts = None;
    let lines = BufReader::new(watch.stdout.take().unwrap()).lines();
    for line in lines {
        let turn: Value = serde_json::from_str(&line.unwrap()).expect("one JSON turn a line");
        let number = turn["turn"].as_u64().unwrap();
        let run = &turn["runs"][0];
        assert!(
            run["outcome"]["kind"] == "clear" || run["outcome"]["kind"] == "drift",
            "run {number}: {turn}"
        );
        if number == 1 || (number >= RUNS / 2 && number.is_multiple_of(20)) {
            memory.push(resident_kib(pid));
        }
        match number {
            1 => first_alerts = Some(run["outcome"]["alerts"].as_u64().unwrap_or(0)),
            50 | 150 => listener = Some(open_port(&db, OPENED_PORT)),
            100 => listener = None,
            _ => {}
        }
    }
    drop(listener);
    assert!(watch.wait().unwrap().success());
    // Memory is read at run 1, then every 20 runs from run 100 to 200.
    let [
        at_first,
        middle_a,
        middle_b,
        middle_c,
        last_a,
        last_b,
        last_c,
    ] = memory[..]
    else {
        panic!("memory read at runs 1 and 100 to {RUNS} by 20: {memory:?}");
    };
    eprintln!(
        "monitor watch resident memory (KiB) at run 1, then runs 100 to {RUNS} by 20: {memory:?}"
    );
    // The first hundred runs fill SQLite's page caches (up to 2 MiB for each
    // connection, as the database grows) and the allocator's arenas: that
    // growth levels off. A leak does not. Averages of three readings smooth
    // the allocator's swings of about a megabyte; the second half may add at
    // most 5 % of the first run's memory, which a leak of 40 KiB a run
    // would exceed.
    let mean = |readings: &[u64]| readings.iter().sum::<u64>() / readings.len() as u64;
    let at_middle = mean(&[middle_a, middle_b, middle_c]);
    let at_end = mean(&[last_a, last_b, last_c]);
    assert!(
        at_middle < at_first + at_first / 4,
        "memory grew from {at_first} KiB at run 1 to {at_middle} KiB over runs 100 to 140"
    );
    assert!(
        at_end < at_middle + at_first / 20,
        "memory kept growing: {at_middle} KiB over runs 100 to 140, {at_end} KiB over runs 160 to {RUNS}"
    );
    let raised = alerts(data);
    let first = usize::try_from(first_alerts.unwrap()).unwrap();
    assert_eq!(
        raised.len(),
        first + 2,
        "the first run's alerts, then the port new and back: {raised:?}"
    );
    let reasons: Vec<&str> = raised[..2]
        .iter()
        .map(|alert| alert["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons, ["back", "new"], "newest first");

    let check = Command::new(cli())
        .arg("--data-dir")
        .arg(data)
        .args(["audit", "verify"])
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "the database stays consistent: {}",
        String::from_utf8_lossy(&check.stdout)
    );
    let runs = portcullis(
        data,
        "2030-01-01T00:00:00Z",
        &["monitor", "schedule", "list", "--json"],
    );
    assert_eq!(
        runs[0]["last_run"]["slot"], "2026-06-09T09:00:00Z",
        "{runs}"
    );
}
