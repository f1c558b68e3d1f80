//! [`PreparedMessage`]: a message framed once — and, where the connections' extension allows,
//! encoded once — to be sent on any number of server connections without copying its payload
//! or its frame ([`Connection::send_prepared`](crate::Connection::send_prepared)). What each
//! connection does with it (splice the shared frame, or encode for itself) is in
//! `connection/send.rs`.

use crate::frame::{OpCode, write};
use crate::{ExtensionError, Message, MessageKind};
use alloc::vec::Vec;
use bytes::Bytes;
#[cfg(feature = "std")]
extern crate std;

/// How many differently-encoded frames a prepared message keeps (one per set of extension
/// parameters its connections negotiated: usually one or two). Past that, connections with yet
/// other parameters encode for themselves.
#[cfg(feature = "std")]
const ENCODINGS: usize = 4;

/// A message framed once for many server connections.
///
/// Every connection without an extension sends the very same frame bytes (a reference-counted
/// slice: no copy per connection). Connections whose extension encodes every message the same
/// way (permessage-deflate without context takeover on the server's side) share one encoding
/// per set of parameters, made by the first connection that needs it; connections whose
/// extension carries state from message to message (context takeover) encode for themselves,
/// as [`send`](crate::Connection::send) does. Clients mask every frame with a key of their own,
/// so a client connection sends it as `send` would.
///
/// ```
/// # use sansock_core::*;
/// let (mut client, mut server) = sansock_core::testing::pair(ConnectionConfig::default());
/// let prepared = PreparedMessage::new(Message::text("to everyone"));
/// server.send_prepared(&prepared).unwrap();
/// assert_eq!(server.transmit(), prepared.frame());
/// ```
#[derive(Debug)]
pub struct PreparedMessage {
    message: Message,
    /// The whole frame as a server sends it: FIN, no RSV bits, unmasked.
    frame: Bytes,
    /// Frames encoded by shareable extensions: (key, RSV bits, frame), made on first use.
    #[cfg(feature = "std")]
    encoded: [std::sync::OnceLock<(u64, Option<Bytes>)>; ENCODINGS],
}

impl PreparedMessage {
    /// Frames `message` once.
    pub fn new(message: impl Into<Message>) -> Self {
        let message = message.into();
        let frame = frame_of(message.kind(), 0, message.as_bytes());
        PreparedMessage {
            message,
            frame,
            #[cfg(feature = "std")]
            encoded: Default::default(),
        }
    }

    /// The message.
    pub fn message(&self) -> &Message {
        &self.message
    }

    /// The frame every connection without an extension sends.
    pub fn frame(&self) -> &Bytes {
        &self.frame
    }

    /// The frame for connections whose extension shares encodings under `key`, encoded by
    /// `encode` the first time (`None`: the extension sends this message as it is, the plain
    /// frame). `Err` when encoding fails; `Ok(None)` also when no slot is left to keep it
    /// (the caller then encodes for its connection).
    pub(crate) fn encoded(
        &self,
        key: u64,
        encode: impl FnOnce(MessageKind, &[u8], &mut Vec<u8>) -> Result<Option<u8>, ExtensionError>,
    ) -> Result<Option<Option<&Bytes>>, ExtensionError> {
        #[cfg(feature = "std")]
        {
            let mut encode = Some(encode);
            for slot in &self.encoded {
                if let Some((k, frame)) = slot.get() {
                    if *k == key {
                        return Ok(Some(frame.as_ref()));
                    }
                    continue;
                }
                let Some(encode) = encode.take() else {
                    break;
                };
                let mut out = Vec::new();
                let kind = self.message.kind();
                let frame = encode(kind, self.message.as_bytes(), &mut out)?
                    .map(|rsv| frame_of(kind, rsv, &out));
                // Another connection may have filled this slot meanwhile (perhaps for
                // another key): ours is then found below or not kept.
                let (k, kept) = slot.get_or_init(|| (key, frame));
                if *k == key {
                    return Ok(Some(kept.as_ref()));
                }
            }
            Ok(None)
        }
        #[cfg(not(feature = "std"))]
        {
            let _ = (key, encode);
            Ok(None)
        }
    }
}

/// A whole unmasked frame with FIN, `rsv` and `payload`.
fn frame_of(kind: MessageKind, rsv: u8, payload: &[u8]) -> Bytes {
    let opcode = match kind {
        MessageKind::Text => OpCode::Text,
        MessageKind::Binary => OpCode::Binary,
    };
    let header = write::header_for(true, rsv, opcode, None, payload.len());
    let mut out = Vec::with_capacity(crate::frame::MAX_HEADER_LEN + payload.len());
    write::put_frame(&mut out, &header, payload);
    Bytes::from(out)
}
