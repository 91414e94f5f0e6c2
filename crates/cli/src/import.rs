//! `portcullis import FILE [--origin internal|external] [--format F]`:
//! another tool's scan or findings report (nmap XML, Nessus, Greenbone,
//! CSV) recorded as a scan and judged as one of Portcullis's own, or
//! nothing at all.

use std::path::PathBuf;
use std::process::ExitCode;

use portcullis_model::compliance::Exposure;
use portcullis_model::import::{ImportFormat, ImportOutcome};

use crate::Failure;
use crate::context::{Session, failure, parse_serde_name, print_json, safe};

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The file to import: nmap's XML output (`nmap -oX FILE`), a Nessus
    /// report (.nessus), a Greenbone/OpenVAS report (XML), or a CSV list
    /// of findings (its columns: docs/import-csv.md).
    file: PathBuf,
    /// What the file is: nmap, nessus, openvas or csv. Without it, the
    /// file's ending says (.xml, .nessus, .csv), and its content must
    /// agree.
    #[arg(long, value_parser = parse_format)]
    format: Option<ImportFormat>,
    /// Where the scan ran from: `internal` (inside the network, PCI DSS
    /// 11.3.1) or `external` (from the internet, 11.3.2).
    #[arg(long, default_value = "internal", value_parser = parse_serde_name::<Exposure>)]
    origin: Exposure,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

pub async fn run(session: &Session, args: ImportArgs) -> Result<ExitCode, Failure> {
    let workspace = session.open().await?;
    let outcome = workspace
        .import_scan(&args.file, args.origin, args.format)
        .await
        .map_err(failure)?;
    if args.json {
        print_json(&outcome)?;
    } else {
        print!("{}", render(&outcome));
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_format(text: &str) -> Result<ImportFormat, String> {
    ImportFormat::from_id(text).ok_or_else(|| {
        let known: Vec<&str> = ImportFormat::ALL.iter().map(|f| f.id()).collect();
        format!(
            "'{text}' is not a format Portcullis imports: give {}",
            known.join(", ")
        )
    })
}

fn render(outcome: &ImportOutcome) -> String {
    let scan = &outcome.scan;
    let mut out = format!(
        "Imported {} from {} as scan {}: {} hosts up, {} open ports.\n",
        outcome.kind,
        safe(outcome.scanner.trim()),
        scan.id,
        scan.hosts_up.unwrap_or(0),
        scan.open_ports.unwrap_or(0),
    );
    if !outcome.args.is_empty() {
        out += &format!("Its command: {}\n", safe(&outcome.args));
    }
    if outcome.reported_items > 0 {
        out += &format!(
            "The report lists {} problems in its own words",
            outcome.reported_items
        );
        match outcome.false_positives {
            0 => out += ".\n",
            marked => {
                out += &format!(
                    "; {marked} of them marked false positive, kept as such and raising nothing.\n"
                )
            }
        }
    }
    for warning in &outcome.warnings {
        out += &format!("Warning: {}\n", safe(warning));
    }
    match &outcome.judgement {
        Some(judgement) => out += &format!("{}\n", crate::findings::describe(judgement)),
        None => {
            out += "Not judged: the file holds an unfinished run, so ports it never reached would look closed.\n"
        }
    }
    out
}
