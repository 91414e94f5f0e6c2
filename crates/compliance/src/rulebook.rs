//! The rule book: every rule's severity, PCI DSS requirements and words, and
//! the service groups the rules ask about, read from `assets/rules/rules.toml`.
//!
//! The texts live in a data file so that a person can review what the user
//! is told without reading code; the code only decides when a rule fires.
//! The file is embedded at compile time and checked completely when parsed
//! (every kind has one rule, every placeholder is known, every port parses),
//! so a mistake in it fails the unit tests, not a user's evaluation.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, OnceLock};

use portcullis_model::compliance::{FindingKind, Severity};
use portcullis_model::scan::Protocol;
use serde::Deserialize;

use crate::template::{Template, TemplateError};

/// The rule book shipped with Portcullis.
pub(crate) const BUILTIN: &str = include_str!("../../../assets/rules/rules.toml");

/// What accepting a finding of a rule means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AcceptPolicy {
    /// It can only be fixed.
    No,
    /// The finding is accepted until a date; the inventory is untouched.
    FindingOnly,
    /// The finding is accepted, and the port written into the inventory.
    ApprovePort,
    /// The finding is accepted, and the port's inventory entry renewed.
    RenewEntry,
}

/// One rule as the file states it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: FindingKind,
    pub severity: Severity,
    pub accept: AcceptPolicy,
    pub requirements: Vec<String>,
    pub title: String,
    pub explanation: String,
    pub remedy: String,
}

/// A group of services a rule asks about (databases, remote access,
/// cleartext protocols).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Category {
    /// Lower-case service and product names.
    services: HashSet<String>,
    /// Ports that suggest the group when nothing was identified.
    ports: HashSet<(Protocol, u16)>,
}

impl Category {
    /// Whether `name` (a service or product name, any case) is in the group.
    pub fn has_service(&self, name: &str) -> bool {
        lookup_any_case(&self.services, name, |set, key| set.contains(key))
    }

    /// Whether the port is one this group usually runs on.
    pub fn has_port(&self, protocol: Protocol, port: u16) -> bool {
        self.ports.contains(&(protocol, port))
    }
}

/// The service groups of the rule book.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Categories {
    pub database: Category,
    pub remote_access: Category,
    pub cleartext: Category,
    /// Remote logins that send passwords as readable text.
    pub cleartext_login: Category,
}

/// A rule ready to word findings: its texts parsed once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Wording {
    pub severity: Severity,
    /// Shared by every finding of the rule.
    pub requirements: Arc<[String]>,
    pub title: Template,
    pub explanation: Template,
    pub remedy: Template,
}

/// Every rule, the service groups and the plain-English service names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rulebook {
    /// Both in the order of [`FindingKind::ALL`] (the declaration order),
    /// so a kind's rule and wording are found by its position.
    rules: Vec<Rule>,
    wordings: Vec<Wording>,
    pub categories: Categories,
    /// Lower-case service or product name to its description in words.
    plain_names: HashMap<String, String>,
}

/// A rule book that cannot be used, and why.
#[derive(Debug, thiserror::Error)]
pub enum RulebookError {
    #[error("rule book is not valid TOML: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("rule book has no rule with id `{}`", .0.id())]
    MissingRule(FindingKind),
    #[error("rule book has two rules with id `{}`", .0.id())]
    DuplicateRule(FindingKind),
    #[error("rule `{rule}`: {field} uses unknown placeholder `{{{placeholder}}}`")]
    UnknownPlaceholder {
        rule: &'static str,
        field: &'static str,
        placeholder: String,
    },
    #[error("rule `{rule}`: {field} has a `{{` without a closing `}}`")]
    UnclosedPlaceholder {
        rule: &'static str,
        field: &'static str,
    },
    #[error("rule `{rule}`: requirement `{requirement}` is not a PCI DSS number like 1.2.5")]
    BadRequirement {
        rule: &'static str,
        requirement: String,
    },
    #[error("rule `{rule}` lists no PCI DSS requirement")]
    NoRequirement { rule: &'static str },
    #[error("category `{category}`: port `{port}` is not written as tcp/N or udp/N")]
    BadPort {
        category: &'static str,
        port: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RulebookFile {
    rule: Vec<Rule>,
    category: CategoriesFile,
    service: Vec<ServiceFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct CategoriesFile {
    database: CategoryFile,
    remote_access: CategoryFile,
    cleartext: CategoryFile,
    cleartext_login: CategoryFile,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CategoryFile {
    services: Vec<String>,
    ports: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ServiceFile {
    names: Vec<String>,
    plain: String,
}

impl Rulebook {
    /// The rule book shipped in `assets/rules/rules.toml`, parsed once.
    pub fn builtin() -> &'static Rulebook {
        static BOOK: OnceLock<Rulebook> = OnceLock::new();
        BOOK.get_or_init(|| {
            Rulebook::parse(BUILTIN)
                .unwrap_or_else(|error| panic!("assets/rules/rules.toml: {error}"))
        })
    }

    /// Reads and checks a rule book.
    pub fn parse(text: &str) -> Result<Rulebook, RulebookError> {
        let file: RulebookFile = toml::from_str(text)?;
        let mut by_kind = HashMap::new();
        for rule in file.rule {
            let wording = check_rule(&rule)?;
            let kind = rule.id;
            if by_kind.insert(kind, (rule, wording)).is_some() {
                return Err(RulebookError::DuplicateRule(kind));
            }
        }
        let (rules, wordings) = FindingKind::ALL
            .into_iter()
            .map(|kind| {
                by_kind
                    .remove(&kind)
                    .ok_or(RulebookError::MissingRule(kind))
            })
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .unzip();
        let categories = Categories {
            database: category("database", file.category.database)?,
            remote_access: category("remote-access", file.category.remote_access)?,
            cleartext: category("cleartext", file.category.cleartext)?,
            cleartext_login: category("cleartext-login", file.category.cleartext_login)?,
        };
        let mut plain_names = HashMap::new();
        for service in file.service {
            for name in service.names {
                plain_names
                    .entry(name.to_ascii_lowercase())
                    .or_insert_with(|| service.plain.clone());
            }
        }
        Ok(Rulebook {
            rules,
            wordings,
            categories,
            plain_names,
        })
    }

    /// The rule for `kind`; every kind has one (checked by [`parse`]).
    ///
    /// [`parse`]: Rulebook::parse
    pub fn rule(&self, kind: FindingKind) -> &Rule {
        &self.rules[kind as usize]
    }

    /// How findings of `kind` are worded.
    pub(crate) fn wording(&self, kind: FindingKind) -> &Wording {
        &self.wordings[kind as usize]
    }

    /// Every rule, in the order of [`FindingKind::ALL`].
    pub fn rules(&self) -> impl Iterator<Item = &Rule> {
        self.rules.iter()
    }

    /// The first description in words among `names` (service, product, port
    /// name, in that order of preference).
    pub fn plain_name<'n>(&self, names: impl IntoIterator<Item = &'n str>) -> Option<&str> {
        names
            .into_iter()
            .find_map(|name| lookup_any_case(&self.plain_names, name, |map, key| map.get(key)))
            .map(String::as_str)
    }
}

/// Looks `name` up in a table of lower-case keys, allocating a lower-case
/// copy only when the name has upper-case letters (evaluation looks up
/// names for every open port).
fn lookup_any_case<T, R>(table: T, name: &str, get: impl Fn(T, &str) -> R) -> R {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        get(table, &name.to_ascii_lowercase())
    } else {
        get(table, name)
    }
}

/// Checks a rule and parses its texts.
fn check_rule(rule: &Rule) -> Result<Wording, RulebookError> {
    let id = rule.id.id();
    let template = |field: &'static str, text: &str| {
        Template::parse(text).map_err(|error| match error {
            TemplateError::Unclosed => RulebookError::UnclosedPlaceholder { rule: id, field },
            TemplateError::Unknown(placeholder) => RulebookError::UnknownPlaceholder {
                rule: id,
                field,
                placeholder,
            },
        })
    };
    let wording = Wording {
        severity: rule.severity,
        requirements: rule.requirements.clone().into(),
        title: template("title", &rule.title)?,
        explanation: template("explanation", &rule.explanation)?,
        remedy: template("remedy", &rule.remedy)?,
    };
    if rule.requirements.is_empty() {
        return Err(RulebookError::NoRequirement { rule: id });
    }
    if let Some(bad) = rule.requirements.iter().find(|r| !is_requirement_number(r)) {
        return Err(RulebookError::BadRequirement {
            rule: id,
            requirement: bad.clone(),
        });
    }
    Ok(wording)
}

/// "1.2.5", "11.3.2": numbers separated by dots.
fn is_requirement_number(text: &str) -> bool {
    text.split('.')
        .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
}

fn category(name: &'static str, file: CategoryFile) -> Result<Category, RulebookError> {
    let services = file
        .services
        .iter()
        .map(|s| s.to_ascii_lowercase())
        .collect();
    let ports = file
        .ports
        .iter()
        .map(|text| {
            parse_port(text).ok_or_else(|| RulebookError::BadPort {
                category: name,
                port: text.clone(),
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(Category { services, ports })
}

/// "tcp/3306" -> (Tcp, 3306).
fn parse_port(text: &str) -> Option<(Protocol, u16)> {
    let (protocol, port) = text.split_once('/')?;
    let protocol = match protocol {
        "tcp" => Protocol::Tcp,
        "udp" => Protocol::Udp,
        _ => return None,
    };
    Some((protocol, port.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A rule that always fails an ASV scan says it cannot be accepted, so
    /// that the book does not promise what the code refuses; only the
    /// version rules, whose level each advisory sets, and reported
    /// problems, whose level the scanner's score sets, may say otherwise.
    #[test]
    fn rules_that_always_fail_cannot_be_accepted() {
        let book = Rulebook::builtin();
        for kind in FindingKind::ALL {
            let rule = book.rule(kind);
            let varies = matches!(
                kind,
                FindingKind::VulnerableVersion
                    | FindingKind::EndOfLifeVersion
                    | FindingKind::ReportedProblem
            );
            if rule.severity.fails_asv_scan() && !varies {
                assert_eq!(rule.accept, AcceptPolicy::No, "{}", kind.id());
            }
        }
    }

    #[test]
    fn the_builtin_rule_book_parses_and_has_a_rule_for_every_kind() {
        let book = Rulebook::parse(BUILTIN).unwrap_or_else(|e| panic!("{e}"));
        for kind in FindingKind::ALL {
            let rule = book.rule(kind);
            assert_eq!(rule.id, kind);
            assert!(!rule.title.trim().is_empty(), "{}: empty title", kind.id());
            assert!(
                rule.explanation.len() > 80,
                "{}: the explanation should say what and why",
                kind.id()
            );
            assert!(
                !rule.remedy.trim().is_empty(),
                "{}: empty remedy",
                kind.id()
            );
            assert!(
                !rule.explanation.ends_with(char::is_whitespace),
                "{}: trailing whitespace",
                kind.id()
            );
        }
        assert_eq!(book.rules().count(), FindingKind::ALL.len());
    }

    #[test]
    fn the_builtin_categories_know_the_usual_ports() {
        let book = Rulebook::builtin();
        assert!(book.categories.database.has_port(Protocol::Tcp, 3306));
        assert!(book.categories.database.has_service("PostgreSQL"));
        assert!(!book.categories.database.has_port(Protocol::Tcp, 443));
        assert!(book.categories.remote_access.has_service("ssh"));
        assert!(book.categories.cleartext.has_port(Protocol::Udp, 161));
        assert!(!book.categories.cleartext.has_service("ssh"));
        assert!(book.categories.cleartext_login.has_service("telnet"));
        assert!(!book.categories.cleartext_login.has_service("ftp"));
        assert_eq!(
            book.plain_name(["unknown", "mysql"]),
            Some("a MySQL or MariaDB database")
        );
    }

    #[test]
    fn a_duplicate_or_missing_rule_is_named() {
        let text = BUILTIN.replacen("id = \"legacy-tls\"", "id = \"obsolete-tls\"", 1);
        let error = Rulebook::parse(&text).unwrap_err().to_string();
        assert!(
            error.contains("two rules") && error.contains("obsolete-tls"),
            "{error}"
        );

        let start = BUILTIN
            .find("[[rule]]\nid = \"segmentation-test-failed\"")
            .unwrap();
        let end = BUILTIN.find("# Groups of services").unwrap();
        let text = format!("{}{}", &BUILTIN[..start], &BUILTIN[end..]);
        let error = Rulebook::parse(&text).unwrap_err().to_string();
        assert!(
            error.contains("no rule") && error.contains("segmentation-test-failed"),
            "{error}"
        );
    }

    #[test]
    fn an_unknown_rule_id_is_a_toml_error_with_its_line() {
        let text = BUILTIN.replacen("id = \"legacy-tls\"", "id = \"legacy-tsl\"", 1);
        let error = Rulebook::parse(&text).unwrap_err().to_string();
        assert!(
            error.contains("legacy-tsl") && error.contains("line"),
            "{error}"
        );
    }

    #[test]
    fn an_unknown_placeholder_is_named_with_its_rule() {
        let text = BUILTIN.replacen("is open ({service})", "is open ({servcie})", 1);
        let error = Rulebook::parse(&text).unwrap_err().to_string();
        assert!(error.contains("servcie"), "{error}");
        assert!(error.contains("rule `"), "{error}");
    }

    #[test]
    fn a_bad_requirement_or_port_is_named() {
        let text = BUILTIN.replacen("\"1.2.5\"", "\"Req 1.2.5\"", 1);
        let error = Rulebook::parse(&text).unwrap_err().to_string();
        assert!(error.contains("Req 1.2.5"), "{error}");
        let text = BUILTIN.replacen("\"tcp/3306\"", "\"3306\"", 1);
        let error = Rulebook::parse(&text).unwrap_err().to_string();
        assert!(
            error.contains("`3306`") && error.contains("database"),
            "{error}"
        );
    }

    #[test]
    fn wordings_follow_the_order_of_the_kinds() {
        let book = Rulebook::builtin();
        for (position, kind) in FindingKind::ALL.into_iter().enumerate() {
            assert_eq!(kind as usize, position, "{}", kind.id());
            assert_eq!(book.wording(kind).severity, book.rule(kind).severity);
        }
    }
}
