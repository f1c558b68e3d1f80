//! The cross-check: the suite against a well-known peer, tokio-tungstenite 0.30, as an echo
//! server and as a testee client. Its report goes to `target/conformance/`; the cases it fails
//! are listed in `tests/tungstenite-expected.txt` with the RFC clause that shows tungstenite is
//! the one in the wrong, and this test fails if that list changes (a new failure is the tester's
//! bug until shown otherwise).
#![allow(clippy::unwrap_used, clippy::panic)]

use futures_util::{SinkExt, StreamExt};
use sansock_conformance::runner::{Outcome, Verdict};
use sansock_conformance::{cases, modes, report};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

fn save(agent: &str, outcomes: &[Outcome]) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/conformance");
    let _ = std::fs::create_dir_all(dir);
    let _ = std::fs::write(
        format!("{dir}/{agent}.json"),
        report::json(agent, outcomes).unwrap(),
    );
    let _ = std::fs::write(
        format!("{dir}/{agent}.md"),
        report::markdown(agent, outcomes),
    );
}

fn failed(outcomes: &[Outcome]) -> Vec<String> {
    outcomes
        .iter()
        .filter(|o| o.verdict == Verdict::Failed)
        .map(|o| o.id.clone())
        .collect()
}

/// The ids listed for `role` in the expected-results file.
fn expected(role: &str) -> Vec<String> {
    include_str!("tungstenite-expected.txt")
        .lines()
        .filter_map(|l| l.split('#').next())
        .filter_map(|l| l.trim().strip_prefix(role))
        .map(|id| id.trim().to_string())
        .collect()
}

/// Echoes until the end. After an error tungstenite has queued its close frame; flushing it
/// (as its documentation asks) sends it before the connection is dropped.
async fn echo<S>(ws: &mut tokio_tungstenite::WebSocketStream<S>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    while let Some(next) = ws.next().await {
        match next {
            Ok(m) if m.is_text() || m.is_binary() => {
                if ws.send(m).await.is_err() {
                    break;
                }
            }
            Ok(_) => {}
            Err(_) => {
                let _ = ws.flush().await;
                break;
            }
        }
    }
}

async fn echo_server(listener: tokio::net::TcpListener) {
    while let Ok((tcp, _)) = listener.accept().await {
        tokio::spawn(async move {
            let Ok(mut ws) = tokio_tungstenite::accept_async(tcp).await else {
                return;
            };
            echo(&mut ws).await;
        });
    }
}

async fn testee(base: String) {
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("{base}/getCaseCount"))
        .await
        .unwrap();
    let count: usize = match ws.next().await {
        Some(Ok(Message::Text(t))) => t.as_str().parse().unwrap(),
        other => panic!("{other:?}"),
    };
    for n in 1..=count {
        let url = format!("{base}/runCase?case={n}&agent=tungstenite");
        let Ok((mut ws, _)) = tokio_tungstenite::connect_async(url).await else {
            continue;
        };
        echo(&mut ws).await;
    }
    if let Ok((mut ws, _)) =
        tokio_tungstenite::connect_async(format!("{base}/updateReports?agent=tungstenite")).await
    {
        while let Some(Ok(_)) = ws.next().await {}
    }
}

#[test]
fn tokio_tungstenite_as_server_and_as_client() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let url = format!("ws://{}/", listener.local_addr().unwrap());
    rt.spawn(echo_server(listener));
    let server = modes::test_server(&url, &cases::all(), &mut |_| {}).unwrap();
    save("tokio-tungstenite-server", &server);

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("ws://{}", listener.local_addr().unwrap());
    let tester = std::thread::spawn(move || {
        modes::test_client(
            &listener,
            &cases::all(),
            Duration::from_secs(30),
            &mut |_| {},
        )
        .unwrap()
    });
    rt.block_on(testee(base));
    let client: Vec<Outcome> = tester.join().unwrap().into_iter().flatten().collect();
    assert_eq!(client.len(), cases::all().len(), "every case ran");
    save("tokio-tungstenite-client", &client);

    assert_eq!(
        failed(&server),
        expected("server"),
        "tungstenite as a server"
    );
    assert_eq!(
        failed(&client),
        expected("client"),
        "tungstenite as a client"
    );
}
