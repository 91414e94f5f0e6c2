//! What the CLI tests share: running `portcullis` on a data directory as
//! a user would, and writing the files they import.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// `portcullis --data-dir DIR --actor tester ARGS`.
pub fn portcullis(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(["--actor", "tester"])
        .args(args)
        .output()
        .unwrap()
}

/// Runs `portcullis` and returns its standard output; fails the test if
/// the command failed.
pub fn ok(data_dir: &Path, args: &[&str]) -> String {
    let output = portcullis(data_dir, args);
    assert!(output.status.success(), "{args:?}: {output:?}");
    String::from_utf8(output.stdout).unwrap()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Writes `content` to `dir/name`.
pub fn write(dir: &Path, name: &str, content: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

/// Registers a system.
pub fn add_system(data_dir: &Path, name: &str, address: &str, role: &str, exposure: &str) {
    ok(
        data_dir,
        &[
            "systems",
            "add",
            name,
            "--address",
            address,
            "--role",
            role,
            "--scope",
            "cde",
            "--exposure",
            exposure,
        ],
    );
}
