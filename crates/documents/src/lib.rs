//! Documents Portcullis writes for people to read, print and hand on.
//!
//! The first kind is PDF ([`pdf`]): a typst template typeset with typst used
//! as a library. A template is our own text; everything that came from a
//! network (banners, titles, host names) reaches it only as data files it
//! reads, never as markup, so hostile text is printed, not obeyed.

pub mod pdf;

pub use pdf::{Diagnostic, Input, Location, PdfError, render_pdf};
