//! [`TlsConfig`]: a client's TLS configuration — yours (`From<Arc<rustls::ClientConfig>>`) or
//! the one the features choose ([`TlsConfig::from_features`]: the crypto provider, the root
//! certificates, rustls' safe default protocol versions) — and the server name to verify.
//! Making the TLS stream is each runtime's [`Connector`](crate::Connector); without the
//! `rustls` feature there is none, and `wss://` is [`HandshakeError::TlsUnavailable`].

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
    /// The configuration `wss://` uses when you give none: built once per process, then shared.
    ///
    /// - The crypto provider: the process default if you installed one
    ///   (`rustls::crypto::CryptoProvider::install_default`), else `aws-lc-rs` with its feature
    ///   (rustls' own default, with post-quantum key exchange), else `ring` with its feature.
    /// - The roots: Mozilla's, compiled in, with `webpki-roots`; the platform's store (read once;
    ///   `SSL_CERT_FILE` and `SSL_CERT_DIR` apply on Unix) with `native-roots`; both with both.
    /// - rustls' safe default protocol versions (TLS 1.3 and 1.2), no client certificate.
    ///
    /// # Errors
    /// [`HandshakeError::TlsUnavailable`] without the `rustls` feature; [`HandshakeError::Tls`]
    /// when there is no provider or no root certificate (the message says which feature to turn
    /// on), or if the provider refuses the protocol versions.
    pub fn from_features() -> Result<Self, HandshakeError> {
        #[cfg(feature = "rustls")]
        {
            static CONFIG: std::sync::OnceLock<Arc<rustls::ClientConfig>> =
                std::sync::OnceLock::new();
            if let Some(config) = CONFIG.get() {
                return Ok(Self::from(config.clone()));
            }
            let config = rustls::ClientConfig::builder_with_provider(provider()?)
                .with_safe_default_protocol_versions()
                .map_err(|e| HandshakeError::Tls(std::io::Error::other(e)))?
                .with_root_certificates(roots()?)
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

/// A configuration error of the default TLS configuration, as the handshake reports it.
#[cfg(feature = "rustls")]
fn unconfigured(what: &str) -> HandshakeError {
    HandshakeError::Tls(std::io::Error::new(std::io::ErrorKind::Unsupported, what))
}

/// The crypto provider [`TlsConfig::from_features`] uses: the process default if one is
/// installed, else the features' choice.
#[cfg(feature = "rustls")]
fn provider() -> Result<Arc<rustls::crypto::CryptoProvider>, HandshakeError> {
    match rustls::crypto::CryptoProvider::get_default() {
        Some(installed) => Ok(installed.clone()),
        None => featured_provider().map(Arc::new),
    }
}

#[cfg(feature = "aws-lc-rs")]
fn featured_provider() -> Result<rustls::crypto::CryptoProvider, HandshakeError> {
    Ok(rustls::crypto::aws_lc_rs::default_provider())
}

/// rustls 0.23.48 deprecates ring's provider (no post-quantum key exchange); the `ring`
/// feature is the user's knowing choice of it, documented as such.
#[cfg(all(feature = "ring", not(feature = "aws-lc-rs")))]
#[allow(deprecated)]
fn featured_provider() -> Result<rustls::crypto::CryptoProvider, HandshakeError> {
    Ok(rustls::crypto::ring::default_provider())
}

#[cfg(all(feature = "rustls", not(any(feature = "aws-lc-rs", feature = "ring"))))]
fn featured_provider() -> Result<rustls::crypto::CryptoProvider, HandshakeError> {
    Err(unconfigured(
        "no rustls crypto provider: turn on sansock's `aws-lc-rs` or `ring` feature, \
         or install one with rustls::crypto::CryptoProvider::install_default",
    ))
}

/// The root certificates [`TlsConfig::from_features`] trusts.
#[cfg(feature = "rustls")]
fn roots() -> Result<rustls::RootCertStore, HandshakeError> {
    #[cfg_attr(
        not(any(feature = "webpki-roots", feature = "native-roots")),
        expect(unused_mut, reason = "no feature adds roots")
    )]
    let mut roots = rustls::RootCertStore::empty();
    #[cfg(feature = "webpki-roots")]
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    #[cfg(feature = "native-roots")]
    {
        // Certificates the store holds but rustls cannot parse are skipped, as are files it
        // cannot read: what is left is the platform's trust, and an empty store fails below.
        let found = rustls_native_certs::load_native_certs();
        roots.add_parsable_certificates(found.certs);
    }
    if roots.is_empty() {
        return Err(unconfigured(
            "no root certificates: turn on sansock's `webpki-roots` or `native-roots` feature \
             (the platform's store may be empty), or give a TlsConfig of your own",
        ));
    }
    Ok(roots)
}

#[cfg(all(test, feature = "rustls"))]
mod tests {
    use super::TlsConfig;

    #[cfg(all(
        any(feature = "aws-lc-rs", feature = "ring"),
        any(feature = "webpki-roots", feature = "native-roots")
    ))]
    #[test]
    fn the_default_config_is_built_once() {
        let a = TlsConfig::from_features().ok();
        let b = TlsConfig::from_features().ok();
        assert!(
            matches!((a, b), (Some(a), Some(b)) if std::sync::Arc::ptr_eq(a.rustls(), b.rustls()))
        );
    }

    /// The provider is the one the features name: aws-lc-rs whenever it is on, ring alone
    /// otherwise (the test command also runs this with `ring` alone).
    #[cfg(all(any(feature = "aws-lc-rs", feature = "ring"), feature = "webpki-roots"))]
    #[test]
    fn the_features_choose_the_provider() {
        let config = TlsConfig::from_features().expect("a provider and roots");
        let provider = format!("{:?}", config.rustls().crypto_provider().key_provider);
        let expected = if cfg!(feature = "aws-lc-rs") {
            "AwsLcRs"
        } else {
            "Ring"
        };
        assert_eq!(provider, expected);
    }

    /// Without a provider feature (and none installed), the error says what to turn on.
    #[cfg(not(any(feature = "aws-lc-rs", feature = "ring")))]
    #[test]
    fn no_provider_is_a_clear_error() {
        let Err(sansock_driver::HandshakeError::Tls(error)) = TlsConfig::from_features() else {
            panic!("a TLS configuration without a provider");
        };
        assert!(
            error.to_string().contains("`aws-lc-rs` or `ring` feature"),
            "{error}"
        );
    }

    #[cfg(feature = "webpki-roots")]
    #[test]
    fn mozillas_roots_are_trusted() {
        // All of them, and the platform's too with `native-roots`.
        let roots = super::roots().expect("roots");
        assert!(roots.len() >= webpki_roots::TLS_SERVER_ROOTS.len());
        assert!(roots.len() > 100);
    }
}
