//! DNS responses (names, compression pointers, TXT records).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    portcullis_scanner::identify::fuzzing::dns(data);
});
