//! BER messages: SNMP GetResponses and LDAP search results.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    portcullis_scanner::identify::fuzzing::ber(data);
});
