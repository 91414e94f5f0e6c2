//! `cargo xtask test`: every test the project has, in the order that fails
//! fastest: formatting, lints, unit and integration tests, then the real
//! window, the netlab, and the installed package.
//!
//! A class of tests that cannot run here (no display, say) fails the run,
//! loudly, unless `--allow-skip` was given; then it is skipped, just as
//! loudly, and the summary says so. CI never passes `--allow-skip`.

use std::path::Path;
use std::time::Instant;

use anyhow::{Result, bail};

use crate::compile::{self, APP_FEATURES};
use crate::{bundle, cmd, cross, display, install_test, paths, setup};

/// Records which classes ran and which were skipped.
struct Report {
    allow_skip: bool,
    passed: Vec<&'static str>,
    skipped: Vec<(&'static str, String)>,
}

impl Report {
    fn passed(&mut self, class: &'static str) {
        self.passed.push(class);
    }

    /// A class cannot run: fail, or with `--allow-skip`, note it and go on.
    fn cannot_run(&mut self, class: &'static str, reason: String) -> Result<()> {
        if !self.allow_skip {
            bail!(
                "cannot run the {class} tests: {reason}\n(pass --allow-skip to skip them; CI never does)"
            );
        }
        eprintln!("\n!!!!!!!! SKIPPING the {class} tests: {reason} !!!!!!!!\n");
        self.skipped.push((class, reason));
        Ok(())
    }

    fn print_summary(&self, started: Instant) {
        eprintln!(
            "\nxtask test: {} classes passed ({}) in {:.0} s",
            self.passed.len(),
            self.passed.join(", "),
            started.elapsed().as_secs_f64()
        );
        for (class, reason) in &self.skipped {
            eprintln!("xtask test: SKIPPED {class}: {reason}");
        }
    }
}

pub fn run(allow_skip: bool) -> Result<()> {
    let started = Instant::now();
    let mut report = Report {
        allow_skip,
        passed: Vec::new(),
        skipped: Vec::new(),
    };
    setup::run()?;

    cmd::run(cmd::command("cargo").args(["fmt", "--all", "--check"]))?;
    report.passed("format");
    check_other_platforms()?;
    report.passed("Windows and macOS check");

    // The app embeds ui/dist, so the UI is built before anything compiles
    // the app, clippy included.
    compile::build_ui(false)?;
    cmd::run(cmd::command("cargo").args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--features",
        APP_FEATURES,
        "--",
        "-D",
        "warnings",
    ]))?;
    report.passed("lint");

    // One build serves the app and every test: `--all-targets` unifies
    // features the way `cargo test` does, so nothing compiles twice.
    let app = compile::build_workspace()?;
    run_tests(&mut report, &app)?;

    report.print_summary(started);
    Ok(())
}

/// The engine must keep compiling where the desktop app will run:
/// `cargo check` of the model and the scanner (see `cross.rs`).
fn check_other_platforms() -> Result<()> {
    for target in &setup::RUST_TARGETS[1..] {
        cross::check(target)?;
    }
    Ok(())
}

/// Every test of every crate, then each class that needs more than
/// `cargo test` gives (the app in a window, the netlab) through its own test
/// target, run with `--ignored`.
fn run_tests(report: &mut Report, app: &Path) -> Result<()> {
    let mut tests = workspace_tests();
    if report.allow_skip {
        // Tests that need a local daemon (sshd, openssl) fail when it
        // cannot run, unless told that skipping is allowed.
        tests.env("PORTCULLIS_ALLOW_SKIP", "1");
    }
    cmd::run(&mut tests)?;
    report.passed("unit and integration");
    run_fuzz()?;
    report.passed("fuzz");
    run_end_to_end(report, app)?;
    run_netlab(report, app)?;
    run_install(report)
}

/// The .deb (from a debug build, which is quicker and packaged the same
/// way) installed into a clean Debian root and launched there
/// (`install_test.rs`).
fn run_install(report: &mut Report) -> Result<()> {
    const CLASS: &str = "installed package";
    if !cmd::is_root() {
        return report.cannot_run(CLASS, "debootstrap and chroot need root".into());
    }
    if let Some(reason) = window_missing() {
        return report.cannot_run(CLASS, format!("its window: {reason}"));
    }
    let deb = bundle::build(true)?;
    install_test::run(&deb)?;
    report.passed(CLASS);
    Ok(())
}

/// `cargo test` over the whole workspace with the app's features, so it
/// reuses the one build.
fn workspace_tests() -> std::process::Command {
    let mut cargo = cmd::command("cargo");
    cargo.args(["test", "--workspace", "--features", APP_FEATURES]);
    cargo
}

/// The ignored tests of some test targets (`--test NAME` each).
fn ignored_tests(targets: &[&str]) -> std::process::Command {
    let mut cargo = workspace_tests();
    cargo.args(ignored_test_args(targets));
    cargo
}

/// What follows `cargo test --workspace --features …` to run the ignored
/// tests of `targets` one at a time.
fn ignored_test_args<'a>(targets: &[&'a str]) -> Vec<&'a str> {
    let mut args = Vec::new();
    for target in targets {
        args.extend(["--test", target]);
    }
    args.extend(["--", "--ignored", "--test-threads=1"]);
    args
}

/// The test targets of tests/netlab that need the netlab up (and root).
const NETLAB_TESTS: &[&str] = &[
    "netlab",
    "compliance",
    "services",
    "monitoring",
    "segmentation",
];

/// How long libFuzzer runs each target of `fuzz/`.
const FUZZ_SECONDS_PER_TARGET: u32 = 5;

/// Every cargo-fuzz target (one per parser of server responses) for a few
/// seconds: a parser that panics on what the seeds and the corpus grown so
/// far lead to fails the run. One `cargo fuzz build` first builds every
/// target at once (the first time takes minutes; later ones rebuild only
/// what changed), so each run starts at once. New inputs libFuzzer finds
/// stay in the (ignored) corpus, so each run starts where the last ended.
fn run_fuzz() -> Result<()> {
    cmd::run(cargo_fuzz().arg("build"))?;
    let listing = cmd::output(cargo_fuzz().arg("list"))
        .ok_or_else(|| anyhow::anyhow!("`cargo fuzz list` failed in fuzz/"))?;
    let time_limit = format!("-max_total_time={FUZZ_SECONDS_PER_TARGET}");
    for target in listing.split_whitespace() {
        cmd::run(cargo_fuzz().args(["run", target, "--", &time_limit]))?;
    }
    Ok(())
}

/// `cargo fuzz` in `fuzz/`, on the stable toolchain: cargo-fuzz needs
/// nightly-only flags (sanitizers), which `RUSTC_BOOTSTRAP=1` unlocks.
fn cargo_fuzz() -> std::process::Command {
    let mut cargo = cmd::command("cargo");
    cargo
        .arg("fuzz")
        .current_dir(paths::workspace_root().join("fuzz"))
        .env("RUSTC_BOOTSTRAP", "1");
    cargo
}

const WEBKIT_DRIVER: &str = "/usr/bin/WebKitWebDriver";

/// The real app in a real window, driven over WebDriver.
fn run_end_to_end(report: &mut Report, app: &Path) -> Result<()> {
    const CLASS: &str = "end-to-end";
    if let Some(reason) = window_missing() {
        return report.cannot_run(CLASS, reason);
    }
    let display = display::ensure()?;
    // Setup installed axe-core; the variable is always set here, so a test
    // that checks accessibility fails when the script is missing instead of
    // skipping the check, as it may in a run by hand.
    let axe_core = setup::axe_core_script();
    if !axe_core.is_file() {
        bail!(
            "axe-core is missing ({}): run `cargo xtask setup`",
            axe_core.display()
        );
    }
    // `review_to_done` scans 127.0.0.1 only (ports its test opens);
    // `accessibility` checks steps 1 to 3 with axe-core, and review_to_done
    // steps 4 to 7; `documents` answers the app's file dialogs with xdotool;
    // `pages` drives the Systems and Findings pages, scanning 127.0.0.1
    // only, with the CLI writing what a page must then show.
    let mut cargo = ignored_tests(&[
        "e2e",
        "review_to_done",
        "accessibility",
        "documents",
        "pages",
    ]);
    drive_window(&mut cargo, app, &display);
    cargo.env(
        "PORTCULLIS_CLI",
        paths::target_dir().join("debug/portcullis"),
    );
    cmd::run(&mut cargo)?;
    report.passed(CLASS);
    Ok(())
}

/// Why the app cannot be shown and driven here, if it cannot.
fn window_missing() -> Option<String> {
    if !cmd::exists(WEBKIT_DRIVER) {
        return Some(format!(
            "{WEBKIT_DRIVER} is missing (Debian package webkit2gtk-driver)"
        ));
    }
    if !display::available() {
        return Some("no display, and Xvfb is not installed".into());
    }
    None
}

/// Tells the end-to-end tests in `cargo` which app to drive, with which
/// drivers, on which display, and where axe-core is.
fn drive_window(cargo: &mut std::process::Command, app: &Path, display: &display::Display) {
    cargo
        .env("PORTCULLIS_APP", app)
        .env(
            "PORTCULLIS_TAURI_DRIVER",
            paths::tools_root().join("bin/tauri-driver"),
        )
        .env("PORTCULLIS_WEBKIT_DRIVER", WEBKIT_DRIVER)
        .env("PORTCULLIS_AXE_CORE", setup::axe_core_script());
    display.apply_to(cargo);
}

/// The end-to-end tests that scan the netlab: the app, its drivers and the
/// tests themselves run inside the scanner namespace (after the netlab
/// checked its isolation), so the window can reach the netlab's hosts and
/// nothing else. The X display is reached through its socket file, which a
/// network namespace does not hide.
fn run_netlab_walk(app: &Path, cli: &Path) -> Result<()> {
    let display = display::ensure()?;
    let mut cargo = portcullis_netlab::scanner_command(Path::new("cargo"))?;
    cargo
        .args(["test", "--workspace", "--features", APP_FEATURES])
        .args(ignored_test_args(&[
            "netlab_walk",
            "netlab_monitoring",
            "netlab_pages",
        ]))
        .env("PATH", paths::path_with_tools())
        .env("PORTCULLIS_CLI", cli)
        .current_dir(paths::workspace_root());
    drive_window(&mut cargo, app, &display);
    cmd::run(&mut cargo)
}

/// Scans in the isolated netlab, compared with ground truth and nmap, then
/// the guided check in the window against the netlab's hosts. The netlab is
/// torn down afterwards whatever happened.
fn run_netlab(report: &mut Report, app: &Path) -> Result<()> {
    const CLASS: &str = "netlab";
    if !portcullis_netlab::is_root() {
        return report.cannot_run(CLASS, "the netlab needs root (network namespaces)".into());
    }
    if let Some(reason) = window_missing() {
        return report.cannot_run(CLASS, format!("its walk-through in the window: {reason}"));
    }
    eprintln!("$ cargo xtask netlab up");
    if let Err(error) = portcullis_netlab::up() {
        // Never leave namespaces behind, even when a daemon did not answer.
        eprintln!("$ cargo xtask netlab down (after a failed up)");
        portcullis_netlab::down()?;
        return Err(error);
    }
    let cli = paths::target_dir().join("debug/portcullis");
    let outcome = cmd::run(ignored_tests(NETLAB_TESTS).env("PORTCULLIS_CLI", &cli))
        .and_then(|()| run_netlab_walk(app, &cli));
    eprintln!("$ cargo xtask netlab down");
    portcullis_netlab::down()?;
    outcome?;
    report.passed(CLASS);
    Ok(())
}
