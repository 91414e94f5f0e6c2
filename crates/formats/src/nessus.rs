//! Nessus reports (.nessus, version 2): to be written.

use std::io::BufRead;

use crate::{FormatError, Item, Limits, ReadOutcome};

/// Reads a Nessus v2 report from `input`, handing each item to `emit`;
/// `emit` answers false to stop.
pub fn read_nessus<R: BufRead>(
    _input: R,
    _limits: Limits,
    _emit: &mut dyn FnMut(Item) -> bool,
) -> Result<ReadOutcome, FormatError> {
    Err(FormatError::Stopped)
}
