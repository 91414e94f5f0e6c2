//! `cargo bench -p portcullis-compliance`: the compliance core at full
//! scale, against the budgets of issue 5.
//!
//! - evaluate a scan of all 65,535 TCP ports of one host, every one open and
//!   a third of them identified, against 5,000 systems and 20,000 inventory
//!   entries: under 200 ms;
//! - diff two such scans, with a thousand ports closed, a thousand opened
//!   and a thousand new versions between them: under 300 ms.
//!
//! Each is run several times and the median reported; the run fails (exit
//! status 1) when a median is over its budget. Timing lives here, never in
//! the tests.

use std::net::{IpAddr, Ipv4Addr};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use portcullis_compliance::{Coverage, EvaluationInput, assess, diff, evaluate, reconcile};
use portcullis_model::compliance::{
    Exposure, InventoryEntry, PortRange, ScanCoverage, Scope, System, SystemRole, TestingHistory,
};
use portcullis_model::report::{HostResult, ScanReport};
use portcullis_model::scan::{HostReport, PortResult, PortState, Protocol, Reason};
use portcullis_model::service::{Confidence, ServiceIdentity};
use portcullis_model::{InventoryEntryId, ScanId, SystemId};

const SYSTEMS: u32 = 5_000;
const ENTRIES: u32 = 20_000;
const RUNS: usize = 7;

fn address(n: u32) -> IpAddr {
    IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + n))
}

fn systems() -> Vec<System> {
    (0..SYSTEMS)
        .map(|n| System {
            id: SystemId(i64::from(n)),
            name: format!("system {n}"),
            addresses: vec![address(n).to_string()],
            role: SystemRole::WebServer,
            scope: Scope::Cde,
            exposure: if n.is_multiple_of(2) {
                Exposure::External
            } else {
                Exposure::Internal
            },
            notes: String::new(),
        })
        .collect()
}

/// Four entries per system; the scanned system (0) gets ports 1-4 approved
/// and the rest spread over the others.
fn inventory() -> Vec<InventoryEntry> {
    let approved = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
    (0..ENTRIES)
        .map(|n| InventoryEntry {
            id: InventoryEntryId(i64::from(n)),
            system_id: SystemId(i64::from(n / 4)),
            port: 1 + (n % 4) as u16,
            protocol: Protocol::Tcp,
            service: Some("http".into()),
            version: Some("1.24".into()),
            justification: "bench".into(),
            approver: "bench".into(),
            approved_at: approved,
            expires_at: None,
            sources: Vec::new(),
            notes: String::new(),
        })
        .collect()
}

fn port(number: u16, version: &str) -> PortResult {
    let identity = number.is_multiple_of(3).then(|| {
        Box::new(ServiceIdentity {
            service: "http".into(),
            product: Some("nginx".into()),
            version: Some(version.into()),
            extra: None,
            confidence: Confidence::Product,
            tls: false,
            evidence: "HTTP/1.1 200 OK".into(),
            probes_tried: vec!["http-get".into()],
        })
    });
    PortResult {
        address: address(0),
        port: number,
        protocol: Protocol::Tcp,
        state: PortState::Open,
        reason: Reason::SynAck,
        rtt_micros: Some(120),
        service: Some("http-alt".into()),
        identity,
        posture: None,
    }
}

fn full_scan(ports: Vec<PortResult>) -> ScanReport {
    ScanReport {
        hosts: vec![HostResult {
            host: HostReport {
                address: address(0),
                name: None,
                up: true,
                reason: "syn-ack".into(),
            },
            ports,
            counts: Vec::new(),
        }],
        warnings: Vec::new(),
        summary: None,
    }
}

/// Every port open.
fn first_scan() -> ScanReport {
    full_scan((1..=65_535).map(|p| port(p, "1.24.0")).collect())
}

/// Ports 1,000-1,999 closed (not listed), 2,000-2,999 on a new version; the
/// first scan misses 64,000-64,999, which this one has.
fn second_scan() -> ScanReport {
    full_scan(
        (1..=65_535)
            .filter(|p| !(1_000..2_000).contains(p))
            .map(|p| {
                port(
                    p,
                    if (2_000..3_000).contains(&p) {
                        "1.26.1"
                    } else {
                        "1.24.0"
                    },
                )
            })
            .collect(),
    )
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn measure(name: &str, budget: Duration, mut run: impl FnMut() -> usize) -> bool {
    let mut times = Vec::with_capacity(RUNS);
    let mut size = 0;
    for _ in 0..RUNS {
        let start = Instant::now();
        size = std::hint::black_box(run());
        times.push(start.elapsed());
    }
    let median = median(times);
    let ok = median <= budget;
    println!(
        "{name:<44} median {:>8.1} ms  budget {:>5} ms  ({size} results)  {}",
        median.as_secs_f64() * 1e3,
        budget.as_millis(),
        if ok { "ok" } else { "OVER BUDGET" }
    );
    ok
}

fn main() -> ExitCode {
    let systems = systems();
    let inventory = inventory();
    let coverage = ScanCoverage {
        tcp: vec![PortRange {
            first: 1,
            last: 65_535,
        }],
        udp: Vec::new(),
        identification: true,
        posture: true,
        reported_checks: false,
    };
    let now = Utc.with_ymd_and_hms(2025, 6, 1, 12, 0, 0).unwrap();
    let mut before = first_scan();
    before.hosts[0]
        .ports
        .retain(|p| !(64_000..65_000).contains(&p.port));
    let after = second_scan();
    let input = EvaluationInput {
        report: &after,
        coverage: &coverage,
        systems: &systems,
        inventory: &inventory,
        history: TestingHistory::default(),
        reported: &[],
        now,
    };

    let mut ok = measure(
        "evaluate 65,535 open ports vs 20,000 entries",
        Duration::from_millis(200),
        || evaluate(&input).len(),
    );
    ok &= measure(
        "diff two 65,535-port scans",
        Duration::from_millis(300),
        || diff(&before, &after, &systems, &inventory, now).ports.len(),
    );
    let findings = evaluate(&input);
    measure(
        "reconcile + assess (for information)",
        Duration::from_millis(300),
        || {
            let coverage = Coverage::new(&after, &coverage);
            let changes = reconcile(&[], &findings, ScanId(1), &coverage, now);
            let status = assess(&systems, &findings, &[], now);
            changes.new.len() + status.reasons.len()
        },
    );
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
