//! `MemoryBudget`: large frames of messages still arriving are charged to a budget the
//! connections share; one that does not fit fails its connection with 1013 and the others go
//! on; the charge comes back when the message completes, fails, or the connection is dropped.

mod common;

use common::{T0, masked, queued_close_code, server_with};
use sansock_core::frame::OpCode;
use sansock_core::{CloseCode, ConnectionConfig, Event, MemoryBudget, ProtocolError};

fn with_budget(budget: &MemoryBudget) -> ConnectionConfig {
    ConnectionConfig::default().with_memory_budget(Some(budget.clone()))
}

#[test]
fn a_large_message_over_the_budget_is_refused_with_1013_and_the_others_go_on() {
    let budget = MemoryBudget::new(200 << 10);
    let mut a = server_with(with_budget(&budget));
    let mut b = server_with(with_budget(&budget));
    let mut c = server_with(with_budget(&budget));

    // A sends the first half of a 150 KiB message and stalls: charged in full.
    let big_a = masked(true, 0, OpCode::Binary, &vec![1u8; 150 << 10]);
    a.handle_bytes(T0, &big_a[..big_a.len() / 2]);
    assert_eq!(a.poll_event(), Ok(None));
    assert_eq!(budget.used(), 150 << 10);

    // B's 100 KiB message does not fit: refused with 1013.
    let big_b = masked(true, 0, OpCode::Binary, &vec![2u8; 100 << 10]);
    b.handle_bytes(T0, &big_b[..1000]);
    assert_eq!(b.poll_event(), Err(ProtocolError::OverBudget));
    assert_eq!(queued_close_code(&mut b), Some(CloseCode::TRY_AGAIN_LATER));
    assert_eq!(budget.used(), 150 << 10);

    // Small messages are never charged: C goes on.
    c.handle_bytes(T0, &masked(true, 0, OpCode::Text, b"still here"));
    assert!(matches!(c.poll_event(), Ok(Some(Event::Message(_)))));

    // A's message completes: its charge comes back, and B's size now fits elsewhere.
    a.handle_bytes(T0, &big_a[big_a.len() / 2..]);
    assert!(
        matches!(a.poll_event(), Ok(Some(Event::Message(m))) if m.as_bytes().len() == 150 << 10)
    );
    assert_eq!(budget.used(), 0);
    c.handle_bytes(T0, &big_b[..1000]);
    assert_eq!(c.poll_event(), Ok(None));
    assert_eq!(budget.used(), 100 << 10);
    // A connection dropped with a message under way gives its charge back.
    drop(c);
    assert_eq!(budget.used(), 0);
}

#[test]
fn a_fragmented_message_is_charged_frame_by_frame_until_it_completes() {
    let budget = MemoryBudget::new(1 << 20);
    let mut server = server_with(with_budget(&budget));
    let first = masked(false, 0, OpCode::Binary, &vec![3u8; 100 << 10]);
    let last = masked(true, 0, OpCode::Continuation, &vec![4u8; 100 << 10]);
    server.handle_bytes(T0, &first[..20]);
    assert_eq!(server.poll_event(), Ok(None));
    assert_eq!(budget.used(), 100 << 10);
    server.handle_bytes(T0, &first[20..]);
    server.handle_bytes(T0, &last[..20]);
    assert_eq!(server.poll_event(), Ok(None));
    assert_eq!(budget.used(), 200 << 10);
    server.handle_bytes(T0, &last[20..]);
    assert!(
        matches!(server.poll_event(), Ok(Some(Event::Message(m))) if m.as_bytes().len() == 200 << 10)
    );
    assert_eq!(budget.used(), 0);
}

#[test]
fn a_failed_connection_gives_its_charge_back() {
    let budget = MemoryBudget::new(1 << 20);
    let mut server = server_with(with_budget(&budget));
    let big = masked(false, 0, OpCode::Binary, &vec![3u8; 100 << 10]);
    server.handle_bytes(T0, &big);
    assert_eq!(server.poll_event(), Ok(None));
    assert_eq!(budget.used(), 100 << 10);
    // A new message inside the fragmented one: a protocol error.
    server.handle_bytes(T0, &masked(true, 0, OpCode::Text, b"x"));
    assert_eq!(
        server.poll_event(),
        Err(ProtocolError::ExpectedContinuation)
    );
    assert_eq!(budget.used(), 0);
}
