//! The report as a person reads it in a terminal.

use std::fmt::Write;

use portcullis_model::report::{HostResult, ScanReport};
use portcullis_model::scan::PortState;

use super::ScanContext;

pub fn render(report: &ScanReport, context: &ScanContext) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Portcullis scan of {} (ports {}, profile {})",
        context.targets, context.ports, context.profile
    );
    if let Some(summary) = &report.summary {
        for method in &summary.methods {
            let _ = writeln!(out, "method: {} ({})", method.method.as_str(), method.why);
        }
    }
    for host in &report.hosts {
        out.push('\n');
        render_host(&mut out, host);
    }
    for warning in &report.warnings {
        let _ = writeln!(out, "\nwarning: {warning}");
    }
    out.push('\n');
    match &report.summary {
        Some(summary) => {
            let _ = writeln!(
                out,
                "{}: {} up, {} down, {}, in {:.2} s",
                if summary.partial {
                    "INTERRUPTED (partial result)"
                } else {
                    "Done"
                },
                plural(summary.hosts_up, "host"),
                summary.hosts_down,
                plural(summary.open_ports, "open port"),
                summary.elapsed_seconds
            );
        }
        None => out.push_str("The scan ended without a summary: the result is incomplete.\n"),
    }
    out
}

fn render_host(out: &mut String, host: &HostResult) {
    let name = host
        .host
        .name
        .as_deref()
        .map(|name| format!(" ({name})"))
        .unwrap_or_default();
    let status = if host.host.up { "up" } else { "down" };
    let _ = writeln!(
        out,
        "{}{name} is {status}: {}",
        host.host.address, host.host.reason
    );
    if !host.host.up {
        return;
    }
    if !host.ports.is_empty() {
        let _ = writeln!(
            out,
            "  {:<11} {:<14} {:<14} {:<20} RTT",
            "PORT", "STATE", "SERVICE", "REASON"
        );
        for port in &host.ports {
            let rtt = port
                .rtt_micros
                .map(|micros| format!("{:.1} ms", micros as f64 / 1000.0))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  {:<11} {:<14} {:<14} {:<20} {rtt}",
                format!("{}/{}", port.port, port.protocol.as_str()),
                port.state.as_str(),
                port.service.as_deref().unwrap_or("unknown"),
                port.reason.describe(),
            );
            super::services::render(out, port);
        }
    }
    for count in &host.counts {
        let listed = host
            .ports
            .iter()
            .filter(|p| {
                p.state == count.state && p.protocol == count.protocol && p.reason == count.reason
            })
            .count() as u32;
        let hidden = count.count.saturating_sub(listed);
        if hidden > 0 && count.state != PortState::Open {
            let _ = writeln!(
                out,
                "  not shown: {hidden} {} {} ports ({})",
                count.state.as_str(),
                count.protocol.as_str(),
                count.reason.describe()
            );
        }
    }
}

fn plural(count: u32, word: &str) -> String {
    if count == 1 {
        format!("1 {word}")
    } else {
        format!("{count} {word}s")
    }
}
