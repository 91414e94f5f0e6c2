//! nftables: one table of Portcullis's own, `inet portcullis`, whose
//! input chain drops what the inventory does not approve. Its own table
//! leaves other tables alone, and nftables drops a packet that any base
//! chain drops, so the default deny holds whatever else is loaded; and
//! removing it is one command.

use portcullis_model::compliance::RulesetFile;
use portcullis_model::scan::Protocol;

use super::{Allow, Plan, confirm_or_undo, file, joined};

const FILE: &str = "portcullis.nft";
const PREVIOUS: &str = "portcullis.previous.nft";
const REMOVE: &str = "nft delete table inet portcullis";

/// What each rule of `allow` matches on its source: nothing when it is
/// open to anywhere, else one match per address family it names.
fn source_matches(allow: &Allow) -> Vec<String> {
    if !allow.is_restricted() {
        return vec![String::new()];
    }
    [("ip", allow.v4_sources()), ("ip6", allow.v6_sources())]
        .into_iter()
        .filter(|(_, sources)| !sources.is_empty())
        .map(|(family, sources)| format!("{family} saddr {{ {} }} ", joined(&sources, ", ")))
        .collect()
}

pub(super) fn write(plan: &Plan) -> (Vec<RulesetFile>, String, String) {
    let mut text = String::from("#!/usr/sbin/nft -f\n");
    text += &plan.header("#", "the inbound firewall (nftables)");
    text += &format!("# Remove it with: {REMOVE}\n\n");
    // Declared, deleted and declared again in one transaction: loading
    // the file twice replaces the table instead of failing or doubling it.
    text += "table inet portcullis\ndelete table inet portcullis\n\n";
    text += "table inet portcullis {\n\tchain inbound {\n";
    text += "\t\ttype filter hook input priority filter; policy drop;\n";
    text += "\t\tct state established,related accept\n";
    text += "\t\tct state invalid drop\n";
    text += "\t\tiif \"lo\" accept\n";
    text += "\t\t# The control messages connections need (path MTU, IPv6 neighbour discovery) and ping\n";
    text += "\t\ticmp type { destination-unreachable, time-exceeded, parameter-problem, echo-request } accept\n";
    text += "\t\ticmpv6 type { destination-unreachable, packet-too-big, time-exceeded, parameter-problem, echo-request, nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert } accept\n";
    for protocol in [Protocol::Tcp, Protocol::Udp] {
        for allow in plan.ports(protocol) {
            text += &format!("\n\t\t# {}\n", allow.comment());
            for from in source_matches(allow) {
                text += &format!(
                    "\t\t{from}{} dport {} accept\n",
                    protocol.as_str(),
                    allow.port
                );
            }
        }
    }
    text += "\t}\n}\n";

    let undo = format!("{REMOVE}\nif [ -s {PREVIOUS} ]; then nft -f {PREVIOUS}; fi\n");
    let apply = format!(
        "set -eu
# What was there before, to put back if this is not confirmed.
nft list table inet portcullis > {PREVIOUS} 2>/dev/null || : > {PREVIOUS}
nft --check -f {FILE}
nft -f {FILE}
{}",
        confirm_or_undo(&undo)
    );
    (vec![file(FILE, text)], apply, format!("{REMOVE}\n"))
}
