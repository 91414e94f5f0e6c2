//! iptables: the filter table of IPv4 and of IPv6 in `iptables-restore`
//! files, as Debian's iptables-persistent keeps them
//! (/etc/iptables/rules.v4 and rules.v6). IPv6 is written too: a default
//! deny on IPv4 alone leaves every port open on the other address.
//!
//! Not `iptables-apply`: it undoes a change by restoring what
//! `iptables-save` printed before, and on a server without iptables rules
//! (iptables-nft with no table yet) that is nothing, so the new rules
//! stayed. Undoing here first opens the filter table, then restores what
//! was saved; the netlab caught it.

use portcullis_model::compliance::RulesetFile;
use portcullis_model::scan::Protocol;

use super::{Plan, confirm_or_undo, file};

const V4: &str = "rules.v4";
const V6: &str = "rules.v6";

/// An empty filter table that lets everything through: what a system
/// without rules has.
const OPEN: &str = "printf '*filter\\n:INPUT ACCEPT [0:0]\\n:FORWARD ACCEPT [0:0]\\n:OUTPUT ACCEPT [0:0]\\nCOMMIT\\n'";

pub(super) fn write(plan: &Plan) -> (Vec<RulesetFile>, String, String) {
    let files = vec![
        file(V4, table(plan, Family::V4)),
        file(V6, table(plan, Family::V6)),
    ];
    let rollback = format!(
        "{OPEN} | iptables-restore
iptables-restore < {V4}.previous
{OPEN} | ip6tables-restore
ip6tables-restore < {V6}.previous
"
    );
    let apply = format!(
        "set -eu
# What was there before, to put back if this is not confirmed.
iptables-save > {V4}.previous
ip6tables-save > {V6}.previous
iptables-restore --test {V4}
ip6tables-restore --test {V6}
iptables-restore < {V4}
ip6tables-restore < {V6}
{}",
        confirm_or_undo(&rollback)
    );
    (files, apply, rollback)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Family {
    V4,
    V6,
}

fn table(plan: &Plan, family: Family) -> String {
    let (what, icmp) = match family {
        Family::V4 => (
            "the inbound firewall (iptables, IPv4)",
            "-p icmp -m icmp --icmp-type",
        ),
        Family::V6 => (
            "the inbound firewall (ip6tables, IPv6)",
            "-p ipv6-icmp -m icmp6 --icmpv6-type",
        ),
    };
    let control: &[&str] = match family {
        Family::V4 => &[
            "destination-unreachable",
            "time-exceeded",
            "parameter-problem",
            "echo-request",
        ],
        Family::V6 => &[
            "destination-unreachable",
            "packet-too-big",
            "time-exceeded",
            "parameter-problem",
            "echo-request",
            "router-advertisement",
            "neighbour-solicitation",
            "neighbour-advertisement",
        ],
    };
    let mut text = plan.header("#", what);
    text += "# It replaces the whole filter table: rules other programs added (Docker,\n";
    text += "# fail2ban) are gone until they add them again.\n";
    text += "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n";
    text += "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n";
    text += "-A INPUT -m conntrack --ctstate INVALID -j DROP\n";
    text += "-A INPUT -i lo -j ACCEPT\n";
    text +=
        "# The control messages connections need (path MTU, IPv6 neighbour discovery) and ping\n";
    for kind in control {
        text += &format!("-A INPUT {icmp} {kind} -j ACCEPT\n");
    }
    for protocol in [Protocol::Tcp, Protocol::Udp] {
        let name = protocol.as_str();
        for allow in plan.ports(protocol) {
            text += &format!("# {}\n", allow.comment());
            let rule = format!("-p {name} -m {name} --dport {} -j ACCEPT", allow.port);
            if !allow.is_restricted() {
                text += &format!("-A INPUT {rule}\n");
                continue;
            }
            let sources = match family {
                Family::V4 => allow.v4_sources(),
                Family::V6 => allow.v6_sources(),
            };
            if sources.is_empty() {
                text += "# (none of its sources uses this address family: closed here)\n";
            }
            for source in sources {
                text += &format!("-A INPUT -s {source} {rule}\n");
            }
        }
    }
    text += "COMMIT\n";
    text
}
