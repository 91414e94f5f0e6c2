//! Entry points for the fuzz targets in `fuzz/`: every parser of server
//! responses, fed arbitrary bytes. Each must return (anything) without
//! panicking, looping or allocating without bound. Not an API for anything
//! else.
#![doc(hidden)]

use super::found::Found;
use super::protocols::Identified;
use super::protocols::{
    amqp, banner, dns, ftp, http, ldap, mail, memcached, mongodb, mqtt, mysql, ntp, postgres, rdp,
    redis, smb, snmp, ssh, telnet, vnc,
};
use super::tls::{certificate, records};

/// The advisories lookup, which compares the versions a server named with
/// every range of the data file.
fn advisories(identified: Identified, components: Vec<http::Component>) {
    let mut found = Found::identified(identified, Vec::new());
    found.facts.components = components;
    let _ = super::posture::version_advisories(&found, chrono::NaiveDate::MAX);
}

/// HTTP responses, including chunked bodies, titles and Server headers.
pub fn http_response(data: &[u8]) {
    let _ = http::response_complete(data);
    if let Some(response) = http::parse_response(data) {
        let (identified, components) = http::identify(&response);
        let _ = response.title();
        let _ = super::posture::http::is_directory_listing(&response);
        let _ = http::search_engine_open(&response);
        advisories(identified, components);
    }
}

/// SSH identification lines and KEXINIT packets.
pub fn ssh(data: &[u8]) {
    let _ = ssh::banner_complete(data);
    if let Some(banner) = ssh::parse_banner(data) {
        advisories(ssh::identify(&banner), Vec::new());
        let rest = data.get(banner.consumed..).unwrap_or(&[]);
        let _ = ssh::packet_complete(rest);
        if let Some(kexinit) = ssh::parse_kexinit(rest) {
            let _ = ssh::terrapin_exposed(&kexinit);
        }
    }
    let _ = ssh::parse_kexinit(data);
}

/// TLS server flights (records, ServerHello, Certificate, alerts) and the
/// certificates inside.
pub fn tls_flight(data: &[u8]) {
    let _ = records::flight_complete(data);
    if let Some(flight) = records::parse_flight(data) {
        for der in &flight.certificates {
            let _ = certificate::describe(der, Some("fuzz.example"), [127, 0, 0, 1].into(), 0);
        }
    }
}

/// X.509 certificates, DER.
pub fn certificate(data: &[u8]) {
    let _ = certificate::describe(data, Some("fuzz.example"), [127, 0, 0, 1].into(), 0);
}

/// MySQL and MariaDB greetings and error packets.
pub fn mysql(data: &[u8]) {
    let _ = mysql::packet_complete(data);
    if let Some(identified) = mysql::identify(data) {
        advisories(identified, Vec::new());
    }
}

/// PostgreSQL SSLRequest answers, authentication requests and errors.
pub fn postgres(data: &[u8]) {
    let _ = postgres::parse_ssl_answer(data);
    let _ = postgres::message_complete(data);
    let _ = postgres::identify_startup_answer(data);
}

/// Redis PING and INFO answers, Memcached VERSION and stats.
pub fn redis_memcached(data: &[u8]) {
    let _ = redis::parse_ping(data);
    let _ = redis::bulk_complete(data);
    let _ = redis::identify_info(data);
    let _ = memcached::identify(data);
    let _ = memcached::stats_complete(data);
    let _ = memcached::parse_stats(data);
}

/// Greetings of line protocols: SMTP, FTP, POP3, IMAP, plus Telnet and
/// VNC, through the banner classifier.
pub fn greetings(data: &[u8]) {
    let _ = banner::complete(data);
    if let Some(identified) = banner::classify(data, None) {
        advisories(identified, Vec::new());
    }
    let _ = ftp::reply_code(data);
    let _ = ftp::reply_complete(data);
    let _ = mail::ehlo_extensions(data);
    let _ = telnet::strip_negotiation(data);
    let _ = vnc::security_types(data);
}

/// DNS responses (UDP, and TCP with its length prefix).
pub fn dns(data: &[u8]) {
    if let Some(answer) = dns::parse_response(data) {
        let _ = dns::identify(Some(&answer));
    }
    let _ = dns::tcp_complete(data);
}

/// SNMP GetResponses and LDAP search results (BER).
pub fn ber(data: &[u8]) {
    if let Some(answer) = snmp::parse_response(data) {
        let _ = snmp::identify(&answer);
    }
    let _ = snmp::parse_v3_engine(data);
    if let Some(attributes) = ldap::parse_root_dse(data) {
        let _ = ldap::identify(&attributes);
    }
}

/// MongoDB OP_MSG replies (BSON).
pub fn mongodb(data: &[u8]) {
    let _ = mongodb::message_complete(data);
    if let Some(fields) = mongodb::parse_reply(data) {
        let _ = mongodb::identify_hello(&fields);
        let _ = mongodb::build_info_version(&fields);
    }
}

/// The binary handshakes: RDP, SMB2, MQTT, AMQP, NTP.
pub fn binary_handshakes(data: &[u8]) {
    let _ = rdp::identify(data);
    let _ = smb::identify(data);
    let _ = mqtt::identify(data);
    let _ = amqp::complete(data);
    let _ = amqp::identify(data);
    let mut answer = ntp::NtpAnswer::default();
    if ntp::parse_datagram(data, &mut answer) {
        let _ = ntp::identify(&answer);
    }
}

/// The evidence sanitiser, on anything.
pub fn evidence(data: &[u8]) {
    let kept = super::evidence::sanitise(data, super::evidence::MAX_EVIDENCE);
    assert!(kept.len() <= super::evidence::MAX_EVIDENCE);
    assert!(kept.bytes().all(|b| (0x20..0x7f).contains(&b)));
}
