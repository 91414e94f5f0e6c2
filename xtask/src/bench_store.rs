//! `cargo xtask bench store`: the database at the size of a large merchant,
//! and the queries a user waits for, against the budgets of issue 5.
//!
//! The generator here builds (once; `--regenerate` to rebuild) a database
//! with 5,000 systems, 20,000 inventory entries, 20,000 findings and just
//! over 2,000,000 port observations: two full scans of one host (all 65,535
//! TCP ports open, a third identified; the second with a thousand ports
//! closed and a thousand new versions) and 94 scans of every system's four
//! approved ports. It creates the schema with the store's own migrations,
//! then inserts with rusqlite in one transaction through prepared
//! statements.
//!
//! The measurements run in an optimised build, since a debug build's
//! timings say nothing: `crates/store/benches/store.rs`, started here with
//! `cargo bench`, which prints the medians and whether each budget is met.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use portcullis_store::{DATABASE_FILE_NAME, Store};
use rusqlite::{Connection, params};

use crate::{cmd, paths};

/// Bumped whenever the generated data changes, so that an old database is
/// rebuilt rather than measured.
const GENERATOR_VERSION: &str = "2";

pub const SYSTEMS: u32 = 5_000;
const ENTRIES_PER_SYSTEM: u32 = 4;
const APPROVED_PORTS: [u16; 4] = [22, 80, 443, 8443];
/// Scans of every system's approved ports, for the bulk of the rows.
const ESTATE_SCANS: u32 = 94;
const FINDINGS: u32 = 20_000;
const TIMESTAMP: &str = "2025-06-01T12:00:00.000Z";

pub fn run(runs: usize, regenerate: bool) -> Result<()> {
    let data_dir = ensure_database(regenerate)?;
    cmd::run(
        cmd::command("cargo")
            .args([
                "bench",
                "--quiet",
                "--package",
                "portcullis-store",
                "--bench",
                "store",
            ])
            // Thin local LTO: the timings of an optimised build, without
            // the minutes a fat-LTO link takes on a small machine.
            .env("CARGO_PROFILE_BENCH_LTO", "false")
            .env("CARGO_PROFILE_BENCH_CODEGEN_UNITS", "16")
            .env("PORTCULLIS_BENCH_DATA_DIR", &data_dir)
            .env("PORTCULLIS_BENCH_RUNS", runs.to_string()),
    )
}

/// The data directory holding the bench database, generated first when it
/// is missing, stale, or `regenerate` asks.
pub fn ensure_database(regenerate: bool) -> Result<PathBuf> {
    let data_dir = paths::target_dir().join("bench-store");
    if regenerate || !is_current(&data_dir.join(DATABASE_FILE_NAME)) {
        generate(&data_dir)?;
    } else {
        eprintln!(
            "Using the database generated earlier in {} (--regenerate to rebuild it).",
            data_dir.display()
        );
    }
    Ok(data_dir)
}

/// Whether `database` was made by this version of the generator.
fn is_current(database: &Path) -> bool {
    let Ok(conn) =
        Connection::open_with_flags(database, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
    else {
        return false;
    };
    conn.query_row(
        "SELECT value FROM settings WHERE key = 'bench.generator'",
        [],
        |row| row.get::<_, String>(0),
    )
    .is_ok_and(|version| version == GENERATOR_VERSION)
}

fn generate(data_dir: &Path) -> Result<()> {
    if data_dir.exists() {
        std::fs::remove_dir_all(data_dir)
            .with_context(|| format!("cannot remove {}", data_dir.display()))?;
    }
    create_schema(data_dir)?;
    let path: PathBuf = data_dir.join(DATABASE_FILE_NAME);
    eprintln!("Generating the bench database in {} ...", path.display());
    let started = std::time::Instant::now();
    let mut conn = Connection::open(&path)?;
    conn.pragma_update(None, "synchronous", "OFF")?;
    let tx = conn.transaction()?;
    insert_systems(&tx)?;
    insert_inventory(&tx)?;
    let observations = insert_estate_scans(&tx)? + insert_full_scans(&tx)?;
    insert_findings(&tx)?;
    tx.execute(
        "INSERT INTO settings (key, value) VALUES ('bench.generator', ?)",
        [GENERATOR_VERSION],
    )?;
    tx.commit()?;
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    eprintln!(
        "Generated {SYSTEMS} systems, {} inventory entries, {observations} port observations \
         and {FINDINGS} findings in {:.1} s.",
        SYSTEMS * ENTRIES_PER_SYSTEM,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The schema exactly as the application makes it: the store's migrations.
fn create_schema(data_dir: &Path) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let store = Store::open(data_dir).await?;
        store.close().await;
        anyhow::Ok(())
    })
}

/// System `n`'s address: 10.1.0.0 upwards.
fn address(n: u32) -> String {
    std::net::Ipv4Addr::from(0x0a01_0000 + n).to_string()
}

/// The host the two full scans look at: system 0's.
const FULL_SCAN_HOST: &str = "10.0.0.1";

fn insert_systems(tx: &rusqlite::Transaction<'_>) -> Result<()> {
    let mut insert = tx.prepare(
        "INSERT INTO systems (id, name, addresses, role, scope, exposure, notes, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, '', ?, ?)",
    )?;
    let roles = [
        "web-server",
        "database",
        "payment",
        "office",
        "network-device",
        "other",
    ];
    let scopes = ["cde", "connected-to-cde", "out-of-scope"];
    for n in 0..SYSTEMS {
        let addresses = if n == 0 {
            format!("[\"{FULL_SCAN_HOST}\"]")
        } else {
            format!("[\"{}\"]", address(n))
        };
        insert.execute(params![
            i64::from(n) + 1,
            format!("system {n}"),
            addresses,
            roles[n as usize % roles.len()],
            scopes[n as usize % scopes.len()],
            if n % 2 == 0 { "external" } else { "internal" },
            TIMESTAMP,
            TIMESTAMP,
        ])?;
    }
    Ok(())
}

fn insert_inventory(tx: &rusqlite::Transaction<'_>) -> Result<()> {
    let mut insert = tx.prepare(
        "INSERT INTO inventory_entries
            (system_id, port, protocol, service, version, justification, approver, approved_at,
             expires_at, notes, created_at, updated_at)
         VALUES (?, ?, 'tcp', ?, NULL, 'the business needs it', 'bench', ?, ?, '', ?, ?)",
    )?;
    let services = ["ssh", "http", "https", "https-alt"];
    for system in 1..=i64::from(SYSTEMS) {
        for (i, port) in APPROVED_PORTS.iter().enumerate() {
            // Every tenth system's approvals lapsed: expired-entry findings.
            let expires = (system % 10 == 0).then_some("2025-01-01T00:00:00.000Z");
            insert.execute(params![
                system,
                port,
                services[i],
                TIMESTAMP,
                expires,
                TIMESTAMP,
                TIMESTAMP
            ])?;
        }
    }
    Ok(())
}

fn insert_scan(tx: &rusqlite::Transaction<'_>, id: i64, targets: &str, ports: &str) -> Result<()> {
    tx.execute(
        "INSERT INTO scans
            (id, started_at, finished_at, actor, targets, ports, requested_method, methods,
             profile, origin, coverage, status, hosts_up, hosts_down, open_ports,
             elapsed_seconds, evaluated_at)
         VALUES (?1, ?2, ?2, 'bench', ?3, ?4, 'syn', '[{\"method\":\"syn\",\"why\":\"bench\"}]',
                 'normal', ?5, ?6, 'finished', 0, 0, 0, 1.0, ?2)",
        params![
            id,
            // Scan n a day after scan n-1, ending on TIMESTAMP's day.
            format!(
                "2025-{:02}-{:02}T12:00:00.000Z",
                1 + (id / 28) % 12,
                1 + id % 28
            ),
            targets,
            ports,
            if id % 2 == 0 { "external" } else { "internal" },
            coverage_json(ports),
        ],
    )?;
    Ok(())
}

fn coverage_json(ports: &str) -> String {
    let ranges: Vec<String> = ports
        .trim_start_matches("T:")
        .split(',')
        .map(|range| match range.split_once('-') {
            Some((first, last)) => format!("{{\"first\":{first},\"last\":{last}}}"),
            None => format!("{{\"first\":{range},\"last\":{range}}}"),
        })
        .collect();
    format!(
        "{{\"tcp\":[{}],\"udp\":[],\"identification\":true,\"posture\":false}}",
        ranges.join(",")
    )
}

/// 94 scans of every system's four approved ports, all open.
fn insert_estate_scans(tx: &rusqlite::Transaction<'_>) -> Result<u64> {
    let mut host = tx.prepare(
        "INSERT INTO scan_hosts (scan_id, address, name, up, reason) VALUES (?, ?, NULL, 1, 'syn-ack')",
    )?;
    let mut observation = tx.prepare(
        "INSERT INTO port_observations (scan_id, address, port, protocol, state, reason, rtt_micros, service)
         VALUES (?, ?, ?, 'tcp', 'open', '{\"kind\":\"syn-ack\"}', 250, ?)",
    )?;
    let services = ["ssh", "http", "https", "https-alt"];
    let ports = format!("T:{}", APPROVED_PORTS.map(|p| p.to_string()).join(","));
    let mut rows = 0;
    for scan in 1..=i64::from(ESTATE_SCANS) {
        insert_scan(tx, scan, "10.1.0.0/19", &ports)?;
        for n in 1..SYSTEMS {
            let address = address(n);
            host.execute(params![scan, address])?;
            for (i, port) in APPROVED_PORTS.iter().enumerate() {
                observation.execute(params![scan, address, port, services[i]])?;
                rows += 1;
            }
        }
    }
    Ok(rows)
}

/// The two full scans of one host the evaluation and diff are measured on:
/// every port open, a third identified (nginx); the second scan has ports
/// 1,000-1,999 closed and 2,000-2,999 on a new version.
fn insert_full_scans(tx: &rusqlite::Transaction<'_>) -> Result<u64> {
    let mut observation = tx.prepare(
        "INSERT INTO port_observations
            (scan_id, address, port, protocol, state, reason, rtt_micros, service, identity)
         VALUES (?, ?, ?, 'tcp', 'open', '{\"kind\":\"syn-ack\"}', 120, 'http-alt', ?)",
    )?;
    let mut rows = 0;
    for (offset, second) in [(1, false), (2, true)] {
        let scan = i64::from(ESTATE_SCANS) + offset;
        insert_scan(tx, scan, FULL_SCAN_HOST, "T:1-65535")?;
        tx.execute(
            "INSERT INTO scan_hosts (scan_id, address, name, up, reason) VALUES (?, ?, NULL, 1, 'syn-ack')",
            params![scan, FULL_SCAN_HOST],
        )?;
        for port in 1..=65_535u16 {
            if second && (1_000..2_000).contains(&port) {
                continue;
            }
            let version = if second && (2_000..3_000).contains(&port) {
                "1.26.1"
            } else {
                "1.24.0"
            };
            let identity = (port % 3 == 0).then(|| {
                format!(
                    "{{\"service\":\"http\",\"product\":\"nginx\",\"version\":\"{version}\",\
                     \"extra\":null,\"confidence\":\"product\",\"tls\":false,\
                     \"evidence\":\"HTTP/1.1 200 OK\",\"probes_tried\":[\"http-get\"]}}"
                )
            });
            observation.execute(params![scan, FULL_SCAN_HOST, port, identity])?;
            rows += 1;
        }
    }
    Ok(rows)
}

/// Findings of every status and severity, spread over the systems, as
/// months of scans leave them.
fn insert_findings(tx: &rusqlite::Transaction<'_>) -> Result<()> {
    let mut insert = tx.prepare(
        "INSERT INTO findings
            (key, kind, severity, title, explanation, remedy, requirements, system_id, address,
             port, protocol, evidence, status, accepted_until, justification, approver,
             first_seen_scan, last_seen_scan, fixed_by_scan, verified_by_scan, created_at,
             updated_at)
         VALUES (?1, 'unlisted-open-port', ?2, ?3, 'An open port nobody approved.',
                 'Close it or approve it.', '[\"1.2.5\",\"2.2.4\"]', ?4, ?5, ?6, 'tcp',
                 'open (syn-ack)', ?7, ?8, ?9, ?10, 1, ?11, ?12, ?13, ?14, ?14)",
    )?;
    let mut link = tx.prepare("INSERT INTO scan_findings (scan_id, finding_id) VALUES (?, ?)")?;
    let severities = ["info", "low", "medium", "high", "critical"];
    let last_scan = i64::from(ESTATE_SCANS);
    for n in 0..FINDINGS {
        let system = 1 + n % SYSTEMS;
        let port = 10_000 + (n / SYSTEMS) as u16;
        let address = address(system - 1);
        let status = match n % 10 {
            0..=5 => "open",
            6 => "accepted",
            7 => "fixed",
            _ => "verified",
        };
        let accepted = status == "accepted";
        let verified = status == "verified";
        insert.execute(params![
            format!("unlisted-open-port/{address}/tcp/{port}"),
            severities[n as usize % severities.len()],
            // Ids count from 1, names from 0 ("system 0" has id 1).
            format!(
                "Port {port}/tcp on system {} is open but not in the approved inventory",
                system - 1
            ),
            i64::from(system),
            address,
            port,
            status,
            accepted.then_some("2026-01-01T00:00:00.000Z"),
            accepted.then_some("a vendor needs it until the migration"),
            accepted.then_some("bench"),
            if verified { last_scan - 1 } else { last_scan },
            verified.then_some(last_scan),
            verified.then_some(last_scan),
            TIMESTAMP,
        ])?;
        if !verified {
            link.execute(params![last_scan, i64::from(n) + 1])?;
        }
    }
    Ok(())
}
