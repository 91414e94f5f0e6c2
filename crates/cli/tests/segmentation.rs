//! `portcullis segmentation run` as a user runs it, against this
//! computer's own loopback address (the only address a test may scan
//! outside the netlab): nothing in scope is bad input (exit 2), and a
//! listener on a system in scope fails the test (exit 1) and is named in
//! the output and in `segmentation list`. The pass (exit 0) needs a
//! network with nothing answering: the netlab's segmentation test.

mod common;

use std::net::{Ipv4Addr, TcpListener};

use common::{add_system, ok, portcullis, stderr};

#[test]
fn nothing_in_scope_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let output = portcullis(
        dir.path(),
        &["segmentation", "run", "--network", "Guest Wi-Fi"],
    );
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(stderr(&output).contains("no system in scope"), "{output:?}");
    let output = portcullis(dir.path(), &["segmentation", "run", "--network", " "]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
}

#[test]
fn a_listener_in_scope_fails_the_test_and_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    add_system(data, "Till", "127.0.0.1", "payment", "internal");
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let port = listener.local_addr().unwrap().port();

    let output = portcullis(data, &["segmentation", "run", "--network", "Guest Wi-Fi"]);
    drop(listener);
    let said = String::from_utf8_lossy(&output.stdout).into_owned();
    assert_eq!(output.status.code(), Some(1), "{said}\n{}", stderr(&output));
    let named = format!("answered: 127.0.0.1 port {port}/tcp");
    assert!(said.contains(&named), "{said}");
    assert!(
        said.contains("block all traffic from this network"),
        "{said}"
    );

    let listed = ok(data, &["segmentation", "list"]);
    assert!(listed.contains("FAILED"), "{listed}");
    assert!(
        listed.contains("from \"Guest Wi-Fi\" on lo 127.0.0.1"),
        "{listed}"
    );
    assert!(listed.contains(&named), "{listed}");
}
