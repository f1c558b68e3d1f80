//! hyper's server connection, set up for WebSockets ([`server_builder`]): HTTP/1.1 and HTTP/2 on
//! one port (told apart by the first bytes, or by ALPN under TLS), the extended CONNECT of RFC 8441
//! on, and HTTP/2 flow-control windows that keep one WebSocket whose reader stopped from stalling
//! the other streams of its connection.
//!
//! hyper's own defaults give a stream and its connection the same 1 MiB window: a WebSocket
//! whose server-side task stops reading (its peer does not read the echoes, so backpressure stops
//! the task) holds its stream's whole window unread, which is the connection's whole window too,
//! and every other stream of the connection waits. `axum::serve` uses those defaults.

use hyper_util::rt::TokioExecutor;
use hyper_util::server::conn::auto::Builder;

/// The HTTP/2 window of one stream: what a WebSocket whose reader stopped may hold unread.
pub const STREAM_WINDOW: u32 = 256 << 10;

/// The HTTP/2 window of a connection: room for 64 stalled streams before the others wait.
pub const CONNECTION_WINDOW: u32 = 16 << 20;

/// hyper's auto (HTTP/1.1 and HTTP/2) connection builder for a server with WebSockets: serve
/// each connection with `serve_connection_with_upgrades`.
///
/// ```no_run
/// # async fn run(listener: tokio::net::TcpListener, app: axum::Router) -> std::io::Result<()> {
/// use hyper_util::rt::TokioIo;
/// use hyper_util::service::TowerToHyperService;
/// loop {
///     let (tcp, _) = listener.accept().await?;
///     let service = TowerToHyperService::new(app.clone());
///     tokio::spawn(async move {
///         let builder = sansock_hyper::server_builder();
///         let _ = builder.serve_connection_with_upgrades(TokioIo::new(tcp), service).await;
///     });
/// }
/// # }
/// ```
pub fn server_builder() -> Builder<TokioExecutor> {
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http2()
        .enable_connect_protocol()
        .initial_stream_window_size(STREAM_WINDOW)
        .initial_connection_window_size(CONNECTION_WINDOW);
    builder
}
