//! `cargo xtask test`: every test the project has, in the order that fails
//! fastest: formatting, lints, unit and integration tests, then the real
//! window.
//!
//! A class of tests that cannot run here (no display, say) fails the run,
//! loudly, unless `--allow-skip` was given; then it is skipped, just as
//! loudly, and the summary says so. CI never passes `--allow-skip`.

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

    cmd::run(cmd::command("cargo").args(["test", "--workspace", "--features", APP_FEATURES]))?;
    report.passed("unit and integration");

    run_end_to_end(&mut report)?;

    report.print_summary(started);
    Ok(())
}

/// The real app in a real window, driven over WebDriver.
fn run_end_to_end(report: &mut Report) -> Result<()> {
    const CLASS: &str = "end-to-end";
    let webkit_driver = "/usr/bin/WebKitWebDriver";
    if !cmd::exists(webkit_driver) {
        return report.cannot_run(
            CLASS,
            format!("{webkit_driver} is missing (Debian package webkit2gtk-driver)"),
        );
    }
    let display = match display::ensure() {
        Ok(display) => display,
        Err(error) => return report.cannot_run(CLASS, format!("{error:#}")),
    };
    let app = compile::build_app(false)?;
    let tauri_driver = paths::tools_root().join("bin/tauri-driver");
    let mut cargo = cmd::command("cargo");
    cargo
        .args(["test", "--package", "portcullis-e2e"])
        .args(["--", "--ignored", "--test-threads=1"])
        .env("PORTCULLIS_APP", &app)
        .env("PORTCULLIS_TAURI_DRIVER", &tauri_driver)
        .env("PORTCULLIS_WEBKIT_DRIVER", webkit_driver);
    display.apply_to(&mut cargo);
    cmd::run(&mut cargo)?;
    report.passed(CLASS);
    Ok(())
}
