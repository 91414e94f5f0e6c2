//! Posture: the checks an ASV fails a merchant for, run on a port whose
//! service is identified. TLS versions, suites and certificate; SSH
//! algorithms and login methods; HTTP redirects, HSTS and exposed pages;
//! services open without authentication; versions with known
//! vulnerabilities or past their end of life.

pub(crate) mod advisories;
pub(crate) mod exposure;
pub(crate) mod http;
pub(crate) mod package_version;
pub(crate) mod ssh;
pub(crate) mod version;

use portcullis_model::service::{Posture, VersionAdvisory};
use tokio::time::Instant;

use super::found::Found;
use super::probes::PortContext;
use super::protocols::Proto;
use super::tls::posture::{TlsTarget, assess as assess_tls};

/// Every check that applies to what was found.
/// `extra_roots` are the certificate authorities (DER) the user trusts
/// besides the public roots.
pub(crate) async fn assess(
    ctx: &PortContext,
    found: &Found,
    deadline: Instant,
    extra_roots: &[Vec<u8>],
) -> Posture {
    let mut posture = Posture {
        open_access: found.facts.open_access.clone(),
        ..Posture::default()
    };
    let proto = found.identified.as_ref().map(|i| i.proto);
    if found.tls {
        let target = TlsTarget {
            address: ctx.address,
            host_name: ctx.host_name.as_deref(),
            clock: ctx.clock,
            deadline,
            extra_roots,
        };
        let known = found
            .facts
            .handshake
            .as_ref()
            .map_or(&[][..], |h| h.certificates.as_slice());
        posture.tls = Some(assess_tls(&target, known).await);
    }
    match proto {
        Some(Proto::Ssh) => posture.ssh = ssh::assess(ctx, deadline).await,
        Some(Proto::Http) => {
            if let Some(root) = &found.facts.http {
                posture.http = Some(http::assess(ctx, found.tls, root, deadline).await);
            }
        }
        Some(Proto::Ftp) if !found.tls => {
            posture
                .open_access
                .extend(exposure::ftp_anonymous(ctx, deadline).await);
        }
        Some(Proto::Memcached) => {
            posture
                .open_access
                .extend(exposure::memcached_stats(ctx, deadline).await);
        }
        Some(Proto::MongoDb) => {
            posture
                .open_access
                .extend(exposure::mongodb_open(ctx, deadline).await);
        }
        _ => {}
    }
    posture.advisories = version_advisories(found, chrono::Utc::now().date_naive());
    posture
}

/// Advisories for the identified product and the products its HTTP
/// headers named, each once.
pub(crate) fn version_advisories(found: &Found, today: chrono::NaiveDate) -> Vec<VersionAdvisory> {
    let Some(identified) = &found.identified else {
        return Vec::new();
    };
    let build = advisories::Build::parse(identified.extra.as_deref());
    let mut named: Vec<(&str, &str)> = Vec::new();
    if let (Some(product), Some(version)) = (&identified.product, &identified.version) {
        named.push((product, version));
    }
    for component in &found.facts.components {
        if let Some(version) = &component.version {
            named.push((&component.product, version));
        }
    }
    let mut all: Vec<VersionAdvisory> = Vec::new();
    for (product, version) in named {
        for advisory in advisories::matching(product, version, today, build.as_ref()) {
            let seen = all.iter().any(|a| {
                a.product == advisory.product
                    && a.id == advisory.id
                    && a.affected == advisory.affected
            });
            if !seen {
                all.push(advisory);
            }
        }
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identify::protocols::http::{identify as identify_http, parse_response};

    #[test]
    fn server_header_components_get_their_advisories() {
        let response = parse_response(
            b"HTTP/1.1 200 OK\r\nServer: Apache/2.4.49 (Unix) OpenSSL/1.0.1f\r\nX-Powered-By: PHP/7.4.33\r\n\r\n",
        )
        .unwrap();
        let (identified, components) = identify_http(&response);
        let mut found = Found::identified(identified, Vec::new());
        found.facts.components = components;
        let advisories = version_advisories(&found, "2026-01-01".parse().unwrap());
        let ids: Vec<(&str, &str)> = advisories
            .iter()
            .map(|a| (a.product.as_str(), a.id.as_str()))
            .collect();
        assert!(ids.contains(&("Apache httpd", "CVE-2021-41773")), "{ids:?}");
        assert!(ids.contains(&("OpenSSL", "CVE-2014-0160")), "{ids:?}");
        assert!(ids.contains(&("PHP", "EOL")), "{ids:?}");
        let apache_41773 = ids.iter().filter(|(_, id)| *id == "CVE-2021-41773").count();
        assert_eq!(apache_41773, 1, "each advisory once");
    }
}
