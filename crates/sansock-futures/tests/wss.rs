//! `wss://` end to end under smol and async-std: a TLS server (futures-rustls) with a
//! certificate made inside the test (rcgen), and a client that trusts it through
//! `connect_with_tls`. Also any other transport: a Unix socket pair.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Rt, timeout};
use sansock_futures::{ClientSettings, Message, WsUrl};
use std::sync::Arc;
use std::time::Duration;

on_both_runtimes!(wss_round_trip_with_a_generated_certificate);

async fn wss_round_trip_with_a_generated_certificate<R: Rt>() {
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
    let acceptor = futures_rustls::TlsAcceptor::from(Arc::new(server_config));
    let (listener, url) = R::bind().await;
    let port = WsUrl::parse(&url).unwrap().port;
    let _server = R::spawn(async move {
        let tcp = R::accept_tcp(&listener).await;
        let tls = acceptor.accept(tcp).await.unwrap();
        let mut ws = sansock_futures::accept(tls).await.unwrap();
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
    let (mut ws, _) = R::connect_with_tls(url, ClientSettings::new(), Arc::new(client_config))
        .await
        .unwrap();
    ws.send("over TLS").await.unwrap();
    assert_eq!(ws.recv().await.unwrap().unwrap(), Message::from("over TLS"));
    let big = vec![3u8; 1 << 20];
    ws.send(big.clone()).await.unwrap();
    assert_eq!(ws.recv().await.unwrap().unwrap(), Message::from(big));
    assert!(ws.close(None, "").await.unwrap().was_clean());
}

#[cfg(unix)]
#[test]
fn any_transport_works_here_a_unix_socket_pair() {
    smol::block_on(async {
        let (a, b) = smol::net::unix::UnixStream::pair().unwrap();
        let server = smol::spawn(async move {
            let mut ws = sansock_futures::accept(a).await.unwrap();
            while let Some(Ok(m)) = ws.recv().await {
                ws.send(m).await.unwrap();
            }
        });
        let request = sansock_core::ClientRequest::new("localhost", "/unix");
        let (mut ws, _) = sansock_futures::client(b, &request, ClientSettings::new())
            .await
            .unwrap();
        ws.send("over a unix socket").await.unwrap();
        assert_eq!(
            ws.recv().await.unwrap().unwrap(),
            Message::from("over a unix socket")
        );
        assert!(ws.close(None, "").await.unwrap().was_clean());
        timeout(Duration::from_secs(20), server).await.unwrap();
    });
}
