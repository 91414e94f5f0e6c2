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

/// The document as CSV, safe to open in a spreadsheet.
pub fn inventory_csv(document: &InventoryDocument) -> Vec<u8> {
    let mut csv = SafeCsv::new(&INVENTORY_CSV_COLUMNS);
    for system in &document.systems {
        let addresses = system.addresses.join(" ");
        for allowed in &system.allowed {
            let port = allowed.port.to_string();
            let (approved, expires) = (day(allowed.approved_at), maybe_day(allowed.expires_at));
            let (last_seen, next_review) = (maybe_day(allowed.last_seen), day(allowed.next_review));
            csv.row([
                "allowed",
                &system.name,
                system.scope.label(),
                system.exposure.label(),
                &addresses,
                allowed.protocol.as_str(),
                &port,
                &allowed.service,
                &allowed.direction,
                &allowed.justification,
                &allowed.approver,
                &approved,
                &expires,
                allowed.insecure.as_deref().unwrap_or(""),
                &allowed.security_features,
                &last_seen,
                &next_review,
            ]);
        }
    }
    for found in &document.not_allowed {
        let (port, last_seen) = (found.port.to_string(), day(found.last_seen));
        csv.row([
            "found but not allowed",
            &found.system,
            "",
            "",
            &found.address,
            found.protocol.as_str(),
            &port,
            found.service.as_deref().unwrap_or(""),
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            &last_seen,
            "",
        ]);
    }
    for unseen in &document.not_seen {
        let port = unseen.port.to_string();
        csv.row([
            "allowed but not found",
            &unseen.system,
            "",
            "",
            "",
            unseen.protocol.as_str(),
            &port,
            "",
            "",
            &unseen.why,
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ]);
    }
    for line in &document.review_log {
        let at = day(line.at);
        csv.row([
            "review log",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            &line.change,
            &line.actor,
            &at,
            "",
            "",
            "",
            "",
            "",
        ]);
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
