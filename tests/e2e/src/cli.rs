//! What the end-to-end tests share besides the window: the `portcullis`
//! CLI on the app's own database (writing what a page must then show, or
//! reading what the window did), and the guard that keeps the netlab tests
//! inside the netlab.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Result, ensure};

use crate::AppSession;

/// The netlab's namespace the scanning tests run in.
pub const SCANNER_NAMESPACE: &str = "pcl-scan";

/// The `portcullis` CLI that `cargo xtask test` built (`PORTCULLIS_CLI`).
pub fn cli() -> PathBuf {
    let path = std::env::var_os("PORTCULLIS_CLI")
        .map(PathBuf::from)
        .expect("PORTCULLIS_CLI is not set: run the e2e tests with `cargo xtask test`");
    assert!(
        path.is_file(),
        "PORTCULLIS_CLI={} is missing",
        path.display()
    );
    path
}

/// `portcullis --data-dir DATA --actor "e2e test" ARGS...` on the app's
/// database; its standard output, or why it failed.
pub fn portcullis(app: &AppSession, args: &[&str]) -> Result<String> {
    let output = Command::new(cli())
        .arg("--data-dir")
        .arg(app.data_dir())
        .args(["--actor", "e2e test"])
        .args(args)
        .output()?;
    ensure!(
        output.status.success(),
        "portcullis {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(String::from_utf8(output.stdout)?)
}

/// Fails unless this process runs in the netlab's scanner namespace: the
/// only place the netlab tests may scan from.
pub fn refuse_outside_the_netlab() {
    let output = Command::new("ip")
        .args(["netns", "identify", &std::process::id().to_string()])
        .output()
        .expect("`ip netns identify` runs");
    let namespace = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    assert_eq!(
        namespace, SCANNER_NAMESPACE,
        "these tests scan the netlab and run only inside its scanner namespace; \
         `cargo xtask test` starts them there"
    );
}
