//! `portcullis monitor --once` against this computer's own loopback
//! address (the only address a test may scan outside the netlab): a port
//! that opens between two checks is reported once, with exit code 1, and
//! the check after says nothing changed, with exit code 0.

mod common;

use std::net::{Ipv4Addr, TcpListener};

use common::{add_system, portcullis};

/// Common web ports the quick scan covers; the first free one is opened.
const CANDIDATES: [u16; 5] = [8080, 8000, 8888, 8081, 9000];

fn check(data: &std::path::Path) -> (i32, String) {
    let output = portcullis(data, &["monitor", "--once"]);
    let said = String::from_utf8_lossy(&output.stdout).into_owned();
    (output.status.code().unwrap_or(-1), said)
}

#[test]
fn a_port_opened_between_checks_is_reported_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    add_system(data, "Laptop", "127.0.0.1", "web-server", "internal");
    let (code, said) = check(data);
    assert!(code == 0 || code == 1, "{code}: {said}");

    let (listener, port) = CANDIDATES
        .iter()
        .find_map(|&port| {
            TcpListener::bind((Ipv4Addr::LOCALHOST, port))
                .ok()
                .map(|listener| (listener, port))
        })
        .expect("one of the candidate ports is free");
    let (code, said) = check(data);
    assert_eq!(code, 1, "{said}");
    assert!(said.contains(&format!("Port {port}/tcp")), "{said}");
    assert!(said.contains("not in the approved inventory"), "{said}");

    let (code, said) = check(data);
    assert_eq!(code, 0, "the same port is not news twice: {said}");
    assert!(said.contains("Nothing changed"), "{said}");
    drop(listener);

    let output = portcullis(data, &["monitor", "notifications", "--json"]);
    let notifications: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let about_the_port: Vec<_> = notifications
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "drift")
        .collect();
    assert_eq!(
        about_the_port.len(),
        1,
        "one notification, left for the desktop to show: {notifications}"
    );
    assert!(
        about_the_port[0]["title"]
            .as_str()
            .unwrap()
            .starts_with(&format!("New: Port {port}/tcp"))
    );
    assert!(about_the_port[0]["shown_at"].is_null());
}
