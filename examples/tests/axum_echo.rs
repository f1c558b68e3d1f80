//! `axum_echo` — Sansock inside axum — against the conformance tester (every case, compression
//! included: no FAILED, no NON-STRICT, every compression case OK) over HTTP/1.1 and over HTTP/2
//! (h2c and h2 with TLS, with RFC 8441's own checks), a deliberately broken HTTP/2 server caught
//! by it, and against real peers: Node's `ws` and Python's `websockets` as clients, compressed and
//! not (`tests/interop/client.*` with `--echo-only`; `scripts/interop-setup.sh` installs them
//! first).
#![allow(clippy::unwrap_used, clippy::panic)]

use sansock_conformance::runner::Verdict;
use sansock_conformance::{cases, modes, report};
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Starts `app` as the examples serve it (HTTP/1.1 and HTTP/2; HTTPS with a self-signed
/// certificate if `tls`) on a port and a runtime of its own; gives its `host:port`.
fn serve(app: axum::Router, tls: bool) -> String {
    let tls = tls.then(|| sansock_examples::serve::Tls::self_signed().unwrap());
    serve_with(app, tls)
}

fn serve_with(app: axum::Router, tls: Option<sansock_examples::serve::Tls>) -> String {
    on_own_runtime(move |listener| async move {
        let shutdown = sansock_examples::shutdown::Shutdown::new();
        sansock_examples::serve::serve(listener, app, tls, shutdown, std::future::pending())
            .await
            .unwrap();
    })
}

/// Runs `server` on a listener of its own (127.0.0.1, a free port) in a thread with a tokio
/// runtime of its own; gives its `host:port`.
fn on_own_runtime<F, Fut>(server: F) -> String
where
    F: FnOnce(tokio::net::TcpListener) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()>,
{
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            server(tokio::net::TcpListener::from_std(listener).unwrap()).await;
        });
    });
    addr
}

/// Every case over HTTP/2 against `url`: the RFC 8441 checks and every case OK or INFORMATIONAL.
fn strictly_over_http2(url: &str) {
    let outcomes = modes::test_server_http2(url, &cases::all(), &mut |_| {}).unwrap();
    assert_eq!(outcomes.len(), cases::all().len() + 3);
    assert_strict(&outcomes);
}

/// No case FAILED or NON-STRICT, and every compression case OK.
fn assert_strict(outcomes: &[sansock_conformance::runner::Outcome]) {
    let not_ok: Vec<String> = outcomes
        .iter()
        .filter(|o| matches!(o.verdict, Verdict::Failed | Verdict::NonStrict))
        .map(|o| {
            format!(
                "{} {:?} {}: expected {}; observed {}",
                o.id, o.verdict, o.title, o.expected, o.observed
            )
        })
        .collect();
    assert!(
        not_ok.is_empty(),
        "{} cases not OK:\n{}",
        not_ok.len(),
        not_ok.join("\n")
    );
    let compression: Vec<&str> = outcomes
        .iter()
        .filter(|o| {
            (o.id.starts_with("12.") || o.id.starts_with("13.")) && o.verdict != Verdict::Ok
        })
        .map(|o| o.id.as_str())
        .collect();
    assert!(
        compression.is_empty(),
        "compression cases not OK: {compression:?}"
    );
}

#[test]
fn sansock_clients_open_websockets_as_h2_streams_over_tls() {
    use sansock_tokio::{ClientSettings, Message, PerMessageDeflate, WsUrl};
    let tls = sansock_examples::serve::Tls::self_signed().unwrap();
    let mut roots = tokio_rustls::rustls::RootCertStore::empty();
    roots.add(tls.certificate().clone()).unwrap();
    let provider = std::sync::Arc::new(tokio_rustls::rustls::crypto::aws_lc_rs::default_provider());
    let mut config = tokio_rustls::rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let config = std::sync::Arc::new(config);
    let addr = serve_with(sansock_examples::axum_echo::router(), Some(tls));
    let port = addr.rsplit_once(':').unwrap().1;
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async move {
        let url = WsUrl::parse(&format!("wss://localhost:{port}/")).unwrap();
        let settings = ClientSettings::new().deflate(PerMessageDeflate::default());
        let h2 = sansock_hyper::Http2Connection::connect_with_tls(&url, &settings, Some(config))
            .await
            .unwrap();
        for i in 0..3 {
            let request = sansock_core::ClientRequest::new("localhost", format!("/{i}"));
            let (mut ws, response) = h2.websocket(&request, settings.clone()).await.unwrap();
            assert!(ws.get_ref().is_http2());
            assert!(
                response
                    .extensions()
                    .is_some_and(|e| e.starts_with("permessage-deflate"))
            );
            let message = Message::text(format!("over h2 and TLS {i}"));
            ws.send(message.clone()).await.unwrap();
            assert_eq!(ws.recv().await.unwrap().unwrap(), message);
        }
    });
}

#[test]
fn every_conformance_case_passes_strictly_over_h2c() {
    let addr = serve(sansock_examples::axum_echo::router(), false);
    strictly_over_http2(&format!("ws://{addr}/"));
}

#[test]
fn every_conformance_case_passes_strictly_over_h2_with_tls() {
    let addr = serve(sansock_examples::axum_echo::router(), true);
    strictly_over_http2(&format!("wss://{addr}/"));
}

/// A broken server over HTTP/2: it allows the extended CONNECT, answers 200 to any CONNECT
/// (with or without `:protocol`), and echoes the raw bytes of the stream — the client's masked
/// frames come back masked.
async fn raw_echo(mut request: axum::extract::Request) -> axum::response::Response {
    let upgrade = hyper::upgrade::on(&mut request);
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let Ok(upgraded) = upgrade.await else { return };
        let mut io = hyper_util::rt::TokioIo::new(upgraded);
        let mut buf = vec![0u8; 16 << 10];
        while let Ok(n) = io.read(&mut buf).await {
            if n == 0 || io.write_all(&buf[..n]).await.is_err() {
                break;
            }
        }
    });
    axum::response::IntoResponse::into_response(axum::http::StatusCode::OK)
}

#[test]
fn a_broken_server_over_http2_is_caught() {
    let app = axum::Router::new().fallback(raw_echo);
    let addr = serve(app, false);
    let some: Vec<_> = cases::all()
        .into_iter()
        .filter(|c| c.id.starts_with("1.1."))
        .collect();
    let outcomes = modes::test_server_http2(&format!("ws://{addr}/"), &some, &mut |_| {}).unwrap();
    let verdict = |id: &str| outcomes.iter().find(|o| o.id == id).unwrap().verdict;
    assert_eq!(verdict("h2.1"), Verdict::Ok);
    assert_eq!(
        verdict("h2.2"),
        Verdict::Failed,
        "a CONNECT without :protocol was accepted"
    );
    assert!(
        outcomes
            .iter()
            .filter(|o| o.id.starts_with("1.1."))
            .all(|o| o.verdict == Verdict::Failed),
        "{outcomes:#?}"
    );
}

#[test]
fn a_server_whose_settings_lack_the_extended_connect_fails_h2_1() {
    // axum_echo's router on hyper-util's auto builder with its defaults: HTTP/2, but no
    // SETTINGS_ENABLE_CONNECT_PROTOCOL.
    let addr = on_own_runtime(|listener| async move {
        loop {
            let (tcp, _) = listener.accept().await.unwrap();
            let app = sansock_examples::axum_echo::router();
            let service = hyper_util::service::TowerToHyperService::new(app);
            tokio::spawn(async move {
                let builder = hyper_util::server::conn::auto::Builder::new(
                    hyper_util::rt::TokioExecutor::new(),
                );
                let io = hyper_util::rt::TokioIo::new(tcp);
                let _ = builder.serve_connection_with_upgrades(io, service).await;
            });
        }
    });
    let some: Vec<_> = cases::all().into_iter().take(3).collect();
    let outcomes = modes::test_server_http2(&format!("ws://{addr}/"), &some, &mut |_| {}).unwrap();
    assert_eq!(outcomes[0].id, "h2.1");
    assert_eq!(outcomes[0].verdict, Verdict::Failed, "{:?}", outcomes[0]);
    // Nothing could run: every case failed its handshake, with the reason.
    assert!(
        outcomes[1..]
            .iter()
            .all(|o| o.verdict == Verdict::Failed && o.observed.contains("extended CONNECT")),
        "{outcomes:#?}"
    );
}

/// Starts `axum_echo`'s router as `axum::serve` serves it (what most axum programs run) on a
/// port and a runtime of its own; gives its URL.
fn start() -> String {
    let addr = on_own_runtime(|listener| async move {
        let app = sansock_examples::axum_echo::router();
        axum::serve(sansock_examples::nodelay(listener), app)
            .await
            .unwrap();
    });
    format!("ws://{addr}")
}

#[test]
fn every_conformance_case_passes_strictly_on_the_axum_path() {
    let base = start();
    let outcomes = modes::test_server(&format!("{base}/"), &cases::all(), &mut |_| {}).unwrap();
    let dir = root().join("target/conformance");
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(
        dir.join("axum_echo.md"),
        report::markdown("axum_echo", &outcomes),
    );
    assert_eq!(outcomes.len(), cases::all().len());
    assert_strict(&outcomes);
}

/// Runs a peer's client script against the axum echo, in its echo-only mode.
fn peer_client(script: &str) {
    let status = Command::new(root().join("scripts/interop-setup.sh"))
        .status()
        .unwrap();
    assert!(status.success(), "scripts/interop-setup.sh failed");
    let path = root().join("tests/interop").join(script);
    let mut cmd = if script.ends_with(".py") {
        Command::new(root().join("target/interop-venv/bin/python"))
    } else {
        Command::new("node")
    };
    let base = start();
    let out = cmd
        .arg(path)
        .arg(&base)
        .arg("--echo-only")
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{script} against axum_echo:\n{text}");
    // Compressed and not: both deflate checks ran.
    assert!(text.contains("ok permessage-deflate agreed"), "{text}");
    assert!(
        text.contains("ok no permessage-deflate when not offered"),
        "{text}"
    );
}

#[test]
fn node_ws_clients_against_axum_echo() {
    peer_client("client.mjs");
}

#[test]
fn python_websockets_clients_against_axum_echo() {
    peer_client("client.py");
}
