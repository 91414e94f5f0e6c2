//! ufw, Ubuntu's Uncomplicated Firewall: a script of `ufw` commands that
//! resets its rules, denies what comes in by default and allows the
//! approved ports, each with a comment naming its inventory entry. ufw
//! keeps a copy of the rules it resets, and the script keeps its own.

use portcullis_model::compliance::RulesetFile;
use portcullis_model::scan::Protocol;

use super::{Plan, confirm_or_undo, file};

const FILE: &str = "portcullis-ufw.sh";
const PREVIOUS: &str = "portcullis-ufw.previous";

pub(super) fn write(plan: &Plan) -> (Vec<RulesetFile>, String, String) {
    let mut text = String::from("#!/bin/sh\n");
    text += &plan.header("#", "the inbound firewall (ufw)");
    text += "set -eu\n";
    text += "ufw --force reset\n";
    text += "ufw default deny incoming\n";
    text += "ufw default allow outgoing\n";
    for protocol in [Protocol::Tcp, Protocol::Udp] {
        for allow in plan.ports(protocol) {
            let label = format!("comment 'Portcullis inventory entry {}'", allow.entry.id);
            text += &format!("# {}\n", allow.comment());
            if !allow.is_restricted() {
                text += &format!(
                    "ufw allow in {}/{} {label}\n",
                    allow.port,
                    protocol.as_str()
                );
            }
            for source in allow.sources() {
                text += &format!(
                    "ufw allow in from {source} to any port {} proto {} {label}\n",
                    allow.port,
                    protocol.as_str()
                );
            }
        }
    }
    text += "ufw --force enable\n";

    let restore = format!(
        "ufw --force disable\ncp -p {PREVIOUS}/user.rules {PREVIOUS}/user6.rules /etc/ufw/\nif [ -e {PREVIOUS}/enabled ]; then ufw --force enable; fi\n"
    );
    let apply = format!(
        "set -eu
# What was there before, to put back if this is not confirmed.
mkdir -p {PREVIOUS}
cp -p /etc/ufw/user.rules /etc/ufw/user6.rules {PREVIOUS}/
rm -f {PREVIOUS}/enabled
if ufw status | grep -q 'Status: active'; then touch {PREVIOUS}/enabled; fi
sh {FILE}
{}",
        confirm_or_undo(&restore)
    );
    (vec![file(FILE, text)], apply, restore)
}
