//! `portcullis import FILE [--origin internal|external] [--format F]`:
//! another tool's scan or findings report (nmap XML, Nessus, Greenbone,
//! CSV) recorded as a scan and judged as one of Portcullis's own, or
//! nothing at all.

use std::path::PathBuf;
use std::process::ExitCode;

use portcullis_model::compliance::Exposure;
use portcullis_model::import::{ImportFormat, ImportOutcome};

use portcullis_app::Workspace;

use crate::Failure;
use crate::context::{Session, failure, parse_serde_name, print_json, safe};

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The file to import: nmap's XML output (`nmap -oX FILE`), a Nessus
    /// report (.nessus), a Greenbone/OpenVAS report (XML), or a CSV list
    /// of findings (its columns: docs/import-csv.md).
    file: PathBuf,
    /// What the file is: nmap, nessus, openvas, csv or asv-pdf. Without
    /// it, the file's ending says (.xml, .nessus, .csv, .pdf), and its
    /// content must agree.
    #[arg(long, value_parser = parse_format)]
    format: Option<ImportFormat>,
    /// An ASV's PDF report: where to write the rows proposed from it
    /// (default: beside it, ending .proposed.csv). Nothing is saved until
    /// you import the corrected rows.
    #[arg(short = 'o', long = "output")]
    output: Option<PathBuf>,
    /// A file to keep unchanged with the imported scan as its evidence
    /// (the ASV's PDF report behind a proposal you corrected).
    #[arg(long)]
    evidence: Option<PathBuf>,
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
    if is_pdf(&args) {
        return propose(&workspace, &args).await;
    }
    let mut outcome = workspace
        .import_scan(&args.file, args.origin, args.format)
        .await
        .map_err(failure)?;
    if let Some(evidence) = &args.evidence {
        let sha256 = workspace
            .keep_evidence(outcome.scan.id, evidence)
            .await
            .map_err(failure)?;
        outcome.warnings.push(format!(
            "{} is kept with scan {} as its evidence (SHA-256 {sha256})",
            evidence.display(),
            outcome.scan.id
        ));
    }
    if args.json {
        print_json(&outcome)?;
    } else {
        print!("{}", render(&outcome));
    }
    Ok(ExitCode::SUCCESS)
}

/// Whether the file is to be read as an ASV's PDF report.
fn is_pdf(args: &ImportArgs) -> bool {
    match args.format {
        Some(format) => format == ImportFormat::AsvPdf,
        None => args
            .file
            .extension()
            .is_some_and(|ending| ending.eq_ignore_ascii_case("pdf")),
    }
}

/// An ASV's PDF: the rows it seems to list, written as a CSV to check.
async fn propose(workspace: &Workspace, args: &ImportArgs) -> Result<ExitCode, Failure> {
    let proposal = workspace
        .propose_from_asv_pdf(&args.file)
        .await
        .map_err(failure)?;
    let output = args
        .output
        .clone()
        .unwrap_or_else(|| args.file.with_extension("proposed.csv"));
    std::fs::write(&output, &proposal.csv)
        .map_err(|error| Failure::new(2, anyhow::anyhow!("{}: {error}", output.display())))?;
    if args.json {
        print_json(&proposal)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "Read {} (SHA-256 {}). It seems to list {} rows on {} hosts: {} open ports and {} findings.",
        args.file.display(),
        proposal.sha256,
        proposal.rows,
        proposal.hosts,
        proposal.open_ports,
        proposal.rows - proposal.open_ports
    );
    println!(
        "Nothing is saved yet. The rows are in {}.",
        output.display()
    );
    println!(
        "Check each row against the report: correct it, delete what is wrong, add what is missing."
    );
    println!(
        "Then import them, keeping the PDF as evidence:\n  portcullis import {} --origin external --evidence {}",
        output.display(),
        args.file.display()
    );
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
