//! The pages a merchant comes back to, in the real window:
//!
//! - Systems: add one with an error beside its field, open, edit, page
//!   through many, find one, remove it;
//! - Scans: filter, open one, compare two; and the Dashboard's charts drawn
//!   from them;
//! - Inventory: filter, sort, save as CSV and bring in a file through the
//!   system's dialogs, approve a port, approve it again with its audit
//!   trail, remove it with a reason; then the audit log on Reports with its
//!   chain checked;
//! - Findings: filter, open one, see its evidence as text, accept it as a
//!   business need;
//! - Settings: the business name, the theme kept across a reload, the scan
//!   permission, a backup to a file and its restore through the system's
//!   file dialogs, and a file that is no backup refused.
//!
//! Each screen is checked by axe-core in both themes, and saved as
//! screenshots in target/e2e/. The scans are of 127.0.0.1 only, of ports
//! the tests open themselves; the CLI (`PORTCULLIS_CLI`) writes on the
//! app's own database what a page must then show, as a second window
//! would.

use std::net::TcpListener;

use anyhow::{Context, Result, ensure};
use fantoccini::key::Key;
use portcullis_e2e::cli::portcullis;
use portcullis_e2e::{AppSession, FileDialog};

/// A port in the scan's list that nothing on a test machine listens on,
/// and that no other test of this binary's run opens at the same time.
const OPENED: u16 = 8000;

async fn no_accessibility_problems(app: &AppSession, screen: &str) -> Result<()> {
    let problems = app.accessibility_problems_in_both_themes(screen).await?;
    ensure!(problems.is_empty(), "axe-core: {problems:#?}");
    Ok(())
}

#[tokio::test]
#[ignore = "needs the built app, a display, tauri-driver, axe-core and the CLI: run `cargo xtask test`"]
async fn systems_are_added_edited_paged_and_removed_on_their_pages() -> Result<()> {
    portcullis_e2e::run("pages-systems", async |app| {
        app.wait_for_attribute("[data-test=database-badge]", "data-state", "ready")
            .await?;
        app.click("[data-test=nav-systems]").await?;
        app.wait_for_text("[data-test=empty-state]", "No systems yet")
            .await?;
        app.screenshot_both_themes("systems-1-empty").await?;

        // A bad address is refused beside its field, and nothing is kept.
        app.type_into("[data-test=field-name]", "Web shop").await?;
        app.type_into("[data-test=field-addresses]", "shop_1")
            .await?;
        app.click("[data-test=system-add]").await?;
        app.wait_for_element("[data-test=error-addresses]").await?;
        no_accessibility_problems(app, "systems, refused").await?;
        app.type_into("[data-test=field-addresses]", "203.0.113.10")
            .await?;
        app.click("[data-test=scope-cde]").await?;
        app.click("[data-test=system-add]").await?;

        // Added, it opens on its own page.
        app.wait_for_text("[data-test=system-title]", "Web shop")
            .await?;
        let lead = app.text_of(".lead").await?;
        ensure!(lead.contains("Handles card data"), "{lead}");
        app.click("[data-test=system-edit-open]").await?;
        app.type_into("[data-test=field-name]", "Web shop (new server)")
            .await?;
        app.click("[data-test=scope-connected]").await?;
        app.click("[data-test=system-save]").await?;
        app.wait_for_text("[data-test=system-title]", "Web shop (new server)")
            .await?;
        app.wait_for_text("[data-test=history]", "Details changed")
            .await?;
        let lead = app.text_of(".lead").await?;
        ensure!(lead.contains("Connected to card data"), "{lead}");
        let stored = portcullis(app, &["systems", "list"])?;
        ensure!(stored.contains("Web shop (new server)"), "{stored}");
        app.scroll_to("[data-test=system-title]").await?;
        app.screenshot_both_themes("systems-2-system-page").await?;
        no_accessibility_problems(app, "a system's page").await?;

        // Many systems: a page of 50 at a time, and a search finds one.
        for number in 1..=55 {
            portcullis(
                app,
                &[
                    "systems",
                    "add",
                    &format!("Till {number}"),
                    "--address",
                    &format!("198.18.1.{number}"),
                    "--role",
                    "payment",
                    "--scope",
                    "cde",
                    "--exposure",
                    "internal",
                ],
            )?;
        }
        app.click("[data-test=nav-systems]").await?;
        app.wait_for_count("[data-test=system-row]", 50).await?;
        app.wait_for_text("[data-test=pager-range]", "1–50 of 56 systems")
            .await?;
        app.click("[data-test=pager-next]").await?;
        app.wait_for_count("[data-test=system-row]", 6).await?;
        app.wait_for_text("[data-test=pager-range]", "51–56 of 56")
            .await?;
        app.type_into("[data-test=system-filter]", "new server")
            .await?;
        app.wait_for_count("[data-test=system-row]", 1).await?;
        app.scroll_to("h1").await?;
        app.screenshot_both_themes("systems-3-list-found").await?;
        no_accessibility_problems(app, "systems, found").await?;

        // By keyboard: to the system's link, Enter opens it; Remove asks
        // first, and the list no longer holds it.
        app.tab_to("[data-test=system-link]").await?;
        app.press(Key::Enter).await?;
        app.wait_for_text("[data-test=system-title]", "Web shop (new server)")
            .await?;
        app.click("[data-test=system-remove]").await?;
        app.wait_for_element("[data-test=dialog][open]").await?;
        app.click("[data-test=dialog-remove]").await?;
        app.wait_for_text("[data-test=pager-range]", "1–50 of 55 systems")
            .await?;
        let stored = portcullis(app, &["systems", "list"])?;
        ensure!(!stored.contains("Web shop"), "{stored}");
        Ok(())
    })
    .await
}

#[tokio::test]
#[ignore = "needs the built app, a display, tauri-driver, axe-core and the CLI: run `cargo xtask test`"]
async fn a_finding_is_filtered_opened_and_accepted_on_its_page() -> Result<()> {
    let listener = TcpListener::bind(("127.0.0.1", OPENED))
        .with_context(|| format!("port {OPENED} on 127.0.0.1 is taken"))?;
    portcullis_e2e::run("pages-findings", async |app| {
        app.wait_for_attribute("[data-test=database-badge]", "data-state", "ready")
            .await?;
        app.click("[data-test=nav-findings]").await?;
        app.wait_for_text("[data-test=empty-state]", "No findings yet")
            .await?;
        portcullis(
            app,
            &[
                "systems",
                "add",
                "This computer",
                "--address",
                "127.0.0.1",
                "--role",
                "web-server",
                "--scope",
                "cde",
                "--exposure",
                "internal",
            ],
        )?;
        portcullis(
            app,
            &["scan", "127.0.0.1", "-p", &OPENED.to_string(), "--save"],
        )?;

        app.reload().await?;
        app.click("[data-test=nav-findings]").await?;
        app.wait_for_element("[data-test=finding-row]").await?;
        let port = format!("Port {OPENED}/tcp");
        app.wait_for_text("[data-test=finding-rows]", &port).await?;
        app.click("[data-test=filter-state] option[value=open]")
            .await?;
        app.click("[data-test=filter-severity] option[value=critical]")
            .await?;
        app.wait_for_element("[data-test=findings-filter-none]")
            .await?;
        app.click("[data-test=filter-severity] option[value='']")
            .await?;
        app.wait_for_text("[data-test=finding-rows]", &port).await?;
        app.screenshot_both_themes("findings-1-list").await?;
        no_accessibility_problems(app, "findings").await?;

        // Its page: what it is, the evidence as text, and the decision.
        app.click(&format!(
            "[data-test=finding-row][data-port='{OPENED}'] [data-test=finding-link]"
        ))
        .await?;
        app.wait_for_text("[data-test=finding-title]", &port)
            .await?;
        let explanation = app.text_of("[data-test=finding-explanation]").await?;
        ensure!(explanation.len() > 40, "an explanation: {explanation}");
        app.wait_for_text("[data-test=finding-status]", "Open")
            .await?;
        app.click("[data-test=finding-decision] [data-test=answer-need]")
            .await?;
        app.type_into(
            "[data-test=finding-decision] [data-test=field-justification]",
            "The stock sync service listens here for the warehouse computer only",
        )
        .await?;
        app.type_into(
            "[data-test=finding-decision] [data-test=field-approver]",
            "Sam Owner",
        )
        .await?;
        app.click("[data-test=finding-decision] [data-test=need-save]")
            .await?;
        app.wait_for_attribute(
            "[data-test=finding-decision] [data-test=answer-status]",
            "data-answer",
            "kept",
        )
        .await?;
        app.reload().await?;
        app.wait_for_text("[data-test=finding-status]", "Accepted as a business need")
            .await?;
        app.wait_for_text("[data-test=finding-answer]", "Sam Owner")
            .await?;
        app.wait_for_text("[data-test=history]", "Accepted as a business need")
            .await?;
        app.screenshot_both_themes("findings-2-finding-accepted")
            .await?;
        app.scroll_to("[data-test=finding-decision]").await?;
        app.screenshot_both_themes("findings-3-finding-decision")
            .await?;
        no_accessibility_problems(app, "a finding's page").await?;
        let stored = portcullis(app, &["findings", "--status", "accepted", "--json"])?;
        ensure!(stored.contains("Sam Owner"), "{stored}");
        Ok(())
    })
    .await?;
    drop(listener);
    Ok(())
}

#[tokio::test]
#[ignore = "needs the built app, a display, tauri-driver, axe-core and the CLI: run `cargo xtask test`"]
async fn an_approval_is_added_renewed_with_its_trail_and_removed_with_a_reason() -> Result<()> {
    portcullis_e2e::run("pages-inventory", async |app| {
        app.wait_for_attribute("[data-test=database-badge]", "data-state", "ready")
            .await?;
        portcullis(
            app,
            &[
                "systems",
                "add",
                "Web shop",
                "--address",
                "203.0.113.10",
                "--role",
                "web-server",
                "--scope",
                "cde",
                "--exposure",
                "external",
            ],
        )?;
        let soon = (chrono::Utc::now() + chrono::Duration::days(10))
            .format("%Y-%m-%d")
            .to_string();
        portcullis(
            app,
            &[
                "inventory",
                "add",
                "--system",
                "Web shop",
                "--port",
                "22",
                "--service",
                "ssh",
                "--justification",
                "The hosting company administers the server over SSH",
                "--approver",
                "Sam Owner",
                "--expires",
                &soon,
            ],
        )?;
        portcullis(
            app,
            &[
                "inventory",
                "add",
                "--system",
                "Web shop",
                "--port",
                "80",
                "--justification",
                "Visitors are sent on to HTTPS",
                "--approver",
                "Sam Owner",
            ],
        )?;
        app.click("[data-test=nav-inventory]").await?;
        app.wait_for_count("[data-test=inventory-row]", 2).await?;

        // Ending within 30 days: only the SSH approval.
        app.click("[data-test=filter-attention] option[value=ending-soon]")
            .await?;
        app.wait_for_count("[data-test=inventory-row]", 1).await?;
        app.wait_for_text("[data-test=inventory-rows]", "Port 22/tcp")
            .await?;
        app.click("[data-test=filter-attention] option[value=all]")
            .await?;
        app.wait_for_count("[data-test=inventory-row]", 2).await?;
        // Sorted by port, then the other way round.
        // The database sorts: the rows follow a moment after the click.
        app.click("th button.sort").await?;
        app.wait_for_text("[data-test=inventory-row]", "Port 22/tcp")
            .await
            .context("ascending by port")?;
        app.click("th button.sort").await?;
        app.wait_for_text("[data-test=inventory-row]", "Port 80/tcp")
            .await
            .context("descending by port")?;
        app.screenshot_both_themes("inventory-1-list").await?;
        no_accessibility_problems(app, "inventory").await?;

        // Saved as a spreadsheet, and brought in from one: a wrong row
        // names its line and nothing is kept; a right file is kept whole.
        let files = tempfile::tempdir()?;
        let saved = files.path().join("port-inventory.csv");
        app.click("[data-test=inventory-export-csv]").await?;
        app.answer_file_dialog("Save the inventory as", FileDialog::Save, &saved)
            .await?;
        app.wait_for_text("[data-test=transfer-done]", "Saved the inventory")
            .await?;
        let text = std::fs::read_to_string(&saved)?;
        ensure!(text.contains("Visitors are sent on to HTTPS"), "{text}");
        let wrong = files.path().join("wrong.csv");
        std::fs::write(
            &wrong,
            "system,port,protocol,justification,approver\n\
             Web shop,25,tcp,Mail from the shop's own server,Sam Owner\n\
             Web shop,99999,tcp,Nothing,Sam Owner\n",
        )?;
        app.click("[data-test=inventory-import]").await?;
        app.answer_file_dialog("Choose the inventory to bring in", FileDialog::Open, &wrong)
            .await?;
        app.wait_for_text("[data-test=transfer-problems]", "line 3")
            .await?;
        app.wait_for_count("[data-test=inventory-row]", 2).await?;
        let right = files.path().join("right.csv");
        std::fs::write(
            &right,
            "system,port,protocol,justification,approver\n\
             Web shop,25,tcp,Mail from the shop's own server,Sam Owner\n",
        )?;
        app.click("[data-test=inventory-import]").await?;
        app.answer_file_dialog("Choose the inventory to bring in", FileDialog::Open, &right)
            .await?;
        app.wait_for_text("[data-test=transfer-done]", "1 added")
            .await?;
        app.wait_for_count("[data-test=inventory-row]", 3).await?;

        // Approving a port: a bad port is refused beside its field.
        app.type_into("[data-test=field-port]", "https").await?;
        app.type_into(
            "[data-test=field-justification]",
            "Customers reach the shop over HTTPS",
        )
        .await?;
        app.type_into("[data-test=field-approver]", "Sam Owner")
            .await?;
        app.click("[data-test=entry-add]").await?;
        app.wait_for_text("[data-test=error-port]", "1 to 65535")
            .await?;
        app.type_into("[data-test=field-port]", "443").await?;
        app.click("[data-test=entry-add]").await?;
        app.wait_for_text("[data-test=entry-title]", "Port 443/tcp on Web shop")
            .await?;

        // Approved again by someone else, until a date: the trail shows it.
        app.type_into("[data-test=field-renew-approver]", "Alex Partner")
            .await?;
        app.click("[data-test=term-until]").await?;
        app.click("[data-test=renew-save]").await?;
        app.wait_for_text("[data-test=entry-approver]", "Alex Partner")
            .await?;
        app.wait_for_text("[data-test=entry-until]", "Until")
            .await?;
        app.wait_for_text("[data-test=history]", "Approval renewed")
            .await?;
        app.scroll_to("[data-test=entry-title]").await?;
        app.screenshot_both_themes("inventory-2-entry-renewed")
            .await?;
        no_accessibility_problems(app, "an approval's page").await?;

        // Removed only with a reason, which the audit log keeps.
        app.click("[data-test=entry-remove]").await?;
        app.wait_for_element("[data-test=dialog][open]").await?;
        app.click("[data-test=dialog-remove]").await?;
        app.wait_for_element("[data-test=error-remove-reason]")
            .await?;
        app.screenshot_both_themes("inventory-3-remove-refused")
            .await?;
        no_accessibility_problems(app, "removal, refused").await?;
        app.type_into(
            "[data-test=field-remove-reason]",
            "The shop moved to a hosted checkout",
        )
        .await?;
        app.click("[data-test=dialog-remove]").await?;
        app.wait_for_count("[data-test=inventory-row]", 3).await?;
        let left = portcullis(app, &["inventory", "list"])?;
        ensure!(!left.contains("443"), "{left}");
        let log = portcullis(app, &["audit", "show", "--json"])?;
        ensure!(log.contains("The shop moved to a hosted checkout"), "{log}");

        // The Reports page shows the log, and its chain holds.
        app.click("[data-test=nav-reports]").await?;
        app.wait_for_text("[data-test=audit-rows]", "Approval removed")
            .await?;
        app.click("[data-test=audit-verify]").await?;
        app.wait_for_attribute("[data-test=audit-chain]", "data-intact", "true")
            .await?;
        app.scroll_to("[data-test=audit-verify]").await?;
        app.screenshot_both_themes("reports-audit-log").await?;
        no_accessibility_problems(app, "the audit log").await?;
        Ok(())
    })
    .await
}

#[tokio::test]
#[ignore = "needs the built app, a display, tauri-driver, axe-core and the CLI: run `cargo xtask test`"]
async fn two_scans_are_listed_opened_and_compared_side_by_side() -> Result<()> {
    /// A port in the scan's list that nothing on a test machine listens on.
    const LATER: u16 = 8888;
    portcullis_e2e::run("pages-scans", async |app| {
        app.wait_for_attribute("[data-test=database-badge]", "data-state", "ready")
            .await?;
        app.click("[data-test=nav-scans]").await?;
        app.wait_for_text("[data-test=empty-state]", "No scans yet")
            .await?;
        portcullis(
            app,
            &[
                "systems",
                "add",
                "This computer",
                "--address",
                "127.0.0.1",
                "--role",
                "web-server",
                "--scope",
                "cde",
                "--exposure",
                "internal",
            ],
        )?;
        let ports = LATER.to_string();
        portcullis(app, &["scan", "127.0.0.1", "-p", &ports, "--save"])?;
        let listener = TcpListener::bind(("127.0.0.1", LATER))
            .with_context(|| format!("port {LATER} on 127.0.0.1 is taken"))?;
        portcullis(app, &["scan", "127.0.0.1", "-p", &ports, "--save"])?;
        drop(listener);

        app.reload().await?;
        app.click("[data-test=nav-scans]").await?;
        app.wait_for_count("[data-test=scan-row]", 2).await?;
        app.type_into("[data-test=filter-target]", "192.0.2.")
            .await?;
        app.wait_for_count("[data-test=scan-row]", 0).await?;
        app.type_into("[data-test=filter-target]", "127.0.0.1")
            .await?;
        app.wait_for_count("[data-test=scan-row]", 2).await?;
        app.click("[data-test=scan-row]:nth-child(1) [data-test=scan-tick]")
            .await?;
        app.click("[data-test=scan-row]:nth-child(2) [data-test=scan-tick]")
            .await?;
        app.wait_for_text("[data-test=compare-hint]", "Ready to compare")
            .await?;
        app.screenshot_both_themes("scans-1-list").await?;
        no_accessibility_problems(app, "scans").await?;

        app.click("[data-test=scan-compare]").await?;
        let changes = app
            .wait_for_text(
                "[data-test=compare-changes]",
                &format!("{LATER}/tcp opened"),
            )
            .await?;
        ensure!(
            changes.contains("inventory"),
            "said against the inventory: {changes}"
        );
        app.wait_for_text("[data-test=compare-summary]", "1 port opened")
            .await?;
        app.screenshot_both_themes("scans-2-compared").await?;
        no_accessibility_problems(app, "two scans compared").await?;

        // The newer scan's page: the port, and the finding judged from it.
        app.click("[data-test=compare-after] a").await?;
        app.wait_for_element(&format!("[data-test=scan-port][data-port='{LATER}']"))
            .await?;
        app.wait_for_text("[data-test=scan-findings]", &format!("Port {LATER}/tcp"))
            .await?;
        app.screenshot_both_themes("scans-3-scan").await?;
        no_accessibility_problems(app, "a scan's page").await?;

        // The dashboard draws the two scans and the open finding, and its
        // bar leads to the findings it counts.
        app.click("[data-test=nav-dashboard]").await?;
        app.wait_for_text("[data-test=system-verdicts]", "This computer")
            .await?;
        app.wait_for_element("[data-test=line-chart]").await?;
        let medium = app.text_of("[data-test=bar][data-key=medium]").await?;
        ensure!(medium.ends_with('1'), "one open Medium finding: {medium}");
        app.screenshot_both_themes("dashboard-4-charts").await?;
        no_accessibility_problems(app, "the dashboard's charts").await?;
        app.click("[data-test=bar][data-key=medium]").await?;
        app.wait_for_count("[data-test=finding-row]", 1).await?;
        app.wait_for_text("[data-test=finding-rows]", &format!("Port {LATER}/tcp"))
            .await?;
        Ok(())
    })
    .await
}

#[tokio::test]
#[ignore = "needs the built app, a display, tauri-driver, xdotool, axe-core and the CLI: run `cargo xtask test`"]
async fn settings_keep_the_theme_and_back_up_and_restore_the_data() -> Result<()> {
    const BACKUP_DIALOG: &str = "Save the backup as";
    const RESTORE_DIALOG: &str = "Choose the backup to restore";
    let files = tempfile::tempdir()?;
    portcullis_e2e::run("pages-settings", async |app| {
        app.wait_for_attribute("[data-test=database-badge]", "data-state", "ready")
            .await?;
        app.click("[data-test=nav-settings]").await?;

        // The theme chosen is the window's, kept across a reload.
        app.click("[data-test=theme-dark]").await?;
        app.wait_for_attribute("html", "data-theme", "dark").await?;
        app.reload().await?;
        app.wait_for_attribute("html", "data-theme", "dark").await?;
        app.click("[data-test=nav-settings]").await?;
        ensure!(
            app.is_ticked("[data-test=theme-dark]").await?,
            "dark stays chosen"
        );
        // The scan pace is kept in the database, across a reload.
        app.click("[data-test=scan-pace-polite]").await?;
        app.reload().await?;
        app.click("[data-test=nav-settings]").await?;
        app.wait_for_element("[data-test=scan-pace-polite]:checked")
            .await?;
        app.scroll_to("[data-test=scan-pace-polite]").await?;
        app.screenshot_both_themes("settings-0-scan-pace").await?;
        app.click("[data-test=theme-system]").await?;
        app.wait_for_count("html[data-theme]", 0).await?;
        app.type_into("[data-test=field-business-name]", "Corner Café Ltd")
            .await?;
        app.click("[data-test=business-save]").await?;
        app.wait_for_text("[data-test=business-saved]", "Corner Café Ltd")
            .await?;
        app.screenshot_both_themes("settings-1-choices").await?;
        let method = app.text_of("[data-test=scan-method]").await?;
        ensure!(method.to_lowercase().contains("scan"), "{method}");

        // A backup holds what was there when it was made; a restore brings
        // exactly that back.
        let add = |name: &str| {
            portcullis(
                app,
                &[
                    "systems",
                    "add",
                    name,
                    "--address",
                    "203.0.113.20",
                    "--role",
                    "office",
                    "--scope",
                    "out-of-scope",
                    "--exposure",
                    "internal",
                ],
            )
        };
        add("Before the backup")?;
        let backup = files.path().join("portcullis-backup.sqlite");
        app.click("[data-test=backup-save]").await?;
        app.answer_file_dialog(BACKUP_DIALOG, FileDialog::Save, &backup)
            .await?;
        app.wait_for_text("[data-test=copy-done]", "Backed up to")
            .await?;
        ensure!(backup.is_file(), "the backup was written");
        app.scroll_to("[data-test=backup-restore]").await?;
        app.screenshot_both_themes("settings-2-backed-up").await?;
        no_accessibility_problems(app, "settings, backed up").await?;

        // A file that is no backup is refused, and nothing changes.
        let junk = files.path().join("holiday-photos.db");
        std::fs::write(&junk, b"not a database at all, just some bytes")?;
        app.click("[data-test=restore-open]").await?;
        app.answer_file_dialog(RESTORE_DIALOG, FileDialog::Open, &junk)
            .await?;
        let refused = app
            .wait_for_text("[data-test=copy-failed]", "Nothing was restored")
            .await?;
        eprintln!("a file that is no backup: {refused}");

        add("After the backup")?;
        app.click("[data-test=restore-open]").await?;
        app.answer_file_dialog(RESTORE_DIALOG, FileDialog::Open, &backup)
            .await?;
        app.wait_for_text("[data-test=copy-done]", "Restored")
            .await?;
        let systems = portcullis(app, &["systems", "list"])?;
        ensure!(
            systems.contains("Before the backup") && !systems.contains("After the backup"),
            "the restore brought back the backup's systems: {systems}"
        );
        app.scroll_to("[data-test=backup-restore]").await?;
        app.screenshot_both_themes("settings-3-restored").await?;
        Ok(())
    })
    .await
}
