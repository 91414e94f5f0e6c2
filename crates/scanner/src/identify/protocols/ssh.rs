//! SSH (RFC 4253): the identification line a server sends first, and the
//! KEXINIT packet that follows it, which is sent in the clear and lists
//! every algorithm the server accepts.

use super::{Identified, Proto, be32, version_prefix};
use crate::identify::evidence::field;

/// What we say we are (RFC 4253 4.2: "SSH-protoversion-softwareversion").
pub(crate) const CLIENT_ID: &[u8] = b"SSH-2.0-Portcullis_0.1\r\n";

/// SSH_MSG_KEXINIT.
const MSG_KEXINIT: u8 = 20;

/// RFC 4253 6.1 lets packets be 35000 bytes; a KEXINIT is far smaller.
const MAX_PACKET: usize = 35_000;

/// The server's identification line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SshBanner {
    /// The whole line, sanitised.
    pub line: String,
    /// "2.0", "1.99", "1.5".
    pub protocol: String,
    /// "OpenSSH_9.2p1".
    pub software: String,
    /// "Debian-2+deb12u3".
    pub comments: Option<String>,
    /// Bytes up to and including the line end: where the binary packets
    /// start.
    pub consumed: usize,
}

/// Finds the identification line; RFC 4253 4.2 allows other lines before
/// it, which are skipped.
pub(crate) fn parse_banner(bytes: &[u8]) -> Option<SshBanner> {
    let mut start = 0;
    // At most a few dozen lines of preamble are looked at.
    for _ in 0..32 {
        let rest = bytes.get(start..)?;
        let end = rest.iter().position(|b| *b == b'\n')?;
        let raw = &rest[..end];
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if let Some(id) = raw.strip_prefix(b"SSH-") {
            let text = String::from_utf8_lossy(id);
            let (ids, comments) = match text.split_once(' ') {
                Some((ids, comments)) => (ids.to_owned(), Some(field(comments))),
                None => (text.into_owned(), None),
            };
            let (protocol, software) = ids.split_once('-')?;
            return Some(SshBanner {
                line: field(&String::from_utf8_lossy(raw)),
                protocol: field(protocol),
                software: field(software),
                comments: comments.filter(|c| !c.is_empty()),
                consumed: start + end + 1,
            });
        }
        start += end + 1;
    }
    None
}

/// Whether `bytes` hold a whole identification line.
pub(crate) fn banner_complete(bytes: &[u8]) -> bool {
    parse_banner(bytes).is_some()
}

/// Product and version from the software field of the banner.
pub(crate) fn identify(banner: &SshBanner) -> Identified {
    let software = banner.software.as_str();
    let known: [(&str, &str); 8] = [
        ("OpenSSH_", "OpenSSH"),
        ("dropbear_", "Dropbear sshd"),
        ("dropbear", "Dropbear sshd"),
        ("libssh_", "libssh"),
        ("libssh2_", "libssh2"),
        ("paramiko_", "Paramiko"),
        ("Cisco-", "Cisco SSH"),
        ("RomSShell_", "RomSShell"),
    ];
    let mut identified = match known
        .iter()
        .find(|(prefix, _)| software.starts_with(prefix))
    {
        Some((prefix, product)) => Identified::product(
            Proto::Ssh,
            product,
            version_prefix(&software[prefix.len()..]),
        ),
        None if software.is_empty() => Identified::protocol(Proto::Ssh),
        None => Identified::product(Proto::Ssh, software, None),
    };
    if let Some(comments) = &banner.comments {
        identified.add_extra(comments.clone());
    }
    identified.add_extra(format!("protocol {}", banner.protocol));
    identified
}

/// The algorithm lists of a KEXINIT (RFC 4253 7.1).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct KexInit {
    pub kex: Vec<String>,
    pub host_key: Vec<String>,
    pub ciphers_client_to_server: Vec<String>,
    pub ciphers_server_to_client: Vec<String>,
    pub macs_client_to_server: Vec<String>,
    pub macs_server_to_client: Vec<String>,
    pub compression: Vec<String>,
}

/// Whether `bytes` (what follows the identification line) hold a whole
/// first packet.
pub(crate) fn packet_complete(bytes: &[u8]) -> bool {
    match be32(bytes, 0) {
        Some(length) => bytes.len() >= 4 + length as usize || length as usize > MAX_PACKET,
        None => false,
    }
}

/// Parses the first binary packet after the identification line as a
/// KEXINIT. Before keys are exchanged, packets have no MAC and are not
/// encrypted: uint32 length, byte padding length, payload, padding.
pub(crate) fn parse_kexinit(bytes: &[u8]) -> Option<KexInit> {
    let length = be32(bytes, 0)? as usize;
    if !(5..=MAX_PACKET).contains(&length) {
        return None;
    }
    let packet = bytes.get(4..4 + length)?;
    let padding = usize::from(*packet.first()?);
    let payload = packet.get(1..length.checked_sub(padding)?)?;
    if payload.first() != Some(&MSG_KEXINIT) {
        return None;
    }
    let mut at = 1 + 16; // message number, cookie
    let mut lists = Vec::with_capacity(10);
    for _ in 0..10 {
        let len = be32(payload, at)? as usize;
        let text = payload.get(at + 4..at + 4 + len)?;
        at += 4 + len;
        lists.push(name_list(text));
    }
    let mut lists = lists.into_iter();
    let mut next = || lists.next().unwrap_or_default();
    Some(KexInit {
        kex: next(),
        host_key: next(),
        ciphers_client_to_server: next(),
        ciphers_server_to_client: next(),
        macs_client_to_server: next(),
        macs_server_to_client: next(),
        compression: next(),
    })
}

/// A comma-separated name-list, each name sanitised; at most 64 names.
fn name_list(text: &[u8]) -> Vec<String> {
    text.split(|b| *b == b',')
        .filter(|name| !name.is_empty())
        .take(64)
        .map(|name| field(&String::from_utf8_lossy(name)))
        .collect()
}

/// Why an algorithm offered by a server is weak, or `None` when it is not.
///
/// The list follows what ASV scanners fail: SHA-1 and 1024-bit key
/// exchange, DSA and SHA-1 RSA host keys, CBC and 64-bit block ciphers,
/// RC4, MD5 and 96-bit MACs. OpenSSH's defaults (including umac-64 and
/// hmac-sha1, which ASVs accept) are not flagged.
pub(crate) fn weakness(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    let why = match lower.as_str() {
        "diffie-hellman-group1-sha1" => "1024-bit Diffie-Hellman group with SHA-1 (Logjam-class)",
        "diffie-hellman-group14-sha1" | "diffie-hellman-group-exchange-sha1" => {
            "key exchange hashed with SHA-1"
        }
        "rsa1024-sha1" => "1024-bit RSA key exchange with SHA-1",
        "ssh-dss" => "DSA host key: 1024-bit, SHA-1, removed from OpenSSH",
        "ssh-rsa" => "RSA host key signatures with SHA-1",
        "none" => "no encryption or no integrity protection",
        "hmac-md5" | "hmac-md5-96" | "hmac-md5-etm@openssh.com" | "hmac-md5-96-etm@openssh.com" => {
            "MD5-based MAC"
        }
        "hmac-sha1-96" | "hmac-sha1-96-etm@openssh.com" => "MAC truncated to 96 bits, SHA-1",
        "3des-cbc" => "64-bit block cipher (SWEET32) in CBC mode",
        "blowfish-cbc" | "cast128-cbc" | "idea-cbc" => "64-bit block cipher in CBC mode",
        "des-cbc" | "des-cbc@ssh.com" => "single DES: 56-bit key",
        "rijndael-cbc@lysator.liu.se" => "CBC mode (plaintext recovery, CVE-2008-5161)",
        _ if lower.starts_with("arcfour") => "RC4 stream cipher",
        _ if lower.ends_with("-cbc") => "CBC mode (plaintext recovery, CVE-2008-5161)",
        _ if lower.starts_with("gss-") && lower.contains("sha1") => {
            "GSSAPI key exchange hashed with SHA-1"
        }
        _ => return None,
    };
    Some(why)
}

/// Why an algorithm is dated though still sound, or `None`. ssh-audit
/// warns on these and ASV scanners accept them; OpenSSH still offers them
/// by default, so a system that keeps its defaults has something to tidy,
/// not something that fails.
pub(crate) fn dated(name: &str) -> Option<&'static str> {
    let why = match name.to_ascii_lowercase().as_str() {
        "hmac-sha1" | "hmac-sha1-etm@openssh.com" => "MAC built on SHA-1: sound today, but dated",
        "umac-64@openssh.com" | "umac-64-etm@openssh.com" => "MAC with a short 64-bit tag",
        _ => return None,
    };
    Some(why)
}

/// The Terrapin attack (CVE-2023-48795) needs ChaCha20-Poly1305 or an
/// encrypt-then-MAC mode, and a server without strict key exchange.
pub(crate) fn terrapin_exposed(kexinit: &KexInit) -> Option<String> {
    let strict = kexinit
        .kex
        .iter()
        .any(|k| k == "kex-strict-s-v00@openssh.com");
    if strict {
        return None;
    }
    let chacha = kexinit
        .ciphers_server_to_client
        .iter()
        .chain(&kexinit.ciphers_client_to_server)
        .find(|c| c.as_str() == "chacha20-poly1305@openssh.com");
    let etm = kexinit
        .macs_server_to_client
        .iter()
        .chain(&kexinit.macs_client_to_server)
        .find(|m| m.ends_with("-etm@openssh.com"));
    chacha.or(etm).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A KEXINIT shaped as OpenSSH 9.2 sends it (lists shortened).
    fn openssh_like_kexinit() -> Vec<u8> {
        let lists: [&[u8]; 10] = [
            b"curve25519-sha256,diffie-hellman-group14-sha256,kex-strict-s-v00@openssh.com",
            b"rsa-sha2-512,rsa-sha2-256,ecdsa-sha2-nistp256,ssh-ed25519",
            b"chacha20-poly1305@openssh.com,aes128-ctr,aes256-gcm@openssh.com",
            b"chacha20-poly1305@openssh.com,aes128-ctr,aes256-gcm@openssh.com",
            b"umac-64-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha1",
            b"umac-64-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha1",
            b"none,zlib@openssh.com",
            b"none,zlib@openssh.com",
            b"",
            b"",
        ];
        let mut payload = vec![MSG_KEXINIT];
        payload.extend_from_slice(&[0x11; 16]);
        for list in lists {
            payload.extend_from_slice(&(list.len() as u32).to_be_bytes());
            payload.extend_from_slice(list);
        }
        payload.push(0); // first_kex_packet_follows
        payload.extend_from_slice(&[0, 0, 0, 0]);
        let padding = 4 + (8 - (payload.len() + 5 + 4) % 8) % 8;
        let mut packet = ((payload.len() + padding + 1) as u32)
            .to_be_bytes()
            .to_vec();
        packet.push(padding as u8);
        packet.extend_from_slice(&payload);
        packet.extend(std::iter::repeat_n(0u8, padding));
        packet
    }

    #[test]
    fn openssh_banner_with_debian_comment() {
        let banner = parse_banner(b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n\x00\x00").unwrap();
        assert_eq!(banner.protocol, "2.0");
        assert_eq!(banner.software, "OpenSSH_9.2p1");
        assert_eq!(banner.comments.as_deref(), Some("Debian-2+deb12u3"));
        assert_eq!(banner.consumed, 40);
        let found = identify(&banner);
        assert_eq!(found.product.as_deref(), Some("OpenSSH"));
        assert_eq!(found.version.as_deref(), Some("9.2p1"));
        assert_eq!(
            found.extra.as_deref(),
            Some("Debian-2+deb12u3; protocol 2.0")
        );
    }

    #[test]
    fn preamble_lines_are_skipped_and_other_servers_named() {
        let banner = parse_banner(b"Welcome\r\nto here\nSSH-2.0-dropbear_2022.83\r\n").unwrap();
        let found = identify(&banner);
        assert_eq!(found.product.as_deref(), Some("Dropbear sshd"));
        assert_eq!(found.version.as_deref(), Some("2022.83"));
        let cisco = identify(&parse_banner(b"SSH-1.99-Cisco-1.25\n").unwrap());
        assert_eq!(cisco.product.as_deref(), Some("Cisco SSH"));
        assert!(cisco.extra.unwrap().contains("protocol 1.99"));
        assert!(parse_banner(b"HTTP/1.1 400 Bad Request\r\n").is_none());
        assert!(
            parse_banner(b"SSH-2.0-OpenSSH_9.2p1").is_none(),
            "no line end yet"
        );
    }

    #[test]
    fn kexinit_lists_are_read() {
        let packet = openssh_like_kexinit();
        assert!(packet_complete(&packet));
        assert!(!packet_complete(&packet[..packet.len() - 1]));
        let kex = parse_kexinit(&packet).unwrap();
        assert_eq!(kex.kex[0], "curve25519-sha256");
        assert_eq!(kex.host_key.len(), 4);
        assert_eq!(kex.macs_server_to_client[2], "hmac-sha1");
        assert_eq!(kex.compression, ["none", "zlib@openssh.com"]);
        assert_eq!(terrapin_exposed(&kex), None, "strict kex offered");
    }

    #[test]
    fn truncated_or_wrong_packets_are_refused() {
        let packet = openssh_like_kexinit();
        for cut in [0, 3, 10, 60, packet.len() - 1] {
            assert!(parse_kexinit(&packet[..cut]).is_none(), "cut at {cut}");
        }
        let mut wrong = packet.clone();
        wrong[5] = 21;
        assert!(parse_kexinit(&wrong).is_none());
        assert!(parse_kexinit(&[0xff, 0xff, 0xff, 0xff, 4]).is_none());
    }

    #[test]
    fn weak_algorithms_are_named() {
        for weak in [
            "diffie-hellman-group1-sha1",
            "ssh-dss",
            "3des-cbc",
            "arcfour256",
            "hmac-md5",
            "aes128-cbc",
            "hmac-sha1-96",
        ] {
            assert!(weakness(weak).is_some(), "{weak}");
        }
        for fine in [
            "curve25519-sha256",
            "aes128-ctr",
            "hmac-sha2-256",
            "ssh-ed25519",
            "umac-128-etm@openssh.com",
        ] {
            assert!(weakness(fine).is_none(), "{fine}");
            assert!(dated(fine).is_none(), "{fine}");
        }
    }

    #[test]
    fn openssh_default_macs_are_dated_not_weak() {
        for name in [
            "hmac-sha1",
            "umac-64@openssh.com",
            "hmac-sha1-etm@openssh.com",
        ] {
            assert!(weakness(name).is_none(), "{name}");
            assert!(dated(name).is_some(), "{name}");
        }
    }

    #[test]
    fn terrapin_needs_chacha_or_etm_without_strict_kex() {
        let mut kex = parse_kexinit(&openssh_like_kexinit()).unwrap();
        kex.kex.retain(|k| !k.starts_with("kex-strict"));
        assert_eq!(
            terrapin_exposed(&kex).as_deref(),
            Some("chacha20-poly1305@openssh.com")
        );
    }
}
