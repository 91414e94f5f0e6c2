//! `cargo check` for Windows and macOS from Linux.
//!
//! The engine's Rust must type-check for the platforms the desktop app
//! ships on. One dependency, ring (behind rustls and russh), compiles C in
//! its build script, and Linux has neither Apple's SDK nor, by default, a
//! Windows C compiler. `cargo check` never links, so for these targets the
//! C compiler is a stand-in that writes empty objects: what is checked is
//! our Rust, and on the real platforms ring builds with their own tools.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, Result};

use crate::{cmd, paths};

/// The stand-in compiler: an empty object wherever one is asked for, in
/// any of the spellings cc-rs uses (`-o FILE`, `-oFILE`, `-FoFILE`).
const STAND_IN_COMPILER: &str = r#"#!/bin/sh
while [ $# -gt 0 ]; do
  case "$1" in
    -o) : > "$2"; shift ;;
    -Fo*) : > "${1#-Fo}" ;;
    -o*) : > "${1#-o}" ;;
  esac
  shift
done
"#;

/// `cargo check -p portcullis-model -p portcullis-scanner -p
/// portcullis-rawscan --target TARGET` (the helper builds everywhere and
/// says elsewhere that it is Linux only),
/// with the stand-in C compiler and GNU ar for that target.
pub fn check(target: &str) -> Result<()> {
    let compiler = stand_in_compiler()?;
    let variable = target.replace('-', "_");
    cmd::run(
        cmd::command("cargo")
            .args(["check", "--quiet", "--package", "portcullis-model"])
            .args(["--package", "portcullis-scanner"])
            .args(["--package", "portcullis-rawscan", "--target", target])
            .env(format!("CC_{variable}"), &compiler)
            .env(format!("AR_{variable}"), "ar"),
    )
}

fn stand_in_compiler() -> Result<PathBuf> {
    let path = paths::target_dir().join("cross-check-cc");
    std::fs::create_dir_all(paths::target_dir())?;
    std::fs::write(&path, STAND_IN_COMPILER)
        .with_context(|| format!("cannot write {}", path.display()))?;
    cmd::run(Command::new("chmod").arg("+x").arg(&path))?;
    Ok(path)
}
