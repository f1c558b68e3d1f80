//! The handshake configuration shared by both roles: limits, the connection's configuration,
//! and the extensions to negotiate ([`ServerConfig`] and [`ClientConfig`] differ only in the
//! negotiation trait their extensions implement).

use crate::ConnectionConfig;
use crate::config::HandshakeLimits;
use crate::extension::{ClientExtension, ServerExtension};
use alloc::sync::Arc;
use alloc::vec::Vec;

/// How one end handshakes and runs its connection; `X` is its extension negotiation trait.
#[non_exhaustive]
pub struct HandshakeConfig<X: ?Sized> {
    pub(crate) limits: HandshakeLimits,
    pub(crate) connection: ConnectionConfig,
    pub(crate) extensions: Vec<Arc<X>>,
}

/// A server's handshake configuration.
pub type ServerConfig = HandshakeConfig<dyn ServerExtension>;

/// A client's handshake configuration.
pub type ClientConfig = HandshakeConfig<dyn ClientExtension>;

impl<X: ?Sized> Default for HandshakeConfig<X> {
    fn default() -> Self {
        HandshakeConfig {
            limits: HandshakeLimits::default(),
            connection: ConnectionConfig::default(),
            extensions: Vec::new(),
        }
    }
}

impl<X: ?Sized> Clone for HandshakeConfig<X> {
    fn clone(&self) -> Self {
        HandshakeConfig {
            limits: self.limits,
            connection: self.connection.clone(),
            extensions: self.extensions.clone(),
        }
    }
}

impl<X: ?Sized> core::fmt::Debug for HandshakeConfig<X> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("HandshakeConfig")
            .field("limits", &self.limits)
            .field("connection", &self.connection)
            .field("extensions", &self.extensions.len())
            .finish()
    }
}

impl<X: ?Sized> HandshakeConfig<X> {
    /// Limits of the head (and, for a client, of a refusal's body). Default
    /// [`HandshakeLimits::default`].
    pub fn with_limits(mut self, limits: HandshakeLimits) -> Self {
        self.limits = limits;
        self
    }

    /// The connection's configuration once the handshake succeeds. Default
    /// [`ConnectionConfig::default`].
    pub fn with_connection(mut self, connection: ConnectionConfig) -> Self {
        self.connection = connection;
        self
    }

    /// Adds an extension, after (and so less preferred than) those already added.
    pub fn with_extension(mut self, extension: Arc<X>) -> Self {
        self.extensions.push(extension);
        self
    }
}
