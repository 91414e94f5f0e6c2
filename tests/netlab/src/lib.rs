//! The netlab: an isolated test network made of Linux network namespaces.
//!
//! A scanner namespace, `pcl-scan`, holds a bridge with the only links it
//! has: veth pairs to one namespace per target host, each running real
//! daemons, and one to a guest namespace with none (a network that should
//! be cut off). No namespace has a route or a link to the outside, and
//! [`check_isolation`] proves it before anything scans. Addresses come from
//! 198.18.0.0/15 (benchmarking) and 2001:db8::/32 (documentation).
//!
//! Ground truth about what listens comes from the target namespaces
//! themselves (`ss`), never from a hand-written list.
//!
//! Everything here needs root. `cargo xtask netlab up|down|status` and the
//! netlab tests use this crate.

mod daemons;
mod isolation;
pub mod nmap;
mod readiness;
mod shell;
pub mod topology;

use std::collections::BTreeSet;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

pub use isolation::check_isolation;
pub use readiness::in_namespace;
pub use topology::{Guest, HOSTS, Host, SCANNER_NS};

use crate::shell::run;

/// Where the netlab keeps configs, keys, data and logs of its daemons.
pub const STATE_DIR: &str = "/run/portcullis-netlab";

/// Creates the namespaces and links, starts every daemon, checks
/// isolation, and waits until every daemon answers (a TCP connection
/// accepted, a DNS or SNMP reply), failing after a minute with the host,
/// daemon and port of each that did not. Tears down any earlier netlab
/// first.
pub fn up() -> Result<()> {
    if !is_root() {
        bail!("the netlab needs root (network namespaces, daemons on low ports)");
    }
    down()?;
    std::fs::create_dir_all(STATE_DIR)?;
    topology::create()?;
    for host in HOSTS {
        daemons::start(host, Path::new(STATE_DIR))
            .with_context(|| format!("cannot start the daemons of the {} host", host.name))?;
    }
    check_isolation()?;
    let started = std::time::Instant::now();
    let answered = readiness::wait_until_answering()?;
    eprintln!(
        "netlab: all {answered} services of the {} hosts answer (waited {:.1} s)",
        HOSTS.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Removes everything `up` made: processes, namespaces, state. Works after a
/// crash too: it finds processes by namespace, not by pid file.
pub fn down() -> Result<()> {
    for namespace in topology::all_namespaces() {
        if !topology::namespace_exists(&namespace) {
            continue;
        }
        shell::kill_namespace_processes(&namespace);
        run(&["ip", "netns", "del", &namespace])?;
    }
    if Path::new(STATE_DIR).exists() {
        std::fs::remove_dir_all(STATE_DIR).with_context(|| format!("cannot remove {STATE_DIR}"))?;
    }
    Ok(())
}

/// One line per namespace: whether it exists and what listens in it.
pub fn status() -> Result<String> {
    let mut report = String::new();
    for namespace in topology::all_namespaces() {
        if !topology::namespace_exists(&namespace) {
            report.push_str(&format!("{namespace}: absent\n"));
            continue;
        }
        let tcp = listening(&namespace, Transport::Tcp)
            .map(|ports| format!("tcp {ports:?}"))
            .unwrap_or_else(|e| format!("cannot list: {e}"));
        let udp = listening(&namespace, Transport::Udp)
            .map(|ports| format!("udp {ports:?}"))
            .unwrap_or_default();
        report.push_str(&format!("{namespace}: up, listening {tcp} {udp}\n"));
    }
    match check_isolation() {
        Ok(()) => report.push_str("isolation: verified\n"),
        Err(error) => report.push_str(&format!("isolation: NOT verified: {error:#}\n")),
    }
    Ok(report)
}

/// Whether every namespace of the netlab exists.
pub fn is_up() -> bool {
    topology::all_namespaces()
        .iter()
        .all(|ns| topology::namespace_exists(ns))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    Tcp,
    Udp,
}

/// The ports something listens on in `namespace`, reachable from outside it
/// (loopback-only listeners are left out), as the kernel reports them.
pub fn listening(namespace: &str, transport: Transport) -> Result<BTreeSet<u16>> {
    let flag = match transport {
        Transport::Tcp => "-ltnH",
        Transport::Udp => "-lunH",
    };
    let output = run(&["ip", "netns", "exec", namespace, "ss", flag])?;
    let mut ports = BTreeSet::new();
    for line in output.lines() {
        // State Recv-Q Send-Q Local-Address:Port Peer-Address:Port ...
        let Some(local) = line.split_whitespace().nth(3) else {
            continue;
        };
        let Some((address, port)) = local.rsplit_once(':') else {
            continue;
        };
        let address = address.trim_start_matches('[').trim_end_matches(']');
        let address = address.split('%').next().unwrap_or(address);
        let loopback = address.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
        if loopback {
            continue;
        }
        if let Ok(port) = port.parse() {
            ports.insert(port);
        }
    }
    Ok(ports)
}

/// The TCP ports of `host` a scan must find open: what listens there, less
/// what its firewall drops. The truth every scan is judged against.
pub fn reachable_tcp(host: &Host) -> Result<BTreeSet<u16>> {
    let listening = listening(&host.namespace(), Transport::Tcp)?;
    if listening.is_empty() {
        bail!("nothing listens on {}: is the netlab up?", host.name);
    }
    Ok(match host.firewall_allows {
        Some(allowed) => listening
            .into_iter()
            .filter(|p| allowed.contains(p))
            .collect(),
        None => listening,
    })
}

/// The `portcullis` CLI the netlab tests run: `PORTCULLIS_CLI`, which
/// `cargo xtask test` sets to the one it built.
pub fn cli_under_test() -> PathBuf {
    let path = std::env::var_os("PORTCULLIS_CLI")
        .map(PathBuf::from)
        .expect("PORTCULLIS_CLI is not set: run the netlab tests with `cargo xtask test`");
    assert!(
        path.is_file(),
        "PORTCULLIS_CLI={} does not exist",
        path.display()
    );
    path
}

/// Runs `program` inside the scanner namespace, after checking isolation.
/// The only way tests and benches send packets into the netlab.
pub fn scanner_command(program: &Path) -> Result<std::process::Command> {
    check_isolation().context("refusing to scan")?;
    let mut command = std::process::Command::new("ip");
    command.args(["netns", "exec", SCANNER_NS]).arg(program);
    Ok(command)
}

/// Runs `program` inside the guest namespace, the network that should be
/// cut off from the card data systems, after checking isolation: how the
/// segmentation test scans from there.
pub fn guest_command(program: &Path) -> Result<std::process::Command> {
    check_isolation().context("refusing to scan")?;
    let mut command = std::process::Command::new("ip");
    command
        .args(["netns", "exec", topology::Guest::NAMESPACE])
        .arg(program);
    Ok(command)
}

/// `nft ARGS...` in `host`'s namespace: its own firewall, as a test
/// changes it.
pub fn host_nft(host: &Host, args: &[&str]) -> Result<String> {
    let namespace = host.namespace();
    let mut words = vec!["ip", "netns", "exec", namespace.as_str(), "nft"];
    words.extend(args);
    run(&words)
}

/// Drops `percent` of the packets the scanner sends, at random.
///
/// This kernel has no netem (`CONFIG_NET_SCH_NETEM` is not set, and there
/// are no modules), so loss comes from nftables' random number generator in
/// the scanner's output hook. Delay comes from [`delay`].
pub fn impair(percent: u32) -> Result<()> {
    anyhow::ensure!(percent <= 100, "loss of {percent}% is not a percentage");
    let per_mille = percent * 10;
    let rules = format!(
        "table inet {IMPAIR_TABLE} {{\n  chain output {{\n    type filter hook output priority 0; policy accept;\n    numgen random mod 1000 < {per_mille} counter drop\n  }}\n}}\n"
    );
    let path = state_path("impair.nft");
    std::fs::write(&path, rules)?;
    scanner_nft(&["-f", &path.display().to_string()])?;
    Ok(())
}

/// Delays every packet the scanner sends by `milliseconds`, with the
/// netlab's NFQUEUE delayer (`delayer`: the path of the `netlab-delayer`
/// binary) running inside the scanner's namespace.
///
/// Only outgoing packets wait, so the round trip grows by exactly the delay.
/// The queue sits in iptables' mangle OUTPUT chain, before [`impair`]'s drop
/// rule, so delay and loss combine as they would on a slow, lossy link.
pub fn delay(delayer: &Path, milliseconds: u32) -> Result<()> {
    anyhow::ensure!(
        !state_path(DELAYER_PID).exists(),
        "a delay is already in place; repair() first"
    );
    check_isolation().context("refusing to start the delayer")?;
    let child = std::process::Command::new("ip")
        .args(["netns", "exec", SCANNER_NS])
        .arg(delayer)
        .args([DELAY_QUEUE.to_string(), milliseconds.to_string()])
        .stdin(std::process::Stdio::null())
        .spawn()
        .with_context(|| format!("cannot start {}", delayer.display()))?;
    std::fs::write(state_path(DELAYER_PID), child.id().to_string())?;
    // The queue must be bound before packets go to it, or they are dropped.
    wait_for_delay_queue()?;
    for iptables in ["iptables", "ip6tables"] {
        let queue = DELAY_QUEUE.to_string();
        run(&[
            "ip",
            "netns",
            "exec",
            SCANNER_NS,
            iptables,
            "-t",
            "mangle",
            "-A",
            "OUTPUT",
            "-o",
            "br0",
            "-j",
            "NFQUEUE",
            "--queue-num",
            &queue,
        ])?;
    }
    Ok(())
}

/// Removes what [`impair`] and [`delay`] added; nothing to do when they
/// were not added.
pub fn repair() -> Result<()> {
    if scanner_nft(&["list", "tables"])?.contains(IMPAIR_TABLE) {
        scanner_nft(&["delete", "table", "inet", IMPAIR_TABLE])?;
    }
    let pid_file = state_path(DELAYER_PID);
    if pid_file.exists() {
        for iptables in ["iptables", "ip6tables"] {
            run(&[
                "ip", "netns", "exec", SCANNER_NS, iptables, "-t", "mangle", "-F", "OUTPUT",
            ])?;
        }
        let pid = std::fs::read_to_string(&pid_file)?;
        // `ip netns exec` execs the delayer, so the pid is the delayer's.
        let _ = run(&["kill", pid.trim()]);
        std::fs::remove_file(&pid_file)?;
    }
    Ok(())
}

/// Waits until the delayer has bound its queue: the kernel lists bound
/// queues, one line each starting with the queue number, in the
/// namespace's `/proc/net/netfilter/nfnetlink_queue`.
fn wait_for_delay_queue() -> Result<()> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let queue = DELAY_QUEUE.to_string();
    loop {
        let bound = run(&[
            "ip",
            "netns",
            "exec",
            SCANNER_NS,
            "cat",
            "/proc/net/netfilter/nfnetlink_queue",
        ])?;
        if bound
            .lines()
            .any(|line| line.split_whitespace().next() == Some(queue.as_str()))
        {
            return Ok(());
        }
        anyhow::ensure!(
            std::time::Instant::now() < deadline,
            "the delayer did not bind queue {queue} within 5 s"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// The NFQUEUE number the delayer reads.
const DELAY_QUEUE: u16 = 7;
const DELAYER_PID: &str = "delayer.pid";

const IMPAIR_TABLE: &str = "portcullis_impair";

/// How many packets [`impair`] has dropped so far.
pub fn dropped_packets() -> Result<u64> {
    let listing = scanner_nft(&["list", "table", "inet", IMPAIR_TABLE])?;
    let packets = listing
        .split_whitespace()
        .skip_while(|word| *word != "packets")
        .nth(1)
        .and_then(|count| count.parse().ok());
    packets.context("no drop counter in the impairment table")
}

/// `nft ARGS...` in the scanner namespace.
fn scanner_nft(args: &[&str]) -> Result<String> {
    let mut words = vec!["ip", "netns", "exec", SCANNER_NS, "nft"];
    words.extend(args);
    run(&words)
}

pub fn is_root() -> bool {
    run(&["id", "-u"]).is_ok_and(|uid| uid.trim() == "0")
}

/// The path of a file in the state directory.
pub fn state_path(name: &str) -> PathBuf {
    Path::new(STATE_DIR).join(name)
}
