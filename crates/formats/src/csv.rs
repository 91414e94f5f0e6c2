//! Findings lists in CSV: to be written.

use std::io::BufRead;

use crate::{FormatError, Item, Limits, ReadOutcome};

/// Reads a CSV findings list from `input`, handing each item to `emit`;
/// `emit` answers false to stop.
pub fn read_csv<R: BufRead>(
    _input: R,
    _limits: Limits,
    _emit: &mut dyn FnMut(Item) -> bool,
) -> Result<ReadOutcome, FormatError> {
    Err(FormatError::Stopped)
}

/// Whether a file's first bytes look like a CSV findings list: a header
/// naming the host and port columns.
pub(crate) fn looks_like_csv(_head: &[u8]) -> bool {
    false
}
