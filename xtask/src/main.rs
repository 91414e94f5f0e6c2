//! `cargo xtask`: everything a developer or CI does to this project, as one
//! command each, so that a newcomer and CI run exactly the same steps.
//!
//! - `setup`: install what the build, the app and the tests need (idempotent,
//!   quiet when all is present).
//! - `run`: setup, build the UI and the app, open the window.
//! - `test`: setup, then every test, the real-window ones included.

mod cmd;
mod compile;
mod display;
mod paths;
mod setup;
mod test;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "cargo xtask", about = "Portcullis project automation")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Debug, Subcommand)]
enum Task {
    /// Install the Debian packages, the wasm32 target and the pinned build
    /// tools (trunk, wasm-bindgen-cli, tauri-driver).
    Setup,
    /// Build the UI and the desktop app, then open the window.
    Run {
        /// Optimised build (LTO; the UI goes through wasm-opt).
        #[arg(long)]
        release: bool,
        /// Arguments for the app, e.g. `-- --data-dir /tmp/portcullis`.
        #[arg(last = true)]
        app_args: Vec<OsString>,
    },
    /// Run every test: formatting, lints, unit and integration tests, and the
    /// end-to-end tests in a real window.
    Test {
        /// Let a class of tests that cannot run here be skipped (loudly)
        /// instead of failing. CI never passes this.
        #[arg(long)]
        allow_skip: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.task {
        Task::Setup => setup::run(),
        Task::Run { release, app_args } => compile::run_app(release, &app_args),
        Task::Test { allow_skip } => test::run(allow_skip),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("\nxtask: error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
