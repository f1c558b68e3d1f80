//! `wss://` end to end: a TLS server with a certificate made inside the test (rcgen) and a
//! client that trusts it through `connect_with_tls`; a close (with TLS close_notify) to a peer
//! that never reads ends by the close timeout.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use common::fill_then_close;

use sansock_tokio::{ClientSettings, Ending, Error, Message, WsUrl};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::timeout;
use tokio_rustls::rustls;

/// A TLS acceptor and a client config that trusts it, for `localhost`.
fn tls_pair() -> (tokio_rustls::TlsAcceptor, Arc<rustls::ClientConfig>) {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let cert_der = cert.cert.der().clone();
    let key_der =
        rustls::pki_types::PrivateKeyDer::try_from(cert.signing_key.serialize_der()).unwrap();
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let server_config = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert_der.clone()], key_der)
        .unwrap();
    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert_der).unwrap();
    let client_config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    (
        tokio_rustls::TlsAcceptor::from(Arc::new(server_config)),
        Arc::new(client_config),
    )
}

#[tokio::test]
async fn wss_round_trip_with_a_generated_certificate() {
    let (acceptor, client_config) = tls_pair();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let tls = acceptor.accept(tcp).await.unwrap();
        let mut ws = sansock_tokio::accept(tls).await.unwrap();
        while let Some(Ok(m)) = ws.recv().await {
            ws.send(m).await.unwrap();
        }
    });
    let url = WsUrl::parse(&format!("wss://localhost:{port}/secure")).unwrap();
    let (mut ws, _) = sansock_tokio::connect_with_tls(url, ClientSettings::new(), client_config)
        .await
        .unwrap();
    ws.send("over TLS").await.unwrap();
    assert_eq!(ws.recv().await.unwrap().unwrap(), Message::from("over TLS"));
    let big = vec![3u8; 1 << 20];
    ws.send(big.clone()).await.unwrap();
    assert_eq!(ws.recv().await.unwrap().unwrap(), Message::from(big));
    assert!(ws.close(None, "").await.unwrap().was_clean());
}

#[tokio::test]
async fn close_over_tls_to_a_peer_that_never_reads_ends_by_the_close_timeout() {
    let (acceptor, client_config) = tls_pair();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let tls = acceptor.accept(tcp).await.unwrap();
        // The close frame, then TLS close_notify: neither can be written, and neither waits
        // past the close timeout.
        fill_then_close(tls).await
    });
    let url = WsUrl::parse(&format!("wss://localhost:{port}/")).unwrap();
    let (ws, _) = sansock_tokio::connect_with_tls(url, ClientSettings::new(), client_config)
        .await
        .unwrap();
    let _silent = ws.into_inner(); // reads nothing from here on
    let (closed, took) = timeout(Duration::from_secs(20), server)
        .await
        .unwrap()
        .unwrap();
    match closed {
        Err(Error::AbnormalClose(c)) => assert_eq!(c.ending, Ending::CloseTimedOut),
        other => panic!("{other:?}"),
    }
    assert!(took < Duration::from_secs(5), "{took:?}");
}
