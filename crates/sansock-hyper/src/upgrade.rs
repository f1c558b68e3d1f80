//! The upgrade through hyper: [`upgrade`] checks a request and takes hyper's upgrade handle,
//! [`Upgrade::accept`] gives the 101 and an [`UpgradeFuture`], [`UpgradeError`] is every way it
//! can fail with the response that says so. The axum extractor is built on these.

use crate::http_upgrade::{HttpUpgrade, PendingWebSocket};
use crate::{Body, WebSocket};
use bytes::Bytes;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use http::{Request, Response, StatusCode};
use hyper::upgrade::OnUpgrade;
use hyper_util::rt::TokioIo;
use sansock_core::{Accept, AcceptError, Reject, ServerHandshakeError, UpgradeRequest};
use sansock_tokio::{HandshakeError, ServerSettings};

/// Whether `request` asks for a WebSocket — its `Upgrade` header names `websocket` (HTTP/1.1),
/// or it is a `CONNECT` whose `:protocol` is `websocket` (HTTP/2): the cheap test to route
/// between a page and [`upgrade`], which does the full check.
pub fn is_upgrade_request<B>(request: &Request<B>) -> bool {
    asks_for_websocket(request.method(), request.headers(), request.extensions())
}

/// [`is_upgrade_request`] on a request's parts.
pub(crate) fn asks_for_websocket(
    method: &http::Method,
    headers: &http::HeaderMap,
    extensions: &http::Extensions,
) -> bool {
    if method == http::Method::CONNECT {
        return protocol(extensions).is_some_and(|p| p.eq_ignore_ascii_case("websocket"));
    }
    headers
        .get_all(http::header::UPGRADE)
        .iter()
        .flat_map(|v| v.as_bytes().split(|&b| b == b','))
        .any(|token| token.trim_ascii().eq_ignore_ascii_case(b"websocket"))
}

/// An HTTP/2 extended CONNECT's `:protocol`, which hyper keeps in the extensions.
fn protocol(extensions: &http::Extensions) -> Option<&str> {
    extensions
        .get::<hyper::ext::Protocol>()
        .map(hyper::ext::Protocol::as_str)
}

/// Checks `request` as a WebSocket upgrade under `settings` and takes hyper's handle on its
/// connection; look at [`Upgrade::request`], then [`accept`](Upgrade::accept) or
/// [`reject`](Upgrade::reject).
///
/// # Errors
/// [`UpgradeError`]: not a valid upgrade (its status is the core's: 400, 405, 426 or 431), or a
/// connection hyper cannot upgrade. [`UpgradeError::into_response`] is the answer.
pub fn upgrade<B>(
    request: &mut Request<B>,
    settings: ServerSettings,
) -> Result<Upgrade, UpgradeError> {
    // The checks read request parts; lend them the request's own (moved, not copied) and put
    // them back, less the upgrade handle.
    let (mut parts, ()) = Request::new(()).into_parts();
    parts.method = request.method().clone();
    parts.uri = request.uri().clone();
    parts.version = request.version();
    parts.headers = core::mem::take(request.headers_mut());
    parts.extensions = core::mem::take(request.extensions_mut());
    let checked = Upgrade::from_parts(&mut parts, settings);
    *request.headers_mut() = parts.headers;
    *request.extensions_mut() = parts.extensions;
    checked
}

/// A valid upgrade request, with hyper's handle on its connection, waiting for the
/// application's decision.
#[derive(Debug)]
pub struct Upgrade {
    http: HttpUpgrade,
    on_upgrade: OnUpgrade,
}

impl Upgrade {
    /// Checks a request's parts and takes its upgrade handle out of their extensions.
    pub(crate) fn from_parts(
        parts: &mut http::request::Parts,
        settings: ServerSettings,
    ) -> Result<Self, UpgradeError> {
        let http = HttpUpgrade::check(parts, protocol(&parts.extensions), settings)
            .map_err(UpgradeError::BadRequest)?;
        let on_upgrade = parts
            .extensions
            .remove::<OnUpgrade>()
            .ok_or(UpgradeError::NotUpgradable)?;
        Ok(Upgrade { http, on_upgrade })
    }

    /// The request: path, headers, origin, offered subprotocols and extensions.
    pub fn request(&self) -> &UpgradeRequest {
        self.http.request()
    }

    /// The same request under other settings (their limits are checked again).
    ///
    /// # Errors
    /// [`UpgradeError::BadRequest`] (431) when the request is over the new limits.
    pub fn with_settings(self, settings: ServerSettings) -> Result<Self, UpgradeError> {
        let http = self
            .http
            .with_settings(settings)
            .map_err(UpgradeError::BadRequest)?;
        Ok(Upgrade { http, ..self })
    }

    /// Accepts: the response to return from the service (101 over HTTP/1.1, 200 over HTTP/2),
    /// and the future of the WebSocket, which resolves once hyper has sent the response and
    /// handed over the connection or the stream (spawn a task to await it).
    ///
    /// # Errors
    /// [`UpgradeError::InvalidAccept`] (500) when `accept` names a subprotocol the client did
    /// not offer or carries an invalid header.
    pub fn accept(self, accept: &Accept) -> Result<(Response<Body>, UpgradeFuture), UpgradeError> {
        let (response, pending) = self
            .http
            .accept(accept)
            .map_err(UpgradeError::InvalidAccept)?;
        let future = UpgradeFuture::new(self.on_upgrade, pending);
        Ok((response.map(|()| Body::default()), future))
    }

    /// Rejects: `reject`'s status, headers and body as the response to return.
    pub fn reject(self, reject: &Reject) -> Response<Body> {
        self.http
            .reject(reject)
            .map(|body| Body::from(Bytes::from(body)))
    }
}

/// The WebSocket of an accepted upgrade, once hyper has handed over the connection; fails with
/// [`HandshakeError::Timeout`] when that takes longer than the settings' handshake timeout,
/// and with an I/O error when hyper cannot upgrade the connection.
#[must_use = "the WebSocket exists only once this future is awaited"]
pub struct UpgradeFuture {
    inner: Pin<Box<dyn Future<Output = Result<WebSocket, HandshakeError>> + Send>>,
}

impl core::fmt::Debug for UpgradeFuture {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("UpgradeFuture").finish_non_exhaustive()
    }
}

impl UpgradeFuture {
    fn new(on_upgrade: OnUpgrade, pending: PendingWebSocket) -> Self {
        let limit = pending.handshake_timeout();
        let inner = async move {
            let upgraded = match tokio::time::timeout(limit, on_upgrade).await {
                Err(_) => return Err(HandshakeError::Timeout),
                Ok(Err(e)) => return Err(HandshakeError::Io(std::io::Error::other(e))),
                Ok(Ok(upgraded)) => upgraded,
            };
            // hyper replays the bytes it read past the head through `Upgraded` itself.
            Ok(sansock_driver::internal::into_stream(
                pending.open(TokioIo::new(upgraded), &[]),
            ))
        };
        UpgradeFuture {
            inner: Box::pin(inner),
        }
    }
}

impl Future for UpgradeFuture {
    type Output = Result<WebSocket, HandshakeError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.inner.as_mut().poll(cx)
    }
}

/// Why a request was not upgraded, with the response that says so.
#[derive(Debug)]
#[non_exhaustive]
pub enum UpgradeError {
    /// Not a valid WebSocket upgrade, or over a limit: the core's verdict (400, 405 with
    /// `Allow: GET`, 426 with `Sec-WebSocket-Version: 13`, or 431).
    BadRequest(Box<ServerHandshakeError>),
    /// The HTTP connection cannot be upgraded (hyper gave no upgrade handle; it was taken
    /// already, or the protocol cannot carry an upgrade): 500.
    NotUpgradable,
    /// The application's accept names a subprotocol the client did not offer, or carries an
    /// invalid header: 500.
    InvalidAccept(AcceptError),
}

impl UpgradeError {
    /// The HTTP status of [`into_response`](Self::into_response).
    pub fn status(&self) -> u16 {
        match self {
            UpgradeError::BadRequest(e) => e.status(),
            UpgradeError::NotUpgradable | UpgradeError::InvalidAccept(_) => 500,
        }
    }

    /// The response to return.
    pub fn into_response(self) -> Response<Body> {
        match self {
            UpgradeError::BadRequest(e) => e.to_http().map(|body| Body::from(Bytes::from(body))),
            other => {
                let mut response = Response::new(Body::from(other.to_string()));
                *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
                response
            }
        }
    }
}

impl core::fmt::Display for UpgradeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            UpgradeError::BadRequest(e) => e.fmt(f),
            UpgradeError::NotUpgradable => f.write_str("the HTTP connection cannot be upgraded"),
            UpgradeError::InvalidAccept(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for UpgradeError {}
