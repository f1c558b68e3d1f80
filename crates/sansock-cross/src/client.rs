//! Client sessions, one per adapter, behind one blocking interface ([`Session`]) so that a
//! scenario is written once. Async adapters run each call on their own runtime.

use crate::{Adapter, FRAGMENT};
use sansock_client::{Proxy, WsUrl};
use sansock_core::{CloseCode, Closed, Event, Message, PerMessageDeflate};
use sansock_driver::{ClientSettings, Error, HandshakeError, Runtime, Transport, WebSocketStream};
use std::future::Future;

/// A client connection as a scenario sees it.
pub trait Session {
    /// The subprotocol the handshake agreed on.
    fn protocol(&self) -> Option<String>;
    /// The extensions the handshake agreed on.
    fn extensions(&self) -> Option<String>;
    /// Sends a message.
    ///
    /// # Errors
    /// As the adapter's `send`.
    fn send(&mut self, message: Message) -> Result<(), Error>;
    /// Sends a message uncompressed.
    ///
    /// # Errors
    /// As the adapter's `send_uncompressed`.
    fn send_uncompressed(&mut self, message: Message) -> Result<(), Error>;
    /// Sends a ping.
    ///
    /// # Errors
    /// As the adapter's `ping`.
    fn ping(&mut self, payload: &[u8]) -> Result<(), Error>;
    /// The next event; `None` after the end.
    fn next_event(&mut self) -> Option<Result<Event, Error>>;
    /// Closes and waits for the closing handshake.
    ///
    /// # Errors
    /// As the adapter's `close`.
    fn close(&mut self, code: CloseCode, reason: &str) -> Result<Closed, Error>;
    /// How the connection ended, once it has.
    fn closed(&self) -> Option<Closed>;
}

/// Runs futures on one async adapter's runtime.
#[derive(Debug)]
pub enum Exec {
    /// A tokio runtime.
    Tokio(tokio::runtime::Runtime),
    /// async-std's global executor.
    AsyncStd,
    /// smol's global executor.
    Smol,
    /// A compio runtime (io_uring).
    Compio(compio::runtime::Runtime),
}

impl Exec {
    /// Runs `f` to completion on this thread.
    pub fn run<F: Future>(&self, f: F) -> F::Output {
        match self {
            Exec::Tokio(rt) => rt.block_on(f),
            Exec::AsyncStd => async_std::task::block_on(f),
            Exec::Smol => smol::block_on(f),
            Exec::Compio(rt) => rt.block_on(f),
        }
    }

    /// Runs `f` as a task of its own.
    pub fn spawn(&self, f: impl Future<Output = ()> + Send + 'static) {
        match self {
            Exec::Tokio(rt) => drop(rt.spawn(f)),
            Exec::AsyncStd => drop(async_std::task::spawn(f)),
            Exec::Smol => smol::spawn(f).detach(),
            Exec::Compio(rt) => rt.spawn(f).detach(),
        }
    }
}

struct AsyncSession<S: Transport<R>, R: Runtime> {
    /// `None` only while it is dropped.
    ws: Option<WebSocketStream<S, R>>,
    exec: Exec,
}

impl<S: Transport<R>, R: Runtime> AsyncSession<S, R> {
    fn new(ws: WebSocketStream<S, R>, exec: Exec) -> Self {
        AsyncSession { ws: Some(ws), exec }
    }

    fn ws(&self) -> &WebSocketStream<S, R> {
        self.ws.as_ref().expect("present until dropped")
    }

    /// Runs `call` on the stream, on the session's runtime.
    fn run<'a, F: Future>(
        &'a mut self,
        call: impl FnOnce(&'a mut WebSocketStream<S, R>) -> F,
    ) -> F::Output {
        let ws = self.ws.as_mut().expect("present until dropped");
        self.exec.run(call(ws))
    }
}

/// A compio stream is dropped on its runtime, as an application's would be: a write it left
/// in flight is finished there (see `sansock_compio::TcpStream`), the next time the runtime
/// runs.
impl<S: Transport<R>, R: Runtime> Drop for AsyncSession<S, R> {
    fn drop(&mut self) {
        if let Exec::Compio(runtime) = &self.exec {
            let ws = self.ws.take();
            runtime.block_on(async move { drop(ws) });
        }
    }
}

impl<S: Transport<R>, R: Runtime> Session for AsyncSession<S, R> {
    fn protocol(&self) -> Option<String> {
        self.ws().protocol().map(String::from)
    }
    fn extensions(&self) -> Option<String> {
        self.ws().extensions().map(String::from)
    }
    fn send(&mut self, message: Message) -> Result<(), Error> {
        self.run(|ws| ws.send(message))
    }
    fn send_uncompressed(&mut self, message: Message) -> Result<(), Error> {
        self.run(|ws| ws.send_uncompressed(message))
    }
    fn ping(&mut self, payload: &[u8]) -> Result<(), Error> {
        self.run(|ws| ws.ping(payload))
    }
    fn next_event(&mut self) -> Option<Result<Event, Error>> {
        self.run(|ws| ws.recv_event())
    }
    fn close(&mut self, code: CloseCode, reason: &str) -> Result<Closed, Error> {
        self.run(|ws| ws.close(Some(code), reason))
    }
    fn closed(&self) -> Option<Closed> {
        self.ws().closed().cloned()
    }
}

std::thread_local! {
    /// The compio runtime of this thread's compio clients: one for all, as an application has,
    /// so what a dropped connection left to it runs on.
    static COMPIO: compio::runtime::Runtime =
        compio::runtime::Runtime::new().expect("a compio runtime");
}

impl<S: sansock_blocking::BlockingStream + Unpin> Session for sansock_blocking::WebSocket<S> {
    fn protocol(&self) -> Option<String> {
        sansock_blocking::WebSocket::protocol(self).map(String::from)
    }
    fn extensions(&self) -> Option<String> {
        sansock_blocking::WebSocket::extensions(self).map(String::from)
    }
    fn send(&mut self, message: Message) -> Result<(), Error> {
        sansock_blocking::WebSocket::send(self, message)
    }
    fn send_uncompressed(&mut self, message: Message) -> Result<(), Error> {
        sansock_blocking::WebSocket::send_uncompressed(self, message)
    }
    fn ping(&mut self, payload: &[u8]) -> Result<(), Error> {
        sansock_blocking::WebSocket::ping(self, payload)
    }
    fn next_event(&mut self) -> Option<Result<Event, Error>> {
        self.recv_event().transpose()
    }
    fn close(&mut self, code: CloseCode, reason: &str) -> Result<Closed, Error> {
        sansock_blocking::WebSocket::close(self, Some(code), reason)
    }
    fn closed(&self) -> Option<Closed> {
        sansock_blocking::WebSocket::closed(self).cloned()
    }
}

/// How a client connects.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options<'a> {
    /// Subprotocols to offer.
    pub protocols: &'a [&'a str],
    /// Split outgoing messages into frames of [`FRAGMENT`] bytes.
    pub fragment: bool,
    /// Offer permessage-deflate (default parameters).
    pub deflate: bool,
    /// With `deflate`, ask for no context takeover both ways.
    pub no_context_takeover: bool,
    /// Connect through this proxy URL (`None`: as the environment says, the default).
    pub proxy: Option<&'a str>,
    /// TLS with this configuration (for `wss://`, and for an `https://` proxy) instead of the
    /// adapter's default (`TlsConfig::from_features`).
    pub tls: Option<&'a std::sync::Arc<rustls::ClientConfig>>,
}

/// Connects `adapter`'s client to `url` as `options` say.
///
/// # Errors
/// As the adapter's `connect_with`.
///
/// # Panics
/// If a tokio or compio runtime cannot be built.
pub fn connect(
    adapter: Adapter,
    url: &str,
    options: Options<'_>,
) -> Result<Box<dyn Session>, HandshakeError> {
    let mut target = WsUrl::parse(url)?;
    for p in options.protocols {
        target = target.with_protocol(*p);
    }
    let mut settings = ClientSettings::new()
        .fragment_size(options.fragment.then_some(FRAGMENT))
        .close_timeout(crate::CLOSE_TIMEOUT);
    if options.deflate {
        let deflate =
            PerMessageDeflate::default().with_no_context_takeover(options.no_context_takeover);
        settings = settings.deflate(deflate);
    }
    if let Some(proxy) = options.proxy {
        target = target.with_proxy(Proxy::parse(proxy)?);
    }
    let tls = options.tls.cloned();
    Ok(match adapter {
        Adapter::Tokio => {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a tokio runtime");
            let (ws, _) = rt.block_on(async {
                match tls {
                    Some(tls) => sansock_tokio::connect_with_tls(target, settings, tls).await,
                    None => sansock_tokio::connect_with(target, settings).await,
                }
            })?;
            Box::new(AsyncSession::new(ws, Exec::Tokio(rt)))
        }
        Adapter::AsyncStd => {
            let exec = Exec::AsyncStd;
            let (ws, _) = exec.run(async {
                match tls {
                    Some(tls) => {
                        sansock_futures::async_std::Connector::connect_with_tls(
                            target, settings, tls,
                        )
                        .await
                    }
                    None => {
                        sansock_futures::async_std::Connector::connect_with(target, settings).await
                    }
                }
            })?;
            Box::new(AsyncSession::new(ws, exec))
        }
        Adapter::Smol => {
            let exec = Exec::Smol;
            let (ws, _) = exec.run(async {
                match tls {
                    Some(tls) => {
                        sansock_futures::smol::Connector::connect_with_tls(target, settings, tls)
                            .await
                    }
                    None => sansock_futures::smol::Connector::connect_with(target, settings).await,
                }
            })?;
            Box::new(AsyncSession::new(ws, exec))
        }
        Adapter::Compio => {
            let exec = Exec::Compio(COMPIO.with(Clone::clone));
            let (ws, _) = exec.run(async {
                match tls {
                    Some(tls) => sansock_compio::connect_with_tls(target, settings, tls).await,
                    None => sansock_compio::connect_with(target, settings).await,
                }
            })?;
            Box::new(AsyncSession::new(ws, exec))
        }
        Adapter::Blocking => Box::new(
            match tls {
                Some(tls) => sansock_blocking::connect_with_tls(target, settings, tls),
                None => sansock_blocking::connect_with(target, settings),
            }?
            .0,
        ),
    })
}
