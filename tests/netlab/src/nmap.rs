//! Reading nmap's XML output, to compare Portcullis with nmap on the same
//! hosts (tests and benches).

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::{Context, Result, ensure};

/// Where `cargo xtask setup` installs nmap (Debian's package).
pub const PROGRAM: &str = "/usr/bin/nmap";

/// Runs nmap with `args` inside the scanner namespace, after the isolation
/// check, and returns what it printed (its XML, given `-oX -`). Fails with
/// its standard error unless it exits 0.
pub fn run(args: &[&str]) -> Result<String> {
    ensure!(
        Path::new(PROGRAM).is_file(),
        "nmap is missing: run `cargo xtask setup`"
    );
    let output = crate::scanner_command(Path::new(PROGRAM))?
        .args(args)
        .output()
        .context("cannot run nmap")?;
    ensure!(
        output.status.success(),
        "nmap failed ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Every (address, port) nmap reports open.
pub fn open_ports(xml: &str) -> BTreeSet<(String, u16)> {
    services(xml)
        .into_iter()
        .map(|service| (service.address, service.port))
        .collect()
}

/// nmap's port list for TCP and UDP ports, which Portcullis's `-p` reads
/// too: `T:22,80,U:53` (no `U:` part without UDP ports).
pub fn port_list(tcp: impl IntoIterator<Item = u16>, udp: impl IntoIterator<Item = u16>) -> String {
    let (tcp, udp) = (comma_separated(tcp), comma_separated(udp));
    if udp.is_empty() {
        format!("T:{tcp}")
    } else {
        format!("T:{tcp},U:{udp}")
    }
}

fn comma_separated(ports: impl IntoIterator<Item = u16>) -> String {
    let ports: Vec<String> = ports.into_iter().map(|port| port.to_string()).collect();
    ports.join(",")
}

/// What `nmap -sV` said about one open port.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NmapService {
    pub address: String,
    /// "tcp" or "udp".
    pub protocol: String,
    pub port: u16,
    /// nmap's service name ("ssh", "http", "domain"...).
    pub name: Option<String>,
    pub product: Option<String>,
    pub version: Option<String>,
    pub extra: Option<String>,
    /// "ssl" when nmap spoke to the service inside TLS.
    pub tunnel: Option<String>,
}

impl NmapService {
    /// nmap's answer in one phrase, e.g. "ssl/http nginx 1.22.1".
    pub fn describe(&self) -> String {
        let name = match (&self.tunnel, &self.name) {
            (Some(tunnel), Some(name)) => format!("{tunnel}/{name}"),
            (None, Some(name)) => name.clone(),
            (_, None) => "?".into(),
        };
        [Some(name), self.product.clone(), self.version.clone()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Every open port of an `nmap -sV -oX` report, with what nmap identified
/// there (attributes unescaped).
pub fn services(xml: &str) -> Vec<NmapService> {
    let mut found = Vec::new();
    for host in host_elements(xml) {
        let Some(address) = attribute(host, "addr=\"") else {
            continue;
        };
        for port in host.split("<port ").skip(1) {
            let port = &port[..port.find("</port>").unwrap_or(port.len())];
            if !port.contains("<state state=\"open\"") {
                continue;
            }
            let Some(number) = attribute(port, "portid=\"").and_then(|p| p.parse().ok()) else {
                continue;
            };
            let service = port
                .find("<service ")
                .map(|start| &port[start..])
                .map(|element| &element[..element.find('>').unwrap_or(element.len())]);
            let field = |name: &str| {
                service
                    .and_then(|element| attribute(element, &format!(" {name}=\"")))
                    .map(|value| unescape(&value))
            };
            found.push(NmapService {
                address: address.clone(),
                protocol: attribute(port, "protocol=\"").unwrap_or_default(),
                port: number,
                name: field("name"),
                product: field("product"),
                version: field("version"),
                extra: field("extrainfo"),
                tunnel: field("tunnel"),
            });
        }
    }
    found
}

/// How Portcullis's answer for a port relates to nmap's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agreement {
    /// The same product and version (names compared without case).
    Same,
    /// nmap named no product; whether Portcullis's is right is for the
    /// truth (the installed packages) to say.
    NmapNamesNothing,
    /// A documented difference, with why Portcullis is right or why it is
    /// a difference of names only.
    Documented(&'static str),
    Differs,
}

/// How the versions of a documented difference relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Versions {
    /// Equal (or both absent).
    Equal,
    /// nmap adds the distribution's package revision after a space:
    /// "9.2p1 Debian 2+deb12u3" for Portcullis's "9.2p1".
    NmapAddsPackageRevision,
    /// nmap gives what a MariaDB greeting carries, "5.5.5-10.11.6-MariaDB-0+deb12u1",
    /// for Portcullis's "10.11.6".
    NmapGivesMariaDbGreeting,
    /// Portcullis has none, nmap has a guess.
    NmapGuesses,
    /// Neither names one.
    None,
}

impl Versions {
    fn hold(self, ours: Option<&str>, theirs: Option<&str>) -> bool {
        match self {
            Versions::Equal => ours == theirs,
            Versions::NmapAddsPackageRevision => match (ours, theirs) {
                (Some(ours), Some(theirs)) => theirs.starts_with(&format!("{ours} ")),
                _ => false,
            },
            Versions::NmapGivesMariaDbGreeting => match (ours, theirs) {
                (Some(ours), Some(theirs)) => theirs.starts_with(&format!("5.5.5-{ours}-MariaDB")),
                _ => false,
            },
            Versions::NmapGuesses => ours.is_none() && theirs.is_some(),
            Versions::None => ours.is_none() && theirs.is_none(),
        }
    }
}

/// A known case where Portcullis and nmap -sV name a service differently.
#[derive(Debug, Clone, Copy)]
pub struct KnownDifference {
    pub nmap_product: &'static str,
    pub ours_product: Option<&'static str>,
    pub versions: Versions,
    pub reason: &'static str,
}

/// Every documented difference: where Portcullis is right and nmap is not,
/// or where only the name differs. Anything else is a disagreement.
pub const KNOWN_DIFFERENCES: &[KnownDifference] = &[
    KnownDifference {
        nmap_product: "MySQL",
        ours_product: Some("MariaDB"),
        versions: Versions::NmapGivesMariaDbGreeting,
        reason: "MariaDB greets with \"5.5.5-<version>-MariaDB\" so that old MySQL clients accept it: the product is MariaDB, its version what follows 5.5.5-",
    },
    KnownDifference {
        nmap_product: "net-snmp; net-snmp SNMPv3 server",
        ours_product: Some("net-snmp"),
        versions: Versions::None,
        reason: "name only: nmap joins two of its answers into one product string",
    },
    KnownDifference {
        nmap_product: "PostgreSQL DB",
        ours_product: Some("PostgreSQL"),
        versions: Versions::NmapGuesses,
        reason: "PostgreSQL sends no version before authentication: nmap's \"9.6.0 or later\" is a guess from an error message's wording",
    },
    KnownDifference {
        nmap_product: "Redis key-value store",
        ours_product: Some("Redis"),
        versions: Versions::Equal,
        reason: "name only: the product is Redis",
    },
    KnownDifference {
        nmap_product: "OpenSSH",
        ours_product: Some("OpenSSH"),
        versions: Versions::NmapAddsPackageRevision,
        reason: "the version is OpenSSH's own; Portcullis keeps the distribution's revision (\"Debian-2+deb12u10\") in extra",
    },
    KnownDifference {
        nmap_product: "Linux SNMP multiplexer",
        ours_product: None,
        versions: Versions::None,
        reason: "the SMUX port (RFC 1227) answers only with a ClosePDU, which names no product: nmap's label is its own",
    },
];

/// Compares Portcullis's product and version for a port with nmap's.
pub fn compare(
    ours_product: Option<&str>,
    ours_version: Option<&str>,
    theirs: &NmapService,
) -> Agreement {
    let Some(their_product) = theirs.product.as_deref() else {
        return Agreement::NmapNamesNothing;
    };
    let same_product = ours_product.is_some_and(|ours| ours.eq_ignore_ascii_case(their_product));
    if same_product && ours_version == theirs.version.as_deref() {
        return Agreement::Same;
    }
    KNOWN_DIFFERENCES
        .iter()
        .find(|known| {
            known.nmap_product == their_product
                && known.ours_product == ours_product
                && known.versions.hold(ours_version, theirs.version.as_deref())
        })
        .map_or(Agreement::Differs, |known| {
            Agreement::Documented(known.reason)
        })
}

/// XML's five predefined entities, back to their characters.
fn unescape(value: &str) -> String {
    value
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// The text of each `<host>` element, not of `<hosthint>` or
/// `<hostnames>`: where `<host` is followed by a space or `>`.
fn host_elements(xml: &str) -> Vec<&str> {
    let starts: Vec<usize> = xml
        .match_indices("<host")
        .map(|(index, _)| index)
        .filter(|index| matches!(xml.as_bytes().get(index + 5), Some(b' ' | b'>')))
        .collect();
    starts
        .iter()
        .enumerate()
        .map(|(i, start)| &xml[*start..starts.get(i + 1).copied().unwrap_or(xml.len())])
        .collect()
}

fn attribute(text: &str, prefix: &str) -> Option<String> {
    let start = text.find(prefix)? + prefix.len();
    let end = text[start..].find('"')? + start;
    Some(text[start..end].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_ports_of_each_host_are_read() {
        let xml = r#"<nmaprun><hosthint><address addr="198.18.0.10" addrtype="ipv4"/></hosthint>
            <host starttime="1"><status state="up"/><address addr="198.18.0.10" addrtype="ipv4"/><hostnames></hostnames><ports>
            <port protocol="tcp" portid="22"><state state="open" reason="syn-ack"/></port>
            <port protocol="tcp" portid="23"><state state="closed" reason="reset"/></port>
            <port protocol="tcp" portid="443"><state state="open" reason="syn-ack"/></port></ports></host>
            <host><address addr="198.18.0.20" addrtype="ipv4"/><hostnames>
            </hostnames><ports>
            <port protocol="tcp" portid="5432"><state state="open" reason="syn-ack"/></port></ports></host></nmaprun>"#;
        let expected: BTreeSet<(String, u16)> = [
            ("198.18.0.10", 22),
            ("198.18.0.10", 443),
            ("198.18.0.20", 5432),
        ]
        .into_iter()
        .map(|(a, p)| (a.to_owned(), p))
        .collect();
        assert_eq!(open_ports(xml), expected);
    }

    #[test]
    fn port_lists_name_udp_only_when_there_is_some() {
        assert_eq!(port_list([22, 80], [53, 161]), "T:22,80,U:53,161");
        assert_eq!(port_list([443], []), "T:443");
    }

    #[test]
    fn services_carry_what_nmap_identified() {
        let xml = r#"<nmaprun><host><address addr="198.18.0.10" addrtype="ipv4"/><ports>
            <port protocol="tcp" portid="22"><state state="open" reason="syn-ack"/><service name="ssh" product="OpenSSH" version="9.2p1 Debian 2+deb12u10" extrainfo="protocol 2.0" ostype="Linux" method="probed" conf="10"><cpe>cpe:/a:openbsd:openssh:9.2p1</cpe></service></port>
            <port protocol="tcp" portid="23"><state state="closed" reason="reset"/><service name="telnet" method="table" conf="3"/></port>
            <port protocol="tcp" portid="443"><state state="open" reason="syn-ack"/><service name="http" product="nginx" version="1.22.1" tunnel="ssl" method="probed" conf="10"/></port>
            <port protocol="udp" portid="161"><state state="open" reason="udp-response"/><service name="snmp" servicefp="SF:x&quot;y" method="table" conf="3"/></port>
            <port protocol="tcp" portid="9"><state state="open" reason="syn-ack"/></port></ports></host></nmaprun>"#;
        let found = services(xml);
        let ports: Vec<u16> = found.iter().map(|s| s.port).collect();
        assert_eq!(ports, [22, 443, 161, 9], "open ports only");
        assert_eq!(found[0].product.as_deref(), Some("OpenSSH"));
        assert_eq!(found[0].version.as_deref(), Some("9.2p1 Debian 2+deb12u10"));
        assert_eq!(found[0].extra.as_deref(), Some("protocol 2.0"));
        assert_eq!(found[1].describe(), "ssl/http nginx 1.22.1");
        assert_eq!(found[2].protocol, "udp");
        assert_eq!(
            (found[2].name.as_deref(), found[2].product.as_deref()),
            (Some("snmp"), None)
        );
        assert_eq!(found[3].name, None);
    }

    fn nmap_says(product: Option<&str>, version: Option<&str>) -> NmapService {
        NmapService {
            product: product.map(str::to_owned),
            version: version.map(str::to_owned),
            ..NmapService::default()
        }
    }

    #[test]
    fn differences_are_accepted_only_where_documented() {
        let nginx = nmap_says(Some("nginx"), Some("1.22.1"));
        assert_eq!(
            compare(Some("nginx"), Some("1.22.1"), &nginx),
            Agreement::Same
        );
        assert_eq!(
            compare(Some("nginx"), Some("1.24.0"), &nginx),
            Agreement::Differs
        );
        assert_eq!(compare(None, None, &nginx), Agreement::Differs);
        let ssh = nmap_says(Some("OpenSSH"), Some("9.2p1 Debian 2+deb12u3"));
        assert!(matches!(
            compare(Some("OpenSSH"), Some("9.2p1"), &ssh),
            Agreement::Documented(_)
        ));
        assert_eq!(
            compare(Some("OpenSSH"), Some("9.2"), &ssh),
            Agreement::Differs
        );
        let mariadb = nmap_says(Some("MySQL"), Some("5.5.5-10.11.19-MariaDB-0+deb12u1"));
        assert!(matches!(
            compare(Some("MariaDB"), Some("10.11.19"), &mariadb),
            Agreement::Documented(_)
        ));
        assert_eq!(
            compare(Some("MariaDB"), Some("10.11.1"), &mariadb),
            Agreement::Differs
        );
        let postgres = nmap_says(Some("PostgreSQL DB"), Some("9.6.0 or later"));
        assert!(matches!(
            compare(Some("PostgreSQL"), None, &postgres),
            Agreement::Documented(_)
        ));
        assert_eq!(
            compare(Some("PostgreSQL"), Some("15.1"), &postgres),
            Agreement::Differs
        );
        assert_eq!(
            compare(Some("net-snmp"), None, &nmap_says(None, None)),
            Agreement::NmapNamesNothing
        );
    }
}
