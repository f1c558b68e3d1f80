//! Servers that cap the frames of a message get Autobahn's verdicts in 9.3 and 9.4 (4 MiB in
//! fragments of 64 B … 4 MiB): Autobahn's `sendMessage` ends a message whose length is a
//! multiple of the fragment size with an empty continuation, so 9.3.2 is 16,385 frames, not
//! 16,384 — one more than Node's `ws` server allows by default (1008), and 9.3.3 is 4,097, one
//! more than Python's `websockets` allows (1009, "too many fragments"). The tester sends what
//! Autobahn sends, so a Sansock server limited to 16,384 frames, `ws` and `websockets` with
//! their defaults fail the cases Autobahn fails them in and pass the rest.
#![allow(clippy::panic, clippy::unwrap_used)]

use sansock_conformance::runner::{Outcome, Verdict};
use sansock_conformance::{cases, modes};
use sansock_cross::peers::PeerServer;
use sansock_tokio::{ServerSettings, accept_with};

/// The cases, and which of them a server with this many frames allowed fails (Autobahn's
/// frame counts: 65,537, 16,385, 4,097, 1,025, 257, 65, 17, 5 and 1).
fn expected(limit: usize) -> Vec<(String, Verdict)> {
    let frames = [65_537, 16_385, 4_097, 1_025, 257, 65, 17, 5, 1];
    (3..=4)
        .flat_map(|sub| {
            frames.iter().enumerate().map(move |(i, n)| {
                let verdict = if *n > limit {
                    Verdict::Failed
                } else {
                    Verdict::Ok
                };
                (format!("9.{sub}.{}", i + 1), verdict)
            })
        })
        .collect()
}

fn run(base: &str, limit: usize, closes_with: u16) {
    let wanted = cases::select(cases::autobahn(), &["9.3.*".into(), "9.4.*".into()], &[]);
    let outcomes = modes::test_server(&format!("{base}/"), &wanted, &mut |_| {}).unwrap();
    let got: Vec<(String, Verdict)> = outcomes.iter().map(|o| (o.id.clone(), o.verdict)).collect();
    assert_eq!(got, expected(limit), "{base}: {outcomes:#?}");
    // Failed as Autobahn fails them: the server closed first, with its code, and no echo came.
    for o in outcomes.iter().filter(|o| o.verdict == Verdict::Failed) {
        let Outcome {
            remote_close_code, ..
        } = o;
        assert_eq!(*remote_close_code, Some(closes_with), "{o:?}");
    }
}

/// A Sansock echo server (tokio) allowing `limit` frames a message.
fn sansock_server(limit: usize) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("ws://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            listener.set_nonblocking(true).unwrap();
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            while let Ok((tcp, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let settings = ServerSettings::new().max_fragments(limit);
                    let Ok(mut ws) =
                        accept_with(tcp, settings, async |_| Ok(Default::default())).await
                    else {
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
    base
}

#[test]
fn a_sansock_server_limited_to_16384_frames() {
    run(&sansock_server(16_384), 16_384, 1008);
}

#[test]
fn node_ws_with_its_default_max_fragments() {
    let server = PeerServer::start("server.mjs");
    run(&server.base, 16_384, 1008);
}

#[test]
fn python_websockets_with_its_default_fragment_limit() {
    let server = PeerServer::start("server.py");
    run(&server.base, 4_096, 1009);
}
