//! The client TLS setup every adapter shares: which configuration a URL needs
//! ([`default_for`]), rustls with the ring provider, its safe default protocol versions and the
//! webpki root certificates, and the server name to verify. Without the `rustls` feature,
//! `wss://` is [`Error::TlsUnavailable`].

use crate::{Error, WsUrl};
#[cfg(feature = "rustls")]
use std::sync::Arc;

/// A client TLS configuration (`()` without the `rustls` feature).
#[cfg(feature = "rustls")]
pub type TlsConfig = Arc<rustls::ClientConfig>;
/// A client TLS configuration (`()` without the `rustls` feature).
#[cfg(not(feature = "rustls"))]
pub type TlsConfig = ();

/// What a connection to `url` uses by default: [`default_client_config`] for `wss`, no TLS for
/// `ws`.
///
/// # Errors
/// [`Error::TlsUnavailable`] for `wss` without the `rustls` feature; as
/// [`default_client_config`].
pub fn default_for(url: &WsUrl) -> Result<Option<TlsConfig>, Error> {
    if !url.tls {
        return Ok(None);
    }
    #[cfg(feature = "rustls")]
    return default_client_config().map(Some);
    #[cfg(not(feature = "rustls"))]
    Err(Error::TlsUnavailable)
}

/// `given`, or what a connection to `url` uses by default ([`default_for`]).
///
/// # Errors
/// As [`default_for`].
pub fn given_or_default(given: Option<TlsConfig>, url: &WsUrl) -> Result<Option<TlsConfig>, Error> {
    match given {
        Some(tls) => Ok(Some(tls)),
        None => default_for(url),
    }
}

/// The TLS configuration for an `https://` proxy: the one given for the server (so private roots
/// given with `connect_with_tls` serve both), otherwise [`default_client_config`].
///
/// # Errors
/// As [`default_client_config`].
#[cfg(feature = "rustls")]
pub fn for_proxy(given: Option<TlsConfig>) -> Result<TlsConfig, Error> {
    given.map_or_else(default_client_config, Ok)
}

/// rustls with the ring provider, its safe default protocol versions and the webpki roots:
/// built once per process (the root store is about 150 certificates), then shared.
///
/// # Errors
/// [`Error::Tls`] if the provider refuses the protocol versions.
#[cfg(feature = "rustls")]
pub fn default_client_config() -> Result<Arc<rustls::ClientConfig>, Error> {
    static CONFIG: std::sync::OnceLock<Arc<rustls::ClientConfig>> = std::sync::OnceLock::new();
    if let Some(config) = CONFIG.get() {
        return Ok(config.clone());
    }
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Tls(std::io::Error::other(e)))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(CONFIG.get_or_init(|| Arc::new(config)).clone())
}

#[cfg(all(test, feature = "rustls"))]
mod tests {
    #[test]
    fn the_default_config_is_built_once() {
        let a = super::default_client_config().ok();
        let b = super::default_client_config().ok();
        assert!(matches!((a, b), (Some(a), Some(b)) if std::sync::Arc::ptr_eq(&a, &b)));
    }
}

/// The name the server's certificate must carry: `host` (a DNS name or an IP address).
///
/// # Errors
/// [`Error::Tls`] if `host` is neither.
#[cfg(feature = "rustls")]
pub fn server_name(host: &str) -> Result<rustls::pki_types::ServerName<'static>, Error> {
    rustls::pki_types::ServerName::try_from(host.to_string())
        .map_err(|e| Error::Tls(std::io::Error::new(std::io::ErrorKind::InvalidInput, e)))
}
