//! `cargo xtask bench documents`: the two document jobs a merchant waits
//! for, timed on the release CLI. First, importing a 200 MB nmap XML file
//! (a /15 swept for a handful of services: 96,000 hosts, three open ports
//! each, service detection and script output, as `nmap -sV -oX` writes
//! it): wall time and peak memory, under GNU time, which the import must
//! keep flat by streaming. Second, the inventory PDF of 50 systems with
//! 500 approved entries.
//!
//! The goals (issue 14, this machine): the import under 20 s and 200 MiB,
//! the PDF under 2 s. The figures are printed beside them; nothing fails
//! on a miss, since a bench reports, it does not judge.

use std::fmt::Write as _;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::{cmd, paths};

/// Hosts in the generated file by default (the goals are for this many),
/// and what each offers.
pub const HOSTS: u32 = 96_000;
/// Systems and entries of the inventory PDF.
const SYSTEMS: u32 = 50;
const ENTRIES_PER_SYSTEM: u32 = 10;

pub fn run(runs: usize, hosts: u32) -> Result<()> {
    let dir = paths::target_dir().join("bench-documents");
    std::fs::create_dir_all(&dir)?;
    let big = dir.join(sweep_name(hosts));
    if !big.exists() {
        eprintln!("Writing {} ...", big.display());
        write_sweep(&big, hosts)?;
    }
    let size = std::fs::metadata(&big)?.len();
    let cli = release_cli()?;

    println!(
        "## Import of a {:.0} MB nmap XML file ({hosts} hosts)",
        size as f64 / 1e6
    );
    println!();
    println!("| Run | Wall time | Peak memory | Scan recorded |");
    println!("|---|---|---|---|");
    let mut walls = Vec::new();
    let mut peaks = Vec::new();
    for run in 1..=runs {
        let data = dir.join(format!("import-{run}"));
        let _ = std::fs::remove_dir_all(&data);
        let (wall, peak_kib, stdout) = under_time(
            Command::new(&cli)
                .arg("--data-dir")
                .arg(&data)
                .args(["import", "--json"])
                .arg(&big),
        )?;
        let outcome: serde_json::Value =
            serde_json::from_slice(&stdout).context("the import's JSON")?;
        let recorded = format!(
            "{} hosts up, {} open ports",
            outcome["scan"]["hosts_up"], outcome["scan"]["open_ports"]
        );
        println!(
            "| {run} | {:.1} s | {:.0} MiB | {recorded} |",
            wall.as_secs_f64(),
            peak_kib as f64 / 1024.0
        );
        walls.push(wall);
        peaks.push(peak_kib);
        let _ = std::fs::remove_dir_all(&data);
    }
    println!();
    println!(
        "Median: {:.1} s (goal: under 20 s), {:.0} MiB peak (goal: under 200 MiB).",
        median(&mut walls).as_secs_f64(),
        median(&mut peaks) as f64 / 1024.0
    );

    let data = dir.join("inventory");
    let _ = std::fs::remove_dir_all(&data);
    build_inventory(&cli, &data, &dir)?;
    println!();
    println!(
        "## Inventory PDF: {SYSTEMS} systems, {} entries",
        SYSTEMS * ENTRIES_PER_SYSTEM
    );
    println!();
    println!("| Run | Wall time | Pages |");
    println!("|---|---|---|");
    let mut pdf_walls = Vec::new();
    let pdf = dir.join("inventory.pdf");
    for run in 1..=runs {
        let started = Instant::now();
        cmd::run(
            Command::new(&cli)
                .arg("--data-dir")
                .arg(&data)
                .args(["export", "inventory", "--format", "pdf", "-o"])
                .arg(&pdf),
        )?;
        let wall = started.elapsed();
        let pages = cmd::output(Command::new("pdfinfo").arg(&pdf))
            .and_then(|info| {
                info.lines()
                    .find_map(|line| line.strip_prefix("Pages:").map(|n| n.trim().to_owned()))
            })
            .unwrap_or_else(|| "?".to_owned());
        println!("| {run} | {:.2} s | {pages} |", wall.as_secs_f64());
        pdf_walls.push(wall);
    }
    println!();
    println!(
        "Median: {:.2} s (goal: under 2 s), for the whole command (opening the database, reading, typesetting, writing).",
        median(&mut pdf_walls).as_secs_f64()
    );
    Ok(())
}

/// The generated file's name: the default keeps the name it always had,
/// so an existing file is reused.
fn sweep_name(hosts: u32) -> String {
    if hosts == HOSTS {
        "sweep-200mb.xml".to_owned()
    } else {
        format!("sweep-{hosts}-hosts.xml")
    }
}

fn median<T: Ord + Copy>(values: &mut [T]) -> T {
    values.sort();
    values[values.len() / 2]
}

/// The release CLI, built with thin local LTO as the store bench does:
/// the timings of an optimised build without a fat-LTO link's minutes.
fn release_cli() -> Result<PathBuf> {
    cmd::run(
        cmd::command("cargo")
            .args([
                "build",
                "--release",
                "--quiet",
                "--package",
                "portcullis-cli",
            ])
            .env("CARGO_PROFILE_RELEASE_LTO", "false")
            .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16"),
    )?;
    Ok(paths::target_dir().join("release/portcullis"))
}

/// Runs `command` under GNU time: its wall time, peak memory (KiB) and
/// standard output.
fn under_time(command: &mut Command) -> Result<(Duration, u64, Vec<u8>)> {
    let memory = std::env::temp_dir().join("portcullis-bench-documents-rss");
    let mut timed = Command::new("/usr/bin/time");
    timed
        .args(["--format", "%M", "--output"])
        .arg(&memory)
        .arg(command.get_program())
        .args(command.get_args());
    let started = Instant::now();
    let output = timed.output().context("cannot run /usr/bin/time")?;
    let wall = started.elapsed();
    if !output.status.success() {
        bail!(
            "{:?} failed: {}",
            command.get_program(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let peak = std::fs::read_to_string(&memory)?
        .trim()
        .parse()
        .context("/usr/bin/time wrote no peak memory")?;
    Ok((wall, peak, output.stdout))
}

/// The sweep: `hosts` hosts of 198.18.0.0/15 (at most 131,072), each with SSH, HTTP and
/// HTTPS identified, a script's output, a closed port and 996 closed
/// ports not listed, as nmap writes them.
fn write_sweep(path: &Path, hosts: u32) -> Result<()> {
    let mut out = BufWriter::new(std::fs::File::create(path)?);
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(out, "<!DOCTYPE nmaprun>")?;
    writeln!(
        out,
        r#"<nmaprun scanner="nmap" args="nmap -sS -sV -sC -p 1-1000 198.18.0.0/15" start="1764979200" version="7.93" xmloutputversion="1.05">"#
    )?;
    writeln!(
        out,
        r#"<scaninfo type="syn" protocol="tcp" numservices="1000" services="1-1000"/>"#
    )?;
    let mut host = String::new();
    for n in 0..hosts {
        host.clear();
        let address = format!("198.{}.{}.{}", 18 + n / 65_536, (n / 256) % 256, n % 256);
        let _ = write!(
            host,
            r#"<host starttime="1764979201" endtime="1764979260"><status state="up" reason="syn-ack" reason_ttl="64"/>
<address addr="{address}" addrtype="ipv4"/>
<hostnames><hostname name="host-{n}.shop.example" type="PTR"/></hostnames>
<ports><extraports state="closed" count="996">
<extrareasons reason="reset" count="996" proto="tcp" ports="1-21,23-79,81-112,114-442,444-1000"/>
</extraports>
<port protocol="tcp" portid="22"><state state="open" reason="syn-ack" reason_ttl="64"/><service name="ssh" product="OpenSSH" version="9.2p1 Debian 2+deb12u3" extrainfo="protocol 2.0" ostype="Linux" method="probed" conf="10"><cpe>cpe:/a:openbsd:openssh:9.2p1</cpe><cpe>cpe:/o:linux:linux_kernel</cpe></service><script id="ssh-hostkey" output="&#xa;  256 aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99 (ECDSA)&#xa;  256 99:88:77:66:55:44:33:22:11:00:ff:ee:dd:cc:bb:aa (ED25519)"/></port>
<port protocol="tcp" portid="80"><state state="open" reason="syn-ack" reason_ttl="64"/><service name="http" product="nginx" version="1.22.1" method="probed" conf="10"><cpe>cpe:/a:igor_sysoev:nginx:1.22.1</cpe></service><script id="http-title" output="Shop {n} &#x2013; Welcome"><elem key="title">Shop {n} &#x2013; Welcome</elem></script><script id="http-server-header" output="nginx/1.22.1"><elem>nginx/1.22.1</elem></script></port>
<port protocol="tcp" portid="113"><state state="closed" reason="reset" reason_ttl="64"/><service name="ident" method="table" conf="3"/></port>
<port protocol="tcp" portid="443"><state state="open" reason="syn-ack" reason_ttl="64"/><service name="http" product="nginx" version="1.22.1" tunnel="ssl" method="probed" conf="10"><cpe>cpe:/a:igor_sysoev:nginx:1.22.1</cpe></service><script id="ssl-cert" output="Subject: commonName=host-{n}.shop.example&#xa;Issuer: commonName=R3/organizationName=Let's Encrypt/countryName=US&#xa;Public Key type: rsa&#xa;Public Key bits: 2048&#xa;Signature Algorithm: sha256WithRSAEncryption&#xa;Not valid before: 2025-10-01T00:00:00&#xa;Not valid after:  2026-01-01T00:00:00"/></port>
</ports>
<times srtt="412" rttvar="188" to="100000"/>
</host>
"#
        );
        out.write_all(host.as_bytes())?;
    }
    writeln!(
        out,
        r#"<runstats><finished time="1764980000" elapsed="800.00" exit="success"/><hosts up="{hosts}" down="0" total="{hosts}"/></runstats>"#
    )?;
    writeln!(out, "</nmaprun>")?;
    out.flush()?;
    Ok(())
}

/// A data directory with `SYSTEMS` systems and their entries, made with
/// the CLI as a merchant would (systems one by one, the entries in one
/// import).
fn build_inventory(cli: &Path, data: &Path, dir: &Path) -> Result<()> {
    let portcullis =
        |args: &[&str]| cmd::run(Command::new(cli).arg("--data-dir").arg(data).args(args));
    let mut csv = String::from("system,port,protocol,service,justification,approver\n");
    for system in 0..SYSTEMS {
        let name = format!("Till {system:02}");
        let address = format!("198.18.{}.{}", system / 200, system % 200 + 1);
        portcullis(&[
            "systems",
            "add",
            &name,
            "--address",
            &address,
            "--role",
            "payment",
            "--scope",
            "cde",
            "--exposure",
            "internal",
        ])?;
        for entry in 0..ENTRIES_PER_SYSTEM {
            let port = 8000 + entry;
            let _ = writeln!(
                csv,
                "{name},{port},tcp,http-alt,\"The till's payment service {entry}, used by the card terminal at the counter\",Ann Owner"
            );
        }
    }
    let file = dir.join("inventory.csv");
    std::fs::write(&file, csv)?;
    portcullis(&[
        "inventory",
        "import",
        file.to_str().context("a UTF-8 path")?,
    ])?;
    Ok(())
}
