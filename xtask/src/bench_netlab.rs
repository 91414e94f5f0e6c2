//! What the netlab benches (`bench scan`, `bench probes`) share: the release
//! CLI, a netlab that is up for the bench and as it was after, and timing
//! one run of a tool.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::{cmd, paths, setup};

/// Builds the release CLI, brings the netlab up unless it already is, runs
/// `bench` with the CLI's path, then takes the netlab down again if it was
/// down before, whether the bench succeeded or not.
pub fn with_release_cli(bench: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    setup::run()?;
    cmd::run(cmd::command("cargo").args([
        "build",
        "--release",
        "--quiet",
        "--package",
        "portcullis-cli",
    ]))?;
    let cli = paths::target_dir().join("release/portcullis");
    let was_up = portcullis_netlab::is_up();
    if !was_up {
        portcullis_netlab::up()?;
    }
    let outcome = bench(&cli);
    if !was_up {
        portcullis_netlab::down()?;
    }
    outcome
}

/// Runs `command` (the `tool` named in errors) to its end: its wall time
/// and standard output. Fails with its standard error unless it exits 0.
pub fn timed(command: &mut Command, tool: &str) -> Result<(Duration, Vec<u8>)> {
    let started = Instant::now();
    let output = command
        .output()
        .with_context(|| format!("cannot run {tool}"))?;
    let took = started.elapsed();
    if !output.status.success() {
        bail!(
            "{tool} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok((took, output.stdout))
}

/// The middle of `values` (the upper of the two middles of an even count).
pub fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}
