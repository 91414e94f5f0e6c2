//! Monitoring in the real window against the netlab: the dashboard's
//! "Check now" runs a monitoring check of the web shop; a port opened in
//! the web host's namespace afterwards shows on the dashboard as new after
//! the next check, with one notification kept and shown on the desktop.
//! A schedule is set through the form, and a bad pace is refused beside
//! its field. The segmentation test run from the window, where the app
//! reaches the web shop, fails and names what answered.
//!
//! Runs inside the netlab's scanner namespace, as `netlab_walk` does
//! (`cargo xtask test` starts it there), and refuses to run anywhere else.

use std::net::TcpListener;

use anyhow::{Context, Result, ensure};
use portcullis_e2e::AppSession;
use portcullis_e2e::cli::{portcullis, refuse_outside_the_netlab};

const WEB: (&str, &str) = ("pcl-web", "198.18.0.10");
/// A port the quick check covers that no netlab daemon listens on.
const OPENED_PORT: u16 = 8081;

/// Clicks "Check now" and waits for its answer to contain `expected`.
async fn check_now(app: &AppSession, expected: &str) -> Result<String> {
    app.click("[data-test=monitor-now]").await?;
    app.wait_for_text_within(
        "[data-test=monitor-result]",
        expected,
        std::time::Duration::from_secs(120),
    )
    .await
}

#[tokio::test]
#[ignore = "needs the netlab, the app and drivers: run `cargo xtask test`"]
async fn a_port_opened_between_checks_shows_on_the_dashboard_and_is_notified_once() -> Result<()> {
    refuse_outside_the_netlab();
    portcullis_e2e::run("dashboard-monitoring", async |app| {
        // The app migrates the new database first; the CLI then finds it
        // ready.
        app.wait_for_attribute("[data-test=database-badge]", "data-state", "ready")
            .await?;
        portcullis(
            app,
            &[
                "systems",
                "add",
                "Web shop",
                "--address",
                WEB.1,
                "--role",
                "web-server",
                "--scope",
                "cde",
                "--exposure",
                "internal",
            ],
        )?;
        app.click("[data-test=nav-dashboard]").await?;
        app.wait_for_element("[data-test=schedule-form]").await?;
        app.screenshot_both_themes("dashboard-1-empty").await?;

        // The systems' names are loaded and drawn when the person reaches
        // for the select of what to check, not with the page.
        app.wait_for_count("[data-test=schedule-target] option", 1)
            .await?;
        app.tab_to("[data-test=schedule-target]").await?;
        app.wait_for_count("[data-test=schedule-target] option", 2)
            .await?;
        let choices = app.text_of("[data-test=schedule-target]").await?;
        ensure!(choices.contains("Web shop"), "{choices}");

        // A pace of zero is refused beside its field; a daily schedule at
        // night is kept.
        app.type_into("[data-test=schedule-rate]", "0").await?;
        app.click("[data-test=schedule-add]").await?;
        app.wait_for_text("[data-test=error-schedule-rate]", "probes per second")
            .await?;
        app.type_into("[data-test=schedule-rate]", "200").await?;
        app.click("[data-test=schedule-add]").await?;
        let schedule = app
            .wait_for_text("[data-test=schedule]", "Every system in scope: every day")
            .await?;
        ensure!(schedule.contains("between 02:00 and 05:00"), "{schedule}");

        // The first check finds the web shop's ports, none in an inventory.
        check_now(app, "need your attention").await?;
        let listener =
            portcullis_netlab::in_namespace(WEB.0, || TcpListener::bind((WEB.1, OPENED_PORT)))?
                .context("port 8081 is free in the web host")?;
        let said = check_now(app, "1 change needs your attention").await?;
        drop(listener);
        let newest = app.text_of("[data-test=alert]").await?;
        ensure!(
            newest.contains(&format!("Port {OPENED_PORT}/tcp on Web shop")),
            "the newest alert is the opened port: {newest}"
        );
        app.wait_for_text(
            "[data-test=notification]",
            &format!("New: Port {OPENED_PORT}/tcp"),
        )
        .await?;
        app.scroll_to("[data-test=alerts-summary]").await?;
        app.screenshot_both_themes("dashboard-2-new-port").await?;

        let kept: serde_json::Value =
            serde_json::from_str(&portcullis(app, &["monitor", "notifications", "--json"])?)?;
        let about_the_port: Vec<&serde_json::Value> = kept
            .as_array()
            .context("a list")?
            .iter()
            .filter(|n| {
                n["title"]
                    .as_str()
                    .unwrap_or("")
                    .contains(&OPENED_PORT.to_string())
            })
            .collect();
        ensure!(about_the_port.len() == 1, "one notification record: {kept}");
        ensure!(
            !about_the_port[0]["shown_at"].is_null(),
            "the desktop showed it: {kept} ({said})"
        );

        // The segmentation test from where the app runs, the scanner's
        // namespace, which reaches the web shop: it fails, naming the ports.
        app.click("[data-test=segmentation-start]").await?;
        app.wait_for_text("[data-test=error-segmentation-network]", "network")
            .await?;
        app.type_into("[data-test=field-segmentation-network]", "Office network")
            .await?;
        app.click("[data-test=segmentation-start]").await?;
        app.wait_for_attribute("[data-test=segmentation-outcome]", "data-passed", "false")
            .await?;
        let answers = app.text_of("[data-test=segmentation-answers]").await?;
        ensure!(answers.contains("198.18.0.10 port 22/tcp"), "{answers}");
        app.scroll_to("[data-test=segmentation-form]").await?;
        app.screenshot_both_themes("dashboard-3-segmentation-failed")
            .await?;
        let recorded = portcullis(app, &["segmentation", "list"])?;
        ensure!(recorded.contains("Office network"), "{recorded}");

        app.click("[data-test=alerts-seen]").await?;
        app.wait_for_text("[data-test=alerts-summary]", "You have seen all")
            .await?;
        let problems = app
            .accessibility_problems(&std::fs::read_to_string(
                std::env::var("PORTCULLIS_AXE_CORE").context("PORTCULLIS_AXE_CORE")?,
            )?)
            .await?;
        ensure!(problems.is_empty(), "axe-core: {problems:#?}");
        Ok(())
    })
    .await
}
