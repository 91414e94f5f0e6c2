//! firewalld, the firewall of Red Hat Enterprise Linux and its relatives:
//! a zone of Portcullis's own (`portcullis.xml`) that lets in the approved
//! ports, made the default zone. A zone whose target is `default` rejects
//! everything else and still lets the ICMP control messages through, as
//! the stock `public` zone does. Interfaces bound to another zone by name
//! keep it; the header says how to see them.
//!
//! XML, so what reaches it is escaped ([`escaped`]) and comments hold no
//! `--` ([`comment_text`]).

use portcullis_model::compliance::RulesetFile;
use portcullis_model::scan::Protocol;

use super::{Plan, confirm_or_undo, file};

const FILE: &str = "portcullis.xml";
const ZONES: &str = "/etc/firewalld/zones";
const PREVIOUS: &str = "portcullis-firewalld.previous";

pub(super) fn write(plan: &Plan) -> (Vec<RulesetFile>, String, String) {
    let mut text = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    for line in plan
        .header("", "the inbound firewall (firewalld zone)")
        .lines()
    {
        text += &format!("<!-- {} -->\n", comment_text(line.trim()));
    }
    text += "<zone target=\"default\">\n";
    text += "  <short>Portcullis</short>\n";
    text += &format!(
        "  <description>Only the ports approved in the Portcullis inventory of {}. Interfaces bound to another zone by name keep it: firewall-cmd --get-active-zones shows them.</description>\n",
        escaped(&plan.system.name)
    );
    for protocol in [Protocol::Tcp, Protocol::Udp] {
        for allow in plan.ports(protocol) {
            text += &format!("  <!-- {} -->\n", comment_text(&allow.comment()));
            let port = format!(
                "<port protocol=\"{}\" port=\"{}\"/>",
                protocol.as_str(),
                allow.port
            );
            if !allow.is_restricted() {
                text += &format!("  {port}\n");
            }
            for (family, sources) in [("ipv4", allow.v4_sources()), ("ipv6", allow.v6_sources())] {
                for source in sources {
                    text += &format!(
                        "  <rule family=\"{family}\">\n    <source address=\"{source}\"/>\n    {port}\n    <accept/>\n  </rule>\n"
                    );
                }
            }
        }
    }
    text += "</zone>\n";

    let rollback = format!(
        "firewall-cmd --set-default-zone=\"$(cat {PREVIOUS})\"
rm -f {ZONES}/{FILE}
firewall-cmd --reload
"
    );
    let apply = format!(
        "set -eu
# What was there before, to put back if this is not confirmed.
firewall-cmd --get-default-zone > {PREVIOUS}
cp {FILE} {ZONES}/{FILE}
firewall-cmd --check-config
firewall-cmd --reload
firewall-cmd --set-default-zone=portcullis
{}",
        confirm_or_undo(&rollback)
    );
    (vec![file(FILE, text)], apply, rollback)
}

/// Text inside an XML element or attribute.
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Text inside an XML comment, which must hold no `--` and not end in `-`.
fn comment_text(text: &str) -> String {
    let mut cleaned = text.to_owned();
    while cleaned.contains("--") {
        cleaned = cleaned.replace("--", "- -");
    }
    if cleaned.ends_with('-') {
        cleaned.push(' ');
    }
    cleaned
}
