//! [`Reconnecting`]: a blocking client that connects again by itself, with exponential backoff
//! and jitter (the policy, the bookkeeping and the loop are `sansock_client::Reconnecting`'s;
//! this runs them on the calling thread, with a plain closure for the connect hook).

use crate::{ClientStream, Connector};
use core::time::Duration;
use sansock_client::{Backoff, NoHook, TlsConfig, WsUrl};
use sansock_driver::{ClientSettings, Error, HandshakeError, wait};

/// A blocking client that reconnects by itself: [`connect`](Self::connect) retries failures
/// worth another try (refused, reset, timed out, 5xx; not 4xx, a bad URL or a certificate that
/// fails) with the [`Backoff`]'s delays, sleeping on this thread; [`reconnect`](Self::reconnect)
/// connects again after a connection ended in a way worth it (cut, or closed by the server with
/// 1001, 1011, 1012 or 1013).
///
/// ```no_run
/// use sansock_blocking::{Backoff, ClientSettings, Reconnecting, WsUrl};
/// let url = WsUrl::parse("ws://127.0.0.1:8080/feed")?;
/// let mut client = Reconnecting::new(url, ClientSettings::new(), Backoff::new())
///     .on_connect(|ws| ws.send("subscribe prices"));
/// let mut ws = client.connect()?;
/// loop {
///     while let Ok(Some(message)) = ws.recv() {
///         println!("{message:?}");
///     }
///     match client.reconnect(&ws)? {
///         Some(next) => ws = next,
///         None => break, // closed for good (1000, 1008, ...)
///     }
/// }
/// # Ok::<(), sansock_blocking::HandshakeError>(())
/// ```
///
/// `H` is the type of its connect hook, made from the closure given to `on_connect`.
#[derive(Debug)]
pub struct Reconnecting<H = NoHook<ClientStream>>(sansock_client::Reconnecting<Connector, H>);

impl Reconnecting {
    /// A client for `url` with `settings`, retrying by `backoff`.
    pub fn new(url: WsUrl, settings: ClientSettings, backoff: Backoff) -> Self {
        Reconnecting(sansock_client::Reconnecting::new(url, settings, backoff))
    }
}

impl<H> Reconnecting<H>
where
    H: AsyncFnMut(&mut ClientStream) -> Result<(), Error>,
{
    /// TLS with your own configuration (for `wss://` and an `https://` proxy), an
    /// `Arc<rustls::ClientConfig>` say.
    #[must_use]
    pub fn tls(self, config: impl Into<TlsConfig>) -> Self {
        Reconnecting(self.0.tls(config))
    }

    /// Runs `hook` on each new connection before it is handed out (to subscribe again, say);
    /// its error counts as a failed attempt.
    #[must_use]
    pub fn on_connect(
        self,
        mut hook: impl FnMut(&mut ClientStream) -> Result<(), Error>,
    ) -> Reconnecting<impl AsyncFnMut(&mut ClientStream) -> Result<(), Error>> {
        let hook = move |ws: &mut ClientStream| core::future::ready(hook(ws));
        Reconnecting(self.0.on_connect(hook))
    }

    /// Runs `hook` before each retry with the attempt that failed (1 for the first), its error
    /// and the delay before the next.
    #[must_use]
    pub fn on_retry(
        self,
        hook: impl FnMut(u32, &HandshakeError, Duration) + Send + 'static,
    ) -> Self {
        Reconnecting(self.0.on_retry(hook))
    }

    /// Failed attempts in a row so far (0 once connected).
    pub fn failures(&self) -> u32 {
        self.0.failures()
    }

    /// The error of the last failed attempt.
    pub fn last_error(&self) -> Option<&HandshakeError> {
        self.0.last_error()
    }

    /// Connects, retrying as the backoff says.
    ///
    /// # Errors
    /// The error that ended the tries (not worth another, or the last allowed).
    pub fn connect(&mut self) -> Result<ClientStream, HandshakeError> {
        wait(self.0.connect())
    }

    /// After `previous` ended: connects again (after the first delay), or `Ok(None)` when its
    /// ending is not one to reconnect after.
    ///
    /// # Errors
    /// As [`connect`](Self::connect).
    pub fn reconnect(
        &mut self,
        previous: &ClientStream,
    ) -> Result<Option<ClientStream>, HandshakeError> {
        wait(self.0.reconnect(previous))
    }
}
