//! The netlab's namespaces, links and addresses.
//!
//! ```text
//!   pcl-scan (198.18.0.1, 2001:db8::1 on br0)
//!     br0 ── v-web ──── eth0 pcl-web      198.18.0.10, 2001:db8::10
//!         ── v-db ───── eth0 pcl-db       198.18.0.20
//!         ── v-mixed ── eth0 pcl-mixed    198.18.0.30
//!         ── v-udp ──── eth0 pcl-udp      198.18.0.40
//!         ── v-filtered eth0 pcl-filtered 198.18.0.50
//!         ── v-legacy ─ eth0 pcl-legacy   198.18.0.60
//!         ── v-hardened eth0 pcl-hardened 198.18.0.70
//!         ── v-hostile  eth0 pcl-hostile  198.18.0.80
//!         ── v-guest ── eth0 pcl-guest    198.18.0.90  (no daemons)
//! ```
//!
//! `guest` stands for a network that should be cut off from the card data
//! systems (a shop's guest Wi-Fi): no daemon runs there, and the
//! segmentation test scans from inside it.
//!
//! `legacy` and `hardened` are the two sides of every posture check: the
//! same kinds of service, configured the way an ASV fails a merchant for
//! and the way it wants. `hostile` answers the way an attacker would.
//!
//! Both ends of each veth pair are created inside the namespaces, so no link
//! ever exists in the machine's own namespace.

use anyhow::Result;

use crate::shell::run;

pub const SCANNER_NS: &str = "pcl-scan";
pub const SCANNER_V4: &str = "198.18.0.1";
pub const SCANNER_V6: &str = "2001:db8::1";
pub const BRIDGE: &str = "br0";
pub const PREFIX_V4: u8 = 24;
pub const PREFIX_V6: u8 = 64;

/// The port the filtered host's firewall rejects with an ICMP
/// "administratively prohibited" rather than dropping in silence, as many
/// firewalls treat ident (113) so that mail servers need not wait for it.
pub const REJECTED_PORT: u16 = 113;

/// A target host of the netlab.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Host {
    pub name: &'static str,
    pub v4: &'static str,
    pub v6: Option<&'static str>,
    /// What runs there, for people reading `status`.
    pub role: &'static str,
    /// `Some(ports)`: an nftables firewall drops all input except these TCP
    /// ports. What is reachable is then what listens, among these.
    pub firewall_allows: Option<&'static [u16]>,
}

impl Host {
    pub fn namespace(&self) -> String {
        format!("pcl-{}", self.name)
    }

    /// The scanner's end of the veth pair to this host.
    pub fn scanner_link(&self) -> String {
        format!("v-{}", self.name)
    }

    pub fn by_name(name: &str) -> Option<Host> {
        HOSTS.into_iter().find(|h| h.name == name)
    }
}

pub const HOSTS: [Host; 8] = [
    Host {
        name: "web",
        v4: "198.18.0.10",
        v6: Some("2001:db8::10"),
        role: "nginx 80 (redirects to 443) and 443 (TLS), OpenSSH 22",
        firewall_allows: None,
    },
    Host {
        name: "db",
        v4: "198.18.0.20",
        v6: None,
        role: "PostgreSQL 5432, MariaDB 3306, Redis 6379",
        firewall_allows: None,
    },
    Host {
        name: "mixed",
        v4: "198.18.0.30",
        v6: None,
        role: "vsftpd 21, HTTP admin page 8080, HTTP on 54321",
        firewall_allows: None,
    },
    Host {
        name: "udp",
        v4: "198.18.0.40",
        v6: None,
        role: "dnsmasq DNS 53, snmpd 161",
        firewall_allows: None,
    },
    Host {
        name: "filtered",
        v4: "198.18.0.50",
        v6: None,
        role: "nftables drops everything but 443 and rejects 113 (ICMP); nginx on 443 and 8080",
        firewall_allows: Some(&[443]),
    },
    Host {
        name: "legacy",
        v4: "198.18.0.60",
        v6: None,
        role: "what an ASV fails: vsftpd 21 (anonymous), OpenSSH 22 (password login), nginx 80 (no redirect, directory listing, stub status, .git), openssl s_server 443 (TLS 1.0 only, self-signed) and 4443 (1024-bit DH), Redis 6379 (no password)",
        firewall_allows: None,
    },
    Host {
        name: "hardened",
        v4: "198.18.0.70",
        v6: None,
        role: "the same, done right: vsftpd 21 (no anonymous), OpenSSH 22 (keys only), nginx 80 (redirects) and 443 (TLS 1.2+, HSTS, CA-signed), Redis 6379 (password), snmpd 161 (no public community)",
        firewall_allows: None,
    },
    Host {
        name: "hostile",
        v4: "198.18.0.80",
        v6: None,
        role: "hostile_service: flood 40001, junk 40002, ansi 40003, html 40004, http 40005, silent 40006, sslv2 40007",
        firewall_allows: None,
    },
];

/// The network that should be cut off: a namespace on the same bridge
/// with no daemons, from which the segmentation test scans.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Guest;

impl Guest {
    pub const NAMESPACE: &'static str = "pcl-guest";
    pub const V4: &'static str = "198.18.0.90";
    /// The scanner's end of the veth pair to the guest.
    pub const SCANNER_LINK: &'static str = "v-guest";
}

pub fn all_namespaces() -> Vec<String> {
    std::iter::once(SCANNER_NS.to_owned())
        .chain(HOSTS.iter().map(Host::namespace))
        .chain(std::iter::once(Guest::NAMESPACE.to_owned()))
        .collect()
}

pub fn namespace_exists(name: &str) -> bool {
    run(&["ip", "netns", "list"])
        .map(|list| {
            list.lines()
                .any(|line| line.split_whitespace().next() == Some(name))
        })
        .unwrap_or(false)
}

/// `ip -n NAMESPACE ARGS...`
fn ip(namespace: &str, args: &[&str]) -> Result<String> {
    let mut words = vec!["ip", "-n", namespace];
    words.extend(args);
    run(&words)
}

/// Makes the scanner's bridge forward frames the way the switch it stands
/// for does: without the IP firewall looking at them.
///
/// Where `br_netfilter` is loaded (Docker loads it), a new namespace starts
/// with `bridge-nf-call-iptables` on, and every frame crossing the bridge
/// goes through the IP hooks on top of the normal path: measured, that
/// was a sixth of a full SYN scan's CPU time (0.67 s against 0.57 s), and
/// no merchant's network pays it. Nothing of the
/// netlab's own filtering needs it: loss and delay sit in the scanner's IP
/// output hooks, the filtered host's firewall in its own namespace. Without
/// the module the settings do not exist and there is nothing to do.
fn bridge_as_plain_switch(namespace: &str) -> Result<()> {
    run(&[
        "ip",
        "netns",
        "exec",
        namespace,
        "sh",
        "-c",
        "for setting in /proc/sys/net/bridge/bridge-nf-call-*; do \
           if [ -e \"$setting\" ]; then echo 0 > \"$setting\"; fi; done",
    ])?;
    Ok(())
}

/// Creates the namespaces, the bridge and the links, with addresses.
pub fn create() -> Result<()> {
    for namespace in all_namespaces() {
        run(&["ip", "netns", "add", &namespace])?;
        ip(&namespace, &["link", "set", "lo", "up"])?;
    }
    let scan = SCANNER_NS;
    ip(
        scan,
        &[
            "link",
            "add",
            BRIDGE,
            "type",
            "bridge",
            "forward_delay",
            "0",
        ],
    )?;
    ip(
        scan,
        &[
            "addr",
            "add",
            &format!("{SCANNER_V4}/{PREFIX_V4}"),
            "dev",
            BRIDGE,
        ],
    )?;
    ip(
        scan,
        &[
            "addr",
            "add",
            &format!("{SCANNER_V6}/{PREFIX_V6}"),
            "dev",
            BRIDGE,
            "nodad",
        ],
    )?;
    ip(scan, &["link", "set", BRIDGE, "up"])?;
    bridge_as_plain_switch(scan)?;
    for host in HOSTS {
        let namespace = host.namespace();
        let link = host.scanner_link();
        ip(
            scan,
            &[
                "link", "add", &link, "type", "veth", "peer", "name", "eth0", "netns", &namespace,
            ],
        )?;
        ip(scan, &["link", "set", &link, "master", BRIDGE, "up"])?;
        ip(
            &namespace,
            &[
                "addr",
                "add",
                &format!("{}/{PREFIX_V4}", host.v4),
                "dev",
                "eth0",
            ],
        )?;
        if let Some(v6) = host.v6 {
            ip(
                &namespace,
                &[
                    "addr",
                    "add",
                    &format!("{v6}/{PREFIX_V6}"),
                    "dev",
                    "eth0",
                    "nodad",
                ],
            )?;
        }
        ip(&namespace, &["link", "set", "eth0", "up"])?;
    }
    create_guest_link()
}

/// The guest's veth pair, its end addressed, the other on the bridge.
fn create_guest_link() -> Result<()> {
    let namespace = Guest::NAMESPACE;
    ip(
        SCANNER_NS,
        &[
            "link",
            "add",
            Guest::SCANNER_LINK,
            "type",
            "veth",
            "peer",
            "name",
            "eth0",
            "netns",
            namespace,
        ],
    )?;
    ip(
        SCANNER_NS,
        &["link", "set", Guest::SCANNER_LINK, "master", BRIDGE, "up"],
    )?;
    ip(
        namespace,
        &[
            "addr",
            "add",
            &format!("{}/{PREFIX_V4}", Guest::V4),
            "dev",
            "eth0",
        ],
    )?;
    ip(namespace, &["link", "set", "eth0", "up"])?;
    Ok(())
}
