//! Documents Portcullis writes for people to read, print and hand on: the
//! port inventory document, a scan's readiness report, a dispute pack and
//! the evidence pack, in their formats (PDF, HTML, CSV, JSON, nmap XML,
//! ZIP). Their content is made elsewhere (crates/compliance and
//! crates/app); this only writes it down.
//!
//! PDFs ([`pdf`]) are typst templates (`assets/documents/*.typ`) typeset
//! with typst used as a library. A template is our own text; everything
//! that came from a network (banners, titles, host names) reaches it only
//! as data files it reads, never as markup, so hostile text is printed,
//! not obeyed. HTML escapes every text ([`html`]); CSV makes every cell
//! inert in a spreadsheet ([`cells`]); charts are SVG drawn here
//! ([`charts`]), the same in HTML and PDF.

pub mod cells;
pub mod charts;
mod dispute;
mod evidence;
pub mod html;
mod inventory;
mod nmap_xml;
pub mod pdf;
mod report;

pub use cells::{SafeCsv, inert};
pub use dispute::{dispute_json, dispute_pdf};
pub use evidence::{
    BagInfo, EvidenceError, PackEntry, PackSummary, Payload, hex, sha256_hex, write_evidence_pack,
};
pub use inventory::{INVENTORY_CSV_COLUMNS, inventory_csv, inventory_json, inventory_pdf};
pub use nmap_xml::{NmapRun, nmap_xml};
pub use pdf::{Diagnostic, Input, Location, PdfError, render_pdf};
pub use report::{REPORT_CSV_COLUMNS, report_csv, report_html, report_json, report_pdf};
