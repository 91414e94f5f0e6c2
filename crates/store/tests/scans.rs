//! Scans recorded as they stream: read back as the same report, and a scan
//! whose writer died is marked interrupted on the next open, while one that
//! another live writer is recording is left alone.

mod common;

use std::net::IpAddr;

use common::new_store;
use portcullis_model::compliance::{PortRange, ScanCoverage};
use portcullis_model::report::ScanReport;
use portcullis_model::scan::{
    HostDone, HostReport, MethodChoice, PortCount, PortResult, PortState, Protocol, Reason,
    ScanEvent, ScanMethod, ScanSummary,
};
use portcullis_model::service::{Confidence, Posture, ServiceIdentity, ServiceReport};
use portcullis_store::{BATCH_EVENTS, NewScan, ScanStatus, Store};

fn new_scan() -> NewScan {
    NewScan {
        actor: "tester".into(),
        targets: "127.0.0.1".into(),
        ports: "1-1024".into(),
        requested_method: "connect".into(),
        profile: "normal".into(),
        origin: portcullis_model::compliance::Exposure::Internal,
        coverage: ScanCoverage {
            tcp: vec![PortRange {
                first: 1,
                last: 1024,
            }],
            udp: vec![],
            identification: true,
            posture: false,
            reported_checks: false,
        },
    }
}

fn localhost() -> IpAddr {
    "127.0.0.1".parse().unwrap()
}

fn port(number: u16, state: PortState) -> ScanEvent {
    ScanEvent::Port(PortResult {
        address: localhost(),
        port: number,
        protocol: Protocol::Tcp,
        state,
        reason: if state == PortState::Open {
            Reason::Connected
        } else {
            Reason::Icmp {
                icmp_type: 3,
                code: 3,
            }
        },
        rtt_micros: Some(42),
        service: Some("http".into()),
        identity: None,
        posture: None,
    })
}

/// A scan's events: a host, many ports (more than a batch), an
/// identification, the host's counts, a warning and the end.
fn events() -> Vec<ScanEvent> {
    let mut events = vec![ScanEvent::Host(HostReport {
        address: localhost(),
        name: Some("localhost".into()),
        up: true,
        reason: "user said --no-ping".into(),
    })];
    for number in 1..=(BATCH_EVENTS as u16 * 2 + 17) {
        let state = if number % 100 == 0 {
            PortState::Open
        } else {
            PortState::Closed
        };
        events.push(port(number, state));
    }
    events.push(ScanEvent::Service(Box::new(ServiceReport {
        address: localhost(),
        port: 100,
        protocol: Protocol::Tcp,
        identity: ServiceIdentity {
            service: "http".into(),
            product: Some("nginx".into()),
            version: Some("1.24.0".into()),
            extra: None,
            confidence: Confidence::Product,
            tls: false,
            evidence: "Server: nginx/1.24.0".into(),
            probes_tried: vec!["http-get".into()],
        },
        posture: Posture::default(),
    })));
    events.push(ScanEvent::HostDone(HostDone {
        address: localhost(),
        counts: vec![PortCount {
            protocol: Protocol::Tcp,
            state: PortState::Closed,
            reason: Reason::Rst,
            count: 1000,
        }],
    }));
    events.push(ScanEvent::Warning {
        message: "slow host".into(),
    });
    events.push(ScanEvent::Finished(ScanSummary {
        methods: vec![MethodChoice {
            method: ScanMethod::Connect,
            why: "asked for".into(),
        }],
        hosts_up: 1,
        hosts_down: 0,
        open_ports: 10,
        elapsed_seconds: 1.5,
        partial: false,
    }));
    events
}

#[tokio::test]
async fn a_recorded_scan_reads_back_as_the_same_report() {
    let (_dir, store) = new_store().await;
    let mut writer = store.begin_scan(&new_scan()).await.unwrap();
    let events = events();
    let mut summary = None;
    for event in &events {
        match event {
            ScanEvent::Finished(s) => summary = Some(s.clone()),
            other => writer.record(other).await.unwrap(),
        }
    }
    let id = writer.id();
    assert_eq!(store.scan(id).await.unwrap().status, ScanStatus::Running);
    let record = writer.finish(summary.as_ref()).await.unwrap();
    assert_eq!(record.status, ScanStatus::Finished);
    assert_eq!(record.coverage, new_scan().coverage);
    assert!(record.finished_at.is_some());

    let stored = store.scan_report(id).await.unwrap();
    let expected = ScanReport::from_events(events);
    assert_eq!(stored, expected);
    let nginx = stored.hosts[0]
        .ports
        .iter()
        .find(|p| p.port == 100)
        .unwrap();
    assert_eq!(
        nginx.identity.as_ref().unwrap().product.as_deref(),
        Some("nginx")
    );
}

#[tokio::test]
async fn a_partial_scan_is_cancelled() {
    let (_dir, store) = new_store().await;
    let writer = store.begin_scan(&new_scan()).await.unwrap();
    let record = writer.finish(None).await.unwrap();
    assert_eq!(record.status, ScanStatus::Cancelled);
}

#[tokio::test]
async fn a_writer_that_vanished_leaves_an_interrupted_scan() {
    let (dir, store) = new_store().await;
    let mut writer = store.begin_scan(&new_scan()).await.unwrap();
    for event in events().iter().take(BATCH_EVENTS + 10) {
        writer.record(event).await.unwrap();
    }
    let id = writer.id();
    // Gone without finishing, as a killed process is: its lock is released.
    drop(writer);
    store.close().await;

    let store = Store::open(dir.path()).await.unwrap();
    let scan = store.scan(id).await.unwrap();
    assert_eq!(scan.status, ScanStatus::Interrupted);
    assert!(scan.finished_at.is_some());
    // The batch written before the end is kept.
    assert!(store.observations(id).await.unwrap().len() >= BATCH_EVENTS - 1);
}

#[tokio::test]
async fn a_scan_another_live_writer_records_is_left_running() {
    let (dir, store) = new_store().await;
    let writer = store.begin_scan(&new_scan()).await.unwrap();
    let id = writer.id();

    // Another process (the desktop app) opens the same database meanwhile.
    let other = Store::open(dir.path()).await.unwrap();
    assert_eq!(other.scan(id).await.unwrap().status, ScanStatus::Running);
    assert_eq!(
        other.interrupt_abandoned_scans().await.unwrap(),
        Vec::<portcullis_model::ScanId>::new()
    );
    assert_eq!(other.scan_being_written().await.unwrap(), Some(id));

    let record = writer.finish(None).await.unwrap();
    assert_eq!(record.status, ScanStatus::Cancelled);
    assert_eq!(
        other.interrupt_abandoned_scans().await.unwrap(),
        Vec::<portcullis_model::ScanId>::new()
    );
    assert_eq!(other.scan(id).await.unwrap().status, ScanStatus::Cancelled);
}

fn reported_item(name: &str) -> portcullis_model::import::ReportedItem {
    use portcullis_model::import::{CvssScore, ReportSource, ReportedItem, ReportedLevel};
    ReportedItem {
        source: ReportSource::Nessus,
        check_id: "104743".into(),
        name: name.into(),
        family: Some("Service detection".into()),
        address: localhost(),
        port: Some(443),
        protocol: Some(Protocol::Tcp),
        service: Some("www".into()),
        level: ReportedLevel::Medium,
        cvss: Some(CvssScore {
            score: 6.5,
            version: 3,
        }),
        cves: vec!["CVE-2011-3389".into()],
        synopsis: "An older version of TLS.".into(),
        solution: "Disable TLS 1.0.".into(),
        output: "TLSv1 is enabled".into(),
        false_positive: false,
        quality: None,
    }
}

#[tokio::test]
async fn reported_items_read_back_in_order_and_leave_with_a_discarded_import() {
    let (_dir, store) = new_store().await;
    let mut writer = store.begin_scan(&new_scan()).await.unwrap();
    let items: Vec<_> = (0..BATCH_EVENTS + 3)
        .map(|n| reported_item(&format!("item {n}")))
        .collect();
    for item in &items {
        writer.record_reported(item).await.unwrap();
    }
    let id = writer.id();
    writer.finish(None).await.unwrap();
    assert_eq!(store.reported_items(id).await.unwrap(), items);

    let mut second = store.begin_scan(&new_scan()).await.unwrap();
    second.record_reported(&items[0]).await.unwrap();
    second.flush().await.unwrap();
    let second_id = second.id();
    assert_eq!(store.reported_items(second_id).await.unwrap().len(), 1);
    second.discard().await.unwrap();
    assert!(store.reported_items(second_id).await.unwrap().is_empty());
    assert!(store.scan(second_id).await.is_err(), "the scan is gone too");
    assert_eq!(store.reported_items(id).await.unwrap().len(), items.len());
}

/// A host announced with one open port, as a scan streams it.
fn announced_host(address: IpAddr, number: u16) -> [ScanEvent; 2] {
    [
        ScanEvent::Host(HostReport {
            address,
            name: None,
            up: true,
            reason: "syn-ack".into(),
        }),
        ScanEvent::Port(PortResult {
            address,
            port: number,
            protocol: Protocol::Tcp,
            state: PortState::Open,
            reason: Reason::SynAck,
            rtt_micros: None,
            service: None,
            identity: None,
            posture: None,
        }),
    ]
}

#[tokio::test]
async fn a_report_read_part_by_part_has_the_whole_reports_hosts_in_order() {
    let (_dir, store) = new_store().await;
    let mut writer = store.begin_scan(&new_scan()).await.unwrap();
    // Met out of address order, and one port whose host was never
    // announced: the whole report keeps the order met, then that host.
    for (last, number) in [(9u8, 22u16), (3, 80), (7, 443), (5, 8080), (1, 25)] {
        let address = IpAddr::from([10, 0, 0, last]);
        for event in announced_host(address, number) {
            writer.record(&event).await.unwrap();
        }
    }
    let [_, stray_port] = announced_host("10.0.0.200".parse().unwrap(), 3306);
    writer.record(&stray_port).await.unwrap();
    let id = writer.id();
    writer.finish(None).await.unwrap();

    let whole = store.scan_report(id).await.unwrap();
    assert_eq!(whole.hosts.len(), 6);
    let mut parts = Vec::new();
    let mut position = Some(portcullis_store::ReportPosition::start());
    while let Some(from) = position {
        let part = store.scan_report_part(id, from, 2).await.unwrap();
        assert!(part.hosts.len() <= 2 || part.next.is_none());
        parts.extend(part.hosts);
        position = part.next;
    }
    assert_eq!(parts, whole.hosts);

    let named = vec!["10.0.0.200".parse().unwrap(), "10.0.0.7".parse().unwrap()];
    let looked_up = store.scan_report_hosts(id, named).await.unwrap();
    let addresses: Vec<String> = looked_up
        .iter()
        .map(|host| host.host.address.to_string())
        .collect();
    assert_eq!(addresses, ["10.0.0.200", "10.0.0.7"]);
    assert_eq!(looked_up[0], whole.hosts[5]);
    assert_eq!(looked_up[1], whole.hosts[2]);
}
