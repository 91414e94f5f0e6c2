//! What identification learnt about one port, including the facts the
//! posture checks reuse so that they need not ask again.

use portcullis_model::service::OpenAccess;

use super::protocols::Identified;
use super::protocols::http::{Component, HttpResponse};
use super::tls::client::Handshake;

/// The result of the probes that answered.
#[derive(Debug, Clone, Default)]
pub(crate) struct Found {
    /// The protocol and product, when recognised.
    pub identified: Option<Identified>,
    /// The service speaks inside TLS.
    pub tls: bool,
    /// The raw answer that decided (already bounded by the wire's limit).
    pub evidence: Vec<u8>,
    pub facts: Facts,
}

/// Facts a probe learnt on the way.
#[derive(Debug, Clone, Default)]
pub(crate) struct Facts {
    /// The response to GET /.
    pub http: Option<HttpResponse>,
    /// Products named in HTTP headers (OpenSSL, PHP...).
    pub components: Vec<Component>,
    /// Services that answered without authentication.
    pub open_access: Vec<OpenAccess>,
    /// The rustls handshake, when one completed.
    pub handshake: Option<Handshake>,
    /// Why TLS stopped short, when the peer spoke TLS that rustls would
    /// not finish (only old versions, say).
    pub tls_failure: Option<String>,
}

impl Found {
    pub(crate) fn identified(identified: Identified, evidence: Vec<u8>) -> Found {
        Found {
            identified: Some(identified),
            evidence,
            ..Found::default()
        }
    }
}
