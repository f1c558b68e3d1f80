//! A client and a server, both Sansock cores, talking through two in-memory byte queues: the
//! opening handshake, a few messages, a ping and the closing handshake, with every step printed.
//!
//! Run: `cargo run -p sansock-core --example in_memory`
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use sansock_core::testing::TestEntropy;
use sansock_core::*;

fn main() {
    let now = Timestamp::ZERO;
    // Client: write the request.
    let request = ClientRequest::new("localhost:8080", "/echo").with_protocol("echo-protocol");
    let (client_hs, request_bytes) = ClientHandshake::new(
        &request,
        ClientConfig::default(),
        Box::new(TestEntropy::new(1)),
    )
    .unwrap();
    println!(
        "client → server\n{}",
        String::from_utf8_lossy(&request_bytes)
    );

    // Server: read it, look at it, accept it.
    let ServerStep::Upgrade { request, .. } = ServerHandshake::new(ServerConfig::default())
        .receive(&request_bytes)
        .unwrap()
    else {
        unreachable!("the whole request was given")
    };
    println!(
        "server sees path {:?}, protocols {:?}",
        request.path(),
        request.protocols().collect::<Vec<_>>()
    );
    let accepted = request
        .accept(now, &Accept::new().with_protocol("echo-protocol"))
        .unwrap();
    println!(
        "server → client\n{}",
        String::from_utf8_lossy(&accepted.response)
    );
    let mut server = accepted.connection;

    // Client: check the response.
    let ClientStep::Done {
        connection: mut client,
        response,
        ..
    } = client_hs.receive(now, &accepted.response).unwrap()
    else {
        unreachable!("the whole response was given")
    };
    println!("client: open, subprotocol {:?}\n", response.protocol());

    client.send("Hello, Sansock").unwrap();
    client.send(&[1, 2, 3]).unwrap();
    client.ping(b"are you there?").unwrap();
    client.close(now, Some(CloseCode::NORMAL), "done").unwrap();

    // Move bytes until both ends are finished. Handle each event as it is polled: the server
    // echoes a message before it reads the close frame that follows it.
    while !(client.is_finished() && server.is_finished()) {
        deliver(now, &mut client, &mut server);
        while let Some(event) = server.poll_event().unwrap() {
            println!("server event: {event:?}");
            if let Event::Message(m) = event {
                server.send(&m).unwrap();
            }
        }
        deliver(now, &mut server, &mut client);
        if server.is_finished() {
            // The server closes the TCP connection first; the client then sees EOF.
            client.handle_eof(now);
        }
        while let Some(event) = client.poll_event().unwrap() {
            println!("client event: {event:?}");
        }
    }
    println!(
        "\nclient state {:?}, server state {:?}",
        client.state(),
        server.state()
    );
}

/// Writes what `from` has to transmit into `to`, as a socket would.
fn deliver(now: Timestamp, from: &mut Connection, to: &mut Connection) {
    let n = from.transmit().len();
    to.handle_bytes(now, from.transmit());
    from.advance_transmit(n);
}
