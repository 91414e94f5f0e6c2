//! Can this process send raw packets? Asked of the OS, not guessed from the
//! user id: CAP_NET_RAW without root counts, root in a restricted container
//! may not.

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
