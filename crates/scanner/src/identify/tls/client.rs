//! A real TLS client (rustls, TLS 1.2 and 1.3) for talking to the service
//! inside TLS: HTTPS, IMAPS, SMTPS and the like.
//!
//! It accepts any certificate on purpose: identification must see what is
//! behind a self-signed or expired certificate, and the certificate itself
//! is judged separately (posture). Nothing sent over these connections is
//! secret.

use std::io;
use std::net::IpAddr;
use std::sync::{Arc, OnceLock};

use portcullis_model::service::TlsVersion;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout_at};
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

/// How a TLS attempt ended, when it did not succeed.
#[derive(Debug)]
pub(crate) enum TlsFailure {
    /// The peer answered in TLS but the handshake did not complete (only
    /// old versions, an alert): TLS is there, rustls cannot go further.
    SpokeTls(String),
    /// The answer was not TLS, or there was none.
    NotTls,
}

/// What the handshake showed.
#[derive(Debug, Clone, Default)]
pub(crate) struct Handshake {
    pub version: Option<TlsVersion>,
    /// The certificate chain, DER, leaf first (at most 10).
    pub certificates: Vec<Vec<u8>>,
}

/// Runs a TLS handshake over `stream`.
pub(crate) async fn connect(
    stream: TcpStream,
    host_name: Option<&str>,
    address: IpAddr,
    deadline: Instant,
) -> Result<(TlsStream<TcpStream>, Handshake), TlsFailure> {
    let server_name = host_name
        .and_then(|name| ServerName::try_from(name.to_owned()).ok())
        .unwrap_or_else(|| ServerName::IpAddress(address.into()));
    let connector = TlsConnector::from(config());
    let tls = match timeout_at(deadline, connector.connect(server_name, stream)).await {
        Err(_) => return Err(TlsFailure::NotTls),
        Ok(Err(error)) => return Err(classify(&error)),
        Ok(Ok(tls)) => tls,
    };
    let (_, connection) = tls.get_ref();
    let handshake = Handshake {
        version: connection.protocol_version().and_then(|v| match v {
            rustls::ProtocolVersion::TLSv1_2 => Some(TlsVersion::Tls12),
            rustls::ProtocolVersion::TLSv1_3 => Some(TlsVersion::Tls13),
            _ => None,
        }),
        certificates: connection
            .peer_certificates()
            .unwrap_or_default()
            .iter()
            .take(10)
            .map(|der| der.as_ref().to_vec())
            .collect(),
    };
    Ok((tls, handshake))
}

/// A handshake error from a peer that spoke TLS, or from one that did not.
fn classify(error: &io::Error) -> TlsFailure {
    let Some(tls_error) = error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    else {
        return TlsFailure::NotTls;
    };
    match tls_error {
        rustls::Error::InvalidMessage(_) => TlsFailure::NotTls,
        other => TlsFailure::SpokeTls(crate::identify::evidence::field(&other.to_string())),
    }
}

fn config() -> Arc<ClientConfig> {
    static CONFIG: OnceLock<Arc<ClientConfig>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let verifier = Arc::new(InspectOnly(provider.clone()));
            let config = ClientConfig::builder_with_provider(provider)
                .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
                .expect("ring supports TLS 1.2 and 1.3")
                .dangerous()
                .with_custom_certificate_verifier(verifier)
                .with_no_client_auth();
            Arc::new(config)
        })
        .clone()
}

/// Accepts every certificate: we inspect servers, we never trust them.
#[derive(Debug)]
struct InspectOnly(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for InspectOnly {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn verify_tls13_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
