//! `portcullis monitor --once`: one monitoring check, for cron, CI and the
//! scheduler; its exit code says whether anything changed.
//!
//! `portcullis monitor install|uninstall`: the computer's own scheduler
//! runs the check on its own (a systemd user timer, a launchd agent, a
//! Task Scheduler task). The exact files and commands are shown first;
//! nothing is written or run without `--yes`.

use std::path::Path;
use std::process::{Command, ExitCode};

use portcullis_app::monitor_install::{
    Account, Cadence, InstallPlan, MonitorJob, Scheduler, install_plan,
};

use portcullis_model::ErrorKind;
use portcullis_model::monitor::{DriftReason, MonitorOutcome};

use crate::Failure;
use crate::context::{Session, bad_input, failure, print_json, safe};
use crate::exit;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit codes of --once: 0 nothing changed, 1 something changed \
                        that needs attention, 2 bad input (no system to scan), \
                        4 the check could not scan."
)]
pub struct MonitorArgs {
    /// Run one check now: scan every system in scope, compare with the
    /// inventory and the checks before, and say what changed.
    #[arg(long)]
    once: bool,
    /// With --once: print JSON instead of text.
    #[arg(long, requires = "once")]
    json: bool,
    #[command(subcommand)]
    action: Option<MonitorAction>,
}

#[derive(Debug, clap::Subcommand)]
enum MonitorAction {
    /// Have the computer's scheduler run the monitoring check: shows the
    /// files and commands, and with `--yes` writes and runs them.
    Install {
        /// How often: hourly, daily (02:00) or weekly (Monday 02:00).
        #[arg(long, default_value = "daily", value_parser = parse_cadence)]
        every: Cadence,
        /// Write the files and tell the scheduler.
        #[arg(long)]
        yes: bool,
    },
    /// Stop the scheduled check and remove its files: shows what, and with
    /// `--yes` does it.
    Uninstall {
        #[arg(long)]
        yes: bool,
    },
    /// The schedules the desktop app keeps watch by: add, list, remove.
    Schedule(crate::watch::ScheduleArgs),
    /// Run what is due now, once: each schedule whose time has come
    /// (one catch-up for times missed), then the reminders due. Exit
    /// codes as --once; 4 when a scheduled check could not scan.
    Due {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Keep watch in the foreground, as the desktop app does in the
    /// background: what is due runs every minute, and notifications are
    /// printed. Ctrl-C stops it.
    Watch {
        /// Print each turn as one line of JSON.
        #[arg(long)]
        json: bool,
        /// With --now: after each turn, move the clock on this many
        /// minutes instead of waiting (for soak tests).
        #[arg(long, hide = true, requires = "turns")]
        step_minutes: Option<i64>,
        /// Stop after this many turns.
        #[arg(long, hide = true)]
        turns: Option<u64>,
    },
    /// The changes monitoring raised, newest first.
    Alerts {
        /// Only those not seen yet.
        #[arg(long)]
        unseen: bool,
        #[arg(long)]
        json: bool,
    },
    /// The notifications monitoring raised, newest first.
    Notifications {
        #[arg(long)]
        json: bool,
    },
}

fn parse_cadence(text: &str) -> Result<Cadence, String> {
    Cadence::from_id(text).ok_or_else(|| format!("'{text}' is not hourly, daily or weekly"))
}

pub async fn run(session: &Session, args: MonitorArgs) -> Result<ExitCode, Failure> {
    let (cadence, yes, installing) = match args.action {
        Some(MonitorAction::Install { every, yes }) => (every, yes, true),
        Some(MonitorAction::Uninstall { yes }) => (Cadence::Daily, yes, false),
        Some(MonitorAction::Schedule(args)) => return crate::watch::schedule(session, args).await,
        Some(MonitorAction::Due { json }) => return crate::watch::due(session, json).await,
        Some(MonitorAction::Watch {
            json,
            step_minutes,
            turns,
        }) => return crate::watch::watch(session, json, step_minutes, turns).await,
        Some(MonitorAction::Alerts { unseen, json }) => {
            return crate::watch::alerts(session, unseen, json).await;
        }
        Some(MonitorAction::Notifications { json }) => {
            return crate::watch::notifications(session, json).await;
        }
        None if args.once => return check_once(session, args.json).await,
        None => return Err(bad_input("say --once, install or uninstall")),
    };
    let plan = plan(session, cadence)?;
    match (installing, yes) {
        (true, false) => show_install(&plan),
        (true, true) => install(&plan)?,
        (false, false) => show_uninstall(&plan),
        (false, true) => uninstall(&plan)?,
    }
    Ok(ExitCode::SUCCESS)
}

async fn check_once(session: &Session, json: bool) -> Result<ExitCode, Failure> {
    let workspace = session.open().await?;
    let outcome = workspace
        .monitor_once()
        .await
        .map_err(|error| match error.kind {
            ErrorKind::BadInput => failure(error),
            _ => Failure::new(exit::SCAN_FAILED, error),
        })?;
    if json {
        print_json(&outcome)?;
    } else {
        print_outcome(&outcome);
    }
    Ok(match outcome.drift.is_empty() {
        true => ExitCode::SUCCESS,
        false => ExitCode::from(exit::DRIFT),
    })
}

fn print_outcome(outcome: &MonitorOutcome) {
    let scan = outcome.scan.id;
    match outcome.drift.len() {
        0 => println!("Nothing changed that needs attention (scan {scan})."),
        1 => println!("1 change needs your attention (scan {scan}):"),
        count => println!("{count} changes need your attention (scan {scan}):"),
    }
    for drift in &outcome.drift {
        let why = match drift.reason {
            DriftReason::New => "new",
            DriftReason::Back => "back after a fix",
            DriftReason::ApprovalExpired => "its approval expired",
            DriftReason::Changed => "changed since the check before",
        };
        let finding = drift
            .finding
            .map(|id| format!("; finding {id}"))
            .unwrap_or_default();
        println!(
            "  - {} ({}, {why}{finding})",
            safe(&drift.title),
            drift.severity.label(),
        );
    }
}

fn plan(session: &Session, cadence: Cadence) -> Result<InstallPlan, Failure> {
    let data_dir = portcullis_app::resolve_data_dir(session.data_dir.as_deref())
        .map_err(|error| Failure::new(exit::DATABASE, anyhow::anyhow!("{error}")))?;
    let program = std::env::current_exe()
        .map_err(|error| bad_input(format!("where this program lives is unknown: {error}")))?;
    let home = directories::BaseDirs::new()
        .map(|dirs| dirs.home_dir().to_path_buf())
        .ok_or_else(|| bad_input("this account has no home directory"))?;
    let job = MonitorJob {
        program,
        data_dir,
        cadence,
    };
    let user_id = owner_of(&home);
    Ok(install_plan(
        Scheduler::native(),
        &job,
        &Account { home, user_id },
    ))
}

/// The numeric id of the account that owns `home`: the person's own.
#[cfg(unix)]
fn owner_of(home: &Path) -> u32 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(home).map_or(0, |metadata| metadata.uid())
}

#[cfg(not(unix))]
fn owner_of(_home: &Path) -> u32 {
    0
}

fn show_install(plan: &InstallPlan) {
    for file in &plan.files {
        println!("Would write {}:\n", file.path.display());
        for line in file.contents.lines() {
            println!("    {line}");
        }
        println!();
    }
    println!("Then would run:");
    for command in &plan.activate {
        println!("    {}", command.join(" "));
    }
    println!("\nNothing was written. Run again with --yes to install this.");
}

fn show_uninstall(plan: &InstallPlan) {
    println!("Would run:");
    for command in &plan.deactivate {
        println!("    {}", command.join(" "));
    }
    println!("Then would remove:");
    for file in &plan.files {
        println!("    {}", file.path.display());
    }
    println!("\nNothing was changed. Run again with --yes to uninstall.");
}

fn install(plan: &InstallPlan) -> Result<(), Failure> {
    for file in &plan.files {
        write(&file.path, &file.contents)?;
        println!("Wrote {}", file.path.display());
    }
    for command in &plan.activate {
        run_command(command)?;
    }
    println!("The monitoring check is scheduled.");
    Ok(())
}

fn uninstall(plan: &InstallPlan) -> Result<(), Failure> {
    for command in &plan.deactivate {
        // Already stopped, or never installed: the files still go.
        if let Err(failure) = run_command(command) {
            eprintln!("portcullis: {:#}", failure.error);
        }
    }
    for file in &plan.files {
        match std::fs::remove_file(&file.path) {
            Ok(()) => println!("Removed {}", file.path.display()),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => {
                return Err(bad_input(format!(
                    "{} was not removed: {error}",
                    file.path.display()
                )));
            }
        }
    }
    println!("The monitoring check is no longer scheduled.");
    Ok(())
}

fn write(path: &Path, contents: &str) -> Result<(), Failure> {
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder)
            .map_err(|error| bad_input(format!("{} cannot be made: {error}", folder.display())))?;
    }
    std::fs::write(path, contents)
        .map_err(|error| bad_input(format!("{} was not written: {error}", path.display())))
}

fn run_command(command: &[String]) -> Result<(), Failure> {
    let (program, arguments) = command
        .split_first()
        .expect("a planned command names its program");
    let status = Command::new(program)
        .args(arguments)
        .status()
        .map_err(|error| bad_input(format!("{program} could not run: {error}")))?;
    if !status.success() {
        return Err(bad_input(format!(
            "`{}` failed: {status}",
            command.join(" ")
        )));
    }
    Ok(())
}
