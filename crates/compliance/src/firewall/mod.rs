//! Firewall rulesets from a system's approved port inventory (PCI DSS
//! 1.2.5, 1.3.1): inbound traffic is denied except the approved ports.
//!
//! Pure text generation: the same inventory and the same `now` give the
//! same bytes, so a reviewer can diff two versions, and the tests compare
//! whole files. Each allowed port carries one comment naming its inventory
//! entry and why the business needs it, so whoever reads the firewall
//! later can trace every hole to an approval.
//!
//! What the merchant types is text from outside the rules' syntax: it
//! only ever reaches a ruleset through [`one_line`], inside a comment.

mod cloud;
mod firewalld;
mod iptables;
mod nftables;
mod pf;
mod ufw;
mod windows;

use chrono::{DateTime, Utc};
use portcullis_model::IpNet;
use portcullis_model::compliance::{
    AllowedPort, FirewallFormat, InventoryEntry, Ruleset, RulesetFile, System,
};
use portcullis_model::scan::Protocol;

use crate::estate::is_expired;

/// How long the apply commands wait for the merchant to confirm that
/// they can still reach the system before undoing the change.
pub const CONFIRM_SECONDS: u32 = 60;

/// The longest a comment's quoted text runs, in characters.
const COMMENT_CHARS: usize = 100;

/// Services that administer a system from afar: closing all of them
/// locks the merchant out of a server they manage over the network.
const REMOTE_ADMINISTRATION: [(&str, Protocol, u16); 2] =
    [("ssh", Protocol::Tcp, 22), ("rdp", Protocol::Tcp, 3389)];

/// The ruleset for `system` in `format`: what its approvals in
/// `inventory` that still hold at `now` let in (entries of other
/// systems are ignored).
pub fn firewall_ruleset(
    format: FirewallFormat,
    system: &System,
    inventory: &[InventoryEntry],
    now: DateTime<Utc>,
) -> Ruleset {
    let plan = Plan::new(system, inventory, now);
    let (files, apply, rollback) = match format {
        FirewallFormat::Nftables => nftables::write(&plan),
        FirewallFormat::Iptables => iptables::write(&plan),
        FirewallFormat::Ufw => ufw::write(&plan),
        FirewallFormat::Firewalld => firewalld::write(&plan),
        FirewallFormat::Windows => windows::write(&plan),
        FirewallFormat::Pf => pf::write(&plan),
        FirewallFormat::Aws => cloud::write(&plan, cloud::Cloud::Aws),
        FirewallFormat::Azure => cloud::write(&plan, cloud::Cloud::Azure),
        FirewallFormat::Gcp => cloud::write(&plan, cloud::Cloud::Gcp),
        FirewallFormat::DigitalOcean => cloud::write(&plan, cloud::Cloud::DigitalOcean),
    };
    Ruleset {
        system_id: system.id,
        format,
        files,
        apply,
        rollback,
        warnings: plan.warnings.clone(),
        allowed: plan
            .allows
            .iter()
            .map(|allow| AllowedPort {
                protocol: allow.protocol,
                port: allow.port,
                entry: allow.entry.id,
            })
            .collect(),
    }
}

/// What every format writes: the ports to let in and what to warn of.
struct Plan<'a> {
    system: &'a System,
    /// By protocol and port, one per port: the approval with the lowest
    /// id speaks for a port approved twice.
    allows: Vec<Allow<'a>>,
    warnings: Vec<String>,
    now: DateTime<Utc>,
}

/// A port let in, and the approval behind it.
struct Allow<'a> {
    protocol: Protocol,
    port: u16,
    entry: &'a InventoryEntry,
}

impl<'a> Plan<'a> {
    fn new(system: &'a System, inventory: &'a [InventoryEntry], now: DateTime<Utc>) -> Self {
        let mut entries: Vec<&InventoryEntry> = inventory
            .iter()
            .filter(|entry| entry.system_id == system.id)
            .collect();
        entries.sort_by_key(|entry| (entry.protocol, entry.port, entry.id));
        let mut warnings = Vec::new();
        let mut allows: Vec<Allow> = Vec::new();
        for entry in entries {
            if is_expired(entry, now) {
                warnings.push(lapsed(entry));
                continue;
            }
            if allows
                .last()
                .is_some_and(|last| (last.protocol, last.port) == (entry.protocol, entry.port))
            {
                continue;
            }
            allows.push(Allow {
                protocol: entry.protocol,
                port: entry.port,
                entry,
            });
        }
        if !allows
            .iter()
            .any(|allow| is_remote_administration(allow.entry))
        {
            warnings.insert(0, no_remote_administration(system));
        }
        Plan {
            system,
            allows,
            warnings,
            now,
        }
    }

    /// The ports of `protocol`, in order.
    fn ports(&self, protocol: Protocol) -> impl Iterator<Item = &Allow<'a>> {
        self.allows
            .iter()
            .filter(move |allow| allow.protocol == protocol)
    }

    /// The header every file opens with, as comment lines led by `mark`.
    fn header(&self, mark: &str, what: &str) -> String {
        let addresses = if self.system.addresses.is_empty() {
            String::new()
        } else {
            format!(" ({})", one_line(&self.system.addresses.join(", ")))
        };
        let mut lines = vec![
            format!(
                "Portcullis: {what} for \"{}\"{addresses},",
                one_line(&self.system.name)
            ),
            format!(
                "made on {} from its approved port inventory (PCI DSS 1.2.5 and 1.3.1).",
                self.now.format("%Y-%m-%d")
            ),
            "Everything that arrives is dropped except the ports below and the answers".into(),
            "to connections this system opens itself. What it sends out is not changed.".into(),
        ];
        lines.extend(
            self.warnings
                .iter()
                .map(|warning| format!("WARNING: {warning}")),
        );
        lines
            .iter()
            .map(|line| format!("{mark} {line}\n"))
            .collect()
    }
}

impl Allow<'_> {
    /// The comment beside the rule: the port, the entry, why, who
    /// approved it until when, and from where.
    fn comment(&self) -> String {
        let entry = self.entry;
        let until = entry
            .expires_at
            .map(|until| format!(" until {}", until.format("%Y-%m-%d")))
            .unwrap_or_default();
        let from = if self.is_restricted() {
            format!(", only from {}", joined(self.sources(), ", "))
        } else {
            String::new()
        };
        format!(
            "{}/{}, inventory entry {}: \"{}\" (approved by {}{until}){from}",
            self.port,
            self.protocol.as_str(),
            entry.id,
            one_line(&entry.justification),
            one_line(&entry.approver),
        )
    }

    /// Where the approval lets connections come from; empty: anywhere.
    fn sources(&self) -> &[IpNet] {
        &self.entry.sources
    }

    fn is_restricted(&self) -> bool {
        !self.entry.sources.is_empty()
    }

    /// The IPv4 sources, for the formats that keep the families apart.
    fn v4_sources(&self) -> Vec<IpNet> {
        self.sources()
            .iter()
            .copied()
            .filter(|source| matches!(source, IpNet::V4(_)))
            .collect()
    }

    fn v6_sources(&self) -> Vec<IpNet> {
        self.sources()
            .iter()
            .copied()
            .filter(|source| matches!(source, IpNet::V6(_)))
            .collect()
    }
}

/// `blocks` written out, separated by `separator`.
fn joined(blocks: &[IpNet], separator: &str) -> String {
    blocks
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(separator)
}

fn is_remote_administration(entry: &InventoryEntry) -> bool {
    REMOTE_ADMINISTRATION
        .iter()
        .any(|(service, protocol, port)| {
            entry.protocol == *protocol
                && (entry.port == *port
                    || entry
                        .service
                        .as_deref()
                        .is_some_and(|named| named.eq_ignore_ascii_case(service)))
        })
}

fn no_remote_administration(system: &System) -> String {
    format!(
        "no remote administration port (SSH, port 22, or Remote Desktop, port 3389) is approved for \"{}\", so this closes them. If you manage it over the network, approve that port in the inventory first. The apply commands undo the change after {CONFIRM_SECONDS} seconds unless you confirm you can still connect.",
        one_line(&system.name)
    )
}

fn lapsed(entry: &InventoryEntry) -> String {
    let ended = entry
        .expires_at
        .map(|until| until.format("%Y-%m-%d").to_string())
        .unwrap_or_default();
    format!(
        "port {}/{} (inventory entry {}) is closed: its approval ended on {ended}. Approve it again first if it is still needed.",
        entry.port,
        entry.protocol.as_str(),
        entry.id
    )
}

/// Text typed by a person, made safe inside a comment: one line of
/// printable characters without double quotes, backslashes or
/// backticks, at most
/// [`COMMENT_CHARS`] long.
fn one_line(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '"' | '\\' | '`') {
                ' '
            } else {
                c
            }
        })
        .collect();
    let words: Vec<&str> = cleaned.split_whitespace().collect();
    let line = words.join(" ");
    if line.chars().count() <= COMMENT_CHARS {
        line
    } else {
        let cut: String = line.chars().take(COMMENT_CHARS - 1).collect();
        format!("{}…", cut.trim_end())
    }
}

/// The shell lines that wait for the merchant to confirm and run the
/// lines of `undo` when they do not, as `iptables-apply` does. `read -t`
/// is bash's (and macOS's sh, which is bash), not POSIX: the apply
/// scripts run with bash.
fn confirm_or_undo(undo: &str) -> String {
    let undo: String = undo.lines().map(|line| format!("    {line}\n")).collect();
    format!(
        "echo \"Applied. From a NEW window, check that you can still connect to this system,\"
echo \"then type yes here within {CONFIRM_SECONDS} seconds to keep it. Otherwise it is undone.\"
if read -r -t {CONFIRM_SECONDS} answer && [ \"$answer\" = yes ]; then
    echo \"Kept.\"
else
{undo}    echo \"Not confirmed: undone.\"
    exit 1
fi
"
    )
}

fn file(name: &str, text: String) -> RulesetFile {
    RulesetFile {
        name: name.to_owned(),
        text,
    }
}

#[cfg(test)]
mod tests;
