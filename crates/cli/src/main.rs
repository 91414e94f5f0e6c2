//! `portcullis`: the same engine as the desktop app, for terminals and cron.
//!
//! This crate parses arguments, calls the engine crates and prints; what
//! each command decides lives in those crates.

mod info;
mod output;
mod scan;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit codes, documented in `--help`.
pub mod exit {
    /// Bad input: arguments, targets, port specifications (clap uses 2 too).
    pub const BAD_INPUT: u8 = 2;
    /// The database could not be opened or written.
    pub const DATABASE: u8 = 3;
    /// The scan could not run (privilege, network, local resources).
    pub const SCAN_FAILED: u8 = 4;
    /// Interrupted (Ctrl-C): what was found so far was printed, marked
    /// partial.
    pub const INTERRUPTED: u8 = 130;
}

#[derive(Debug, Parser)]
#[command(
    name = "portcullis",
    version,
    about = "Know, justify and watch every open port.",
    after_help = "Exit codes: 0 success, 2 bad input, 3 database error, 4 scan error, 130 interrupted."
)]
struct Cli {
    /// Where the database lives (default: the same per-user directory the
    /// desktop app uses).
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: CliCommand,
}

#[derive(Debug, Subcommand)]
enum CliCommand {
    /// Show the version, the data directory and the database's state.
    Info(info::InfoArgs),
    /// Scan hosts for open ports.
    Scan(scan::ScanArgs),
}

/// A failure with the exit code it maps to.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub error: anyhow::Error,
}

impl Failure {
    pub fn new(code: u8, error: impl Into<anyhow::Error>) -> Failure {
        Failure {
            code,
            error: error.into(),
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    init_logging();
    let cli = Cli::parse();
    let outcome = match cli.command {
        CliCommand::Info(args) => info::run(cli.data_dir.as_deref(), args).await,
        CliCommand::Scan(args) => scan::run(args).await,
    };
    match outcome {
        Ok(code) => code,
        Err(failure) => {
            eprintln!("portcullis: {:#}", failure.error);
            ExitCode::from(failure.code)
        }
    }
}

/// Diagnostics on standard error, off unless `PORTCULLIS_LOG` asks for them
/// (e.g. `PORTCULLIS_LOG=portcullis_scanner=debug`), so that output meant
/// for pipes stays clean.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("PORTCULLIS_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("off"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
