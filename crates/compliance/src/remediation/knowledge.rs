//! Reading the knowledge base in `assets/remediation`: its services with
//! their facts, and its fixes, checked once when read.

use std::collections::HashMap;

use portcullis_model::compliance::{FindingKind, Platform, PlatformFamily};
use serde::Deserialize;

use super::text::{self, Text};

/// The files built into the program, by the name a reviewer knows them.
pub(super) const SERVICES: (&str, &str) = (
    "services.toml",
    include_str!("../../../../assets/remediation/services.toml"),
);
pub(super) const FIXES: [(&str, &str); 6] = [
    (
        "fixes/exposure.toml",
        include_str!("../../../../assets/remediation/fixes/exposure.toml"),
    ),
    (
        "fixes/ssh.toml",
        include_str!("../../../../assets/remediation/fixes/ssh.toml"),
    ),
    (
        "fixes/tls.toml",
        include_str!("../../../../assets/remediation/fixes/tls.toml"),
    ),
    (
        "fixes/web.toml",
        include_str!("../../../../assets/remediation/fixes/web.toml"),
    ),
    (
        "fixes/updates.toml",
        include_str!("../../../../assets/remediation/fixes/updates.toml"),
    ),
    (
        "fixes/programme.toml",
        include_str!("../../../../assets/remediation/fixes/programme.toml"),
    ),
];

/// The facts a finding itself fills in; see `assets/remediation/README.md`.
pub(super) const FINDING_FACTS: [&str; 8] = [
    "address", "port", "protocol", "PROTOCOL", "system", "service", "product", "version",
];

/// What the knowledge base says about one service.
#[derive(Debug, Clone)]
pub struct ServiceEntry {
    pub id: String,
    /// Lower case.
    pub(super) names: Vec<String>,
    pub what: String,
    pub why: String,
    /// Facts by scope: a platform id, a family id, or `any`.
    pub(super) facts: HashMap<String, HashMap<String, String>>,
}

impl ServiceEntry {
    /// The fact `name` for `platform`: its own, its family's, or anyone's.
    pub(super) fn fact(&self, name: &str, platform: Platform) -> Option<&str> {
        [platform.id(), platform.family().id(), "any"]
            .into_iter()
            .find_map(|scope| self.facts.get(scope)?.get(name))
            .map(String::as_str)
    }

    pub(super) fn answers_to(&self, name: &str) -> bool {
        let name = name.to_ascii_lowercase();
        self.names.contains(&name)
    }
}

/// One fix, as written.
#[derive(Debug, Clone)]
pub struct FixEntry {
    /// The file it is written in, for messages.
    pub source: &'static str,
    pub(super) kinds: Vec<FindingKind>,
    pub(super) platforms: Vec<String>,
    pub(super) services: Option<Vec<String>>,
    pub(super) title: Text,
    pub(super) steps: Vec<Text>,
    pub(super) check: Text,
    pub(super) breaks: Text,
    pub(super) provider: Text,
    pub(super) undo: Text,
}

impl FixEntry {
    pub(super) fn is_for(&self, kind: FindingKind, platform: Platform) -> bool {
        self.kinds.contains(&kind)
            && self.platforms.iter().any(|named| {
                named == "any" || named == platform.id() || named == platform.family().id()
            })
    }

    pub(super) fn is_for_service(&self, service: &ServiceEntry) -> bool {
        self.services
            .as_ref()
            .is_none_or(|ids| ids.contains(&service.id))
    }

    /// Every text of the fix, in reading order.
    pub(super) fn texts(&self) -> impl Iterator<Item = &Text> {
        std::iter::once(&self.title).chain(&self.steps).chain([
            &self.check,
            &self.breaks,
            &self.provider,
            &self.undo,
        ])
    }
}

/// Why the knowledge base cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum KnowledgeError {
    #[error("{file}: {error}")]
    Toml {
        file: &'static str,
        error: toml::de::Error,
    },
    #[error("{file}: {what}")]
    Invalid { file: &'static str, what: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ServicesFile {
    service: Vec<ServiceSource>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ServiceSource {
    id: String,
    names: Vec<String>,
    what: String,
    why: String,
    #[serde(default)]
    facts: HashMap<String, HashMap<String, String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FixesFile {
    #[serde(default)]
    fix: Vec<FixSource>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FixSource {
    kinds: Vec<FindingKind>,
    platforms: Vec<String>,
    services: Option<Vec<String>>,
    title: String,
    steps: Vec<String>,
    check: String,
    breaks: String,
    provider: String,
    undo: String,
}

/// The scopes a fact table or a fix may name.
fn known_scope(scope: &str) -> bool {
    scope == "any"
        || Platform::ALL
            .into_iter()
            .any(|p| p.id() == scope || p.family().id() == scope)
}

/// Every family, for the messages that list the scopes.
const FAMILIES: [PlatformFamily; 6] = [
    PlatformFamily::Linux,
    PlatformFamily::Windows,
    PlatformFamily::Macos,
    PlatformFamily::HostingPanel,
    PlatformFamily::Cloud,
    PlatformFamily::Router,
];

fn unknown_scope(scope: &str) -> String {
    let families: Vec<&str> = FAMILIES.iter().map(|f| f.id()).collect();
    format!(
        "unknown platform \"{scope}\": use a platform id, one of the families ({}), or any",
        families.join(", ")
    )
}

pub(super) fn read_services(
    (file, text): (&'static str, &str),
) -> Result<Vec<ServiceEntry>, KnowledgeError> {
    let parsed: ServicesFile =
        toml::from_str(text).map_err(|error| KnowledgeError::Toml { file, error })?;
    let invalid = |what: String| KnowledgeError::Invalid { file, what };
    let mut services: Vec<ServiceEntry> = Vec::with_capacity(parsed.service.len());
    for source in parsed.service {
        if services.iter().any(|s| s.id == source.id) {
            return Err(invalid(format!(
                "service \"{}\" is listed twice",
                source.id
            )));
        }
        if let Some(scope) = source.facts.keys().find(|scope| !known_scope(scope)) {
            return Err(invalid(format!(
                "service \"{}\": {}",
                source.id,
                unknown_scope(scope)
            )));
        }
        services.push(ServiceEntry {
            id: source.id,
            names: source
                .names
                .iter()
                .map(|n| n.to_ascii_lowercase())
                .collect(),
            what: source.what,
            why: source.why,
            facts: source.facts,
        });
    }
    match services.last() {
        Some(last) if last.names.is_empty() => Ok(services),
        _ => Err(invalid(
            "the last service must be the one with no names, for any other service".into(),
        )),
    }
}

pub(super) fn read_fixes(
    (file, text): (&'static str, &str),
    services: &[ServiceEntry],
) -> Result<Vec<FixEntry>, KnowledgeError> {
    let parsed: FixesFile =
        toml::from_str(text).map_err(|error| KnowledgeError::Toml { file, error })?;
    let invalid = |what: String| KnowledgeError::Invalid { file, what };
    let mut fixes = Vec::with_capacity(parsed.fix.len());
    for source in parsed.fix {
        let title = source.title.clone();
        let parse = |text: &str| {
            Text::parse(text).map_err(|error| invalid(format!("fix \"{title}\": {error}")))
        };
        if let Some(scope) = source.platforms.iter().find(|scope| !known_scope(scope)) {
            return Err(invalid(format!(
                "fix \"{title}\": {}",
                unknown_scope(scope)
            )));
        }
        if let Some(unknown) = source
            .services
            .iter()
            .flatten()
            .find(|id| !services.iter().any(|s| &s.id == *id))
        {
            return Err(invalid(format!(
                "fix \"{title}\": no service \"{unknown}\" in services.toml"
            )));
        }
        if source.kinds.is_empty() || source.platforms.is_empty() || source.steps.is_empty() {
            return Err(invalid(format!(
                "fix \"{title}\" needs kinds, platforms and steps"
            )));
        }
        fixes.push(FixEntry {
            source: file,
            kinds: source.kinds,
            platforms: source.platforms,
            services: source.services,
            title: parse(&source.title)?,
            steps: source
                .steps
                .iter()
                .map(|step| parse(step))
                .collect::<Result<_, _>>()?,
            check: parse(&source.check)?,
            breaks: parse(&source.breaks)?,
            provider: parse(&source.provider)?,
            undo: parse(&source.undo)?,
        });
    }
    Ok(fixes)
}

/// Every placeholder name some finding or service can fill.
pub(super) fn fillable_names(services: &[ServiceEntry]) -> Vec<&str> {
    let mut names: Vec<&str> = FINDING_FACTS.to_vec();
    for service in services {
        for facts in service.facts.values() {
            for name in facts.keys() {
                if !names.contains(&name.as_str()) {
                    names.push(name);
                }
            }
        }
    }
    names
}

/// Refuses a fix that uses a placeholder nothing fills: a typo would
/// otherwise make the fix silently never apply.
pub(super) fn check_fillable(fix: &FixEntry, fillable: &[&str]) -> Result<(), KnowledgeError> {
    for text in fix.texts() {
        if let Some(name) = text::names(text).find(|name| !fillable.contains(name)) {
            return Err(KnowledgeError::Invalid {
                file: fix.source,
                what: format!(
                    "fix \"{}\": no finding or service fills {{{name}}} (a finding fills {})",
                    fix.title.words(),
                    FINDING_FACTS.join(", ")
                ),
            });
        }
    }
    Ok(())
}
