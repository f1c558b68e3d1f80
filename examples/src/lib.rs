//! What the example programs share: command-line flags, a tiny JSON string encoder for the chat's
//! messages, the pages they serve, and the chat room itself ([`chat`], so tests can run it).
//! The programs are `echo_server.rs`, `chat.rs` and `client.rs` beside this crate's manifest.

pub mod chat;

/// The echo server's test page (served at `/`).
pub const ECHO_PAGE: &str = include_str!("../pages/echo.html");
/// The chat room's page (served at `/`).
pub const CHAT_PAGE: &str = include_str!("../pages/chat.html");

/// The values of every `--name VALUE` in `args`.
pub fn flag_values(args: &[String], name: &str) -> Vec<String> {
    args.windows(2)
        .filter(|w| w[0] == name)
        .map(|w| w[1].clone())
        .collect()
}

/// The value of `--port`, or `default`.
pub fn port(args: &[String], default: u16) -> u16 {
    flag_values(args, "--port")
        .last()
        .and_then(|p| p.parse().ok())
        .unwrap_or(default)
}

/// `s` as a JSON string literal, quotes included.
///
/// ```
/// assert_eq!(sansock_examples::json_string("a\"b\\\n\u{1}"), r#""a\"b\\\n\u0001""#);
/// ```
pub fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The first value of `key` in a URL query (percent-decoded).
///
/// ```
/// assert_eq!(sansock_examples::query_value(Some("nick=J%C3%BCrgen&x=1"), "nick").as_deref(), Some("Jürgen"));
/// ```
pub fn query_value(query: Option<&str>, key: &str) -> Option<String> {
    url::form_urlencoded::parse(query?.as_bytes())
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}
