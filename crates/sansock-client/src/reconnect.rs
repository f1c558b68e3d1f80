//! [`Reconnecting`] clients: the policy ([`Backoff`]: initial delay, factor, cap, jitter, how
//! many tries), which failures are worth another try ([`is_retryable`],
//! [`is_retryable_close`]), the bookkeeping of one reconnecting client (the attempt number, the
//! last error, the next delay) and the loop. Connecting and sleeping are the
//! [`Connector`]'s.

use crate::{Connector, MaybeTlsStream, TlsConfig, WsUrl, connect};
use core::time::Duration;
use sansock_core::{ClientHandshakeError, CloseCode, Closed, Ending, Entropy, Initiator};
use sansock_driver::{ClientSettings, Error, HandshakeError, Transport};

/// How long to wait between tries: `initial`, then `factor` times longer after each failure,
/// at most `max`, each delay spread by `jitter` (so clients cut off together do not return
/// together), and a stop after `max_attempts` failures in a row (or never).
///
/// ```
/// use sansock_client::Backoff;
/// use std::time::Duration;
/// let backoff = Backoff::new()
///     .initial(Duration::from_millis(100))
///     .factor(2.0)
///     .max(Duration::from_secs(5))
///     .jitter(0.0)
///     .max_attempts(10);
/// assert_eq!(backoff.delay(1, 0.5), Duration::from_millis(100));
/// assert_eq!(backoff.delay(3, 0.5), Duration::from_millis(400));
/// assert_eq!(backoff.delay(20, 0.5), Duration::from_secs(5));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    initial: Duration,
    factor: f64,
    max: Duration,
    jitter: f64,
    max_attempts: Option<u32>,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            initial: Duration::from_secs(1),
            factor: 2.0,
            max: Duration::from_secs(30),
            jitter: 0.5,
            max_attempts: None,
        }
    }
}

impl Backoff {
    /// The defaults: 1 s, doubling, at most 30 s, ±50% jitter, never giving up (as socket.io's
    /// client: 1 s initial, ±50%).
    pub fn new() -> Self {
        Self::default()
    }

    /// The delay before the first retry. Default 1 s.
    #[must_use]
    pub fn initial(mut self, delay: Duration) -> Self {
        self.initial = delay;
        self
    }

    /// How much longer each next delay is. Default 2; below 1 is taken as 1.
    #[must_use]
    pub fn factor(mut self, factor: f64) -> Self {
        self.factor = if factor.is_finite() {
            factor.max(1.0)
        } else {
            1.0
        };
        self
    }

    /// The longest delay. Default 30 s.
    #[must_use]
    pub fn max(mut self, delay: Duration) -> Self {
        self.max = delay;
        self
    }

    /// How far a delay is spread, as a fraction of it: each is drawn from `delay × (1 ±
    /// jitter)`. Default 0.5; clamped to 0..=1.
    #[must_use]
    pub fn jitter(mut self, jitter: f64) -> Self {
        self.jitter = if jitter.is_finite() {
            jitter.clamp(0.0, 1.0)
        } else {
            0.0
        };
        self
    }

    /// Give up after this many failures in a row; `None` (the default): never.
    #[must_use]
    pub fn max_attempts(mut self, attempts: impl Into<Option<u32>>) -> Self {
        self.max_attempts = attempts.into();
        self
    }

    /// The delay before retry number `retry` (1 for the first), for a uniform draw `unit` in
    /// `0.0..1.0` (0.5 is the middle: no spread).
    pub fn delay(&self, retry: u32, unit: f64) -> Duration {
        let exponent = i32::try_from(retry.saturating_sub(1)).unwrap_or(i32::MAX);
        let base = self.initial.as_secs_f64() * self.factor.powi(exponent);
        let spread = 1.0 + self.jitter * (2.0 * unit.clamp(0.0, 1.0) - 1.0);
        let secs = (base * spread).min(self.max.as_secs_f64());
        if secs.is_finite() && secs > 0.0 {
            Duration::from_secs_f64(secs)
        } else {
            Duration::ZERO
        }
    }
}

/// Whether a failure to connect is worth another try: the server or the network may be back
/// (refused, reset, timed out, a DNS failure, a 5xx answer, a proxy that could not reach the
/// server). Not: a 4xx answer (the request is wrong or not allowed), a bad URL, a TLS
/// certificate that does not verify, no TLS or randomness in this build.
pub fn is_retryable(error: &HandshakeError) -> bool {
    use std::io::ErrorKind as K;
    match error {
        HandshakeError::Io(_)
        | HandshakeError::Connect(_)
        | HandshakeError::Dns(_)
        | HandshakeError::Timeout => true,
        // The new connection broke in the connect hook: as a connection that ended would be.
        HandshakeError::Hook(Error::AbnormalClose(closed)) => is_retryable_close(closed),
        HandshakeError::Hook(Error::Io(_)) => true,
        HandshakeError::Response(e) => match e.as_ref() {
            ClientHandshakeError::Rejected { status, .. } => (500..600).contains(status),
            _ => false,
        },
        HandshakeError::Rejected(status) => (500..600).contains(status),
        HandshakeError::Proxy(e) => e.is_transient(),
        // A connection cut during the TLS handshake, not a certificate that failed.
        HandshakeError::Tls(e) => matches!(
            e.kind(),
            K::ConnectionReset | K::ConnectionAborted | K::UnexpectedEof | K::TimedOut
        ),
        _ => false,
    }
}

/// Whether a connection that ended this way should be made again: it ended abnormally (1006:
/// the network, a crash), or the server closed with 1001 (going away), 1011 (internal error),
/// 1012 (service restart) or 1013 (try again later). Not: a close this side began, a normal
/// close (1000), a policy violation (1008) or any other code.
pub fn is_retryable_close(closed: &Closed) -> bool {
    if closed.initiator == Initiator::Local && closed.ending == Ending::Clean {
        return false;
    }
    closed.ending != Ending::Clean
        || matches!(
            closed.code,
            CloseCode::GOING_AWAY
                | CloseCode::ABNORMAL
                | CloseCode::INTERNAL_ERROR
                | CloseCode::SERVICE_RESTART
                | CloseCode::TRY_AGAIN_LATER
        )
}

/// Called before each retry with the attempt that failed (1 for the first), its error and the
/// delay before the next.
type RetryHook = Box<dyn FnMut(u32, &HandshakeError, Duration) + Send>;

/// The bookkeeping of one reconnecting client: failures in a row, the last error, the next
/// delay (with jitter from its own generator, seeded from the OS).
pub(crate) struct Reconnector {
    backoff: Backoff,
    failures: u32,
    last_error: Option<HandshakeError>,
    rng: Option<sansock_core::DefaultRng>,
    on_retry: Option<RetryHook>,
}

impl core::fmt::Debug for Reconnector {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Reconnector")
            .field("backoff", &self.backoff)
            .field("failures", &self.failures)
            .field("last_error", &self.last_error)
            .finish_non_exhaustive()
    }
}

impl Reconnector {
    /// A reconnector with `backoff`.
    pub(crate) fn new(backoff: Backoff) -> Self {
        Reconnector {
            backoff,
            failures: 0,
            last_error: None,
            // Without OS randomness the delays are not spread (the middle of each range).
            rng: sansock_core::DefaultRng::from_os(),
            on_retry: None,
        }
    }

    /// Runs `hook` before each retry (to log it, say).
    pub(crate) fn on_retry(
        &mut self,
        hook: impl FnMut(u32, &HandshakeError, Duration) + Send + 'static,
    ) {
        self.on_retry = Some(Box::new(hook));
    }

    /// Failed attempts in a row so far (0 once connected).
    pub(crate) fn failures(&self) -> u32 {
        self.failures
    }

    /// The error of the last failed attempt (kept once connected, until the next failure).
    pub(crate) fn last_error(&self) -> Option<&HandshakeError> {
        self.last_error.as_ref()
    }

    /// An attempt succeeded.
    pub(crate) fn connected(&mut self) {
        self.failures = 0;
    }

    /// An attempt failed with `error`: the delay before the next, or the error itself when it
    /// is not worth another try or the tries are spent.
    ///
    /// # Errors
    /// `error`, when it is the end.
    pub(crate) fn failed(&mut self, error: HandshakeError) -> Result<Duration, HandshakeError> {
        self.failures = self.failures.saturating_add(1);
        let spent = self
            .backoff
            .max_attempts
            .is_some_and(|n| self.failures >= n);
        if spent || !is_retryable(&error) {
            return Err(error);
        }
        let unit = self.unit();
        let delay = self.backoff.delay(self.failures, unit);
        if let Some(hook) = self.on_retry.as_mut() {
            hook(self.failures, &error, delay);
        }
        self.last_error = Some(error);
        Ok(delay)
    }

    /// A connection ended as `closed` says (`None`: without a word, as a cut): the delay before
    /// connecting again, or `None` when it should not be made again.
    pub(crate) fn ended(&mut self, closed: Option<&Closed>) -> Option<Duration> {
        match closed {
            Some(closed) if !is_retryable_close(closed) => None,
            _ => {
                let unit = self.unit();
                Some(self.backoff.delay(1, unit))
            }
        }
    }

    /// A uniform draw in `0.0..1.0`.
    fn unit(&mut self) -> f64 {
        let Some(rng) = self.rng.as_mut() else {
            return 0.5;
        };
        let mut bytes = [0u8; 4];
        rng.fill_bytes(&mut bytes);
        f64::from(u32::from_le_bytes(bytes)) / (f64::from(u32::MAX) + 1.0)
    }
}

/// The connect hook of a [`Reconnecting`] that has none (the type of its `H` until
/// [`on_connect`](Reconnecting::on_connect) gives one).
pub type NoHook<W> = fn(&mut W) -> core::future::Ready<Result<(), Error>>;

/// A client that reconnects by itself: [`connect`](Self::connect) retries failures worth
/// another try ([`is_retryable`]: refused, reset, timed out, 5xx; not 4xx, a bad URL or a
/// certificate that fails) with the [`Backoff`]'s delays; [`reconnect`](Self::reconnect)
/// connects again after a connection ended in a way worth it ([`is_retryable_close`]: cut, or
/// closed by the server with 1001, 1011, 1012 or 1013). The adapters name it with their
/// [`Connector`]: `sansock_tokio::Reconnecting`, `sansock_futures::smol::Reconnecting`…
/// `H` is the connect hook's type ([`on_connect`](Self::on_connect)).
pub struct Reconnecting<C: Connector, H = NoHook<<C as Connector>::Connection>> {
    connector: C,
    url: WsUrl,
    settings: ClientSettings,
    tls: Option<TlsConfig>,
    reconnector: Reconnector,
    on_connect: Option<H>,
}

impl<C: Connector, H> core::fmt::Debug for Reconnecting<C, H> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Reconnecting")
            .field("url", &self.url)
            .field("reconnector", &self.reconnector)
            .finish_non_exhaustive()
    }
}

impl<C: Connector + Default> Reconnecting<C> {
    /// A client for `url` with `settings`, retrying by `backoff`.
    pub fn new(url: WsUrl, settings: ClientSettings, backoff: Backoff) -> Self {
        Self::with_connector(C::default(), url, settings, backoff)
    }
}

impl<C: Connector> Reconnecting<C> {
    /// A client for `url` that connects with `connector` (one holding state of its own).
    pub fn with_connector(
        connector: C,
        url: WsUrl,
        settings: ClientSettings,
        backoff: Backoff,
    ) -> Self {
        Reconnecting {
            connector,
            url,
            settings,
            tls: None,
            reconnector: Reconnector::new(backoff),
            on_connect: None,
        }
    }
}

impl<C: Connector, H> Reconnecting<C, H> {
    /// TLS with your own configuration (for `wss://` and an `https://` proxy) instead of
    /// [`TlsConfig::from_features`].
    #[must_use]
    pub fn tls(mut self, config: impl Into<TlsConfig>) -> Self {
        self.tls = Some(config.into());
        self
    }

    /// Runs `hook`, an async closure, on each new connection before it is handed out (to
    /// subscribe again, say); its error counts as a failed attempt. It may hold state of its
    /// own (a token, a counter):
    /// `.on_connect(async |ws| ws.send("subscribe prices").await)`.
    #[must_use]
    pub fn on_connect<F>(self, hook: F) -> Reconnecting<C, F>
    where
        F: AsyncFnMut(&mut C::Connection) -> Result<(), Error>,
    {
        Reconnecting {
            connector: self.connector,
            url: self.url,
            settings: self.settings,
            tls: self.tls,
            reconnector: self.reconnector,
            on_connect: Some(hook),
        }
    }

    /// Runs `hook` before each retry with the attempt that failed (1 for the first), its error
    /// and the delay before the next.
    #[must_use]
    pub fn on_retry(
        mut self,
        hook: impl FnMut(u32, &HandshakeError, Duration) + Send + 'static,
    ) -> Self {
        self.reconnector.on_retry(hook);
        self
    }

    /// Failed attempts in a row so far (0 once connected).
    pub fn failures(&self) -> u32 {
        self.reconnector.failures()
    }

    /// The error of the last failed attempt.
    pub fn last_error(&self) -> Option<&HandshakeError> {
        self.reconnector.last_error()
    }

    /// Connects, retrying as the backoff says, and runs the connect hook on the connection.
    ///
    /// # Errors
    /// The error that ended the tries (not worth another, or the last allowed).
    pub async fn connect(&mut self) -> Result<C::Connection, HandshakeError>
    where
        H: AsyncFnMut(&mut C::Connection) -> Result<(), Error>,
        crate::ClientSocket<C>: Transport<C::Runtime>,
        MaybeTlsStream<C>: Transport<C::Runtime>,
    {
        loop {
            let attempt = async {
                let settings = self.settings.clone();
                let tls = self.tls.as_ref();
                let (mut connection, _) =
                    connect(&self.connector, &self.url, settings, tls).await?;
                if let Some(hook) = self.on_connect.as_mut() {
                    hook(&mut connection).await?;
                }
                Ok(connection)
            };
            match attempt.await {
                Ok(connection) => {
                    self.reconnector.connected();
                    return Ok(connection);
                }
                Err(error) => {
                    let delay = self.reconnector.failed(error)?;
                    self.connector.sleep(delay).await;
                }
            }
        }
    }

    /// After `previous` ended: connects again (after the first delay), or `Ok(None)` when its
    /// ending is not one to reconnect after. The future does not hold `previous` (a connection
    /// is `Send` but not `Sync`), so it can be spawned on a multi-threaded runtime.
    ///
    /// # Errors
    /// As [`connect`](Self::connect).
    pub fn reconnect(
        &mut self,
        previous: &C::Connection,
    ) -> impl Future<Output = Result<Option<C::Connection>, HandshakeError>> + '_
    where
        H: AsyncFnMut(&mut C::Connection) -> Result<(), Error>,
        crate::ClientSocket<C>: Transport<C::Runtime>,
        MaybeTlsStream<C>: Transport<C::Runtime>,
    {
        let delay = self.reconnector.ended(C::closed(previous));
        async move {
            let Some(delay) = delay else {
                return Ok(None);
            };
            self.connector.sleep(delay).await;
            self.connect().await.map(Some)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sansock_core::Utf8Bytes;

    fn closed(code: CloseCode, initiator: Initiator, ending: Ending) -> Closed {
        Closed {
            code,
            reason: Utf8Bytes::default(),
            initiator,
            ending,
        }
    }

    #[test]
    fn delays_grow_by_the_factor_up_to_the_cap_and_jitter_spreads_them() {
        let b = Backoff::new()
            .initial(Duration::from_secs(1))
            .max(Duration::from_secs(10))
            .jitter(0.5);
        assert_eq!(b.delay(1, 0.5), Duration::from_secs(1));
        assert_eq!(b.delay(2, 0.5), Duration::from_secs(2));
        assert_eq!(b.delay(4, 0.5), Duration::from_secs(8));
        assert_eq!(b.delay(5, 0.5), Duration::from_secs(10));
        assert_eq!(b.delay(u32::MAX, 0.5), Duration::from_secs(10));
        assert_eq!(b.delay(1, 0.0), Duration::from_millis(500));
        assert!(b.delay(1, 0.999) > Duration::from_millis(1490));
        assert_eq!(
            Backoff::new().factor(0.1).delay(5, 0.5),
            Duration::from_secs(1)
        );
    }

    #[test]
    fn what_is_retried() {
        use std::io::{Error as IoError, ErrorKind};
        assert!(is_retryable(&HandshakeError::Connect(
            ErrorKind::ConnectionRefused.into()
        )));
        assert!(is_retryable(&HandshakeError::Io(
            ErrorKind::ConnectionReset.into()
        )));
        assert!(is_retryable(&HandshakeError::Timeout));
        assert!(is_retryable(&HandshakeError::Rejected(503)));
        assert!(!is_retryable(&HandshakeError::Rejected(404)));
        assert!(!is_retryable(&HandshakeError::Url("x".into())));
        assert!(!is_retryable(&HandshakeError::Tls(IoError::new(
            ErrorKind::InvalidData,
            "bad cert"
        ))));
        assert!(is_retryable(&HandshakeError::Tls(
            ErrorKind::ConnectionReset.into()
        )));
        for code in [1001, 1011, 1012, 1013] {
            let c = closed(CloseCode(code), Initiator::Remote, Ending::Clean);
            assert!(is_retryable_close(&c), "{code}");
        }
        for code in [1000, 1008, 4000] {
            let c = closed(CloseCode(code), Initiator::Remote, Ending::Clean);
            assert!(!is_retryable_close(&c), "{code}");
        }
        let cut = closed(
            CloseCode::ABNORMAL,
            Initiator::Neither,
            Ending::PeerDisconnected,
        );
        assert!(is_retryable_close(&cut));
        assert!(is_retryable(&HandshakeError::Hook(Error::AbnormalClose(
            cut
        ))));
        let ours = closed(CloseCode::GOING_AWAY, Initiator::Local, Ending::Clean);
        assert!(!is_retryable_close(&ours));
    }

    #[test]
    fn the_reconnector_counts_failures_and_stops_when_told() {
        let mut r = Reconnector::new(Backoff::new().jitter(0.0).max_attempts(3));
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = seen.clone();
        r.on_retry(move |n, _, d| log.lock().unwrap().push((n, d)));
        let refused = || HandshakeError::Connect(std::io::ErrorKind::ConnectionRefused.into());
        assert_eq!(r.failed(refused()).unwrap(), Duration::from_secs(1));
        assert_eq!(r.failed(refused()).unwrap(), Duration::from_secs(2));
        assert!(matches!(
            r.failed(refused()),
            Err(HandshakeError::Connect(_))
        ));
        assert_eq!(r.failures(), 3);
        assert!(r.last_error().is_some());
        assert_eq!(
            *seen.lock().unwrap(),
            [(1, Duration::from_secs(1)), (2, Duration::from_secs(2))]
        );
        r.connected();
        assert_eq!(r.failures(), 0);
        assert!(matches!(
            r.failed(HandshakeError::Rejected(401)),
            Err(HandshakeError::Rejected(401))
        ));
        let normal = closed(CloseCode::NORMAL, Initiator::Remote, Ending::Clean);
        assert_eq!(r.ended(Some(&normal)), None);
        assert_eq!(r.ended(None), Some(Duration::from_secs(1)));
    }
}
