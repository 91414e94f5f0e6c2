//! `cargo xtask bench scan`: Portcullis against nmap and masscan on the same
//! netlab hosts in one run, every tool from inside the scanner namespace.
//!
//! For each scenario and tool: the median wall time over the runs, the open
//! ports found (checked against the truth from `ss`), and the time as a
//! multiple of Portcullis's SYN scan.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use portcullis_netlab::{HOSTS, Host, Transport};

use crate::{cmd, paths, setup};

/// A set of hosts and ports every tool scans.
struct Scenario {
    name: &'static str,
    hosts: Vec<Host>,
    /// A port specification all the tools understand.
    ports: String,
}

/// Open ports as (address, port).
type OpenPorts = BTreeSet<(String, u16)>;

/// One run of a tool: its wall time and what it found open.
type Run = (Duration, OpenPorts);

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
    setup::run()?;
    cmd::run(cmd::command("cargo").args([
        "build",
        "--release",
        "--quiet",
        "--package",
        "portcullis-cli",
    ]))?;
    let cli = paths::target_dir().join("release/portcullis");
    let was_up = portcullis_netlab::is_up();
    if !was_up {
        portcullis_netlab::up()?;
    }
    let outcome = bench_all(&cli, runs);
    if !was_up {
        portcullis_netlab::down()?;
    }
    outcome
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
            name: "top 1,000 ports, all 5 hosts at once",
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
            "  {:<34} {:>9} {:>6} {:>8}  exact?",
            "tool", "median s", "open", "× ours"
        );
        let mut reference = None;
        for tool in &tools {
            let Some(mut times_and_ports) = measure(tool, scenario, runs)? else {
                println!("  {:<34} {:>9}", tool.name, "n/a");
                continue;
            };
            times_and_ports.sort_by_key(|(time, _)| *time);
            let (median, _) = times_and_ports[times_and_ports.len() / 2].clone();
            let exact = times_and_ports.iter().all(|(_, ports)| *ports == truth);
            let found = times_and_ports.last().map_or(0, |(_, p)| p.len());
            let reference_time = *reference.get_or_insert(median);
            println!(
                "  {:<34} {:>9.3} {:>6} {:>8.2}  {}",
                tool.name,
                median.as_secs_f64(),
                found,
                median.as_secs_f64() / reference_time.as_secs_f64(),
                if exact { "yes, every run" } else { "NO" }
            );
        }
    }
    Ok(())
}

/// Runs `tool` on `scenario` `runs` times: (wall time, open ports) each.
fn measure(tool: &Tool, scenario: &Scenario, runs: usize) -> Result<Option<Vec<Run>>> {
    let mut results = Vec::new();
    for _ in 0..runs {
        let Some(mut command) = (tool.command)(scenario) else {
            return Ok(None);
        };
        let started = Instant::now();
        let output = command
            .output()
            .with_context(|| format!("cannot run {}", tool.name))?;
        let took = started.elapsed();
        if !output.status.success() {
            bail!(
                "{} failed: {}",
                tool.name,
                String::from_utf8_lossy(&output.stderr)
            );
        }
        results.push((took, (tool.parse)(&String::from_utf8_lossy(&output.stdout))));
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
    let portcullis = |method: &'static str| {
        let cli = cli.clone();
        move |s: &Scenario| {
            let mut command = in_scanner(&cli);
            command.arg("scan").args(addresses(s)).args([
                "-p",
                &s.ports,
                method,
                "--profile",
                "fast",
                "--no-ping",
                "--open",
                "--format",
                "csv",
            ]);
            Some(command)
        }
    };
    let nmap = |options: &'static [&'static str]| {
        move |s: &Scenario| {
            let mut command = in_scanner("/usr/bin/nmap");
            command
                .args(options)
                .args(["-n", "-Pn", "-p", &s.ports, "-oX", "-"])
                .args(addresses(s));
            Some(command)
        }
    };
    let (scanner_mac, _) = link_mac(portcullis_netlab::SCANNER_NS, "br0")?;
    let masscan = move |s: &Scenario| {
        // masscan sends every frame to one MAC: one host at a time only.
        let [host] = s.hosts.as_slice() else {
            return None;
        };
        let (target_mac, _) = link_mac(&host.namespace(), "eth0").ok()?;
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
    Ok(vec![
        Tool {
            name: "portcullis --syn",
            command: Box::new(portcullis("--syn")),
            parse: parse_portcullis_csv,
        },
        Tool {
            name: "portcullis --connect",
            command: Box::new(portcullis("--connect")),
            parse: parse_portcullis_csv,
        },
        Tool {
            name: "nmap -sS -T4",
            command: Box::new(nmap(&["-sS", "-T4"])),
            parse: parse_nmap_xml,
        },
        Tool {
            name: "nmap -sS --min-rate 10000",
            command: Box::new(nmap(&["-sS", "--min-rate", "10000"])),
            parse: parse_nmap_xml,
        },
        Tool {
            name: "nmap -sT -T4",
            command: Box::new(nmap(&["-sT", "-T4"])),
            parse: parse_nmap_xml,
        },
        Tool {
            name: "masscan --rate 100000",
            command: Box::new(masscan),
            parse: parse_masscan_list,
        },
    ])
}

/// A link's MAC address in a namespace.
fn link_mac(namespace: &str, link: &str) -> Result<(String, ())> {
    let output = Command::new("ip")
        .args(["-n", namespace, "-j", "link", "show", link])
        .output()?;
    let json = String::from_utf8_lossy(&output.stdout);
    let start = json.find("\"address\":\"").context("no MAC address")? + "\"address\":\"".len();
    let end = json[start..].find('"').context("no MAC address")? + start;
    Ok((json[start..end].to_owned(), ()))
}

/// What must be found open: from `ss` in each host's namespace, restricted
/// to the scenario's ports (and to 443 on the filtered host).
fn truth(scenario: &Scenario) -> Result<OpenPorts> {
    let wanted = expand_ports(&scenario.ports);
    let mut truth = BTreeSet::new();
    for host in &scenario.hosts {
        for port in portcullis_netlab::listening(&host.namespace(), Transport::Tcp)? {
            let reachable = host.name != "filtered" || port == 443;
            if reachable && wanted.contains(&port) {
                truth.insert((host.v4.to_owned(), port));
            }
        }
    }
    Ok(truth)
}

fn expand_ports(spec: &str) -> BTreeSet<u16> {
    spec.split(',')
        .filter_map(|item| match item.split_once('-') {
            Some((a, b)) => Some(a.parse::<u16>().ok()?..=b.parse::<u16>().ok()?),
            None => item.parse::<u16>().ok().map(|p| p..=p),
        })
        .flatten()
        .collect()
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

fn parse_nmap_xml(xml: &str) -> OpenPorts {
    let mut found = BTreeSet::new();
    for host in xml.split("<host ").skip(1) {
        let Some(address) = attribute(host, "addr=\"") else {
            continue;
        };
        for port in host.split("<port ").skip(1) {
            if port.contains("<state state=\"open\"")
                && let Some(id) = attribute(port, "portid=\"").and_then(|p| p.parse().ok())
            {
                found.insert((address.clone(), id));
            }
        }
    }
    found
}

fn attribute(text: &str, prefix: &str) -> Option<String> {
    let start = text.find(prefix)? + prefix.len();
    let end = text[start..].find('"')? + start;
    Some(text[start..end].to_owned())
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
