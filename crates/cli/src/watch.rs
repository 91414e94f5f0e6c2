//! `portcullis monitor schedule|due|alerts|notifications`: the schedules
//! the desktop app keeps watch by, one turn of that watch for a terminal
//! (or a test that sets `--now`), and what the watch raised.

use std::process::ExitCode;

use portcullis_app::watch::Pace;
use portcullis_model::ids::ScheduleId;
use portcullis_model::monitor::{
    Alert, Cadence, MonitorTarget, Notification, POLITE_RATE, RunOutcome, Schedule, ScheduleInput,
    TimeWindow, WatchTurn,
};

use crate::Failure;
use crate::context::{Session, bad_input, failure, print_json, safe};
use crate::exit;

#[derive(Debug, clap::Args)]
pub struct ScheduleArgs {
    #[command(subcommand)]
    action: ScheduleAction,
}

#[derive(Debug, clap::Subcommand)]
enum ScheduleAction {
    /// Watch a system, or every system in scope, on a schedule.
    Add {
        /// The system (name or id); default: every system in scope.
        #[arg(long)]
        system: Option<String>,
        /// hourly, daily or weekly (Mondays).
        #[arg(long, value_parser = parse_cadence)]
        every: Cadence,
        /// The hours checks may start in, on this computer's clock, as
        /// FROM-TO ("2-5": from 02:00, before 05:00); default: any hour.
        #[arg(long, value_parser = parse_window)]
        window: Option<TimeWindow>,
        /// Probes per second at most, so production servers are not
        /// disturbed.
        #[arg(long, default_value_t = POLITE_RATE)]
        rate: u32,
    },
    /// The schedules, with their last run and next time.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Stop a schedule.
    Remove { id: ScheduleId },
}

fn parse_cadence(text: &str) -> Result<Cadence, String> {
    Cadence::from_id(text).ok_or_else(|| format!("'{text}' is not hourly, daily or weekly"))
}

fn parse_window(text: &str) -> Result<TimeWindow, String> {
    let (from, to) = text
        .split_once('-')
        .ok_or_else(|| format!("'{text}' is not FROM-TO, such as 2-5"))?;
    let hour = |part: &str| -> Result<u8, String> {
        part.trim()
            .parse::<u8>()
            .ok()
            .filter(|hour| *hour <= 23)
            .ok_or_else(|| format!("'{part}' is not an hour from 0 to 23"))
    };
    Ok(TimeWindow {
        from: hour(from)?,
        to: hour(to)?,
    })
}

pub async fn schedule(session: &Session, args: ScheduleArgs) -> Result<ExitCode, Failure> {
    let workspace = session.open().await?;
    match args.action {
        ScheduleAction::Add {
            system,
            every,
            window,
            rate,
        } => {
            let target = match system {
                None => MonitorTarget::InScope,
                Some(name) => {
                    MonitorTarget::System(workspace.find_system(&name).await.map_err(failure)?.id)
                }
            };
            let schedule = workspace
                .add_schedule(ScheduleInput {
                    target,
                    cadence: every,
                    window: window.unwrap_or(TimeWindow::ALL_DAY),
                    rate,
                })
                .await
                .map_err(failure)?;
            println!(
                "Schedule {} watches {}; the first check is at {}.",
                schedule.id,
                safe(&schedule.target_name),
                local(schedule.next_run)
            );
        }
        ScheduleAction::List { json } => {
            let schedules = workspace.schedules().await.map_err(failure)?;
            if json {
                print_json(&schedules)?;
            } else {
                print_schedules(&schedules);
            }
        }
        ScheduleAction::Remove { id } => {
            workspace.remove_schedule(id).await.map_err(failure)?;
            println!("Schedule {id} is stopped.");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_schedules(schedules: &[Schedule]) {
    if schedules.is_empty() {
        println!("No schedule yet. Add one: portcullis monitor schedule add --every daily");
        return;
    }
    for schedule in schedules {
        let window = match schedule.window.is_all_day() {
            true => "any hour".to_owned(),
            false => format!(
                "{:02}:00 to {:02}:00",
                schedule.window.from, schedule.window.to
            ),
        };
        let last = schedule.last_run.as_ref().map_or_else(
            || "never ran".to_owned(),
            |run| {
                format!(
                    "last ran {} ({})",
                    local(run.started_at),
                    outcome_words(&run.outcome)
                )
            },
        );
        println!(
            "{}  {} {}, {window}, {} probes/s; {last}; next {}",
            schedule.id,
            safe(&schedule.target_name),
            schedule.cadence.id(),
            schedule.rate,
            local(schedule.next_run)
        );
    }
}

pub async fn due(session: &Session, json: bool) -> Result<ExitCode, Failure> {
    let workspace = session.open().await?;
    let turn = workspace.watch_turn().await.map_err(failure)?;
    if json {
        print_json(&turn)?;
    } else {
        print_turn(&turn);
    }
    let failed = turn
        .runs
        .iter()
        .any(|run| matches!(run.outcome, RunOutcome::Failed { .. }));
    let drift = turn
        .runs
        .iter()
        .any(|run| matches!(run.outcome, RunOutcome::Drift { .. }));
    Ok(match (failed, drift) {
        (true, _) => ExitCode::from(exit::SCAN_FAILED),
        (false, true) => ExitCode::from(exit::DRIFT),
        (false, false) => ExitCode::SUCCESS,
    })
}

fn print_turn(turn: &WatchTurn) {
    if turn.runs.is_empty() {
        println!("No schedule was due.");
    }
    for run in &turn.runs {
        let late = if run.caught_up {
            ", late (caught up)"
        } else {
            ""
        };
        println!(
            "Schedule {} ran for {}{late}: {}.",
            run.schedule,
            local(run.slot),
            outcome_words(&run.outcome)
        );
    }
    for notification in &turn.notifications {
        println!("Notified: {}", safe(&notification.title));
    }
}

pub async fn watch(
    session: &Session,
    json: bool,
    step_minutes: Option<i64>,
    turns: Option<u64>,
) -> Result<ExitCode, Failure> {
    let (workspace, pace) = match (step_minutes, session.now) {
        (None, _) => (session.open().await?, Pace::every_minute()),
        (Some(_), None) => return Err(bad_input("--step-minutes needs --now")),
        (Some(minutes), Some(now)) => {
            let clock = portcullis_app::FixedClock::new(now);
            let pace = Pace::Accelerated {
                clock: clock.clone(),
                step: chrono::Duration::minutes(minutes.max(1)),
                turns: turns.unwrap_or(1),
            };
            (session.open_with(Some(clock)).await?, pace)
        }
    };
    let stop = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let show = |notification: &Notification| {
        if !json {
            println!(
                "Notification: {}\n    {}",
                safe(&notification.title),
                safe(&notification.body)
            );
        }
    };
    let mut printed = Ok(());
    let on_turn = |number: u64, turn: &WatchTurn| {
        if json {
            let line = serde_json::json!({ "turn": number, "runs": turn.runs,
                "notifications": turn.notifications });
            println!("{line}");
        } else if !turn.runs.is_empty() {
            print_turn(turn);
        }
        use std::io::Write;
        if let Err(error) = std::io::stdout().flush() {
            printed = Err(error);
        }
    };
    workspace.watch(pace, stop, show, on_turn).await;
    workspace.shutdown().await;
    printed.map_err(|error| Failure::new(exit::DATABASE, error))?;
    Ok(ExitCode::SUCCESS)
}

pub async fn alerts(session: &Session, unseen: bool, json: bool) -> Result<ExitCode, Failure> {
    let workspace = session.open().await?;
    let alerts: Vec<Alert> = workspace.alerts(unseen, 1000).await.map_err(failure)?;
    if json {
        print_json(&alerts)?;
    } else if alerts.is_empty() {
        println!("No alert.");
    } else {
        for alert in &alerts {
            let finding = alert
                .finding
                .map(|id| format!(", finding {id}"))
                .unwrap_or_default();
            println!(
                "{}  {}  {} ({}{finding})",
                local(alert.raised_at),
                alert.severity.label(),
                safe(&alert.title),
                alert.reason.id(),
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn notifications(session: &Session, json: bool) -> Result<ExitCode, Failure> {
    let workspace = session.open().await?;
    let notifications: Vec<Notification> = workspace.notifications(1000).await.map_err(failure)?;
    if json {
        print_json(&notifications)?;
    } else if notifications.is_empty() {
        println!("No notification.");
    } else {
        for notification in &notifications {
            println!(
                "{}  {}\n    {}",
                local(notification.raised_at),
                safe(&notification.title),
                safe(&notification.body)
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn outcome_words(outcome: &RunOutcome) -> String {
    match outcome {
        RunOutcome::Running => "running".to_owned(),
        RunOutcome::Clear => "nothing changed".to_owned(),
        RunOutcome::Drift { alerts: 1 } => "1 change raised".to_owned(),
        RunOutcome::Drift { alerts } => format!("{alerts} changes raised"),
        RunOutcome::Failed { reason } => format!("could not scan: {}", safe(reason)),
    }
}

/// A time on this computer's clock, as a person reads it.
fn local(at: chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&chrono::Local)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}
