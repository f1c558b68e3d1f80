//! The book's state diagram (`docs/src/sans-io.md`) against the code: the states it draws are
//! exactly the `State`s a connection goes through on the two closing paths the core takes.
#![allow(clippy::unwrap_used, clippy::panic)]

use sansock_core::testing::{pair, pump};
use sansock_core::{CloseCode, ConnectionConfig, State, Timestamp};
use std::collections::BTreeSet;

/// The text diagram under the chapter's "The connection's states" heading.
fn diagram() -> String {
    let chapter = include_str!("../../src/sans-io.md");
    let section = chapter
        .split("## The connection's states")
        .nth(1)
        .expect("the section exists");
    let block = section.split("```text").nth(1).expect("a text diagram");
    block.split("```").next().unwrap().to_string()
}

/// The states both ends pass through when the client closes.
fn states_of_a_close() -> (Vec<State>, Vec<State>) {
    let now = Timestamp::ZERO;
    let (mut client, mut server) = pair(ConnectionConfig::default());
    let (mut c, mut s) = (vec![client.state()], vec![server.state()]);
    client.close(now, Some(CloseCode::NORMAL), "").unwrap();
    c.push(client.state());
    server.handle_bytes(now, client.transmit());
    let n = client.transmit().len();
    client.advance_transmit(n);
    while server.poll_event().unwrap().is_some() {}
    s.push(server.state()); // the echo is queued, not written
    let (_, error) = pump(now, &mut server, &mut client);
    assert!(error.is_none());
    s.push(server.state());
    c.push(client.state());
    (c, s)
}

#[test]
fn the_diagram_draws_exactly_the_codes_states() {
    let (client, server) = states_of_a_close();
    assert_eq!(client, [State::Open, State::ClosingLocal, State::Closed]);
    assert_eq!(server, [State::Open, State::ClosingRemote, State::Closed]);
    let code: BTreeSet<String> = client
        .iter()
        .chain(&server)
        .map(|s| format!("{s:?}"))
        .collect();
    let drawn: BTreeSet<String> = diagram()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| w.chars().next().is_some_and(|c| c.is_ascii_uppercase()))
        .map(String::from)
        .collect();
    assert_eq!(drawn, code, "the diagram's states must be the code's");
}
