//! What the example programs share: their servers as axum routers ([`chat`], [`echo`],
//! [`axum_echo`], so tests and benchmarks run the same code), how they are served ([`serve`]:
//! HTTP/1.1 and HTTP/2, TLS) and shut down cleanly ([`shutdown`]), logging, the chat's
//! Prometheus page ([`metrics`]),
//! and the pages they serve. The programs are beside this crate's manifest: the short ones
//! people copy (`tokio_echo.rs`, `axum_echo.rs`, `tokio_client.rs`, `blocking_echo.rs`, which
//! use none of this), then the showcases (`echo_server.rs`, `chat.rs`, `client.rs`).

pub mod axum_echo;
pub mod chat;
pub mod echo;
pub mod metrics;
pub mod serve;
pub mod shutdown;

/// Logs to stdout through `tracing`, filtered by `RUST_LOG` (default `info`); colours only on a
/// terminal.
pub fn init_logs() {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stdout().is_terminal())
        .try_init();
}

/// How a WebSocket came, for logs: `HTTP/1.1` or `HTTP/2`.
pub fn carrier_name(carrier: sansock_hyper::Carrier) -> &'static str {
    match carrier {
        sansock_hyper::Carrier::Http2 => "HTTP/2",
        _ => "HTTP/1.1",
    }
}

/// `listener` with `TCP_NODELAY` on every connection it accepts (messages are written whole;
/// Nagle's algorithm would only delay them).
pub fn nodelay(
    listener: tokio::net::TcpListener,
) -> axum::serve::TapIo<tokio::net::TcpListener, fn(&mut tokio::net::TcpStream)> {
    use axum::serve::ListenerExt;
    listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    })
}

/// The echo server's test page (served at `/`).
pub const ECHO_PAGE: &str = include_str!("../pages/echo.html");
/// The chat room's page (served at `/`).
pub const CHAT_PAGE: &str = include_str!("../pages/chat.html");

/// The first value of `key` in a URL query (percent-decoded).
///
/// ```
/// assert_eq!(sansock_examples::query_value(Some("nick=J%C3%BCrgen&x=1"), "nick").as_deref(), Some("Jürgen"));
/// ```
pub fn query_value(query: Option<&str>, key: &str) -> Option<String> {
    url::form_urlencoded::parse(query?.as_bytes())
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}
