//! Charts as SVG, made here so the HTML report and the PDF show the same
//! picture: open ports over time, findings over time (what fails and what
//! needs action), and findings by severity. Plain SVG 1.1 with a title and
//! a description, so a screen reader says what a sighted reader sees.

use std::fmt::Write;

use portcullis_model::documents::{HistoryPoint, SeverityCount};

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 40.0;
const FONT: &str = "Inter, sans-serif";
const INK: &str = "#2b2f36";
const GRID: &str = "#d9dde3";
const FAIL: &str = "#b3261e";
const ACTION: &str = "#b26a00";
const PORTS: &str = "#2f5f98";

/// Text made safe inside SVG markup.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn open_svg(out: &mut String, title: &str, description: &str) {
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" font-family="{FONT}" font-size="11" fill="{INK}"><title>{}</title><desc>{}</desc>"#,
        escape(title),
        escape(description)
    );
}

/// A round number at or above `value`, so the axis ends on a label.
fn nice_top(value: u32) -> u32 {
    let value = value.max(1);
    let step = match value {
        0..=5 => 1,
        6..=10 => 2,
        11..=50 => 10,
        51..=100 => 20,
        101..=500 => 100,
        _ => 10u32.pow(value.ilog10()),
    };
    value.div_ceil(step) * step
}

/// The horizontal grid, with the value of each line on the left.
fn grid(out: &mut String, top: u32) {
    let plot = HEIGHT - TOP - BOTTOM;
    for step in 0..=4 {
        let value = f64::from(top) * f64::from(step) / 4.0;
        let y = HEIGHT - BOTTOM - plot * f64::from(step) / 4.0;
        let _ = write!(
            out,
            r#"<line x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="{GRID}" stroke-width="1"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            WIDTH - RIGHT,
            LEFT - 6.0,
            y + 4.0,
            value.round()
        );
    }
}

/// Where each of `count` points stands along the axis, and its label
/// under it (the scan's date).
fn x_of(index: usize, count: usize) -> f64 {
    let width = WIDTH - LEFT - RIGHT;
    if count <= 1 {
        return LEFT + width / 2.0;
    }
    LEFT + 12.0 + (width - 24.0) * index as f64 / (count - 1) as f64
}

fn y_of(value: u32, top: u32) -> f64 {
    let plot = HEIGHT - TOP - BOTTOM;
    HEIGHT - BOTTOM - plot * f64::from(value) / f64::from(top)
}

fn date_labels(out: &mut String, history: &[HistoryPoint]) {
    // At most eight labels, so dates do not run into each other.
    let every = history.len().div_ceil(8).max(1);
    for (index, point) in history.iter().enumerate() {
        if index % every != 0 && index + 1 != history.len() {
            continue;
        }
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            x_of(index, history.len()),
            HEIGHT - BOTTOM + 16.0,
            point.at.format("%-d %b %y")
        );
    }
}

fn legend(out: &mut String, items: &[(&str, &str)]) {
    let mut x = LEFT;
    for (color, label) in items {
        let _ = write!(
            out,
            r#"<rect x="{x:.1}" y="{:.1}" width="10" height="10" fill="{color}"/><text x="{:.1}" y="{:.1}">{}</text>"#,
            HEIGHT - 12.0,
            x + 14.0,
            HEIGHT - 3.0,
            escape(label)
        );
        x += 24.0 + 6.5 * label.len() as f64;
    }
}

/// Open ports found by each judged scan, as a line.
pub fn open_ports_over_time(history: &[HistoryPoint]) -> String {
    let mut out = String::new();
    let latest = history.last().map_or(0, |point| point.open_ports);
    open_svg(
        &mut out,
        "Open ports over time",
        &format!(
            "Open ports found by the last {} judged scans; the latest found {latest}.",
            history.len()
        ),
    );
    let top = nice_top(history.iter().map(|p| p.open_ports).max().unwrap_or(0));
    grid(&mut out, top);
    let points: Vec<String> = history
        .iter()
        .enumerate()
        .map(|(index, point)| {
            format!(
                "{:.1},{:.1}",
                x_of(index, history.len()),
                y_of(point.open_ports, top)
            )
        })
        .collect();
    let _ = write!(
        out,
        r#"<polyline points="{}" fill="none" stroke="{PORTS}" stroke-width="2"/>"#,
        points.join(" ")
    );
    for (index, point) in history.iter().enumerate() {
        let _ = write!(
            out,
            r#"<circle cx="{:.1}" cy="{:.1}" r="3.5" fill="{PORTS}"/>"#,
            x_of(index, history.len()),
            y_of(point.open_ports, top)
        );
    }
    date_labels(&mut out, history);
    legend(&mut out, &[(PORTS, "Open ports")]);
    out.push_str("</svg>");
    out
}

/// What each judged scan found: bars of what fails, on top of what needs
/// action.
pub fn findings_over_time(history: &[HistoryPoint]) -> String {
    let mut out = String::new();
    let latest = history.last();
    open_svg(
        &mut out,
        "Findings over time",
        &format!(
            "Findings of the last {} judged scans; the latest has {} that fail and {} that need action.",
            history.len(),
            latest.map_or(0, |p| p.failing),
            latest.map_or(0, |p| p.action_needed)
        ),
    );
    let top = nice_top(
        history
            .iter()
            .map(|p| p.failing + p.action_needed)
            .max()
            .unwrap_or(0),
    );
    grid(&mut out, top);
    let slot = (WIDTH - LEFT - RIGHT - 24.0) / history.len().max(1) as f64;
    let bar = (slot * 0.6).clamp(4.0, 36.0);
    for (index, point) in history.iter().enumerate() {
        let x = x_of(index, history.len()) - bar / 2.0;
        let base = y_of(0, top);
        let action_top = y_of(point.action_needed, top);
        let fail_top = y_of(point.action_needed + point.failing, top);
        let _ = write!(
            out,
            r#"<rect x="{x:.1}" y="{action_top:.1}" width="{bar:.1}" height="{:.1}" fill="{ACTION}"/><rect x="{x:.1}" y="{fail_top:.1}" width="{bar:.1}" height="{:.1}" fill="{FAIL}"/>"#,
            base - action_top,
            action_top - fail_top
        );
    }
    date_labels(&mut out, history);
    legend(&mut out, &[(FAIL, "Fail"), (ACTION, "Need action")]);
    out.push_str("</svg>");
    out
}

/// How many findings of each severity, as horizontal bars.
pub fn findings_by_severity(counts: &[SeverityCount]) -> String {
    let mut out = String::new();
    let described: Vec<String> = counts
        .iter()
        .map(|c| format!("{} {}", c.count, c.label))
        .collect();
    open_svg(
        &mut out,
        "Findings by severity",
        &format!("This scan's findings: {}.", described.join(", ")),
    );
    let most = counts.iter().map(|c| c.count).max().unwrap_or(0).max(1);
    let row = (HEIGHT - TOP - 10.0) / counts.len().max(1) as f64;
    let label_width = 80.0;
    let span = WIDTH - LEFT - RIGHT - label_width - 40.0;
    for (index, count) in counts.iter().enumerate() {
        let y = TOP + row * index as f64;
        let width = span * f64::from(count.count) / f64::from(most);
        let color = match count.severity {
            portcullis_model::compliance::Severity::Critical
            | portcullis_model::compliance::Severity::High => FAIL,
            portcullis_model::compliance::Severity::Medium
            | portcullis_model::compliance::Severity::Low => ACTION,
            portcullis_model::compliance::Severity::Info => GRID,
        };
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{:.1}">{}</text><rect x="{:.1}" y="{:.1}" width="{width:.1}" height="{:.1}" fill="{color}"/><text x="{:.1}" y="{:.1}">{}</text>"#,
            LEFT,
            y + row * 0.6,
            escape(&count.label),
            LEFT + label_width,
            y + row * 0.2,
            row * 0.6,
            LEFT + label_width + width + 6.0,
            y + row * 0.6,
            count.count
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use portcullis_model::ScanId;
    use portcullis_model::compliance::Severity;

    use super::*;

    fn history() -> Vec<HistoryPoint> {
        (1..=3)
            .map(|n| HistoryPoint {
                scan_id: ScanId(n),
                at: Utc
                    .with_ymd_and_hms(2026, 3 * n as u32, 1, 0, 0, 0)
                    .unwrap(),
                open_ports: 10 - n as u32 * 2,
                failing: 3 - n as u32,
                action_needed: 2,
            })
            .collect()
    }

    #[test]
    fn charts_are_svg_that_says_what_it_shows() {
        let ports = open_ports_over_time(&history());
        assert!(ports.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(ports.contains("<title>Open ports over time</title>"));
        assert!(ports.contains("the latest found 4."));
        assert_eq!(ports.matches("<circle").count(), 3);
        assert!(ports.contains("1 Mar 26"));
        let findings = findings_over_time(&history());
        assert_eq!(
            findings.matches("<rect").count(),
            3 * 2 + 2,
            "two bars a scan, two legend keys"
        );
        let severity = findings_by_severity(&[SeverityCount {
            severity: Severity::High,
            label: "High <&>".into(),
            count: 2,
        }]);
        assert!(severity.contains("High &lt;&amp;&gt;"), "{severity}");
        assert!(ports.ends_with("</svg>") && findings.ends_with("</svg>"));
    }

    #[test]
    fn no_history_still_draws_an_empty_chart() {
        let empty = open_ports_over_time(&[]);
        assert!(empty.contains("the last 0 judged scans"));
        assert!(findings_over_time(&[]).ends_with("</svg>"));
    }

    #[test]
    fn axes_end_on_round_numbers() {
        assert_eq!(nice_top(0), 1);
        assert_eq!(nice_top(7), 8);
        assert_eq!(nice_top(43), 50);
        assert_eq!(nice_top(1234), 2000);
    }
}
