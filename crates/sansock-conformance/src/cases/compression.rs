//! Groups 12 and 13, permessage-deflate (RFC 7692): bursts of messages the peer must echo,
//! compressed both ways. Group 12 varies the data (five corpora) with the default parameters;
//! group 13 varies the parameters (context takeover, window bits, several offers) on JSON.
//!
//! Each section has Autobahn's 18 cases: ten message sizes from 16 B to 128 KiB in one frame
//! each, then 8, 16, 32, 64 and 128 KiB with the compressed payload in 256-byte frames and
//! 128 KiB in 1, 4 and 32 KiB frames, one message at a time (the next once the last came
//! back). Autobahn sends 1000 messages in every case, from files it ships (Goethe's Faust, a
//! bitmap, a PDF, JSON, HTML): with those files (`--autobahn-data`) so does the tester; with
//! the corpora generated to be like them (`corpus.rs`, the default) a case sends at most 1 MiB
//! (a 128 KiB case sends 8), which keeps the 216 cases to seconds per peer.

use crate::case::{Case, CloseRule, DeflateCase, Step};
use crate::corpus::{Burst, Corpus};
use crate::deflate::Answer;

const SIZES: [usize; 10] = [16, 64, 256, 1024, 4096, 8192, 16384, 32768, 65536, 131072];
/// Autobahn's fragmented sizes: (message size, frame size).
const FRAGMENTED: [(usize, usize); 8] = [
    (8192, 256),
    (16384, 256),
    (32768, 256),
    (65536, 256),
    (131072, 256),
    (131072, 1024),
    (131072, 4096),
    (131072, 32768),
];

fn section(out: &mut Vec<Case>, prefix: &str, corpus: Corpus, deflate: &DeflateCase, what: &str) {
    let fragmented = FRAGMENTED.into_iter();
    let whole = SIZES.iter().map(|&s| (s, 0));
    for (n, (size, fragment)) in whole.chain(fragmented).enumerate() {
        let count = 1000;
        let frames = if fragment == 0 {
            String::from("one frame each")
        } else {
            format!("{fragment}-byte frames")
        };
        let mut case = Case::new(
            format!("{prefix}.{}", n + 1),
            format!(
                "compressed messages of {size} bytes of {}, {frames}, each echoed; {what}",
                corpus.describe()
            ),
            vec![Step::Burst(Burst {
                corpus,
                size,
                count,
                fragment,
            })],
            Vec::new(),
            CloseRule::clean(),
        );
        case.limit_secs = 30;
        case.deflate = Some(deflate.clone());
        out.push(case);
    }
}

/// Group 12: the data varies, the parameters are the defaults.
pub(super) fn payloads(out: &mut Vec<Case>) {
    let default = DeflateCase {
        offer: "permessage-deflate; client_max_window_bits".into(),
        answer: Answer::default(),
    };
    for (i, corpus) in [
        Corpus::Json,
        Corpus::Bitmap,
        Corpus::German,
        Corpus::Html,
        Corpus::Pdf,
    ]
    .into_iter()
    .enumerate()
    {
        let prefix = format!("12.{}", i + 1);
        section(out, &prefix, corpus, &default, "default parameters");
    }
}

/// Group 13: the parameters vary. As a client the tester offers them (asking the server); as a
/// server it answers with them (asking the client).
pub(super) fn parameters(out: &mut Vec<Case>) {
    const BASE: &str = "permessage-deflate; client_max_window_bits";
    let combos: [(&str, String, Answer); 7] = [
        ("default parameters", BASE.into(), Answer::default()),
        (
            "no context takeover",
            format!("{BASE}; server_no_context_takeover"),
            Answer {
                client_no_context_takeover: true,
                client_max_window_bits: None,
            },
        ),
        (
            "9-bit windows",
            format!("{BASE}; server_max_window_bits=9"),
            Answer {
                client_no_context_takeover: false,
                client_max_window_bits: Some(9),
            },
        ),
        (
            "15-bit windows, asked for",
            format!("{BASE}; server_max_window_bits=15"),
            Answer {
                client_no_context_takeover: false,
                client_max_window_bits: Some(15),
            },
        ),
        (
            "no context takeover and 9-bit windows",
            format!("{BASE}; server_no_context_takeover; server_max_window_bits=9"),
            Answer {
                client_no_context_takeover: true,
                client_max_window_bits: Some(9),
            },
        ),
        (
            "no context takeover and 15-bit windows",
            format!("{BASE}; server_no_context_takeover; server_max_window_bits=15"),
            Answer {
                client_no_context_takeover: true,
                client_max_window_bits: Some(15),
            },
        ),
        (
            "three offers (8-bit window, no context takeover, plain) / 8-bit client window",
            format!(
                "{BASE}; server_max_window_bits=8, {BASE}; server_no_context_takeover, \
                 permessage-deflate"
            ),
            Answer {
                client_no_context_takeover: true,
                client_max_window_bits: Some(8),
            },
        ),
    ];
    for (i, (what, offer, answer)) in combos.into_iter().enumerate() {
        let deflate = DeflateCase { offer, answer };
        section(out, &format!("13.{}", i + 1), Corpus::Json, &deflate, what);
    }
}
