//! `cargo xtask bench probes`: service identification of every open port of
//! the netlab, host by host, by Portcullis (`scan -sV`) and by `nmap -sV`
//! on the same ports in the same run, both from inside the scanner
//! namespace.
//!
//! Per host: the median wall time of each tool over the runs (each tool's
//! own port scan of those few ports included), nmap's time as a multiple
//! of Portcullis's, Portcullis with `--posture` too, and how the answers
//! compare (`portcullis_netlab::nmap::compare`, with its documented
//! differences). Then the hostile host: what a port that accepts and never
//! speaks costs each tool, and Portcullis on all the hostile ports.
//!
//! The goals: at least 5 times faster than nmap -sV per host with
//! equal or better answers, and a silent port at most 5 s.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use portcullis_model::report::ScanReport;
use portcullis_model::scan::{PortState, Protocol};
use portcullis_netlab::nmap::{self, Agreement, NmapService};
use portcullis_netlab::{HOSTS, Host, Transport};

use crate::bench_netlab::{self, median, timed};

/// The goals of the issue.
const SPEEDUP_GOAL: f64 = 5.0;
const SILENT_GOAL: Duration = Duration::from_secs(5);

/// What the silent port's identification may overrun its 5 s budget by
/// and still count as within it: the budget's own timer and the task
/// wake-up after it.
const TIMER_SLACK: Duration = Duration::from_millis(50);

/// How much Portcullis is asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Depth {
    /// The port scan alone.
    Ports,
    /// `-sV`.
    Identify,
    /// `-sV --posture`.
    Posture,
}

/// The hostile host's port that accepts and never speaks.
const SILENT_PORT: u16 = 40006;

/// The open ports of one host, as the netlab's truth has them.
struct Target {
    host: Host,
    tcp: BTreeSet<u16>,
    udp: BTreeSet<u16>,
}

impl Target {
    fn of(host: Host) -> Result<Target> {
        Ok(Target {
            host,
            tcp: portcullis_netlab::reachable_tcp(&host)?,
            udp: portcullis_netlab::listening(&host.namespace(), Transport::Udp)?,
        })
    }

    /// nmap's (and Portcullis's) syntax: `T:22,80,U:53`.
    fn port_list(&self) -> String {
        nmap::port_list(self.tcp.iter().copied(), self.udp.iter().copied())
    }
}

/// The medians of one host, and the answers of the first run.
struct HostFigures {
    ours: Duration,
    ours_posture: Duration,
    nmap: Duration,
    answers: Vec<PortAnswers>,
}

/// What each tool said about one port.
struct PortAnswers {
    port: String,
    ours: String,
    theirs: String,
    agreement: Agreement,
}

pub fn run(runs: usize, nmap_silent_runs: usize) -> Result<()> {
    anyhow::ensure!(runs > 0, "--runs must be at least 1");
    bench_netlab::with_release_cli(|cli| bench_all(cli, runs, nmap_silent_runs))
}

fn bench_all(cli: &Path, runs: usize, nmap_silent_runs: usize) -> Result<()> {
    let targets: Vec<Target> = HOSTS
        .into_iter()
        .filter(|h| h.name != "hostile")
        .map(Target::of)
        .collect::<Result<_>>()?;
    println!(
        "cargo xtask bench probes: identification of every open netlab port, medians of {runs} runs, \
         Portcullis (release) and nmap -sV in the same run, both inside the scanner namespace"
    );
    println!(
        "\n  {:<9} {:<34} {:>9} {:>11} {:>9} {:>8}  answers",
        "host", "ports", "ours -sV", "+posture", "nmap -sV", "nmap/us"
    );
    let mut met = 0;
    let mut all_answers = Vec::new();
    for target in &targets {
        let figures = bench_host(cli, target, runs)?;
        let ratio = figures.nmap.as_secs_f64() / figures.ours.as_secs_f64();
        let differs = figures
            .answers
            .iter()
            .filter(|a| a.agreement == Agreement::Differs)
            .count();
        if ratio >= SPEEDUP_GOAL && differs == 0 {
            met += 1;
        }
        println!(
            "  {:<9} {:<34} {:>8.2}s {:>10.2}s {:>8.2}s {:>7.1}×  {}",
            target.host.name,
            target.port_list(),
            figures.ours.as_secs_f64(),
            figures.ours_posture.as_secs_f64(),
            figures.nmap.as_secs_f64(),
            ratio,
            summarise(&figures.answers)
        );
        all_answers.extend(
            figures
                .answers
                .into_iter()
                .map(|answer| (target.host.name, answer)),
        );
    }
    println!(
        "\n  goal: at least {SPEEDUP_GOAL}× faster than nmap -sV with no disagreement: met on {met} of {} hosts",
        targets.len()
    );
    println!("\n  answers (first run):");
    for (host, answer) in &all_answers {
        println!(
            "    {host:<9} {:<10} {:<40} nmap: {:<40} {}",
            answer.port,
            answer.ours,
            answer.theirs,
            describe_agreement(answer.agreement)
        );
    }
    bench_hostile(cli, runs, nmap_silent_runs)
}

/// Every run of one host: Portcullis -sV, Portcullis -sV --posture, nmap
/// -sV, one after the other.
fn bench_host(cli: &Path, target: &Target, runs: usize) -> Result<HostFigures> {
    let (mut ours, mut ours_posture, mut theirs) = (Vec::new(), Vec::new(), Vec::new());
    let mut answers = Vec::new();
    for run in 0..runs {
        let (took, report) = portcullis(cli, target, Depth::Identify)?;
        ours.push(took);
        ours_posture.push(portcullis(cli, target, Depth::Posture)?.0);
        let (took, nmap_services) = nmap_sv(target)?;
        theirs.push(took);
        if run == 0 {
            answers = compare_answers(target, &report, &nmap_services);
        }
    }
    Ok(HostFigures {
        ours: median(ours),
        ours_posture: median(ours_posture),
        nmap: median(theirs),
        answers,
    })
}

/// The silent port alone, by each tool; then Portcullis on every hostile
/// port.
fn bench_hostile(cli: &Path, runs: usize, nmap_silent_runs: usize) -> Result<()> {
    let host = Host::by_name("hostile").context("the netlab has no hostile host")?;
    let silent = Target {
        host,
        tcp: BTreeSet::from([SILENT_PORT]),
        udp: BTreeSet::new(),
    };
    let (mut ours, mut scan_only) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        scan_only.push(portcullis(cli, &silent, Depth::Ports)?.0);
        let (took, report) = portcullis(cli, &silent, Depth::Identify)?;
        let identity = report
            .hosts
            .iter()
            .flat_map(|h| &h.ports)
            .find(|p| p.port == SILENT_PORT && p.state == PortState::Open)
            .and_then(|p| p.identity.as_ref())
            .context("the silent port was not reported open and identified")?;
        if identity.service != "unknown" {
            bail!(
                "the silent port was identified as {}, not unknown",
                identity.service
            );
        }
        ours.push(took);
    }
    let ours = median(ours);
    let scan_only = median(scan_only);
    let identification = ours.saturating_sub(scan_only);
    let verdict = if identification <= SILENT_GOAL + TIMER_SLACK {
        "met"
    } else {
        "NOT met"
    };
    println!(
        "\n  a port that accepts and never speaks (hostile:{SILENT_PORT}): Portcullis -sV {:.2} s, \
         the port scan alone {:.2} s, so identification's share is {:.2} s (medians of {runs}; \
         goal at most {} s: {verdict})",
        ours.as_secs_f64(),
        scan_only.as_secs_f64(),
        identification.as_secs_f64(),
        SILENT_GOAL.as_secs(),
    );
    if nmap_silent_runs > 0 {
        let mut theirs = Vec::new();
        for _ in 0..nmap_silent_runs {
            theirs.push(nmap_sv(&silent)?.0);
        }
        let theirs = median(theirs);
        println!(
            "    nmap -sV on the same port: {:.1} s (median of {nmap_silent_runs}), {:.0}× Portcullis",
            theirs.as_secs_f64(),
            theirs.as_secs_f64() / ours.as_secs_f64()
        );
    }
    let hostile = Target::of(host)?;
    let mut all = Vec::new();
    for _ in 0..runs {
        all.push(portcullis(cli, &hostile, Depth::Posture)?.0);
    }
    println!(
        "  every hostile port ({}), Portcullis -sV --posture: {:.2} s (median of {runs})",
        hostile.port_list(),
        median(all).as_secs_f64()
    );
    Ok(())
}

/// `portcullis scan [-sV [--posture]]` of `target`'s ports, timed.
fn portcullis(cli: &Path, target: &Target, depth: Depth) -> Result<(Duration, ScanReport)> {
    let mut command = portcullis_netlab::scanner_command(cli)?;
    let ports = target.port_list();
    command
        .args(["scan", target.host.v4, "-p", &ports, "--syn"])
        .args(["--no-ping", "--format", "json"]);
    if !target.udp.is_empty() {
        command.arg("--udp");
    }
    match depth {
        Depth::Ports => {}
        Depth::Identify => {
            command.arg("-sV");
        }
        Depth::Posture => {
            command.args(["-sV", "--posture"]);
        }
    }
    let (took, stdout) = timed(&mut command, "portcullis")?;
    let document: serde_json::Value =
        serde_json::from_slice(&stdout).context("portcullis did not print JSON")?;
    let report = serde_json::from_value(document["report"].clone())
        .context("portcullis's JSON holds no report")?;
    Ok((took, report))
}

/// `nmap -sV` (and `-sU` for UDP ports) of `target`'s ports, timed.
fn nmap_sv(target: &Target) -> Result<(Duration, Vec<NmapService>)> {
    let mut command = portcullis_netlab::scanner_command(Path::new(nmap::PROGRAM))?;
    command.args(["-sV", "-sS", "-n", "-Pn", "-p", &target.port_list()]);
    if !target.udp.is_empty() {
        command.arg("-sU");
    }
    command.args(["-oX", "-", target.host.v4]);
    let (took, stdout) = timed(&mut command, "nmap")?;
    Ok((took, nmap::services(&String::from_utf8_lossy(&stdout))))
}

/// Each open port of `target`: Portcullis's answer, nmap's, and how they
/// compare.
fn compare_answers(target: &Target, ours: &ScanReport, theirs: &[NmapService]) -> Vec<PortAnswers> {
    let tcp = target.tcp.iter().map(|p| (Protocol::Tcp, *p));
    let udp = target.udp.iter().map(|p| (Protocol::Udp, *p));
    tcp.chain(udp)
        .map(|(protocol, port)| {
            let identity = ours
                .hosts
                .iter()
                .flat_map(|h| &h.ports)
                .find(|p| p.protocol == protocol && p.port == port)
                .and_then(|p| p.identity.as_ref());
            let nmap_says = theirs
                .iter()
                .find(|s| s.protocol == protocol.as_str() && s.port == port);
            let ours_text = identity.map_or_else(
                || "(not identified)".to_owned(),
                |i| {
                    [
                        Some(i.service.clone()),
                        i.product.clone(),
                        i.version.clone(),
                    ]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" ")
                },
            );
            let agreement = match (identity, nmap_says) {
                (Some(i), Some(n)) => nmap::compare(i.product.as_deref(), i.version.as_deref(), n),
                (None, Some(n)) if n.product.is_none() => Agreement::NmapNamesNothing,
                _ => Agreement::Differs,
            };
            PortAnswers {
                port: format!("{port}/{}", protocol.as_str()),
                ours: ours_text,
                theirs: nmap_says.map_or_else(|| "(not open)".to_owned(), NmapService::describe),
                agreement,
            }
        })
        .collect()
}

fn summarise(answers: &[PortAnswers]) -> String {
    let count =
        |wanted: fn(&Agreement) -> bool| answers.iter().filter(|a| wanted(&a.agreement)).count();
    let same = count(|a| *a == Agreement::Same);
    let more = count(|a| *a == Agreement::NmapNamesNothing);
    let documented = count(|a| matches!(a, Agreement::Documented(_)));
    let differs = count(|a| *a == Agreement::Differs);
    let mut parts = vec![format!("{same} same")];
    if more > 0 {
        parts.push(format!("{more} named only by us"));
    }
    if documented > 0 {
        parts.push(format!("{documented} documented"));
    }
    if differs > 0 {
        parts.push(format!("{differs} DIFFER"));
    }
    parts.join(", ")
}

fn describe_agreement(agreement: Agreement) -> String {
    match agreement {
        Agreement::Same => "same".into(),
        Agreement::NmapNamesNothing => "nmap names no product".into(),
        Agreement::Documented(why) => format!("documented: {why}"),
        Agreement::Differs => "DIFFERS".into(),
    }
}
