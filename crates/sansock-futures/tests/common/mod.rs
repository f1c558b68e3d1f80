//! One test suite, two runtimes: [`Rt`] is what a test needs of async-std or smol (executor,
//! TCP, the adapter's `connect`), and `on_both_runtimes!` runs each test under both.
#![allow(dead_code, unreachable_pub, missing_docs, clippy::unwrap_used)]

use sansock_futures::{
    Accept, ClientSettings, HandshakeError, MaybeTlsStream, Response, ServerSettings,
    WebSocketStream, WsUrl,
};
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

pub type Task<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// What a test needs of a runtime.
pub trait Rt: 'static {
    type Tcp: sansock_futures::Tcp + Send + std::fmt::Debug + 'static;
    type Listener: Send + 'static;
    fn block_on<T>(f: impl Future<Output = T>) -> T;
    fn spawn<T: Send + 'static>(f: impl Future<Output = T> + Send + 'static) -> Task<T>;
    /// Binds 127.0.0.1 on a free port; gives the `ws://` URL too.
    fn bind() -> impl Future<Output = (Self::Listener, String)> + Send;
    fn accept_tcp(listener: &Self::Listener) -> impl Future<Output = Self::Tcp> + Send;
    fn tcp(host: &str, port: u16) -> impl Future<Output = Self::Tcp> + Send;
    #[allow(clippy::type_complexity)]
    fn connect_with(
        url: WsUrl,
        settings: ClientSettings,
    ) -> impl Future<
        Output = Result<
            (WebSocketStream<MaybeTlsStream<Self::Tcp>>, Box<Response>),
            HandshakeError,
        >,
    > + Send;
    #[allow(clippy::type_complexity)]
    fn connect_with_tls(
        url: WsUrl,
        settings: ClientSettings,
        tls: std::sync::Arc<rustls::ClientConfig>,
    ) -> impl Future<
        Output = Result<
            (WebSocketStream<MaybeTlsStream<Self::Tcp>>, Box<Response>),
            HandshakeError,
        >,
    > + Send;
}

pub struct Smol;
#[cfg(feature = "async-std")]
pub struct AsyncStd;

impl Rt for Smol {
    type Tcp = smol::net::TcpStream;
    type Listener = smol::net::TcpListener;
    fn block_on<T>(f: impl Future<Output = T>) -> T {
        smol::block_on(f)
    }
    fn spawn<T: Send + 'static>(f: impl Future<Output = T> + Send + 'static) -> Task<T> {
        Box::pin(smol::spawn(f))
    }
    async fn bind() -> (Self::Listener, String) {
        let l = smol::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("ws://{}/", l.local_addr().unwrap());
        (l, url)
    }
    async fn accept_tcp(listener: &Self::Listener) -> Self::Tcp {
        listener.accept().await.unwrap().0
    }
    async fn tcp(host: &str, port: u16) -> Self::Tcp {
        smol::net::TcpStream::connect((host, port)).await.unwrap()
    }
    async fn connect_with(
        url: WsUrl,
        settings: ClientSettings,
    ) -> Result<(WebSocketStream<MaybeTlsStream<Self::Tcp>>, Box<Response>), HandshakeError> {
        sansock_futures::smol::Connector::connect_with(url, settings).await
    }
    async fn connect_with_tls(
        url: WsUrl,
        settings: ClientSettings,
        tls: std::sync::Arc<rustls::ClientConfig>,
    ) -> Result<(WebSocketStream<MaybeTlsStream<Self::Tcp>>, Box<Response>), HandshakeError> {
        sansock_futures::smol::Connector::connect_with_tls(url, settings, tls).await
    }
}

#[cfg(feature = "async-std")]
impl Rt for AsyncStd {
    type Tcp = async_std::net::TcpStream;
    type Listener = async_std::net::TcpListener;
    fn block_on<T>(f: impl Future<Output = T>) -> T {
        async_std::task::block_on(f)
    }
    fn spawn<T: Send + 'static>(f: impl Future<Output = T> + Send + 'static) -> Task<T> {
        Box::pin(async_std::task::spawn(f))
    }
    async fn bind() -> (Self::Listener, String) {
        let l = async_std::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap();
        let url = format!("ws://{}/", l.local_addr().unwrap());
        (l, url)
    }
    async fn accept_tcp(listener: &Self::Listener) -> Self::Tcp {
        listener.accept().await.unwrap().0
    }
    async fn tcp(host: &str, port: u16) -> Self::Tcp {
        async_std::net::TcpStream::connect((host, port))
            .await
            .unwrap()
    }
    async fn connect_with(
        url: WsUrl,
        settings: ClientSettings,
    ) -> Result<(WebSocketStream<MaybeTlsStream<Self::Tcp>>, Box<Response>), HandshakeError> {
        sansock_futures::async_std::Connector::connect_with(url, settings).await
    }
    async fn connect_with_tls(
        url: WsUrl,
        settings: ClientSettings,
        tls: std::sync::Arc<rustls::ClientConfig>,
    ) -> Result<(WebSocketStream<MaybeTlsStream<Self::Tcp>>, Box<Response>), HandshakeError> {
        sansock_futures::async_std::Connector::connect_with_tls(url, settings, tls).await
    }
}

/// `f`, or a panic after `limit` (a hung test fails instead of hanging CI).
pub async fn timeout<T>(limit: Duration, f: impl Future<Output = T>) -> Option<T> {
    use futures_util::future::{Either, select};
    let timer = async_io::Timer::after(limit);
    match select(std::pin::pin!(f), timer).await {
        Either::Left((v, _)) => Some(v),
        Either::Right(_) => None,
    }
}

pub async fn sleep(d: Duration) {
    async_io::Timer::after(d).await;
}

/// Accepts one connection with `settings` and echoes it until it ends; drops the stream (which
/// ends the TCP connection: async-std's `close` only flushes) and returns how it closed.
pub async fn echo_once<R: Rt>(
    listener: R::Listener,
    settings: ServerSettings,
) -> Option<sansock_futures::Closed> {
    let tcp = R::accept_tcp(&listener).await;
    let mut ws = sansock_futures::accept_with(tcp, settings, async |r| {
        Ok(match r.protocols().next() {
            Some(p) => Accept::new().with_protocol(p),
            None => Accept::new(),
        })
    })
    .await
    .unwrap();
    while let Some(Ok(message)) = ws.recv().await {
        if ws.send(message).await.is_err() {
            break;
        }
    }
    ws.closed().cloned()
}

/// A client that completes the handshake and then keeps only the TCP stream (reads nothing,
/// answers nothing).
pub async fn silent_client<R: Rt>(url: &str) -> R::Tcp {
    let parsed = WsUrl::parse(url).unwrap();
    let tcp = R::tcp(&parsed.host, parsed.port).await;
    let (ws, _) = sansock_futures::client(tcp, &parsed.request, ClientSettings::new())
        .await
        .unwrap();
    ws.into_inner()
}

/// Runs each named generic test `fn name<R: Rt>() -> impl Future` under smol, and under
/// async-std with its feature (discontinued upstream, so nothing needs it to test).
#[macro_export]
macro_rules! on_both_runtimes {
    ($($name:ident),* $(,)?) => {
        mod on_smol {
            $(#[test] fn $name() {
                use $crate::common::Rt;
                $crate::common::Smol::block_on(super::$name::<$crate::common::Smol>())
            })*
        }
        #[cfg(feature = "async-std")]
        mod on_async_std {
            $(#[test] fn $name() {
                use $crate::common::Rt;
                $crate::common::AsyncStd::block_on(super::$name::<$crate::common::AsyncStd>())
            })*
        }
    };
}
