//! The sandbox a template is typeset in: typst's [`World`], reduced to the
//! template, the inputs it was handed, Inter and one fixed date.
//!
//! Nothing here touches the file system, the network or the clock: a file
//! that is not an input does not exist (`/etc/passwd` included), a package
//! import finds nothing instead of downloading, and "today" is the day the
//! caller says the document was made.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::LazyLock;

use chrono::{DateTime, Datelike, TimeDelta, Utc};
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

use super::fonts::{BOOK, FONTS};
use super::{Input, PdfError};

/// The name the template has inside the sandbox (diagnostics show it).
pub(super) const MAIN: &str = "main.typ";

/// Typst's standard library, built once: it is the same for every document.
static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));

/// One document's world: see the module documentation.
pub(super) struct Sandbox {
    main: Source,
    inputs: HashMap<FileId, Bytes>,
    made: DateTime<Utc>,
}

impl Sandbox {
    /// Checks the inputs' names and copies their bytes into typst's buffers.
    pub(super) fn new(
        source: &str,
        inputs: &[Input<'_>],
        made: DateTime<Utc>,
    ) -> Result<Self, PdfError> {
        let main = Source::new(file_id(MAIN).expect("a valid name"), source.to_owned());
        let mut files = HashMap::with_capacity(inputs.len());
        for input in inputs {
            let id = input_id(input.name)?;
            if id == main.id() || files.contains_key(&id) {
                return Err(bad_name(input.name, "the name is taken"));
            }
            files.insert(id, Bytes::new(input.bytes.to_vec()));
        }
        Ok(Self {
            main,
            inputs: files,
            made,
        })
    }

    /// Everything the document is made from, named: the template first,
    /// then the inputs in the order of their paths (they are a set of
    /// files; `a.svg` and `/a.svg` are one path).
    pub(super) fn contents(&self) -> Vec<(&str, &[u8])> {
        let mut inputs: Vec<(&str, &[u8])> = self
            .inputs
            .iter()
            .map(|(id, bytes)| (id.vpath().get_with_slash(), bytes.as_slice()))
            .collect();
        inputs.sort_unstable();
        let template = (
            self.main.id().get().vpath().get_with_slash(),
            self.main.text().as_bytes(),
        );
        std::iter::once(template).chain(inputs).collect()
    }
}

/// The file an input's name designates, or why it cannot be one.
fn input_id(name: &str) -> Result<FileId, PdfError> {
    let id = file_id(name).map_err(|reason| bad_name(name, &reason))?;
    if id.vpath().is_root() {
        return Err(bad_name(name, "the name is empty"));
    }
    Ok(id)
}

/// The id of a file of the project (not of a package) named `name`.
///
/// Ids are interned by typst for the life of the process (at most 65,535 of
/// them), so the same name must always give the same id: `FileId::new`, never
/// `FileId::unique`.
fn file_id(name: &str) -> Result<FileId, String> {
    let vpath = VirtualPath::new(name).map_err(|error| error.to_string())?;
    Ok(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

fn bad_name(name: &str, reason: &str) -> PdfError {
    PdfError::InputName {
        name: name.to_owned(),
        reason: reason.to_owned(),
    }
}

/// The error for every file that is not the template or an input.
fn not_found(id: FileId) -> FileError {
    let path = match id.root() {
        VirtualRoot::Project => id.vpath().get_with_slash().to_owned(),
        VirtualRoot::Package(package) => format!("{package}{}", id.vpath().get_with_slash()),
    };
    FileError::NotFound(PathBuf::from(path))
}

impl World for Sandbox {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &BOOK
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    /// The template, or an input that is UTF-8 (a template may `#include`
    /// one).
    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            return Ok(self.main.clone());
        }
        let bytes = self.file(id)?;
        let text = std::str::from_utf8(&bytes).map_err(|_| FileError::InvalidUtf8)?;
        Ok(Source::new(id, text.to_owned()))
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            return Ok(Bytes::from_string(self.main.clone()));
        }
        self.inputs.get(&id).cloned().ok_or_else(|| not_found(id))
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.get(index).cloned()
    }

    /// The day the document was made: UTC when the template gives no offset
    /// (the machine's time zone is not consulted, so the same inputs give
    /// the same document everywhere).
    fn today(&self, offset: Option<Duration>) -> Option<Datetime> {
        let shift = match offset {
            Some(offset) => TimeDelta::try_seconds(offset.seconds() as i64)?,
            None => TimeDelta::zero(),
        };
        let day = self.made.checked_add_signed(shift)?.date_naive();
        Datetime::from_ymd(
            day.year(),
            u8::try_from(day.month()).ok()?,
            u8::try_from(day.day()).ok()?,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn made() -> DateTime<Utc> {
        "2026-03-31T22:30:00Z".parse().expect("a valid time")
    }

    fn sandbox(inputs: &[Input<'_>]) -> Result<Sandbox, PdfError> {
        Sandbox::new("= Title", inputs, made())
    }

    fn input<'a>(name: &'a str, bytes: &'a [u8]) -> Input<'a> {
        Input { name, bytes }
    }

    #[test]
    fn only_inputs_are_files() {
        let world = sandbox(&[input("data.json", b"{}")]).expect("a world");
        let data = file_id("data.json").expect("an id");
        assert_eq!(world.file(data).expect("the input").as_slice(), b"{}");
        let passwd = file_id("/etc/passwd").expect("an id");
        assert_eq!(
            world.file(passwd),
            Err(FileError::NotFound(PathBuf::from("/etc/passwd")))
        );
    }

    #[test]
    fn an_absolute_name_is_the_same_file() {
        let world = sandbox(&[input("/chart.svg", b"<svg/>")]).expect("a world");
        assert!(world.file(file_id("chart.svg").expect("an id")).is_ok());
    }

    #[test]
    fn names_that_escape_repeat_or_shadow_the_template_are_refused() {
        for names in [&["../x"][..], &["a\\b"], &["/"], &["a", "./a"], &[MAIN]] {
            let inputs: Vec<Input<'_>> = names.iter().map(|name| input(name, b"")).collect();
            assert!(
                matches!(sandbox(&inputs), Err(PdfError::InputName { .. })),
                "{names:?}"
            );
        }
    }

    #[test]
    fn today_is_the_day_made_in_utc_or_at_the_offset_asked() {
        let world = sandbox(&[]).expect("a world");
        assert_eq!(world.today(None), Datetime::from_ymd(2026, 3, 31));
        let two_hours = Duration::construct(0, 0, 2, 0, 0);
        assert_eq!(world.today(Some(two_hours)), Datetime::from_ymd(2026, 4, 1));
    }
}
