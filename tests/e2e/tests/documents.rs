//! Reports, in the real window with the system's real file dialogs
//! (answered with xdotool, as `portcullis_e2e::FileDialog` explains):
//! an ASV's Nessus report brought in and walked through in the wizard,
//! a long import cancelled with nothing kept, an ASV's PDF report read
//! and its list confirmed, and the documents saved where the dialog says.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, ensure};
use fantoccini::key::Key;
use portcullis_e2e::{AppSession, FileDialog, Theme};

/// The dialogs' titles, as src-tauri/src/files.rs sets them.
const IMPORT_DIALOG: &str = "Choose the scan report to bring in";
const SAVE_DIALOG: &str = "Save the document as";

/// An ASV's quarterly report, written for the tests from Nessus's public
/// format: TLS 1.0, a self-signed certificate, MySQL by version, SNMP.
const NESSUS_REPORT: &str = "../../crates/formats/tests/fixtures/asv-scan.nessus";

/// An ASV's PDF report's text, typeset in the test.
const ASV_REPORT: &str = include_str!("../../../crates/formats/tests/fixtures/asv-report.typ");

#[tokio::test]
#[ignore = "needs the built app, a display, tauri-driver, xdotool and axe-core: run `cargo xtask test`"]
async fn reports_bring_in_an_asv_report_cancel_a_long_import_and_save_every_document() {
    let files = tempfile::tempdir().unwrap();
    let files = files.path().to_owned();
    let axe = axe_core();
    portcullis_e2e::run("documents", async |app| {
        app.click("[data-test=nav-reports]").await?;
        app.wait_for_attribute("[data-test=page]", "data-page", "nav-reports")
            .await?;
        app.screenshot_both_themes("reports-1-start").await?;

        bring_in_the_nessus_report(app).await?;
        cancel_a_long_import(app, &files).await?;
        confirm_an_asv_pdf_report(app, &files).await?;
        save_every_document(app, &files).await?;
        check_accessibility(app, &axe).await?;

        app.click("[data-test=import-walk]").await?;
        app.wait_for_attribute("[data-test=page]", "data-step", "review")
            .await?;
        app.wait_for_text("[data-test=review-lead]", "the report you brought in")
            .await?;
        app.wait_for_element("[data-test=review-card]").await?;
        app.screenshot_both_themes("reports-6-walk-through").await?;
        Ok(())
    })
    .await
    .unwrap();
}

async fn bring_in_the_nessus_report(app: &AppSession) -> Result<()> {
    let report = Path::new(env!("CARGO_MANIFEST_DIR")).join(NESSUS_REPORT);
    app.click("[data-test=import-choose]").await?;
    app.answer_file_dialog(IMPORT_DIALOG, FileDialog::Open, &report.canonicalize()?)
        .await?;
    let summary = app
        .wait_for_text("[data-test=import-summary]", "Brought in")
        .await?;
    ensure!(summary.contains("Nessus"), "summary: {summary:?}");
    app.wait_for_text("[data-test=import-walk]", "Walk through")
        .await?;
    ensure!(
        kept_originals(app)?.len() == 1,
        "the report is kept as evidence"
    );
    app.screenshot_both_themes("reports-2-imported").await
}

/// A 120 MB nmap file is stopped while it is read: the window says so, and
/// neither a scan nor the file is kept.
async fn cancel_a_long_import(app: &AppSession, files: &Path) -> Result<()> {
    let big = files.join("whole-range.xml");
    write_big_nmap_file(&big, 120_000_000)?;
    app.click("[data-test=import-origin-internal]").await?;
    app.click("[data-test=import-choose]").await?;
    app.answer_file_dialog(IMPORT_DIALOG, FileDialog::Open, &big)
        .await?;
    app.wait_for_text("[data-test=import-progress]", "MB read")
        .await?;
    app.screenshot("reports-3-importing").await?;
    app.click("[data-test=import-cancel]").await?;
    app.wait_for_text("[data-test=import-status]", "Nothing of it was kept")
        .await?;
    ensure!(
        kept_originals(app)?.len() == 1,
        "a cancelled import keeps no file"
    );
    app.click("[data-test=import-origin-external]").await
}

/// The PDF is read and its list shown. Saved as a spreadsheet, corrected
/// and chosen again, the list is imported with the PDF kept as its
/// evidence; chosen once more, "bring in" imports it as it stands.
async fn confirm_an_asv_pdf_report(app: &AppSession, files: &Path) -> Result<()> {
    let made = chrono::DateTime::parse_from_rfc3339("2026-11-30T12:00:00Z")?.to_utc();
    let pdf = portcullis_documents::render_pdf(ASV_REPORT, &[], made)
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    let path = files.join("asv-q4.pdf");
    std::fs::write(&path, &pdf)?;
    let kept_before = kept_originals(app)?.len();

    app.click("[data-test=import-choose]").await?;
    app.answer_file_dialog(IMPORT_DIALOG, FileDialog::Open, &path)
        .await?;
    app.wait_for_element("[data-test=proposal-save]").await?;
    app.click("[data-test=proposal-save]").await?;
    let list = files.join("asv-q4-findings.csv");
    app.answer_file_dialog(SAVE_DIALOG, FileDialog::Save, &list)
        .await?;
    app.wait_for_text("[data-test=proposal-saved]", "Correct it")
        .await?;
    // The merchant deletes the row they know is wrong.
    let corrected: String = std::fs::read_to_string(&list)?
        .lines()
        .filter(|line| !line.contains("Self-Signed"))
        .map(|line| format!("{line}\n"))
        .collect();
    std::fs::write(&list, corrected)?;
    app.wait_for_text("[data-test=import-choose]", "corrected list")
        .await?;
    app.click("[data-test=import-choose]").await?;
    app.answer_file_dialog(IMPORT_DIALOG, FileDialog::Open, &list)
        .await?;
    app.wait_for_text("[data-test=import-summary]", "CSV")
        .await?;
    let kept = kept_originals(app)?;
    ensure!(
        kept.len() == kept_before + 2,
        "the corrected list and the PDF are kept: {kept:?}"
    );

    app.click("[data-test=import-choose]").await?;
    app.answer_file_dialog(IMPORT_DIALOG, FileDialog::Open, &path)
        .await?;
    let summary = app
        .wait_for_text("[data-test=proposal-summary]", "3 open ports")
        .await?;
    ensure!(summary.contains("3 findings"), "proposal: {summary:?}");
    app.wait_for_count("[data-test=proposal-rows] tr", 6)
        .await?;
    app.screenshot_both_themes("reports-4-asv-pdf-proposal")
        .await?;
    app.click("[data-test=proposal-import]").await?;
    app.wait_for_text("[data-test=import-summary]", "your ASV's PDF report")
        .await?;
    let kept = kept_originals(app)?;
    ensure!(
        kept.len() == kept_before + 4,
        "each import keeps its list and the PDF: {kept:?}"
    );
    ensure!(
        kept.iter()
            .any(|file| std::fs::read(file).is_ok_and(|bytes| bytes == pdf)),
        "the PDF is kept byte for byte among {kept:?}"
    );
    Ok(())
}

/// The inventory as PDF (by keyboard alone), a scan report as a web page,
/// and the evidence pack, each where the save dialog was told.
async fn save_every_document(app: &AppSession, files: &Path) -> Result<()> {
    // A blank name is refused beside the field, and nothing is kept.
    app.type_into("[data-test=field-business-name]", "   ")
        .await?;
    app.click("[data-test=business-save]").await?;
    app.wait_for_text("[data-test=error-business-name]", "1 to 200 characters")
        .await?;
    app.type_into("[data-test=field-business-name]", "Corner Shop Ltd")
        .await?;
    app.click("[data-test=business-save]").await?;
    app.wait_for_text("[data-test=business-saved]", "Saved")
        .await?;

    let inventory = files.join("inventory.pdf");
    app.tab_to("[data-test=save-inventory]").await?;
    app.press(Key::Enter).await?;
    app.answer_file_dialog(SAVE_DIALOG, FileDialog::Save, &inventory)
        .await?;
    app.wait_for_text("[data-test=saved-inventory]", "Saved to")
        .await?;
    ensure!(starts_with(&inventory, b"%PDF-")?, "the inventory is a PDF");

    let report = files.join("report.html");
    choose(app, "[data-test=report-format]", "html").await?;
    app.click("[data-test=save-report]").await?;
    app.answer_file_dialog(SAVE_DIALOG, FileDialog::Save, &report)
        .await?;
    app.wait_for_text("[data-test=saved-report]", "Saved to")
        .await?;
    let html = std::fs::read_to_string(&report)?;
    ensure!(
        html.contains("<html") && html.contains("readiness"),
        "the report is a web page"
    );
    ensure!(
        html.contains("Corner Shop Ltd"),
        "the report carries the business name saved"
    );

    let dispute = files.join("dispute.pdf");
    choose_first_finding(app).await?;
    app.click("[data-test=save-dispute]").await?;
    app.answer_file_dialog(SAVE_DIALOG, FileDialog::Save, &dispute)
        .await?;
    app.wait_for_text("[data-test=saved-dispute]", "Saved to")
        .await?;
    ensure!(
        starts_with(&dispute, b"%PDF-")?,
        "the dispute pack is a PDF"
    );

    // A dialog closed without a choice leaves the button ready again.
    app.click("[data-test=save-evidence]").await?;
    app.dismiss_file_dialog(SAVE_DIALOG).await?;
    let evidence = files.join("evidence.zip");
    app.click("[data-test=save-evidence]").await?;
    app.answer_file_dialog(SAVE_DIALOG, FileDialog::Save, &evidence)
        .await?;
    let saved = app
        .wait_for_text("[data-test=saved-evidence]", "Saved to")
        .await?;
    ensure!(starts_with(&evidence, b"PK")?, "the evidence pack is a ZIP");
    ensure!(
        saved.contains(&sha256_hex(&std::fs::read(&evidence)?)),
        "the window quotes the pack's SHA-256: {saved:?}"
    );
    // Long finding titles in the dispute list once widened the page.
    let widths = app
        .execute_json(
            "const page = document.querySelector('[data-test=page]'); \
             return [page.scrollWidth, page.clientWidth];",
        )
        .await?;
    ensure!(
        widths[0].as_u64() <= widths[1].as_u64(),
        "the page scrolls sideways: {widths}"
    );
    app.screenshot_both_themes("reports-5-saved").await
}

async fn check_accessibility(app: &AppSession, axe: &str) -> Result<()> {
    let mut problems = Vec::new();
    for theme in Theme::BOTH {
        app.set_theme(Some(theme)).await?;
        problems.extend(
            app.accessibility_problems(axe)
                .await?
                .into_iter()
                .map(|problem| format!("reports ({theme:?}): {problem}")),
        );
    }
    app.set_theme(None).await?;
    ensure!(problems.is_empty(), "{}", problems.join("\n"));
    Ok(())
}

/// Picks `value` in the select matching `css`. WebKitWebDriver does not
/// open a select's list, so the choice is made as the list would make it:
/// the value set, and the change announced.
async fn choose(app: &AppSession, css: &str, value: &str) -> Result<()> {
    let script = format!(
        "const select = document.querySelector('{css}'); \
         select.value = '{value}'; \
         select.dispatchEvent(new Event('change', {{ bubbles: true }})); \
         return select.value;"
    );
    let chosen = app.execute_json(&script).await?;
    ensure!(chosen == value, "{css} holds {chosen}");
    Ok(())
}

/// Picks the first finding offered for a dispute pack, once the list has
/// loaded (it reloads after each import).
async fn choose_first_finding(app: &AppSession) -> Result<()> {
    app.wait_for_element("[data-test=dispute-finding] option:nth-child(2)")
        .await?;
    let value = app
        .execute_json(
            "const select = document.querySelector('[data-test=dispute-finding]'); \
             return select.options[1].value;",
        )
        .await?;
    let value = value.as_str().context("an option's value")?.to_owned();
    choose(app, "[data-test=dispute-finding]", &value).await
}

/// The originals the app kept under `imports/` in its data directory.
fn kept_originals(app: &AppSession) -> Result<Vec<PathBuf>> {
    let folder = app.data_dir().join("imports");
    if !folder.exists() {
        return Ok(Vec::new());
    }
    let mut kept = Vec::new();
    for entry in std::fs::read_dir(&folder)? {
        kept.push(entry?.path());
    }
    Ok(kept)
}

fn starts_with(path: &Path, magic: &[u8]) -> Result<bool> {
    let bytes = std::fs::read(path).with_context(|| format!("{} was not saved", path.display()))?;
    Ok(bytes.starts_with(magic))
}

fn sha256_hex(bytes: &[u8]) -> String {
    portcullis_documents::sha256_hex(bytes)
}

/// nmap XML of a sweep with service detection, `bytes` long at least:
/// enough that reading it takes several seconds.
fn write_big_nmap_file(path: &Path, bytes: usize) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(
        out,
        r#"<?xml version="1.0"?><nmaprun scanner="nmap" args="nmap -sV -oX whole-range.xml 198.18.0.0/15" start="1764500000" version="7.93" xmloutputversion="1.05">"#
    )?;
    let banner = "x".repeat(1500);
    let mut written = 0;
    let mut host: u32 = 0;
    while written < bytes {
        let address = std::net::Ipv4Addr::from(
            u32::from(std::net::Ipv4Addr::new(198, 18, 0, 0)) + host % 131_072,
        );
        let record = format!(
            r#"<host><status state="up" reason="syn-ack"/><address addr="{address}" addrtype="ipv4"/><ports><port protocol="tcp" portid="443"><state state="open" reason="syn-ack"/><service name="https" method="table" conf="3"/><script id="banner" output="{banner}"/></port></ports></host>
"#
        );
        out.write_all(record.as_bytes())?;
        written += record.len();
        host += 1;
    }
    writeln!(out, "</nmaprun>")?;
    out.flush()?;
    Ok(())
}

fn axe_core() -> String {
    let path = std::env::var("PORTCULLIS_AXE_CORE").expect(
        "PORTCULLIS_AXE_CORE must name axe-core's axe.min.js (`cargo xtask setup` installs it)",
    );
    std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read axe-core from PORTCULLIS_AXE_CORE={path}"))
        .unwrap()
}
