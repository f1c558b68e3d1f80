//! permessage-deflate (RFC 7692), feature `deflate`: the negotiation for both roles
//! ([`PerMessageDeflate`], a [`ServerExtension`] and a [`ClientExtension`]) and the per-connection
//! codec (an [`Extension`]) on flate2's zlib-rs backend, which honours window bits.
//!
//! Inflating is bounded: output is produced in chunks and checked against the message size
//! limit as it grows, so a bomb ends with 1009 near the limit, never after it.

use crate::extension::{
    ClientExtension, Extension, ExtensionError, ExtensionOffer, ServerExtension,
};
use crate::{CloseCode, MessageKind};
use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use bytes::BytesMut;
use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

/// The 4 bytes a sync flush ends with, stripped by the sender and restored by the receiver.
const TAIL: [u8; 4] = [0x00, 0x00, 0xff, 0xff];
/// How much output one inflate step may produce before the size limit is checked again.
const INFLATE_STEP: usize = 16 << 10;

/// What a server does with a client's permessage-deflate offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeflatePolicy {
    /// Accept the first acceptable offer, keeping the compression context between messages
    /// unless the client asks otherwise.
    Accept,
    /// Accept, but reset both compression contexts after every message (less memory per
    /// connection, a worse ratio).
    AcceptNoContextTakeover,
    /// Decline every offer.
    Refuse,
}

/// permessage-deflate settings, for either role.
///
/// ```
/// use sansock_core::{PerMessageDeflate, ServerConfig};
/// use std::sync::Arc;
/// let config = ServerConfig::default().with_extension(Arc::new(PerMessageDeflate::default()));
/// # let _ = config;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PerMessageDeflate {
    pub(crate) policy: DeflatePolicy,
    pub(crate) max_window_bits: u8,
    pub(crate) threshold: usize,
    pub(crate) level: u32,
    pub(crate) no_context_takeover: bool,
}

impl Default for PerMessageDeflate {
    fn default() -> Self {
        PerMessageDeflate {
            policy: DeflatePolicy::Accept,
            max_window_bits: 15,
            threshold: 64,
            level: 6,
            no_context_takeover: false,
        }
    }
}

impl PerMessageDeflate {
    /// (Server) how to answer offers. Default [`DeflatePolicy::Accept`].
    pub fn with_policy(mut self, policy: DeflatePolicy) -> Self {
        self.policy = policy;
        self
    }

    /// The largest LZ77 window (9–15 bits; zlib cannot compress with an 8-bit window) this
    /// side compresses with; a server also asks the client to stay within it. Default 15
    /// (32 KiB); other values are clamped.
    pub fn with_max_window_bits(mut self, bits: u8) -> Self {
        self.max_window_bits = bits.clamp(9, 15);
        self
    }

    /// Messages shorter than this many bytes are sent uncompressed. Default 64.
    pub fn with_threshold(mut self, bytes: usize) -> Self {
        self.threshold = bytes;
        self
    }

    /// The zlib compression level (0–9; more is taken as 9). Default 6.
    pub fn with_level(mut self, level: u32) -> Self {
        self.level = level.min(9);
        self
    }

    /// (Client) ask for no context takeover in both directions. Default `false`.
    pub fn with_no_context_takeover(mut self, on: bool) -> Self {
        self.no_context_takeover = on;
        self
    }
}

/// The parameters of one offer or response, checked against RFC 7692 §7.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Params {
    server_no_context_takeover: bool,
    client_no_context_takeover: bool,
    /// `Some(bits)` when present with a value.
    server_max_window_bits: Option<u8>,
    /// `Some(None)` when present without a value.
    client_max_window_bits: Option<Option<u8>>,
}

/// Parses the parameters; `None` for an unknown, repeated or invalid one (§7: decline the offer,
/// or fail the handshake on a response).
fn params(element: &ExtensionOffer) -> Option<Params> {
    let mut p = Params::default();
    let mut seen: Vec<String> = Vec::new();
    for (name, value) in &element.params {
        let name = name.to_ascii_lowercase();
        if seen.contains(&name) {
            return None;
        }
        let bits = |v: &Option<String>| -> Option<u8> {
            let v = v.as_deref()?;
            // Decimal 8–15, no leading zeros (RFC 7692 §7.1.2.1).
            if v.starts_with('0') || !v.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            v.parse().ok().filter(|b| (8..=15).contains(b))
        };
        match name.as_str() {
            "server_no_context_takeover" if value.is_none() => p.server_no_context_takeover = true,
            "client_no_context_takeover" if value.is_none() => p.client_no_context_takeover = true,
            "server_max_window_bits" => p.server_max_window_bits = Some(bits(value)?),
            "client_max_window_bits" => {
                p.client_max_window_bits = Some(match value {
                    None => None,
                    Some(_) => Some(bits(value)?),
                });
            }
            _ => return None,
        }
        seen.push(name);
    }
    Some(p)
}

/// What one side of a connection uses.
#[derive(Debug, Clone, Copy)]
struct Side {
    /// Window bits of the stream this side compresses (0: do not compress at all).
    compress_bits: u8,
    /// Reset the compressor after each message.
    compress_reset: bool,
    /// Reset the decompressor after each message (the peer resets its compressor).
    decompress_reset: bool,
    /// Window bits of the stream the peer compresses (at least 9, what zlib inflates with).
    decompress_bits: u8,
}

impl ServerExtension for PerMessageDeflate {
    fn name(&self) -> &str {
        "permessage-deflate"
    }

    fn negotiate(&self, offers: &[&ExtensionOffer]) -> Option<(String, Box<dyn Extension>)> {
        if self.policy == DeflatePolicy::Refuse {
            return None;
        }
        let reset_all = self.policy == DeflatePolicy::AcceptNoContextTakeover;
        let ours = self.max_window_bits.clamp(9, 15);
        for offer in offers {
            let Some(p) = params(offer) else { continue };
            // Our compressor: within what the client allows. zlib cannot compress with an
            // 8-bit window, so an offer of 8 is accepted and this side never compresses (RFC
            // 7692 §6 lets a sender leave any message uncompressed); the client still may.
            let server_bits = p.server_max_window_bits.unwrap_or(15).min(ours);
            let mut response = String::from("permessage-deflate");
            let server_reset = p.server_no_context_takeover || reset_all;
            if server_reset {
                response.push_str("; server_no_context_takeover");
            }
            let client_reset = p.client_no_context_takeover || reset_all;
            if client_reset {
                response.push_str("; client_no_context_takeover");
            }
            if p.server_max_window_bits.is_some() || server_bits < 15 {
                response.push_str(&format!("; server_max_window_bits={server_bits}"));
            }
            // We may only limit the client's window if it said it can be limited.
            let mut client_bits = 15;
            if let Some(offered) = p.client_max_window_bits {
                client_bits = offered.unwrap_or(15).min(ours);
                response.push_str(&format!("; client_max_window_bits={client_bits}"));
            }
            let side = Side {
                compress_bits: if server_bits < 9 { 0 } else { server_bits },
                compress_reset: server_reset,
                decompress_reset: client_reset,
                decompress_bits: client_bits.max(9),
            };
            return Some((response, Box::new(Deflate::new(side, self))));
        }
        None
    }
}

impl ClientExtension for PerMessageDeflate {
    fn name(&self) -> &str {
        "permessage-deflate"
    }

    fn offer(&self) -> String {
        let mut offer = String::from("permessage-deflate; client_max_window_bits");
        if self.no_context_takeover {
            offer.push_str("; server_no_context_takeover; client_no_context_takeover");
        }
        if self.max_window_bits < 15 {
            offer.push_str(&format!(
                "; server_max_window_bits={}",
                self.max_window_bits.clamp(9, 15)
            ));
        }
        offer
    }

    fn accept(&self, response: &ExtensionOffer) -> Result<Box<dyn Extension>, &'static str> {
        let p = params(response).ok_or("invalid permessage-deflate parameters in the response")?;
        if self.no_context_takeover && !p.server_no_context_takeover {
            return Err("the server did not agree to server_no_context_takeover");
        }
        if let Some(bits) = p.server_max_window_bits {
            if self.max_window_bits < 15 && bits > self.max_window_bits {
                return Err("server_max_window_bits over what was offered");
            }
        }
        let client_bits = match p.client_max_window_bits {
            Some(Some(bits)) => bits,
            Some(None) => return Err("client_max_window_bits without a value in the response"),
            None => 15,
        };
        let side = Side {
            // A window of 8 bits cannot be produced by zlib: send uncompressed (always allowed).
            compress_bits: if client_bits < 9 {
                0
            } else {
                client_bits.min(self.max_window_bits)
            },
            compress_reset: p.client_no_context_takeover,
            decompress_reset: p.server_no_context_takeover,
            decompress_bits: p.server_max_window_bits.unwrap_or(15).max(9),
        };
        Ok(Box::new(Deflate::new(side, self)))
    }
}

/// One connection's compressor and decompressor.
///
/// Both are created when first needed and, without context takeover, dropped after each
/// message: a connection that is idle, or only exchanges short messages, holds no zlib state
/// (about 256 KiB for a compressor with a 15-bit window, 40 KiB for a decompressor).
struct Deflate {
    compress: Option<Compress>,
    decompress: Option<Decompress>,
    side: Side,
    level: u32,
    threshold: usize,
}

impl Deflate {
    /// Whether `payload` goes compressed. An empty message goes as it is: deflate has nothing
    /// to say about it (and a second sync flush in a row produces no bytes at all, which is not
    /// a valid payload); so does one under the threshold, and any with a window zlib cannot
    /// produce.
    fn compresses(&self, payload: &[u8]) -> bool {
        self.side.compress_bits >= 9 && !payload.is_empty() && payload.len() >= self.threshold
    }

    fn new(side: Side, config: &PerMessageDeflate) -> Self {
        Deflate {
            compress: None,
            decompress: None,
            side,
            level: config.level,
            threshold: config.threshold,
        }
    }
}

/// The top byte of permessage-deflate's shared-encoding keys (other extensions use others).
const SHARED_TAG: u64 = 0xD1 << 56;

/// A raw deflate compressor (no zlib header) at `level` with a window of `bits`.
fn compressor(level: u32, bits: u8) -> Compress {
    Compress::new_with_window_bits(Compression::new(level), false, bits)
}

/// Compresses all of `payload` into `out` with a sync flush, without the final empty block's
/// four bytes (RFC 7692 §7.2.1).
fn deflate_into(c: &mut Compress, payload: &[u8], out: &mut Vec<u8>) -> Result<(), ExtensionError> {
    out.clear();
    out.reserve(payload.len() / 2 + 64);
    let start_in = c.total_in();
    loop {
        let consumed = (c.total_in() - start_in) as usize;
        if out.len() == out.capacity() {
            out.reserve(out.capacity().max(64));
        }
        c.compress_vec(&payload[consumed..], out, FlushCompress::Sync)
            .map_err(|_| corrupt("compression failed"))?;
        let done = (c.total_in() - start_in) as usize == payload.len();
        // A sync flush is complete once all input is in and there was room left over: zlib
        // stops early only when the output is full. (Its status is no guide: "no progress
        // possible" also means "nothing left to flush".)
        if done && out.len() < out.capacity() {
            break;
        }
    }
    if out.ends_with(&TAIL) {
        out.truncate(out.len() - TAIL.len());
    }
    Ok(())
}

fn corrupt(reason: &'static str) -> ExtensionError {
    ExtensionError {
        code: CloseCode::INVALID_PAYLOAD,
        reason,
    }
}

impl Extension for Deflate {
    fn rsv_bits(&self) -> u8 {
        crate::frame::RSV1
    }

    fn encode(
        &mut self,
        _kind: MessageKind,
        payload: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<Option<u8>, ExtensionError> {
        if !self.compresses(payload) {
            return Ok(None);
        }
        let (level, bits) = (self.level, self.side.compress_bits);
        let c = self.compress.get_or_insert_with(|| compressor(level, bits));
        deflate_into(c, payload, out)?;
        if self.side.compress_reset {
            self.compress = None;
        }
        Ok(Some(crate::frame::RSV1))
    }

    fn shared_encoding(&self) -> Option<u64> {
        // Without context takeover every message is compressed from a fresh state: the output
        // depends on the message, the level, the window and the threshold only.
        (self.side.compress_reset && self.side.compress_bits >= 9).then(|| {
            SHARED_TAG
                | u64::from(self.level) << 40
                | u64::from(self.side.compress_bits) << 32
                | (self.threshold as u64).min(u64::from(u32::MAX))
        })
    }

    fn encode_shared(
        &self,
        _kind: MessageKind,
        payload: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<Option<u8>, ExtensionError> {
        if !self.compresses(payload) {
            return Ok(None);
        }
        let mut c = compressor(self.level, self.side.compress_bits);
        deflate_into(&mut c, payload, out)?;
        Ok(Some(crate::frame::RSV1))
    }

    fn decode(
        &mut self,
        _rsv: u8,
        payload: &[u8],
        fin: bool,
        out: &mut BytesMut,
        max_len: usize,
    ) -> Result<(), ExtensionError> {
        self.inflate(payload, out, max_len)?;
        if fin {
            self.inflate(&TAIL, out, max_len)?;
            if self.side.decompress_reset {
                self.decompress = None;
            }
        }
        Ok(())
    }
}

impl Deflate {
    /// Inflates all of `input` into `out`, never letting `out` pass `max_len`.
    fn inflate(
        &mut self,
        input: &[u8],
        out: &mut BytesMut,
        max_len: usize,
    ) -> Result<(), ExtensionError> {
        // The negotiated window: smaller costs less, and a peer that reaches past it fails.
        let bits = self.side.decompress_bits;
        let d = self
            .decompress
            .get_or_insert_with(|| Decompress::new_with_window_bits(false, bits));
        let start_in = d.total_in();
        loop {
            let consumed = (d.total_in() - start_in) as usize;
            let len = out.len();
            let room = max_len.saturating_sub(len).min(INFLATE_STEP);
            // One byte past the limit tells "exactly at the limit" from "over it".
            out.resize(len + room + 1, 0);
            let before_out = d.total_out();
            let status = d.decompress(&input[consumed..], &mut out[len..], FlushDecompress::Sync);
            let produced = (d.total_out() - before_out) as usize;
            out.truncate(len + produced);
            let status = status.map_err(|_| corrupt("corrupt compressed data"))?;
            if out.len() > max_len {
                return Err(ExtensionError {
                    code: CloseCode::MESSAGE_TOO_BIG,
                    reason: "message over the size limit once inflated",
                });
            }
            let all_in = (d.total_in() - start_in) as usize == input.len();
            if status == Status::StreamEnd {
                return Err(corrupt("a final deflate block inside a message"));
            }
            if all_in && produced <= room {
                return Ok(());
            }
            if produced == 0 && !all_in && status == Status::BufError {
                return Err(corrupt("corrupt compressed data"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offer(s: &str) -> ExtensionOffer {
        ExtensionOffer::parse_list(s).unwrap().remove(0)
    }

    #[test]
    fn parameters_follow_rfc_7692_section_7() {
        assert!(params(&offer("permessage-deflate; client_max_window_bits")).is_some());
        assert_eq!(
            params(&offer("permessage-deflate; server_max_window_bits=10"))
                .unwrap()
                .server_max_window_bits,
            Some(10)
        );
        for bad in [
            "permessage-deflate; server_max_window_bits",
            "permessage-deflate; server_max_window_bits=7",
            "permessage-deflate; server_max_window_bits=16",
            "permessage-deflate; server_max_window_bits=010",
            "permessage-deflate; client_max_window_bits=x",
            "permessage-deflate; server_no_context_takeover=1",
            "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
            "permessage-deflate; unknown",
        ] {
            assert!(params(&offer(bad)).is_none(), "{bad}");
        }
    }

    #[test]
    fn the_server_skips_bad_offers_and_answers_the_first_good_one() {
        let server = PerMessageDeflate::default();
        let bad = offer("permessage-deflate; server_max_window_bits=99");
        let good = offer("permessage-deflate; client_max_window_bits; server_no_context_takeover");
        let (response, _) = server.negotiate(&[&bad, &good]).unwrap();
        assert_eq!(
            response,
            "permessage-deflate; server_no_context_takeover; client_max_window_bits=15"
        );
        let plain = offer("permessage-deflate");
        let (response, _) = server.negotiate(&[&plain]).unwrap();
        assert_eq!(response, "permessage-deflate"); // no client_max_window_bits: may not limit it
        let refusing = PerMessageDeflate::default().with_policy(DeflatePolicy::Refuse);
        assert!(refusing.negotiate(&[&good]).is_none());
        let small = PerMessageDeflate::default()
            .with_policy(DeflatePolicy::AcceptNoContextTakeover)
            .with_max_window_bits(10);
        let (response, _) = small.negotiate(&[&good]).unwrap();
        assert_eq!(
            response,
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=10"
        );
        // An offer that only allows an 8-bit server window is accepted, and the server never
        // compresses (zlib cannot honour 8 bits); what the client compresses is still inflated.
        let (response, mut ext) = server
            .negotiate(&[&offer("permessage-deflate; server_max_window_bits=8")])
            .unwrap();
        assert_eq!(response, "permessage-deflate; server_max_window_bits=8");
        let mut out = Vec::new();
        let long = [b'a'; 1000];
        assert_eq!(
            ext.encode(MessageKind::Text, &long, &mut out).unwrap(),
            None
        );
    }

    #[test]
    fn the_client_checks_the_response() {
        let client = PerMessageDeflate::default();
        assert!(client.accept(&offer("permessage-deflate")).is_ok());
        assert!(
            client
                .accept(&offer("permessage-deflate; client_max_window_bits=12"))
                .is_ok()
        );
        assert!(
            client
                .accept(&offer("permessage-deflate; client_max_window_bits"))
                .is_err()
        );
        assert!(client.accept(&offer("permessage-deflate; bogus")).is_err());
        let strict = PerMessageDeflate::default().with_no_context_takeover(true);
        assert!(strict.accept(&offer("permessage-deflate")).is_err());
    }

    /// Compresses with one side's instance and inflates with the other's.
    fn pair(server_offer: &str) -> (Box<dyn Extension>, Box<dyn Extension>) {
        let server = PerMessageDeflate::default().with_threshold(0);
        let (response, server_ext) = server.negotiate(&[&offer(server_offer)]).unwrap();
        let client_ext = server.accept(&offer(&response)).unwrap();
        (client_ext, server_ext)
    }

    fn round_trip(
        from: &mut dyn Extension,
        to: &mut dyn Extension,
        data: &[u8],
    ) -> (usize, Vec<u8>) {
        let mut wire = Vec::new();
        let rsv = from.encode(MessageKind::Binary, data, &mut wire).unwrap();
        assert_eq!(rsv, Some(crate::frame::RSV1));
        let mut out = BytesMut::new();
        // Deliver the compressed payload in two frames, as a fragmented message would.
        let (a, b) = wire.split_at(wire.len() / 2);
        to.decode(crate::frame::RSV1, a, false, &mut out, 1 << 20)
            .unwrap();
        to.decode(crate::frame::RSV1, b, true, &mut out, 1 << 20)
            .unwrap();
        (wire.len(), out.to_vec())
    }

    #[test]
    fn messages_round_trip_and_context_takeover_helps_the_second_one() {
        let text = b"The quick brown fox jumps over the lazy dog. ".repeat(20);
        let (mut client, mut server) = pair("permessage-deflate; client_max_window_bits");
        let (first, back) = round_trip(client.as_mut(), server.as_mut(), &text);
        assert_eq!(back, text);
        let (second, back) = round_trip(client.as_mut(), server.as_mut(), &text);
        assert_eq!(back, text);
        assert!(
            second < first,
            "the shared context makes the repeat cheaper ({second} vs {first})"
        );
        let (_, back) = round_trip(server.as_mut(), client.as_mut(), &text);
        assert_eq!(back, text);

        let (mut client, mut server) = pair(
            "permessage-deflate; client_max_window_bits; client_no_context_takeover; server_no_context_takeover",
        );
        let (first, _) = round_trip(client.as_mut(), server.as_mut(), &text);
        let (second, back) = round_trip(client.as_mut(), server.as_mut(), &text);
        assert_eq!(back, text);
        assert_eq!(
            first, second,
            "no context takeover: every message starts afresh"
        );
    }

    #[test]
    fn a_bomb_stops_at_the_limit() {
        let (mut client, mut server) = pair("permessage-deflate");
        let zeros = alloc::vec![0u8; 8 << 20];
        let mut wire = Vec::new();
        client
            .encode(MessageKind::Binary, &zeros, &mut wire)
            .unwrap();
        assert!(wire.len() < 16 << 10, "{} bytes", wire.len());
        let mut out = BytesMut::new();
        let err = server
            .decode(crate::frame::RSV1, &wire, true, &mut out, 1 << 20)
            .unwrap_err();
        assert_eq!(err.code, CloseCode::MESSAGE_TOO_BIG);
        assert!(out.len() <= (1 << 20) + 1, "{} bytes inflated", out.len());
        let mut out = BytesMut::new();
        let err = server.decode(
            crate::frame::RSV1,
            b"\xff\xff\xff\xff garbage",
            true,
            &mut out,
            1 << 20,
        );
        assert_eq!(err.unwrap_err().code, CloseCode::INVALID_PAYLOAD);
    }

    #[test]
    fn small_messages_stay_uncompressed() {
        let server = PerMessageDeflate::default();
        let (_, mut ext) = server.negotiate(&[&offer("permessage-deflate")]).unwrap();
        let mut out = Vec::new();
        assert_eq!(
            ext.encode(MessageKind::Text, b"short", &mut out).unwrap(),
            None
        );
    }
}
