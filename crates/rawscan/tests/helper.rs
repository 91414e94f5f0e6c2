//! The helper as the app meets it: a program that refuses what is not a
//! well-formed request, and, with CAP_NET_RAW (root here, as in CI), the
//! SYN scan of the engine run through it. Scans 127.0.0.1 only.

use std::io::Write;
use std::net::{Ipv4Addr, TcpListener};
use std::process::{Command, Stdio};

use portcullis_model::scan::{PortState, ScanEvent, ScanMethod};
use portcullis_scanner::rawscan::{HELPER_ENV, Reply};
use portcullis_scanner::{PortSpec, Profile, ScanRequest, Target, TcpMethod};

const HELPER: &str = env!("CARGO_BIN_EXE_portcullis-rawscan");

/// Runs the helper with `input` on its standard input; its exit code and
/// reply lines.
fn helper(args: &[&str], input: &[u8]) -> (Option<i32>, Vec<Reply>) {
    let mut child = Command::new(HELPER)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    let output = child.wait_with_output().unwrap();
    let replies = output
        .stdout
        .split(|b| *b == b'\n')
        .filter(|line| !line.is_empty())
        .map(|line| serde_json::from_slice(line).unwrap())
        .collect();
    (output.status.code(), replies)
}

#[test]
fn malformed_requests_are_refused_with_nothing_sent() {
    let well_formed_but_broadcast = br#"{"version":1,"hosts":["255.255.255.255"],"ports":[80],"timing":{"max_in_flight":64,"max_rate":null,"initial_timeout_ms":500,"min_timeout_ms":100,"max_timeout_ms":2000,"retries":2},"list_every_port":false}"#;
    let mut broadcast = well_formed_but_broadcast.to_vec();
    broadcast.push(b'\n');
    for input in [&b"garbage\n"[..], b"{}\n", b"", &broadcast] {
        let (code, replies) = helper(&[], input);
        assert_eq!(code, Some(2), "{:?}", String::from_utf8_lossy(input));
        assert!(
            matches!(replies.as_slice(), [Reply::Refused { .. }]),
            "{replies:?}"
        );
    }
    let (code, replies) = helper(&["--run", "/bin/sh"], b"");
    assert_eq!(code, Some(2));
    assert!(replies.is_empty());
}

/// Whether this test process may scan with raw packets; if not, the test
/// fails unless skipping is allowed (`cargo xtask test --allow-skip`).
fn privileged() -> bool {
    if Command::new(HELPER)
        .arg("--check")
        .status()
        .unwrap()
        .success()
    {
        return true;
    }
    assert!(
        std::env::var_os("PORTCULLIS_ALLOW_SKIP").is_some(),
        "the helper cannot open raw sockets here: run as root (or set PORTCULLIS_ALLOW_SKIP)"
    );
    eprintln!("SKIPPED: the helper cannot open raw sockets here");
    false
}

/// Runs [`syn_scan_in_a_child`] in a child test process whose environment
/// names the helper: named explicitly, the helper is used even though this
/// process (root) could send the packets itself. (Setting the variable in
/// this process would need unsafe code.)
#[test]
fn a_syn_scan_through_the_helper_finds_the_port_opened_here() {
    if !privileged() {
        return;
    }
    let output = Command::new(std::env::current_exe().unwrap())
        .args(["syn_scan_in_a_child", "--exact", "--ignored", "--nocapture"])
        .env(HELPER_ENV, HELPER)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "run by a_syn_scan_through_the_helper_finds_the_port_opened_here"]
async fn syn_scan_in_a_child() {
    assert_eq!(
        std::env::var_os(HELPER_ENV).as_deref(),
        Some(std::ffi::OsStr::new(HELPER)),
        "run by a_syn_scan_through_the_helper_finds_the_port_opened_here"
    );
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let open = listener.local_addr().unwrap().port();
    // A port bound and closed at once is (almost surely) closed.
    let closed = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let request = ScanRequest {
        targets: vec![Target {
            address: Ipv4Addr::LOCALHOST.into(),
            name: None,
        }],
        ports: PortSpec::parse(&format!("{open},{closed}")).unwrap(),
        tcp: Some(TcpMethod::Auto),
        udp: false,
        timing: Profile::Normal.timing(),
        discover: false,
        list_every_port: true,
        identify: None,
    };
    let mut handle = portcullis_scanner::start(request).unwrap();
    let mut states = Vec::new();
    let mut summary = None;
    while let Some(event) = handle.events.recv().await {
        match event {
            ScanEvent::Port(port) => states.push((port.port, port.state)),
            ScanEvent::Finished(finished) => summary = Some(finished),
            _ => {}
        }
    }
    let summary = summary.expect("the scan finished");
    let method = &summary.methods[0];
    assert_eq!(method.method, ScanMethod::Syn, "{method:?}");
    assert!(method.why.contains("helper"), "{}", method.why);
    assert!(!summary.partial);
    assert_eq!(summary.open_ports, 1);
    assert!(states.contains(&(open, PortState::Open)), "{states:?}");
    assert!(states.contains(&(closed, PortState::Closed)), "{states:?}");
    drop(listener);
}
