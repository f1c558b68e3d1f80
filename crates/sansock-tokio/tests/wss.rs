//! `wss://` end to end: a TLS server with a certificate made inside the test (rcgen) and a
//! client that trusts it through `connect_with_tls`.
#![allow(clippy::unwrap_used)]

use sansock_tokio::{ClientSettings, Message, WsUrl};
use std::sync::Arc;
use tokio_rustls::rustls;

#[tokio::test]
async fn wss_round_trip_with_a_generated_certificate() {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let cert_der = cert.cert.der().clone();
    let key_der =
        rustls::pki_types::PrivateKeyDer::try_from(cert.signing_key.serialize_der()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let server_config = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert_der.clone()], key_der)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(server_config));
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
    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert_der).unwrap();
    let client_config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let url = WsUrl::parse(&format!("wss://localhost:{port}/secure")).unwrap();
    let (mut ws, _) =
        sansock_tokio::connect_with_tls(url, ClientSettings::default(), Arc::new(client_config))
            .await
            .unwrap();
    ws.send("over TLS").await.unwrap();
    assert_eq!(ws.recv().await.unwrap().unwrap(), Message::from("over TLS"));
    let big = vec![3u8; 1 << 20];
    ws.send(big.clone()).await.unwrap();
    assert_eq!(ws.recv().await.unwrap().unwrap(), Message::from(big));
    assert!(ws.close(None, "").await.unwrap().was_clean());
}
