//! What `portcullis monitor install` puts on a computer so that the
//! monitoring check (`portcullis monitor --once`) runs on its own: a
//! systemd user timer on Linux, a launchd agent on macOS, a Task Scheduler
//! task on Windows. The files are planned here, in full, so that the
//! person sees exactly what will be written before anything is; writing
//! them and telling the scheduler is the shell's part.
//!
//! Each scheduler catches up once after the computer slept through a run
//! (systemd's `Persistent=`, launchd's calendar jobs, Task Scheduler's
//! `StartWhenAvailable`), never once per missed slot.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

pub use portcullis_model::monitor::Cadence;

/// "every hour", "every day at 02:00"...
fn cadence_words(cadence: Cadence) -> &'static str {
    match cadence {
        Cadence::Hourly => "every hour",
        Cadence::Daily => "every day at 02:00",
        Cadence::Weekly => "every Monday at 02:00",
    }
}

/// The schedulers Portcullis installs into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheduler {
    /// A systemd user timer and service (Linux).
    SystemdUser,
    /// A launchd agent (macOS).
    Launchd,
    /// A Task Scheduler task (Windows).
    TaskScheduler,
}

impl Scheduler {
    /// The scheduler of the system this was built for.
    pub fn native() -> Scheduler {
        if cfg!(target_os = "macos") {
            Scheduler::Launchd
        } else if cfg!(windows) {
            Scheduler::TaskScheduler
        } else {
            Scheduler::SystemdUser
        }
    }
}

/// What the check runs: the program, its data directory, and how often.
#[derive(Debug, Clone)]
pub struct MonitorJob {
    /// The `portcullis` program, by its full path.
    pub program: PathBuf,
    pub data_dir: PathBuf,
    pub cadence: Cadence,
}

impl MonitorJob {
    /// The program's arguments, each one whole.
    fn arguments(&self) -> Vec<String> {
        vec![
            "--data-dir".to_owned(),
            self.data_dir.display().to_string(),
            "monitor".to_owned(),
            "--once".to_owned(),
        ]
    }
}

/// A file to write, whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedFile {
    pub path: PathBuf,
    pub contents: String,
}

/// Everything an installation writes and runs, in order, and how to undo it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstallPlan {
    pub scheduler: Scheduler,
    pub files: Vec<PlannedFile>,
    /// Commands that tell the scheduler, after the files are written.
    pub activate: Vec<Vec<String>>,
    /// Commands that stop the schedule, before the files are removed.
    pub deactivate: Vec<Vec<String>>,
}

/// Whose computer account the schedule runs under.
#[derive(Debug, Clone)]
pub struct Account {
    /// The home directory, where per-user units and agents live.
    pub home: PathBuf,
    /// The numeric user id (launchd names the session by it; 0 elsewhere).
    pub user_id: u32,
}

/// The systemd units' and launchd agent's names.
const UNIT: &str = "portcullis-monitor";
const LAUNCHD_LABEL: &str = "org.portcullis.monitor";
const TASK_NAME: &str = "\\Portcullis\\Monitor";

/// The plan for `job` with `scheduler`, for `account`.
pub fn install_plan(scheduler: Scheduler, job: &MonitorJob, account: &Account) -> InstallPlan {
    match scheduler {
        Scheduler::SystemdUser => systemd_plan(job, &account.home),
        Scheduler::Launchd => launchd_plan(job, account),
        // The task lives in the scheduler, not in the home directory.
        Scheduler::TaskScheduler => task_scheduler_plan(job),
    }
}

fn systemd_plan(job: &MonitorJob, home: &Path) -> InstallPlan {
    let folder = home.join(".config/systemd/user");
    let timer = format!("{UNIT}.timer");
    let systemctl = |args: &[&str]| {
        ["systemctl", "--user"]
            .iter()
            .chain(args)
            .map(|arg| (*arg).to_owned())
            .collect::<Vec<_>>()
    };
    InstallPlan {
        scheduler: Scheduler::SystemdUser,
        files: vec![
            PlannedFile {
                path: folder.join(format!("{UNIT}.service")),
                contents: systemd_service(job),
            },
            PlannedFile {
                path: folder.join(&timer),
                contents: systemd_timer(job.cadence),
            },
        ],
        activate: vec![
            systemctl(&["daemon-reload"]),
            systemctl(&["enable", "--now", &timer]),
        ],
        deactivate: vec![systemctl(&["disable", "--now", &timer])],
    }
}

fn systemd_service(job: &MonitorJob) -> String {
    let mut command = systemd_quoted(&job.program.display().to_string());
    for argument in job.arguments() {
        command.push(' ');
        command.push_str(&systemd_quoted(&argument));
    }
    format!(
        "# Written by `portcullis monitor install`; `portcullis monitor uninstall` removes it.\n\
         [Unit]\n\
         Description=Portcullis: look for ports opened since the last check\n\
         \n\
         [Service]\n\
         Type=oneshot\n\
         ExecStart={command}\n\
         # A polite neighbour: the check waits for the computer's other work.\n\
         Nice=10\n\
         IOSchedulingClass=idle\n"
    )
}

fn systemd_timer(cadence: Cadence) -> String {
    let calendar = match cadence {
        Cadence::Hourly => "hourly",
        Cadence::Daily => "*-*-* 02:00:00",
        Cadence::Weekly => "Mon *-*-* 02:00:00",
    };
    format!(
        "# Written by `portcullis monitor install`; `portcullis monitor uninstall` removes it.\n\
         [Unit]\n\
         Description=Portcullis: the monitoring check, {words}\n\
         \n\
         [Timer]\n\
         OnCalendar={calendar}\n\
         # After a sleep or a shutdown that missed a run: one run, not one per slot.\n\
         Persistent=true\n\
         RandomizedDelaySec=5min\n\
         \n\
         [Install]\n\
         WantedBy=timers.target\n",
        words = cadence_words(cadence)
    )
}

/// One word of an `ExecStart=` line, quoted as systemd reads it: in double
/// quotes, with `\` and `"` escaped and `%` (a specifier) doubled.
fn systemd_quoted(word: &str) -> String {
    let mut quoted = String::from("\"");
    for c in word.chars() {
        match c {
            '\\' => quoted.push_str("\\\\"),
            '"' => quoted.push_str("\\\""),
            '%' => quoted.push_str("%%"),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

fn launchd_plan(job: &MonitorJob, account: &Account) -> InstallPlan {
    let path = account
        .home
        .join(format!("Library/LaunchAgents/{LAUNCHD_LABEL}.plist"));
    // launchctl wants the agent's domain: the person's GUI session.
    let domain = format!("gui/{}", account.user_id);
    let shown = path.display().to_string();
    InstallPlan {
        scheduler: Scheduler::Launchd,
        activate: vec![vec![
            "launchctl".to_owned(),
            "bootstrap".to_owned(),
            domain.clone(),
            shown.clone(),
        ]],
        deactivate: vec![vec![
            "launchctl".to_owned(),
            "bootout".to_owned(),
            domain,
            shown,
        ]],
        files: vec![PlannedFile {
            path,
            contents: launchd_plist(job),
        }],
    }
}

fn launchd_plist(job: &MonitorJob) -> String {
    let mut arguments = format!(
        "        <string>{}</string>\n",
        xml_text(&job.program.display().to_string())
    );
    for argument in job.arguments() {
        let _ = writeln!(
            arguments,
            "        <string>{}</string>",
            xml_text(&argument)
        );
    }
    // Calendar jobs missed while asleep run once on waking.
    let when = match job.cadence {
        Cadence::Hourly => "    <key>StartCalendarInterval</key>\n    <dict>\n        <key>Minute</key>\n        <integer>0</integer>\n    </dict>\n".to_owned(),
        Cadence::Daily => calendar_dict(None),
        Cadence::Weekly => calendar_dict(Some(1)),
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n\
         <!-- Written by `portcullis monitor install`; `portcullis monitor uninstall` removes it. -->\n\
         <plist version=\"1.0\">\n\
         <dict>\n\
         \x20   <key>Label</key>\n\
         \x20   <string>{LAUNCHD_LABEL}</string>\n\
         \x20   <key>ProgramArguments</key>\n\
         \x20   <array>\n\
         {arguments}\
         \x20   </array>\n\
         {when}\
         \x20   <key>ProcessType</key>\n\
         \x20   <string>Background</string>\n\
         \x20   <key>LowPriorityIO</key>\n\
         \x20   <true/>\n\
         \x20   <key>Nice</key>\n\
         \x20   <integer>10</integer>\n\
         </dict>\n\
         </plist>\n"
    )
}

/// launchd's calendar at 02:00, on `weekday` (1 is Monday) or every day.
fn calendar_dict(weekday: Option<u8>) -> String {
    let mut dict = String::from("    <key>StartCalendarInterval</key>\n    <dict>\n");
    if let Some(day) = weekday {
        let _ = writeln!(
            dict,
            "        <key>Weekday</key>\n        <integer>{day}</integer>"
        );
    }
    dict.push_str(
        "        <key>Hour</key>\n        <integer>2</integer>\n        <key>Minute</key>\n        <integer>0</integer>\n    </dict>\n",
    );
    dict
}

fn task_scheduler_plan(job: &MonitorJob) -> InstallPlan {
    // schtasks reads the task from a file, then the file may go; it is
    // kept beside Portcullis's data so the person can read what was given.
    let path = job.data_dir.join("monitor-task.xml");
    let shown = path.display().to_string();
    InstallPlan {
        scheduler: Scheduler::TaskScheduler,
        activate: vec![
            [
                "schtasks", "/Create", "/TN", TASK_NAME, "/XML", &shown, "/F",
            ]
            .map(str::to_owned)
            .to_vec(),
        ],
        deactivate: vec![
            ["schtasks", "/Delete", "/TN", TASK_NAME, "/F"]
                .map(str::to_owned)
                .to_vec(),
        ],
        files: vec![PlannedFile {
            path,
            contents: task_xml(job),
        }],
    }
}

fn task_xml(job: &MonitorJob) -> String {
    let trigger = match job.cadence {
        Cadence::Hourly => {
            "    <TimeTrigger>\n      <StartBoundary>2026-01-01T00:00:00</StartBoundary>\n      <Repetition>\n        <Interval>PT1H</Interval>\n      </Repetition>\n    </TimeTrigger>\n"
        }
        Cadence::Daily => {
            "    <CalendarTrigger>\n      <StartBoundary>2026-01-01T02:00:00</StartBoundary>\n      <ScheduleByDay>\n        <DaysInterval>1</DaysInterval>\n      </ScheduleByDay>\n    </CalendarTrigger>\n"
        }
        Cadence::Weekly => {
            "    <CalendarTrigger>\n      <StartBoundary>2026-01-05T02:00:00</StartBoundary>\n      <ScheduleByWeek>\n        <WeeksInterval>1</WeeksInterval>\n        <DaysOfWeek>\n          <Monday />\n        </DaysOfWeek>\n      </ScheduleByWeek>\n    </CalendarTrigger>\n"
        }
    };
    let arguments: Vec<String> = job
        .arguments()
        .iter()
        .map(|argument| windows_quoted(argument))
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n\
         <!-- Written by `portcullis monitor install`; `portcullis monitor uninstall` removes the task. -->\n\
         <Task version=\"1.2\" xmlns=\"http://schemas.microsoft.com/windows/2004/02/mit/task\">\n\
         \x20 <RegistrationInfo>\n\
         \x20   <Description>Portcullis: look for ports opened since the last check, {words}.</Description>\n\
         \x20 </RegistrationInfo>\n\
         \x20 <Triggers>\n\
         {trigger}\
         \x20 </Triggers>\n\
         \x20 <Settings>\n\
         \x20   <StartWhenAvailable>true</StartWhenAvailable>\n\
         \x20   <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>\n\
         \x20   <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>\n\
         \x20   <Priority>7</Priority>\n\
         \x20 </Settings>\n\
         \x20 <Actions Context=\"Author\">\n\
         \x20   <Exec>\n\
         \x20     <Command>{program}</Command>\n\
         \x20     <Arguments>{arguments}</Arguments>\n\
         \x20   </Exec>\n\
         \x20 </Actions>\n\
         </Task>\n",
        words = cadence_words(job.cadence),
        program = xml_text(&job.program.display().to_string()),
        arguments = xml_text(&arguments.join(" ")),
    )
}

/// An argument as Windows programs split their command line: quoted when
/// it holds a space or a quote, inner quotes escaped.
fn windows_quoted(argument: &str) -> String {
    if !argument.is_empty() && !argument.contains([' ', '\t', '"']) {
        return argument.to_owned();
    }
    format!("\"{}\"", argument.replace('"', "\\\""))
}

/// Text safe inside an XML element.
fn xml_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(home: &str) -> Account {
        Account {
            home: PathBuf::from(home),
            user_id: 501,
        }
    }

    fn job(cadence: Cadence) -> MonitorJob {
        MonitorJob {
            program: PathBuf::from("/opt/port cullis/bin/portcullis"),
            data_dir: PathBuf::from("/home/sam/100% shop & co"),
            cadence,
        }
    }

    #[test]
    fn systemd_quotes_each_word_and_doubles_percent_signs() {
        let plan = install_plan(
            Scheduler::SystemdUser,
            &job(Cadence::Daily),
            &account("/home/sam"),
        );
        let service = &plan.files[0];
        assert_eq!(
            service.path,
            Path::new("/home/sam/.config/systemd/user/portcullis-monitor.service")
        );
        assert!(
            service.contents.contains(
                "ExecStart=\"/opt/port cullis/bin/portcullis\" \"--data-dir\" \"/home/sam/100%% shop & co\" \"monitor\" \"--once\""
            ),
            "{}",
            service.contents
        );
        let timer = &plan.files[1].contents;
        assert!(timer.contains("OnCalendar=*-*-* 02:00:00"), "{timer}");
        assert!(timer.contains("Persistent=true"), "{timer}");
        assert_eq!(
            plan.activate[1],
            [
                "systemctl",
                "--user",
                "enable",
                "--now",
                "portcullis-monitor.timer"
            ]
        );
    }

    #[test]
    fn launchd_escapes_the_paths_it_names() {
        let plan = install_plan(
            Scheduler::Launchd,
            &job(Cadence::Weekly),
            &account("/Users/sam"),
        );
        let plist = &plan.files[0].contents;
        assert!(
            plist.contains("<string>/home/sam/100% shop &amp; co</string>"),
            "{plist}"
        );
        assert!(
            plist.contains("<key>Weekday</key>\n        <integer>1</integer>"),
            "{plist}"
        );
        assert_eq!(plan.activate[0][2], "gui/501");
    }

    #[test]
    fn windows_quotes_arguments_with_spaces() {
        let plan = install_plan(
            Scheduler::TaskScheduler,
            &job(Cadence::Hourly),
            &account("C:/Users/sam"),
        );
        let task = &plan.files[0].contents;
        assert!(
            task.contains("<Arguments>--data-dir &quot;/home/sam/100% shop &amp; co&quot; monitor --once</Arguments>"),
            "{task}"
        );
        assert!(task.contains("<Interval>PT1H</Interval>"), "{task}");
    }
}
