//! A best guess of a system's platform from what a scan saw, so that the
//! merchant confirms one instead of choosing among twelve.

use portcullis_model::compliance::Platform;
use portcullis_model::scan::{PortResult, PortState, Protocol};

/// The platform the open ports of one system point to, with the clue in
/// words ("the SSH banner names Ubuntu"); `None` when nothing does.
/// The first clue found wins, strongest kind first: what a service says of
/// its own system, then what only one platform runs.
pub fn guess_platform(ports: &[PortResult]) -> Option<(Platform, String)> {
    let open: Vec<&PortResult> = ports
        .iter()
        .filter(|port| port.state == PortState::Open)
        .collect();
    open.iter()
        .find_map(|port| named_distribution(port))
        .or_else(|| open.iter().find_map(|port| windows_only(port)))
        .or_else(|| open.iter().find_map(|port| hosting_panel(port)))
}

/// What a service's own words say: OpenSSH and others name the
/// distribution that built them ("OpenSSH_9.6p1 Ubuntu-3ubuntu13").
fn named_distribution(port: &PortResult) -> Option<(Platform, String)> {
    let identity = port.identity.as_deref()?;
    let said = [identity.extra.as_deref(), identity.version.as_deref()]
        .into_iter()
        .flatten()
        .chain(std::iter::once(identity.evidence.as_str()))
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase();
    let what = identity.product.as_deref().unwrap_or(&identity.service);
    let clue = |name: &str| format!("{what} on port {} names {name}", port.port);
    const NAMES: [(&str, Platform, &str); 9] = [
        ("ubuntu", Platform::Debian, "Ubuntu"),
        ("debian", Platform::Debian, "Debian"),
        ("deb12", Platform::Debian, "Debian"),
        ("raspbian", Platform::Debian, "Raspbian"),
        (".el9", Platform::Rhel, "Red Hat Enterprise Linux 9"),
        (".el8", Platform::Rhel, "Red Hat Enterprise Linux 8"),
        ("centos", Platform::Rhel, "CentOS"),
        ("red hat", Platform::Rhel, "Red Hat"),
        ("(win64)", Platform::WindowsServer, "Windows"),
    ];
    NAMES
        .iter()
        .find(|(needle, ..)| said.contains(needle))
        .map(|(_, platform, name)| (*platform, clue(name)))
}

/// Services only Windows runs, on their usual ports.
fn windows_only(port: &PortResult) -> Option<(Platform, String)> {
    let product = port
        .identity
        .as_deref()
        .and_then(|identity| identity.product.as_deref())
        .unwrap_or("");
    let clue = if product.starts_with("Microsoft IIS") {
        "the web server is IIS, which only Windows runs"
    } else if product.starts_with("Microsoft HTTPAPI") {
        "the web server is Windows' own"
    } else if port.protocol == Protocol::Tcp && port.port == 3389 {
        "it answers Remote Desktop on port 3389"
    } else if port.protocol == Protocol::Tcp && port.port == 5985 {
        "it answers Windows Remote Management on port 5985"
    } else {
        return None;
    };
    Some((Platform::WindowsServer, clue.to_owned()))
}

/// cPanel's own ports (Plesk's 8443 is too common to tell).
fn hosting_panel(port: &PortResult) -> Option<(Platform, String)> {
    if port.protocol != Protocol::Tcp {
        return None;
    }
    match port.port {
        2083 | 2087 => Some((
            Platform::Cpanel,
            format!("cPanel's login page answers on port {}", port.port),
        )),
        _ => None,
    }
}
