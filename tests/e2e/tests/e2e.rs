//! The real app in a real window. One test binary (`--test e2e`) so that
//! `cargo xtask test` can run exactly this class.
//!
//! The Settings page shows what the backend reports about itself.

use anyhow::ensure;

#[tokio::test]
#[ignore = "needs the built app, a display and tauri-driver: run `cargo xtask test`"]
async fn settings_shows_the_version_data_dir_and_database_the_backend_reported() {
    portcullis_e2e::run("settings", async |app| {
        app.click("[data-test=nav-settings]").await?;

        let version = app.text_of("[data-test=app-version]").await?;
        ensure!(
            version == env!("CARGO_PKG_VERSION"),
            "version shown: {version:?}"
        );

        let data_dir = app.text_of("[data-test=data-dir]").await?;
        let expected = app.data_dir().display().to_string();
        ensure!(
            data_dir == expected,
            "data directory shown: {data_dir:?}, expected {expected:?}"
        );

        app.wait_for_attribute("[data-test=database-state]", "data-state", "ready")
            .await?;
        let database_path = app.text_of("[data-test=database-path]").await?;
        ensure!(
            std::path::Path::new(&database_path).starts_with(app.data_dir()),
            "database {database_path:?} is not inside the data directory"
        );
        ensure!(
            std::path::Path::new(&database_path).is_file(),
            "the database file {database_path:?} does not exist"
        );
        // How old the vulnerable-version list is, from the shipped file.
        let shipped = include_str!("../../../assets/advisories/versions.toml");
        let reviewed = shipped
            .lines()
            .find_map(|line| line.strip_prefix("reviewed = \""))
            .and_then(|rest| rest.strip_suffix('"'))
            .expect("the shipped advisories say when they were reviewed");
        app.wait_for_text("[data-test=advisories]", reviewed)
            .await?;
        Ok(())
    })
    .await
    .unwrap();
}

/// Watching from the tray is off until chosen; ticked with the keyboard
/// on the Settings page, it is saved at once and still ticked after a
/// relaunch. (What closing the window then does, and what it frees, is
/// `cargo xtask bench tray`'s: the WebDriver session ends with the window.)
#[tokio::test]
#[ignore = "needs the built app, a display and tauri-driver: run `cargo xtask test`"]
async fn keeping_watch_from_the_tray_is_ticked_by_keyboard_and_kept_after_a_relaunch() {
    use fantoccini::key::Key;

    const KEEP: &str = "[data-test=pref-keep-watching]";
    const PROVIDER: &str = "[data-test=pref-service-provider]";
    portcullis_e2e::run_relaunched(
        "settings-background",
        async |app| {
            app.click("[data-test=nav-settings]").await?;
            app.wait_for_attribute("[data-test=database-state]", "data-state", "ready")
                .await?;
            app.wait_for_count(&format!("{KEEP}:disabled"), 0).await?;
            ensure!(!app.is_ticked(KEEP).await?, "on before the person chose it");
            ensure!(
                !app.is_ticked("[data-test=pref-start-at-login]").await?,
                "start at login is on before the person chose it"
            );
            app.tab_to(KEEP).await?;
            app.press(Key::Space).await?;
            app.wait_for_text("[data-test=saved-keep-watching]", "Saved.")
                .await?;
            ensure!(app.is_ticked(KEEP).await?, "Space did not tick the box");
            app.wait_for_count("[data-test=error-keep-watching]", 0)
                .await?;
            // A service provider: ticked by mouse this time.
            app.wait_for_count(&format!("{PROVIDER}:disabled"), 0)
                .await?;
            ensure!(!app.is_ticked(PROVIDER).await?, "a merchant until said");
            app.click(PROVIDER).await?;
            app.wait_for_text("[data-test=saved-service-provider]", "Saved.")
                .await?;
            app.screenshot_both_themes("settings-background").await
        },
        async |app| {
            app.click("[data-test=nav-settings]").await?;
            app.wait_for_count(&format!("{KEEP}:disabled"), 0).await?;
            ensure!(app.is_ticked(KEEP).await?, "the choice was not kept");
            app.wait_for_count(&format!("{PROVIDER}:disabled"), 0)
                .await?;
            ensure!(app.is_ticked(PROVIDER).await?, "the answer was not kept");
            Ok(())
        },
    )
    .await
    .unwrap();
}

/// Start, then the guided check's first two steps, by mouse: the business
/// answers give the SAQ sentence; a system with a bad address is refused
/// with the message beside the address field; corrected, it is listed; a
/// reload on the deep route comes back to the same step with the same data.
#[tokio::test]
#[ignore = "needs the built app, a display and tauri-driver: run `cargo xtask test`"]
async fn the_guided_check_takes_business_answers_then_systems_with_errors_beside_their_field() {
    portcullis_e2e::run("wizard-walk", async |app| {
        app.wait_for_attribute("[data-test=page]", "data-page", "nav-start")
            .await?;
        app.screenshot_both_themes("wizard-0-start").await?;
        app.click("[data-test=start-wizard]").await?;
        app.wait_for_attribute("[data-test=page]", "data-step", "business")
            .await?;
        let current = app
            .attribute("[data-test=step-business]", "aria-current")
            .await?;
        ensure!(
            current.as_deref() == Some("step"),
            "aria-current={current:?}"
        );

        app.click("[data-test=channel-hosted-page]").await?;
        app.click("[data-test=channel-terminals]").await?;
        app.click("[data-test=terminal-shop-internet]").await?;
        app.click("[data-test=hosting-shared]").await?;
        app.wait_for_text("[data-test=saq-sentence]", "SAQ B-IP and SAQ A")
            .await?;
        app.scroll_to("[data-test=page]").await?;
        app.screenshot_both_themes("wizard-1-business").await?;
        app.scroll_to("[data-test=saq-advice]").await?;
        app.screenshot_both_themes("wizard-1-business-advice")
            .await?;

        app.click("[data-test=wizard-next]").await?;
        app.wait_for_attribute("[data-test=page]", "data-step", "systems")
            .await?;
        app.wait_for_element("[data-test=empty-state]").await?;
        app.screenshot_both_themes("wizard-2-systems-empty").await?;

        app.type_into("[data-test=field-name]", "Web shop").await?;
        app.type_into("[data-test=field-addresses]", "shop_example.com")
            .await?;
        app.click("[data-test=system-add]").await?;
        let error = app
            .wait_for_text("[data-test=error-addresses]", "host name")
            .await?;
        app.wait_for_attribute("[data-test=field-addresses]", "aria-invalid", "true")
            .await?;
        let described_by = app
            .attribute("[data-test=field-addresses]", "aria-describedby")
            .await?
            .unwrap_or_default();
        ensure!(
            described_by.split(' ').any(|id| id == "addresses-error"),
            "the address field is not described by its error ({described_by:?}; error {error:?})"
        );
        app.scroll_to("[data-test=system-form]").await?;
        app.screenshot_both_themes("wizard-2-systems-error").await?;

        app.type_into("[data-test=field-addresses]", "shop.example.com")
            .await?;
        app.click("[data-test=system-add]").await?;
        app.wait_for_count("[data-test=system-row]", 1).await?;
        app.wait_for_text("[data-test=system-list]", "Web shop")
            .await?;
        app.wait_for_count("[data-test=error-addresses]", 0).await?;
        app.wait_for_text("[data-test=toast]", "Added Web shop")
            .await?;
        app.scroll_to("[data-test=system-list]").await?;
        app.screenshot_both_themes("wizard-2-systems-added").await?;

        app.reload().await?;
        app.wait_for_attribute("[data-test=page]", "data-step", "systems")
            .await?;
        app.wait_for_text("[data-test=system-list]", "shop.example.com")
            .await?;
        app.click("[data-test=step-business]").await?;
        app.wait_for_text("[data-test=saq-sentence]", "SAQ B-IP and SAQ A")
            .await?;

        // Step 3's form only: Start is gated by the permission box. No test
        // presses it once the box is ticked: that would scan.
        app.click("[data-test=step-systems]").await?;
        app.wait_for_attribute("[data-test=page]", "data-step", "systems")
            .await?;
        app.click("[data-test=wizard-next]").await?;
        app.wait_for_attribute("[data-test=page]", "data-step", "scan")
            .await?;
        app.wait_for_text("[data-test=scan-targets]", "Web shop")
            .await?;
        app.wait_for_text("[data-test=readiness-notes]", "shared hosting")
            .await?;
        app.wait_for_element("[data-test=scan-method]").await?;
        app.click("[data-test=scan-full]").await?;
        app.click("[data-test=scan-start]").await?;
        app.wait_for_text("[data-test=error-scan-permission]", "permission")
            .await?;
        app.wait_for_count("[data-test=live-scan]", 0).await?;
        app.screenshot_both_themes("wizard-3-scan-gated").await?;
        app.click("[data-test=permission-box]").await?;
        app.wait_for_count("[data-test=error-scan-permission]", 0)
            .await?;
        let gate = app
            .attribute("[data-test=scan-start]", "aria-disabled")
            .await?;
        ensure!(gate.is_none(), "Start still looks unavailable: {gate:?}");
        app.scroll_to("[data-test=scan-permission]").await?;
        app.screenshot_both_themes("wizard-3-scan-ready").await?;
        Ok(())
    })
    .await
    .unwrap();
}

/// The same first steps with the keyboard alone: Tab to move, Space to
/// tick, Enter to press, and typing into fields. Removing a system asks
/// first in a dialog that keeps the focus inside and offers the safe answer
/// first.
#[tokio::test]
#[ignore = "needs the built app, a display and tauri-driver: run `cargo xtask test`"]
async fn the_guided_check_works_by_keyboard_alone() {
    use fantoccini::key::Key;

    portcullis_e2e::run("wizard-keyboard", async |app| {
        app.tab_to("[data-test=start-wizard]").await?;
        app.press(Key::Enter).await?;
        app.wait_for_attribute("[data-test=page]", "data-step", "business")
            .await?;

        app.tab_to("[data-test=channel-hosted-page]").await?;
        app.press(Key::Space).await?;
        app.tab_to("[data-test=hosting-shared]").await?;
        app.press(Key::Space).await?;
        app.wait_for_text("[data-test=saq-sentence]", "Questionnaire (SAQ) A.")
            .await?;
        app.tab_to("[data-test=wizard-next]").await?;
        app.screenshot("wizard-keyboard-1-focus-on-continue")
            .await?;
        app.press(Key::Enter).await?;
        app.wait_for_attribute("[data-test=page]", "data-step", "systems")
            .await?;

        app.tab_to("[data-test=field-name]").await?;
        app.type_keys("Shop router").await?;
        app.tab_to("[data-test=field-addresses]").await?;
        app.type_keys("203.0.113.1").await?;
        app.tab_to("[data-test=system-add]").await?;
        app.press(Key::Enter).await?;
        app.wait_for_count("[data-test=system-row]", 1).await?;

        app.tab_to("[data-test=system-remove]").await?;
        app.press(Key::Enter).await?;
        app.wait_for_element("[data-test=dialog][open]").await?;
        ensure!(
            app.focus_is_on("[data-test=dialog-keep]").await?,
            "the dialog did not put the focus on its safe answer"
        );
        for _ in 0..5 {
            app.press(Key::Tab).await?;
            ensure!(
                app.focus_is_on("[data-test=dialog] *").await?,
                "Tab left the open dialog"
            );
        }
        app.screenshot("wizard-keyboard-2-remove-dialog").await?;
        app.tab_to("[data-test=dialog-keep]").await?;
        app.press(Key::Enter).await?;
        app.wait_for_count("[data-test=dialog][open]", 0).await?;
        app.wait_for_count("[data-test=system-row]", 1).await?;

        app.tab_to("[data-test=system-remove]").await?;
        app.press(Key::Enter).await?;
        app.tab_to("[data-test=dialog-remove]").await?;
        app.press(Key::Enter).await?;
        app.wait_for_count("[data-test=system-row]", 0).await?;
        Ok(())
    })
    .await
    .unwrap();
}

/// Quitting in the middle and coming back: "Start the guided check" lands
/// on the step where the merchant stopped, with the same answers, because
/// the progress is saved in the database at every step.
#[tokio::test]
#[ignore = "needs the built app, a display and tauri-driver: run `cargo xtask test`"]
async fn the_guided_check_resumes_where_it_stopped_after_a_relaunch() {
    portcullis_e2e::run_relaunched(
        "wizard-resume",
        async |app| {
            app.click("[data-test=start-wizard]").await?;
            app.click("[data-test=channel-own-checkout]").await?;
            app.click("[data-test=hosting-rented-server]").await?;
            app.wait_for_text("[data-test=saq-sentence]", "(SAQ) D.")
                .await?;
            app.click("[data-test=wizard-next]").await?;
            app.type_into("[data-test=field-name]", "Payment server")
                .await?;
            app.type_into("[data-test=field-addresses]", "203.0.113.20")
                .await?;
            app.click("[data-test=system-add]").await?;
            app.wait_for_count("[data-test=system-row]", 1).await?;
            app.click("[data-test=wizard-next]").await?;
            app.wait_for_attribute("[data-test=page]", "data-step", "scan")
                .await?;
            app.wait_for_attribute("[data-test=save-state]", "data-saving", "false")
                .await?;
            Ok(())
        },
        async |app| {
            app.wait_for_text(
                "[data-test=start-wizard]",
                "Continue the guided check: step 3, Scan",
            )
            .await?;
            app.screenshot("wizard-resume-start").await?;
            app.click("[data-test=start-wizard]").await?;
            app.wait_for_attribute("[data-test=page]", "data-step", "scan")
                .await?;
            app.wait_for_text("[data-test=scan-targets]", "Payment server")
                .await?;
            app.click("[data-test=step-business]").await?;
            app.wait_for_text("[data-test=saq-sentence]", "(SAQ) D.")
                .await?;
            ensure!(
                app.is_ticked("[data-test=channel-own-checkout]").await?,
                "the answer 'own checkout' was not kept"
            );
            ensure!(
                app.is_ticked("[data-test=hosting-rented-server]").await?,
                "the answer 'rented server' was not kept"
            );
            Ok(())
        },
    )
    .await
    .unwrap();
}

/// Start, with every system removed since: the live view opens and says
/// why the scan cannot start, next to it. Nothing can be scanned: there is
/// no target.
#[tokio::test]
#[ignore = "needs the built app, a display and tauri-driver: run `cargo xtask test`"]
async fn a_scan_with_no_system_left_says_why_it_cannot_start() {
    portcullis_e2e::run("wizard-scan-nothing", async |app| {
        app.answer_business_with_a_hosted_page().await?;
        app.add_system("Old server", "192.0.2.9", 1).await?;
        app.next_step("scan").await?;
        app.click("[data-test=step-systems]").await?;
        app.click("[data-test=system-remove]").await?;
        app.click("[data-test=dialog-remove]").await?;
        app.wait_for_count("[data-test=system-row]", 0).await?;
        app.click("[data-test=step-scan]").await?;
        app.wait_for_attribute("[data-test=page]", "data-step", "scan")
            .await?;
        app.wait_for_text("[data-test=scan-targets-empty]", "No systems")
            .await?;
        app.click("[data-test=permission-box]").await?;
        app.click("[data-test=scan-start]").await?;
        app.wait_for_text("[data-test=live-scan]", "no system in scope")
            .await?;
        app.scroll_to("[data-test=live-scan]").await?;
        app.screenshot_both_themes("wizard-3-scan-cannot-start")
            .await?;
        Ok(())
    })
    .await
    .unwrap();
}
