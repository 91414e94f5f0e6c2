//! The dispute pack for one finding: JSON (the data as is) and a PDF (the
//! template `assets/documents/dispute.typ`) with the letter to the ASV,
//! the finding, and what Portcullis's scans saw.

use portcullis_model::documents::DisputeDocument;

use crate::pdf::{Input, PdfError, render_pdf};

const TEMPLATE: &str = include_str!("../../../assets/documents/dispute.typ");

/// The pack as pretty JSON.
pub fn dispute_json(document: &DisputeDocument) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(document).expect("the pack serialises");
    bytes.push(b'\n');
    bytes
}

/// The pack as a PDF made from its template.
pub fn dispute_pdf(document: &DisputeDocument) -> Result<Vec<u8>, PdfError> {
    let data = serde_json::to_vec(document).expect("the pack serialises");
    render_pdf(
        TEMPLATE,
        &[Input {
            name: "data.json",
            bytes: &data,
        }],
        document.made_at,
    )
}
