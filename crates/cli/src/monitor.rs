//! `portcullis monitor install|uninstall`: the computer's own scheduler
//! runs the monitoring check on its own (a systemd user timer, a launchd
//! agent, a Task Scheduler task). The exact files and commands are shown
//! first; nothing is written or run without `--yes`.

use std::path::Path;
use std::process::{Command, ExitCode};

use portcullis_app::monitor_install::{
    Account, Cadence, InstallPlan, MonitorJob, Scheduler, install_plan,
};

use crate::Failure;
use crate::context::{Session, bad_input};
use crate::exit;

#[derive(Debug, clap::Args)]
pub struct MonitorArgs {
    #[command(subcommand)]
    action: MonitorAction,
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
}

fn parse_cadence(text: &str) -> Result<Cadence, String> {
    Cadence::from_id(text).ok_or_else(|| format!("'{text}' is not hourly, daily or weekly"))
}

pub async fn run(session: &Session, args: MonitorArgs) -> Result<ExitCode, Failure> {
    let (cadence, yes, installing) = match args.action {
        MonitorAction::Install { every, yes } => (every, yes, true),
        MonitorAction::Uninstall { yes } => (Cadence::Daily, yes, false),
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
