//! `portcullis scan`: parse the targets and ports, run the engine, print the
//! report.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use portcullis_model::report::{ReportBuilder, ScanReport};
use portcullis_model::scan::{Protocol, ScanEvent};
use portcullis_scanner::identify::IdentifyOptions;
use portcullis_scanner::ports::compress_ranges;
use portcullis_scanner::{PortSpec, Profile, ScanRequest, TargetSpec, TcpMethod, Timing};

use crate::context::Session;
use crate::output::{self, Format, ScanContext};
use crate::record::{Recorder, ScanDescription};
use crate::{Failure, exit};

/// Scans with at most this many ports per host list closed and filtered
/// ports one by one; larger ones only count them, as nmap does.
const LIST_EVERY_PORT_UP_TO: usize = 100;

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
    #[arg(long, value_name = "PROFILE", default_value = "normal",
          value_parser = clap::builder::PossibleValuesParser::new(["polite", "normal", "fast"]))]
    profile: String,
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
}

pub async fn run(args: ScanArgs, session: &Session) -> Result<ExitCode, Failure> {
    let bad_input = |error: anyhow::Error| Failure::new(exit::BAD_INPUT, error);
    let ports = PortSpec::parse(&args.ports).map_err(|e| bad_input(e.into()))?;
    let spec = read_targets(&args).map_err(bad_input)?;
    let targets = portcullis_scanner::targets::resolve(&spec)
        .await
        .map_err(|e| bad_input(e.into()))?;

    let profile = Profile::parse(&args.profile).expect("clap checked the name");
    let mut timing = profile.timing();
    if let Some(rate) = args.max_rate {
        timing.max_rate = Some(rate);
    }
    let tcp_ports = ports.ports(Protocol::Tcp).len();
    let udp_ports = if args.udp {
        ports.ports(Protocol::Udp).len()
    } else {
        0
    };
    let request = ScanRequest {
        targets,
        ports: ports.clone(),
        tcp: tcp_method(&args),
        udp: args.udp,
        timing,
        discover: !args.no_ping,
        list_every_port: tcp_ports.max(udp_ports) <= LIST_EVERY_PORT_UP_TO,
        identify: identify_options(&args, &timing),
    };
    let described_ports = describe_ports(&ports, args.udp && tcp_method(&args).is_none(), args.udp);
    let mut recorder = match args.save {
        true => {
            Some(Recorder::start(session, describe_scan(&args, &request, &described_ports)).await?)
        }
        false => None,
    };
    let started_at_unix = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    let mut handle =
        portcullis_scanner::start(request).map_err(|e| Failure::new(exit::SCAN_FAILED, e))?;

    let canceller = handle.canceller();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            canceller.cancel();
        }
    });

    let progress = ProgressDisplay::new();
    let mut report = ReportBuilder::default();
    while let Some(event) = handle.events.recv().await {
        progress.show(&event);
        if let Some(recorder) = &mut recorder {
            recorder.record(&event).await?;
        }
        let finished = matches!(event, ScanEvent::Finished(_));
        report.apply(event);
        if finished {
            break;
        }
    }
    progress.finish();
    let report = report.finish();
    if let Some(recorder) = recorder {
        recorder.finish(report.summary.as_ref()).await?;
    }

    let context = ScanContext {
        targets: args.targets.join(" "),
        ports: described_ports,
        profile: profile.name(),
        started_at_unix,
        port_count: tcp_ports,
        open_only: args.open,
    };
    write_report(&report, &context, &args).map_err(|e| Failure::new(exit::SCAN_FAILED, e))?;
    Ok(exit_code(&report))
}

/// The scan as `--save` records it.
fn describe_scan(args: &ScanArgs, request: &ScanRequest, ports: &str) -> ScanDescription {
    let protocol_ports = |protocol, scanned| {
        if scanned {
            request.ports.ports(protocol)
        } else {
            Vec::new()
        }
    };
    ScanDescription {
        targets: match &args.targets_file {
            Some(file) => format!("{} -i {}", args.targets.join(" "), file.display())
                .trim()
                .to_owned(),
            None => args.targets.join(" "),
        },
        ports: ports.to_owned(),
        requested_method: match request.tcp {
            Some(TcpMethod::Syn) => "syn",
            Some(TcpMethod::Connect) => "connect",
            Some(TcpMethod::Auto) => "auto",
            None => "none",
        },
        profile: Profile::parse(&args.profile).map_or("normal", |p| p.name()),
        external: args.external,
        tcp_ports: protocol_ports(Protocol::Tcp, request.tcp.is_some()),
        udp_ports: protocol_ports(Protocol::Udp, request.udp),
        identification: request.identify.is_some(),
        posture: request
            .identify
            .as_ref()
            .is_some_and(|options| options.posture),
    }
}

/// Identification (and posture) as asked: `--service-version`, `-sV` or
/// `--posture`.
fn identify_options(args: &ScanArgs, timing: &Timing) -> Option<IdentifyOptions> {
    let wanted = args.service_version || args.nmap_service_version.is_some() || args.posture;
    wanted.then(|| IdentifyOptions::for_timing(timing, args.posture))
}

/// The TCP method asked for; `--udp` alone scans no TCP.
fn tcp_method(args: &ScanArgs) -> Option<TcpMethod> {
    if args.syn {
        Some(TcpMethod::Syn)
    } else if args.connect {
        Some(TcpMethod::Connect)
    } else if args.udp && !args.auto {
        None
    } else {
        Some(TcpMethod::Auto)
    }
}

fn read_targets(args: &ScanArgs) -> anyhow::Result<TargetSpec> {
    let mut spec = TargetSpec::parse(&args.targets)?;
    if let Some(path) = &args.targets_file {
        let contents = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the targets file {}", path.display()))?;
        spec.extend(TargetSpec::parse_file_contents(
            &path.display().to_string(),
            &contents,
        )?);
    }
    if spec.is_empty() {
        anyhow::bail!("no targets: name at least one address, range or host name");
    }
    Ok(spec)
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

/// A progress bar on a terminal's standard error; nothing when piped.
struct ProgressDisplay(Option<ProgressBar>);

impl ProgressDisplay {
    fn new() -> ProgressDisplay {
        if !std::io::stderr().is_terminal() {
            return ProgressDisplay(None);
        }
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} ports  {msg}",
            )
            .expect("a valid template"),
        );
        ProgressDisplay(Some(bar))
    }

    fn show(&self, event: &ScanEvent) {
        let Some(bar) = &self.0 else { return };
        match event {
            ScanEvent::Progress(progress) => {
                bar.set_length(progress.probes_total);
                bar.set_position(progress.probes_done);
                let eta = progress
                    .eta_seconds
                    .map(|s| format!(", about {s:.0} s left"))
                    .unwrap_or_default();
                bar.set_message(format!("{:.0}/s{eta}", progress.rate));
            }
            ScanEvent::Warning { message } => bar.println(format!("warning: {message}")),
            _ => {}
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

/// The ports as scanned, e.g. `T:1-1024,U:53,161`.
fn describe_ports(ports: &PortSpec, udp_only: bool, udp: bool) -> String {
    let mut parts = Vec::new();
    if !udp_only {
        parts.push(format!(
            "T:{}",
            compress_ranges(&ports.ports(Protocol::Tcp))
        ));
    }
    if udp {
        parts.push(format!(
            "U:{}",
            compress_ranges(&ports.ports(Protocol::Udp))
        ));
    }
    parts.join(",")
}
