//! TLS server flights: records, ServerHello, Certificate, alerts, and the certificates inside.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    portcullis_scanner::identify::fuzzing::tls_flight(data);
});
