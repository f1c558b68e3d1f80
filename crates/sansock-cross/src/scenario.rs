//! The scenario list and what each checks: messages of every kind and size (both ways, each
//! echoed intact), fragmentation both ways, pings both ways, closes from either side with
//! their codes, subprotocol negotiation, and permessage-deflate (whole and fragmented, with a
//! message sent uncompressed each way).

use crate::{Adapter, CLOSE_TIMEOUT, Options, PROTOCOLS, Session, connect};
use sansock_core::{CloseCode, Ending, Event, Initiator, Message};
use std::time::Instant;

/// One case of the matrix.
#[derive(Debug, Clone, Copy)]
pub enum Scenario {
    /// A text message with multi-byte characters.
    Text,
    /// A binary message with every byte value.
    Binary,
    /// An empty text and an empty binary message.
    Empty,
    /// A 16 MiB binary message.
    Big,
    /// 300 KB messages sent in 64 KiB fragments (and echoed in fragments).
    Fragmented,
    /// A client ping answered by the server, and a server ping answered by the client.
    PingPong,
    /// The client closes with this code; both see a clean close.
    ClientCloses(u16),
    /// The server closes with this code; the client sees it, cleanly.
    ServerCloses(u16),
    /// The best common subprotocol is agreed; none when nothing known is offered.
    Subprotocol,
    /// permessage-deflate is agreed; compressible and random messages, short and long, echoed
    /// intact; one message each way sent uncompressed. With `true`, in 64 KiB fragments.
    Compressed(bool),
}

/// Every scenario.
pub const SCENARIOS: [Scenario; 15] = [
    Scenario::Text,
    Scenario::Binary,
    Scenario::Empty,
    Scenario::Big,
    Scenario::Fragmented,
    Scenario::PingPong,
    Scenario::ClientCloses(1000),
    Scenario::ClientCloses(1001),
    Scenario::ClientCloses(4000),
    Scenario::ServerCloses(1000),
    Scenario::ServerCloses(1011),
    Scenario::ServerCloses(3999),
    Scenario::Subprotocol,
    Scenario::Compressed(false),
    Scenario::Compressed(true),
];

/// Runs `scenario` with `client` against the server at `base` (`ws://host:port`).
///
/// # Errors
/// What went wrong, in words (the matrix collects them).
pub fn run(scenario: Scenario, client: Adapter, base: &str) -> Result<(), String> {
    let open_with = |path: &str, options: Options<'_>| {
        connect(client, &format!("{base}{path}"), options).map_err(|e| format!("connect: {e}"))
    };
    let open = |path: &str, protocols: &[&str], fragment: bool| {
        open_with(
            path,
            Options {
                protocols,
                fragment,
                ..Options::default()
            },
        )
    };
    match scenario {
        Scenario::Text => echo(
            open("/echo", &[], false)?,
            &[Message::from("héllo, wörld ✓ 😀")],
        ),
        Scenario::Binary => echo(
            open("/echo", &[], false)?,
            &[Message::from((0..=255u8).collect::<Vec<_>>())],
        ),
        Scenario::Empty => echo(
            open("/echo", &[], false)?,
            &[Message::from(""), Message::from(Vec::new())],
        ),
        Scenario::Big => {
            let big: Vec<u8> = (0..16u32 << 20).map(|i| (i * 31 % 251) as u8).collect();
            echo(open("/echo", &[], false)?, &[Message::from(big)])
        }
        Scenario::Fragmented => {
            let text = "fragment ✓ ".repeat(30_000);
            let binary: Vec<u8> = (0..300_000u32).map(|i| (i % 256) as u8).collect();
            echo(
                open("/echo", &[], true)?,
                &[Message::from(text), Message::from(binary)],
            )
        }
        Scenario::PingPong => ping_pong(open("/ping", &[], false)?),
        Scenario::ClientCloses(code) => client_closes(open("/echo", &[], false)?.as_mut(), code),
        Scenario::ServerCloses(code) => {
            server_closes(open(&format!("/close/{code}"), &[], false)?, code)
        }
        Scenario::Subprotocol => {
            let both = open("/echo", &["sansock.v1", "sansock.v2"], false)?;
            expect(both.protocol().as_deref() == Some(PROTOCOLS[0]), || {
                format!("agreed {:?}", both.protocol())
            })?;
            close_cleanly(both)?;
            let old = open("/echo", &["other", "sansock.v1"], false)?;
            expect(old.protocol().as_deref() == Some("sansock.v1"), || {
                format!("agreed {:?}", old.protocol())
            })?;
            close_cleanly(old)?;
            let none = open("/echo", &[], false)?;
            expect(none.protocol().is_none(), || {
                format!("agreed {:?}", none.protocol())
            })?;
            close_cleanly(none)
        }
        Scenario::Compressed(fragment) => {
            let options = Options {
                fragment,
                deflate: true,
                ..Options::default()
            };
            compressed(open_with("/echo", options)?)?;
            let mut raw = open_with("/echo-uncompressed", options)?;
            let noise = noise(100_000);
            raw.send_uncompressed(noise.clone())
                .map_err(|e| format!("send_uncompressed: {e}"))?;
            let back = next_message(raw.as_mut())?;
            expect(back == noise, || "the uncompressed echo differs".into())?;
            close_cleanly(raw)
        }
    }
}

/// Bytes that do not compress (xorshift).
fn noise(len: usize) -> Message {
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let bytes: Vec<u8> = (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    Message::from(bytes)
}

fn compressed(ws: Box<dyn Session>) -> Result<(), String> {
    let agreed = ws.extensions().unwrap_or_default();
    expect(agreed.starts_with("permessage-deflate"), || {
        format!("extensions agreed: {agreed:?}")
    })?;
    let words = "the quick brown fox jumps over the lazy dog; ".repeat(25_000);
    echo(
        ws,
        &[
            Message::from(words),
            noise(300_000),
            Message::from("short ✓"),
            Message::from(""),
            Message::from("compress me again ".repeat(100)),
        ],
    )
}

fn expect(ok: bool, why: impl FnOnce() -> String) -> Result<(), String> {
    if ok { Ok(()) } else { Err(why()) }
}

fn next(ws: &mut dyn Session) -> Result<Event, String> {
    match ws.next_event() {
        Some(Ok(event)) => Ok(event),
        Some(Err(e)) => Err(format!("receive: {e}")),
        None => Err("the connection ended early".into()),
    }
}

fn next_message(ws: &mut dyn Session) -> Result<Message, String> {
    loop {
        match next(ws)? {
            Event::Message(m) => return Ok(m),
            Event::Ping(_) | Event::Pong(_) => {}
            other => return Err(format!("expected a message, got {other:?}")),
        }
    }
}

fn echo(mut ws: Box<dyn Session>, messages: &[Message]) -> Result<(), String> {
    for m in messages {
        ws.send(m.clone()).map_err(|e| format!("send: {e}"))?;
        let back = next_message(ws.as_mut())?;
        expect(&back == m, || {
            format!(
                "echo differs ({} vs {} bytes)",
                back.as_bytes().len(),
                m.as_bytes().len()
            )
        })?;
    }
    close_cleanly(ws)
}

fn ping_pong(mut ws: Box<dyn Session>) -> Result<(), String> {
    // The server pings first; our core answers, and the server reports the pong it got.
    match next(ws.as_mut())? {
        Event::Ping(p) if &p[..] == b"srv-ping" => {}
        other => return Err(format!("expected the server's ping, got {other:?}")),
    }
    let report = next_message(ws.as_mut())?;
    expect(report == Message::from("got pong srv-ping"), || {
        format!("server said {report:?}")
    })?;
    ws.ping(b"cli-ping").map_err(|e| format!("ping: {e}"))?;
    match next(ws.as_mut())? {
        Event::Pong(p) if &p[..] == b"cli-ping" => {}
        other => return Err(format!("expected our pong, got {other:?}")),
    }
    close_cleanly(ws)
}

fn client_closes(ws: &mut dyn Session, code: u16) -> Result<(), String> {
    let start = Instant::now();
    let closed = ws
        .close(CloseCode(code), "client closing")
        .map_err(|e| format!("close: {e}"))?;
    // The server ends the TCP connection after its close echo; waiting for our close timeout
    // instead means it did not.
    expect(start.elapsed() < CLOSE_TIMEOUT / 2, || {
        format!("the close took {:?}", start.elapsed())
    })?;
    expect(
        closed.was_clean()
            && closed.code == CloseCode(code)
            && closed.initiator == Initiator::Local,
        || format!("{closed:?}"),
    )
}

fn server_closes(mut ws: Box<dyn Session>, code: u16) -> Result<(), String> {
    loop {
        match ws.next_event() {
            Some(Ok(Event::Closed(c))) => {
                return expect(
                    c.ending == Ending::Clean
                        && c.code == CloseCode(code)
                        && c.reason.as_str() == "server closing"
                        && c.initiator == Initiator::Remote,
                    || format!("{c:?}"),
                );
            }
            Some(Ok(_)) => {}
            Some(Err(e)) => return Err(format!("receive: {e}")),
            None => return Err(format!("ended without a close event: {:?}", ws.closed())),
        }
    }
}

fn close_cleanly(mut ws: Box<dyn Session>) -> Result<(), String> {
    client_closes(ws.as_mut(), 1000)
}
