//! `cargo xtask`: everything a developer or CI does to this project, as one
//! command each, so that a newcomer and CI run exactly the same steps.
//!
//! - `setup`: install what the build, the app and the tests need (idempotent,
//!   quiet when all is present).
//! - `run`: setup, build the UI and the app, open the window.
//! - `test`: setup, then every test, the real-window ones included.
//! - `bench`: measurements, as medians over several runs.
//! - `bundle`: the Linux installer (.deb), and the test that installs it
//!   into a clean Debian root.

mod bench;
mod bench_app;
mod bench_documents;
mod bench_judge;
mod bench_netlab;
mod bench_pages;
mod bench_probes;
mod bench_scan;
mod bench_store;
mod bench_tray;
mod bundle;
mod cmd;
mod compile;
mod cross;
mod display;
mod iana;
mod install_test;
mod paths;
mod setup;
mod test;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "cargo xtask", about = "Portcullis project automation")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Debug, Subcommand)]
enum Task {
    /// Install the Debian packages, the wasm32 target and the pinned build
    /// tools (trunk, wasm-bindgen-cli, tauri-driver, cargo-fuzz; tauri-cli
    /// and axe-core from npm).
    Setup,
    /// Build the Linux installer: a .deb with the app, the raw-socket
    /// helper (the only file given CAP_NET_RAW, by its post-install), icons,
    /// a desktop entry and the app's metadata.
    Bundle {
        /// Package a debug build (quicker; what the install test uses).
        #[arg(long)]
        debug: bool,
        /// Then install it into a clean Debian root and launch it there
        /// (needs root).
        #[arg(long)]
        install_test: bool,
        /// Take the .deb already built (with `--install-test`).
        #[arg(long)]
        no_build: bool,
    },
    /// Build the UI and the desktop app, then open the window.
    Run {
        /// Optimised build (LTO; the UI goes through wasm-opt).
        #[arg(long)]
        release: bool,
        /// Arguments for the app, e.g. `-- --data-dir /tmp/portcullis`.
        #[arg(last = true)]
        app_args: Vec<OsString>,
    },
    /// Regenerate assets/iana/services.tsv from IANA's port registry.
    Iana,
    /// The isolated test network: `up`, `down`, `status` (needs root).
    Netlab {
        #[command(subcommand)]
        action: NetlabAction,
    },
    /// Measure: `app` (launch, memory and clicks while scans stream),
    /// `startup` (launch to usable UI, memory), `scan` (against
    /// nmap and masscan in the netlab; needs root), `probes` (service
    /// identification against nmap -sV in the netlab; needs root), `store`
    /// (the database at scale).
    Bench {
        #[command(subcommand)]
        what: BenchTarget,
    },
    /// Run every test: formatting, lints, unit and integration tests, and the
    /// end-to-end tests in a real window.
    Test {
        /// Let a class of tests that cannot run here be skipped (loudly)
        /// instead of failing. CI never passes this.
        #[arg(long)]
        allow_skip: bool,
    },
}

#[derive(Debug, Subcommand)]
enum NetlabAction {
    /// Create the namespaces, start the daemons, check isolation.
    Up,
    /// Remove everything the netlab made, even after a crash.
    Down,
    /// Show what exists and listens, and whether isolation holds.
    Status,
}

#[derive(Debug, Subcommand)]
enum BenchTarget {
    /// The release app as a merchant feels it: launch to interactive, the
    /// memory of the app and its WebKit processes idle and while full scans
    /// of 127.0.0.1 stream into the window, and how soon a click shows
    /// meanwhile.
    App {
        /// How many launches the launch time's median is taken over.
        #[arg(long, default_value_t = 5)]
        launches: usize,
        /// Leave WebKitGTK's memory settings at WebKit's defaults (the
        /// figures before src-tauri/src/webview_memory.rs, same binary).
        #[arg(long)]
        webkit_defaults: bool,
        /// Measure the release binary already built, without building.
        #[arg(long)]
        no_build: bool,
    },
    /// What watching from the tray costs: the PSS of the app and its
    /// WebKit processes with the window open and after it closed to the
    /// tray (whose web process must end while the app stays), and started
    /// at login with no window; checks that closing quits when the choice
    /// is off.
    Tray {
        /// How many runs the medians are taken over.
        #[arg(long, default_value_t = 3)]
        runs: usize,
        /// Measure the optimised build.
        #[arg(long)]
        release: bool,
        /// Measure the binary already built, without building.
        #[arg(long)]
        no_build: bool,
    },
    /// The Dashboard, Inventory and Findings pages on the store bench's
    /// database in the release app: navigation to interactive, and the
    /// frames while the inventory scrolls.
    Pages {
        /// How many navigations each page's median is taken over.
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// Measure the release binary already built, without building.
        #[arg(long)]
        no_build: bool,
    },
    /// Launch the desktop app repeatedly: time to a usable UI, and memory.
    Startup {
        /// How many launches the medians are taken over.
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// Measure the optimised build.
        #[arg(long)]
        release: bool,
    },
    /// Portcullis, nmap and masscan on the same netlab hosts, in one run.
    Scan {
        /// How many runs the medians are taken over.
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// What Portcullis fails each netlab host on, judged as an
    /// internet-facing card data system, beside nmap's NSE scripts
    /// (ssl-enum-ciphers, ssh2-enum-algos, http-git) on the same ports:
    /// a Markdown table.
    Judge,
    /// Service identification (-sV) of every open netlab port, host by
    /// host, against nmap -sV on the same ports in the same run; and what
    /// a port that accepts and never speaks costs.
    Probes {
        /// How many runs the medians are taken over.
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// How many times nmap -sV is run on the silent port (it walks its
        /// whole probe list there, minutes each time); 0 skips it.
        #[arg(long, default_value_t = 1)]
        nmap_silent_runs: usize,
    },
    /// Documents: importing a 200 MB nmap XML file (96,000 hosts) (time and peak memory),
    /// and the inventory PDF of 50 systems with 500 entries.
    Documents {
        /// How many runs the medians are taken over.
        #[arg(long, default_value_t = 3)]
        runs: usize,
        /// Hosts in the generated nmap XML file: fewer for a quick
        /// iteration; the goals hold for the default only.
        #[arg(long, default_value_t = bench_documents::HOSTS)]
        hosts: u32,
    },
    /// The database at scale (5,000 systems, 20,000 inventory entries,
    /// 2,000,000 port observations): judging a scan, the dashboard, a diff.
    Store {
        /// How many runs the medians are taken over.
        #[arg(long, default_value_t = 9)]
        runs: usize,
        /// Rebuild the generated database even if it is up to date.
        #[arg(long)]
        regenerate: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.task {
        Task::Setup => setup::run(),
        Task::Bundle {
            debug,
            install_test,
            no_build,
        } => match no_build {
            true => bundle::built(debug),
            false => bundle::build(debug),
        }
        .and_then(|deb| match install_test {
            true => install_test::run(&deb),
            false => Ok(()),
        }),
        Task::Run { release, app_args } => compile::run_app(release, &app_args),
        Task::Test { allow_skip } => test::run(allow_skip),
        Task::Netlab { action } => netlab(action),
        Task::Iana => iana::run(),
        Task::Bench {
            what: BenchTarget::Startup { runs, release },
        } => bench::startup(runs, release),
        Task::Bench {
            what:
                BenchTarget::App {
                    launches,
                    webkit_defaults,
                    no_build,
                },
        } => bench_app::run(launches, webkit_defaults, no_build),
        Task::Bench {
            what:
                BenchTarget::Tray {
                    runs,
                    release,
                    no_build,
                },
        } => bench_tray::run(runs, release, no_build),
        Task::Bench {
            what: BenchTarget::Pages { runs, no_build },
        } => bench_pages::run(runs, no_build),
        Task::Bench {
            what: BenchTarget::Scan { runs },
        } => bench_scan::run(runs),
        Task::Bench {
            what:
                BenchTarget::Probes {
                    runs,
                    nmap_silent_runs,
                },
        } => bench_probes::run(runs, nmap_silent_runs),
        Task::Bench {
            what: BenchTarget::Store { runs, regenerate },
        } => bench_store::run(runs, regenerate),
        Task::Bench {
            what: BenchTarget::Judge,
        } => bench_judge::run(),
        Task::Bench {
            what: BenchTarget::Documents { runs, hosts },
        } => bench_documents::run(runs, hosts),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("\nxtask: error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn netlab(action: NetlabAction) -> anyhow::Result<()> {
    match action {
        NetlabAction::Up => {
            setup::run()?;
            portcullis_netlab::up()?;
            print!("{}", portcullis_netlab::status()?);
        }
        NetlabAction::Down => portcullis_netlab::down()?,
        NetlabAction::Status => print!("{}", portcullis_netlab::status()?),
    }
    Ok(())
}
