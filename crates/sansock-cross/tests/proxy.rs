//! Every client adapter through real proxy servers, started by the test and stopped by their
//! process id, to `ws://` and `wss://` servers: tinyproxy and squid for HTTP `CONNECT` (with and
//! without Basic credentials, wrong credentials, targets their rules refuse, an unreachable
//! target), stunnel in front of tinyproxy as an `https://` proxy (TLS to the server inside TLS
//! to the proxy), microsocks and dante for SOCKS5 (the name resolved by the proxy or by the
//! client, credentials, rules) and SOCKS4; a proxy that closes mid-handshake; the environment's
//! proxy and `no_proxy` in a child process. `scripts/proxy-setup.sh` installs the proxies first
//! (idempotent).
#![allow(clippy::panic, clippy::unwrap_used)]

use sansock_core::proxy::ProxyError;
use sansock_core::{CloseCode, Event, Message};
use sansock_cross::{Adapter, Options, connect, serve, setup};
use sansock_driver::HandshakeError;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A proxy server process, killed by its process id when dropped.
struct ProxyServer {
    child: Child,
    port: u16,
}

impl Drop for ProxyServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl ProxyServer {
    /// Waits until the proxy takes connections.
    fn ready(self) -> Self {
        let by = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < by, "the proxy never listened");
            std::thread::sleep(Duration::from_millis(20));
        }
        self
    }
}

/// tinyproxy on a free port; `auth` turns on Basic credentials, `only_port` allows CONNECT to
/// that port alone.
fn tinyproxy(auth: Option<(&str, &str)>, only_port: Option<u16>) -> ProxyServer {
    setup("proxy-setup.sh");
    let port = free_port();
    let dir = std::env::temp_dir().join(format!("sansock-tinyproxy-{port}"));
    std::fs::create_dir_all(&dir).unwrap();
    let mut conf = format!(
        "Port {port}\nListen 127.0.0.1\nTimeout 30\nMaxClients 100\nAllow 127.0.0.1\nLogLevel Warning\n"
    );
    if let Some((user, pass)) = auth {
        conf += &format!("BasicAuth {user} {pass}\n");
    }
    if let Some(p) = only_port {
        conf += &format!("ConnectPort {p}\n");
    }
    let path = dir.join("tinyproxy.conf");
    std::fs::write(&path, conf).unwrap();
    let child = Command::new("tinyproxy")
        .arg("-d")
        .arg("-c")
        .arg(&path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    ProxyServer { child, port }.ready()
}

/// microsocks on a free port; `auth` turns on RFC 1929 credentials.
fn microsocks(auth: Option<(&str, &str)>) -> ProxyServer {
    setup("proxy-setup.sh");
    let port = free_port();
    let mut cmd = Command::new("microsocks");
    cmd.args(["-i", "127.0.0.1", "-p", &port.to_string()]);
    if let Some((user, pass)) = auth {
        cmd.args(["-u", user, "-P", pass]);
    }
    let child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    ProxyServer { child, port }.ready()
}

/// A certificate for `localhost` and 127.0.0.1 made for the test: the server's TLS acceptor, a
/// client configuration that trusts it, and the certificate and key as PEM (for stunnel).
struct TestTls {
    acceptor: tokio_rustls::TlsAcceptor,
    client: Arc<rustls::ClientConfig>,
    cert_pem: String,
    key_pem: String,
}

fn test_tls() -> TestTls {
    let cert =
        rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    let cert_der = cert.cert.der().clone();
    let key_der =
        rustls::pki_types::PrivateKeyDer::try_from(cert.signing_key.serialize_der()).unwrap();
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let server = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert_der.clone()], key_der)
        .unwrap();
    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert_der).unwrap();
    let client = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    TestTls {
        acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(server)),
        client: Arc::new(client),
        cert_pem: cert.cert.pem(),
        key_pem: cert.signing_key.serialize_pem(),
    }
}

/// A `wss://` echo server (tokio, the plain loop) with `tls`'s certificate; gives its URL.
fn serve_wss(tls: &TestTls) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "wss://localhost:{}/echo",
        listener.local_addr().unwrap().port()
    );
    let acceptor = tls.acceptor.clone();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            listener.set_nonblocking(true).unwrap();
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            while let Ok((tcp, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let Ok(mut ws) = sansock_tokio::accept(tls).await else {
                        return;
                    };
                    while let Some(Ok(m)) = ws.recv().await {
                        if ws.send(m).await.is_err() {
                            break;
                        }
                    }
                });
            }
        });
    });
    url
}

/// stunnel on a free port, taking TLS with `tls`'s certificate and passing the bytes to
/// `backend` (a proxy): an `https://` proxy made of two real servers.
fn stunnel(tls: &TestTls, backend: u16) -> ProxyServer {
    setup("proxy-setup.sh");
    let port = free_port();
    let dir = std::env::temp_dir().join(format!("sansock-stunnel-{port}"));
    std::fs::create_dir_all(&dir).unwrap();
    let cert = dir.join("cert.pem");
    let key = dir.join("key.pem");
    std::fs::write(&cert, &tls.cert_pem).unwrap();
    std::fs::write(&key, &tls.key_pem).unwrap();
    let conf = format!(
        "foreground = yes\npid =\ndebug = 3\n[proxy]\naccept = 127.0.0.1:{port}\n\
         connect = 127.0.0.1:{backend}\ncert = {}\nkey = {}\n",
        cert.display(),
        key.display()
    );
    let path = dir.join("stunnel.conf");
    std::fs::write(&path, conf).unwrap();
    let child = Command::new("stunnel")
        .arg(&path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    ProxyServer { child, port }.ready()
}

/// A program from Debian's packages, which may live in /usr/sbin (not on every PATH).
fn sbin(name: &str) -> Command {
    let path = Path::new("/usr/sbin").join(name);
    Command::new(if path.exists() {
        path
    } else {
        PathBuf::from(name)
    })
}

/// squid on a free port; `auth` turns on Basic credentials (a password file made with
/// `openssl passwd`); CONNECT to port 1 is denied.
fn squid(auth: Option<(&str, &str)>) -> ProxyServer {
    setup("proxy-setup.sh");
    let port = free_port();
    let dir = std::env::temp_dir().join(format!("sansock-squid-{port}"));
    std::fs::create_dir_all(&dir).unwrap();
    let mut conf = format!(
        "http_port 127.0.0.1:{port}\nacl blocked port 1\nhttp_access deny CONNECT blocked\n\
         cache deny all\naccess_log none\ncache_log /dev/null\npid_filename none\n\
         coredump_dir {dir}\nshutdown_lifetime 0 seconds\n",
        dir = dir.display()
    );
    if let Some((user, pass)) = auth {
        let hash = Command::new("openssl")
            .args(["passwd", "-1", pass])
            .output()
            .unwrap();
        let passwd = dir.join("passwd");
        let line = format!("{user}:{}", String::from_utf8(hash.stdout).unwrap().trim());
        std::fs::write(&passwd, line + "\n").unwrap();
        conf += &format!(
            "auth_param basic program /usr/lib/squid/basic_ncsa_auth {}\n\
             auth_param basic realm sansock\nacl authed proxy_auth REQUIRED\n\
             http_access deny !authed\n",
            passwd.display()
        );
    }
    conf += "http_access allow all\n";
    let path = dir.join("squid.conf");
    std::fs::write(&path, conf).unwrap();
    let child = sbin("squid")
        .arg("-N")
        .arg("-f")
        .arg(&path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    ProxyServer { child, port }.ready()
}

/// dante on a free port, SOCKS4, SOCKS4a and SOCKS5 without authentication; CONNECT to port 1
/// is blocked by a rule.
fn dante() -> ProxyServer {
    setup("proxy-setup.sh");
    let port = free_port();
    let dir = std::env::temp_dir().join(format!("sansock-dante-{port}"));
    std::fs::create_dir_all(&dir).unwrap();
    let conf = format!(
        "logoutput: stderr\ninternal: 127.0.0.1 port = {port}\nexternal: 127.0.0.1\n\
         clientmethod: none\nsocksmethod: none\nuser.unprivileged: nobody\n\
         client pass {{ from: 127.0.0.1/32 to: 0.0.0.0/0 }}\n\
         socks block {{ from: 0.0.0.0/0 to: 0.0.0.0/0 port = 1 }}\n\
         socks pass {{ from: 127.0.0.1/32 to: 0.0.0.0/0 command: connect }}\n"
    );
    let path = dir.join("danted.conf");
    std::fs::write(&path, conf).unwrap();
    let child = sbin("danted")
        .arg("-f")
        .arg(&path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    ProxyServer { child, port }.ready()
}

/// Connects `adapter` to `url` through `proxy`, echoes a text and a binary message and closes;
/// the error is the connect's (the echo on an open connection must work).
fn echo_through(adapter: Adapter, url: &str, proxy: &str) -> Result<(), HandshakeError> {
    echo_with(adapter, url, proxy, None)
}

/// As [`echo_through`], trusting `tls`'s certificate (for `wss://` and `https://` proxies).
fn echo_with(
    adapter: Adapter,
    url: &str,
    proxy: &str,
    tls: Option<&Arc<rustls::ClientConfig>>,
) -> Result<(), HandshakeError> {
    let options = Options {
        proxy: Some(proxy),
        tls,
        ..Options::default()
    };
    let mut ws = connect(adapter, url, options)?;
    for message in [
        Message::text("through the proxy"),
        Message::binary(vec![7u8; 70_000]),
    ] {
        ws.send(message.clone()).expect("an open connection sends");
        match ws.next_event() {
            Some(Ok(Event::Message(m))) => assert_eq!(m, message, "{adapter:?} via {proxy}"),
            other => panic!("{adapter:?} via {proxy}: {other:?}"),
        }
    }
    let closed = ws.close(CloseCode::NORMAL, "bye").expect("a clean close");
    assert!(closed.was_clean());
    Ok(())
}

#[test]
fn every_adapter_through_an_http_connect_proxy_with_and_without_credentials() {
    let open = tinyproxy(None, None);
    let guarded = tinyproxy(Some(("alice", "s3cret")), None);
    for adapter in Adapter::ALL {
        let url = format!("{}/echo", serve(adapter));
        echo_through(adapter, &url, &format!("http://127.0.0.1:{}", open.port)).unwrap();
        let with = format!("http://alice:s3cret@127.0.0.1:{}", guarded.port);
        echo_through(adapter, &url, &with).unwrap();
    }
}

#[test]
fn an_http_proxy_that_wants_credentials_or_refuses_the_target_is_a_typed_error() {
    let guarded = tinyproxy(Some(("alice", "s3cret")), None);
    let url = format!("{}/echo", serve(Adapter::Tokio));
    for (adapter, proxy) in [
        (Adapter::Tokio, format!("http://127.0.0.1:{}", guarded.port)),
        (
            Adapter::Blocking,
            format!("http://alice:wrong@127.0.0.1:{}", guarded.port),
        ),
    ] {
        let started = Instant::now();
        match echo_through(adapter, &url, &proxy) {
            Err(HandshakeError::Proxy(e)) => {
                // tinyproxy answers a CONNECT without good credentials with 401, not 407.
                assert!(matches!(e.status(), Some(401 | 407)), "{e}");
                assert!(e.is_auth_required());
            }
            other => panic!("{adapter:?}: {other:?}"),
        }
        assert!(started.elapsed() < Duration::from_secs(5), "no hang");
    }
    // Only port 1 may be tunnelled to: the echo server's port is refused.
    let strict = tinyproxy(None, Some(1));
    match echo_through(
        Adapter::Smol,
        &url,
        &format!("http://127.0.0.1:{}", strict.port),
    ) {
        Err(HandshakeError::Proxy(ProxyError::Refused { status, .. })) => assert_eq!(status, 403),
        other => panic!("{other:?}"),
    }
}

#[test]
fn every_adapter_through_a_socks5_proxy() {
    let open = microsocks(None);
    let guarded = microsocks(Some(("bob", "hunter2")));
    for adapter in Adapter::ALL {
        let base = serve(adapter);
        // A name for the proxy to resolve (socks5h), and one the client resolves (socks5).
        let by_name = base.replace("127.0.0.1", "localhost") + "/echo";
        echo_through(
            adapter,
            &by_name,
            &format!("socks5h://127.0.0.1:{}", open.port),
        )
        .unwrap();
        echo_through(
            adapter,
            &by_name,
            &format!("socks5://127.0.0.1:{}", open.port),
        )
        .unwrap();
        let with = format!("socks5h://bob:hunter2@127.0.0.1:{}", guarded.port);
        echo_through(adapter, &format!("{base}/echo"), &with).unwrap();
    }
}

#[test]
fn a_socks5_proxy_turning_credentials_down_or_failing_to_reach_the_target_is_a_typed_error() {
    let guarded = microsocks(Some(("bob", "hunter2")));
    let url = format!("{}/echo", serve(Adapter::Tokio));
    let wrong = format!("socks5h://bob:nope@127.0.0.1:{}", guarded.port);
    match echo_through(Adapter::AsyncStd, &url, &wrong) {
        Err(HandshakeError::Proxy(e)) => assert!(e.is_auth_required(), "{e}"),
        other => panic!("{other:?}"),
    }
    let none = format!("socks5h://127.0.0.1:{}", guarded.port);
    match echo_through(Adapter::Tokio, &url, &none) {
        Err(HandshakeError::Proxy(ProxyError::Socks5NoAcceptableMethod)) => {}
        other => panic!("{other:?}"),
    }
    // Nothing listens on the target port: the proxy says so.
    let open = microsocks(None);
    let dead = format!("ws://127.0.0.1:{}/", free_port());
    match echo_through(
        Adapter::Blocking,
        &dead,
        &format!("socks5://127.0.0.1:{}", open.port),
    ) {
        Err(HandshakeError::Proxy(ProxyError::Socks5Refused(reply))) => assert_ne!(reply, 0),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_proxy_that_closes_mid_handshake_is_an_error_not_a_hang() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            // Read the request line, answer half a status line, close.
            let mut reader = BufReader::new(&stream);
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            let _ = std::io::Write::write_all(&mut &stream, b"HTTP/1.1 200 Conn");
        }
    });
    for adapter in Adapter::ALL {
        let started = Instant::now();
        match echo_through(
            adapter,
            "ws://example.invalid/",
            &format!("http://127.0.0.1:{port}"),
        ) {
            Err(HandshakeError::Proxy(ProxyError::Closed)) => {}
            other => panic!("{adapter:?}: {other:?}"),
        }
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}

/// The child half of [`every_adapter_follows_the_environment_and_no_proxy`]: run in a process
/// of its own with the proxy variables set (the environment is the process's). Outside such a
/// process it has nothing to check.
#[test]
fn child_connects_as_the_environment_says() {
    let (Ok(url), Ok(expect)) = (
        std::env::var("SANSOCK_URL"),
        std::env::var("SANSOCK_EXPECT"),
    ) else {
        return;
    };
    for adapter in Adapter::ALL {
        // Default options: the proxy comes from the environment.
        let result = connect(adapter, &url, Options::default()).map(|_| ());
        match (expect.as_str(), result) {
            ("proxied", Err(HandshakeError::Proxy(e))) => assert_eq!(e.status(), Some(403), "{e}"),
            ("direct", Ok(())) => {}
            (expect, other) => panic!("{adapter:?}: expected {expect}, got {other:?}"),
        }
    }
}

#[test]
fn every_adapter_follows_the_environment_and_no_proxy() {
    // A proxy that refuses every target but port 1: a 403 shows the connection went through it.
    let strict = tinyproxy(None, Some(1));
    let url = format!("{}/echo", serve(Adapter::Tokio));
    let proxy = format!("http://127.0.0.1:{}", strict.port);
    let run = |vars: &[(&str, &str)], expect: &str| {
        let mut child = Command::new(std::env::current_exe().unwrap());
        child
            .args([
                "--exact",
                "child_connects_as_the_environment_says",
                "--nocapture",
            ])
            .env("SANSOCK_URL", &url)
            .env("SANSOCK_EXPECT", expect);
        for name in [
            "ws_proxy",
            "http_proxy",
            "all_proxy",
            "no_proxy",
            "WS_PROXY",
            "HTTP_PROXY",
        ] {
            child.env_remove(name);
        }
        for (name, value) in vars {
            child.env(name, value);
        }
        let out = child.output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{vars:?}, expected {expect}:\n{text}");
        assert!(text.contains("1 passed"), "{text}");
    };
    run(&[("http_proxy", &proxy)], "proxied");
    run(
        &[("ws_proxy", &proxy), ("http_proxy", "http://127.0.0.1:9")],
        "proxied",
    );
    run(&[("ALL_PROXY", &proxy)], "proxied");
    run(
        &[("http_proxy", &proxy), ("no_proxy", "localhost,127.0.0.1")],
        "direct",
    );
    run(&[("HTTP_PROXY", &proxy), ("NO_PROXY", "*")], "direct");
    run(&[], "direct");
}

#[test]
fn every_adapter_reaches_a_wss_server_through_http_connect_and_socks5() {
    let tls = test_tls();
    let url = serve_wss(&tls);
    let http = tinyproxy(Some(("alice", "s3cret")), None);
    let socks = microsocks(Some(("bob", "hunter2")));
    for adapter in Adapter::ALL {
        let via_http = format!("http://alice:s3cret@127.0.0.1:{}", http.port);
        echo_with(adapter, &url, &via_http, Some(&tls.client)).unwrap();
        let via_socks = format!("socks5h://bob:hunter2@127.0.0.1:{}", socks.port);
        echo_with(adapter, &url, &via_socks, Some(&tls.client)).unwrap();
        let via_socks_local = format!("socks5://bob:hunter2@127.0.0.1:{}", socks.port);
        echo_with(adapter, &url, &via_socks_local, Some(&tls.client)).unwrap();
    }
}

#[test]
fn every_adapter_through_an_https_proxy_to_ws_and_wss() {
    // TLS to the proxy (stunnel in front of tinyproxy), and for wss:// TLS to the server inside.
    let tls = test_tls();
    let wss = serve_wss(&tls);
    let backend = tinyproxy(None, None);
    let front = stunnel(&tls, backend.port);
    for adapter in Adapter::ALL {
        let ws = format!("{}/echo", serve(adapter));
        for proxy in [
            format!("https://localhost:{}", front.port),
            format!("https://127.0.0.1:{}", front.port),
        ] {
            echo_with(adapter, &ws, &proxy, Some(&tls.client)).unwrap();
            echo_with(adapter, &wss, &proxy, Some(&tls.client)).unwrap();
        }
    }
    // A proxy whose certificate the client does not trust: a TLS error, before any CONNECT.
    let ws = format!("{}/echo", serve(Adapter::Tokio));
    match echo_with(
        Adapter::Tokio,
        &ws,
        &format!("https://localhost:{}", front.port),
        None,
    ) {
        Err(HandshakeError::Tls(_)) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn squid_with_credentials_to_ws_and_wss_and_its_refusals() {
    let tls = test_tls();
    let wss = serve_wss(&tls);
    let guarded = squid(Some(("carol", "pa55")));
    let proxy = format!("http://carol:pa55@127.0.0.1:{}", guarded.port);
    for adapter in Adapter::ALL {
        let ws = format!("{}/echo", serve(adapter));
        echo_with(adapter, &ws, &proxy, None).unwrap();
        echo_with(adapter, &wss, &proxy, Some(&tls.client)).unwrap();
    }
    let ws = format!("{}/echo", serve(Adapter::Tokio));
    let wrong = format!("http://carol:nope@127.0.0.1:{}", guarded.port);
    match echo_through(Adapter::Smol, &ws, &wrong) {
        Err(HandshakeError::Proxy(e)) => {
            assert_eq!(e.status(), Some(407), "{e}");
            let ProxyError::Refused { head, .. } = &e else {
                panic!("{e:?}")
            };
            assert!(
                head.header_str("proxy-authenticate")
                    .is_some_and(|v| v.starts_with("Basic"))
            );
        }
        other => panic!("{other:?}"),
    }
    let open = squid(None);
    let via = format!("http://127.0.0.1:{}", open.port);
    // Port 1 is denied by squid's rules; nothing listens on a fresh port: 503, worth a retry.
    match echo_through(Adapter::Blocking, "ws://127.0.0.1:1/", &via) {
        Err(HandshakeError::Proxy(e)) => {
            assert_eq!((e.status(), e.is_transient()), (Some(403), false))
        }
        other => panic!("{other:?}"),
    }
    let dead = format!("ws://127.0.0.1:{}/", free_port());
    match echo_through(Adapter::AsyncStd, &dead, &via) {
        Err(HandshakeError::Proxy(e)) => {
            assert_eq!((e.status(), e.is_transient()), (Some(503), true))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn dante_speaks_socks5_socks4a_and_socks4_and_applies_its_rules() {
    let tls = test_tls();
    let wss = serve_wss(&tls);
    let socks = dante();
    for adapter in Adapter::ALL {
        let ws = serve(adapter).replace("127.0.0.1", "localhost") + "/echo";
        // socks4 sends the address the client resolved; dante 1.4 has no SOCKS4a (a name for
        // the proxy to resolve): that is refused, below.
        for scheme in ["socks5h", "socks5", "socks4"] {
            let proxy = format!("{scheme}://127.0.0.1:{}", socks.port);
            echo_through(adapter, &ws, &proxy).unwrap();
            echo_with(adapter, &wss, &proxy, Some(&tls.client)).unwrap();
        }
    }
    let via5 = format!("socks5://127.0.0.1:{}", socks.port);
    match echo_through(Adapter::Tokio, "ws://127.0.0.1:1/", &via5) {
        Err(HandshakeError::Proxy(ProxyError::Socks5Refused(reply))) => {
            assert_eq!(reply, 0x02, "not allowed by the proxy's rules");
        }
        other => panic!("{other:?}"),
    }
    let via4 = format!("socks4://127.0.0.1:{}", socks.port);
    match echo_through(Adapter::Blocking, "ws://127.0.0.1:1/", &via4) {
        Err(HandshakeError::Proxy(ProxyError::Socks4Refused(0x5B))) => {}
        other => panic!("{other:?}"),
    }
    let via4a = format!("socks4a://127.0.0.1:{}", socks.port);
    let ws = serve(Adapter::Smol).replace("127.0.0.1", "localhost") + "/echo";
    match echo_through(Adapter::Smol, &ws, &via4a) {
        Err(HandshakeError::Proxy(ProxyError::Socks4Refused(0x5B))) => {}
        other => panic!("dante has no SOCKS4a: {other:?}"),
    }
}

#[test]
fn the_handshake_timeout_covers_a_proxy_that_never_answers() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream); // accepted, read by nobody, never answered
        }
    });
    let settings =
        || sansock_driver::ClientSettings::new().handshake_timeout(Duration::from_millis(300));
    let proxy = sansock_client::Proxy::parse(&format!("socks5h://127.0.0.1:{port}")).unwrap();
    let url = || {
        let url = sansock_client::WsUrl::parse("ws://example.invalid/").unwrap();
        url.with_proxy(proxy.clone())
    };
    let started = Instant::now();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let tokio = rt.block_on(sansock_tokio::connect_with(url(), settings()));
    assert!(matches!(tokio, Err(HandshakeError::Timeout)), "{tokio:?}");
    let smol = smol::block_on(sansock_futures::smol::Connector::connect_with(
        url(),
        settings(),
    ));
    assert!(matches!(smol, Err(HandshakeError::Timeout)), "{smol:?}");
    let blocking = sansock_blocking::connect_with(url(), settings());
    assert!(
        matches!(blocking, Err(HandshakeError::Timeout)),
        "{blocking:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(3));
}
