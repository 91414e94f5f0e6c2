//! Remediation: the steps that fix a finding on the merchant's platform,
//! from the knowledge base in `assets/remediation` (see its README), with
//! every command filled in for the host, port and service at hand; and a
//! best guess of a system's platform from what a scan saw.

mod guess;
mod knowledge;
mod text;

#[cfg(test)]
mod tests;

use std::sync::OnceLock;

use portcullis_model::FindingId;
use portcullis_model::compliance::{Finding, FindingKind, FixSteps, Platform, PlatformChoice};
use portcullis_model::scan::Protocol;

pub use guess::guess_platform;
pub use knowledge::{FixEntry, KnowledgeError, ServiceEntry};

/// The services and fixes of `assets/remediation`, checked.
#[derive(Debug)]
pub struct KnowledgeBase {
    services: Vec<ServiceEntry>,
    fixes: Vec<FixEntry>,
}

/// The finding a fix is wanted for, and where it stands.
#[derive(Debug, Clone, Copy)]
pub struct FixRequest<'a> {
    pub finding_id: FindingId,
    pub finding: &'a Finding,
    /// The name of the system the finding is on ("an unregistered
    /// machine" when none).
    pub system: &'a str,
    pub platform: Platform,
    pub choice: &'a PlatformChoice,
}

impl KnowledgeBase {
    /// The knowledge base built into the program, read once.
    pub fn builtin() -> &'static KnowledgeBase {
        static BASE: OnceLock<KnowledgeBase> = OnceLock::new();
        BASE.get_or_init(|| {
            KnowledgeBase::read(knowledge::SERVICES, &knowledge::FIXES)
                .unwrap_or_else(|error| panic!("assets/remediation/{error}"))
        })
    }

    /// Reads and checks the services file and the fix files, in order.
    pub fn read(
        services: (&'static str, &str),
        fixes: &[(&'static str, &str)],
    ) -> Result<KnowledgeBase, KnowledgeError> {
        let services = knowledge::read_services(services)?;
        let fillable = knowledge::fillable_names(&services);
        let mut all = Vec::new();
        for file in fixes {
            let read = knowledge::read_fixes(*file, &services)?;
            for fix in &read {
                knowledge::check_fillable(fix, &fillable)?;
            }
            all.extend(read);
        }
        Ok(KnowledgeBase {
            services,
            fixes: all,
        })
    }

    /// The service a finding is about: its product first ("nginx" before
    /// "https"), then its service; the catch-all entry otherwise.
    pub fn service_of(&self, finding: &Finding) -> &ServiceEntry {
        let named = |name: Option<&String>| {
            let name = name?;
            self.services.iter().find(|s| s.answers_to(name))
        };
        named(finding.product.as_ref())
            .or_else(|| named(finding.service.as_ref()))
            .unwrap_or_else(|| self.services.last().expect("checked when read"))
    }

    /// The steps that fix the finding on the platform: the first fix for
    /// its kind, platform and service whose every placeholder has a value.
    /// `None` only when the knowledge base has no fix for the kind on the
    /// platform (a test keeps that from happening).
    pub fn fix(&self, request: FixRequest<'_>) -> Option<FixSteps> {
        self.choose(request).map(|(_, steps)| steps)
    }

    /// The fix chosen for `request`, with its place in [`Self::fixes`].
    fn choose(&self, request: FixRequest<'_>) -> Option<(usize, FixSteps)> {
        let FixRequest {
            finding, platform, ..
        } = request;
        let service = self.service_of(finding);
        let place = Place::of(finding);
        let value = |name: &str| fact(request, &place, service, name);
        let (index, rendered) = self
            .fixes
            .iter()
            .enumerate()
            .filter(|(_, fix)| fix.is_for(finding.kind, platform) && fix.is_for_service(service))
            .find_map(|(index, fix)| Some((index, render(fix, &value)?)))?;
        let about_a_service = is_about_a_service(finding);
        let steps = FixSteps {
            finding_id: request.finding_id,
            platform,
            choice: request.choice.clone(),
            title: rendered.title,
            what: if about_a_service {
                service.what.clone()
            } else {
                String::new()
            },
            why: if about_a_service {
                service.why.clone()
            } else {
                finding.explanation.to_string()
            },
            requirements: finding.requirements.to_vec(),
            steps: rendered.steps,
            check: rendered.check,
            breaks: rendered.breaks,
            provider: rendered.provider,
            undo: rendered.undo,
        };
        Some((index, steps))
    }

    pub fn services(&self) -> &[ServiceEntry] {
        &self.services
    }

    pub fn fixes(&self) -> &[FixEntry] {
        &self.fixes
    }
}

/// Whether the finding is about what runs on a port (so the service's
/// words explain it), not about the inventory or the programme.
fn is_about_a_service(finding: &Finding) -> bool {
    use FindingKind::*;
    finding.port.is_some()
        && !matches!(
            finding.kind,
            StaleInventoryEntry | ExpiredInventoryEntry | UnassignedHost
        )
}

/// The facts of a finding that are written as numbers or words.
struct Place {
    address: Option<String>,
    port: Option<String>,
    protocol: Option<Protocol>,
}

impl Place {
    fn of(finding: &Finding) -> Place {
        Place {
            address: finding.address.map(|address| address.to_string()),
            port: finding.port.map(|port| port.to_string()),
            protocol: finding.protocol,
        }
    }
}

/// The value of a placeholder for this finding and service.
fn fact<'a>(
    request: FixRequest<'a>,
    place: &'a Place,
    service: &'a ServiceEntry,
    name: &str,
) -> Option<&'a str> {
    let finding = request.finding;
    match name {
        "address" => place.address.as_deref(),
        "port" => place.port.as_deref(),
        "protocol" => place.protocol.map(protocol_lower),
        "PROTOCOL" => place.protocol.map(protocol_upper),
        "system" => Some(request.system),
        "service" => finding.service.as_deref(),
        "product" => finding.product.as_deref(),
        "version" => finding.version.as_deref(),
        _ => service.fact(name, request.platform),
    }
}

/// A fix with its placeholders filled.
struct Rendered {
    title: String,
    steps: Vec<String>,
    check: String,
    breaks: String,
    provider: String,
    undo: String,
}

fn render<'v>(fix: &FixEntry, value: &impl Fn(&str) -> Option<&'v str>) -> Option<Rendered> {
    Some(Rendered {
        title: fix.title.fill(value)?,
        steps: fix
            .steps
            .iter()
            .map(|step| step.fill(value))
            .collect::<Option<_>>()?,
        check: fix.check.fill(value)?,
        breaks: fix.breaks.fill(value)?,
        provider: fix.provider.fill(value)?,
        undo: fix.undo.fill(value)?,
    })
}

fn protocol_lower(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::Tcp => "tcp",
        Protocol::Udp => "udp",
    }
}

/// How a protocol is written in commands that want capitals (PowerShell,
/// Azure).
fn protocol_upper(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::Tcp => "TCP",
        Protocol::Udp => "UDP",
    }
}
