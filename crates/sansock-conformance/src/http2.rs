//! WebSocket over HTTP/2 for the tester (RFC 8441): a case's connection is an extended CONNECT
//! on an HTTP/2 connection of its own — h2c with prior knowledge for `ws://`, TLS with ALPN h2
//! for `wss://` (any certificate: the tester talks to test servers) — and the stream is bridged
//! to a loopback TCP socket, so every case runs unchanged on the same bytes as over HTTP/1.1:
//! the stream's END_STREAM is the socket's FIN, a reset its abrupt end. [`checks`] are the
//! RFC 8441 handshake's own cases.
//!
//! The HTTP/2 framing is the `h2` crate's (on tokio); the WebSocket bytes are the tester's.

use crate::runner::{Outcome, Verdict};
use bytes::Bytes;
use std::io;
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// How long a handshake step may take.
const STEP: Duration = Duration::from_secs(5);

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("a tokio runtime for the HTTP/2 bridge: {e}"))
    })
}

/// Where the server under test is.
#[derive(Debug, Clone)]
pub struct Target {
    /// `host:port`.
    pub authority: String,
    /// The path (and query) of the WebSocket.
    pub path: String,
    /// TLS (`wss://`), or h2c with prior knowledge (`ws://`).
    pub tls: bool,
}

impl Target {
    /// `ws://host:port/path` (h2c) or `wss://…` (TLS).
    ///
    /// # Errors
    /// Any other scheme.
    pub fn parse(url: &str) -> Result<Target, String> {
        let (tls, rest) = if let Some(rest) = url.strip_prefix("wss://") {
            (true, rest)
        } else if let Some(rest) = url.strip_prefix("ws://") {
            (false, rest)
        } else {
            return Err(format!(
                "{url}: only ws:// (h2c) and wss:// (h2) URLs are tested"
            ));
        };
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        Ok(Target {
            authority: authority.to_string(),
            path: path.to_string(),
            tls,
        })
    }
}

/// An HTTP/2 connection to the target, with the server's SETTINGS known.
struct H2 {
    send: h2::client::SendRequest<Bytes>,
}

async fn connection(target: &Target) -> io::Result<H2> {
    let tcp = tokio::net::TcpStream::connect(&target.authority).await?;
    let _ = tcp.set_nodelay(true);
    let (send, mut connection) = if target.tls {
        let host = target
            .authority
            .rsplit_once(':')
            .map_or(target.authority.as_str(), |(h, _)| h);
        let name =
            rustls::pki_types::ServerName::try_from(host.trim_matches(['[', ']']).to_string())
                .map_err(io::Error::other)?;
        let tls = tokio_rustls::TlsConnector::from(tls_config())
            .connect(name, tcp)
            .await?;
        if tls.get_ref().1.alpn_protocol() != Some(b"h2") {
            return Err(io::Error::other("the server did not choose h2 by ALPN"));
        }
        h2::client::handshake(Box::new(tls) as Box<dyn Io>).await
    } else {
        h2::client::handshake(Box::new(tcp) as Box<dyn Io>).await
    }
    .map_err(io::Error::other)?;
    let ping = connection.ping_pong();
    tokio::spawn(async move {
        let _ = connection.await;
    });
    // The server's SETTINGS precede its answer to a ping.
    match ping {
        Some(mut ping) => {
            ping.ping(h2::Ping::opaque())
                .await
                .map_err(io::Error::other)?;
        }
        None => return Err(io::Error::other("no ping on the HTTP/2 connection")),
    }
    Ok(H2 { send })
}

trait Io: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send> Io for T {}

/// The request of an extended CONNECT for `target`, with `:protocol` if given.
fn connect_request(
    target: &Target,
    protocol: Option<&'static str>,
    headers: &[(&str, &str)],
) -> io::Result<http::Request<()>> {
    let scheme = if target.tls { "https" } else { "http" };
    let mut builder = http::Request::builder()
        .method(http::Method::CONNECT)
        .uri(format!("{scheme}://{}{}", target.authority, target.path))
        .version(http::Version::HTTP_2);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let mut request = builder.body(()).map_err(io::Error::other)?;
    if let Some(protocol) = protocol {
        request
            .extensions_mut()
            .insert(h2::ext::Protocol::from_static(protocol));
    }
    Ok(request)
}

/// Opens a WebSocket over HTTP/2 for one case (offering `offer` as permessage-deflate when
/// given): the tester's end of the bridge and the server's `Sec-WebSocket-Extensions`.
///
/// # Errors
/// When the server is unreachable, does not speak HTTP/2, does not allow the extended CONNECT,
/// or answers other than 2xx.
pub fn connect(target: &Target, offer: Option<&str>) -> io::Result<(TcpStream, Option<String>)> {
    let mut headers = vec![("sec-websocket-version", "13")];
    if let Some(offer) = offer {
        headers.push(("sec-websocket-extensions", offer));
    }
    let request = connect_request(target, Some("websocket"), &headers)?;
    let (ours, theirs) = socket_pair()?;
    ours.set_read_timeout(Some(STEP))?;
    let target = target.clone();
    let answer = runtime().block_on(async move {
        tokio::time::timeout(STEP, async move {
            let h2 = connection(&target).await?;
            if !h2.send.is_extended_connect_protocol_enabled() {
                return Err(io::Error::other(
                    "the server's SETTINGS do not allow the extended CONNECT",
                ));
            }
            let mut send = h2.send.ready().await.map_err(io::Error::other)?;
            let (answer, stream) = send
                .send_request(request, false)
                .map_err(io::Error::other)?;
            let (parts, recv) = answer.await.map_err(io::Error::other)?.into_parts();
            if !parts.status.is_success() {
                return Err(io::Error::other(format!(
                    "the server answered {}",
                    parts.status
                )));
            }
            let extensions = parts
                .headers
                .get("sec-websocket-extensions")
                .and_then(|v| v.to_str().ok())
                .map(String::from);
            theirs.set_nonblocking(true)?;
            let socket = tokio::net::TcpStream::from_std(theirs)?;
            tokio::spawn(bridge(socket, stream, recv, send));
            Ok(extensions)
        })
        .await
        .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "the HTTP/2 handshake timed out"))?
    })?;
    Ok((ours, answer))
}

/// A connected pair of loopback sockets.
fn socket_pair() -> io::Result<(TcpStream, TcpStream)> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let ours = TcpStream::connect(listener.local_addr()?)?;
    let (theirs, _) = listener.accept()?;
    let _ = ours.set_nodelay(true);
    let _ = theirs.set_nodelay(true);
    Ok((ours, theirs))
}

/// Moves bytes between the tester's socket and the stream until both directions end. The
/// stream's window reopens as the bytes reach the socket.
async fn bridge(
    socket: tokio::net::TcpStream,
    mut send: h2::SendStream<Bytes>,
    mut recv: h2::RecvStream,
    _connection: h2::client::SendRequest<Bytes>,
) {
    let (mut from_tester, mut to_tester) = socket.into_split();
    let outgoing = async move {
        let mut buf = vec![0u8; 16 << 10];
        loop {
            let n = match from_tester.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let mut chunk = Bytes::copy_from_slice(&buf[..n]);
            while !chunk.is_empty() {
                send.reserve_capacity(chunk.len());
                let granted = match std::future::poll_fn(|cx| send.poll_capacity(cx)).await {
                    Some(Ok(granted)) => granted,
                    _ => return,
                };
                let part = chunk.split_to(granted.min(chunk.len()));
                if send.send_data(part, false).is_err() {
                    return;
                }
            }
        }
        // The tester's FIN: the stream's END_STREAM.
        let _ = send.send_data(Bytes::new(), true);
    };
    let incoming = async move {
        while let Some(data) = recv.data().await {
            let Ok(data) = data else { return };
            if to_tester.write_all(&data).await.is_err() {
                return;
            }
            let _ = recv.flow_control().release_capacity(data.len());
        }
        // END_STREAM: the tester sees the server's FIN.
        let _ = to_tester.shutdown().await;
    };
    tokio::join!(outgoing, incoming);
}

/// The handshake's own cases over HTTP/2 (RFC 8441), reported beside the others under ids that
/// cannot collide with Autobahn's: the server's SETTINGS allow the extended CONNECT (§3), it
/// refuses a CONNECT without `:protocol` (§4: that is a tunnel request, not a WebSocket), and
/// it accepts a request that sends a `Sec-WebSocket-Key` anyway, answering without
/// `Sec-WebSocket-Accept` (§5).
pub fn checks(target: &Target) -> Vec<Outcome> {
    let target = target.clone();
    runtime().block_on(async move {
        let mut out = Vec::new();
        let started = Instant::now();
        let h2 = match tokio::time::timeout(STEP, connection(&target)).await {
            Ok(Ok(h2)) => h2,
            Ok(Err(e)) => {
                return vec![outcome(
                    "h2.1",
                    false,
                    &format!("no HTTP/2 connection: {e}"),
                    started,
                )];
            }
            Err(_) => {
                return vec![outcome(
                    "h2.1",
                    false,
                    "no HTTP/2 connection in 5 s",
                    started,
                )];
            }
        };
        let enabled = h2.send.is_extended_connect_protocol_enabled();
        out.push(outcome(
            "h2.1",
            enabled,
            if enabled {
                "SETTINGS_ENABLE_CONNECT_PROTOCOL = 1"
            } else {
                "the SETTINGS lack SETTINGS_ENABLE_CONNECT_PROTOCOL"
            },
            started,
        ));
        if !enabled {
            return out;
        }
        let started = Instant::now();
        let plain = answer(&h2, &target, None, &[("sec-websocket-version", "13")]).await;
        let (ok, why) = match plain {
            Ok((status, _)) if (200..300).contains(&status) => {
                (false, format!("answered {status}"))
            }
            Ok((status, _)) => (true, format!("answered {status}")),
            Err(e) => (true, format!("refused the stream: {e}")),
        };
        out.push(outcome("h2.2", ok, &why, started));
        let started = Instant::now();
        let keyed = answer(
            &h2,
            &target,
            Some("websocket"),
            &[
                ("sec-websocket-version", "13"),
                ("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="),
            ],
        )
        .await;
        let (ok, why) = match keyed {
            Ok((status, accept)) if (200..300).contains(&status) && !accept => {
                (true, format!("answered {status}, no Sec-WebSocket-Accept"))
            }
            Ok((status, accept)) => (
                false,
                format!(
                    "answered {status}, Sec-WebSocket-Accept {}",
                    if accept { "sent" } else { "absent" }
                ),
            ),
            Err(e) => (false, format!("refused the stream: {e}")),
        };
        out.push(outcome("h2.3", ok, &why, started));
        out
    })
}

/// The status of the answer to an extended CONNECT, and whether it carried an accept key.
async fn answer(
    h2: &H2,
    target: &Target,
    protocol: Option<&'static str>,
    headers: &[(&str, &str)],
) -> io::Result<(u16, bool)> {
    let request = connect_request(target, protocol, headers)?;
    let work = async {
        let mut send = h2.send.clone().ready().await.map_err(io::Error::other)?;
        let (answer, mut stream) = send
            .send_request(request, false)
            .map_err(io::Error::other)?;
        let response = answer.await.map_err(io::Error::other)?;
        stream.send_reset(h2::Reason::CANCEL);
        Ok((
            response.status().as_u16(),
            response.headers().contains_key("sec-websocket-accept"),
        ))
    };
    tokio::time::timeout(STEP, work)
        .await
        .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "no answer in 5 s"))?
}

fn outcome(id: &str, ok: bool, observed: &str, started: Instant) -> Outcome {
    let (title, expected) = match id {
        "h2.1" => (
            "RFC 8441 §3: the server allows the extended CONNECT",
            "SETTINGS_ENABLE_CONNECT_PROTOCOL = 1 in the server's SETTINGS",
        ),
        "h2.2" => (
            "RFC 8441 §4: a CONNECT without :protocol is not a WebSocket",
            "a refusal (not 2xx) or a reset stream",
        ),
        _ => (
            "RFC 8441 §5: a Sec-WebSocket-Key sent anyway is ignored",
            "200 without Sec-WebSocket-Accept",
        ),
    };
    let verdict = if ok { Verdict::Ok } else { Verdict::Failed };
    Outcome::plain(
        id,
        title,
        verdict,
        expected,
        observed,
        started.elapsed().as_millis(),
    )
}

/// rustls accepting any server certificate (still checking the handshake's signatures): the
/// tester talks to test servers with self-signed certificates.
fn tls_config() -> Arc<rustls::ClientConfig> {
    static CONFIG: OnceLock<Arc<rustls::ClientConfig>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
            let verifier = Arc::new(AnyCertificate(provider.clone()));
            let mut config = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .unwrap_or_else(|e| panic!("rustls: {e}"))
                .dangerous()
                .with_custom_certificate_verifier(verifier)
                .with_no_client_auth();
            config.alpn_protocols = vec![b"h2".to_vec()];
            Arc::new(config)
        })
        .clone()
}

#[derive(Debug)]
struct AnyCertificate(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _: &rustls::pki_types::CertificateDer<'_>,
        _: &[rustls::pki_types::CertificateDer<'_>],
        _: &rustls::pki_types::ServerName<'_>,
        _: &[u8],
        _: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
