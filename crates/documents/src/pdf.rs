//! PDFs typeset by typst, used as a library.
//!
//! A document is a typst template (our own text, kept with the code) and the
//! files it reads: `data.json` with what was found, SVG charts. Data never
//! becomes part of the template's source: a banner saying `#read("/x")` or
//! `*bold*` must be printed as it is, not run, so the template reads it with
//! `json("data.json")` and typst treats it as strings.
//!
//! The same template, inputs and `made` give the same bytes: the PDF's dates
//! come from `made` and its identifier from a digest of all of them, so a
//! report can be made again and compared, or signed.

mod diagnostics;
mod fonts;
mod world;

use chrono::{DateTime, Datelike, Timelike, Utc};
use sha2::{Digest, Sha256};
use typst::diag::Warned;
use typst::foundations::{Datetime, Smart};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, Timestamp};

pub use diagnostics::{Diagnostic, Location};

use world::Sandbox;

/// A file the template may read: `data.json`, `chart-ports.svg`...
///
/// The name is a path inside the document's own little file system (`a.svg`
/// and `/a.svg` are the same file; `..` cannot leave it); the template
/// finds the file only under this name.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    pub name: &'a str,
    pub bytes: &'a [u8],
}

/// Why no PDF was made.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// An input's name cannot name a file of the document (it leaves the
    /// root, has a backslash, is empty, or is used twice or by the template).
    #[error("input {name:?} cannot be a file of the document: {reason}")]
    InputName { name: String, reason: String },
    /// Typst could not typeset the template, or typeset it with fonts it
    /// does not have (see [`render_pdf`]).
    #[error("the template could not be typeset:\n{}", diagnostics::lines(.0))]
    Template(Vec<Diagnostic>),
    /// Typst typeset the document but could not write it as PDF.
    #[error("the PDF could not be written:\n{}", diagnostics::lines(.0))]
    Export(Vec<Diagnostic>),
}

/// Typesets `source` (typst markup) with `inputs` as the only files it can read, and writes a PDF.
///
/// `made` is the document's date: what `datetime.today()` answers (in UTC
/// unless the template asks for an offset) and the PDF's creation date. No
/// clock, file system, network or system font is consulted; the fonts are
/// Inter's four styles.
///
/// Warnings: a template naming a font family other than Inter, or setting
/// math (there is no math font), is an error, because the PDF would not
/// look as the template says; every other warning is logged with `tracing`
/// and the PDF is made.
pub fn render_pdf(
    source: &str,
    inputs: &[Input<'_>],
    made: DateTime<Utc>,
) -> Result<Vec<u8>, PdfError> {
    let world = Sandbox::new(source, inputs, made)?;
    let pdf = typeset(&world).and_then(|document| write(&world, &document, made));
    // Typst memoizes in a process-wide cache; documents are made now and
    // then, so keeping the cache would only hold memory.
    typst::comemo::evict(0);
    pdf
}

/// Lays the template out into pages.
fn typeset(world: &Sandbox) -> Result<PagedDocument, PdfError> {
    let Warned { output, warnings } = typst::compile::<PagedDocument>(world);
    let document =
        output.map_err(|errors| PdfError::Template(diagnostics::describe_all(world, &errors)))?;
    let (fatal, other): (Vec<_>, Vec<_>) = warnings.into_iter().partition(diagnostics::is_fatal);
    for warning in &other {
        tracing::warn!("typst: {}", diagnostics::describe(world, warning));
    }
    if fatal.is_empty() {
        Ok(document)
    } else {
        Err(PdfError::Template(diagnostics::describe_all(world, &fatal)))
    }
}

/// Writes the laid-out pages as a PDF whose bytes depend only on what it
/// was made from.
fn write(
    world: &Sandbox,
    document: &PagedDocument,
    made: DateTime<Utc>,
) -> Result<Vec<u8>, PdfError> {
    let options = PdfOptions {
        ident: Smart::Custom(identity(world, made)),
        timestamp: datetime(made).map(Timestamp::new_utc),
        ..PdfOptions::default()
    };
    typst_pdf::pdf(document, &options)
        .map_err(|errors| PdfError::Export(diagnostics::describe_all(world, &errors)))
}

/// A digest of everything a document is made from, for the PDF's
/// identifier (typst hashes it again; it is not written out as it is).
///
/// Without one typst derives the identifier from the title and author, so
/// two different reports with the same title would share it.
fn identity(world: &Sandbox, made: DateTime<Utc>) -> String {
    let mut digest = Sha256::new();
    digest.update(made.to_rfc3339().as_bytes());
    for (name, bytes) in world.contents() {
        // Each part's length first, so that no two lists of parts hash alike.
        for part in [name.as_bytes(), bytes] {
            digest.update((part.len() as u64).to_le_bytes());
            digest.update(part);
        }
    }
    format!("portcullis-{:x}", digest.finalize())
}

/// `made` as typst's date and time (to the second), if typst can hold it
/// (years -9999 to 9999).
fn datetime(made: DateTime<Utc>) -> Option<Datetime> {
    Datetime::from_ymd_hms(
        made.year(),
        u8::try_from(made.month()).ok()?,
        u8::try_from(made.day()).ok()?,
        u8::try_from(made.hour()).ok()?,
        u8::try_from(made.minute()).ok()?,
        u8::try_from(made.second()).ok()?,
    )
}
