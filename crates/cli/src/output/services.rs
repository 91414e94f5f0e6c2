//! The identification and posture of a port, as indented lines under it
//! in the text report. Every string here came from a scanned server and
//! was sanitised by the scanner (printable ASCII, escapes as `\xNN`).

use std::fmt::Write;

use portcullis_model::scan::PortResult;
use portcullis_model::service::{
    AlgorithmConcern, Confidence, HttpPosture, Posture, ServiceIdentity, SshPosture, TlsPosture,
};

const INDENT: &str = "      ";

/// Writes what identification and posture found for `port`, if anything.
pub fn render(out: &mut String, port: &PortResult) {
    if let Some(identity) = &port.identity {
        let _ = writeln!(out, "{INDENT}{}", describe(identity));
    }
    if let Some(posture) = &port.posture {
        render_posture(out, posture);
    }
}

/// "ssh: OpenSSH 9.2p1 (Debian-2+deb12u3; protocol 2.0)".
fn describe(identity: &ServiceIdentity) -> String {
    let mut line = format!("{}:", identity.service);
    match (&identity.product, &identity.version) {
        (Some(product), Some(version)) => {
            let _ = write!(line, " {product} {version}");
        }
        (Some(product), None) => {
            let _ = write!(line, " {product}");
        }
        _ => {}
    }
    if let Some(extra) = &identity.extra {
        let _ = write!(line, " ({extra})");
    }
    match identity.confidence {
        Confidence::PortOnly => {
            let _ = write!(
                line,
                " [not identified; tried: {}]",
                identity.probes_tried.join(", ")
            );
        }
        Confidence::Protocol if identity.product.is_none() => line.push_str(" [product not named]"),
        _ => {}
    }
    line
}

fn render_posture(out: &mut String, posture: &Posture) {
    if let Some(tls) = &posture.tls {
        render_tls(out, tls);
    }
    if let Some(ssh) = &posture.ssh {
        render_ssh(out, ssh);
    }
    if let Some(http) = &posture.http {
        render_http(out, http);
    }
    for open in &posture.open_access {
        let _ = writeln!(
            out,
            "{INDENT}OPEN ACCESS ({}): {}",
            open.kind.fact(),
            open.detail
        );
    }
    for advisory in &posture.advisories {
        let when = advisory
            .end_of_life
            .as_deref()
            .map(|date| format!(" since {date}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{INDENT}ADVISORY {}{when}: {} {} is in {}. {} ({})",
            advisory.id,
            advisory.product,
            advisory.version,
            advisory.affected,
            advisory.summary,
            advisory.source
        );
    }
}

fn render_tls(out: &mut String, tls: &TlsPosture) {
    let versions: Vec<&str> = tls.versions.iter().map(|v| v.label()).collect();
    let _ = writeln!(
        out,
        "{INDENT}TLS versions accepted: {}",
        if versions.is_empty() {
            "none answered".to_owned()
        } else {
            versions.join(", ")
        }
    );
    for suite in &tls.weak_suites {
        let _ = writeln!(
            out,
            "{INDENT}TLS weak suite ({}): {} in {}",
            suite.kind.label(),
            suite.name,
            suite.version.label()
        );
    }
    if let Some(cert) = &tls.certificate {
        let mut notes = Vec::new();
        if cert.self_signed {
            notes.push("self-signed".to_owned());
        }
        if !cert.self_signed && cert.trusted == Some(false) {
            notes.push("not from a CA browsers trust".to_owned());
        }
        if cert.expired {
            notes.push("EXPIRED".to_owned());
        }
        if cert.name_matches == Some(false) {
            notes.push("does not name this host".to_owned());
        }
        let key = match cert.key_bits {
            Some(bits) => format!("{} {bits}-bit", cert.key_type),
            None => cert.key_type.clone(),
        };
        notes.push(key);
        let _ = writeln!(
            out,
            "{INDENT}certificate: {} (issuer {}), valid {} to {}; {}",
            cert.subject,
            cert.issuer,
            cert.not_before,
            cert.not_after,
            notes.join(", ")
        );
    }
}

fn render_ssh(out: &mut String, ssh: &SshPosture) {
    let login = match ssh.password_login {
        Some(true) => "password login OFFERED",
        Some(false) => "no password login",
        None => "login methods unknown",
    };
    let methods = if ssh.auth_methods.is_empty() {
        String::new()
    } else {
        format!(" ({})", ssh.auth_methods.join(", "))
    };
    let _ = writeln!(out, "{INDENT}SSH: {login}{methods}");
    for weak in &ssh.weak {
        let concern = match weak.concern {
            AlgorithmConcern::Weak => "weak",
            AlgorithmConcern::Dated => "dated",
        };
        let _ = writeln!(
            out,
            "{INDENT}SSH {concern} algorithm: {} ({})",
            weak.name, weak.why
        );
    }
}

fn render_http(out: &mut String, http: &HttpPosture) {
    let mut facts = Vec::new();
    if let Some(status) = http.status {
        facts.push(format!("status {status}"));
    }
    if let Some(title) = &http.title {
        facts.push(format!("title \"{title}\""));
    }
    if let Some(location) = &http.location {
        facts.push(format!("redirects to {location}"));
    }
    match http.redirects_to_https {
        Some(false) => facts.push("does NOT redirect to HTTPS".into()),
        Some(true) => facts.push("redirects to HTTPS".into()),
        None => {}
    }
    match http.hsts {
        Some(false) => facts.push("no HSTS".into()),
        Some(true) => facts.push("HSTS".into()),
        None => {}
    }
    if http.directory_listing {
        facts.push("DIRECTORY LISTING".into());
    }
    let _ = writeln!(out, "{INDENT}HTTP: {}", facts.join("; "));
    for page in &http.exposed_pages {
        let _ = writeln!(out, "{INDENT}HTTP exposed page: {page}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(
        product: Option<&str>,
        version: Option<&str>,
        confidence: Confidence,
    ) -> ServiceIdentity {
        ServiceIdentity {
            service: "ssh".into(),
            product: product.map(Into::into),
            version: version.map(Into::into),
            extra: Some("protocol 2.0".into()),
            confidence,
            tls: false,
            evidence: String::new(),
            probes_tried: vec!["banner".into(), "http-get".into()],
        }
    }

    #[test]
    fn identities_read_as_a_line() {
        assert_eq!(
            describe(&identity(
                Some("OpenSSH"),
                Some("9.2p1"),
                Confidence::Product
            )),
            "ssh: OpenSSH 9.2p1 (protocol 2.0)"
        );
        assert_eq!(
            describe(&identity(None, None, Confidence::PortOnly)),
            "ssh: (protocol 2.0) [not identified; tried: banner, http-get]"
        );
    }
}
