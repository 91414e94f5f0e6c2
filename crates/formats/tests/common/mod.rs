//! What the readers' tests share: every item a reader hands on, collected,
//! and the items of one kind picked out.

#![allow(dead_code)] // each test file uses some of these

use portcullis_formats::{FormatError, Item, ReadOutcome};
use portcullis_model::import::ReportedItem;
use portcullis_model::scan::ScanEvent;

/// Runs `read` with a receiver that keeps every item and never stops it.
pub fn collect(
    read: impl FnOnce(&mut dyn FnMut(Item) -> bool) -> Result<ReadOutcome, FormatError>,
) -> Result<(Vec<Item>, ReadOutcome), FormatError> {
    let mut items = Vec::new();
    let outcome = read(&mut |item| {
        items.push(item);
        true
    })?;
    Ok((items, outcome))
}

/// The report's own findings among `items`.
pub fn reported(items: &[Item]) -> Vec<&ReportedItem> {
    items
        .iter()
        .filter_map(|item| match item {
            Item::Reported(reported) => Some(&**reported),
            _ => None,
        })
        .collect()
}

/// The scan events among `items`.
pub fn events(items: &[Item]) -> Vec<&ScanEvent> {
    items
        .iter()
        .filter_map(|item| match item {
            Item::Event(event) => Some(event),
            _ => None,
        })
        .collect()
}
