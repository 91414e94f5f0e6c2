//! `portcullis advisories`: how old the list of known-vulnerable and
//! unsupported versions is, and `--load FILE` to use a newer one without
//! a new release.

use std::path::PathBuf;
use std::process::ExitCode;

use portcullis_model::service::AdvisoryData;

use crate::Failure;
use crate::context::{Session, failure};

#[derive(Debug, clap::Args)]
pub struct AdvisoriesArgs {
    /// A newer advisories file (the format of assets/advisories): checked,
    /// then used by every scan from now on, here and in the desktop app.
    /// One reviewed before the file in use is refused.
    #[arg(long, value_name = "FILE")]
    load: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

pub async fn run(session: &Session, args: AdvisoriesArgs) -> Result<ExitCode, Failure> {
    let workspace = session.open().await?;
    let data = match &args.load {
        Some(path) => workspace.load_advisories(path).map_err(failure)?,
        None => workspace.advisory_data(),
    };
    if args.json {
        crate::context::print_json(&data)?;
    } else {
        if args.load.is_some() {
            println!("Loaded: scans from now on use this file.");
        }
        print_text(&data);
    }
    Ok(ExitCode::SUCCESS)
}

/// The lines `info` shows too.
pub fn print_text(data: &AdvisoryData) {
    let days = match data.age_days {
        0 => "today".to_owned(),
        1 => "1 day ago".to_owned(),
        n => format!("{n} days ago"),
    };
    println!(
        "advisories:     {} entries, last checked against their sources on {} ({days})",
        data.advisories, data.reviewed
    );
    if let Some(warning) = &data.warning {
        println!("warning:        {warning}");
    }
}
