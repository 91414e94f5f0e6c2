//! The Portcullis network engine: host discovery, SYN, connect and UDP port
//! scans, and service probes.
//!
//! It talks to the network and to nothing else: it knows no database and
//! reports what it finds as the event types of `portcullis-model`. The scan
//! engine itself arrives with its own issue; this crate is empty until then.
