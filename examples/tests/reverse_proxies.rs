//! The chat behind real reverse proxies, run from the book's own configurations
//! (`examples/deploy/nginx.conf` and `haproxy.cfg`, filled in as their comments say): Debian's
//! `nginx` and `haproxy` (installed by `scripts/reverse-proxy-setup.sh` when missing) on free
//! ports, TLS terminated at the proxy, three chat servers joined by a real `redis-server`
//! behind it. Each test shows: the WebSockets spread over the three servers and make one room;
//! every server learns its member's real address (clients connect from 127.0.0.2–4, the proxy
//! from 127.0.0.1) through `X-Forwarded-For` (nginx) or the PROXY protocol (HAProxy), and logs
//! it, in the member's span too; a quiet member stays connected past the proxy's idle timeout
//! when the server pings it, and is cut when it does not.
#![allow(clippy::unwrap_used, clippy::panic, clippy::print_stderr)]

mod common;

use common::chat::{Chat, Redis, expect, joined, said};
use common::free_port;
use common::proxy::{Kind, Proxy};
use std::time::{Duration, Instant};

/// Three servers on one Redis behind `kind`: one room; each server saw the client's own
/// address, in its log line and in the member's span around the connection's own events.
async fn one_room_behind(kind: Kind) {
    let redis = Redis::start_on(free_port());
    let url = redis.url();
    let log = "info,sansock_driver=debug";
    let servers: Vec<Chat> = (0..3)
        .map(|_| {
            let mut args = vec!["--redis", &url];
            args.extend(kind.server_flags());
            Chat::start_with(&args, log)
        })
        .collect();
    let proxy = Proxy::start(
        kind,
        [servers[0].port, servers[1].port, servers[2].port],
        "60s",
    );

    let mut ann = proxy.join("ann", "127.0.0.2").await;
    expect(&mut ann, &joined("ann")).await;
    let mut bob = proxy.join("bob", "127.0.0.3").await;
    expect(&mut bob, &joined("bob")).await;
    expect(&mut ann, &joined("bob")).await;
    let mut cat = proxy.join("cat", "127.0.0.4").await;
    expect(&mut cat, &joined("cat")).await;
    expect(&mut ann, &joined("cat")).await;
    expect(&mut bob, &joined("cat")).await;

    // One room: what one says reaches everyone, whichever server each is on.
    cat.send("through the proxy").await.unwrap();
    for ws in [&mut ann, &mut bob, &mut cat] {
        expect(ws, &said("cat", "through the proxy")).await;
    }

    // Spread over the three servers, each knowing its member by the client's address.
    let mut seen = Vec::new();
    for server in &servers {
        let log = server.logged();
        let joins: Vec<&str> = log
            .lines()
            .filter(|l| l.contains(" joined from "))
            .collect();
        assert_eq!(joins.len(), 1, "{kind:?}: one member per server:\n{log}");
        let client = joins[0].split(" joined from ").nth(1).unwrap();
        let client = client.split_whitespace().next().unwrap().to_string();
        assert!(
            joins[0].contains(&format!("member{{client={client}}}")),
            "{}",
            joins[0]
        );
        // The connection's own events (the driver's) are in the member's span.
        let opened = format!("member{{client={client}}}:websocket{{");
        assert!(log.contains(&opened), "{kind:?}: no {opened} in:\n{log}");
        seen.push(client);
    }
    seen.sort();
    assert_eq!(seen, ["127.0.0.2", "127.0.0.3", "127.0.0.4"], "{kind:?}");
    for ws in [&mut ann, &mut bob, &mut cat] {
        ws.close(None, "").await.unwrap();
    }
    drop(proxy);
    drop(redis);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nginx_terminates_tls_spreads_the_room_and_forwards_the_client_address() {
    one_room_behind(Kind::Nginx).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn haproxy_terminates_tls_spreads_the_room_and_sends_the_proxy_protocol() {
    one_room_behind(Kind::Haproxy).await;

    // A server that expects the PROXY header refuses a connection without one (whoever
    // reaches it directly cannot claim an address).
    let chat = Chat::start_with(&["--proxy-protocol"], "info");
    let url = format!("ws://127.0.0.1:{}/chat?nick=direct", chat.port);
    assert!(sansock_tokio::connect(&url).await.is_err());
    chat.wait_log("has no PROXY protocol header", 1);
}

/// A member that says nothing for three of the proxy's idle timeouts: the server's keepalive
/// pings keep it connected; without them the proxy cuts it.
async fn idle_member_behind(kind: Kind) {
    let idle = Duration::from_secs(2);
    let quiet = 3 * idle;
    for keepalive in ["0.5", "0"] {
        let mut args = vec!["--keepalive", keepalive];
        args.extend(kind.server_flags());
        let chat = Chat::start_with(&args, "info");
        let proxy = Proxy::start(kind, [chat.port; 3], "2s");
        let mut ann = proxy.join("ann", "127.0.0.2").await;
        expect(&mut ann, &joined("ann")).await;
        let started = Instant::now();
        let outcome = tokio::time::timeout(quiet, ann.recv()).await;
        match (keepalive, outcome) {
            // Pings came (and were answered): nothing for the application, still connected.
            ("0.5", Err(_)) => {
                ann.send("still here").await.unwrap();
                expect(&mut ann, &said("ann", "still here")).await;
            }
            ("0", Ok(None | Some(Err(_)))) => {
                let after = started.elapsed();
                eprintln!("{kind:?} cut the member without keepalive after {after:?}");
                assert!(after >= idle - Duration::from_millis(500), "{after:?}");
                assert!(after < quiet, "{after:?}");
            }
            (keepalive, outcome) => panic!("{kind:?}, keepalive {keepalive}: {outcome:?}"),
        }
        drop(proxy);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nginx_keeps_a_quiet_member_that_the_server_pings() {
    idle_member_behind(Kind::Nginx).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn haproxy_keeps_a_quiet_member_that_the_server_pings() {
    idle_member_behind(Kind::Haproxy).await;
}
