//! `portcullis`: the same engine as the desktop app, for terminals and cron.
//!
//! This crate parses arguments, calls the engine crates and prints; what
//! each command decides lives in those crates.

mod advisories;
mod asv;
mod audit;
mod backup;
mod business;
mod context;
mod diff;
mod export;
mod findings;
mod firewall;
mod fix;
mod import;
mod info;
mod inventory;
mod monitor;
mod output;
mod scan;
mod scans;
mod segmentation;
mod status;
mod systems;
mod verify;
mod watch;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit codes, documented in `--help`.
pub mod exit {
    /// `verify`: the rescan still found some of the findings.
    pub const NOT_PROVEN: u8 = 1;
    /// Bad input: arguments, targets, port specifications (clap uses 2 too).
    pub const BAD_INPUT: u8 = 2;
    /// The database could not be opened or written.
    pub const DATABASE: u8 = 3;
    /// The scan could not run (privilege, network, local resources).
    pub const SCAN_FAILED: u8 = 4;
    /// The audit log's hash chain is broken: a row was changed, removed or
    /// inserted outside Portcullis.
    pub const TAMPERED: u8 = 5;
    /// `monitor --once`: something changed that needs attention.
    pub const DRIFT: u8 = 1;
    /// `segmentation run`: something in scope answered from the network
    /// that should be cut off.
    pub const SEGMENTATION_BROKEN: u8 = 1;
    /// Interrupted (Ctrl-C): what was found so far was printed, marked
    /// partial.
    pub const INTERRUPTED: u8 = 130;
}

#[derive(Debug, Parser)]
#[command(
    name = "portcullis",
    version,
    about = "Know, justify and watch every open port.",
    after_help = "Exit codes: 0 success, 1 verify still found a finding (monitor --once: \
                  something changed; segmentation run: something answered), 2 bad input, \
                  3 database error, 4 scan error, 5 audit log tampered with, 130 interrupted."
)]
struct Cli {
    /// Where the database lives (default: the same per-user directory the
    /// desktop app uses).
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Who the audit log names for changes (default: the OS user).
    #[arg(long, global = true, value_name = "NAME")]
    actor: Option<String>,
    /// Act as if it were this time (RFC 3339): judge, schedule and remind
    /// as of it. For tests, which move time rather than wait for it.
    #[arg(long, global = true, value_name = "TIME", hide = true, value_parser = parse_now)]
    now: Option<chrono::DateTime<chrono::Utc>>,
    #[command(subcommand)]
    command: CliCommand,
}

#[derive(Debug, Subcommand)]
enum CliCommand {
    /// Show the version, the data directory and the database's state.
    Info(info::InfoArgs),
    /// Scan hosts for open ports (`--save` to record and judge the scan).
    Scan(scan::ScanArgs),
    /// The recorded scans, newest first.
    Scans(scans::ScansArgs),
    /// The systems whose ports are judged: list, add, edit, remove.
    Systems(systems::SystemsArgs),
    /// The approved ports (PCI DSS 1.2.5): list, add, approve, remove,
    /// import, export.
    Inventory(inventory::InventoryArgs),
    /// What the scans found; accept or report fixed; evaluate a scan again.
    Findings(findings::FindingsArgs),
    /// A default-deny inbound firewall ruleset from a system's approved
    /// inventory (nftables, iptables, ufw, firewalld, Windows, macOS pf, AWS, Azure,
    /// Google Cloud, DigitalOcean), with the commands to apply it
    /// and undo it.
    Firewall(firewall::FirewallArgs),
    /// How to fix a finding on the system's platform (Linux, Windows, a
    /// Mac, a hosting panel, a cloud, a router), with the commands filled in.
    Fix(fix::FixArgs),
    /// Rescan exactly what findings are about and say whether each fix is
    /// proven (exit 1 when one is still found).
    Verify(verify::VerifyArgs),
    /// What changed between two recorded scans.
    Diff(diff::DiffArgs),
    /// Record another tool's scan or findings report (nmap XML, Nessus,
    /// Greenbone, CSV) and judge it, or nothing at all.
    Import(import::ImportArgs),
    /// Write a document for your assessor: the port inventory, a scan
    /// report, a dispute pack, the evidence pack.
    Export(export::ExportArgs),
    /// The verdict an assessor would give, overall and per system.
    Status(status::StatusArgs),
    /// Segmentation tests (PCI DSS 11.4.5): run one from the network this
    /// computer is on, record one, list them.
    Segmentation(segmentation::SegmentationArgs),
    /// ASV scans (PCI DSS 11.3.2): record what your ASV's report says, list them.
    Asv(asv::AsvArgs),
    /// The append-only audit log: verify its hash chain, show it.
    Audit(audit::AuditArgs),
    /// Copy the database to FILE, consistently, even while a scan writes.
    Backup(backup::BackupArgs),
    /// Replace the database with a checked backup.
    Restore(backup::RestoreArgs),
    /// How old the list of vulnerable and unsupported versions is; load a
    /// newer one.
    Advisories(advisories::AdvisoriesArgs),
    /// Keep watching: have the computer's scheduler run the monitoring
    /// check (install, uninstall).
    Monitor(monitor::MonitorArgs),
    /// The business's name (for documents) and whether it is a service
    /// provider; shown, or set when given.
    Business(business::BusinessArgs),
}

/// A failure with the exit code it maps to.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub error: anyhow::Error,
}

impl Failure {
    pub fn new(code: u8, error: impl Into<anyhow::Error>) -> Failure {
        Failure {
            code,
            error: error.into(),
        }
    }
}

fn parse_now(text: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|time| time.to_utc())
        .map_err(|error| format!("'{text}' is not an RFC 3339 time: {error}"))
}

#[tokio::main]
async fn main() -> ExitCode {
    init_logging();
    let cli = Cli::parse();
    let session = context::Session::new(cli.data_dir, cli.actor).at(cli.now);
    let outcome = match cli.command {
        CliCommand::Info(args) => info::run(&session, args).await,
        CliCommand::Scan(args) => scan::run(args, &session).await,
        CliCommand::Scans(args) => scans::run(&session, args).await,
        CliCommand::Systems(args) => systems::run(&session, args).await,
        CliCommand::Inventory(args) => inventory::run(&session, args).await,
        CliCommand::Findings(args) => findings::run(&session, args).await,
        CliCommand::Firewall(args) => firewall::run(&session, args).await,
        CliCommand::Fix(args) => fix::run(&session, args).await,
        CliCommand::Verify(args) => verify::run(&session, args).await,
        CliCommand::Diff(args) => diff::run(&session, args).await,
        CliCommand::Import(args) => import::run(&session, args).await,
        CliCommand::Export(args) => export::run(&session, args).await,
        CliCommand::Status(args) => status::run(&session, args).await,
        CliCommand::Segmentation(args) => segmentation::run(&session, args).await,
        CliCommand::Asv(args) => asv::run(&session, args).await,
        CliCommand::Audit(args) => audit::run(&session, args).await,
        CliCommand::Backup(args) => backup::backup(&session, args).await,
        CliCommand::Restore(args) => backup::restore(&session, args).await,
        CliCommand::Advisories(args) => advisories::run(&session, args).await,
        CliCommand::Monitor(args) => monitor::run(&session, args).await,
        CliCommand::Business(args) => business::run(&session, args).await,
    };
    match outcome {
        Ok(code) => code,
        Err(failure) => {
            eprintln!("portcullis: {}", describe_error(&failure.error));
            ExitCode::from(failure.code)
        }
    }
}

/// An error and its causes on one line, each cause said once: most of our
/// errors already quote their cause ("cannot open X: permission denied"),
/// and repeating it after them only buries the point.
fn describe_error(error: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in error.chain() {
        let cause = cause.to_string();
        if text.contains(&cause) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&cause);
    }
    text
}

/// Diagnostics on standard error, off unless `PORTCULLIS_LOG` asks for them
/// (e.g. `PORTCULLIS_LOG=portcullis_scanner=debug`), so that output meant
/// for pipes stays clean.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("PORTCULLIS_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("off"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An error that quotes its source, as thiserror's `{source}` does.
    #[derive(Debug)]
    struct Quoting {
        path: &'static str,
        source: std::io::Error,
    }

    impl std::fmt::Display for Quoting {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "cannot open {}: {}", self.path, self.source)
        }
    }

    impl std::error::Error for Quoting {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.source)
        }
    }

    #[test]
    fn each_cause_is_said_once() {
        let quoting = anyhow::Error::new(Quoting {
            path: "/data",
            source: std::io::Error::other("permission denied"),
        });
        assert_eq!(
            describe_error(&quoting),
            "cannot open /data: permission denied"
        );
        let wrapped = anyhow::anyhow!("disk full").context("ports.csv");
        assert_eq!(describe_error(&wrapped), "ports.csv: disk full");
    }
}
