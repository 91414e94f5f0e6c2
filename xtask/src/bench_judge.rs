//! `cargo xtask bench judge`: what Portcullis fails each netlab host on,
//! beside what nmap's NSE scripts say about the same ports in the same
//! run (ssl-enum-ciphers, ssh2-enum-algos, http-git), both from inside the
//! scanner namespace. Each host is judged as an internet-facing card data
//! system, as an ASV judges it.
//!
//! Not a timing: a table, printed as Markdown, whose disagreements a
//! person explains. nmap grades TLS and lists SSH algorithms; it does not
//! say what an ASV fails, so the table puts the two views side by side and
//! marks only what one sees and the other does not.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::{Context, Result};
use portcullis_netlab::Host;
use portcullis_netlab::nmap;

use crate::bench_netlab::{self, timed};

/// The hosts with TLS, SSH or web posture to compare; the others (UDP, a
/// firewall, hostile junk) give NSE's scripts nothing to say.
const HOSTS: [&str; 5] = ["web", "db", "mixed", "legacy", "hardened"];

/// The NSE scripts compared.
const SCRIPTS: &str = "ssl-enum-ciphers,ssh2-enum-algos,http-git";

/// SSH algorithms an ASV fails or flags, by name fragment, to summarise
/// ssh2-enum-algos's lists (the script lists, it does not judge).
const WEAK_SSH: [&str; 9] = [
    "group1-",
    "group-exchange-sha1",
    "group14-sha1",
    "ssh-dss",
    "-cbc",
    "arcfour",
    "hmac-md5",
    "hmac-sha1",
    "umac-64",
];

pub fn run() -> Result<()> {
    bench_netlab::with_release_cli(|cli| {
        println!("| Host | Port | Portcullis: fails on | Portcullis: action needed | nmap NSE |");
        println!("|---|---|---|---|---|");
        for name in HOSTS {
            let host = Host::by_name(name).context("a netlab host")?;
            let ports = portcullis_netlab::reachable_tcp(&host)?;
            let ours = portcullis_findings(cli, &host, &ports)?;
            let theirs = nse(&host, &ports)?;
            for port in &ports {
                let ours = ours.get(port).cloned().unwrap_or_default();
                let theirs = theirs.get(port).cloned().unwrap_or_default();
                println!(
                    "| {name} | {port} | {} | {} | {} |",
                    or_dash(&ours.failing),
                    or_dash(&ours.action_needed),
                    or_dash(&theirs)
                );
            }
        }
        Ok(())
    })
}

fn or_dash(items: &BTreeSet<String>) -> String {
    if items.is_empty() {
        "–".into()
    } else {
        items.iter().cloned().collect::<Vec<_>>().join("; ")
    }
}

/// What Portcullis says about one port.
#[derive(Debug, Clone, Default)]
struct Judged {
    /// Kinds of the findings an ASV fails (High, Critical).
    failing: BTreeSet<String>,
    /// Kinds of those that need action (Medium, Low).
    action_needed: BTreeSet<String>,
}

/// `host` registered as an internet-facing card data system, scanned with
/// posture checks on `ports`, and its findings by port.
fn portcullis_findings(
    cli: &Path,
    host: &Host,
    ports: &BTreeSet<u16>,
) -> Result<BTreeMap<u16, Judged>> {
    let data = std::env::temp_dir().join(format!("portcullis-bench-judge-{}", host.name));
    let _ = std::fs::remove_dir_all(&data);
    let run = |args: &[&str]| -> Result<Vec<u8>> {
        let mut command = portcullis_netlab::scanner_command(cli)?;
        command
            .arg("--data-dir")
            .arg(&data)
            .args(["--actor", "bench"])
            .args(args);
        Ok(timed(&mut command, "portcullis")?.1)
    };
    run(&[
        "systems",
        "add",
        host.name,
        "--address",
        host.v4,
        "--role",
        "web-server",
        "--scope",
        "cde",
        "--exposure",
        "external",
    ])?;
    let list = nmap::port_list(ports.iter().copied(), std::iter::empty());
    run(&[
        "scan",
        host.v4,
        "-p",
        &list,
        "--syn",
        "--no-ping",
        "--posture",
        "--save",
    ])?;
    let records: serde_json::Value = serde_json::from_slice(&run(&["findings", "--json"])?)
        .context("portcullis findings --json")?;
    let mut judged: BTreeMap<u16, Judged> = BTreeMap::new();
    for record in records.as_array().context("a list of findings")? {
        let finding = &record["finding"];
        let Some(port) = finding["port"].as_u64() else {
            continue; // the programme's reminders, not a port's
        };
        let kind = finding["kind"].as_str().unwrap_or("?").to_owned();
        let entry = judged
            .entry(u16::try_from(port).context("a port number")?)
            .or_default();
        match finding["severity"].as_str() {
            Some("high" | "critical") => entry.failing.insert(kind),
            Some("medium" | "low") => entry.action_needed.insert(kind),
            _ => false,
        };
    }
    let _ = std::fs::remove_dir_all(&data);
    Ok(judged)
}

/// nmap -sV with the NSE scripts on `ports` of `host`: per port, a summary
/// of what each script said.
fn nse(host: &Host, ports: &BTreeSet<u16>) -> Result<BTreeMap<u16, BTreeSet<String>>> {
    let mut command = portcullis_netlab::scanner_command(Path::new(nmap::PROGRAM))?;
    let list = ports
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(",");
    command.args(["-sS", "-sV", "-n", "-Pn", "--script", SCRIPTS, "-p", &list]);
    command.args(["-oN", "-", host.v4]);
    let (_, stdout) = timed(&mut command, "nmap")?;
    Ok(summarise(&String::from_utf8_lossy(&stdout)))
}

/// Reads nmap's normal output: the script lines under each port line.
fn summarise(output: &str) -> BTreeMap<u16, BTreeSet<String>> {
    let mut said: BTreeMap<u16, BTreeSet<String>> = BTreeMap::new();
    let mut port: Option<u16> = None;
    let mut script = "";
    let mut section = "";
    for line in output.lines() {
        if line.starts_with(|c: char| c.is_ascii_digit())
            && let Some((number, _)) = line.split_once("/tcp")
        {
            port = number.trim().parse().ok();
            continue;
        }
        let Some(port) = port else { continue };
        let Some(body) = line.strip_prefix("|_").or_else(|| line.strip_prefix('|')) else {
            continue;
        };
        let text = body.trim();
        let indent = body.len() - body.trim_start().len();
        if indent <= 1 {
            // A script's first line: its name, and maybe all it says.
            let (name, rest) = text.split_once(':').unwrap_or((text, ""));
            script = match name {
                "ssl-enum-ciphers" => "ssl",
                "ssh2-enum-algos" => "ssh",
                "http-git" => "git",
                _ => "",
            };
            section = "";
            if name == "http-git" && rest.contains("Git repository found") {
                said.entry(port)
                    .or_default()
                    .insert("http-git: Git repository found".into());
            }
            continue;
        }
        let notes = said.entry(port).or_default();
        match script {
            "ssl" => {
                if matches!(
                    text.trim_end_matches(':'),
                    "SSLv3" | "TLSv1.0" | "TLSv1.1" | "TLSv1.2" | "TLSv1.3"
                ) {
                    notes.insert(format!("ssl-enum-ciphers: {}", text.trim_end_matches(':')));
                } else if text == "warnings:" {
                    section = "warnings";
                } else if text.ends_with(':') {
                    section = "";
                } else if let Some(grade) = text.strip_prefix("least strength: ") {
                    notes.insert(format!("ssl-enum-ciphers: least strength {grade}"));
                } else if section == "warnings" {
                    notes.insert(format!("ssl-enum-ciphers: {text}"));
                }
            }
            "ssh" => {
                let algorithm = text.trim();
                if WEAK_SSH.iter().any(|weak| algorithm.contains(weak)) {
                    notes.insert(format!("ssh2-enum-algos offers {algorithm}"));
                }
            }
            "git" if text.contains("Git repository found") => {
                notes.insert("http-git: Git repository found".into());
            }
            _ => {}
        }
    }
    said
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nse_output_is_summarised_by_port() {
        let output = "\
22/tcp  open  ssh     OpenSSH 9.2p1 Debian 2+deb12u3 (protocol 2.0)
| ssh2-enum-algos:
|   kex_algorithms: (2)
|       curve25519-sha256
|       diffie-hellman-group1-sha1
|   mac_algorithms: (2)
|       hmac-sha1
|_      hmac-sha2-256
443/tcp open  ssl/http nginx
| ssl-enum-ciphers:
|   TLSv1.0:
|     ciphers:
|       TLS_RSA_WITH_RC4_128_SHA (rsa 2048) - C
|     compressors:
|       NULL
|     cipher preference: client
|     warnings:
|       Broken cipher RC4 is deprecated by RFC 7465
|_  least strength: C
| http-git:
|   198.18.0.70:80/.git/
|_    Git repository found!
";
        let said = summarise(output);
        assert_eq!(
            said[&22],
            BTreeSet::from([
                "ssh2-enum-algos offers diffie-hellman-group1-sha1".to_owned(),
                "ssh2-enum-algos offers hmac-sha1".to_owned(),
            ])
        );
        assert!(said[&443].contains("ssl-enum-ciphers: TLSv1.0"), "{said:?}");
        assert!(
            said[&443].contains("ssl-enum-ciphers: Broken cipher RC4 is deprecated by RFC 7465"),
            "{said:?}"
        );
        assert!(said[&443].contains("ssl-enum-ciphers: least strength C"));
        assert!(said[&443].contains("http-git: Git repository found"));
        assert!(!said[&443].iter().any(|note| note.contains("NULL")));
    }
}
