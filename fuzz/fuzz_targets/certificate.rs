//! X.509 certificates (DER) as the TLS posture reads them.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    portcullis_scanner::identify::fuzzing::certificate(data);
});
