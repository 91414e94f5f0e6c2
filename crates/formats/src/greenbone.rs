//! Greenbone (OpenVAS) report XML: to be written.

use std::io::BufRead;

use crate::{FormatError, Item, Limits, ReadOutcome};

/// Reads a Greenbone report from `input`, handing each item to `emit`;
/// `emit` answers false to stop.
pub fn read_greenbone_xml<R: BufRead>(
    _input: R,
    _limits: Limits,
    _emit: &mut dyn FnMut(Item) -> bool,
) -> Result<ReadOutcome, FormatError> {
    Err(FormatError::Stopped)
}
