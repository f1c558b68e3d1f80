//! How the example servers serve their axum routers: HTTP/1.1 and HTTP/2 on one port — h2c with
//! prior knowledge on a plain port, h2 or HTTP/1.1 by ALPN under TLS — through
//! `sansock_hyper::server_builder` (the extended CONNECT on, so WebSockets come as HTTP/2
//! streams where the client can), each request told its peer's address (`ConnectInfo`), and a
//! graceful shutdown: on the signal, stop accepting, let the HTTP connections finish, close every
//! WebSocket with 1001 and wait for the closes ([`crate::shutdown`]).
//!
//! TLS ([`Tls`]): a certificate and key from PEM files, or a self-signed certificate for
//! `localhost` and `127.0.0.1` made at start (for trying it out; browsers need to be told to accept
//! it).
//!
//! Behind a reverse proxy ([`FrontArgs`]): with `--proxy-protocol`, every connection must start
//! with HAProxy's PROXY header and its client address is what each request is told; with
//! `--trusted-proxy`, a request from such a proxy names its client in `X-Forwarded-For`
//! ([`client_address`]).

use crate::shutdown::Shutdown;
use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;

/// A server's TLS: its certificate chain and key, ALPN offering h2 and HTTP/1.1.
#[derive(Clone)]
pub struct Tls(TlsAcceptor, rustls::pki_types::CertificateDer<'static>);

impl Tls {
    /// A self-signed certificate for `localhost` and `127.0.0.1`, made now.
    ///
    /// # Errors
    /// When the certificate cannot be made.
    pub fn self_signed() -> std::io::Result<Tls> {
        let names = vec!["localhost".to_string(), "127.0.0.1".to_string()];
        let cert = rcgen::generate_simple_self_signed(names).map_err(std::io::Error::other)?;
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(cert.signing_key.serialize_der().into());
        Tls::from_der(vec![cert.cert.der().clone()], key)
    }

    /// The server's certificate (the first of its chain): what a client that should trust a
    /// self-signed one adds to its roots.
    pub fn certificate(&self) -> &rustls::pki_types::CertificateDer<'static> {
        &self.1
    }

    /// The certificate chain and the private key from PEM files.
    ///
    /// # Errors
    /// When a file cannot be read or holds no certificate or key.
    pub fn from_pem_files(cert: &Path, key: &Path) -> std::io::Result<Tls> {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let chain = CertificateDer::pem_file_iter(cert)
            .and_then(Iterator::collect::<Result<Vec<_>, _>>)
            .map_err(std::io::Error::other)?;
        let key = PrivateKeyDer::from_pem_file(key).map_err(std::io::Error::other)?;
        Tls::from_der(chain, key)
    }

    fn from_der(
        chain: Vec<rustls::pki_types::CertificateDer<'static>>,
        key: rustls::pki_types::PrivateKeyDer<'static>,
    ) -> std::io::Result<Tls> {
        let first = chain
            .first()
            .cloned()
            .ok_or_else(|| std::io::Error::other("no certificate"))?;
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(std::io::Error::other)?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(std::io::Error::other)?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(Tls(TlsAcceptor::from(Arc::new(config)), first))
    }
}

/// Serves `app` on `listener` (under `tls` if given) until `signal`; then stops accepting, lets
/// the HTTP connections finish, closes every WebSocket `shutdown` counts with 1001 and waits for
/// the closes.
///
/// # Errors
/// When the listener fails.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    tls: Option<Tls>,
    shutdown: Shutdown,
    signal: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_behind(listener, app, tls, false, shutdown, signal).await
}

/// How long a connection may take to send its PROXY protocol header.
const PROXY_HEADER_TIMEOUT: Duration = Duration::from_secs(5);

/// As [`serve`]; with `proxy_protocol`, each connection first says whose it is in a PROXY
/// protocol header (HAProxy's `send-proxy-v2`), and a connection without one is refused.
///
/// # Errors
/// When the listener fails.
pub async fn serve_behind(
    listener: TcpListener,
    app: Router,
    tls: Option<Tls>,
    proxy_protocol: bool,
    shutdown: Shutdown,
    signal: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let stop = shutdown.on(signal);
    tokio::pin!(stop);
    loop {
        let (mut tcp, mut peer) = tokio::select! {
            () = &mut stop => break,
            accepted = listener.accept() => accepted?,
        };
        let _ = tcp.set_nodelay(true);
        let (app, tls, shutdown) = (app.clone(), tls.clone(), shutdown.clone());
        tokio::spawn(async move {
            // Counted until it ends (an upgraded connection ends its HTTP part at once).
            let _open = shutdown.open();
            if proxy_protocol {
                match sansock_tokio::read_proxy_header(&mut tcp, PROXY_HEADER_TIMEOUT).await {
                    Ok(client) => peer = client.unwrap_or(peer),
                    Err(e) => return tracing::info!("{peer}: refused: {e}"),
                }
            }
            let app = app.layer(axum::Extension(ConnectInfo(peer)));
            let served = match tls {
                None => connection(TokioIo::new(tcp), app, &shutdown).await,
                Some(Tls(acceptor, _)) => match acceptor.accept(tcp).await {
                    Ok(stream) => connection(TokioIo::new(stream), app, &shutdown).await,
                    Err(e) => return tracing::info!("{peer}: TLS handshake failed: {e}"),
                },
            };
            if let Err(e) = served {
                tracing::debug!("{peer}: {e}");
            }
        });
    }
    // Not accepting any more: new connections are refused at once (a load balancer sends them
    // to another server) instead of waiting in the backlog while the drain runs.
    drop(listener);
    shutdown.finished().await;
    Ok(())
}

/// Serves one connection, HTTP/1.1 or HTTP/2, until it ends; once the shutdown begins, it
/// finishes what is in flight and ends.
async fn connection<I>(
    io: TokioIo<I>,
    app: Router,
    shutdown: &Shutdown,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>>
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let builder = sansock_hyper::server_builder();
    let connection = builder.serve_connection_with_upgrades(io, TowerToHyperService::new(app));
    tokio::pin!(connection);
    let stop = shutdown.begun();
    tokio::select! {
        served = connection.as_mut() => served,
        () = stop => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    }
}

/// The client a request comes from: `peer` (the connection's, or its PROXY header's), unless
/// `peer` is one of the `trusted` proxies and the request says more in `X-Forwarded-For` —
/// then the nearest address in that header that is not a trusted proxy (each proxy appends
/// the address it saw; only the entries our own proxies appended are believed).
///
/// ```
/// # use sansock_examples::serve::client_address;
/// let mut headers = axum::http::HeaderMap::new();
/// headers.insert("x-forwarded-for", "1.1.1.1, 203.0.113.9, 10.0.0.2".parse().unwrap());
/// let proxies = ["10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap()];
/// let from_proxy = "10.0.0.1:4000".parse().unwrap();
/// assert_eq!(client_address(from_proxy, &headers, &proxies).to_string(), "203.0.113.9");
/// // Anyone else's header is not believed.
/// let direct = "198.51.100.1:5000".parse().unwrap();
/// assert_eq!(client_address(direct, &headers, &proxies).to_string(), "198.51.100.1");
/// ```
pub fn client_address(
    peer: SocketAddr,
    headers: &axum::http::HeaderMap,
    trusted: &[IpAddr],
) -> IpAddr {
    let mut client = peer.ip();
    if !trusted.contains(&client) {
        return client;
    }
    let forwarded = headers.get_all("x-forwarded-for").iter();
    let entries: Vec<&str> = forwarded
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .collect();
    for entry in entries.iter().rev() {
        let Ok(ip) = entry.trim().parse::<IpAddr>() else {
            break; // not an address: nothing before it can be believed
        };
        client = ip;
        if !trusted.contains(&ip) {
            break;
        }
    }
    client
}

/// The command-line flags of a server behind a reverse proxy.
#[derive(Debug, Default, Clone, clap::Args)]
pub struct FrontArgs {
    /// Every connection starts with a PROXY protocol header (HAProxy's `send-proxy-v2`) naming
    /// its client; connections without one are refused.
    #[arg(long)]
    pub proxy_protocol: bool,
    /// A reverse proxy (its IP address) whose `X-Forwarded-For` is believed; repeat for more.
    #[arg(long, value_name = "IP")]
    pub trusted_proxy: Vec<IpAddr>,
}

/// The command-line flags of a server's TLS.
#[derive(Debug, Default, clap::Args)]
pub struct TlsArgs {
    /// Serve HTTPS (h2 and HTTP/1.1 by ALPN) with a self-signed certificate for localhost,
    /// unless --cert and --key name one.
    #[arg(long)]
    pub tls: bool,
    /// The certificate chain (PEM) to serve HTTPS with.
    #[arg(long, requires = "key")]
    pub cert: Option<std::path::PathBuf>,
    /// The certificate's private key (PEM).
    #[arg(long, requires = "cert")]
    pub key: Option<std::path::PathBuf>,
}

impl TlsArgs {
    /// The TLS these flags ask for, if any.
    ///
    /// # Errors
    /// When the files cannot be read or the certificate cannot be made.
    pub fn load(&self) -> std::io::Result<Option<Tls>> {
        match (&self.cert, &self.key) {
            (Some(cert), Some(key)) => Tls::from_pem_files(cert, key).map(Some),
            _ if self.tls => Tls::self_signed().map(Some),
            _ => Ok(None),
        }
    }
}

/// The scheme a browser uses for this server's pages.
pub fn scheme(tls: &Option<Tls>) -> &'static str {
    if tls.is_some() { "https" } else { "http" }
}
