//! Can raw packets be sent, and by whom? Asked of the OS, not guessed from
//! the user id: CAP_NET_RAW without root counts, root in a restricted
//! container may not.
//!
//! Two ways: this process itself (root, or a program someone granted the
//! capability), or the raw-socket helper (`crate::rawscan`), the only file
//! the Debian package grants CAP_NET_RAW, so that the window's process
//! never holds it.

use std::path::{Path, PathBuf};

use crate::rawscan::{HELPER_ENV, HELPER_NAME, INSTALLED_HELPER};

/// Who can send the SYN scan's raw packets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RawAccess {
    /// This process can open raw sockets.
    InProcess,
    /// The helper at this path can, on this process's behalf.
    Helper(PathBuf),
    /// Nobody here can; the sentence says why.
    Unavailable(String),
}

/// True when a raw IPv4 TCP socket can be opened here.
#[cfg(unix)]
pub fn can_use_raw_sockets() -> bool {
    use socket2::{Domain, Protocol, Socket, Type};
    Socket::new(Domain::IPV4, Type::RAW, Some(Protocol::TCP)).is_ok()
}

/// Windows cannot send TCP over raw sockets at all; SYN scanning there would
/// need Npcap, which Portcullis does not use yet.
#[cfg(not(unix))]
pub fn can_use_raw_sockets() -> bool {
    false
}

/// Who can send raw packets for a SYN scan started from this process: a
/// helper named by `$PORTCULLIS_RAWSCAN` that can, then this process, then
/// the helper beside this program or where the package installs it.
/// Asking a helper starts it once (`--check`), which sends nothing.
pub fn raw_access() -> RawAccess {
    if !cfg!(target_os = "linux") {
        return RawAccess::Unavailable("SYN scanning is built for Linux only".into());
    }
    let named = std::env::var_os(HELPER_ENV).map(PathBuf::from);
    if let Some(helper) = named.filter(|path| path.is_file() && helper_can_send(path)) {
        return RawAccess::Helper(helper);
    }
    if can_use_raw_sockets() {
        return RawAccess::InProcess;
    }
    let mut lacking = None;
    for candidate in helper_candidates() {
        if !candidate.is_file() {
            continue;
        }
        if helper_can_send(&candidate) {
            return RawAccess::Helper(candidate);
        }
        lacking.get_or_insert(candidate);
    }
    RawAccess::Unavailable(match lacking {
        Some(path) => format!("the raw-socket helper {} lacks CAP_NET_RAW", path.display()),
        None => format!(
            "the raw-socket helper {HELPER_NAME} is not installed (beside this program or at \
             {INSTALLED_HELPER})"
        ),
    })
}

/// Where the helper may be, in order: `$PORTCULLIS_RAWSCAN`, beside this
/// program (a build tree), where the Debian package installs it.
fn helper_candidates() -> Vec<PathBuf> {
    let mut candidates = Vec::new();
    if let Some(path) = std::env::var_os(HELPER_ENV) {
        candidates.push(PathBuf::from(path));
    }
    if let Some(folder) = std::env::current_exe()
        .ok()
        .as_deref()
        .and_then(Path::parent)
    {
        candidates.push(folder.join(HELPER_NAME));
    }
    candidates.push(PathBuf::from(INSTALLED_HELPER));
    candidates
}

/// Whether the helper at `path` says it can open raw sockets.
fn helper_can_send(path: &Path) -> bool {
    std::process::Command::new(path)
        .arg("--check")
        .env_clear()
        .current_dir("/")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}
