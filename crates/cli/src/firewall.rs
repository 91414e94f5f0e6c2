//! `portcullis firewall SYSTEM --format F`: a default-deny inbound ruleset
//! made from the system's approved inventory, printed or written to a
//! folder with the commands that apply it (undone unless confirmed within
//! a minute) and undo it.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use portcullis_model::compliance::{FirewallFormat, Ruleset};

use crate::context::{Session, failure, print_json, safe};
use crate::{Failure, exit};

#[derive(Debug, clap::Args)]
pub struct FirewallArgs {
    /// The system's name or id.
    system: String,
    /// The firewall to write for.
    #[arg(long, value_parser = parse_format)]
    format: FirewallFormat,
    /// Write the files, apply.sh and rollback.sh (apply.ps1 and
    /// rollback.ps1 for Windows) into DIR (created if missing) instead of
    /// printing them.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long, conflicts_with = "out")]
    json: bool,
}

fn parse_format(text: &str) -> Result<FirewallFormat, String> {
    FirewallFormat::from_id(text).ok_or_else(|| {
        let known: Vec<&str> = FirewallFormat::ALL.iter().map(|f| f.id()).collect();
        format!("no firewall named '{text}': one of {}", known.join(", "))
    })
}

pub async fn run(session: &Session, args: FirewallArgs) -> Result<ExitCode, Failure> {
    let workspace = session.open().await?;
    let system = workspace.find_system(&args.system).await.map_err(failure)?;
    let ruleset = workspace
        .firewall_ruleset(system.id, args.format)
        .await
        .map_err(failure)?;
    if args.json {
        print_json(&ruleset)?;
        return Ok(ExitCode::SUCCESS);
    }
    for warning in &ruleset.warnings {
        eprintln!("warning: {}", safe(warning));
    }
    match args.out {
        Some(dir) => write_out(&dir, &ruleset)?,
        None => print_ruleset(&ruleset),
    }
    Ok(ExitCode::SUCCESS)
}

fn print_ruleset(ruleset: &Ruleset) {
    for file in &ruleset.files {
        println!("==> {} <==\n{}", file.name, file.text);
    }
    println!(
        "==> apply.sh (as root, in the folder that holds the files) <==\n{}",
        ruleset.apply
    );
    println!("==> rollback.sh <==\n{}", ruleset.rollback);
}

/// Writes the files and the two scripts into `dir`.
fn write_out(dir: &Path, ruleset: &Ruleset) -> Result<(), Failure> {
    let cannot = |path: &Path, error: std::io::Error| {
        Failure::new(
            exit::BAD_INPUT,
            anyhow::anyhow!("cannot write {}: {error}", path.display()),
        )
    };
    std::fs::create_dir_all(dir).map_err(|error| cannot(dir, error))?;
    let extension = ruleset.format.script_extension();
    let shebang = if extension == "sh" {
        "#!/bin/bash\n"
    } else {
        ""
    };
    let scripts = [
        (
            format!("apply.{extension}"),
            format!("{shebang}{}", ruleset.apply),
        ),
        (
            format!("rollback.{extension}"),
            format!("{shebang}{}", ruleset.rollback),
        ),
    ];
    let files = ruleset
        .files
        .iter()
        .map(|file| (file.name.clone(), file.text.clone()))
        .chain(scripts);
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|error| cannot(&path, error))?;
        println!("Wrote {}", path.display());
    }
    let (run, admin) = match extension {
        "ps1" => ("powershell -ExecutionPolicy Bypass -File", "Administrator"),
        _ => ("bash", "root"),
    };
    println!(
        "Copy the folder to the system, then run, as {admin}, in it: {run} apply.{extension}\n\
         It asks you to confirm from a new connection and undoes itself otherwise. \
         To remove it later: {run} rollback.{extension}"
    );
    Ok(())
}
