//! Crash test: `portcullis scan --save` killed with SIGKILL at random
//! moments, 50 times, against listeners on 127.0.0.1 only. After every kill
//! the database passes `PRAGMA integrity_check`, the inventory is byte for
//! byte what it was, and the next open marks the killed scan interrupted.
//!
//! The seed is printed; set `PORTCULLIS_CRASH_SEED` to replay a run.

#![cfg(unix)]

use std::net::{Ipv4Addr, TcpListener};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const KILLS: usize = 50;
/// Most kill moments are drawn up to this long after the start, at most:
/// start-up, opening and migrating, the scan row, batches of ports...
const LONGEST_WAIT: Duration = Duration::from_millis(2_500);
/// ...and the last rounds aim at the end of a scan (its last batch, the
/// outcome, the evaluation), around the time a whole scan takes.
const LATE_ROUNDS: usize = 5;

fn portcullis(data_dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_portcullis"));
    command
        .arg("--data-dir")
        .arg(data_dir)
        .arg("--actor")
        .arg("crash-test");
    command
}

fn run_ok(command: &mut Command) -> String {
    let output = command.output().unwrap();
    assert!(output.status.success(), "{command:?}: {output:?}");
    String::from_utf8(output.stdout).unwrap()
}

/// Listeners on 127.0.0.1 that accept and drop every connection.
fn listeners(count: usize) -> Vec<u16> {
    (0..count)
        .map(|_| {
            let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
            let port = listener.local_addr().unwrap().port();
            std::thread::spawn(move || {
                for connection in listener.incoming() {
                    drop(connection);
                }
            });
            port
        })
        .collect()
}

/// The scan command every round runs: all TCP ports of 127.0.0.1.
fn scan(data_dir: &Path) -> Command {
    let mut command = portcullis(data_dir);
    command
        .args([
            "scan",
            "127.0.0.1",
            "-p",
            "1-65535",
            "--connect",
            "--no-ping",
            "--save",
            "--format",
            "csv",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

fn database(data_dir: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(data_dir.join("portcullis.sqlite3")).unwrap()
}

fn integrity(data_dir: &Path) -> Vec<String> {
    let conn = database(data_dir);
    let mut statement = conn.prepare("PRAGMA integrity_check").unwrap();
    statement
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Every inventory row, every column, exactly as stored.
fn inventory_rows(data_dir: &Path) -> Vec<String> {
    let conn = database(data_dir);
    let mut statement = conn
        .prepare(
            "SELECT quote(id) || ',' || quote(system_id) || ',' || quote(port) || ',' ||
                    quote(protocol) || ',' || quote(service) || ',' || quote(version) || ',' ||
                    quote(justification) || ',' || quote(approver) || ',' ||
                    quote(approved_at) || ',' || quote(expires_at) || ',' || quote(notes) || ',' ||
                    quote(created_at) || ',' || quote(updated_at)
             FROM inventory_entries ORDER BY id",
        )
        .unwrap();
    statement
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// (id, status) of every scan, through the CLI: opening the store is what
/// marks abandoned scans interrupted.
fn scans(data_dir: &Path) -> Vec<(i64, String)> {
    let json = run_ok(portcullis(data_dir).args(["scans", "--json", "--limit", "1000"]));
    let scans: serde_json::Value = serde_json::from_str(&json).unwrap();
    scans
        .as_array()
        .unwrap()
        .iter()
        .map(|scan| {
            (
                scan["id"].as_i64().unwrap(),
                scan["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn seed() -> u64 {
    std::env::var("PORTCULLIS_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        })
}

#[test]
fn kill_9_during_scan_save_loses_nothing() {
    let seed = seed();
    println!("crash test seed: {seed} (PORTCULLIS_CRASH_SEED={seed} replays it)");
    let mut rng = fastrand::Rng::with_seed(seed);
    let ports = listeners(8);
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path();

    run_ok(portcullis(data_dir).args([
        "systems",
        "add",
        "loopback",
        "--address",
        "127.0.0.1",
        "--role",
        "other",
        "--scope",
        "cde",
        "--exposure",
        "internal",
    ]));
    for port in &ports[..4] {
        run_ok(portcullis(data_dir).args([
            "inventory",
            "add",
            "--system",
            "loopback",
            "--port",
            &port.to_string(),
            "--justification",
            "test listener",
            "--approver",
            "crash-test",
            "--expires",
            "2099-01-01",
        ]));
    }
    let inventory = inventory_rows(data_dir);
    assert_eq!(inventory.len(), 4);

    // One whole scan first: how long one takes here, and a finished scan
    // with findings for the killed ones to be reconciled against.
    let started = Instant::now();
    let status = scan(data_dir).status().unwrap();
    let full = started.elapsed();
    assert!(
        status.success(),
        "the uninterrupted scan failed: {status:?}"
    );
    assert_eq!(scans(data_dir)[0].1, "finished");
    println!("one full scan takes {full:?}");
    let window = full.min(LONGEST_WAIT);

    let mut interrupted = 0;
    for round in 1..=KILLS {
        let newest_before = scans(data_dir).first().map_or(0, |s| s.0);
        let wait = if round > KILLS - LATE_ROUNDS {
            full.mul_f64(0.9 + 0.15 * rng.f64())
        } else {
            window.mul_f64(rng.f64())
        };
        let mut child = scan(data_dir).spawn().unwrap();
        std::thread::sleep(wait);
        // A child that already exited is not signalled again.
        let _ = child.kill(); // SIGKILL
        let killed = child.wait().unwrap().signal() == Some(9);

        assert_eq!(
            integrity(data_dir),
            ["ok"],
            "round {round}, killed after {wait:?}"
        );
        assert_eq!(
            inventory_rows(data_dir),
            inventory,
            "round {round}: the inventory changed"
        );
        let after = scans(data_dir);
        assert!(
            after.iter().all(|(_, status)| status != "running"),
            "round {round}: a scan is still running after the next open: {after:?}"
        );
        // A scan row exists once the process got that far; killed before
        // its end, it is interrupted; killed after it (while judging or
        // printing), or not killed at all, it is finished.
        if let Some((id, status)) = after.first().filter(|(id, _)| *id > newest_before) {
            let allowed: &[&str] = if killed {
                &["interrupted", "finished"]
            } else {
                &["finished"]
            };
            assert!(
                allowed.contains(&status.as_str()),
                "round {round}: scan {id} is {status}, killed after {wait:?}"
            );
            if status == "interrupted" {
                interrupted += 1;
            }
        }
    }
    println!("{interrupted} of {KILLS} rounds left an interrupted scan");
    println!("seed was {seed}");
    assert!(
        interrupted > KILLS / 3,
        "most kills must land while a scan is being recorded"
    );

    let verify = portcullis(data_dir)
        .args(["audit", "verify"])
        .output()
        .unwrap();
    assert!(verify.status.success(), "{verify:?}");
}
