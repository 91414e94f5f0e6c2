//! The evidence sanitiser: output bounded and printable whatever comes in.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    portcullis_scanner::identify::fuzzing::evidence(data);
});
