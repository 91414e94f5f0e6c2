//! The scan report in its formats: JSON (the data as is), CSV (one row a
//! finding, then one a open port), HTML (one self-contained page: styles
//! inline, charts as inline SVG, no script) and PDF (the template
//! `assets/documents/report.typ`, which reads the JSON and the charts).
//! Each calls itself a readiness report, never an ASV report.

use portcullis_model::documents::ScanReportDocument;

use crate::cells::SafeCsv;
use crate::charts::{findings_by_severity, findings_over_time, open_ports_over_time};
use crate::html::Html;
use crate::pdf::{Input, PdfError, render_pdf};

const TEMPLATE: &str = include_str!("../../../assets/documents/report.typ");

/// The report as pretty JSON.
pub fn report_json(report: &ScanReportDocument) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(report).expect("the report serialises");
    bytes.push(b'\n');
    bytes
}

/// The CSV's columns.
pub const REPORT_CSV_COLUMNS: [&str; 12] = [
    "row",
    "address",
    "port",
    "protocol",
    "service",
    "system",
    "severity",
    "weight",
    "title",
    "requirements",
    "status",
    "remedy",
];

/// The report as CSV, safe to open in a spreadsheet: its findings, then
/// its open ports.
pub fn report_csv(report: &ScanReportDocument) -> Vec<u8> {
    let mut csv = SafeCsv::new(&REPORT_CSV_COLUMNS);
    for finding in &report.findings {
        let address = finding.address.map(|a| a.to_string()).unwrap_or_default();
        let port = finding.port.map(|p| p.to_string()).unwrap_or_default();
        let requirements = finding.requirements.join(" ");
        csv.row([
            "finding",
            &address,
            &port,
            finding.protocol.map_or("", |p| p.as_str()),
            "",
            "",
            finding.severity.label(),
            &finding.weight,
            &finding.title,
            &requirements,
            &finding.status,
            &finding.remedy,
        ]);
    }
    for host in &report.hosts {
        let address = host.address.to_string();
        for open in &host.open {
            let port = open.port.to_string();
            csv.row([
                "open port",
                &address,
                &port,
                open.protocol.as_str(),
                &open.service,
                &host.system,
                "",
                if open.allowed {
                    "allowed"
                } else {
                    "not in the inventory"
                },
                "",
                "",
                "",
                "",
            ]);
        }
    }
    csv.finish()
}

/// The styles of the HTML report: calm, readable, printable.
const STYLE: &str = "body{font-family:Inter,system-ui,sans-serif;color:#2b2f36;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5}\
h1{font-size:1.8rem;margin-bottom:.2rem}h2{margin-top:2rem;border-bottom:1px solid #d9dde3;padding-bottom:.2rem}\
.notice{border:1px solid #d9dde3;border-radius:6px;padding:.8rem 1rem;background:#f6f7f9}\
.verdict{font-size:1.1rem;font-weight:600}table{border-collapse:collapse;width:100%;font-size:.9rem}\
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #e3e6ea;vertical-align:top}th{background:#f0f2f5}\
.finding{border:1px solid #d9dde3;border-radius:6px;padding:.6rem 1rem;margin:.8rem 0}\
.weight{font-weight:600}.fails{color:#b3261e}.action{color:#8a5200}.muted{color:#5f6670;font-size:.85rem}\
pre{white-space:pre-wrap;word-break:break-word;background:#f6f7f9;padding:.5rem;border-radius:4px;font-size:.8rem}\
figure{margin:1rem 0}svg{max-width:100%;height:auto}";

/// The report as one self-contained HTML page.
pub fn report_html(report: &ScanReportDocument) -> Vec<u8> {
    let mut html = Html::new();
    html.raw("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
        .raw("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">")
        .raw("<title>")
        .text(&format!(
            "Scan readiness report {}: {}",
            report.scan.id, report.business
        ))
        .raw("</title><style>")
        .raw(STYLE)
        .raw("</style></head><body>");
    html.element("h1", "", "Scan readiness report")
        .element(
            "p",
            "muted",
            &format!(
                "{} · scan {} of {} · made {}",
                report.business,
                report.scan.id,
                report.scan.started_at.format("%-d %B %Y %H:%M UTC"),
                report.made_at.format("%-d %B %Y")
            ),
        )
        .element("p", "notice", &report.notice)
        .element("p", "verdict", &report.verdict)
        .element("p", "", &report.how);
    charts(&mut html, report);
    findings(&mut html, report);
    open_ports(&mut html, report);
    changes(&mut html, report);
    html.raw("</body></html>\n");
    html.finish().into_bytes()
}

fn charts(html: &mut Html, report: &ScanReportDocument) {
    html.raw("<h2>At a glance</h2><figure>")
        .raw(&findings_by_severity(&report.severities))
        .raw("</figure>");
    if report.history.len() > 1 {
        html.raw("<figure>")
            .raw(&findings_over_time(&report.history))
            .raw("</figure><figure>")
            .raw(&open_ports_over_time(&report.history))
            .raw("</figure>");
    }
}

fn findings(html: &mut Html, report: &ScanReportDocument) {
    html.raw("<h2>Findings</h2>");
    if report.findings.is_empty() {
        html.element("p", "", "This scan found nothing to report.");
    }
    for finding in &report.findings {
        let class = match finding.weight.as_str() {
            "Fails" => "weight fails",
            "Action needed" => "weight action",
            _ => "weight",
        };
        html.raw("<section class=\"finding\">")
            .element("h3", "", &finding.title)
            .raw("<p>")
            .element(
                "span",
                class,
                &format!("{} ({})", finding.weight, finding.severity.label()),
            )
            .text(&format!(
                " · PCI DSS {} · {}",
                finding.requirements.join(", "),
                finding.status
            ))
            .raw("</p>")
            .element("p", "", &finding.explanation)
            .raw("<p><strong>What to do:</strong> ")
            .text(&finding.remedy)
            .raw("</p>");
        if !finding.evidence.is_empty() {
            html.raw("<details><summary>What the scan saw</summary>")
                .element("pre", "", &finding.evidence)
                .raw("</details>");
        }
        html.raw("</section>");
    }
}

fn open_ports(html: &mut Html, report: &ScanReportDocument) {
    html.raw("<h2>Open ports</h2>");
    if report.hosts.iter().all(|host| host.open.is_empty()) {
        html.element("p", "", "No open ports were found.");
        return;
    }
    html.raw("<table><thead><tr><th>Address</th><th>System</th><th>Port</th><th>Service</th><th>Inventory</th></tr></thead><tbody>");
    for host in &report.hosts {
        for open in &host.open {
            html.raw("<tr>")
                .element("td", "", &host.address.to_string())
                .element("td", "", &host.system)
                .element(
                    "td",
                    "",
                    &format!("{}/{}", open.port, open.protocol.as_str()),
                )
                .element(
                    "td",
                    "",
                    &format!("{}{}", open.service, if open.tls { " (TLS)" } else { "" }),
                )
                .element(
                    "td",
                    "",
                    if open.allowed {
                        "allowed"
                    } else {
                        "not in the inventory"
                    },
                )
                .raw("</tr>");
        }
    }
    html.raw("</tbody></table>");
}

fn changes(html: &mut Html, report: &ScanReportDocument) {
    let Some(changes) = &report.changes else {
        return;
    };
    html.raw("<h2>Since the scan before</h2>").element(
        "p",
        "",
        &format!(
            "Compared with scan {}: {}",
            changes.before.id, changes.summary
        ),
    );
    for warning in &changes.warnings {
        html.element("p", "muted", &format!("Note: {warning}"));
    }
    html.raw("<ul>");
    for address in &changes.addresses {
        for change in &address.changes {
            html.element(
                "li",
                "",
                &format!("{} ({}): {change}", address.address, address.system),
            );
        }
    }
    html.raw("</ul>");
}

/// The report as a PDF made from its template, with the same charts.
pub fn report_pdf(report: &ScanReportDocument) -> Result<Vec<u8>, PdfError> {
    let data = serde_json::to_vec(report).expect("the report serialises");
    let severity = findings_by_severity(&report.severities);
    let findings = findings_over_time(&report.history);
    let ports = open_ports_over_time(&report.history);
    render_pdf(
        TEMPLATE,
        &[
            Input {
                name: "data.json",
                bytes: &data,
            },
            Input {
                name: "severity.svg",
                bytes: severity.as_bytes(),
            },
            Input {
                name: "findings.svg",
                bytes: findings.as_bytes(),
            },
            Input {
                name: "ports.svg",
                bytes: ports.as_bytes(),
            },
        ],
        report.made_at,
    )
}
