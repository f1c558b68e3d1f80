//! Every client adapter through real proxy servers, started by the test and stopped by their
//! process id: tinyproxy for HTTP `CONNECT` (with and without Basic credentials, wrong
//! credentials, a target its rules refuse) and microsocks for SOCKS5 (the name resolved by the
//! proxy or by the client, with and without credentials, wrong credentials); a proxy that closes
//! mid-handshake. `scripts/proxy-setup.sh` installs the proxies first (idempotent).
#![allow(clippy::panic, clippy::unwrap_used)]

use sansock_core::proxy::ProxyError;
use sansock_core::{CloseCode, Event, Message};
use sansock_cross::{Adapter, Options, connect, serve};
use sansock_driver::Error;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Once;
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn setup() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let status = Command::new(root().join("scripts/proxy-setup.sh"))
            .status()
            .unwrap();
        assert!(status.success(), "scripts/proxy-setup.sh failed");
    });
}

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
    setup();
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
    setup();
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

/// Connects `adapter` to `url` through `proxy`, echoes a text and a binary message and closes.
fn echo_through(adapter: Adapter, url: &str, proxy: &str) -> Result<(), Error> {
    let options = Options {
        proxy: Some(proxy),
        ..Options::default()
    };
    let mut ws = connect(adapter, url, options)?;
    for message in [
        Message::text("through the proxy"),
        Message::binary(vec![7u8; 70_000]),
    ] {
        ws.send(message.clone())?;
        match ws.next_event() {
            Some(Ok(Event::Message(m))) => assert_eq!(m, message, "{adapter:?} via {proxy}"),
            other => panic!("{adapter:?} via {proxy}: {other:?}"),
        }
    }
    let closed = ws.close(CloseCode::NORMAL, "bye")?;
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
            Err(Error::Proxy(e)) => {
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
        Err(Error::Proxy(ProxyError::Refused { status, .. })) => assert_eq!(status, 403),
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
        Err(Error::Proxy(e)) => assert!(e.is_auth_required(), "{e}"),
        other => panic!("{other:?}"),
    }
    let none = format!("socks5h://127.0.0.1:{}", guarded.port);
    match echo_through(Adapter::Tokio, &url, &none) {
        Err(Error::Proxy(ProxyError::Socks5NoAcceptableMethod)) => {}
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
        Err(Error::Proxy(ProxyError::Socks5Refused(reply))) => assert_ne!(reply.code(), 0),
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
            Err(Error::Proxy(ProxyError::Closed)) => {}
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
            ("proxied", Err(Error::Proxy(e))) => assert_eq!(e.status(), Some(403), "{e}"),
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
