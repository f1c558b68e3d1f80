//! permessage-deflate (RFC 7692) for the tester alone, for the groups 12 and 13: the offer it
//! makes as a client, the answer it gives as a server, the checks of the peer's answer against
//! RFC 7692 §7, and the codec (flate2, with the negotiated windows, so a peer that reaches past
//! its window fails to inflate). Written apart from Sansock's core so it cannot share its bugs.

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

/// The 4 bytes a sync flush ends with: stripped by senders, put back by receivers (§7.2.1).
const TAIL: [u8; 4] = [0x00, 0x00, 0xff, 0xff];

/// One element of a `Sec-WebSocket-Extensions` header: a name and its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    /// The extension token.
    pub name: String,
    /// The parameters in order, values unquoted.
    pub params: Vec<(String, Option<String>)>,
}

impl Element {
    fn has(&self, name: &str) -> bool {
        self.params.iter().any(|(n, _)| n == name)
    }

    fn value(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.as_deref())
    }
}

/// Parses a header value leniently (the tester judges the result, not the grammar).
pub fn parse(header: &str) -> Vec<Element> {
    header
        .split(',')
        .filter(|e| !e.trim().is_empty())
        .map(|e| {
            let mut parts = e.split(';').map(str::trim);
            let name = parts.next().unwrap_or("").to_ascii_lowercase();
            let params = parts
                .filter(|p| !p.is_empty())
                .map(|p| match p.split_once('=') {
                    Some((n, v)) => (
                        n.trim().to_ascii_lowercase(),
                        Some(v.trim().trim_matches('"').to_string()),
                    ),
                    None => (p.to_ascii_lowercase(), None),
                })
                .collect();
            Element { name, params }
        })
        .collect()
}

fn bits(v: Option<&str>) -> Option<u8> {
    let v = v?;
    if v.starts_with('0') {
        return None;
    }
    v.parse().ok().filter(|b| (8..=15).contains(b))
}

/// Checks one element's parameters (§7.1): known names, each once, values where required.
fn well_formed(e: &Element) -> Result<(), String> {
    let mut seen: Vec<&str> = Vec::new();
    for (name, value) in &e.params {
        if seen.contains(&name.as_str()) {
            return Err(format!("parameter {name} repeated"));
        }
        seen.push(name);
        let ok = match name.as_str() {
            "server_no_context_takeover" | "client_no_context_takeover" => value.is_none(),
            "server_max_window_bits" => bits(value.as_deref()).is_some(),
            "client_max_window_bits" => value.is_none() || bits(value.as_deref()).is_some(),
            _ => false,
        };
        if !ok {
            return Err(format!("invalid parameter {name}{value:?}"));
        }
    }
    Ok(())
}

/// What each direction of a connection uses once permessage-deflate is agreed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Agreed {
    /// Window bits the tester compresses with (below 9: it sends uncompressed, as it may).
    pub send_bits: u8,
    /// The tester resets its compressor after each message.
    pub send_reset: bool,
    /// Window bits the peer compresses within.
    pub recv_bits: u8,
    /// The peer resets its compressor after each message.
    pub recv_reset: bool,
}

/// How the tester, as a server, answers a client's offer (a case of group 13 in client mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Answer {
    /// Ask the client for `client_no_context_takeover`.
    pub client_no_context_takeover: bool,
    /// Limit the client's window, if it offered `client_max_window_bits`.
    pub client_max_window_bits: Option<u8>,
}

/// The tester as a client: judges the server's answer to `offer`. `Ok(None)`: declined.
///
/// # Errors
/// What in the answer breaks RFC 7692 §7.
pub fn check_answer(offer: &str, answer: Option<&str>) -> Result<Option<Agreed>, String> {
    let Some(answer) = answer else {
        return Ok(None);
    };
    let elements = parse(answer);
    let [r] = &elements[..] else {
        return Err(format!(
            "{} extensions in the answer {answer:?}",
            elements.len()
        ));
    };
    if r.name != "permessage-deflate" {
        return Err(format!("an extension that was not offered: {answer:?}"));
    }
    well_formed(r).map_err(|e| format!("{e} in {answer:?}"))?;
    let offers = parse(offer);
    // The answer must accept one of the offers as that offer allows.
    let fits = |o: &Element| {
        let window_ok = match bits(o.value("server_max_window_bits")) {
            Some(limit) => bits(r.value("server_max_window_bits")).is_some_and(|b| b <= limit),
            None => true,
        };
        let client_bits_ok = !r.has("client_max_window_bits") || o.has("client_max_window_bits");
        let takeover_ok =
            !o.has("server_no_context_takeover") || r.has("server_no_context_takeover");
        window_ok && client_bits_ok && takeover_ok
    };
    if !offers.iter().any(fits) {
        return Err(format!(
            "the answer {answer:?} accepts none of the offers {offer:?}"
        ));
    }
    Ok(Some(Agreed {
        send_bits: bits(r.value("client_max_window_bits")).unwrap_or(15),
        send_reset: r.has("client_no_context_takeover"),
        recv_bits: bits(r.value("server_max_window_bits")).unwrap_or(15),
        recv_reset: r.has("server_no_context_takeover"),
    }))
}

/// The tester as a server: picks the client's first well-formed offer and writes the answer;
/// `None` when the client offered no usable permessage-deflate.
pub fn answer(offers: Option<&str>, how: Answer) -> Option<(String, Agreed)> {
    let offers = parse(offers?);
    let o = offers
        .iter()
        .find(|o| o.name == "permessage-deflate" && well_formed(o).is_ok())?;
    let mut out = String::from("permessage-deflate");
    let server_reset = o.has("server_no_context_takeover");
    if server_reset {
        out.push_str("; server_no_context_takeover");
    }
    let server_bits = bits(o.value("server_max_window_bits"));
    if let Some(b) = server_bits {
        out.push_str(&format!("; server_max_window_bits={b}"));
    }
    let client_reset = how.client_no_context_takeover || o.has("client_no_context_takeover");
    if how.client_no_context_takeover {
        out.push_str("; client_no_context_takeover");
    }
    let mut client_bits = bits(o.value("client_max_window_bits")).unwrap_or(15);
    if let Some(b) = how
        .client_max_window_bits
        .filter(|_| o.has("client_max_window_bits"))
    {
        client_bits = client_bits.min(b);
        out.push_str(&format!("; client_max_window_bits={client_bits}"));
    }
    Some((
        out,
        Agreed {
            send_bits: server_bits.unwrap_or(15),
            send_reset: server_reset,
            recv_bits: client_bits,
            recv_reset: client_reset,
        },
    ))
}

/// The compressing half: one per connection, used by the writer.
pub struct Deflater {
    c: Option<Compress>,
    bits: u8,
    reset: bool,
}

impl Deflater {
    /// Compresses within `agreed.send_bits`.
    pub fn new(agreed: &Agreed) -> Self {
        Deflater {
            c: None,
            bits: agreed.send_bits,
            reset: agreed.send_reset,
        }
    }

    /// A message's payload compressed (tail stripped), or `None` to send it as it is (an
    /// 8-bit window, which zlib cannot write).
    pub fn compress(&mut self, data: &[u8]) -> Option<Vec<u8>> {
        if self.bits < 9 || data.is_empty() {
            return None;
        }
        let bits = self.bits;
        let c = self.c.get_or_insert_with(|| {
            Compress::new_with_window_bits(Compression::fast(), false, bits)
        });
        let mut out = Vec::with_capacity(data.len() / 2 + 64);
        let start = c.total_in();
        loop {
            let done = (c.total_in() - start) as usize;
            if out.len() == out.capacity() {
                out.reserve(out.capacity().max(64));
            }
            c.compress_vec(&data[done..], &mut out, FlushCompress::Sync)
                .ok()?;
            let all_in = (c.total_in() - start) as usize == data.len();
            // Done once all input is in with room to spare (zlib stops early only when full).
            if all_in && out.len() < out.capacity() {
                break;
            }
        }
        if out.ends_with(&TAIL) {
            out.truncate(out.len() - 4);
        }
        if self.reset {
            self.c = None;
        }
        Some(out)
    }
}

/// The inflating half: one per connection, used by the reader.
#[derive(Debug)]
pub struct Inflater {
    d: Option<Decompress>,
    bits: u8,
    reset: bool,
}

impl Inflater {
    /// Inflates what the peer compressed within `agreed.recv_bits`.
    pub fn new(agreed: &Agreed) -> Self {
        Inflater {
            d: None,
            bits: agreed.recv_bits.max(9),
            reset: agreed.recv_reset,
        }
    }

    /// A whole message's payload inflated; at most `limit` bytes.
    ///
    /// # Errors
    /// Corrupt data, or more than `limit` bytes.
    pub fn inflate(&mut self, data: &[u8], limit: usize) -> Result<Vec<u8>, String> {
        let bits = self.bits;
        let d = self
            .d
            .get_or_insert_with(|| Decompress::new_with_window_bits(false, bits));
        let input = [data, &TAIL[..]].concat();
        let mut out = Vec::with_capacity(data.len() * 4 + 64);
        let start = d.total_in();
        loop {
            let done = (d.total_in() - start) as usize;
            if out.len() == out.capacity() {
                out.reserve(out.capacity());
            }
            let before = out.len();
            let status = d
                .decompress_vec(&input[done..], &mut out, FlushDecompress::Sync)
                .map_err(|e| format!("the peer's compressed data does not inflate: {e}"))?;
            if status == Status::StreamEnd {
                return Err("a final deflate block inside a message".into());
            }
            if out.len() > limit {
                return Err(format!("a message inflating past {limit} bytes"));
            }
            let all_in = (d.total_in() - start) as usize == input.len();
            if all_in && out.len() < out.capacity() {
                break;
            }
            if out.len() == before && !all_in && status == Status::BufError {
                return Err("the peer's compressed data does not inflate".into());
            }
        }
        if self.reset {
            self.d = None;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_judged_against_the_offer() {
        let offer = "permessage-deflate; server_max_window_bits=10; client_max_window_bits";
        let ok = "permessage-deflate; server_max_window_bits=9; client_max_window_bits=12";
        let agreed = check_answer(offer, Some(ok)).unwrap().unwrap();
        assert_eq!((agreed.send_bits, agreed.recv_bits), (12, 9));
        assert_eq!(check_answer(offer, None), Ok(None));
        for bad in [
            "permessage-deflate; server_max_window_bits=11",
            "permessage-deflate",
            "permessage-deflate; server_max_window_bits=9; bogus",
            "permessage-deflate; server_max_window_bits=9; server_max_window_bits=9",
            "x-webkit-deflate-frame",
            "permessage-deflate; server_max_window_bits=9, permessage-deflate",
        ] {
            assert!(check_answer(offer, Some(bad)).is_err(), "{bad}");
        }
        let takeover = "permessage-deflate; server_no_context_takeover";
        assert!(check_answer(takeover, Some("permessage-deflate")).is_err());
        assert!(
            check_answer(
                "permessage-deflate",
                Some("permessage-deflate; client_max_window_bits=9")
            )
            .is_err()
        );
    }

    #[test]
    fn the_server_answer_follows_the_offer() {
        let how = Answer {
            client_no_context_takeover: true,
            client_max_window_bits: Some(9),
        };
        let (text, agreed) = answer(
            Some("permessage-deflate; client_max_window_bits; server_max_window_bits=10"),
            how,
        )
        .unwrap();
        assert_eq!(
            text,
            "permessage-deflate; server_max_window_bits=10; client_no_context_takeover; client_max_window_bits=9"
        );
        assert_eq!(
            (agreed.send_bits, agreed.recv_bits, agreed.recv_reset),
            (10, 9, true)
        );
        assert!(answer(Some("permessage-deflate; bogus"), how).is_none());
        assert!(answer(None, how).is_none());
    }

    #[test]
    fn compressed_messages_inflate_and_contexts_follow_the_agreement() {
        for reset in [false, true] {
            let agreed = Agreed {
                send_bits: 9,
                send_reset: reset,
                recv_bits: 9,
                recv_reset: reset,
            };
            let (mut d, mut i) = (Deflater::new(&agreed), Inflater::new(&agreed));
            let text = b"hello hello hello hello hello".repeat(50);
            for _ in 0..3 {
                let z = d.compress(&text).unwrap();
                assert!(z.len() < text.len() / 4);
                assert_eq!(i.inflate(&z, 1 << 20).unwrap(), text);
            }
            assert!(i.inflate(&[0xff; 10], 1 << 20).is_err());
        }
    }
}
