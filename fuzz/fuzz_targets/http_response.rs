//! HTTP responses: status line, headers, chunked bodies, titles, Server headers.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    portcullis_scanner::identify::fuzzing::http_response(data);
});
