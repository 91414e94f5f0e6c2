//! TLS posture against real TLS stacks: `openssl s_server` on 127.0.0.1,
//! configured to accept only TLS 1.0, only modern versions, or weak suites.
//! When openssl is not installed, each test fails saying so (see
//! `identify_support::cannot_run`); the netlab runs the same checks
//! against real daemons.

use std::net::{IpAddr, Ipv4Addr, TcpListener};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use portcullis_model::scan::Protocol;
use portcullis_model::service::{ServiceReport, TlsVersion, WeakCipherKind};
use portcullis_scanner::identify::{IdentifyOptions, IdentifyTarget, identify_one};
use tempfile::TempDir;

mod identify_support;
use identify_support::cannot_run;

const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

/// An openssl s_server, killed when dropped.
struct SServer {
    child: Child,
    /// Held open: s_server reads commands from standard input and must
    /// not see it end.
    _stdin: Option<ChildStdin>,
    port: u16,
    _dir: TempDir,
}

impl Drop for SServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn openssl_available() -> bool {
    Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A self-signed certificate for lab.example and 127.0.0.1.
fn make_certificate(dir: &Path) {
    let status = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
        ])
        .args(["-subj", "/CN=lab.example"])
        .args(["-addext", "subjectAltName=DNS:lab.example,IP:127.0.0.1"])
        .arg("-keyout")
        .arg(dir.join("key.pem"))
        .arg("-out")
        .arg(dir.join("cert.pem"))
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "openssl req failed");
}

/// Starts `openssl s_server -www` with `options`; `None` when openssl is
/// not installed and skipping is allowed.
fn s_server(options: &[&str]) -> Option<SServer> {
    if !openssl_available() {
        cannot_run("openssl is not installed");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    make_certificate(dir.path());
    let port = TcpListener::bind((LOOPBACK, 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new("openssl")
        .arg("s_server")
        .args(["-accept", &format!("127.0.0.1:{port}")])
        .arg("-cert")
        .arg(dir.path().join("cert.pem"))
        .arg("-key")
        .arg(dir.path().join("key.pem"))
        .args(["-www", "-quiet"])
        .args(options)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdin = child.stdin.take();
    let server = SServer {
        child,
        _stdin: stdin,
        port,
        _dir: dir,
    };
    let started = Instant::now();
    while std::net::TcpStream::connect((LOOPBACK, port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "s_server did not start"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    Some(server)
}

async fn assess(server: &SServer, host_name: Option<&str>) -> ServiceReport {
    let target = IdentifyTarget {
        address: LOOPBACK,
        host_name: host_name.map(str::to_owned),
        port: server.port,
        protocol: Protocol::Tcp,
        rtt: Some(Duration::from_micros(100)),
    };
    let options = IdentifyOptions {
        posture: true,
        ..IdentifyOptions::default()
    };
    let started = Instant::now();
    let report = identify_one(&target, &options).await;
    println!(
        "{:?} identified and assessed in {:.3} s: {:?}",
        report.identity.service,
        started.elapsed().as_secs_f64(),
        report.posture.tls.as_ref().map(|t| &t.versions)
    );
    report
}

#[tokio::test]
async fn a_server_that_only_speaks_tls_1_0_is_found_out() {
    let Some(server) = s_server(&["-tls1", "-cipher", "DEFAULT:@SECLEVEL=0"]) else {
        return;
    };
    let report = assess(&server, None).await;
    assert!(report.identity.tls);
    let extra = report.identity.extra.unwrap_or_default();
    assert!(extra.contains("not TLS 1.2 or 1.3"), "{extra}");
    let tls = report.posture.tls.expect("TLS posture");
    assert_eq!(tls.versions, [TlsVersion::Tls10]);
    let certificate = tls
        .certificate
        .expect("certificate from the TLS 1.0 flight");
    assert_eq!(certificate.subject, "CN=lab.example");
    assert!(certificate.self_signed);
    assert!(!certificate.expired);
    assert_eq!(certificate.name_matches, Some(true), "IP SAN 127.0.0.1");
}

#[tokio::test]
async fn a_modern_server_accepts_only_tls_1_2_and_1_3() {
    let Some(server) = s_server(&[]) else {
        return;
    };
    let report = assess(&server, Some("lab.example")).await;
    assert_eq!(report.identity.service, "https", "HTTP inside TLS (-www)");
    assert!(report.identity.tls);
    let tls = report.posture.tls.expect("TLS posture");
    assert_eq!(tls.versions, [TlsVersion::Tls12, TlsVersion::Tls13]);
    assert!(tls.weak_suites.is_empty(), "{:?}", tls.weak_suites);
    let certificate = tls.certificate.expect("certificate");
    assert_eq!(certificate.name_matches, Some(true));
    assert_eq!(
        (certificate.key_type.as_str(), certificate.key_bits),
        ("RSA", Some(2048))
    );
    let http = report.posture.http.expect("HTTP posture inside TLS");
    assert_eq!(http.hsts, Some(false));
    assert_eq!(http.redirects_to_https, None);
}

#[tokio::test]
async fn a_certificate_for_another_name_does_not_match() {
    let Some(server) = s_server(&[]) else {
        return;
    };
    let report = assess(&server, Some("shop.example")).await;
    let certificate = report.posture.tls.unwrap().certificate.unwrap();
    assert_eq!(certificate.name_matches, Some(false));
}

#[tokio::test]
async fn null_and_anonymous_suites_are_listed() {
    let ciphers = "ECDHE-RSA-AES128-GCM-SHA256:NULL-SHA256:ADH-AES128-SHA:@SECLEVEL=0";
    let Some(server) = s_server(&["-tls1_2", "-cipher", ciphers]) else {
        return;
    };
    let report = assess(&server, None).await;
    let tls = report.posture.tls.expect("TLS posture");
    assert_eq!(tls.versions, [TlsVersion::Tls12]);
    let weak: Vec<(&str, WeakCipherKind)> = tls
        .weak_suites
        .iter()
        .map(|s| (s.name.as_str(), s.kind))
        .collect();
    assert_eq!(
        weak,
        [
            ("TLS_RSA_WITH_NULL_SHA256", WeakCipherKind::Null),
            (
                "TLS_DH_anon_WITH_AES_128_CBC_SHA",
                WeakCipherKind::Anonymous
            ),
        ]
    );
    assert!(
        tls.weak_suites
            .iter()
            .all(|s| s.version == TlsVersion::Tls12)
    );
}
