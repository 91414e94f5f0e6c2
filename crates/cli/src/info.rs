//! `portcullis info`: the version, the data directory and the database.

use std::process::ExitCode;

use portcullis_model::{AppInfo, DatabaseState};

use crate::context::Session;
use crate::{Failure, exit};

#[derive(Debug, clap::Args)]
pub struct InfoArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

pub async fn run(session: &Session, args: InfoArgs) -> Result<ExitCode, Failure> {
    // `info` reports on the database: any failure to open it is the
    // database's (exit 3), whoever's fault it is.
    let workspace = session
        .open()
        .await
        .map_err(|failure| Failure::new(exit::DATABASE, failure.error))?;
    let info = workspace.info().await;
    if args.json {
        crate::context::print_json(&info)?;
    } else {
        print_text(&info);
    }
    Ok(match info.database.state {
        DatabaseState::Ready { .. } => ExitCode::SUCCESS,
        _ => ExitCode::from(exit::DATABASE),
    })
}

fn print_text(info: &AppInfo) {
    println!("Portcullis {}", info.version);
    println!("data directory: {}", info.data_dir);
    println!("database:       {}", info.database.path);
    match &info.database.state {
        DatabaseState::Ready { schema_version } => {
            println!("state:          ready (schema version {schema_version})")
        }
        other => println!("state:          {}", other.label()),
    }
    crate::advisories::print_text(&info.advisories);
}
