//! Clients over HTTP/2 (RFC 8441): [`Http2Connection`] opens one HTTP/2 connection — `ws://` with
//! prior knowledge (h2c), `wss://` with h2 chosen by ALPN — and then any number of WebSockets as
//! its streams; [`connect_http2`] opens one WebSocket over HTTP/2 where the server allows it
//! (its SETTINGS carry `SETTINGS_ENABLE_CONNECT_PROTOCOL`) and over HTTP/1.1 where it does not.
//! The handshake's checks are the core's (through `Http2Handshake`); h2 carries the frames.

use crate::h2_stream::H2Stream;
use crate::http2_client::Http2Handshake;
use bytes::Bytes;
use core::pin::Pin;
use core::task::{Context, Poll};
use sansock_client::TlsConfig;
use sansock_core::{ClientRequest, Response};
use sansock_driver::internal::{handshake_deadline, within};
use sansock_tokio::{
    ClientSettings, ClientSocket, HandshakeError, MaybeTlsStream, Tokio, WebSocketStream, WsUrl,
};
use std::io;
use std::sync::{Arc, OnceLock};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// A client WebSocket's transport: a TCP or TLS connection of its own (HTTP/1.1), or a stream of
/// an HTTP/2 connection.
#[derive(Debug)]
pub enum ClientStream {
    /// The WebSocket has the connection (HTTP/1.1's upgrade).
    Http1(MaybeTlsStream),
    /// The WebSocket is one stream of an HTTP/2 connection (RFC 8441).
    Http2(H2Stream),
}

/// A client WebSocket from [`connect_http2`] or [`Http2Connection::websocket`].
pub type ClientWebSocket = WebSocketStream<ClientStream>;

impl ClientStream {
    /// Whether the WebSocket runs over HTTP/2.
    pub fn is_http2(&self) -> bool {
        matches!(self, ClientStream::Http2(_))
    }
}

/// Why an HTTP/2 connection cannot carry WebSockets.
#[derive(Debug)]
#[non_exhaustive]
pub enum Http2Unavailable {
    /// The server does not speak HTTP/2: ALPN chose HTTP/1.1, or it did not answer the HTTP/2
    /// preface as HTTP/2 (an HTTP/1.1 server asked with prior knowledge).
    NoHttp2,
    /// The server speaks HTTP/2 but its SETTINGS do not allow the extended CONNECT (RFC 8441 §3).
    NoExtendedConnect,
    /// Connecting failed before HTTP/2 could be tried (DNS, TCP, TLS, the timeout).
    Failed(HandshakeError),
}

impl core::fmt::Display for Http2Unavailable {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Http2Unavailable::NoHttp2 => f.write_str("the server does not speak HTTP/2"),
            Http2Unavailable::NoExtendedConnect => f.write_str(
                "the server's HTTP/2 settings do not allow WebSockets (no SETTINGS_ENABLE_CONNECT_PROTOCOL)",
            ),
            Http2Unavailable::Failed(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Http2Unavailable {}

/// An HTTP/2 connection on which WebSockets open as streams. Clones share the connection.
#[derive(Debug, Clone)]
pub struct Http2Connection {
    send: h2::client::SendRequest<Bytes>,
    scheme: &'static str,
    authority: String,
}

/// What dialing found.
enum Dialed {
    Http2(Http2Connection),
    /// TLS where ALPN chose HTTP/1.1: the connection, for the upgrade.
    Http1(MaybeTlsStream),
    /// Not HTTP/2, or not with the extended CONNECT.
    Unavailable(Http2Unavailable),
}

impl Http2Connection {
    /// Connects to `url`'s server over HTTP/2 and waits for its SETTINGS (a ping's answer
    /// follows them), within `settings`' handshake timeout.
    ///
    /// # Errors
    /// [`Http2Unavailable`]: the server does not speak HTTP/2, does not allow the extended
    /// CONNECT, or could not be reached.
    pub async fn connect(url: &WsUrl, settings: &ClientSettings) -> Result<Self, Http2Unavailable> {
        let tls = if url.tls {
            Some(alpn_config().map_err(Http2Unavailable::Failed)?)
        } else {
            None
        };
        Self::connect_with_tls(url, settings, tls).await
    }

    /// As [`connect`](Self::connect), with this TLS configuration for `wss://` (its own roots,
    /// say); its ALPN protocols should offer `h2`.
    ///
    /// # Errors
    /// As [`connect`](Self::connect).
    pub async fn connect_with_tls(
        url: &WsUrl,
        settings: &ClientSettings,
        tls: Option<Arc<rustls::ClientConfig>>,
    ) -> Result<Self, Http2Unavailable> {
        let deadline = handshake_deadline(settings);
        let dialed = within::<Tokio, _>(deadline, dial(url, tls)).await;
        match dialed {
            Ok(Dialed::Http2(connection)) => Ok(connection),
            Ok(Dialed::Http1(_)) => Err(Http2Unavailable::NoHttp2),
            Ok(Dialed::Unavailable(why)) => Err(why),
            Err(e) => Err(Http2Unavailable::Failed(e)),
        }
    }

    /// Opens a WebSocket for `request` (its target, subprotocols and headers; the host is the
    /// connection's) as a new stream of this connection.
    ///
    /// # Errors
    /// [`HandshakeError::Response`] when the server refuses (status, headers, body) or answers wrongly,
    /// [`HandshakeError::Timeout`], I/O errors of the HTTP/2 connection.
    pub async fn websocket(
        &self,
        request: &ClientRequest,
        settings: ClientSettings,
    ) -> Result<(ClientWebSocket, Box<Response>), HandshakeError> {
        let request = with_host(request, &self.authority);
        let (handshake, http) = Http2Handshake::start(&request, self.scheme, settings)?;
        let deadline = handshake.deadline();
        within::<Tokio, _>(deadline, self.open(handshake, http)).await
    }

    async fn open(
        &self,
        handshake: Http2Handshake,
        mut http: http::Request<()>,
    ) -> Result<(ClientWebSocket, Box<Response>), HandshakeError> {
        http.extensions_mut()
            .insert(h2::ext::Protocol::from_static("websocket"));
        let mut send = self.send.clone().ready().await.map_err(h2_error)?;
        let (answer, stream) = send.send_request(http, false).map_err(h2_error)?;
        let (parts, mut recv) = answer.await.map_err(h2_error)?.into_parts();
        let mut body = Vec::new();
        if !parts.status.is_success() {
            // A refusal's body, up to the limit, for the error.
            while body.len() < handshake.max_body_bytes() {
                match recv.data().await {
                    Some(Ok(chunk)) => {
                        let _ = recv.flow_control().release_capacity(chunk.len());
                        body.extend_from_slice(&chunk);
                    }
                    _ => break,
                }
            }
            body.truncate(handshake.max_body_bytes());
        }
        let io = ClientStream::Http2(H2Stream::new(stream, recv));
        let (driver, response) = handshake.finish::<_, Tokio>(io, &parts, body)?;
        Ok((sansock_driver::internal::into_stream(driver), response))
    }
}

/// Connects a WebSocket to `url` over HTTP/2 where the server allows it, and over HTTP/1.1
/// where it does not (no HTTP/2, or no `SETTINGS_ENABLE_CONNECT_PROTOCOL`): `wss://` asks for
/// h2 by ALPN, `ws://` tries HTTP/2 with prior knowledge first.
///
/// # Errors
/// As `sansock_tokio::connect_with`.
pub async fn connect_http2(
    url: WsUrl,
    settings: ClientSettings,
) -> Result<(ClientWebSocket, Box<Response>), HandshakeError> {
    let deadline = handshake_deadline(&settings);
    let tls = if url.tls { Some(alpn_config()?) } else { None };
    let dialed = within::<Tokio, _>(deadline, dial(&url, tls)).await?;
    let stream = match dialed {
        Dialed::Http2(connection) => return connection.websocket(&url.request, settings).await,
        Dialed::Http1(stream) => stream,
        Dialed::Unavailable(Http2Unavailable::Failed(e)) => return Err(e),
        Dialed::Unavailable(_) => within::<Tokio, _>(deadline, dial_http1(&url)).await?,
    };
    let (ws, response) =
        sansock_tokio::client(ClientStream::Http1(stream), &url.request, settings).await?;
    Ok((ws, response))
}

/// `request` with the connection's authority as its host.
fn with_host(request: &ClientRequest, authority: &str) -> ClientRequest {
    let mut out = ClientRequest::new(authority, request.target());
    for p in request.protocols() {
        out = out.with_protocol(p.as_str());
    }
    for (n, v) in request.headers() {
        out = out.with_header(n.as_str(), v.as_str());
    }
    out
}

fn h2_error(e: h2::Error) -> HandshakeError {
    HandshakeError::Io(if e.is_io() {
        e.into_io().unwrap_or_else(|| io::ErrorKind::Other.into())
    } else {
        io::Error::other(e)
    })
}

/// TCP to the first of `url`'s addresses that answers (the deadline is the caller's).
async fn tcp(url: &WsUrl) -> Result<TcpStream, HandshakeError> {
    let never = sansock_driver::internal::deadline_after(core::time::Duration::MAX);
    sansock_client::dial(&sansock_tokio::Connector, &url.host, url.port, never).await
}

/// The default client TLS configuration, offering h2 and HTTP/1.1 by ALPN.
fn alpn_config() -> Result<Arc<rustls::ClientConfig>, HandshakeError> {
    static CONFIG: OnceLock<Arc<rustls::ClientConfig>> = OnceLock::new();
    if let Some(config) = CONFIG.get() {
        return Ok(config.clone());
    }
    let mut config = (**TlsConfig::from_features()?.rustls()).clone();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(CONFIG.get_or_init(|| Arc::new(config)).clone())
}

async fn tls(
    url: &WsUrl,
    tcp: ClientSocket,
    config: Arc<rustls::ClientConfig>,
) -> Result<tokio_rustls::client::TlsStream<ClientSocket>, HandshakeError> {
    let name = TlsConfig::server_name(&url.host)?;
    tokio_rustls::TlsConnector::from(config)
        .connect(name, tcp)
        .await
        .map_err(HandshakeError::Tls)
}

/// An HTTP/1.1 connection for the upgrade.
async fn dial_http1(url: &WsUrl) -> Result<MaybeTlsStream, HandshakeError> {
    let tcp = tcp(url).await?;
    let tcp = ClientSocket::Plain(tcp);
    if !url.tls {
        return Ok(MaybeTlsStream::Plain(tcp));
    }
    let config = TlsConfig::from_features()?.rustls().clone();
    let stream = sansock_client::TlsStream::new(tls(url, tcp, config).await?);
    Ok(MaybeTlsStream::Tls(Box::new(stream)))
}

/// TCP, TLS with ALPN for `wss` (`config`), then HTTP/2 and the server's SETTINGS.
async fn dial(
    url: &WsUrl,
    config: Option<Arc<rustls::ClientConfig>>,
) -> Result<Dialed, HandshakeError> {
    let tcp = tcp(url).await?;
    let (scheme, authority) = (if url.tls { "https" } else { "http" }, authority(url));
    if url.tls {
        let config = config.map_or_else(alpn_config, Ok)?;
        let stream = tls(url, ClientSocket::Plain(tcp), config).await?;
        if stream.get_ref().1.alpn_protocol() != Some(b"h2") {
            let stream = sansock_client::TlsStream::new(stream);
            return Ok(Dialed::Http1(MaybeTlsStream::Tls(Box::new(stream))));
        }
        return h2_over(stream, scheme, authority).await;
    }
    h2_over(tcp, scheme, authority).await
}

async fn h2_over<T>(
    io: T,
    scheme: &'static str,
    authority: String,
) -> Result<Dialed, HandshakeError>
where
    T: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    // The server's windows (see `server_builder`): a stream whose reader stopped holds at most
    // its own window, and the connection's is large enough for many such.
    let handshake = h2::client::Builder::new()
        .initial_window_size(crate::STREAM_WINDOW)
        .initial_connection_window_size(crate::CONNECTION_WINDOW)
        .handshake(io)
        .await;
    let Ok((send, mut connection)) = handshake else {
        return Ok(Dialed::Unavailable(Http2Unavailable::NoHttp2));
    };
    let ping = connection.ping_pong();
    tokio::spawn(async move {
        let _ = connection.await;
    });
    // The server's SETTINGS come before its answer to our ping: after the pong, h2 knows
    // whether the extended CONNECT is allowed.
    let answered = match ping {
        Some(mut ping) => ping.ping(h2::Ping::opaque()).await.is_ok(),
        None => false,
    };
    if !answered {
        return Ok(Dialed::Unavailable(Http2Unavailable::NoHttp2));
    }
    if !send.is_extended_connect_protocol_enabled() {
        return Ok(Dialed::Unavailable(Http2Unavailable::NoExtendedConnect));
    }
    Ok(Dialed::Http2(Http2Connection {
        send,
        scheme,
        authority,
    }))
}

/// `host[:port]`, the port left out when it is the scheme's default.
fn authority(url: &WsUrl) -> String {
    let default = if url.tls { 443 } else { 80 };
    if url.port == default {
        url.host.clone()
    } else if url.host.contains(':') {
        format!("[{}]:{}", url.host, url.port)
    } else {
        format!("{}:{}", url.host, url.port)
    }
}

impl AsyncRead for ClientStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            ClientStream::Http1(s) => Pin::new(s).poll_read(cx, buf),
            ClientStream::Http2(s) => Pin::new(s).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for ClientStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            ClientStream::Http1(s) => Pin::new(s).poll_write(cx, buf),
            ClientStream::Http2(s) => Pin::new(s).poll_write(cx, buf),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            ClientStream::Http1(s) => Pin::new(s).poll_write_vectored(cx, bufs),
            ClientStream::Http2(s) => Pin::new(s).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            ClientStream::Http1(s) => s.is_write_vectored(),
            ClientStream::Http2(_) => false,
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            ClientStream::Http1(s) => Pin::new(s).poll_flush(cx),
            ClientStream::Http2(s) => Pin::new(s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            ClientStream::Http1(s) => Pin::new(s).poll_shutdown(cx),
            ClientStream::Http2(s) => Pin::new(s).poll_shutdown(cx),
        }
    }
}
