//! The Scans page against the netlab, in the real window: two scans of
//! the web shop started from the page (through the guided Scan step it
//! leads to), a port opened in the web host's namespace between them, and
//! the two compared side by side: the port opened, said against the
//! inventory.
//!
//! Then a failing finding (the web shop's self-signed certificate, seen
//! from the internet) is disputed with the ASV from its own page.
//!
//! Runs inside the netlab's scanner namespace, as `netlab_walk` does
//! (`cargo xtask test` starts it there), and refuses to run anywhere else.

use std::net::TcpListener;
use std::time::Duration;

use anyhow::{Context, Result, ensure};
use portcullis_e2e::AppSession;
use portcullis_e2e::cli::{portcullis, refuse_outside_the_netlab};
use portcullis_e2e::decisions::dispute;

const WEB: (&str, &str) = ("pcl-web", "198.18.0.10");
/// A port the quick scan covers that no netlab daemon listens on.
const OPENED_PORT: u16 = 8081;
const SCAN_PATIENCE: Duration = Duration::from_secs(120);

/// Starts a quick scan from the Scans page and waits for its end.
async fn scan_from_the_scans_page(app: &AppSession) -> Result<()> {
    app.click("[data-test=nav-scans]").await?;
    app.click("[data-test=scan-new]").await?;
    app.wait_for_attribute("[data-test=page]", "data-step", "scan")
        .await?;
    let targets = app.text_of("[data-test=scan-targets]").await?;
    ensure!(
        targets.contains(WEB.1) && !targets.contains("127.0.0.1"),
        "only the netlab's web shop is scanned: {targets}"
    );
    app.click("[data-test=scan-quick]").await?;
    app.click("[data-test=permission-box]").await?;
    app.click("[data-test=scan-start]").await?;
    app.wait_for_text_within("[data-test=scan-outcome]", "finished", SCAN_PATIENCE)
        .await?;
    Ok(())
}

#[tokio::test]
#[ignore = "needs the netlab, the app and drivers: run `cargo xtask test`"]
async fn two_scans_started_from_the_scans_page_are_compared_side_by_side() -> Result<()> {
    refuse_outside_the_netlab();
    portcullis_e2e::run("netlab-pages-scans", async |app| {
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
                "external",
            ],
        )?;

        scan_from_the_scans_page(app).await?;
        let listener =
            portcullis_netlab::in_namespace(WEB.0, || TcpListener::bind((WEB.1, OPENED_PORT)))?
                .context("port 8081 is free in the web host")?;
        scan_from_the_scans_page(app).await?;
        drop(listener);

        app.click("[data-test=nav-scans]").await?;
        app.wait_for_count("[data-test=scan-row]", 2).await?;
        app.click("[data-test=scan-row]:nth-child(1) [data-test=scan-tick]")
            .await?;
        app.click("[data-test=scan-row]:nth-child(2) [data-test=scan-tick]")
            .await?;
        app.click("[data-test=scan-compare]").await?;
        let changes = app
            .wait_for_text(
                "[data-test=compare-changes]",
                &format!("{OPENED_PORT}/tcp opened"),
            )
            .await?;
        ensure!(
            changes.contains(WEB.1) && changes.contains("inventory"),
            "{changes}"
        );
        app.screenshot_both_themes("netlab-scans-compared").await?;
        let problems = app
            .accessibility_problems_in_both_themes("two netlab scans compared")
            .await?;
        ensure!(problems.is_empty(), "axe-core: {problems:#?}");

        // A failing finding disputed from its own page: the certificate the
        // web shop shows the internet is self-signed (found through the
        // kind filter); the shop says a CDN's certificate is what
        // customers see.
        app.click("[data-test=nav-findings]").await?;
        app.click("[data-test=filter-kind] option[value=certificate-self-signed]")
            .await?;
        app.wait_for_text("[data-test=findings-count]", "finding")
            .await?;
        app.click("[data-test=finding-row] [data-test=finding-link]")
            .await?;
        dispute(
            app,
            "[data-test=finding-decision]",
            "Customers reach the shop through our content delivery network, whose certificate a public authority issued; only the network reaches this address",
            None,
        )
        .await?;
        app.reload().await?;
        app.wait_for_text("[data-test=finding-status]", "Disputed with the ASV")
            .await?;
        app.screenshot_both_themes("netlab-finding-disputed").await?;
        let problems = app
            .accessibility_problems_in_both_themes("a disputed finding's page")
            .await?;
        ensure!(problems.is_empty(), "axe-core: {problems:#?}");
        let stored = portcullis(app, &["findings", "--status", "disputed", "--json"])?;
        ensure!(stored.contains("Sam Owner"), "{stored}");
        Ok(())
    })
    .await
}
