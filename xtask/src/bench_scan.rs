//! `cargo xtask bench scan`: Portcullis against nmap, masscan and RustScan
//! on the same netlab hosts in one run, every tool from inside the scanner
//! namespace.
//!
//! For each scenario and tool: the median wall time over the runs, the open
//! ports found (checked against the truth from `ss`), and the time as a
//! multiple of Portcullis's SYN scan.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result};
use portcullis_model::scan::Protocol;
use portcullis_netlab::{HOSTS, Host};
use portcullis_scanner::PortSpec;

use crate::bench_netlab::{self, median, timed};
use crate::setup;

/// A set of hosts and ports every tool scans.
struct Scenario {
    name: &'static str,
    hosts: Vec<Host>,
    /// A port specification all the tools understand.
    ports: String,
}

/// Open ports as (address, port).
type OpenPorts = BTreeSet<(String, u16)>;

/// One run of a tool.
#[derive(Debug, Clone)]
struct Run {
    wall: Duration,
    /// Peak resident memory, from `/usr/bin/time`.
    peak_kib: u64,
    open: OpenPorts,
}

/// Builds a tool's command (inside the scanner namespace) for a scenario;
/// `None` when the tool cannot scan it.
type CommandFor = Box<dyn Fn(&Scenario) -> Option<Command>>;

/// One scanner's command line.
struct Tool {
    name: &'static str,
    command: CommandFor,
    /// Reads the open ports from its standard output.
    parse: fn(&str) -> OpenPorts,
}

pub fn run(runs: usize) -> Result<()> {
    bench_netlab::with_release_cli(|cli| bench_all(cli, runs))
}

fn bench_all(cli: &Path, runs: usize) -> Result<()> {
    let top_1000 = top_ports(cli, 1000)?;
    let web = Host::by_name("web").context("web host")?;
    let filtered = Host::by_name("filtered").context("filtered host")?;
    let scenarios = [
        Scenario {
            name: "all 65,535 ports, responsive host (web)",
            hosts: vec![web],
            ports: "1-65535".into(),
        },
        Scenario {
            name: "all 65,535 ports, host dropping all but 443 (filtered)",
            hosts: vec![filtered],
            ports: "1-65535".into(),
        },
        Scenario {
            name: "top 1,000 ports, every netlab host at once",
            hosts: HOSTS.to_vec(),
            ports: top_1000,
        },
    ];
    let tools = tools(cli)?;
    println!(
        "cargo xtask bench scan: medians of {runs} runs; every tool runs inside the netlab's scanner namespace"
    );
    for scenario in &scenarios {
        let truth = truth(scenario)?;
        println!("\n{} ({} open ports in truth)", scenario.name, truth.len());
        println!(
            "  {:<34} {:>9} {:>6} {:>8} {:>9}  exact?",
            "tool", "median s", "open", "× ours", "peak MiB"
        );
        let mut reference = None;
        for tool in &tools {
            let Some(runs) = measure(tool, scenario, runs)? else {
                println!("  {:<34} {:>9}", tool.name, "n/a");
                continue;
            };
            let median = median(runs.iter().map(|run| run.wall).collect());
            let peak_kib = runs.iter().map(|run| run.peak_kib).max().unwrap_or(0);
            let exact = runs.iter().all(|run| run.open == truth);
            let found = runs.iter().map(|run| run.open.len()).max().unwrap_or(0);
            let reference_time = *reference.get_or_insert(median);
            println!(
                "  {:<34} {:>9.3} {:>6} {:>8.2} {:>9.1}  {}",
                tool.name,
                median.as_secs_f64(),
                found,
                median.as_secs_f64() / reference_time.as_secs_f64(),
                peak_kib as f64 / 1024.0,
                if exact { "yes, every run" } else { "NO" }
            );
        }
    }
    Ok(())
}

/// Runs `tool` on `scenario` `runs` times, each under `/usr/bin/time` for
/// its peak memory.
fn measure(tool: &Tool, scenario: &Scenario, runs: usize) -> Result<Option<Vec<Run>>> {
    let memory_file = std::env::temp_dir().join("portcullis-bench-peak-rss");
    let mut results = Vec::new();
    for _ in 0..runs {
        let Some(command) = (tool.command)(scenario) else {
            return Ok(None);
        };
        let mut under_time = Command::new("/usr/bin/time");
        under_time
            .args(["--format", "%M", "--output"])
            .arg(&memory_file)
            .arg(command.get_program())
            .args(command.get_args());
        let (wall, stdout) = timed(&mut under_time, tool.name)?;
        let peak_kib = std::fs::read_to_string(&memory_file)?
            .trim()
            .parse()
            .context("/usr/bin/time wrote no peak memory")?;
        let open = (tool.parse)(&String::from_utf8_lossy(&stdout));
        results.push(Run {
            wall,
            peak_kib,
            open,
        });
    }
    Ok(Some(results))
}

fn in_scanner(program: &str) -> Command {
    portcullis_netlab::scanner_command(Path::new(program)).expect("the netlab is isolated")
}

fn addresses(scenario: &Scenario) -> Vec<String> {
    scenario.hosts.iter().map(|h| h.v4.to_owned()).collect()
}

fn tools(cli: &Path) -> Result<Vec<Tool>> {
    let cli = cli.display().to_string();
    // Portcullis with the given options (`--no-ping --open --format csv`
    // always, so every tool is timed on the same work).
    let portcullis = |options: &'static [&'static str]| {
        let cli = cli.clone();
        move |s: &Scenario| {
            let mut command = in_scanner(&cli);
            command
                .arg("scan")
                .args(addresses(s))
                .args(["-p", &s.ports])
                .args(options)
                .args(["--no-ping", "--open", "--format", "csv"]);
            Some(command)
        }
    };
    let nmap = |options: &'static [&'static str]| {
        move |s: &Scenario| {
            let mut command = in_scanner(portcullis_netlab::nmap::PROGRAM);
            command
                .args(options)
                .args(["-n", "-Pn", "-p", &s.ports, "-oX", "-"])
                .args(addresses(s));
            Some(command)
        }
    };
    let scanner_mac = link_mac(portcullis_netlab::SCANNER_NS, "br0")?;
    let masscan = move |s: &Scenario| {
        // masscan sends every frame to one MAC: one host at a time only.
        let [host] = s.hosts.as_slice() else {
            return None;
        };
        let target_mac = link_mac(&host.namespace(), "eth0").ok()?;
        let mut command = in_scanner("/usr/bin/masscan");
        command
            .args([
                host.v4, "-p", &s.ports, "--rate", "100000", "--wait", "2", "-oL", "-",
            ])
            .args([
                "--adapter",
                "br0",
                "--adapter-ip",
                portcullis_netlab::topology::SCANNER_V4,
            ])
            .args(["--adapter-mac", &scanner_mac, "--router-mac", &target_mac]);
        Some(command)
    };
    let rustscan_program = setup::rustscan()?.display().to_string();
    let rustscan = move |s: &Scenario| {
        let mut command = in_scanner(&rustscan_program);
        command.args(["-a", &addresses(s).join(",")]);
        // RustScan takes either one range or a plain list, never a mix.
        match s.ports.split_once('-') {
            Some((first, last)) if !s.ports.contains(',') => {
                command.args(["-r", &format!("{first}-{last}")]);
            }
            _ => {
                let list = PortSpec::parse(&s.ports).ok()?.ports(Protocol::Tcp);
                let list: Vec<String> = list.iter().map(u16::to_string).collect();
                command.args(["-p", &list.join(",")]);
            }
        }
        command
            // Its defaults (batch 4500, timeout 1500 ms), with the file
            // limit raised to fit the batch, greppable output, no nmap.
            .args(["--ulimit", "5000", "-g", "--scripts", "none"]);
        Some(command)
    };
    Ok(vec![
        Tool {
            name: "portcullis --syn --profile fast",
            command: Box::new(portcullis(&["--syn", "--profile", "fast"])),
            parse: parse_portcullis_csv,
        },
        Tool {
            name: "portcullis --connect --profile fast",
            command: Box::new(portcullis(&["--connect", "--profile", "fast"])),
            parse: parse_portcullis_csv,
        },
        // Defaults against defaults: what the wizard, cron and a merchant
        // who passes no option get.
        Tool {
            name: "portcullis (defaults)",
            command: Box::new(portcullis(&[])),
            parse: parse_portcullis_csv,
        },
        // The default profile as it was until it adapted: capped at 20,000
        // probes a second.
        Tool {
            name: "portcullis --max-rate 20000",
            command: Box::new(portcullis(&["--max-rate", "20000"])),
            parse: parse_portcullis_csv,
        },
        Tool {
            name: "nmap (defaults: -sS -T3)",
            command: Box::new(nmap(&["-sS"])),
            parse: portcullis_netlab::nmap::open_ports,
        },
        Tool {
            name: "nmap -sS -T4",
            command: Box::new(nmap(&["-sS", "-T4"])),
            parse: portcullis_netlab::nmap::open_ports,
        },
        Tool {
            name: "nmap -sS --min-rate 10000",
            command: Box::new(nmap(&["-sS", "--min-rate", "10000"])),
            parse: portcullis_netlab::nmap::open_ports,
        },
        Tool {
            name: "nmap -sT -T4",
            command: Box::new(nmap(&["-sT", "-T4"])),
            parse: portcullis_netlab::nmap::open_ports,
        },
        Tool {
            name: "masscan --rate 100000",
            command: Box::new(masscan),
            parse: parse_masscan_list,
        },
        Tool {
            name: "rustscan (defaults)",
            command: Box::new(rustscan),
            parse: parse_rustscan_greppable,
        },
    ])
}

/// A link's MAC address in a namespace.
fn link_mac(namespace: &str, link: &str) -> Result<String> {
    let output = Command::new("ip")
        .args(["-n", namespace, "-j", "link", "show", link])
        .output()?;
    let json = String::from_utf8_lossy(&output.stdout);
    let start = json.find("\"address\":\"").context("no MAC address")? + "\"address\":\"".len();
    let end = json[start..].find('"').context("no MAC address")? + start;
    Ok(json[start..end].to_owned())
}

/// What must be found open: the netlab's own account of each host
/// (`ss`, less what a firewall drops), restricted to the scenario's ports.
fn truth(scenario: &Scenario) -> Result<OpenPorts> {
    let wanted = PortSpec::parse(&scenario.ports)?.ports(Protocol::Tcp);
    let mut truth = BTreeSet::new();
    for host in &scenario.hosts {
        for port in portcullis_netlab::reachable_tcp(host)? {
            if wanted.binary_search(&port).is_ok() {
                truth.insert((host.v4.to_owned(), port));
            }
        }
    }
    Ok(truth)
}

/// Portcullis's own `top:N`, as a plain list the other tools accept.
fn top_ports(cli: &Path, count: usize) -> Result<String> {
    let output = Command::new(cli)
        .args([
            "scan",
            "127.0.0.1",
            "--no-ping",
            "-p",
            &format!("top:{count}"),
            "--format",
            "json",
            "--connect",
        ])
        .args(["--profile", "fast"])
        .output()?;
    let json: serde_json::Value =
        serde_json::from_slice(&output.stdout).context("portcullis JSON")?;
    let ports = json["request"]["ports"]
        .as_str()
        .context("no ports in the report")?;
    Ok(ports.trim_start_matches("T:").to_owned())
}

fn parse_portcullis_csv(text: &str) -> OpenPorts {
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split(',').collect();
            (fields.get(4) == Some(&"open"))
                .then(|| Some((fields[0].to_owned(), fields[2].parse().ok()?)))?
        })
        .collect()
}

/// masscan -oL: "open tcp 22 198.18.0.10 1700000000".
fn parse_masscan_list(text: &str) -> OpenPorts {
    text.lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            (fields.first() == Some(&"open"))
                .then(|| Some((fields.get(3)?.to_string(), fields.get(2)?.parse().ok()?)))?
        })
        .collect()
}

/// RustScan -g: "198.18.0.10 -> [22,80,443]".
fn parse_rustscan_greppable(text: &str) -> OpenPorts {
    text.lines()
        .filter_map(|line| line.split_once(" -> "))
        .flat_map(|(address, ports)| {
            ports
                .trim()
                .trim_start_matches('[')
                .trim_end_matches(']')
                .split(',')
                .filter_map(|port| port.trim().parse().ok())
                .map(move |port| (address.trim().to_owned(), port))
                .collect::<Vec<_>>()
        })
        .collect()
}
