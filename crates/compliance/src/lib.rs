//! Pure compliance rules: a scan compared with the approved port inventory
//! becomes findings, each mapped to the PCI DSS v4.0 requirements it serves,
//! with remediation steps and firewall rules.
//!
//! No I/O happens here, so every rule can be tested with plain values. The
//! rules arrive with their own issue; this crate is empty until then.
