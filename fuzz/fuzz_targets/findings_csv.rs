//! Imported CSV findings lists: any bytes give items or an error, never a
//! panic, and never more than the row limit in memory.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portcullis_formats::{Limits, read_csv};

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        element_bytes: 64 * 1024,
        field_chars: 256,
    };
    let _ = read_csv(data, limits, &mut |_| true);
});
