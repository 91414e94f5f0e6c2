//! Identifying one TCP port: the plan's probes in order, each on a fresh
//! connection, until one is recognised, the port refuses, or its time
//! budget is spent.

use std::collections::VecDeque;
use std::time::Duration;

use portcullis_model::scan::Protocol;
use portcullis_model::service::{Confidence, ServiceIdentity};
use tokio::time::Instant;

use super::evidence::{MAX_FIELD, bounded};
use super::found::Found;
use super::plan::Probe;
use super::probes::{self, Outcome, PortContext, evidence_text};
use super::protocols::Identified;
use crate::services::registered_name;

/// What identification concluded, and what it learnt on the way.
#[derive(Debug, Clone)]
pub(crate) struct Identification {
    pub identity: ServiceIdentity,
    pub found: Option<Found>,
}

/// Runs `probes` (the port's plan) on the port in `ctx`, within `budget`.
pub(crate) async fn identify(
    ctx: &PortContext,
    probes: Vec<Probe>,
    budget: Duration,
) -> Identification {
    let deadline = Instant::now() + budget;
    let mut pending: VecDeque<Probe> = probes.into();
    let mut tried: Vec<String> = Vec::new();
    let mut unrecognised: Option<Vec<u8>> = None;
    let mut found: Option<Found> = None;
    while let Some(probe) = pending.pop_front() {
        if Instant::now() >= deadline {
            break;
        }
        tried.push(probe.name().to_owned());
        match probes::run(probe, ctx, deadline).await {
            Outcome::Found(answer) => {
                let mut answer = *answer;
                if probe == Probe::Http
                    && probes::wants_tls(&answer)
                    && pending.contains(&Probe::Tls)
                {
                    // "The plain HTTP request was sent to HTTPS port": ask in TLS.
                    tried.push(Probe::Tls.name().to_owned());
                    if let Outcome::Found(inside) = probes::run(Probe::Tls, ctx, deadline).await {
                        answer = *inside;
                    }
                }
                found = Some(answer);
                break;
            }
            Outcome::Unrecognised(bytes) => {
                unrecognised.get_or_insert(bytes);
                if probe == Probe::Banner {
                    // It speaks first, in no protocol we know: no request
                    // of ours will make it speak one.
                    break;
                }
            }
            Outcome::Silent => {}
            Outcome::Refused => {
                tried.push("connection refused: the port closed".to_owned());
                break;
            }
        }
    }
    let identity = describe(ctx, found.as_ref(), unrecognised.as_deref(), tried);
    Identification { identity, found }
}

/// The identity the model carries, from what was found.
fn describe(
    ctx: &PortContext,
    found: Option<&Found>,
    unrecognised: Option<&[u8]>,
    probes_tried: Vec<String>,
) -> ServiceIdentity {
    let port = ctx.address.port();
    let Some(found) = found else {
        let why = match unrecognised {
            Some(_) => "answered, but in no protocol Portcullis recognises",
            None => "accepted connections but answered no probe",
        };
        return unidentified(
            port,
            Protocol::Tcp,
            why,
            unrecognised.unwrap_or_default(),
            probes_tried,
        );
    };
    let tls_note = found
        .facts
        .handshake
        .as_ref()
        .and_then(|h| h.version)
        .map(|v| format!("inside {}", v.label()));
    match &found.identified {
        Some(identified) => {
            let mut extra = identified.extra.clone();
            if let Some(note) = tls_note {
                extra = Some(match extra {
                    Some(e) => format!("{e}; {note}"),
                    None => note,
                });
            }
            recognised(port, found, identified, extra, probes_tried)
        }
        None => {
            // TLS, with nothing recognisable inside (or TLS rustls would
            // not finish: SSLv3 to TLS 1.1 only).
            let service = ctx
                .hint
                .map(|proto| proto.service_name(port, true).to_owned())
                .or_else(|| registered_name(port, Protocol::Tcp))
                .unwrap_or_else(|| "unknown".into());
            let extra = match &found.facts.tls_failure {
                Some(why) => format!(
                    "speaks TLS, but not TLS 1.2 or 1.3 ({why}): the service inside was not identified"
                ),
                None => format!(
                    "{}: the service inside did not answer",
                    tls_note.unwrap_or_else(|| "TLS".into())
                ),
            };
            ServiceIdentity {
                service,
                product: None,
                version: None,
                extra: Some(long(&extra)),
                confidence: Confidence::Protocol,
                tls: true,
                evidence: evidence_text(&found.evidence),
                probes_tried,
            }
        }
    }
}

/// The identity of a service `found` recognised as `identified`, with
/// `extra` (the parser's, plus anything the caller adds).
pub(crate) fn recognised(
    port: u16,
    found: &Found,
    identified: &Identified,
    extra: Option<String>,
    probes_tried: Vec<String>,
) -> ServiceIdentity {
    ServiceIdentity {
        service: identified.proto.service_name(port, found.tls).to_owned(),
        product: identified.product.as_deref().map(short),
        version: identified.version.as_deref().map(short),
        extra: extra.map(|e| long(&e)),
        confidence: identified.confidence(),
        tls: found.tls,
        evidence: evidence_text(&found.evidence),
        probes_tried,
    }
}

/// The identity of a port nothing recognised: its registered name, `why`,
/// and whatever it sent.
pub(crate) fn unidentified(
    port: u16,
    protocol: Protocol,
    why: &str,
    evidence: &[u8],
    probes_tried: Vec<String>,
) -> ServiceIdentity {
    ServiceIdentity {
        service: registered_name(port, protocol).unwrap_or_else(|| "unknown".into()),
        product: None,
        version: None,
        extra: Some(why.to_owned()),
        confidence: Confidence::PortOnly,
        tls: false,
        evidence: evidence_text(evidence),
        probes_tried,
    }
}

/// Product and version: sanitised by their parsers, bounded here.
pub(crate) fn short(text: &str) -> String {
    bounded(text, MAX_FIELD)
}

/// Extra text may run longer than a field, but stays bounded.
pub(crate) fn long(text: &str) -> String {
    bounded(text, 600)
}
