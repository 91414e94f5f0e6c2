//! Running the system tools the netlab is made with.

use std::process::Command;

use anyhow::{Context, Result, bail};

/// Runs a command; fails with its standard error unless it exits 0.
pub fn run(words: &[&str]) -> Result<String> {
    let output = Command::new(words[0])
        .args(&words[1..])
        .output()
        .with_context(|| format!("cannot run {}", words[0]))?;
    if !output.status.success() {
        bail!(
            "`{}` failed ({}): {}",
            words.join(" "),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Stops every process in `namespace`: SIGTERM, a moment, then SIGKILL.
pub fn kill_namespace_processes(namespace: &str) {
    for signal in ["-TERM", "-KILL"] {
        let Ok(pids) = run(&["ip", "netns", "pids", namespace]) else {
            return;
        };
        let pids: Vec<&str> = pids.split_whitespace().collect();
        if pids.is_empty() {
            return;
        }
        let mut kill = vec!["kill", signal];
        kill.extend(&pids);
        let _ = run(&kill);
        for _ in 0..50 {
            let left = run(&["ip", "netns", "pids", namespace]).unwrap_or_default();
            if left.trim().is_empty() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }
}
