//! The receive path does not allocate per frame: thousands of small frames in one buffer are
//! unmasked in place and handed out as slices of it. Checked by counting allocations.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use common::*;
use sansock_core::frame::OpCode;
use sansock_core::{ConnectionConfig, Event};

#[test]
fn ten_thousand_small_frames_cost_a_constant_number_of_allocations() {
    let mut server = server_with(ConnectionConfig::default());
    let mut input = Vec::new();
    for i in 0..10_000u32 {
        let op = if i % 2 == 0 {
            OpCode::Text
        } else {
            OpCode::Binary
        };
        input.extend(masked(true, 0, op, b"twenty bytes of text"));
    }
    server.handle_bytes(T0, &input);
    let mut count = 0;
    let info = allocation_counter::measure(|| {
        while let Ok(Some(event)) = server.poll_event() {
            assert!(matches!(event, Event::Message(_)));
            count += 1;
        }
    });
    assert_eq!(count, 10_000);
    // `bytes` turns the buffer into a shared one once; after that each message is a refcount.
    assert!(
        info.count_total <= 2,
        "{} allocations for 10,000 frames",
        info.count_total
    );
}

#[test]
fn echoing_reuses_the_transmit_buffer() {
    let mut server = server_with(ConnectionConfig::default());
    let frame = masked(true, 0, OpCode::Binary, &[7; 1000]);
    // Warm up: the buffers reach their working size.
    for _ in 0..4 {
        server.handle_bytes(T0, &frame);
        let m = server.poll_event().unwrap();
        drop(m);
        server.send(&[7; 1000]).unwrap();
        let n = server.transmit().len();
        server.advance_transmit(n);
    }
    let info = allocation_counter::measure(|| {
        for _ in 0..1000 {
            server.handle_bytes(T0, &frame);
            if let Ok(Some(Event::Message(m))) = server.poll_event() {
                server.send(&m).unwrap();
            }
            let n = server.transmit().len();
            server.advance_transmit(n);
        }
    });
    assert!(
        info.count_total == 0,
        "{} allocations for 1,000 echoes",
        info.count_total
    );
}

#[test]
fn between_frames_the_buffers_can_be_released() {
    let mut server = server_with(ConnectionConfig::default());
    let frame = masked(true, 0, OpCode::Binary, &[1u8; 3000]);
    // Half a frame: input is not idle, and releasing keeps what is buffered.
    server.handle_bytes(T0, &frame[..1000]);
    assert!(matches!(server.poll_event(), Ok(None)));
    assert!(!server.is_input_idle());
    server.release_buffers();
    assert!(server.buffer_capacity() >= 1000 - 8);
    server.handle_bytes(T0, &frame[1000..]);
    let Ok(Some(Event::Message(m))) = server.poll_event() else {
        panic!("the message")
    };
    assert_eq!(m.as_bytes(), &[1u8; 3000][..]);
    assert!(server.is_input_idle());
    server.release_buffers();
    assert_eq!(server.buffer_capacity(), 0);
    // The message handed out stays valid; the next frame is read into a fresh buffer.
    assert_eq!(m.as_bytes().len(), 3000);
    let (events, error) = feed(&mut server, &masked(true, 0, OpCode::Text, b"again"));
    assert!(error.is_none() && events.len() == 1);
}
