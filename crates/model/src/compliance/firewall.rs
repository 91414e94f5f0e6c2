//! Firewall rulesets made from a system's approved port inventory.

use serde::{Deserialize, Serialize};

use crate::SystemId;

/// The firewall a ruleset is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FirewallFormat {
    /// Linux's nftables (`nft -f`), the firewall of Debian 10 and later.
    Nftables,
    /// Linux's iptables and ip6tables (`iptables-restore` files).
    Iptables,
    /// Ubuntu's Uncomplicated Firewall.
    Ufw,
    /// firewalld, the firewall of Red Hat Enterprise Linux and its
    /// relatives: a zone of its own.
    Firewalld,
    /// Windows Defender Firewall: PowerShell (`New-NetFirewallRule`), and
    /// the same by `netsh advfirewall`.
    Windows,
    /// macOS's packet filter, as an anchor beside Apple's rules.
    Pf,
    /// An AWS security group (the `aws` command).
    Aws,
    /// An Azure network security group (the `az` command).
    Azure,
    /// Google Cloud firewall rules (the `gcloud` command).
    Gcp,
    /// A DigitalOcean cloud firewall (the `doctl` command).
    #[serde(rename = "digitalocean")]
    DigitalOcean,
}

impl FirewallFormat {
    pub const ALL: [FirewallFormat; 10] = [
        FirewallFormat::Nftables,
        FirewallFormat::Iptables,
        FirewallFormat::Ufw,
        FirewallFormat::Firewalld,
        FirewallFormat::Windows,
        FirewallFormat::Pf,
        FirewallFormat::Aws,
        FirewallFormat::Azure,
        FirewallFormat::Gcp,
        FirewallFormat::DigitalOcean,
    ];

    /// The name a command line or a request gives.
    pub fn id(self) -> &'static str {
        match self {
            FirewallFormat::Nftables => "nftables",
            FirewallFormat::Iptables => "iptables",
            FirewallFormat::Ufw => "ufw",
            FirewallFormat::Firewalld => "firewalld",
            FirewallFormat::Windows => "windows",
            FirewallFormat::Pf => "pf",
            FirewallFormat::Aws => "aws",
            FirewallFormat::Azure => "azure",
            FirewallFormat::Gcp => "gcp",
            FirewallFormat::DigitalOcean => "digitalocean",
        }
    }

    /// How a merchant would name it.
    pub fn name(self) -> &'static str {
        match self {
            FirewallFormat::Nftables => "nftables (Debian, Ubuntu)",
            FirewallFormat::Iptables => "iptables (older Linux, hosting panels)",
            FirewallFormat::Ufw => "ufw (Ubuntu's simple firewall)",
            FirewallFormat::Firewalld => "firewalld (Red Hat, AlmaLinux, Rocky)",
            FirewallFormat::Windows => "Windows Defender Firewall",
            FirewallFormat::Pf => "macOS packet filter (pf)",
            FirewallFormat::Aws => "AWS security group",
            FirewallFormat::Azure => "Azure network security group",
            FirewallFormat::Gcp => "Google Cloud firewall rules",
            FirewallFormat::DigitalOcean => "DigitalOcean cloud firewall",
        }
    }

    /// The file extension of the apply and rollback scripts: PowerShell on
    /// Windows, bash elsewhere.
    pub fn script_extension(self) -> &'static str {
        match self {
            FirewallFormat::Windows => "ps1",
            _ => "sh",
        }
    }

    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|format| format.id() == id)
    }
}

/// A default-deny inbound ruleset for one system: the files to put on it,
/// how to apply them so that a mistake undoes itself, and how to undo them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ruleset {
    pub system_id: SystemId,
    pub format: FirewallFormat,
    /// The files to copy to the system, in order.
    pub files: Vec<RulesetFile>,
    /// The commands that apply the files, run as root (Administrator) in
    /// the folder that holds them: a bash script (its wait for the
    /// confirmation needs bash's `read -t`; Debian's sh has none), or
    /// PowerShell for Windows. They undo themselves unless confirmed within a minute, so
    /// a rule that locks the merchant out does not last.
    pub apply: String,
    /// The commands that remove what `apply` added, in `apply`'s language.
    pub rollback: String,
    /// What the merchant must know before applying it, in plain words
    /// (no remote administration port approved, approvals that lapsed).
    pub warnings: Vec<String>,
    /// The ports the ruleset lets in, by protocol and port.
    pub allowed: Vec<AllowedPort>,
}

/// One file of a ruleset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulesetFile {
    /// A plain file name, with no folder (`portcullis.nft`).
    pub name: String,
    pub text: String,
}

/// A port a ruleset lets in, and the inventory entry that approves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllowedPort {
    pub protocol: crate::scan::Protocol,
    pub port: u16,
    pub entry: crate::InventoryEntryId,
}
