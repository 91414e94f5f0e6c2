//! `portcullis scan`: parse the targets and ports, run the engine, print the
//! report.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use portcullis_app::Scanner;
use portcullis_model::report::ScanReport;
use portcullis_model::scan_record::{ScanProfile, ScanSettings, ScanUpdate, TcpChoice};
use portcullis_model::{AppError, ErrorKind};

use crate::context::{Session, failure};
use crate::output::{self, Format, ScanContext};
use crate::{Failure, exit};

#[derive(Debug, clap::Args)]
pub struct ScanArgs {
    /// What to scan: addresses (198.18.0.1, 2001:db8::1), CIDR blocks
    /// (198.18.0.0/24), ranges (198.18.1.1-20), host names; comma-separated
    /// lists too.
    #[arg(value_name = "TARGET")]
    targets: Vec<String>,
    /// Read more targets from FILE: any number a line, `#` starts a comment.
    #[arg(long = "targets-file", short = 'i', value_name = "FILE")]
    targets_file: Option<PathBuf>,
    /// Ports: `22,80,443`, `1-1024`, `-` for all, `T:`/`U:` prefixes,
    /// `top:N` for the N most common.
    #[arg(
        short = 'p',
        long = "ports",
        value_name = "SPEC",
        default_value = "top:1000"
    )]
    ports: String,
    /// TCP SYN scan with raw packets: fast, half-open; needs root or
    /// CAP_NET_RAW (Linux).
    #[arg(long, group = "method")]
    syn: bool,
    /// TCP connect scan: needs no privilege.
    #[arg(long, group = "method")]
    connect: bool,
    /// UDP scan of the UDP ports (`U:` and unprefixed ones). Alone, only
    /// UDP is scanned; with --syn, --connect or --auto, TCP too.
    #[arg(long)]
    udp: bool,
    /// Pick the best method this process may use (the default).
    #[arg(long, group = "method")]
    auto: bool,
    /// How hard to push: polite (production servers), normal, fast.
    #[arg(long, value_name = "PROFILE", default_value = "normal", value_parser = parse_profile)]
    profile: ScanProfile,
    /// Probes per second at most (overrides the profile's limit).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    max_rate: Option<u32>,
    /// Treat every target as up instead of probing 443 and 80 first.
    #[arg(long)]
    no_ping: bool,
    /// Show only open ports, and only hosts that have some.
    #[arg(long)]
    open: bool,
    /// Write the report to FILE instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Identify the service and version behind each open port (nmap's
    /// `-sV` works too).
    #[arg(long = "service-version")]
    service_version: bool,
    /// nmap's spelling of --service-version: `-sV` (or `-s V`).
    #[arg(short = 's', value_name = "V", hide = true,
          value_parser = clap::builder::PossibleValuesParser::new(["V"]))]
    nmap_service_version: Option<String>,
    /// Also check each identified service's posture: TLS versions, weak
    /// suites and certificate; SSH algorithms and login methods; HTTP
    /// redirects, HSTS and exposed pages; services open without
    /// authentication; known-vulnerable versions. Implies
    /// --service-version.
    #[arg(long)]
    posture: bool,
    /// Record the scan in the database as it runs, then judge it against
    /// the systems and the approved inventory (see `portcullis findings`).
    #[arg(long)]
    save: bool,
    /// With --save: this scan runs from the internet (PCI DSS 11.3.2), not
    /// from inside the network (11.3.1).
    #[arg(long, requires = "save")]
    external: bool,
    /// With --posture: also trust the certificate authorities in this PEM
    /// file (a lab's or an office's own), as testssl.sh's --add-ca does.
    /// An ASV trusts only the roots browsers trust. May be repeated.
    #[arg(long = "add-ca", value_name = "FILE", requires = "posture")]
    add_ca: Vec<PathBuf>,
}

pub async fn run(args: ScanArgs, session: &Session) -> Result<ExitCode, Failure> {
    let settings = settings(&args);
    let started_at_unix = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    // Only a saved scan needs the database.
    let workspace = match args.save {
        true => Some(session.open().await?),
        false => None,
    };
    let scanner = Scanner::default();
    let plan = match &workspace {
        Some(workspace) => workspace.plan_scan(settings).await,
        None => scanner.plan(settings).await,
    }
    .map_err(plan_failure)?;
    let described_ports = plan.ports.clone();
    let tcp_ports = plan.tcp_port_count;
    let run = match &workspace {
        Some(workspace) => workspace.start_scan(plan, true).await,
        None => scanner.start(plan).await,
    }
    .map_err(start_failure)?;

    let canceller = run.canceller();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            canceller.cancel();
        }
    });
    // A terminal follows the scan; a pipe only waits for the report.
    if let Some(progress) = ProgressDisplay::on_terminal() {
        let mut updates = run.subscribe();
        while let Some(update) = updates.next().await {
            progress.show(&update);
        }
        progress.finish();
    }
    let outcome = run.outcome().await.map_err(failure)?;
    if let Some(record) = &outcome.record {
        // Standard output carries the report; what was saved goes to
        // standard error.
        match &outcome.judgement {
            Some(judgement) => eprintln!("{}", crate::findings::describe(judgement)),
            None => eprintln!(
                "Saved as scan {} ({}): a partial scan is kept but not judged, \
                 since ports it did not reach would look closed.",
                record.id,
                record.status.as_str()
            ),
        }
    }

    let context = ScanContext {
        targets: args.targets.join(" "),
        ports: described_ports,
        profile: args.profile.name(),
        started_at_unix,
        port_count: tcp_ports,
        open_only: args.open,
    };
    let report = &outcome.report;
    write_report(report, &context, &args).map_err(|e| Failure::new(exit::SCAN_FAILED, e))?;
    Ok(exit_code(report))
}

/// The scan as the options ask for it.
fn settings(args: &ScanArgs) -> ScanSettings {
    ScanSettings {
        targets: args.targets.clone(),
        targets_file: args
            .targets_file
            .as_ref()
            .map(|path| path.display().to_string()),
        ports: args.ports.clone(),
        tcp: tcp_choice(args),
        udp: args.udp,
        profile: args.profile,
        max_rate: args.max_rate,
        discover: !args.no_ping,
        identify: args.service_version || args.nmap_service_version.is_some(),
        posture: args.posture,
        external: args.external,
        trusted_ca_files: args
            .add_ca
            .iter()
            .map(|path| path.display().to_string())
            .collect(),
    }
}

/// The TCP method asked for; `--udp` alone scans no TCP.
fn tcp_choice(args: &ScanArgs) -> TcpChoice {
    if args.syn {
        TcpChoice::Syn
    } else if args.connect {
        TcpChoice::Connect
    } else if args.udp && !args.auto {
        TcpChoice::None
    } else {
        TcpChoice::Auto
    }
}

/// Settings the workspace refused: bad input, said as the options say it.
fn plan_failure(error: AppError) -> Failure {
    Failure::new(exit::BAD_INPUT, error)
}

/// A scan that could not start: the privilege or platform it needs (exit
/// 4, with the option that avoids it), or the database (exit 3).
fn start_failure(error: AppError) -> Failure {
    match error.kind {
        ErrorKind::Unavailable if error.field.as_deref() == Some("method") => {
            let hint = anyhow::anyhow!("{} (--connect)", error.message);
            Failure::new(exit::SCAN_FAILED, hint)
        }
        ErrorKind::BadInput => Failure::new(exit::SCAN_FAILED, error),
        _ => failure(error),
    }
}

fn write_report(report: &ScanReport, context: &ScanContext, args: &ScanArgs) -> anyhow::Result<()> {
    let rendered = output::render(report, context, args.format)?;
    match &args.output {
        Some(path) => std::fs::write(path, rendered)
            .with_context(|| format!("cannot write the report to {}", path.display())),
        None => {
            print!("{rendered}");
            Ok(())
        }
    }
}

fn exit_code(report: &ScanReport) -> ExitCode {
    match &report.summary {
        Some(summary) if !summary.partial => ExitCode::SUCCESS,
        _ => ExitCode::from(exit::INTERRUPTED),
    }
}

/// A progress bar on a terminal's standard error.
pub(crate) struct ProgressDisplay(ProgressBar);

impl ProgressDisplay {
    /// `None` when standard error is not a terminal.
    pub(crate) fn on_terminal() -> Option<ProgressDisplay> {
        if !std::io::stderr().is_terminal() {
            return None;
        }
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} ports  {msg}",
            )
            .expect("a valid template"),
        );
        Some(ProgressDisplay(bar))
    }

    pub(crate) fn show(&self, update: &ScanUpdate) {
        let bar = &self.0;
        if let Some(progress) = &update.progress {
            bar.set_length(progress.probes_total);
            bar.set_position(progress.probes_done);
            let eta = progress
                .eta_seconds
                .map(|s| format!(", about {s:.0} s left"))
                .unwrap_or_default();
            bar.set_message(format!("{:.0}/s{eta}", progress.rate));
        }
        for message in &update.warnings {
            bar.println(format!("warning: {message}"));
        }
    }

    pub(crate) fn finish(&self) {
        self.0.finish_and_clear();
    }
}

fn parse_profile(name: &str) -> Result<ScanProfile, String> {
    ScanProfile::parse(name).ok_or_else(|| format!("`{name}` is not polite, normal or fast"))
}
