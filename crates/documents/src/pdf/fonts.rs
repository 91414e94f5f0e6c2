//! The only fonts a document can use: Inter, compiled into the binary.
//!
//! Reports must look the same on every computer and must not depend on what
//! a machine has installed, so no system font is ever looked up and typst's
//! own bundled fonts are not built in (typst-assets' `fonts` feature is off).
//!
//! Text set in a family the book lacks falls back to a font of the book that
//! has the glyphs, which can only be Inter: raw (code) text, whose built-in
//! family is "DejaVu Sans Mono", is therefore set in Inter (proportional, at
//! raw's 0.8em) unless a template picks a family; a template that names
//! another family is refused (see `super::diagnostics::is_fatal`).

use std::sync::LazyLock;

use typst::foundations::Bytes;
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;

/// Inter (SIL OFL 1.1), as committed under `assets/fonts/`.
static FILES: [&[u8]; 4] = [
    include_bytes!("../../../../assets/fonts/Inter-Regular.otf"),
    include_bytes!("../../../../assets/fonts/Inter-Italic.otf"),
    include_bytes!("../../../../assets/fonts/Inter-SemiBold.otf"),
    include_bytes!("../../../../assets/fonts/Inter-Bold.otf"),
];

/// The parsed fonts, in the order of the font book's indices.
///
/// Parsed once per process: every document shares them.
pub(super) static FONTS: LazyLock<Vec<Font>> = LazyLock::new(|| {
    FILES
        .iter()
        .flat_map(|file| Font::iter(Bytes::new(*file)))
        .collect()
});

/// What typst knows about [`FONTS`] when it picks a font for some text.
pub(super) static BOOK: LazyLock<LazyHash<FontBook>> =
    LazyLock::new(|| LazyHash::new(FontBook::from_fonts(FONTS.iter())));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_file_is_one_inter_font() {
        assert_eq!(FONTS.len(), FILES.len());
        let families: Vec<&str> = BOOK.families().map(|(name, _)| name).collect();
        assert_eq!(families, ["Inter"]);
    }
}
