//! `portcullis export inventory|report|dispute|evidence --format F -o FILE`:
//! the documents an assessor asks for, written to a file.

use std::path::PathBuf;
use std::process::ExitCode;

use portcullis_model::documents::{DocumentFormat, ExportRequest};
use portcullis_model::{FindingId, ScanId};

use crate::Failure;
use crate::context::{Session, failure, print_json};

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    #[command(subcommand)]
    document: Document,
    /// The file to write (replaced whole, or left as it was on failure).
    #[arg(short = 'o', long = "output", global = true)]
    output: Option<PathBuf>,
    /// The business name the documents carry (remembered for next time).
    #[arg(long, global = true)]
    business: Option<String>,
    /// Print what was written as JSON.
    #[arg(long, global = true)]
    json: bool,
}

#[derive(Debug, clap::Subcommand)]
enum Document {
    /// The port inventory document (PCI DSS 1.2.5 to 1.2.7): pdf, csv or json.
    Inventory {
        #[arg(long, value_parser = parse_format)]
        format: DocumentFormat,
    },
    /// A scan's readiness report (not an ASV report): pdf, html, json, csv
    /// or xml (nmap's format).
    Report {
        /// The scan (default: the newest judged one).
        #[arg(long)]
        scan: Option<i64>,
        #[arg(long, value_parser = parse_format)]
        format: DocumentFormat,
    },
    /// A dispute pack for a finding your ASV reported: pdf or json.
    Dispute {
        /// The finding's number (`portcullis findings`).
        #[arg(long)]
        finding: i64,
        #[arg(long, value_parser = parse_format, default_value = "pdf")]
        format: DocumentFormat,
    },
    /// The evidence pack: one ZIP with the inventory, the last four
    /// quarters' scan reports, the findings history, the audit log and the
    /// imported originals, with a SHA-256 manifest (`sha256sum -c`).
    Evidence,
}

fn parse_format(text: &str) -> Result<DocumentFormat, String> {
    DocumentFormat::from_id(text).ok_or_else(|| {
        let known: Vec<&str> = DocumentFormat::ALL.iter().map(|f| f.id()).collect();
        format!(
            "'{text}' is not a document format: give {}",
            known.join(", ")
        )
    })
}

pub async fn run(session: &Session, args: ExportArgs) -> Result<ExitCode, Failure> {
    let request = match args.document {
        Document::Inventory { format } => ExportRequest::Inventory { format },
        Document::Report { scan, format } => ExportRequest::Report {
            scan_id: scan.map(ScanId),
            format,
        },
        Document::Dispute { finding, format } => ExportRequest::Dispute {
            finding_id: FindingId(finding),
            format,
        },
        Document::Evidence => ExportRequest::Evidence,
    };
    let Some(output) = args.output else {
        return Err(Failure::new(
            2,
            anyhow::anyhow!("say where to write {} with -o FILE", request.words()),
        ));
    };
    let workspace = session.open().await?;
    let outcome = workspace
        .export(request, &output, args.business.as_deref())
        .await
        .map_err(failure)?;
    if args.json {
        print_json(&outcome)?;
    } else {
        println!("{}", outcome.summary);
        println!("SHA-256: {}", outcome.sha256);
    }
    Ok(ExitCode::SUCCESS)
}
