//! What runs on a port, as far as the scan knows: the identified service
//! when identification recognised it, else only what the port number
//! suggests.

use std::fmt::Write;

use portcullis_model::scan::PortResult;
use portcullis_model::service::{Confidence, ServiceIdentity};

use crate::rulebook::{Category, Rulebook};
use crate::template::Phrase;

/// One port's service, seen through what the scan established.
#[derive(Debug, Clone, Copy)]
pub struct ServiceView<'a> {
    pub port: &'a PortResult,
    /// The identification, when the service itself answered in a way that
    /// was recognised (not merely the port's registered name).
    pub identified: Option<&'a ServiceIdentity>,
}

impl<'a> ServiceView<'a> {
    pub fn new(port: &'a PortResult) -> ServiceView<'a> {
        let identified = port
            .identity
            .as_deref()
            .filter(|id| id.confidence >= Confidence::Protocol && id.service != "unknown");
        ServiceView { port, identified }
    }

    /// Whether the service belongs to `category`: by its identified service
    /// or product when there is one, else by the port number.
    pub fn is_in(&self, category: &Category) -> bool {
        match self.identified {
            Some(id) => {
                category.has_service(&id.service)
                    || id
                        .product
                        .as_deref()
                        .is_some_and(|p| category.has_service(p))
            }
            None => category.has_port(self.port.protocol, self.port.port),
        }
    }

    /// Whether the service speaks inside TLS.
    pub fn tls(&self) -> bool {
        self.identified.is_some_and(|id| id.tls)
    }

    /// The service's name as the inventory would write it.
    pub fn service_name(&self) -> Option<String> {
        self.identified.map(|id| id.service.clone())
    }

    pub fn product(&self) -> Option<String> {
        self.identified.and_then(|id| id.product.clone())
    }

    pub fn version(&self) -> Option<String> {
        self.identified.and_then(|id| id.version.clone())
    }

    /// Briefly: "OpenSSH 9.2p1", "mysql", "unknown service".
    pub fn label(&self) -> Phrase<'a> {
        if let Some(id) = self.identified {
            return match (&id.product, &id.version) {
                (Some(product), Some(version)) => Phrase::joined(product, " ", version),
                (Some(product), None) => product.as_str().into(),
                _ => id.service.as_str().into(),
            };
        }
        self.port
            .service
            .as_deref()
            .unwrap_or("unknown service")
            .into()
    }

    /// In words, for someone who does not know the names.
    pub fn plain<'b>(&self, book: &'b Rulebook) -> Phrase<'b>
    where
        'a: 'b,
    {
        let registered = self.port.service.as_deref();
        match self.identified {
            Some(id) => {
                let names = std::iter::once(id.service.as_str()).chain(id.product.as_deref());
                match book.plain_name(names) {
                    Some(plain) => plain.into(),
                    None => Phrase::joined("a service identified as \"", &id.service, "\""),
                }
            }
            // Only the port number speaks for it: say so.
            None => match (book.plain_name(registered), registered) {
                (Some(plain), _) => Phrase::joined(plain, " (going by the port number)", ""),
                (None, Some(name)) => Phrase::joined(
                    "a program (the port is registered for \"",
                    name,
                    "\", but that is only what usually runs there)",
                ),
                (None, None) => "a program Portcullis could not identify".into(),
            },
        }
    }

    /// What the scan saw, for the evidence: state and reason, and the
    /// identification with its raw answer.
    pub fn evidence(&self) -> String {
        let port = self.port;
        let answer = port
            .identity
            .as_ref()
            .map_or(0, |id| 64 + id.evidence.len());
        let mut text = String::with_capacity(48 + answer);
        let _ = write!(
            text,
            "{}/{} {} ({})",
            port.port,
            port.protocol.as_str(),
            port.state.as_str(),
            port.reason
        );
        if let Some(id) = &port.identity {
            let _ = write!(text, "; identified as {}", id.service);
            if let Some(product) = &id.product {
                let _ = write!(text, ", {product}");
            }
            if let Some(version) = &id.version {
                let _ = write!(text, " {version}");
            }
            if !id.evidence.is_empty() {
                let _ = write!(text, "; answer: {}", id.evidence);
            }
        }
        text
    }
}
