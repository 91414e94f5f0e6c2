//! `portcullis`: the same engine as the desktop app, for terminals and cron.
//!
//! This file only parses arguments and prints; what each command does lives
//! in the engine crates.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use portcullis_model::{AppInfo, DatabaseState};
use portcullis_store::Store;

#[derive(Debug, Parser)]
#[command(
    name = "portcullis",
    version,
    about = "Know, justify and watch every open port."
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
    Info {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

/// Exit codes: 0 success, 2 bad input (clap's own), 3 a failing database.
const EXIT_DATABASE: u8 = 3;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(code) => code,
        Err(error) => {
            eprintln!("portcullis: {error:#}");
            ExitCode::from(EXIT_DATABASE)
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let data_dir = portcullis_store::resolve_data_dir(cli.data_dir.as_deref())?;
    match cli.command {
        CliCommand::Info { json } => {
            let store = Store::open(&data_dir).await?;
            let info = AppInfo {
                version: env!("CARGO_PKG_VERSION").to_owned(),
                data_dir: data_dir.display().to_string(),
                database: store.status().await,
            };
            store.close().await;
            print_info(&info, json)?;
            Ok(match info.database.state {
                DatabaseState::Ready { .. } => ExitCode::SUCCESS,
                _ => ExitCode::from(EXIT_DATABASE),
            })
        }
    }
}

fn print_info(info: &AppInfo, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(info)?);
        return Ok(());
    }
    println!("Portcullis {}", info.version);
    println!("data directory: {}", info.data_dir);
    println!("database:       {}", info.database.path);
    match &info.database.state {
        DatabaseState::Ready { schema_version } => {
            println!("state:          ready (schema version {schema_version})")
        }
        other => println!("state:          {}", other.label()),
    }
    Ok(())
}
