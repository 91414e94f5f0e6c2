//! `portcullis info`: the version, the data directory and the database.

use std::path::Path;
use std::process::ExitCode;

use portcullis_model::{AppInfo, DatabaseState};
use portcullis_store::Store;

use crate::{Failure, exit};

#[derive(Debug, clap::Args)]
pub struct InfoArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

pub async fn run(data_dir: Option<&Path>, args: InfoArgs) -> Result<ExitCode, Failure> {
    let fail = |error: anyhow::Error| Failure::new(exit::DATABASE, error);
    let data_dir = portcullis_store::resolve_data_dir(data_dir).map_err(|e| fail(e.into()))?;
    let store = Store::open(&data_dir).await.map_err(|e| fail(e.into()))?;
    let info = AppInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        data_dir: data_dir.display().to_string(),
        database: store.status().await,
    };
    store.close().await;
    if args.json {
        let json = serde_json::to_string_pretty(&info).map_err(|e| fail(e.into()))?;
        println!("{json}");
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
}
