//! [`TlsConfig`]: a client's TLS configuration — yours (`From<Arc<rustls::ClientConfig>>`) or
//! the default, rustls with the ring provider, its safe default protocol versions and the
//! webpki root certificates — and the server name to verify. Making the TLS stream is each
//! runtime's [`Connector`](crate::Connector); without the `rustls` feature there is none, and
//! `wss://` is [`HandshakeError::TlsUnavailable`].

use sansock_driver::HandshakeError;
#[cfg(feature = "rustls")]
use std::sync::Arc;

/// A client's TLS configuration (cheap to clone).
#[derive(Clone)]
pub struct TlsConfig {
    #[cfg(feature = "rustls")]
    rustls: Arc<rustls::ClientConfig>,
}

impl core::fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TlsConfig").finish_non_exhaustive()
    }
}

impl TlsConfig {
    /// rustls with the ring provider, its safe default protocol versions and the webpki roots:
    /// built once per process (the root store is about 150 certificates), then shared.
    ///
    /// # Errors
    /// [`HandshakeError::TlsUnavailable`] without the `rustls` feature; [`HandshakeError::Tls`] if the provider
    /// refuses the protocol versions.
    pub fn webpki_roots() -> Result<Self, HandshakeError> {
        #[cfg(feature = "rustls")]
        {
            static CONFIG: std::sync::OnceLock<Arc<rustls::ClientConfig>> =
                std::sync::OnceLock::new();
            if let Some(config) = CONFIG.get() {
                return Ok(Self::from(config.clone()));
            }
            let roots = rustls::RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            };
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let config = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .map_err(|e| HandshakeError::Tls(std::io::Error::other(e)))?
                .with_root_certificates(roots)
                .with_no_client_auth();
            Ok(Self::from(CONFIG.get_or_init(|| Arc::new(config)).clone()))
        }
        #[cfg(not(feature = "rustls"))]
        Err(HandshakeError::TlsUnavailable)
    }

    /// The rustls configuration.
    #[cfg(feature = "rustls")]
    pub fn rustls(&self) -> &Arc<rustls::ClientConfig> {
        &self.rustls
    }

    /// The name `host`'s certificate must carry (a DNS name or an IP address).
    ///
    /// # Errors
    /// [`HandshakeError::Tls`] if `host` is neither.
    #[cfg(feature = "rustls")]
    pub fn server_name(
        host: &str,
    ) -> Result<rustls::pki_types::ServerName<'static>, HandshakeError> {
        rustls::pki_types::ServerName::try_from(host.to_string()).map_err(|e| {
            HandshakeError::Tls(std::io::Error::new(std::io::ErrorKind::InvalidInput, e))
        })
    }
}

#[cfg(feature = "rustls")]
impl From<Arc<rustls::ClientConfig>> for TlsConfig {
    fn from(rustls: Arc<rustls::ClientConfig>) -> Self {
        TlsConfig { rustls }
    }
}

#[cfg(all(test, feature = "rustls"))]
mod tests {
    #[test]
    fn the_default_config_is_built_once() {
        let a = super::TlsConfig::webpki_roots().ok();
        let b = super::TlsConfig::webpki_roots().ok();
        assert!(
            matches!((a, b), (Some(a), Some(b)) if std::sync::Arc::ptr_eq(a.rustls(), b.rustls()))
        );
    }
}
