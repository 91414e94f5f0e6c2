//! Redis PING/INFO answers and Memcached VERSION/stats.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    portcullis_scanner::identify::fuzzing::redis_memcached(data);
});
