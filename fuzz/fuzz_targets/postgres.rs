//! PostgreSQL SSLRequest answers, authentication requests and ErrorResponses.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    portcullis_scanner::identify::fuzzing::postgres(data);
});
