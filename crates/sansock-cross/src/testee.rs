//! A Sansock client as the conformance tester's *testee*: it asks `/getCaseCount`, then connects
//! to `/runCase?case=N&agent=NAME` for each case and echoes every message until the connection
//! ends, then calls `/updateReports` — the protocol the Autobahn|Testsuite made the standard.

use crate::{Adapter, Options, Session, connect};
use sansock_core::{Event, Message};

/// Runs every case the tester at `base` (`ws://host:port`) offers, with `adapter`'s client;
/// gives how many there were.
///
/// # Errors
/// When the case count cannot be read.
pub fn testee(adapter: Adapter, base: &str, agent: &str) -> Result<usize, String> {
    // Every case offers permessage-deflate; the tester accepts it where a case is about it.
    let options = Options {
        deflate: true,
        ..Options::default()
    };
    let mut counter = connect(adapter, &format!("{base}/getCaseCount"), options)
        .map_err(|e| format!("getCaseCount: {e}"))?;
    let count = match counter.next_event() {
        Some(Ok(Event::Message(Message::Text(t)))) => {
            t.as_str().parse::<usize>().map_err(|e| e.to_string())?
        }
        other => return Err(format!("getCaseCount answered {other:?}")),
    };
    while counter.next_event().is_some() {}
    for n in 1..=count {
        let url = format!("{base}/runCase?case={n}&agent={agent}");
        // A case may fail our handshake or connection on purpose; the tester judges, not us.
        if let Ok(ws) = connect(adapter, &url, options) {
            echo_until_the_end(ws);
        }
    }
    if let Ok(mut done) = connect(
        adapter,
        &format!("{base}/updateReports?agent={agent}"),
        options,
    ) {
        while done.next_event().is_some() {}
    }
    Ok(count)
}

fn echo_until_the_end(mut ws: Box<dyn Session>) {
    while let Some(Ok(event)) = ws.next_event() {
        if let Event::Message(m) = event {
            if ws.send(m).is_err() {
                break;
            }
        }
    }
}
