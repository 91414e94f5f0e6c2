//! Rendering a scan report: text for people, JSON and CSV for programs.

mod csv;
mod services;
mod text;

use portcullis_model::report::ScanReport;
use portcullis_model::scan::PortState;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table a person reads.
    Text,
    /// Everything the scan found, for programs.
    Json,
    /// One row a port, for spreadsheets.
    Csv,
    /// nmap's XML format, for tools that read nmap output.
    NmapXml,
}

/// What the user asked for, printed with the results.
#[derive(Debug, Clone, Serialize)]
pub struct ScanContext {
    pub targets: String,
    pub ports: String,
    pub profile: &'static str,
    /// When the scan started, in seconds since the Unix epoch.
    pub started_at_unix: u64,
    /// How many TCP ports each host was scanned on.
    pub port_count: usize,
    #[serde(skip)]
    pub open_only: bool,
}

pub fn render(
    report: &ScanReport,
    context: &ScanContext,
    format: Format,
) -> anyhow::Result<String> {
    let filtered;
    let report = if context.open_only {
        filtered = only_open(report);
        &filtered
    } else {
        report
    };
    Ok(match format {
        Format::Text => text::render(report, context),
        Format::Json => {
            let document = JsonDocument {
                portcullis_version: env!("CARGO_PKG_VERSION"),
                request: context,
                report,
            };
            let mut json = serde_json::to_string_pretty(&document)?;
            json.push('\n');
            json
        }
        Format::Csv => csv::render(report),
        Format::NmapXml => {
            let run = portcullis_documents::NmapRun {
                targets: context.targets.clone(),
                ports: context.ports.clone(),
                started_at_unix: context.started_at_unix,
                port_count: context.port_count,
            };
            String::from_utf8(portcullis_documents::nmap_xml(report, &run))?
        }
    })
}

#[derive(Serialize)]
struct JsonDocument<'a> {
    portcullis_version: &'static str,
    request: &'a ScanContext,
    report: &'a ScanReport,
}

/// `--open`: hosts with open ports, and only those ports.
fn only_open(report: &ScanReport) -> ScanReport {
    let mut report = report.clone();
    for host in &mut report.hosts {
        host.ports.retain(|port| port.state == PortState::Open);
    }
    report.hosts.retain(|host| !host.ports.is_empty());
    report
}
