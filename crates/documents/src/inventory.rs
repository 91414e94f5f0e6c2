//! The port inventory document (PCI DSS 1.2.5 to 1.2.7) in its three
//! formats: JSON (the data as is), CSV (one row per line of the
//! document, its section first) and PDF (the template
//! `assets/documents/inventory.typ`, which reads the JSON).

use chrono::{DateTime, Utc};
use portcullis_model::documents::InventoryDocument;

use crate::cells::SafeCsv;
use crate::pdf::{Input, PdfError, render_pdf};

/// The template of the PDF: our own text, reviewed like the rule book.
const TEMPLATE: &str = include_str!("../../../assets/documents/inventory.typ");

/// The document as pretty JSON.
pub fn inventory_json(document: &InventoryDocument) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(document).expect("the document serialises");
    bytes.push(b'\n');
    bytes
}

/// The CSV's columns: which part of the document a row is in, then the
/// facts of that part (empty where they do not apply).
pub const INVENTORY_CSV_COLUMNS: [&str; 17] = [
    "section",
    "system",
    "scope",
    "exposure",
    "address",
    "protocol",
    "port",
    "service",
    "direction",
    "justification",
    "approver",
    "approved",
    "expires",
    "insecure",
    "security_features",
    "last_seen",
    "next_review",
];

fn day(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%d").to_string()
}

fn maybe_day(time: Option<DateTime<Utc>>) -> String {
    time.map(day).unwrap_or_default()
}

/// Writes one row: each named cell in its column, the others empty.
fn row(csv: &mut SafeCsv, cells: &[(&str, &str)]) {
    csv.row(INVENTORY_CSV_COLUMNS.iter().map(|column| {
        cells
            .iter()
            .find(|(name, _)| name == column)
            .map_or("", |(_, value)| *value)
    }));
}

/// The document as CSV, safe to open in a spreadsheet.
pub fn inventory_csv(document: &InventoryDocument) -> Vec<u8> {
    let mut csv = SafeCsv::new(&INVENTORY_CSV_COLUMNS);
    for system in &document.systems {
        let addresses = system.addresses.join(" ");
        for allowed in &system.allowed {
            let port = allowed.port.to_string();
            let (approved, expires) = (day(allowed.approved_at), maybe_day(allowed.expires_at));
            let (last_seen, next_review) = (maybe_day(allowed.last_seen), day(allowed.next_review));
            row(
                &mut csv,
                &[
                    ("section", "allowed"),
                    ("system", &system.name),
                    ("scope", system.scope.label()),
                    ("exposure", system.exposure.label()),
                    ("address", &addresses),
                    ("protocol", allowed.protocol.as_str()),
                    ("port", &port),
                    ("service", &allowed.service),
                    ("direction", &allowed.direction),
                    ("justification", &allowed.justification),
                    ("approver", &allowed.approver),
                    ("approved", &approved),
                    ("expires", &expires),
                    ("insecure", allowed.insecure.as_deref().unwrap_or("")),
                    ("security_features", &allowed.security_features),
                    ("last_seen", &last_seen),
                    ("next_review", &next_review),
                ],
            );
        }
    }
    for found in &document.not_allowed {
        let (port, last_seen) = (found.port.to_string(), day(found.last_seen));
        row(
            &mut csv,
            &[
                ("section", "found but not allowed"),
                ("system", &found.system),
                ("address", &found.address),
                ("protocol", found.protocol.as_str()),
                ("port", &port),
                ("service", found.service.as_deref().unwrap_or("")),
                ("last_seen", &last_seen),
            ],
        );
    }
    for unseen in &document.not_seen {
        let port = unseen.port.to_string();
        row(
            &mut csv,
            &[
                ("section", "allowed but not found"),
                ("system", &unseen.system),
                ("protocol", unseen.protocol.as_str()),
                ("port", &port),
                ("justification", &unseen.why),
            ],
        );
    }
    for line in &document.review_log {
        let at = day(line.at);
        row(
            &mut csv,
            &[
                ("section", "review log"),
                ("justification", &line.change),
                ("approver", &line.actor),
                ("approved", &at),
            ],
        );
    }
    csv.finish()
}

/// The document as a PDF made from its template, dated `made`.
pub fn inventory_pdf(document: &InventoryDocument) -> Result<Vec<u8>, PdfError> {
    let data = serde_json::to_vec(document).expect("the document serialises");
    render_pdf(
        TEMPLATE,
        &[Input {
            name: "data.json",
            bytes: &data,
        }],
        document.made_at,
    )
}
