//! `cargo xtask test`: every test the project has, in the order that fails
//! fastest: formatting, lints, unit and integration tests, then the real
//! window.
//!
//! A class of tests that cannot run here (no display, say) fails the run,
//! loudly, unless `--allow-skip` was given; then it is skipped, just as
//! loudly, and the summary says so. CI never passes `--allow-skip`.

use std::path::Path;
use std::time::Instant;

use anyhow::{Result, bail};

use crate::compile::{self, APP_FEATURES};
use crate::{cmd, display, paths, setup};

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

/// Unit and integration tests of every crate, and the end-to-end tests
/// (the real app in a real window, driven over WebDriver) when they can run.
fn run_tests(report: &mut Report, app: &Path) -> Result<()> {
    const END_TO_END: &str = "end-to-end";
    let mut cargo = cmd::command("cargo");
    cargo.args(["test", "--workspace", "--features", APP_FEATURES, "--"]);
    let display = match end_to_end_blocker() {
        Some(reason) => {
            report.cannot_run(END_TO_END, reason)?;
            None
        }
        None => Some(display::ensure()?),
    };
    if let Some(display) = &display {
        let tauri_driver = paths::tools_root().join("bin/tauri-driver");
        cargo
            .arg("--include-ignored")
            .env("PORTCULLIS_APP", app)
            .env("PORTCULLIS_TAURI_DRIVER", &tauri_driver)
            .env("PORTCULLIS_WEBKIT_DRIVER", WEBKIT_DRIVER);
        display.apply_to(&mut cargo);
    }
    cmd::run(&mut cargo)?;
    report.passed("unit and integration");
    if display.is_some() {
        report.passed(END_TO_END);
    }
    Ok(())
}

const WEBKIT_DRIVER: &str = "/usr/bin/WebKitWebDriver";

/// Why the end-to-end tests cannot run here, if they cannot.
fn end_to_end_blocker() -> Option<String> {
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
