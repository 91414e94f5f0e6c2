//! The rule book's texts, split once into what is written and where the
//! facts of a finding go.
//!
//! A scan of every port of a host can produce 65,535 findings, each with a
//! title, an explanation and a remedy. Searching each text for `{` at every
//! finding, and looking each name up, was a fifth of an evaluation; a
//! template parsed when the rule book is read only copies its pieces, and a
//! text without placeholders is not copied at all: every finding shares it.

use std::fmt;
use std::sync::Arc;

/// A placeholder a template may use; see the head of `rules.toml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    System,
    Address,
    Port,
    Protocol,
    Service,
    What,
    Detail,
}

impl Slot {
    fn named(name: &str) -> Option<Slot> {
        Some(match name {
            "system" => Slot::System,
            "address" => Slot::Address,
            "port" => Slot::Port,
            "protocol" => Slot::Protocol,
            "service" => Slot::Service,
            "what" => Slot::What,
            "detail" => Slot::Detail,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Slot(Slot),
}

/// A text with `{placeholder}`s, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pieces: Vec<Piece>,
    /// The whole text, when it has no placeholder.
    fixed: Option<Arc<str>>,
}

/// Why a text is not a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateError {
    /// A `{` that is never closed.
    Unclosed,
    /// A `{name}` that is not one of the placeholders.
    Unknown(String),
}

/// A value made of up to three borrowed pieces ("OpenSSH", " ", "9.2p1"):
/// a phrase around a name is written straight into each finding's text
/// instead of first being copied into a string of its own.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Phrase<'v>([&'v str; 3]);

impl<'v> Phrase<'v> {
    pub const fn joined(first: &'v str, middle: &'v str, last: &'v str) -> Phrase<'v> {
        Phrase([first, middle, last])
    }

    fn push_to(&self, out: &mut String) {
        for piece in self.0 {
            out.push_str(piece);
        }
    }
}

impl<'v> From<&'v str> for Phrase<'v> {
    fn from(text: &'v str) -> Phrase<'v> {
        Phrase([text, "", ""])
    }
}

impl fmt::Display for Phrase<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|piece| f.write_str(piece))
    }
}

/// The facts of one finding, one per placeholder.
#[derive(Debug, Clone, Copy, Default)]
pub struct Values<'v> {
    pub system: &'v str,
    pub address: &'v str,
    pub port: &'v str,
    pub protocol: &'v str,
    pub service: Phrase<'v>,
    pub what: Phrase<'v>,
    pub detail: &'v str,
}

impl<'v> Values<'v> {
    fn get(&self, slot: Slot) -> Phrase<'v> {
        match slot {
            Slot::System => self.system.into(),
            Slot::Address => self.address.into(),
            Slot::Port => self.port.into(),
            Slot::Protocol => self.protocol.into(),
            Slot::Service => self.service,
            Slot::What => self.what,
            Slot::Detail => self.detail.into(),
        }
    }
}

impl Template {
    pub fn parse(text: &str) -> Result<Template, TemplateError> {
        let mut pieces = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                pieces.push(Piece::Text(rest[..open].to_string()));
            }
            let after = &rest[open + 1..];
            let close = after.find('}').ok_or(TemplateError::Unclosed)?;
            let name = &after[..close];
            let slot = Slot::named(name).ok_or_else(|| TemplateError::Unknown(name.to_string()))?;
            pieces.push(Piece::Slot(slot));
            rest = &after[close + 1..];
        }
        if !rest.is_empty() {
            pieces.push(Piece::Text(rest.to_string()));
        }
        let fixed = pieces
            .iter()
            .all(|piece| matches!(piece, Piece::Text(_)))
            .then(|| Arc::from(text));
        Ok(Template { pieces, fixed })
    }

    /// The text with the placeholders filled: written into `scratch` (kept
    /// by the caller from one finding to the next, so it stops growing),
    /// then copied once into its own allocation. A text without
    /// placeholders is shared instead.
    pub fn render(&self, values: &Values<'_>, scratch: &mut String) -> Arc<str> {
        if let Some(fixed) = &self.fixed {
            return Arc::clone(fixed);
        }
        scratch.clear();
        for piece in &self.pieces {
            match piece {
                Piece::Text(text) => scratch.push_str(text),
                Piece::Slot(slot) => values.get(*slot).push_to(scratch),
            }
        }
        Arc::from(scratch.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rulebook::BUILTIN;

    #[test]
    fn placeholders_are_filled_and_the_rest_copied() {
        let mut scratch = String::new();
        let template =
            Template::parse("Port {port}/{protocol} on {address} ({service}): {detail}.").unwrap();
        let values = Values {
            port: "22",
            protocol: "tcp",
            address: "10.0.0.1",
            service: Phrase::joined("OpenSSH", " ", "9.2p1"),
            detail: "open",
            ..Values::default()
        };
        let text = template.render(&values, &mut scratch);
        assert_eq!(&*text, "Port 22/tcp on 10.0.0.1 (OpenSSH 9.2p1): open.");
        let values = Values {
            port: "8080",
            service: "http".into(),
            ..values
        };
        let again = template.render(&values, &mut scratch);
        assert_eq!(&*again, "Port 8080/tcp on 10.0.0.1 (http): open.");
        assert_eq!(
            &*text, "Port 22/tcp on 10.0.0.1 (OpenSSH 9.2p1): open.",
            "rendered texts are their own"
        );
        assert_eq!(values.service.to_string(), "http");
    }

    #[test]
    fn a_text_without_placeholders_is_shared() {
        let mut scratch = String::new();
        let fixed = Template::parse("Close it.").unwrap();
        let first = fixed.render(&Values::default(), &mut scratch);
        let second = fixed.render(&Values::default(), &mut scratch);
        assert_eq!(&*first, "Close it.");
        assert!(Arc::ptr_eq(&first, &second));
    }

    #[test]
    fn every_placeholder_the_rule_book_documents_has_a_slot() {
        let names = [
            "system", "address", "port", "protocol", "service", "what", "detail",
        ];
        for name in names {
            assert!(Slot::named(name).is_some(), "{name}");
        }
        // The list above is the one the head of rules.toml documents.
        let head = &BUILTIN[..BUILTIN.find("[[rule]]").unwrap()];
        let documented: Vec<&str> = head
            .lines()
            .filter_map(|line| line.trim_start_matches('#').trim_start().strip_prefix('{'))
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
            .collect();
        assert_eq!(documented, names);
    }

    #[test]
    fn unknown_and_unclosed_placeholders_are_refused() {
        assert_eq!(
            Template::parse("on {odd}"),
            Err(TemplateError::Unknown("odd".into()))
        );
        assert_eq!(Template::parse("on {port"), Err(TemplateError::Unclosed));
    }
}
