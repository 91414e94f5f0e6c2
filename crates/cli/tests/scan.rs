//! `portcullis scan` as a user runs it, against a listener on 127.0.0.1.

use std::net::{Ipv4Addr, TcpListener};
use std::process::{Command, Output};

fn scan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .arg("scan")
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn csv_lists_the_open_port_and_exit_code_is_zero() {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let output = scan(&["127.0.0.1", "-p", &port, "--no-ping", "--format", "csv"]);
    assert!(output.status.success(), "{output:?}");
    let csv = String::from_utf8(output.stdout).unwrap();
    // As root the scan is a SYN scan (reason syn-ack), otherwise a connect
    // scan (conn-accepted): either way the port is open.
    let expected = format!("127.0.0.1,,{port},tcp,open,");
    assert!(csv.lines().any(|line| line.starts_with(&expected)), "{csv}");
}

#[test]
fn json_to_a_file_carries_the_report() {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let port = listener.local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.json");
    let output = scan(&[
        "127.0.0.1",
        "-p",
        &port.to_string(),
        "--no-ping",
        "--format",
        "json",
        "-o",
        path.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{output:?}");
    assert!(output.stdout.is_empty(), "the report went to the file");
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let ports = &json["report"]["hosts"][0]["ports"];
    assert_eq!(ports[0]["port"], port);
    assert_eq!(ports[0]["state"], "open");
    assert_eq!(json["report"]["summary"]["partial"], false);
}

#[test]
fn bad_ports_and_targets_exit_2_naming_the_token() {
    let output = scan(&["127.0.0.1", "-p", "22,8o"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("`8o`") && stderr.contains("character 4"),
        "{stderr}"
    );

    let output = scan(&["127.0.0.1", "198.18.0.256"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("198.18.0.256") && stderr.contains("argument 2"),
        "{stderr}"
    );

    let output = scan(&[]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn a_missing_targets_file_is_bad_input() {
    let output = scan(&["--targets-file", "/nonexistent/hosts.txt"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("/nonexistent/hosts.txt"));
}

/// Runs `portcullis scan` as the unprivileged user `nobody` when we are
/// root (as in CI), so the privilege checks can be seen to work.
fn scan_unprivileged(args: &[&str]) -> Option<Output> {
    let root = Command::new("id").arg("-u").output().ok()?.stdout == b"0\n";
    let mut command = if root {
        let mut setpriv = Command::new("setpriv");
        setpriv.args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "--inh-caps=-all",
        ]);
        setpriv.arg(env!("CARGO_BIN_EXE_portcullis"));
        setpriv
    } else {
        Command::new(env!("CARGO_BIN_EXE_portcullis"))
    };
    Some(command.arg("scan").args(args).output().unwrap())
}

#[test]
fn syn_without_privilege_fails_clearly_and_auto_falls_back_to_connect() {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let output = scan_unprivileged(&["127.0.0.1", "-p", &port, "--syn", "--no-ping"]).unwrap();
    assert_eq!(output.status.code(), Some(4), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("CAP_NET_RAW") && stderr.contains("--connect"),
        "{stderr}"
    );

    let output =
        scan_unprivileged(&["127.0.0.1", "-p", &port, "--no-ping", "--format", "json"]).unwrap();
    assert!(output.status.success(), "{output:?}");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let method = &json["report"]["summary"]["methods"][0];
    assert_eq!(method["method"], "connect");
    assert!(
        method["why"]
            .as_str()
            .unwrap()
            .contains("no raw-socket privilege")
    );
    assert_eq!(json["report"]["hosts"][0]["ports"][0]["state"], "open");
}

/// The installed layout in small: the CLI runs as `nobody`, with no
/// capability, and a copy of the raw-socket helper holds CAP_NET_RAW (as
/// the Debian package's post-install grants it): the auto method is then a
/// SYN scan through the helper, and says so. Root only (setcap, setpriv);
/// the helper is the one `cargo build --workspace` put beside the CLI.
#[test]
fn without_privilege_the_cli_scans_with_syn_through_a_helper_that_holds_the_capability() {
    let root = Command::new("id").arg("-u").output().unwrap().stdout == b"0\n";
    let built =
        std::path::Path::new(env!("CARGO_BIN_EXE_portcullis")).with_file_name("portcullis-rawscan");
    if !root || !built.is_file() {
        let why = format!(
            "needs root and {} (cargo build --workspace)",
            built.display()
        );
        assert!(std::env::var_os("PORTCULLIS_ALLOW_SKIP").is_some(), "{why}");
        eprintln!("SKIPPED: {why}");
        return;
    }
    let folder = tempfile::Builder::new()
        .prefix("portcullis-helper")
        .tempdir()
        .unwrap();
    let helper = folder.path().join("portcullis-rawscan");
    std::fs::copy(&built, &helper).unwrap();
    let readable = |path: &std::path::Path| {
        let status = Command::new("chmod").arg("755").arg(path).status().unwrap();
        assert!(status.success());
    };
    readable(folder.path());
    readable(&helper);
    let setcap = Command::new("setcap")
        .args(["cap_net_raw+ep"])
        .arg(&helper)
        .status()
        .expect("setcap (Debian package libcap2-bin)");
    assert!(setcap.success());

    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let output = Command::new("setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "--inh-caps=-all",
        ])
        .arg(env!("CARGO_BIN_EXE_portcullis"))
        .args([
            "scan",
            "127.0.0.1",
            "-p",
            &port,
            "--no-ping",
            "--format",
            "json",
        ])
        .env("PORTCULLIS_RAWSCAN", &helper)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let method = &json["report"]["summary"]["methods"][0];
    assert_eq!(method["method"], "syn", "{method}");
    let why = method["why"].as_str().unwrap();
    assert!(
        why.contains("helper") && why.contains(&*helper.to_string_lossy()),
        "{why}"
    );
    let port = &json["report"]["hosts"][0]["ports"][0];
    assert_eq!(port["state"], "open");
    assert_eq!(port["reason"]["kind"], "syn-ack", "{port}");
}
