//! Running other programs: print what runs, fail with what failed.

use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::paths;

/// A command with the project's tools on `PATH`, run from the workspace root.
pub fn command(program: impl AsRef<OsStr>) -> Command {
    let mut command = Command::new(program);
    command
        .env("PATH", paths::path_with_tools())
        .current_dir(paths::workspace_root());
    command
}

/// Runs `command`, echoing it first; fails unless it exits 0.
pub fn run(command: &mut Command) -> Result<()> {
    eprintln!("$ {}", describe(command));
    let status = command
        .status()
        .with_context(|| format!("cannot start {}", describe(command)))?;
    if !status.success() {
        bail!("`{}` failed with {status}", describe(command));
    }
    Ok(())
}

/// Runs `command` quietly and returns its standard output, or `None` when it
/// cannot start or fails (for probing what is installed).
pub fn output(command: &mut Command) -> Option<String> {
    let output = command.output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Is `program` an executable on `PATH` (tools included) or a path to one?
pub fn exists(program: &str) -> bool {
    if program.contains('/') {
        return Path::new(program).is_file();
    }
    std::env::split_paths(&paths::path_with_tools()).any(|dir| dir.join(program).is_file())
}

fn describe(command: &Command) -> String {
    let mut words = vec![command.get_program().to_string_lossy().into_owned()];
    words.extend(
        command
            .get_args()
            .map(|arg| arg.to_string_lossy().into_owned()),
    );
    words.join(" ")
}

/// Are we root? Setup installs Debian packages only then.
pub fn is_root() -> bool {
    output(Command::new("id").arg("-u")).is_some_and(|uid| uid.trim() == "0")
}
