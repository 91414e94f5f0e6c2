//! What runs behind an open port, and whether it is configured safely.
//!
//! Identification (which service, product and version) and posture (TLS
//! versions and suites, SSH algorithms and login methods, HTTP redirects,
//! services answering without authentication, known-vulnerable versions) are
//! found by the scanner and judged by the compliance rules. Both sides meet
//! here, as plain data.
//!
//! Every string in these types came from a hostile server: the scanner
//! bounds and sanitises it before it gets here, and nothing may render it
//! as HTML.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::scan::Protocol;

/// How sure the identification is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Confidence {
    /// Only the port number suggests it (the IANA name): nothing answered.
    PortOnly,
    /// The answer looks like the protocol, but carried no product or version.
    Protocol,
    /// The server named its product (and usually its version).
    Product,
}

/// The service found behind one open port.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceIdentity {
    /// IANA service name ("http", "ssh", "mysql", "postgresql", ...), or
    /// "unknown" when nothing matched.
    pub service: String,
    /// Product as the server names it, normalised ("OpenSSH", "nginx",
    /// "MariaDB", "PostgreSQL", "Redis", "vsftpd", ...).
    pub product: Option<String>,
    pub version: Option<String>,
    /// Anything else worth saying: OS hints, protocol version, "TLS wrapped".
    pub extra: Option<String>,
    pub confidence: Confidence,
    /// Whether the service speaks inside TLS on this port (https, imaps...).
    pub tls: bool,
    /// The raw answer that decided it: bounded and sanitised (printable
    /// text, escapes shown as `\xNN`).
    pub evidence: String,
    /// The probes sent, in order, so that "unknown" says what was tried.
    pub probes_tried: Vec<String>,
}

/// Identification and posture of one port, as the scan reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceReport {
    pub address: IpAddr,
    pub port: u16,
    pub protocol: Protocol,
    pub identity: ServiceIdentity,
    pub posture: Posture,
}

/// The posture checks that ran on one port. Empty means nothing applied.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Posture {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<TlsPosture>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssh: Option<SshPosture>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http: Option<HttpPosture>,
    /// Services that answered without asking who we are.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub open_access: Vec<OpenAccess>,
    /// Known-vulnerable or end-of-life versions matched from the data file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub advisories: Vec<VersionAdvisory>,
}

impl Posture {
    pub fn is_empty(&self) -> bool {
        self == &Posture::default()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TlsVersion {
    /// SSL 2.0: broken (DROWN); probed with its own hello.
    Ssl2,
    Ssl3,
    Tls10,
    Tls11,
    Tls12,
    Tls13,
}

impl TlsVersion {
    pub fn label(self) -> &'static str {
        match self {
            TlsVersion::Ssl2 => "SSLv2",
            TlsVersion::Ssl3 => "SSLv3",
            TlsVersion::Tls10 => "TLS 1.0",
            TlsVersion::Tls11 => "TLS 1.1",
            TlsVersion::Tls12 => "TLS 1.2",
            TlsVersion::Tls13 => "TLS 1.3",
        }
    }
}

/// Why a cipher suite is weak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WeakCipherKind {
    /// No authentication of the server (anon DH/ECDH).
    Anonymous,
    /// No encryption at all.
    Null,
    /// Export-grade keys (40/56 bit).
    Export,
    Rc4,
    /// 3DES and other 64-bit block ciphers (SWEET32).
    TripleDes,
}

impl WeakCipherKind {
    /// The weakness as people name it.
    pub fn label(self) -> &'static str {
        match self {
            WeakCipherKind::Anonymous => "anonymous key exchange",
            WeakCipherKind::Null => "no encryption (NULL)",
            WeakCipherKind::Export => "export-grade",
            WeakCipherKind::Rc4 => "RC4",
            WeakCipherKind::TripleDes => "3DES",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeakSuite {
    /// IANA name, e.g. "TLS_RSA_WITH_RC4_128_SHA".
    pub name: String,
    pub version: TlsVersion,
    pub kind: WeakCipherKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateInfo {
    pub subject: String,
    pub issuer: String,
    /// RFC 3339.
    pub not_before: String,
    /// RFC 3339.
    pub not_after: String,
    pub self_signed: bool,
    pub expired: bool,
    /// Whether the certificate names the host that was scanned (by the name
    /// the user gave, or its address); `None` when there was nothing to
    /// compare with.
    pub name_matches: Option<bool>,
    /// e.g. "RSA", "ECDSA".
    pub key_type: String,
    pub key_bits: Option<u32>,
    /// DNS names and addresses in the subject alternative name.
    pub names: Vec<String>,
    /// How the issuer signed it, e.g. "sha256WithRSAEncryption" (the
    /// dotted OID when unknown); `None` in records made before it was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// Whether the chain the server sent leads to a root in Mozilla's
    /// list, the roots browsers and ASVs trust (a private or missing
    /// issuer does not); `None` when it could not be told (an expired or
    /// unreadable chain, judged by other checks) or in records made
    /// before it was checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trusted: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TlsPosture {
    /// Every protocol version the server completed a hello with.
    pub versions: Vec<TlsVersion>,
    pub weak_suites: Vec<WeakSuite>,
    pub certificate: Option<CertificateInfo>,
    /// The size in bits of the Diffie-Hellman group the server chose when
    /// offered only DHE suites; `None` when it agreed to none (or the
    /// record predates the check).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dh_bits: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SshPosture {
    /// The identification line, e.g. "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3".
    pub banner: String,
    pub kex: Vec<String>,
    pub host_key: Vec<String>,
    pub ciphers: Vec<String>,
    pub macs: Vec<String>,
    /// Offered algorithms that are considered weak, each with why.
    pub weak: Vec<WeakAlgorithm>,
    /// Methods the server offers before authentication ("publickey",
    /// "password", "keyboard-interactive"); empty when it could not be asked.
    pub auth_methods: Vec<String>,
    /// Whether a password can be tried: "password" or
    /// "keyboard-interactive" offered. `None` when unknown.
    pub password_login: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeakAlgorithm {
    pub name: String,
    pub why: String,
    /// How far scanners go with it. Scans saved before this was recorded
    /// only listed weak ones.
    #[serde(default)]
    pub concern: AlgorithmConcern,
}

/// How much an offered algorithm matters, as the scanners ASVs run and
/// ssh-audit grade it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AlgorithmConcern {
    /// Reported as a weakness (SHA-1 key exchange, CBC, MD5 MACs...).
    #[default]
    Weak,
    /// Still sound but dated, advised against and accepted by ASVs:
    /// OpenSSH's default hmac-sha1 and umac-64 MACs.
    Dated,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpPosture {
    pub status: Option<u16>,
    pub server: Option<String>,
    pub powered_by: Option<String>,
    pub title: Option<String>,
    /// Location header of a redirect.
    pub location: Option<String>,
    /// For plain-HTTP ports: whether `/` redirects to an https:// URL.
    pub redirects_to_https: Option<bool>,
    /// For HTTPS ports: whether Strict-Transport-Security is sent.
    pub hsts: Option<bool>,
    pub directory_listing: bool,
    /// Default or admin pages that answered, e.g. "/phpmyadmin/",
    /// "nginx default page".
    pub exposed_pages: Vec<String>,
}

/// A service that answered without authentication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OpenAccessKind {
    RedisNoAuth,
    MongoDbNoAuth,
    MemcachedNoAuth,
    ElasticsearchNoAuth,
    FtpAnonymous,
    TelnetPresent,
    SnmpPublicCommunity,
}

impl OpenAccessKind {
    /// What was seen, as a sentence a shop owner can read.
    pub fn fact(self) -> &'static str {
        match self {
            OpenAccessKind::RedisNoAuth => "Redis answers without a password",
            OpenAccessKind::MongoDbNoAuth => "MongoDB answers without a password",
            OpenAccessKind::MemcachedNoAuth => "Memcached answers without a password",
            OpenAccessKind::ElasticsearchNoAuth => "Elasticsearch answers without a password",
            OpenAccessKind::FtpAnonymous => "FTP allows anonymous login",
            OpenAccessKind::TelnetPresent => "Telnet answers",
            OpenAccessKind::SnmpPublicCommunity => "SNMP answers to community \"public\"",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenAccess {
    pub kind: OpenAccessKind,
    /// What answered, bounded and sanitised.
    pub detail: String,
}

/// A product version inside a known-vulnerable or end-of-life range.
/// The fields after `source` came later: a stored scan without them reads
/// as an unflagged advisory with no score, judged on the upstream version.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionAdvisory {
    pub product: String,
    pub version: String,
    /// The range as the data file states it, e.g. "< 9.3p2".
    pub affected: String,
    /// A CVE id, or "EOL" for an end-of-life release.
    pub id: String,
    pub summary: String,
    /// ISO date, for end-of-life entries.
    pub end_of_life: Option<String>,
    /// Where the fact comes from (advisory URL).
    pub source: String,
    /// The CVSS base score its source gives (CVE entries only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cvss: Option<CvssScore>,
    /// The CVSS vector, when the source gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cvss_vector: Option<String>,
    /// Why the advisory may not endanger the server as scanned.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<AdvisoryFlag>,
    /// The platform or configuration the flags mean, in plain English
    /// ("when 'resolver' is set in the nginx configuration").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// What the distribution build the banner names means for it.
    #[serde(default, skip_serializing_if = "DistributionStatus::is_upstream")]
    pub distribution: DistributionStatus,
}

/// The advisory data scans judge versions with: when it was last checked
/// against its sources, how old that is, and a warning past 90 days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdvisoryData {
    /// ISO date of the last review.
    pub reviewed: String,
    pub age_days: i64,
    /// How many advisories and end-of-life lines it holds.
    pub advisories: usize,
    /// Plain English, when the data is older than 90 days.
    pub warning: Option<String>,
}

/// A CVSS base score, kept in tenths (8.1 is 81) so that it compares
/// exactly; written as the decimal number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CvssScore(u8);

impl CvssScore {
    /// The score `tenths` / 10, if it is one (0.0 to 10.0).
    pub fn from_tenths(tenths: u8) -> Option<CvssScore> {
        (tenths <= 100).then_some(CvssScore(tenths))
    }

    /// The score of a decimal number, if it is one (0.0 to 10.0, one
    /// decimal).
    pub fn from_decimal(score: f64) -> Option<CvssScore> {
        let tenths = (score * 10.0).round();
        ((0.0..=100.0).contains(&tenths) && (score * 10.0 - tenths).abs() < 1e-6)
            .then_some(CvssScore(tenths as u8))
    }

    pub fn tenths(self) -> u8 {
        self.0
    }

    /// 4.0 or more: an ASV fails a system for it (PCI ASV Program Guide).
    pub fn fails_asv(self) -> bool {
        self.0 >= 40
    }
}

impl std::fmt::Display for CvssScore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.0 / 10, self.0 % 10)
    }
}

impl Serialize for CvssScore {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(f64::from(self.0) / 10.0)
    }
}

impl<'de> Deserialize<'de> for CvssScore {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let score = f64::deserialize(deserializer)?;
        CvssScore::from_decimal(score).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "{score} is not a CVSS score (0.0 to 10.0, one decimal)"
            ))
        })
    }
}

/// Why an advisory that matches the version may not endanger the server
/// as scanned; a flagged advisory does not fail a system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AdvisoryFlag {
    /// It only lets an attacker stop the service.
    DenialOfService,
    /// It is in the client programs, not in the server that was scanned.
    ClientSide,
    /// It only affects one operating system or platform.
    Platform,
    /// It only applies with a feature or setting that is not the default.
    Configuration,
}

impl AdvisoryFlag {
    /// Why the flag keeps the advisory from failing a system, in plain
    /// English; `condition` is the data file's wording of the platform or
    /// setting.
    pub fn reason(self, condition: Option<&str>) -> String {
        match (self, condition) {
            (AdvisoryFlag::DenialOfService, _) => {
                "it only lets an attacker stop the service, which an ASV scan does not fail".into()
            }
            (AdvisoryFlag::ClientSide, _) => {
                "it is in the client programs, not in the server that was scanned".into()
            }
            (AdvisoryFlag::Platform, Some(condition)) => {
                format!("it only affects some platforms ({condition})")
            }
            (AdvisoryFlag::Platform, None) => "it only affects some platforms".into(),
            (AdvisoryFlag::Configuration, Some(condition)) => {
                format!("it only applies {condition}")
            }
            (AdvisoryFlag::Configuration, None) => {
                "it only applies with a setting that is not the default".into()
            }
        }
    }
}

/// What a distribution's build of the product means for an advisory
/// (Linux distributions fix vulnerabilities without changing the upstream
/// version: "9.2p1 Debian-2+deb12u3" carries fixes released upstream in
/// 9.8p1).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum DistributionStatus {
    /// No distribution build was seen: the upstream version decides.
    #[default]
    Upstream,
    /// The banner names the package version, and it carries the fix.
    Fixed {
        /// The distribution and package version, e.g. "Debian 12
        /// openssh-server 1:9.2p1-2+deb12u10".
        build: String,
        /// The first package version with the fix.
        fixed_in: String,
        /// The distribution's security tracker or advisory.
        source: String,
    },
    /// The banner names the package version, and it is older than the fix.
    NotFixed {
        build: String,
        fixed_in: String,
        source: String,
    },
    /// A distribution build whose package version the banner does not
    /// show, or that the data file has no fixed version for: it may carry
    /// the fix; `command`, run on the server, confirms it.
    NeedsConfirmation { build: String, command: String },
    /// An end-of-life upstream release that the distribution release still
    /// supports.
    Supported {
        build: String,
        /// "Debian 12 (bookworm)".
        release: String,
        /// ISO date the distribution's support of the release ends.
        until: String,
        source: String,
    },
}

impl DistributionStatus {
    pub fn is_upstream(&self) -> bool {
        *self == DistributionStatus::Upstream
    }
}
