//! `portcullis findings`: what the scans found, in plain English, with the
//! PCI DSS requirements each serves and what closes it; `accept`,
//! `dispute` and `fixed` record decisions on one; `evaluate` judges a stored scan again.

use std::process::ExitCode;

use chrono::{DateTime, Utc};
use portcullis_model::compliance::{DisputeKind, FindingRecord, FindingState, FindingStatus};
use portcullis_model::judgement::{FindingFilter, Judgement};
use portcullis_model::requests::{FindingAcceptance, FindingDisputal};
use portcullis_model::{FindingId, ScanId};

use crate::Failure;
use crate::context::{
    Session, failure, parse_date, parse_serde_name, print_json, safe, serde_name,
};

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct FindingsArgs {
    #[command(subcommand)]
    action: Option<FindingsAction>,
    /// Only the findings this scan found.
    #[arg(long, value_name = "ID")]
    scan: Option<ScanId>,
    /// Only findings with this status: open, accepted, disputed, fixed,
    /// verified.
    #[arg(long, value_parser = parse_serde_name::<FindingStatus>)]
    status: Option<FindingStatus>,
    /// Only this system's (name or id).
    #[arg(long)]
    system: Option<String>,
    /// One line a finding.
    #[arg(long)]
    brief: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Subcommand)]
enum FindingsAction {
    /// Accept a finding as a business need: it stops failing the verdict
    /// until the acceptance lapses; a port finding is approved in the
    /// inventory too.
    Accept {
        /// The finding's id.
        id: FindingId,
        /// Why the business needs it, in a sentence a reviewer can check.
        #[arg(long)]
        justification: String,
        /// Who takes responsibility.
        #[arg(long)]
        approver: String,
        /// Until when (default: 90 days from now).
        #[arg(long, value_parser = parse_date)]
        until: Option<DateTime<Utc>>,
    },
    /// Dispute a finding with your ASV. No business need passes a finding
    /// that fails an ASV scan; a dispute the ASV accepts does, so until
    /// then it "passes only if your ASV accepts the dispute".
    Dispute {
        /// The finding's id.
        id: FindingId,
        /// The grounds: false-positive (the scan is wrong, and the
        /// evidence shows it), compensating-control (another control meets
        /// the requirement's intent), poi-terminal-early-tls (card
        /// terminals' SSL or early TLS, PCI DSS Appendix A2).
        #[arg(long, value_parser = parse_serde_name::<DisputeKind>)]
        kind: DisputeKind,
        /// What proves it, or the control that stands in its place.
        #[arg(long)]
        evidence: String,
        /// Who submits the dispute to the ASV.
        #[arg(long = "by", value_name = "NAME")]
        submitted_by: String,
        /// Until when (default: 90 days from now, the next quarterly scan).
        #[arg(long, value_parser = parse_date)]
        until: Option<DateTime<Utc>>,
    },
    /// Report a finding fixed; the next scan that covers it verifies it.
    Fixed {
        /// The finding's id.
        id: FindingId,
    },
    /// Judge a stored scan (again) against the current inventory.
    Evaluate {
        /// The scan's id (see `portcullis scans`).
        scan: ScanId,
    },
}

pub async fn run(session: &Session, args: FindingsArgs) -> Result<ExitCode, Failure> {
    let workspace = session.open().await?;
    match args.action {
        None => {
            let system_id = match &args.system {
                Some(name) => Some(workspace.find_system(name).await.map_err(failure)?.id),
                None => None,
            };
            let filter = FindingFilter {
                scan_id: args.scan,
                status: args.status,
                system_id,
            };
            let records = workspace.findings(&filter).await.map_err(failure)?;
            if args.json {
                print_json(&records)?;
            } else {
                print_records(&records, args.brief);
            }
        }
        Some(FindingsAction::Accept {
            id,
            justification,
            approver,
            until,
        }) => {
            let acceptance = FindingAcceptance {
                id,
                justification,
                approver,
                until,
            };
            let (record, entry) = workspace
                .accept_finding(acceptance)
                .await
                .map_err(failure)?;
            let until = record
                .state
                .business_need()
                .map(|need| need.until.format("%Y-%m-%d").to_string())
                .unwrap_or_default();
            println!("Finding {id} accepted until {until}.");
            if let Some(entry) = entry {
                println!(
                    "Inventory entry {} now approves {}/{}.",
                    entry.id,
                    entry.port,
                    entry.protocol.as_str()
                );
            }
        }
        Some(FindingsAction::Dispute {
            id,
            kind,
            evidence,
            submitted_by,
            until,
        }) => {
            let disputal = FindingDisputal {
                id,
                kind,
                evidence,
                submitted_by,
                until,
            };
            let record = workspace.dispute_finding(disputal).await.map_err(failure)?;
            let until = record
                .state
                .settled_until()
                .map(|until| until.format("%Y-%m-%d").to_string())
                .unwrap_or_default();
            let outcome = if record.finding.severity.fails_asv_scan() {
                "it passes only if your ASV accepts the dispute"
            } else {
                "it needs no other answer while the dispute holds"
            };
            println!(
                "Finding {id} disputed as a {} until {until}: {outcome}.",
                kind.words()
            );
        }
        Some(FindingsAction::Fixed { id }) => {
            workspace.mark_fixed(id).await.map_err(failure)?;
            println!("Finding {id} reported fixed; the next scan that covers it will verify it.");
        }
        Some(FindingsAction::Evaluate { scan }) => {
            let judgement = workspace.judge_scan(scan).await.map_err(failure)?;
            println!("{}", describe(&judgement));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// What recording a test or scan result (`what`, "the ASV scan") did to
/// the newest judged scan: judged again, or nothing to judge yet.
pub fn print_rejudged(rejudged: Option<&Judgement>, what: &str) {
    match rejudged {
        Some(judgement) => println!(
            "Judged scan {} again with it. {}",
            judgement.scan_id,
            describe(judgement)
        ),
        None => println!(
            "No scan has been judged yet; the next `scan --save` takes {what} into account."
        ),
    }
}

/// The sentence about a judged scan, and where its details are.
pub fn describe(judgement: &Judgement) -> String {
    format!(
        "{} Details: portcullis findings --scan {}",
        judgement.sentence, judgement.scan_id
    )
}

fn print_records(records: &[FindingRecord], brief: bool) {
    if records.is_empty() {
        println!("No findings.");
        return;
    }
    for record in records {
        let finding = &record.finding;
        println!(
            "#{:<5} {:<8} {:<9} {}",
            record.id,
            finding.severity.label(),
            serde_name(&record.status()),
            safe(&finding.title)
        );
        if brief {
            continue;
        }
        println!(
            "       {}",
            safe(&finding.explanation).replace('\n', "\n       ")
        );
        println!(
            "       What to do: {}",
            safe(&finding.remedy).replace('\n', "\n       ")
        );
        println!("       PCI DSS v4.0: {}", finding.requirements.join(", "));
        if !finding.evidence.is_empty() {
            println!("       Evidence: {}", safe(&finding.evidence));
        }
        if let Some(need) = record.state.business_need() {
            println!(
                "       Accepted by {} until {}: {}",
                safe(&need.approver),
                need.until.format("%Y-%m-%d"),
                safe(&need.justification)
            );
        }
        if let Some(dispute) = record.state.dispute() {
            println!(
                "       Disputed as a {} by {} until {}: {}",
                dispute.kind.words(),
                safe(&dispute.submitted_by),
                dispute.until.format("%Y-%m-%d"),
                safe(&dispute.evidence)
            );
        }
        let mut seen = format!(
            "       First seen in scan {}, last in scan {}",
            record.first_seen_scan, record.last_seen_scan
        );
        if let FindingState::Verified { by_scan: scan } = record.state {
            seen.push_str(&format!("; fix verified by scan {scan}"));
        }
        println!("{seen}.");
        println!();
    }
}
