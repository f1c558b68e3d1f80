//! `MemoryBudget`: large frames of messages still arriving, and queued output past the
//! budget's `charge_min`, are charged to a budget the connections share; an incoming frame that
//! does not fit fails its connection with 1013, a send that does not fit is refused and the
//! connection goes on; the charge comes back when the message completes, fails, is written, or
//! the connection is dropped.

mod common;

use common::{T0, masked, queued_close_code, server_with};
use sansock_core::frame::OpCode;
use sansock_core::{
    CloseCode, ConnectionConfig, Event, MemoryBudget, Message, ProtocolError, SendError,
};

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

#[test]
fn queued_output_is_charged_and_a_send_over_the_budget_is_refused_with_1013() {
    let budget = MemoryBudget::new(300 << 10);
    let mut a = server_with(with_budget(&budget));
    let mut b = server_with(with_budget(&budget));
    let mut c = server_with(with_budget(&budget));
    let big = Message::binary(vec![5u8; 200 << 10]);

    // A queues 200 KiB for a peer that does not read: charged.
    a.send(&big).unwrap();
    assert!(budget.used() >= 200 << 10);

    // B's 200 KiB does not fit: refused, the message not queued, B closing with 1013.
    assert_eq!(b.send(&big), Err(SendError::OverBudget));
    assert_eq!(queued_close_code(&mut b), Some(CloseCode::TRY_AGAIN_LATER));
    assert_eq!(b.send("nothing after the close"), Err(SendError::Closed));

    // Small messages are never charged: C goes on.
    assert!(c.send("small messages still go").is_ok());

    // A's output is written: its charge comes back, and C's large send now fits.
    let n = a.transmit_len();
    a.advance_transmit(n);
    assert_eq!(budget.used(), 0);
    c.send(&big).unwrap();
    assert!(budget.used() >= 200 << 10);

    // Half of it written: the charge follows what is still queued; dropped, it is all back.
    let half = c.transmit_len() / 2;
    c.advance_transmit(half);
    assert_eq!(budget.used(), c.transmit_len());
    drop(c);
    assert_eq!(budget.used(), 0);
}

#[test]
fn short_queues_are_never_charged() {
    let budget = MemoryBudget::new(1);
    let mut server = server_with(with_budget(&budget));
    for _ in 0..100 {
        server.send("a small message, queued").unwrap();
    }
    assert_eq!(budget.used(), 0);
}
