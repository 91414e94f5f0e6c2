//! The TLS posture of a port: which protocol versions the server completes
//! a hello with, which weak suites it agrees to, and its certificate.
//!
//! Each question is one hand-built ClientHello on a fresh connection: a
//! version is accepted when the ServerHello names it (SSL 2.0 when the
//! server answers its own hello with a cipher); a weak suite is offered
//! when the server picks it from a hello offering only suites of that kind
//! (then it is removed and the hello sent again, to list them all); the
//! Diffie-Hellman group's size shows in the ServerKeyExchange that answers
//! a hello offering only DHE suites.

use std::net::SocketAddr;

use portcullis_model::service::{TlsPosture, TlsVersion, WeakCipherKind, WeakSuite};
use tokio::time::Instant;

use super::records::{self, ServerFlight};
use super::{certificate, hello, suites, trust};
use crate::identify::clock::Clock;
use crate::identify::wire::{LARGE_LIMIT, Wire};

/// Versions asked about, oldest first.
const VERSIONS: [TlsVersion; 5] = [
    TlsVersion::Ssl3,
    TlsVersion::Tls10,
    TlsVersion::Tls11,
    TlsVersion::Tls12,
    TlsVersion::Tls13,
];

const WEAK_KINDS: [WeakCipherKind; 5] = [
    WeakCipherKind::Null,
    WeakCipherKind::Anonymous,
    WeakCipherKind::Export,
    WeakCipherKind::Rc4,
    WeakCipherKind::TripleDes,
];

/// Where to ask, and how long there is.
pub(crate) struct TlsTarget<'a> {
    pub address: SocketAddr,
    pub host_name: Option<&'a str>,
    pub clock: Clock,
    pub deadline: Instant,
    /// Certificate authorities (DER) trusted besides the public roots.
    pub extra_roots: &'a [Vec<u8>],
}

/// Asks every question; `known_chain` is the chain (leaf first) a real
/// handshake already showed (TLS 1.3 encrypts it, so hellos cannot).
pub(crate) async fn assess(target: &TlsTarget<'_>, known_chain: &[Vec<u8>]) -> TlsPosture {
    let mut versions = Vec::new();
    if speaks_sslv2(target).await {
        versions.push(TlsVersion::Ssl2);
    }
    let mut chain: Vec<Vec<u8>> = Vec::new();
    for version in VERSIONS {
        let offer = suites::all_codes();
        let Some(flight) = hello_once(target, version, &offer).await else {
            continue;
        };
        if flight.hello.is_some_and(|h| h.version == Some(version)) {
            versions.push(version);
            if !flight.certificates.is_empty() {
                chain = flight.certificates; // the newest version's chain wins
            }
        }
    }
    let dh_bits = dh_group_bits(target, &versions).await;
    let mut weak_suites = Vec::new();
    let hello_versions = versions
        .iter()
        .copied()
        .filter(|v| !matches!(v, TlsVersion::Ssl2 | TlsVersion::Tls13));
    for version in hello_versions {
        for kind in WEAK_KINDS {
            weak_suites.extend(weak_suites_of(target, version, kind).await);
        }
    }
    if chain.is_empty() {
        chain = known_chain.to_vec();
    }
    let now = chrono::Utc::now().timestamp();
    let certificate = chain.first().and_then(|leaf| {
        let mut info = certificate::describe(leaf, target.host_name, target.address.ip(), now)?;
        info.trusted = trust::chain_trust(&chain, target.extra_roots, now);
        Some(info)
    });
    TlsPosture {
        versions,
        weak_suites,
        certificate,
        dh_bits,
    }
}

/// Whether the server agrees to an SSL 2.0 hello with at least one cipher
/// kind: SSL 2.0 has its own hello, which servers without it ignore or
/// answer with a TLS alert.
async fn speaks_sslv2(target: &TlsTarget<'_>) -> bool {
    if Instant::now() >= target.deadline {
        return false;
    }
    let Ok(stream) = Wire::connect(target.address, target.clock.connect(), target.deadline).await
    else {
        return false;
    };
    let mut wire = Wire::new(stream, LARGE_LIMIT).with_quiet(target.clock.quiet());
    let reply_by = Clock::until(target.clock.reply(), target.deadline);
    if wire
        .send(&hello::sslv2_client_hello(), reply_by)
        .await
        .is_err()
    {
        return false;
    }
    wire.read_until(reply_by, records::sslv2_complete).await;
    let ciphers = records::sslv2_ciphers(wire.received());
    wire.shutdown().await;
    ciphers.is_some_and(|count| count > 0)
}

/// The size of the Diffie-Hellman group the server uses: a hello offering
/// only DHE suites, in the newest version before TLS 1.3 it accepted.
/// `None` when it accepted no such version or agreed to no DHE suite.
async fn dh_group_bits(target: &TlsTarget<'_>, versions: &[TlsVersion]) -> Option<u32> {
    let version = versions
        .iter()
        .copied()
        .filter(|v| {
            matches!(
                v,
                TlsVersion::Ssl3 | TlsVersion::Tls10 | TlsVersion::Tls11 | TlsVersion::Tls12
            )
        })
        .max()?;
    let offer = suites::dhe_codes();
    let flight = hello_once(target, version, &offer).await?;
    let hello = flight.hello.filter(|h| h.version == Some(version))?;
    if !offer.contains(&hello.cipher) {
        return None;
    }
    records::dh_prime_bits(flight.key_exchange.as_deref()?)
}

/// Every suite of `kind` the server picks in `version`, one hello per
/// suite found (at most 16).
async fn weak_suites_of(
    target: &TlsTarget<'_>,
    version: TlsVersion,
    kind: WeakCipherKind,
) -> Vec<WeakSuite> {
    let mut offer = suites::codes_of(kind);
    let mut found = Vec::new();
    while !offer.is_empty() && found.len() < 16 {
        let Some(flight) = hello_once(target, version, &offer).await else {
            break;
        };
        let Some(hello) = flight.hello.filter(|h| h.version == Some(version)) else {
            break;
        };
        let Some(suite) = suites::by_code(hello.cipher).filter(|s| offer.contains(&s.code)) else {
            break; // picked something not offered: a broken server, stop
        };
        found.push(WeakSuite {
            name: suite.name.to_owned(),
            version,
            kind,
        });
        offer.retain(|code| *code != suite.code);
    }
    found
}

/// One hello on a fresh connection; the server's flight, or `None` when
/// nothing TLS came back.
async fn hello_once(
    target: &TlsTarget<'_>,
    version: TlsVersion,
    offer: &[u16],
) -> Option<ServerFlight> {
    if Instant::now() >= target.deadline {
        return None;
    }
    let stream = Wire::connect(target.address, target.clock.connect(), target.deadline)
        .await
        .ok()?;
    let mut wire = Wire::new(stream, LARGE_LIMIT).with_quiet(target.clock.quiet());
    let message = hello::client_hello(version, offer, target.host_name);
    let reply_by = Clock::until(target.clock.reply(), target.deadline);
    wire.send(&message, reply_by).await.ok()?;
    wire.read_until(reply_by, records::flight_complete).await;
    let flight = records::parse_flight(wire.received());
    wire.shutdown().await;
    flight
}
