//! Typst's diagnostics as text a person can act on: what went wrong, in
//! which file, on which line, and that line.
//!
//! Typst reports a problem as a span (an id into its syntax trees); outside
//! the world that made it a span means nothing, so it is resolved here while
//! the sandbox still exists.

use std::fmt;

use typst::World;
use typst::WorldExt;
use typst::diag::{Severity, SourceDiagnostic};
use typst::syntax::DiagSpan;

/// How much of a line a diagnostic quotes: a data file can be one line of
/// megabytes.
const QUOTED_CHARS: usize = 160;

/// One problem typst reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Typst's message, e.g. "unclosed delimiter".
    pub message: String,
    /// Where it is, when typst says (a problem of the whole document, like a
    /// page that does not converge, may have no place).
    pub location: Option<Location>,
    /// Typst's suggestions.
    pub hints: Vec<String>,
    /// The calls that led there, innermost first ("while calling `json`").
    pub trace: Vec<String>,
}

/// A line of the template or of an input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// `main.typ` for the template, otherwise the input's name.
    pub file: String,
    /// Counted from 1, as editors do.
    pub line: usize,
    /// The line itself (its first [`QUOTED_CHARS`] characters).
    pub text: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(at) => write!(
                f,
                "{}:{}: {}\n    | {}",
                at.file, at.line, self.message, at.text
            )?,
            None => write!(f, "{}", self.message)?,
        }
        for hint in &self.hints {
            write!(f, "\n    hint: {hint}")?;
        }
        for step in &self.trace {
            write!(f, "\n    {step}")?;
        }
        Ok(())
    }
}

/// The diagnostics one per line, for an error's message.
pub(super) fn lines(diagnostics: &[Diagnostic]) -> String {
    let lines: Vec<String> = diagnostics.iter().map(Diagnostic::to_string).collect();
    lines.join("\n")
}

/// Resolves every diagnostic's place in `world`.
pub(super) fn describe_all(world: &dyn World, diagnostics: &[SourceDiagnostic]) -> Vec<Diagnostic> {
    diagnostics.iter().map(|d| describe(world, d)).collect()
}

/// Resolves one diagnostic's place in `world`.
pub(super) fn describe(world: &dyn World, diagnostic: &SourceDiagnostic) -> Diagnostic {
    Diagnostic {
        message: diagnostic.message.to_string(),
        location: locate(world, diagnostic.span),
        hints: diagnostic
            .hints
            .iter()
            .map(|hint| hint.v.to_string())
            .filter(|hint| !is_cli_advice(hint))
            .collect(),
        trace: diagnostic
            .trace
            .iter()
            .map(|step| match locate(world, step.span.into()) {
                Some(at) => format!("{} ({}:{})", step.v, at.file, at.line),
                None => step.v.to_string(),
            })
            .collect(),
    }
}

/// Whether a hint tells the user of typst's command line what to type
/// (`--root`...): there is no command line here.
fn is_cli_advice(hint: &str) -> bool {
    hint.contains("`--")
}

/// The file and line a span points into, if it points into one.
fn locate(world: &dyn World, span: DiagSpan) -> Option<Location> {
    let id = span.id()?;
    let range = world.range(span)?;
    let bytes = world.file(id).ok()?;
    let text = String::from_utf8_lossy(&bytes);
    let before = text.get(..range.start)?;
    let start = before.rfind('\n').map_or(0, |newline| newline + 1);
    let end = text[start..]
        .find('\n')
        .map_or(text.len(), |newline| start + newline);
    Some(Location {
        file: id.vpath().get_without_slash().to_owned(),
        line: before.matches('\n').count() + 1,
        text: text[start..end]
            .trim_end()
            .chars()
            .take(QUOTED_CHARS)
            .collect(),
    })
}

/// Whether a warning means the PDF would not be the document the template
/// describes, so that it must be refused rather than handed out.
///
/// Only font warnings are: a family other than Inter would silently become
/// Inter, and math would be set without a math font. Everything else (a
/// counter that did not settle, an element ignored in PDF) is logged.
pub(super) fn is_fatal(diagnostic: &SourceDiagnostic) -> bool {
    const FATAL: [&str; 2] = [
        "unknown font family",
        "current font is not designed for math",
    ];
    diagnostic.severity == Severity::Error
        || FATAL
            .iter()
            .any(|start| diagnostic.message.starts_with(start))
}

#[cfg(test)]
mod tests {
    use typst::syntax::Span;

    use super::*;

    fn warning(message: &str) -> SourceDiagnostic {
        SourceDiagnostic::warning(Span::detached(), message)
    }

    #[test]
    fn font_warnings_are_fatal_and_others_are_not() {
        assert!(is_fatal(&warning("unknown font family: helvetica")));
        assert!(is_fatal(&warning("current font is not designed for math")));
        assert!(!is_fatal(&warning(
            "value of `counter(page)` did not converge"
        )));
        assert!(is_fatal(&SourceDiagnostic::error(
            Span::detached(),
            "anything"
        )));
    }
}
