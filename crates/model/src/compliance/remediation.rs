//! How to fix a finding on the merchant's own platform: the steps, with
//! the commands filled in, what to check afterwards, what could break,
//! when to ask the hosting provider instead, and how to undo it.

use serde::{Deserialize, Serialize};

use crate::compliance::FirewallFormat;
use crate::{FindingId, SystemId};

/// Where a system runs, as far as fixing it goes: the commands differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Platform {
    /// Debian, Ubuntu and their relatives (apt, systemd).
    Debian,
    /// Red Hat Enterprise Linux, AlmaLinux, Rocky Linux, CentOS, Fedora
    /// (dnf, systemd, firewalld).
    Rhel,
    /// Windows Server (IIS, Server Manager).
    WindowsServer,
    /// Windows 10 or 11 on an office computer.
    Windows,
    /// A Mac.
    Macos,
    /// A hosting account run through cPanel and WHM.
    Cpanel,
    /// A hosting account run through Plesk.
    Plesk,
    /// A server at Amazon Web Services.
    Aws,
    /// A server at Microsoft Azure.
    Azure,
    /// A server at Google Cloud.
    Gcp,
    /// A server (Droplet) at DigitalOcean.
    #[serde(rename = "digitalocean")]
    DigitalOcean,
    /// An office router or firewall box, set up through its web page.
    Router,
}

/// Platforms that share their commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PlatformFamily {
    Linux,
    Windows,
    Macos,
    HostingPanel,
    Cloud,
    Router,
}

impl Platform {
    pub const ALL: [Platform; 12] = [
        Platform::Debian,
        Platform::Rhel,
        Platform::WindowsServer,
        Platform::Windows,
        Platform::Macos,
        Platform::Cpanel,
        Platform::Plesk,
        Platform::Aws,
        Platform::Azure,
        Platform::Gcp,
        Platform::DigitalOcean,
        Platform::Router,
    ];

    /// The name a command line, a request or the knowledge base gives.
    pub fn id(self) -> &'static str {
        match self {
            Platform::Debian => "debian",
            Platform::Rhel => "rhel",
            Platform::WindowsServer => "windows-server",
            Platform::Windows => "windows",
            Platform::Macos => "macos",
            Platform::Cpanel => "cpanel",
            Platform::Plesk => "plesk",
            Platform::Aws => "aws",
            Platform::Azure => "azure",
            Platform::Gcp => "gcp",
            Platform::DigitalOcean => "digitalocean",
            Platform::Router => "router",
        }
    }

    pub fn from_id(id: &str) -> Option<Platform> {
        Platform::ALL
            .into_iter()
            .find(|platform| platform.id() == id)
    }

    /// How a merchant would name it.
    pub fn name(self) -> &'static str {
        match self {
            Platform::Debian => "Debian or Ubuntu Linux",
            Platform::Rhel => "Red Hat, AlmaLinux, Rocky or CentOS Linux",
            Platform::WindowsServer => "Windows Server",
            Platform::Windows => "Windows 10 or 11",
            Platform::Macos => "a Mac (macOS)",
            Platform::Cpanel => "a hosting account with cPanel",
            Platform::Plesk => "a hosting account with Plesk",
            Platform::Aws => "Amazon Web Services (AWS)",
            Platform::Azure => "Microsoft Azure",
            Platform::Gcp => "Google Cloud",
            Platform::DigitalOcean => "DigitalOcean",
            Platform::Router => "an office router",
        }
    }

    /// The firewall whose rules suit the platform; none for an office
    /// router, which is set up through its own web page.
    pub fn firewall(self) -> Option<FirewallFormat> {
        Some(match self {
            Platform::Debian => FirewallFormat::Nftables,
            Platform::Rhel => FirewallFormat::Firewalld,
            Platform::WindowsServer | Platform::Windows => FirewallFormat::Windows,
            Platform::Macos => FirewallFormat::Pf,
            // Both panels run on Linux servers whose firewall they drive
            // through iptables.
            Platform::Cpanel | Platform::Plesk => FirewallFormat::Iptables,
            Platform::Aws => FirewallFormat::Aws,
            Platform::Azure => FirewallFormat::Azure,
            Platform::Gcp => FirewallFormat::Gcp,
            Platform::DigitalOcean => FirewallFormat::DigitalOcean,
            Platform::Router => return None,
        })
    }

    pub fn family(self) -> PlatformFamily {
        match self {
            Platform::Debian | Platform::Rhel => PlatformFamily::Linux,
            Platform::WindowsServer | Platform::Windows => PlatformFamily::Windows,
            Platform::Macos => PlatformFamily::Macos,
            Platform::Cpanel | Platform::Plesk => PlatformFamily::HostingPanel,
            Platform::Aws | Platform::Azure | Platform::Gcp | Platform::DigitalOcean => {
                PlatformFamily::Cloud
            }
            Platform::Router => PlatformFamily::Router,
        }
    }
}

impl PlatformFamily {
    pub fn id(self) -> &'static str {
        match self {
            PlatformFamily::Linux => "linux",
            PlatformFamily::Windows => "windows-family",
            PlatformFamily::Macos => "macos-family",
            PlatformFamily::HostingPanel => "hosting-panel",
            PlatformFamily::Cloud => "cloud",
            PlatformFamily::Router => "router-family",
        }
    }
}

/// How the platform of a fix was chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "source", content = "clue")]
pub enum PlatformChoice {
    /// The merchant said so, now or earlier for this system.
    Stated,
    /// Guessed from what the scan saw (the clue: "the SSH banner names
    /// Ubuntu"); the merchant has not said.
    Guessed(String),
    /// Nothing to go on: the most common platform for a small shop's
    /// server, to be confirmed.
    Assumed,
}

/// The platform a system runs on, and how that is known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemPlatform {
    pub system_id: SystemId,
    pub platform: Platform,
    pub choice: PlatformChoice,
}

/// The steps that fix one finding on one platform, in plain words, with
/// every command filled in for the host, port and service at hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixSteps {
    pub finding_id: FindingId,
    pub platform: Platform,
    pub choice: PlatformChoice,
    /// One line: what the fix does ("Make MySQL answer only on this
    /// computer").
    pub title: String,
    /// What the service is, in one plain sentence; empty for findings
    /// about no service (an overdue scan).
    pub what: String,
    /// Why it matters for card data.
    pub why: String,
    /// PCI DSS v4.0 requirement numbers the finding serves.
    pub requirements: Vec<String>,
    /// The steps in order. Commands are quoted in backticks.
    pub steps: Vec<String>,
    /// What to check afterwards.
    pub check: String,
    /// What could stop working, and what will not.
    pub breaks: String,
    /// When to ask the hosting provider instead.
    pub provider: String,
    /// How to undo it.
    pub undo: String,
}
