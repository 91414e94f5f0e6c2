//! pf, the packet filter of macOS: an anchor of Portcullis's own,
//! `portcullis`, loaded from /etc/pf.conf beside Apple's, so Apple's rules
//! stay and removing Portcullis's is one command. pf's last matching rule
//! wins, so the anchor blocks everything first and passes the approved
//! ports after.

use portcullis_model::compliance::RulesetFile;
use portcullis_model::scan::Protocol;

use super::{Plan, confirm_or_undo, file, joined};

const FILE: &str = "portcullis.pf.conf";
const ANCHOR_FILE: &str = "/etc/pf.anchors/portcullis";
const PREVIOUS: &str = "pf.conf.previous";

pub(super) fn write(plan: &Plan) -> (Vec<RulesetFile>, String, String) {
    let mut text = plan.header("#", "the inbound firewall (macOS pf anchor)");
    text += "block in all\n";
    text += "pass in quick on lo0 all\n";
    text +=
        "# The control messages connections need (path MTU, IPv6 neighbour discovery) and ping\n";
    text += "pass in inet proto icmp icmp-type { unreach, timex, paramprob, echoreq } keep state\n";
    text += "pass in inet6 proto icmp6 icmp6-type { unreach, toobig, timex, paramprob, echoreq, routeradv, neighbrsol, neighbradv } keep state\n";
    for protocol in [Protocol::Tcp, Protocol::Udp] {
        for allow in plan.ports(protocol) {
            let from = if allow.is_restricted() {
                format!("from {{ {} }} ", joined(allow.sources(), ", "))
            } else {
                String::new()
            };
            text += &format!(
                "# {}\npass in proto {} {from}to any port {} keep state\n",
                allow.comment(),
                protocol.as_str(),
                allow.port
            );
        }
    }

    let restore = format!("cp {PREVIOUS} /etc/pf.conf\npfctl -f /etc/pf.conf\n");
    let apply = format!(
        "set -eu
# What was there before, to put back if this is not confirmed.
cp /etc/pf.conf {PREVIOUS}
pfctl -nf {FILE}
mkdir -p /etc/pf.anchors
cp {FILE} {ANCHOR_FILE}
if ! grep -q '^anchor \"portcullis\"' /etc/pf.conf; then
    printf 'anchor \"portcullis\"\\nload anchor \"portcullis\" from \"{ANCHOR_FILE}\"\\n' >> /etc/pf.conf
fi
pfctl -f /etc/pf.conf
pfctl -E
{}",
        confirm_or_undo(&restore)
    );
    let rollback = "pfctl -a portcullis -F rules\n".to_owned();
    (vec![file(FILE, text)], apply, rollback)
}
