//! The rows proposed from an ASV PDF's text: any text gives rows or none,
//! never a panic. (The PDF's text extractor is a third-party crate; the
//! importer catches its panics, and this target covers what follows it.)
#![no_main]

use libfuzzer_sys::fuzz_target;
use portcullis_formats::{proposal_csv, propose};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let rows = propose(&text);
    let _ = proposal_csv(&rows);
});
