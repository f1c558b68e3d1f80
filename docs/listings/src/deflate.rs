//! The extensions chapter's listings: permessage-deflate on a server and a client, the memory
//! policy, and a message sent uncompressed, run on an in-memory pair.

use sansock_core::{ClientConfig, DeflatePolicy, PerMessageDeflate, ServerConfig};
use std::sync::Arc;

/// A server that agrees to permessage-deflate, with the settings the chapter explains.
pub fn server_config() -> ServerConfig {
    // ANCHOR: server
    let deflate = PerMessageDeflate::default()
        // Reset both contexts after every message: no zlib state is kept between messages
        // (about 41 KiB instead of 458 KiB held per connection), at some cost in ratio.
        .with_policy(DeflatePolicy::AcceptNoContextTakeover)
        .with_max_window_bits(12) // our compressor's window, and the client's if it allows
        .with_threshold(256); // shorter messages go out as they are
    let config = ServerConfig::default().with_extension(Arc::new(deflate));
    // ANCHOR_END: server
    config
}

/// A client that offers permessage-deflate.
pub fn client_config() -> ClientConfig {
    // ANCHOR: client
    // Offers "permessage-deflate; client_max_window_bits" (what browsers offer, too).
    let config = ClientConfig::default().with_extension(Arc::new(PerMessageDeflate::default()));
    // ANCHOR_END: client
    config
}

#[cfg(test)]
mod tests {
    use super::*;
    use sansock_core::testing::{pair_with, pump};
    use sansock_core::{Event, Message, Timestamp};

    #[test]
    fn negotiated_and_used() {
        let (mut client, mut server) = pair_with(client_config(), server_config());
        assert!(client.has_extension() && server.has_extension());
        let now = Timestamp::ZERO;
        // ANCHOR: uncompressed
        let png = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../src/images/chat.png"
        ))
        .expect("the chat screenshot");
        // Already compressed: deflating it again costs CPU and saves nothing.
        client
            .send_uncompressed(&Message::from(png.clone()))
            .unwrap();
        assert_eq!(client.transmit()[0] & 0x40, 0); // no RSV1: sent as it is
        // ANCHOR_END: uncompressed
        let (events, error) = pump(now, &mut client, &mut server);
        assert!(error.is_none());
        assert_eq!(events, [Event::Message(Message::from(png))]);
        let text = "compressible, compressible, compressible ".repeat(100);
        server.send(&text).unwrap();
        assert_eq!(server.transmit()[0] & 0x40, 0x40); // RSV1: compressed
        assert!(server.transmit().len() < text.len() / 10);
        let (events, _) = pump(now, &mut server, &mut client);
        assert_eq!(events, [Event::Message(Message::from(text))]);
    }
}
