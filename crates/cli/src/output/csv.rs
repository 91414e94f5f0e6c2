//! One row a listed port, for spreadsheets and scripts.

use portcullis_model::report::ScanReport;

const HEADER: &str = "address,host_name,port,protocol,state,service,reason,rtt_ms\n";

pub fn render(report: &ScanReport) -> String {
    let mut out = String::from(HEADER);
    for host in &report.hosts {
        let name = host.host.name.as_deref().unwrap_or("");
        for port in &host.ports {
            let rtt = port
                .rtt_micros
                .map(|micros| format!("{:.3}", micros as f64 / 1000.0))
                .unwrap_or_default();
            let row = [
                host.host.address.to_string(),
                field(name),
                port.port.to_string(),
                port.protocol.as_str().to_owned(),
                port.state.as_str().to_owned(),
                field(port.service.as_deref().unwrap_or("")),
                field(&port.reason.describe()),
                rtt,
            ];
            out.push_str(&row.join(","));
            out.push('\n');
        }
    }
    out
}

/// Quotes a field when it holds a comma, quote or line break (RFC 4180).
fn field(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_with_separators_are_quoted() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
