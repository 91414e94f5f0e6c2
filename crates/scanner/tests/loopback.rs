//! The connect scan against real listeners on 127.0.0.1: the only network a
//! test may touch outside the netlab.

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, TcpListener};
use std::time::{Duration, Instant};

use portcullis_model::report::ScanReport;
use portcullis_model::scan::{PortState, Reason, ScanEvent};
use portcullis_scanner::{PortSpec, Profile, ScanRequest, Target, TcpMethod};

const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

fn request(ports: &str, profile: Profile) -> ScanRequest {
    ScanRequest {
        targets: vec![Target {
            address: LOOPBACK,
            name: None,
        }],
        ports: PortSpec::parse(ports).unwrap(),
        tcp: Some(TcpMethod::Connect),
        udp: false,
        timing: profile.timing(),
        discover: false,
        list_every_port: true,
        identify: None,
    }
}

async fn run_to_end(request: ScanRequest) -> ScanReport {
    let mut handle = portcullis_scanner::start(request).unwrap();
    let mut events = Vec::new();
    while let Some(event) = handle.events.recv().await {
        let done = matches!(event, ScanEvent::Finished(_));
        events.push(event);
        if done {
            break;
        }
    }
    ScanReport::from_events(events)
}

/// Listeners on free ports, kept open while the test runs.
fn listeners(count: usize) -> (Vec<TcpListener>, BTreeSet<u16>) {
    let listeners: Vec<TcpListener> = (0..count)
        .map(|_| TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap())
        .collect();
    let ports = listeners
        .iter()
        .map(|l| l.local_addr().unwrap().port())
        .collect();
    (listeners, ports)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_scan_finds_exactly_the_listening_ports() {
    let (_listeners, open) = listeners(5);
    // A window of ports around the listeners: the rest of it is closed.
    let low = open.first().unwrap().saturating_sub(40).max(1);
    let high = open.last().unwrap().saturating_add(40);
    let report = run_to_end(request(&format!("{low}-{high}"), Profile::Fast)).await;

    let host = report.host(LOOPBACK).expect("the host is reported");
    let found: BTreeSet<u16> = host.ports_in(PortState::Open).map(|p| p.port).collect();
    // Other processes may listen in the window too; every listener of ours
    // must be found, and every port found open must really accept.
    assert!(
        found.is_superset(&open),
        "found {found:?}, listening {open:?}"
    );
    for port in &found {
        assert!(std::net::TcpStream::connect((Ipv4Addr::LOCALHOST, *port)).is_ok());
    }
    let closed = host.ports_in(PortState::Closed).count() as u64;
    assert_eq!(closed + found.len() as u64, u64::from(high - low + 1));
    assert!(
        host.ports_in(PortState::Closed)
            .all(|p| p.reason == Reason::Rst)
    );
    let summary = report.summary.expect("finished");
    assert!(!summary.partial);
    assert_eq!(summary.open_ports as usize, found.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_scan_ends_quickly_with_a_partial_result() {
    // Polite: 200 probes a second, so 65,535 ports would take minutes.
    let mut handle = portcullis_scanner::start(request("-", Profile::Polite)).unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let cancelled_at = Instant::now();
    handle.cancel();
    let mut finished = None;
    while let Some(event) = handle.events.recv().await {
        if let ScanEvent::Finished(summary) = event {
            finished = Some(summary);
            break;
        }
    }
    let took = cancelled_at.elapsed();
    let summary = finished.expect("a Finished event after cancelling");
    assert!(summary.partial, "a cancelled scan is partial");
    assert!(
        took < Duration::from_millis(200),
        "ended {took:?} after the cancel"
    );
}

#[tokio::test]
async fn an_empty_target_list_is_refused() {
    let mut empty = request("80", Profile::Normal);
    empty.targets.clear();
    assert!(portcullis_scanner::start(empty).is_err());
}
