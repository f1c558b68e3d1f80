//! An upgrade that arrives through an HTTP server (hyper, axum): the server has
//! read the request, so [`HttpUpgrade::check`] hands its parts to the core's checks, the
//! application looks and decides, and the answer is an `http::Response` for the server to send.
//! Once the server hands over the transport, [`PendingWebSocket::open`] runs the connection on
//! it. Which HTTP server, and how it hands over the transport, is the integration crate's; no
//! protocol decision is made here.

use core::time::Duration;
use http::Response;
use sansock_core::Head;
use sansock_core::{
    Accept, AcceptError, Connection, Reject, ServerHandshakeError, Timestamp, UpgradeRequest,
};
use sansock_driver::internal::Driver;
use sansock_driver::internal::Negotiated;
use sansock_driver::internal::{self, handshake_timeout, open, take_server_handshake};
use sansock_driver::{Runtime, ServerSettings, Transport};
use std::time::Instant;

/// A valid upgrade request from an HTTP server, waiting for the application's decision.
#[derive(Debug)]
pub(crate) struct HttpUpgrade {
    request: Box<UpgradeRequest>,
    settings: ServerSettings,
}

impl HttpUpgrade {
    /// Checks a request's parts (method, target, version, headers) as the core checks any
    /// upgrade request, under `settings`' limits; `protocol` is an HTTP/2 request's `:protocol`
    /// (RFC 8441), `None` over HTTP/1.1.
    ///
    /// # Errors
    /// The core's [`ServerHandshakeError`]: its `to_http()` is the answer to send.
    pub(crate) fn check(
        parts: &http::request::Parts,
        protocol: Option<&str>,
        mut settings: ServerSettings,
    ) -> Result<Self, Box<ServerHandshakeError>> {
        // The handshake configuration goes to the core; the rest of the settings stay here.
        let config = take_server_handshake(&mut settings);
        let request = UpgradeRequest::from_http(parts, protocol, config)
            .inspect_err(|e| internal::refused(e.status(), Some(parts.uri.path()), e))?;
        Ok(HttpUpgrade {
            request: Box::new(request),
            settings,
        })
    }

    /// The request: path, headers, origin, offered subprotocols and extensions.
    pub(crate) fn request(&self) -> &UpgradeRequest {
        &self.request
    }

    /// The same request under other settings (their limits are checked again).
    ///
    /// # Errors
    /// As [`check`](Self::check), when the request is over the new limits.
    pub(crate) fn with_settings(
        self,
        mut settings: ServerSettings,
    ) -> Result<Self, Box<ServerHandshakeError>> {
        let config = take_server_handshake(&mut settings);
        let request = self
            .request
            .with_config(config)
            .inspect_err(|e| internal::refused(e.status(), e.head().map(Head::path), e))?;
        Ok(HttpUpgrade {
            request: Box::new(request),
            settings,
        })
    }

    /// Accepts: the 101 response for the HTTP server to send, and the connection to open on
    /// the transport it hands over afterwards.
    ///
    /// # Errors
    /// [`AcceptError`] when `accept` names a subprotocol the client did not offer or carries
    /// an invalid header: the application's mistake, to answer with a 500.
    pub(crate) fn accept(
        self,
        accept: &Accept,
    ) -> Result<(Response<()>, PendingWebSocket), AcceptError> {
        let epoch = Instant::now();
        let path = self.request.path().to_string();
        match self.request.accept_http(Timestamp::ZERO, accept) {
            Ok(accepted) => Ok((
                accepted.response,
                PendingWebSocket {
                    connection: accepted.connection,
                    negotiated: Negotiated::new(accepted.protocol, accepted.extension),
                    epoch,
                    path,
                    settings: self.settings,
                },
            )),
            Err(refused) => {
                internal::refused(500, Some(&path), &refused.error);
                Err(refused.error)
            }
        }
    }

    /// Rejects: `reject` as the response to send.
    pub(crate) fn reject(self, reject: &Reject) -> Response<Vec<u8>> {
        let why = "rejected by the application";
        internal::refused(reject.status, Some(self.request.path()), &why);
        reject.to_http()
    }
}

/// An accepted upgrade whose transport the HTTP server has not handed over yet.
#[derive(Debug)]
pub(crate) struct PendingWebSocket {
    connection: Connection,
    negotiated: Negotiated,
    epoch: Instant,
    path: String,
    settings: ServerSettings,
}

impl PendingWebSocket {
    /// How long the HTTP server may take to hand over the transport (the settings' handshake
    /// timeout).
    pub(crate) fn handshake_timeout(&self) -> Duration {
        handshake_timeout(&self.settings)
    }

    /// Runs the connection on `io`, the transport the HTTP server handed over; `initial` are
    /// bytes it had read past the request (frames), if it gives them apart from `io`.
    pub(crate) fn open<S: Transport<R>, R: Runtime>(self, io: S, initial: &[u8]) -> Driver<S, R> {
        open(
            io,
            self.connection,
            self.negotiated,
            initial,
            self.epoch,
            &self.settings,
            &self.path,
        )
    }
}
