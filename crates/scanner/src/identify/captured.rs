//! Parsers against bytes captured from real daemons (see
//! `tests/identify_captures/README.md`): what the parsers were written
//! from the RFCs to read, checked against what servers actually send.

use portcullis_model::service::TlsVersion;

use super::protocols::{Proto, banner, dns, http, postgres, redis, snmp, ssh};
use super::tls::{certificate, records, suites};

macro_rules! capture {
    ($name:literal) => {
        include_bytes!(concat!("../../tests/identify_captures/", $name))
    };
}

#[test]
fn openssh_banner_and_kexinit() {
    let bytes = capture!("openssh-9.2-banner-kexinit.bin");
    let banner = ssh::parse_banner(bytes).unwrap();
    assert_eq!(banner.line, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10");
    let found = ssh::identify(&banner);
    assert_eq!(found.product.as_deref(), Some("OpenSSH"));
    assert_eq!(found.version.as_deref(), Some("9.2p1"));
    let kexinit = ssh::parse_kexinit(&bytes[banner.consumed..]).unwrap();
    assert!(kexinit.kex.contains(&"curve25519-sha256".to_owned()));
    assert!(
        kexinit
            .kex
            .contains(&"kex-strict-s-v00@openssh.com".to_owned())
    );
    assert!(kexinit.host_key.contains(&"ssh-ed25519".to_owned()));
    assert!(
        kexinit
            .ciphers_server_to_client
            .contains(&"aes256-gcm@openssh.com".to_owned())
    );
    assert_eq!(
        ssh::terrapin_exposed(&kexinit),
        None,
        "Debian's fix offers strict kex"
    );
    let weak: Vec<&String> = kexinit
        .kex
        .iter()
        .chain(&kexinit.ciphers_server_to_client)
        .chain(&kexinit.macs_server_to_client)
        .filter(|name| ssh::weakness(name).is_some())
        .collect();
    assert!(weak.is_empty(), "OpenSSH's defaults are not weak: {weak:?}");
    let dated: Vec<&String> = kexinit
        .macs_server_to_client
        .iter()
        .filter(|name| ssh::dated(name).is_some())
        .collect();
    assert!(
        dated.iter().any(|name| *name == "hmac-sha1"),
        "OpenSSH's default MACs include dated ones: {dated:?}"
    );
}

#[test]
fn vsftpd_and_mariadb_greetings() {
    let ftp = banner::classify(capture!("vsftpd-greeting.bin"), None).unwrap();
    assert_eq!(
        (ftp.proto, ftp.product.as_deref()),
        (Proto::Ftp, Some("vsftpd"))
    );
    assert_eq!(ftp.version.as_deref(), Some("3.0.3"));
    let maria = banner::classify(capture!("mariadb-greeting.bin"), None).unwrap();
    assert_eq!(
        (maria.proto, maria.product.as_deref()),
        (Proto::MySql, Some("MariaDB"))
    );
    assert!(maria.version.as_deref().unwrap().starts_with("10.11."));
    assert!(maria.extra.unwrap().contains("deb12u1"));
}

#[test]
fn postgresql_scram_request() {
    let bytes = capture!("postgresql-startup-answer.bin");
    assert!(postgres::message_complete(bytes));
    let found = postgres::identify_startup_answer(bytes).unwrap();
    assert_eq!(found.product.as_deref(), Some("PostgreSQL"));
    assert!(found.extra.unwrap().contains("SASL (SCRAM)"));
}

#[test]
fn redis_info_server() {
    let bytes = capture!("redis-info.bin");
    assert!(redis::bulk_complete(bytes));
    let found = redis::identify_info(bytes).unwrap();
    assert_eq!(found.product.as_deref(), Some("Redis"));
    assert_eq!(found.version.as_deref(), Some("7.0.15"));
}

#[test]
fn nginx_default_page() {
    let bytes = capture!("nginx-root.bin");
    assert!(http::response_complete(bytes));
    let response = http::parse_response(bytes).unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(response.title().as_deref(), Some("Welcome to nginx!"));
    let (found, _) = http::identify(&response);
    assert_eq!(found.product.as_deref(), Some("nginx"));
    assert_eq!(found.version.as_deref(), Some("1.22.1"));
}

#[test]
fn tls_flights_and_their_certificate() {
    let nginx = records::parse_flight(capture!("nginx-tls12-flight.bin")).unwrap();
    let hello = nginx.hello.unwrap();
    assert_eq!(hello.version, Some(TlsVersion::Tls12));
    assert_eq!(
        suites::by_code(hello.cipher).unwrap().name,
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
    );
    assert!(nginx.done);
    assert_eq!(nginx.certificates.len(), 1);
    let address = [127, 0, 0, 1].into();
    let issued = 1_795_000_000; // 2026-11-17, before the capture
    let info = certificate::describe(&nginx.certificates[0], Some("lab.example"), address, issued)
        .unwrap();
    assert_eq!(info.subject, "CN=lab.example");
    assert!(info.self_signed);
    assert_eq!(info.key_type, "RSA");
    assert_eq!(info.key_bits, Some(2048));
    assert_eq!(info.signature.as_deref(), Some("sha256WithRSAEncryption"));
    assert_eq!(info.names, ["lab.example", "127.0.0.1"]);
    assert_eq!(info.name_matches, Some(true));
    let far_future = 4_000_000_000;
    let later = certificate::describe(
        &nginx.certificates[0],
        Some("other.example"),
        address,
        far_future,
    )
    .unwrap();
    assert!(later.expired);
    assert_eq!(later.name_matches, Some(false));

    let legacy = records::parse_flight(capture!("s_server-tls10-flight.bin")).unwrap();
    assert_eq!(
        legacy.hello.unwrap().version,
        Some(TlsVersion::Tls10),
        "answered 1.2 with 1.0"
    );
}

#[test]
fn dnsmasq_version_and_snmpd_sys_descr() {
    let answer = dns::parse_response(capture!("dnsmasq-version-bind.bin")).unwrap();
    let found = dns::identify(Some(&answer));
    assert_eq!(found.product.as_deref(), Some("dnsmasq"));
    assert_eq!(found.version.as_deref(), Some("2.90"));
    let snmp = snmp::parse_response(capture!("snmpd-sysdescr.bin")).unwrap();
    assert_eq!(snmp.version, "v2c");
    assert_eq!(snmp.sys_descr.as_deref(), Some("Portcullis lab snmpd"));
}
