//! The guided segmentation test (PCI DSS 11.4.5) on the netlab, through
//! the real CLI and a real SQLite file: from the guest namespace (a shop's
//! guest Wi-Fi, meant to be cut off), with the database host's own
//! firewall dropping the guest on every port something listens on, the
//! test passes; with the rule for PostgreSQL removed, it fails and names
//! 5432.
//!
//! The firewall drops the guest's packets to the listening ports one rule
//! each (the ports come from `ss` in the host's namespace, not a list), so
//! that removing one rule opens exactly one way across; the ports nothing
//! listens on answer with a reset, which reaches no service and is no
//! answer to the test.
//!
//! Run by `cargo xtask test` (root, netlab up, `PORTCULLIS_CLI` set).

use std::path::Path;
use std::process::{Command, Output};

use portcullis_model::dashboard::SegmentationRecord;
use portcullis_model::scan::Protocol;
use portcullis_model::segmentation::{SegmentationAnswer, SegmentationRunOutcome};
use portcullis_netlab::{Guest, Host, Transport};

/// The database host's port whose rule the test removes.
const OPENED_PORT: u16 = 5432;
const NETWORK: &str = "Guest Wi-Fi";
const TABLE: &str = "portcullis_segmentation_test";

/// `portcullis --data-dir DATA ARGS...`, outside the netlab (no packets).
fn portcullis(data: &Path, args: &[&str]) -> String {
    let output = Command::new(portcullis_netlab::cli_under_test())
        .arg("--data-dir")
        .arg(data)
        .args(["--actor", "netlab test"])
        .args(args)
        .output()
        .expect("the CLI runs");
    assert!(
        output.status.success(),
        "portcullis {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

/// `portcullis segmentation run --network "Guest Wi-Fi" --json` inside the
/// guest namespace.
fn test_from_guest(data: &Path) -> Output {
    let mut command = portcullis_netlab::guest_command(&portcullis_netlab::cli_under_test())
        .expect("isolation holds");
    command
        .arg("--data-dir")
        .arg(data)
        .args(["--actor", "netlab test", "segmentation", "run"])
        .args(["--network", NETWORK, "--json"]);
    command.output().expect("the segmentation test runs")
}

fn outcome_of(output: &Output) -> SegmentationRunOutcome {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "not a segmentation outcome ({error}): {}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// The database host's firewall, dropping what the guest sends to each
/// port something listens on, one rule per port; removed when dropped.
struct GuestBlocked {
    host: Host,
}

impl GuestBlocked {
    fn install(host: Host) -> GuestBlocked {
        let tcp = portcullis_netlab::listening(&host.namespace(), Transport::Tcp)
            .expect("ss lists the listening TCP ports");
        let udp = portcullis_netlab::listening(&host.namespace(), Transport::Udp)
            .expect("ss lists the listening UDP ports");
        assert!(
            tcp.contains(&OPENED_PORT),
            "nothing listens on {OPENED_PORT}"
        );
        let rules: String = tcp
            .iter()
            .map(|port| ("tcp", port))
            .chain(udp.iter().map(|port| ("udp", port)))
            .map(|(protocol, port)| {
                format!(
                    "    ip saddr {} {protocol} dport {port} drop comment \"{protocol}-{port}\"\n",
                    Guest::V4
                )
            })
            .collect();
        let ruleset = format!(
            "table inet {TABLE} {{\n  chain input {{\n    type filter hook input priority -10;\n{rules}  }}\n}}\n"
        );
        let file = tempfile::NamedTempFile::new().expect("a rules file");
        std::fs::write(file.path(), ruleset).expect("rules written");
        let blocked = GuestBlocked { host };
        portcullis_netlab::host_nft(&host, &["-f", &file.path().display().to_string()])
            .expect("the firewall takes the rules");
        blocked
    }

    /// Removes the rule that drops the guest's packets to `port` (TCP).
    fn remove_rule_for(&self, port: u16) {
        let listing = portcullis_netlab::host_nft(
            &self.host,
            &["-a", "list", "chain", "inet", TABLE, "input"],
        )
        .expect("nft lists the chain");
        let comment = format!("comment \"tcp-{port}\"");
        let handle = listing
            .lines()
            .find(|line| line.contains(&comment))
            .and_then(|line| line.rsplit_once("# handle "))
            .map(|(_, handle)| handle.trim().to_owned())
            .unwrap_or_else(|| panic!("no rule for tcp {port} in:\n{listing}"));
        portcullis_netlab::host_nft(
            &self.host,
            &["delete", "rule", "inet", TABLE, "input", "handle", &handle],
        )
        .expect("the rule is removed");
    }
}

impl Drop for GuestBlocked {
    fn drop(&mut self) {
        let _ = portcullis_netlab::host_nft(&self.host, &["delete", "table", "inet", TABLE]);
    }
}

#[test]
#[ignore = "needs root and the netlab: run `cargo xtask test`"]
fn the_guest_network_is_cut_off_until_one_rule_is_removed() {
    let db = Host::by_name("db").expect("the db host");
    let data = tempfile::tempdir().expect("a data directory");
    portcullis(
        data.path(),
        &[
            "systems",
            "add",
            "card database",
            "--address",
            db.v4,
            "--role",
            "database",
            "--scope",
            "cde",
            "--exposure",
            "internal",
        ],
    );
    let firewall = GuestBlocked::install(db);

    let output = test_from_guest(data.path());
    assert_eq!(
        output.status.code(),
        Some(0),
        "the blocked guest must pass: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let passed = outcome_of(&output);
    assert!(passed.passed && passed.evidence.answers.is_empty());
    assert_eq!(passed.evidence.network, NETWORK);
    assert_eq!(passed.evidence.position.interface, "eth0");
    assert_eq!(passed.evidence.position.address.to_string(), Guest::V4);
    assert_eq!(
        passed.evidence.position.gateway, None,
        "the netlab has no router"
    );
    assert!(passed.summary.starts_with("Passed"), "{}", passed.summary);

    firewall.remove_rule_for(OPENED_PORT);
    let output = test_from_guest(data.path());
    assert_eq!(
        output.status.code(),
        Some(1),
        "one way across must fail the test: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let failed = outcome_of(&output);
    assert!(!failed.passed);
    assert_eq!(
        failed.evidence.answers,
        [SegmentationAnswer {
            address: db.v4.parse().unwrap(),
            port: OPENED_PORT,
            protocol: Protocol::Tcp,
            service: Some("postgresql".into()),
        }],
        "exactly the port whose rule was removed answers"
    );
    assert!(
        failed
            .summary
            .contains("198.18.0.20 port 5432/tcp (postgresql)"),
        "{}",
        failed.summary
    );
    assert_ne!(failed.evidence.scan_id, passed.evidence.scan_id);
    drop(firewall);

    // Both are the evidence `segmentation list` shows, newest first.
    let listed: Vec<SegmentationRecord> = serde_json::from_str(&portcullis(
        data.path(),
        &["segmentation", "list", "--json"],
    ))
    .expect("the list as JSON");
    let evidence: Vec<_> = listed
        .iter()
        .map(|test| {
            (
                test.passed,
                test.evidence.clone().expect("a guided test's evidence"),
            )
        })
        .collect();
    assert_eq!(
        evidence,
        [(false, failed.evidence), (true, passed.evidence)]
    );
    let text = portcullis(data.path(), &["segmentation", "list"]);
    assert!(
        text.contains("answered: 198.18.0.20 port 5432/tcp (postgresql)"),
        "{text}"
    );
}

/// Runs `ip -n pcl-guest ARGS...`.
fn ip_in_guest(args: &[&str]) -> bool {
    Command::new("ip")
        .args(["-n", Guest::NAMESPACE])
        .args(args)
        .status()
        .expect("ip runs")
        .success()
}

/// A link or route the test gave the guest, taken away when dropped.
struct Breach(&'static [&'static str]);

impl Drop for Breach {
    fn drop(&mut self) {
        assert!(ip_in_guest(self.0), "could not undo {:?}", self.0);
    }
}

/// The isolation check accepts the guest as the netlab makes it and
/// refuses it with another link or a route out of the lab, before any
/// scan could leave.
#[test]
#[ignore = "needs root and the netlab: run `cargo xtask test`"]
fn the_isolation_check_refuses_a_guest_with_a_way_out() {
    portcullis_netlab::check_isolation().expect("the guest as made is isolated");
    {
        assert!(ip_in_guest(&[
            "link", "add", "leak0", "type", "veth", "peer", "name", "leak1"
        ]));
        let _breach = Breach(&["link", "del", "leak0"]);
        let refused = portcullis_netlab::check_isolation().unwrap_err();
        assert!(
            format!("{refused:#}").contains("pcl-guest has a link beyond lo and eth0"),
            "{refused:#}"
        );
        assert!(portcullis_netlab::guest_command(Path::new("true")).is_err());
    }
    {
        assert!(ip_in_guest(&["route", "add", "10.0.0.0/8", "dev", "eth0"]));
        let _breach = Breach(&["route", "del", "10.0.0.0/8", "dev", "eth0"]);
        let refused = portcullis_netlab::check_isolation().unwrap_err();
        assert!(
            format!("{refused:#}").contains("pcl-guest has a route to 10.0.0.0/8"),
            "{refused:#}"
        );
    }
    portcullis_netlab::check_isolation().expect("isolated again once undone");
}
