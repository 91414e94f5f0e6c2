//! RDP, SMB2, MQTT, AMQP and NTP answers.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    portcullis_scanner::identify::fuzzing::binary_handshakes(data);
});
