//! Proof, before any scan, that the netlab cannot reach anything else.
//!
//! Checked from the kernel's own view (`ip -j`), every time:
//! - every namespace of the netlab exists, and none of them is the
//!   machine's own network namespace;
//! - the scanner namespace has only loopback, the bridge, and one veth per
//!   host whose peer lives in that host's namespace;
//! - each host namespace, and the guest's, has only loopback and its veth
//!   end, whose peer is in the scanner namespace;
//! - no namespace has a default route, and every route stays inside the
//!   netlab's prefixes (or loopback and link-local).

use std::net::IpAddr;

use anyhow::{Context, Result, bail, ensure};
use serde_json::Value;

use crate::shell::run;
use crate::topology::{self, BRIDGE, Guest, HOSTS, SCANNER_NS};

/// Where routes may lead: the lab's own prefixes, loopback, link-local and
/// multicast.
const ALLOWED_PREFIXES: [(&str, u8); 7] = [
    ("198.18.0.0", 15),
    ("2001:db8::", 32),
    ("127.0.0.0", 8),
    ("::1", 128),
    ("fe80::", 10),
    ("ff00::", 8),
    ("224.0.0.0", 4),
];

pub fn check_isolation() -> Result<()> {
    for namespace in topology::all_namespaces() {
        ensure!(
            topology::namespace_exists(&namespace),
            "namespace {namespace} is missing: run `cargo xtask netlab up`"
        );
        check_not_root_namespace(&namespace)?;
        check_routes(&namespace)?;
    }
    check_scanner_links()?;
    for host in HOSTS {
        check_host_links(&host.namespace())?;
    }
    check_host_links(Guest::NAMESPACE)
}

fn links(namespace: &str) -> Result<Vec<Value>> {
    let json = run(&["ip", "-n", namespace, "-j", "-d", "link", "show"])?;
    match serde_json::from_str(&json).context("ip -j link: not JSON")? {
        Value::Array(links) => Ok(links),
        other => bail!("ip -j link in {namespace}: not a list of links: {other}"),
    }
}

fn check_not_root_namespace(namespace: &str) -> Result<()> {
    let inode = |path: &str| {
        std::fs::metadata(path)
            .map(|m| std::os::unix::fs::MetadataExt::ino(&m))
            .with_context(|| format!("cannot read {path}"))
    };
    // Our own namespace, the one with the machine's links: PID 1's is not
    // always readable (in a container, even root may not read it).
    let own = inode("/proc/self/ns/net")?;
    let lab = inode(&format!("/run/netns/{namespace}"))?;
    ensure!(
        own != lab,
        "{namespace} is the network namespace this process runs in, not a separate one"
    );
    Ok(())
}

fn check_scanner_links() -> Result<()> {
    let names_by_id = namespace_ids(SCANNER_NS)?;
    for link in links(SCANNER_NS)? {
        let name = link["ifname"].as_str().unwrap_or("");
        if name == "lo" || name == BRIDGE {
            continue;
        }
        let Some(peer_namespace) = peer_of_scanner_link(name) else {
            bail!("the scanner namespace has an unexpected link: {name}");
        };
        check_veth_to(&link, &peer_namespace, &names_by_id)?;
    }
    Ok(())
}

/// The namespace the scanner's link `name` must lead to: a host's, or
/// the guest's; `None` for a link the netlab never makes.
fn peer_of_scanner_link(name: &str) -> Option<String> {
    if name == Guest::SCANNER_LINK {
        return Some(Guest::NAMESPACE.to_owned());
    }
    HOSTS
        .iter()
        .find(|host| host.scanner_link() == name)
        .map(|host| host.namespace())
}

/// A host's (or the guest's) namespace holds loopback and `eth0`, a veth
/// whose other end is in the scanner namespace: no other way out.
fn check_host_links(namespace: &str) -> Result<()> {
    let names_by_id = namespace_ids(namespace)?;
    for link in links(namespace)? {
        match link["ifname"].as_str().unwrap_or("") {
            "lo" => {}
            "eth0" => check_veth_to(&link, SCANNER_NS, &names_by_id)
                .with_context(|| format!("in {namespace}"))?,
            other => bail!("{namespace} has a link beyond lo and eth0: {other:?}"),
        }
    }
    Ok(())
}

/// `link` is a veth whose peer lives in `peer_namespace` (`names_by_id`:
/// the namespace ids its own namespace knows).
fn check_veth_to(link: &Value, peer_namespace: &str, names_by_id: &[(i64, String)]) -> Result<()> {
    let name = link["ifname"].as_str().unwrap_or("");
    let kind = link["linkinfo"]["info_kind"].as_str().unwrap_or("");
    ensure!(kind == "veth", "{name} is a {kind:?}, not a veth");
    let peer_ns = link["link_netnsid"]
        .as_i64()
        .and_then(|id| names_by_id.iter().find(|(i, _)| *i == id))
        .map(|(_, n)| n.as_str());
    ensure!(
        peer_ns == Some(peer_namespace),
        "the peer of {name} is in {peer_ns:?}, not in {peer_namespace}"
    );
    Ok(())
}

/// The namespace ids `namespace` knows, with their names.
fn namespace_ids(namespace: &str) -> Result<Vec<(i64, String)>> {
    let json = run(&["ip", "-n", namespace, "-j", "netns", "list-id"])?;
    let value: Value = serde_json::from_str(&json).unwrap_or(Value::Array(Vec::new()));
    Ok(value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|entry| Some((entry["nsid"].as_i64()?, entry["name"].as_str()?.to_owned())))
        .collect())
}

fn check_routes(namespace: &str) -> Result<()> {
    for family in ["-4", "-6"] {
        let json = run(&[
            "ip", "-n", namespace, family, "-j", "route", "show", "table", "all",
        ])?;
        let routes: Value = serde_json::from_str(&json).context("ip -j route: not JSON")?;
        for route in routes.as_array().into_iter().flatten() {
            let destination = route["dst"].as_str().unwrap_or("");
            ensure!(
                destination != "default",
                "{namespace} has a default route: it could reach the outside"
            );
            if !destination_allowed(destination) {
                bail!("{namespace} has a route to {destination}, outside the netlab");
            }
        }
    }
    Ok(())
}

fn destination_allowed(destination: &str) -> bool {
    let (address, length) = match destination.split_once('/') {
        Some((address, length)) => (address, length.parse::<u8>().ok()),
        None => (destination, None),
    };
    let Ok(address) = address.parse::<IpAddr>() else {
        return false;
    };
    let length = length.unwrap_or(if address.is_ipv4() { 32 } else { 128 });
    ALLOWED_PREFIXES.iter().any(|(prefix, prefix_length)| {
        let prefix: IpAddr = prefix.parse().expect("a valid constant");
        length >= *prefix_length && same_prefix(address, prefix, *prefix_length)
    })
}

fn same_prefix(a: IpAddr, b: IpAddr, length: u8) -> bool {
    let (a, b, width) = match (a, b) {
        (IpAddr::V4(a), IpAddr::V4(b)) => (u128::from(u32::from(a)), u128::from(u32::from(b)), 32),
        (IpAddr::V6(a), IpAddr::V6(b)) => (u128::from(a), u128::from(b), 128),
        _ => return false,
    };
    let shift = width - u32::from(length);
    if shift >= 128 {
        return true;
    }
    (a >> shift) == (b >> shift)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_guest_link_leads_to_the_guest_and_nothing_else_is_accepted() {
        assert_eq!(
            peer_of_scanner_link("v-guest").as_deref(),
            Some("pcl-guest")
        );
        assert_eq!(peer_of_scanner_link("v-db").as_deref(), Some("pcl-db"));
        assert_eq!(peer_of_scanner_link("v-office"), None);
        assert_eq!(peer_of_scanner_link("eth0"), None);
    }

    #[test]
    fn only_lab_destinations_are_allowed() {
        assert!(destination_allowed("198.18.0.0/24"));
        assert!(destination_allowed("198.19.255.255"));
        assert!(destination_allowed("2001:db8::/64"));
        assert!(destination_allowed("fe80::/64"));
        assert!(destination_allowed("127.0.0.1"));
        assert!(!destination_allowed("198.17.0.0/24"));
        assert!(!destination_allowed("198.18.0.0/14"), "wider than the lab");
        assert!(!destination_allowed("10.0.0.0/8"));
        assert!(!destination_allowed("0.0.0.0/0"));
        assert!(!destination_allowed("2001:db9::/64"));
        assert!(!destination_allowed("not-an-address"));
    }
}
