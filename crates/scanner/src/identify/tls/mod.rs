//! TLS, spoken two ways: hand-built hellos that ask a server which old
//! versions and weak suites it still accepts (what an ASV fails a merchant
//! for), and a real client (rustls) to reach the service inside.

pub(crate) mod certificate;
pub(crate) mod client;
pub(crate) mod hello;
pub(crate) mod posture;
pub(crate) mod records;
pub(crate) mod suites;
pub(crate) mod trust;
