//! The client's side of a WebSocket over an HTTP/2 stream (RFC 8441): the
//! extended CONNECT to send ([`Http2Handshake::start`]), then, once the HTTP/2 library has the
//! answer and a stream to carry the frames, the open connection on it
//! ([`Http2Handshake::finish`]). Which HTTP/2 library, and how its stream reads and writes, is
//! the integration crate's; every check is the core's.

use sansock_core::{ClientHandshake, ClientRequest, DefaultRng, Response, Timestamp};
use sansock_driver::internal::Driver;
use sansock_driver::internal::{
    handshake_deadline, max_body_bytes, negotiated, open, take_handshake,
};
use sansock_driver::{ClientSettings, HandshakeError, Runtime, Transport};
use std::time::Instant;

/// A client's handshake over HTTP/2, between the request and the answer.
#[derive(Debug)]
pub(crate) struct Http2Handshake {
    core: ClientHandshake,
    settings: ClientSettings,
    target: String,
    max_body_bytes: usize,
}

impl Http2Handshake {
    /// The extended CONNECT for `request` (`scheme` is `https` or `http`) under `settings`:
    /// send it with `:protocol` set to `websocket`.
    ///
    /// # Errors
    /// [`HandshakeError::InvalidRequest`] for a header that would break the request,
    /// [`HandshakeError::NoRandomness`] when the system has no randomness for the masks.
    pub(crate) fn start(
        request: &ClientRequest,
        scheme: &str,
        mut settings: ClientSettings,
    ) -> Result<(Self, http::Request<()>), HandshakeError> {
        let rng = DefaultRng::from_os().ok_or(HandshakeError::NoRandomness)?;
        let max_body_bytes = max_body_bytes(&settings);
        let config = take_handshake(&mut settings);
        let (core, http) = ClientHandshake::new_http2(request, scheme, config, Box::new(rng))
            .map_err(HandshakeError::InvalidRequest)?;
        let target = request.target().to_string();
        Ok((
            Http2Handshake {
                core,
                settings,
                target,
                max_body_bytes,
            },
            http,
        ))
    }

    /// How long the whole handshake may take (the settings' handshake timeout).
    pub(crate) fn deadline(&self) -> Instant {
        handshake_deadline(&self.settings)
    }

    /// The most body bytes to keep from a refusal (the settings' limit).
    pub(crate) fn max_body_bytes(&self) -> usize {
        self.max_body_bytes
    }

    /// Checks the answer (`body`: what was read of a refusal's body) and opens the connection
    /// on `io`, the answer's stream.
    ///
    /// # Errors
    /// [`HandshakeError::Response`] for a refusal (status, headers, body) or an answer that breaks the
    /// protocol.
    pub(crate) fn finish<S: Transport<R>, R: Runtime>(
        self,
        io: S,
        response: &http::response::Parts,
        body: Vec<u8>,
    ) -> Result<(Driver<S, R>, Box<Response>), HandshakeError> {
        let epoch = Instant::now();
        let (connection, response) = self
            .core
            .receive_http2(Timestamp::ZERO, response, body)
            .map_err(|e| HandshakeError::Response(Box::new(e)))?;
        let driver = open(
            io,
            connection,
            negotiated(&response),
            &[],
            epoch,
            &self.settings,
            &self.target,
        );
        Ok((driver, response))
    }
}
