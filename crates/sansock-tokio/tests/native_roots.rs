//! The platform's roots (`native-roots`): a client given no TLS configuration trusts a private
//! CA that `SSL_CERT_FILE` names (the way an operator adds one on Unix), and refuses the same
//! server when the platform's store does not hold it. Each client is a child process running
//! this test (the default configuration is read once per process, from its environment).
#![allow(clippy::unwrap_used, clippy::panic)]

use sansock_tokio::{HandshakeError, Message};
use std::sync::Arc;
use tokio_rustls::rustls;

/// Set in the child: the URL to connect to, and whether the connection must succeed.
const CHILD_URL: &str = "SANSOCK_TEST_NATIVE_ROOTS_URL";
const CHILD_EXPECTS: &str = "SANSOCK_TEST_NATIVE_ROOTS_EXPECTS";
const TEST: &str = "the_platforms_roots_are_what_ssl_cert_file_names";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_platforms_roots_are_what_ssl_cert_file_names() {
    if let Ok(url) = std::env::var(CHILD_URL) {
        return client(&url, std::env::var(CHILD_EXPECTS).unwrap() == "trusted").await;
    }
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let ca_file = std::env::temp_dir().join(format!("sansock-ca-{}.pem", std::process::id()));
    std::fs::write(&ca_file, cert.cert.pem()).unwrap();
    let key = rustls::pki_types::PrivateKeyDer::try_from(cert.signing_key.serialize_der());
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let server_config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert.cert.der().clone()], key.unwrap())
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(server_config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("wss://localhost:{}/", listener.local_addr().unwrap().port());
    tokio::spawn(async move {
        loop {
            let (tcp, _) = listener.accept().await.unwrap();
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut ws = sansock_tokio::accept(tls).await.unwrap();
                while let Some(Ok(m)) = ws.recv().await {
                    ws.send(m).await.unwrap();
                }
            });
        }
    });

    // With the CA in SSL_CERT_FILE, the default configuration trusts the server; with a store
    // that lacks it (an empty file), the handshake is refused.
    let empty = std::env::temp_dir().join(format!("sansock-empty-{}.pem", std::process::id()));
    std::fs::write(&empty, "").unwrap();
    for (file, expects) in [(&ca_file, "trusted"), (&empty, "refused")] {
        let child = tokio::process::Command::new(std::env::current_exe().unwrap())
            .args([TEST, "--exact", "--nocapture"])
            .env(CHILD_URL, &url)
            .env(CHILD_EXPECTS, expects)
            .env("SSL_CERT_FILE", file)
            .env_remove("SSL_CERT_DIR")
            .output();
        let output = tokio::time::timeout(std::time::Duration::from_secs(30), child)
            .await
            .expect("the child client finishes")
            .unwrap();
        assert!(
            output.status.success(),
            "the client expecting {expects} failed:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    std::fs::remove_file(ca_file).unwrap();
    std::fs::remove_file(empty).unwrap();
}

/// The child: `connect` with no TLS configuration of its own.
async fn client(url: &str, trusted: bool) {
    let connected = sansock_tokio::connect(url).await;
    if !trusted {
        // Mozilla's roots (on with all features) do not hold the test's CA either.
        let Err(HandshakeError::Tls(error)) = connected else {
            panic!("a server the roots do not trust: {connected:?}");
        };
        assert!(error.to_string().contains("UnknownIssuer"), "{error}");
        return;
    }
    let (mut ws, _) = connected.unwrap();
    ws.send("trusted through SSL_CERT_FILE").await.unwrap();
    assert_eq!(
        ws.recv().await.unwrap().unwrap(),
        Message::from("trusted through SSL_CERT_FILE")
    );
    assert!(ws.close(None, "").await.unwrap().was_clean());
}
