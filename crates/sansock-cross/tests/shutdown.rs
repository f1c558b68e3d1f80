//! A graceful `Shutdown` on every adapter's server: three clients echoing, then the shutdown
//! begins; each client gets 1001 "server shutting down" (and answers it), and `wait_finished`
//! returns with every connection ended. A blocking server's reads, which cannot be woken, look
//! at it between reads: it closes as promptly.
#![allow(clippy::unwrap_used, clippy::panic)]

use sansock_core::{CloseCode, Event};
use sansock_cross::{Adapter, serve_until};
use sansock_driver::Shutdown;
use std::time::{Duration, Instant};

fn closes_everyone(adapter: Adapter) {
    let shutdown = Shutdown::new();
    let base = serve_until(adapter, &shutdown);
    let mut clients = Vec::new();
    for _ in 0..3 {
        let (mut ws, _) = sansock_blocking::connect(&format!("{base}/echo")).unwrap();
        ws.send("hi").unwrap();
        assert_eq!(ws.recv().unwrap().unwrap().as_text(), Some("hi"));
        clients.push(ws);
    }
    assert_eq!(shutdown.open(), 3, "{adapter:?}");
    let begun = Instant::now();
    shutdown.begin();
    for mut ws in clients {
        let closed = loop {
            match ws.recv_event().unwrap() {
                Some(Event::Closed(closed)) => break closed,
                Some(_) => {}
                None => panic!("{adapter:?}: ended without a close"),
            }
        };
        assert_eq!(closed.code, CloseCode::GOING_AWAY, "{adapter:?}");
        assert_eq!(closed.reason.as_str(), Shutdown::REASON);
        assert!(closed.was_clean(), "{adapter:?}: {closed:?}");
        // Our answer to the close leaves with the next call, or when the socket is dropped.
        assert!(ws.recv().unwrap().is_none());
    }
    assert!(
        shutdown.wait_finished(Duration::from_secs(5)),
        "{adapter:?}: {} still open",
        shutdown.open()
    );
    assert!(
        begun.elapsed() < Duration::from_secs(2),
        "{adapter:?}: {:?}",
        begun.elapsed()
    );
    // One that arrives after it began is closed at once.
    let (mut late, _) = sansock_blocking::connect(&format!("{base}/echo")).unwrap();
    let closed = loop {
        if let Some(Event::Closed(closed)) = late.recv_event().unwrap() {
            break closed;
        }
    };
    assert_eq!(closed.code, CloseCode::GOING_AWAY, "{adapter:?}");
}

#[test]
fn every_adapter_closes_its_connections_with_1001() {
    for adapter in Adapter::ALL {
        closes_everyone(adapter);
    }
}
