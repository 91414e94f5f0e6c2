//! Line-protocol greetings (SMTP, FTP, POP3, IMAP), Telnet negotiation and VNC.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    portcullis_scanner::identify::fuzzing::greetings(data);
});
