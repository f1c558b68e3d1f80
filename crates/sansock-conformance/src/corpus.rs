//! The payloads of the compression groups (12 and 13): five kinds of data, made here from a
//! seed rather than shipped as files — JSON records, a black-and-white bitmap, German verse,
//! HTML, and a PDF-like mix of text and incompressible streams — and the burst of messages a
//! case sends, each a different slice of its corpus.
//!
//! Or Autobahn's own files ([`use_autobahn_data`], `--autobahn-data DIR`: its `testdata`,
//! fetched from PyPI by `scripts/autobahn-data.sh`): then the messages are Autobahn's — the
//! same files, text and binary as it sends them, consecutive slices as it takes them (text
//! sliced by characters).

use std::path::Path;
use std::sync::OnceLock;

/// Autobahn's data files, in the order of [`Corpus`]'s variants, once loaded.
static AUTOBAHN: OnceLock<[Vec<u8>; 5]> = OnceLock::new();

/// The most messages a burst sends, if capped ([`cap_messages`]).
static CAP: OnceLock<usize> = OnceLock::new();

/// From now on, a burst sends at most `count` messages (its first `count`, as Autobahn would
/// send them): for quick runs on Autobahn's data, whose full traffic — 1000 messages in each
/// of the 216 cases, up to 128 KiB each — is about 11 GB each way and takes minutes.
pub fn cap_messages(count: usize) {
    let _ = CAP.set(count.max(1));
}

/// Autobahn's file names, in the order of [`Corpus`]'s variants.
pub const AUTOBAHN_FILES: [&str; 5] = [
    "data1.json",
    "lena512.bmp",
    "pg2229.txt",
    "data1.html",
    "10.1.1.105.5439.pdf",
];

/// From now on, the corpora are Autobahn's files in `dir` (its `testdata` directory).
///
/// # Errors
/// A file that cannot be read, or text that is not UTF-8.
pub fn use_autobahn_data(dir: &Path) -> Result<(), String> {
    let mut files: [Vec<u8>; 5] = Default::default();
    for (slot, name) in files.iter_mut().zip(AUTOBAHN_FILES) {
        let path = dir.join(name);
        *slot = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    for text in [&files[0], &files[3]] {
        std::str::from_utf8(text).map_err(|e| format!("Autobahn's text data: {e}"))?;
    }
    let _ = AUTOBAHN.set(files);
    Ok(())
}

/// Autobahn's files, if in use.
fn autobahn() -> Option<&'static [Vec<u8>; 5]> {
    AUTOBAHN.get()
}

/// A kind of data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Corpus {
    /// JSON records (text).
    Json,
    /// A 512×512 black-and-white bitmap with its header (binary, long runs).
    Bitmap,
    /// German verse with umlauts and ß (text, multi-byte UTF-8).
    German,
    /// An HTML page (text).
    Html,
    /// PDF-like: text objects between streams of random bytes (binary, partly incompressible).
    Pdf,
}

/// Size of every corpus: a little over the largest message (128 KiB).
const LEN: usize = 320 << 10;

/// A xorshift sequence: the same bytes on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

impl Corpus {
    /// Its bytes (made once per process, or Autobahn's file).
    pub fn bytes(self) -> &'static [u8] {
        static CELLS: [OnceLock<Vec<u8>>; 5] = [const { OnceLock::new() }; 5];
        let i = self as usize;
        match autobahn() {
            Some(files) => &files[i],
            None => CELLS[i].get_or_init(|| self.make()),
        }
    }

    /// Whether its messages are text (Autobahn sends its Faust as binary).
    pub fn is_text(self) -> bool {
        match autobahn() {
            Some(_) => matches!(self, Corpus::Json | Corpus::Html),
            None => matches!(self, Corpus::Json | Corpus::German | Corpus::Html),
        }
    }

    /// In words, for case titles.
    pub fn describe(self) -> &'static str {
        match self {
            Corpus::Json => "JSON records",
            Corpus::Bitmap => "a black-and-white bitmap",
            Corpus::German => "German verse",
            Corpus::Html => "an HTML page",
            Corpus::Pdf => "a PDF-like file",
        }
    }

    fn make(self) -> Vec<u8> {
        let mut r = Rng(0x9e37_79b9_7f4a_7c15 ^ self as u64);
        let mut out = String::with_capacity(LEN + 256);
        match self {
            Corpus::Json => {
                out.push('[');
                let mut id = 0;
                while out.len() < LEN {
                    id += 1;
                    let score = r.below(100_000);
                    let tag = ["red", "green", "blue", "admin", "guest"][r.below(5)];
                    out.push_str(&format!(
                        "{{\"id\":{id},\"name\":\"user{id}\",\"email\":\"user{id}@example.org\",\
                         \"active\":{},\"score\":{}.{:03},\"tags\":[\"{tag}\"]}},\n",
                        r.below(2) == 0,
                        score / 1000,
                        score % 1000
                    ));
                }
            }
            Corpus::German => {
                const WORDS: [&str; 24] = [
                    "Habe",
                    "nun,",
                    "ach!",
                    "Philosophie,",
                    "Juristerei",
                    "und",
                    "Medizin,",
                    "leider",
                    "auch",
                    "Theologie",
                    "durchaus",
                    "studiert,",
                    "mit",
                    "heißem",
                    "Bemühn.",
                    "Da",
                    "steh",
                    "ich",
                    "armer",
                    "Tor!",
                    "klug",
                    "zuvor;",
                    "Größe",
                    "Übermut",
                ];
                while out.len() < LEN {
                    out.push_str(WORDS[r.below(WORDS.len())]);
                    out.push(if r.below(9) == 0 { '\n' } else { ' ' });
                }
            }
            Corpus::Html => {
                out.push_str("<!DOCTYPE html><html><head><title>Sansock</title></head><body>\n");
                let mut n = 0;
                while out.len() < LEN {
                    n += 1;
                    out.push_str(&format!(
                        "<div class=\"row r{}\"><a href=\"/item/{n}\">Item {n}</a>\
                         <span class=\"price\">{}.{:02} EUR</span><p>Lorem ipsum dolor sit amet \
                         {}</p></div>\n",
                        n % 7,
                        r.below(500),
                        r.below(100),
                        r.below(1_000_000)
                    ));
                }
            }
            Corpus::Bitmap | Corpus::Pdf => return self.make_binary(&mut r),
        }
        out.into_bytes()
    }

    fn make_binary(self, r: &mut Rng) -> Vec<u8> {
        let mut out = Vec::with_capacity(LEN + 4096);
        if self == Corpus::Bitmap {
            out.extend_from_slice(b"BM\x36\x04\x04\x00\x00\x00\x00\x00\x36\x04\x00\x00");
            while out.len() < LEN {
                let run = 1 + r.below(64);
                let v = if r.below(2) == 0 { 0x00 } else { 0xff };
                out.extend(std::iter::repeat_n(v, run));
            }
        } else {
            out.extend_from_slice(b"%PDF-1.7\n");
            let mut n = 0;
            while out.len() < LEN {
                n += 1;
                out.extend_from_slice(
                    format!("{n} 0 obj\n<< /Type /Page /Parent 1 0 R /Length 512 >>\nstream\n")
                        .as_bytes(),
                );
                out.extend((0..512).map(|_| r.next() as u8));
                out.extend_from_slice(b"\nendstream\nendobj\n");
            }
        }
        out
    }
}

/// A burst: `count` messages of about `size` bytes from `corpus`, each compressed (when agreed)
/// and sent in frames of `fragment` bytes (0: one frame), one at a time (the next once the
/// last came back), as Autobahn sends them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Burst {
    /// The data.
    pub corpus: Corpus,
    /// Bytes per message (text messages end on a character boundary, so may be a few shorter).
    pub size: usize,
    /// How many messages Autobahn sends (1000); see [`messages`](Self::messages).
    pub count: usize,
    /// Frame size for the compressed payload (0: one frame per message).
    pub fragment: usize,
}

/// Bytes a burst of the generated corpora sends at most.
const BUDGET: usize = 1 << 20;

impl Burst {
    /// How many messages are sent: Autobahn's count with Autobahn's data (its traffic, message
    /// for message); with the generated corpora at most 1 MiB's worth (a 128 KiB case sends 8),
    /// which keeps the 216 compression cases to seconds; either way at most the cap, if one
    /// was set ([`cap_messages`]).
    pub fn messages(&self) -> usize {
        let n = if autobahn().is_some() {
            self.count
        } else {
            (BUDGET / self.size.max(1)).clamp(1, self.count)
        };
        CAP.get().map_or(n, |&cap| n.min(cap))
    }

    /// Message `i`: a slice of the corpus at an offset of its own (with Autobahn's data, the
    /// slice after message `i - 1`'s, wrapping around, as Autobahn takes them).
    pub fn message(&self, i: usize) -> Vec<u8> {
        let c = self.corpus.bytes();
        if autobahn().is_some() {
            return self.consecutive(c, i);
        }
        let span = c.len() - self.size;
        let mut start = (i * 7919 + 13) * 104_729 % span;
        let mut end = start + self.size;
        if self.corpus.is_text() {
            // The text corpora are valid UTF-8: a char starts at any byte that is not a
            // continuation byte (no need to validate the whole corpus for each message).
            let inside = |at: usize| c.get(at).is_some_and(|b| b & 0xC0 == 0x80);
            while inside(start) {
                start += 1;
            }
            while inside(end) {
                end -= 1;
            }
        }
        c[start..end.max(start)].to_vec()
    }

    /// Autobahn's slicing: message `i` is units `i * size ..` of the data, wrapping around;
    /// units are characters for text, bytes otherwise.
    fn consecutive(&self, data: &[u8], i: usize) -> Vec<u8> {
        if self.size == 0 {
            return Vec::new();
        }
        if !self.corpus.is_text() {
            let n = data.len();
            return (0..self.size)
                .map(|k| data[(i * self.size + k) % n])
                .collect();
        }
        static CHARS: [OnceLock<Vec<char>>; 5] = [const { OnceLock::new() }; 5];
        let chars = CHARS[self.corpus as usize].get_or_init(|| {
            std::str::from_utf8(data)
                .unwrap_or_default()
                .chars()
                .collect()
        });
        let n = chars.len().max(1);
        (0..self.size)
            .map(|k| chars[(i * self.size + k) % n])
            .collect::<String>()
            .into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corpora_are_as_described() {
        for c in [
            Corpus::Json,
            Corpus::Bitmap,
            Corpus::German,
            Corpus::Html,
            Corpus::Pdf,
        ] {
            assert!(c.bytes().len() >= LEN, "{c:?}");
            assert_eq!(std::str::from_utf8(c.bytes()).is_ok(), c.is_text(), "{c:?}");
        }
        let burst = Burst {
            corpus: Corpus::German,
            size: 1000,
            count: 3,
            fragment: 0,
        };
        let (a, b) = (burst.message(0), burst.message(1));
        assert!(a != b && a.len() > 990 && a.len() <= 1000);
        assert!(std::str::from_utf8(&a).is_ok());
    }
}
