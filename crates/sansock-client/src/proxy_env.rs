//! Which proxy the environment names for a WebSocket URL, by the rules curl and Python's
//! `websockets` follow: `wss_proxy` (for `wss://`) or `ws_proxy` (for `ws://`) first, then
//! `https_proxy` or `http_proxy`, then `all_proxy` — each in lower case before upper case, an
//! empty value counting as unset — unless `no_proxy` lists the host.
//!
//! The rules only: reading the environment is the caller's (a closure), so they are tested
//! without touching the process's environment.

use core::net::IpAddr;

/// The proxy URL the environment (read through `var`) names for a connection to `host:port`,
/// `secure` for `wss://`; `None` when it names none or `no_proxy` excludes the host.
pub(crate) fn proxy_for(
    secure: bool,
    host: &str,
    port: u16,
    var: impl Fn(&str) -> Option<String>,
) -> Option<String> {
    let names: [&str; 3] = if secure {
        ["wss_proxy", "https_proxy", "all_proxy"]
    } else {
        ["ws_proxy", "http_proxy", "all_proxy"]
    };
    let get = |name: &str| {
        var(name)
            .filter(|v| !v.trim().is_empty())
            .or_else(|| var(&name.to_ascii_uppercase()).filter(|v| !v.trim().is_empty()))
    };
    let proxy = names.iter().find_map(|name| get(name))?;
    match get("no_proxy") {
        Some(list) if bypasses(&list, host, port) => None,
        _ => Some(String::from(proxy.trim())),
    }
}

/// Whether the `no_proxy` list `list` excludes `host:port`: entries split by commas or
/// whitespace; `*` excludes everything; a name excludes itself and its subdomains (a leading
/// `.` or `*.` changes nothing); an IP address excludes itself; `entry:port` only that port.
/// Case-insensitive; IPv6 addresses with or without brackets.
pub(crate) fn bypasses(list: &str, host: &str, port: u16) -> bool {
    let host = trim_brackets(host).trim_end_matches('.');
    let host_ip = host.parse::<IpAddr>().ok();
    list.split([',', ' ', '\t', '\n'])
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .any(|entry| {
            if entry == "*" {
                return true;
            }
            let (name, entry_port) = split_port(entry);
            if entry_port.is_some_and(|p| p != port) {
                return false;
            }
            let name = trim_brackets(name);
            if let Ok(ip) = name.parse::<IpAddr>() {
                return host_ip == Some(ip);
            }
            let name = name.trim_start_matches("*.").trim_start_matches('.');
            let name = name.trim_end_matches('.');
            if name.is_empty() || host_ip.is_some() {
                return false;
            }
            host.eq_ignore_ascii_case(name)
                || (host.len() > name.len()
                    && host.as_bytes()[host.len() - name.len() - 1] == b'.'
                    && host[host.len() - name.len()..].eq_ignore_ascii_case(name))
        })
}

fn trim_brackets(host: &str) -> &str {
    host.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host)
}

/// `name:port` into its parts; a bare IPv6 address (several colons, no brackets) has no port.
fn split_port(entry: &str) -> (&str, Option<u16>) {
    if let Some(rest) = entry.strip_prefix('[') {
        if let Some((ip, after)) = rest.split_once(']') {
            let port = after.strip_prefix(':').and_then(|p| p.parse().ok());
            return (ip, port);
        }
    }
    match entry.rsplit_once(':') {
        Some((name, port)) if !name.contains(':') => match port.parse() {
            Ok(port) => (name, Some(port)),
            Err(_) => (entry, None),
        },
        _ => (entry, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_proxy_per_scheme_unless_no_proxy_names_the_host() {
        let env = |name: &str| match name {
            "https_proxy" => Some("http://proxy.corp:3128".to_string()),
            "no_proxy" => Some("localhost,.internal".to_string()),
            _ => None,
        };
        assert_eq!(
            proxy_for(true, "example.com", 443, env).as_deref(),
            Some("http://proxy.corp:3128")
        );
        assert_eq!(proxy_for(true, "db.internal", 443, env), None);
        assert_eq!(proxy_for(false, "example.com", 80, env), None); // no http_proxy for ws://
    }

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn the_websocket_variables_come_first_then_https_http_and_all() {
        let vars = [
            ("wss_proxy", "http://wss:1"),
            ("https_proxy", "http://https:1"),
            ("http_proxy", "http://http:1"),
            ("all_proxy", "socks5h://all:1"),
        ];
        assert_eq!(
            proxy_for(true, "h", 443, env(&vars)).unwrap(),
            "http://wss:1"
        );
        assert_eq!(
            proxy_for(false, "h", 80, env(&vars)).unwrap(),
            "http://http:1"
        );
        assert_eq!(
            proxy_for(true, "h", 443, env(&vars[1..])).unwrap(),
            "http://https:1"
        );
        assert_eq!(
            proxy_for(true, "h", 443, env(&vars[3..])).unwrap(),
            "socks5h://all:1"
        );
        let ws = [("ws_proxy", "http://ws:1"), ("http_proxy", "http://http:1")];
        assert_eq!(proxy_for(false, "h", 80, env(&ws)).unwrap(), "http://ws:1");
    }

    #[test]
    fn lower_case_before_upper_case_and_empty_is_unset() {
        let vars = [("HTTPS_PROXY", "http://upper:1"), ("https_proxy", "")];
        assert_eq!(
            proxy_for(true, "h", 443, env(&vars)).unwrap(),
            "http://upper:1"
        );
        let vars = [
            ("HTTPS_PROXY", "http://upper:1"),
            ("https_proxy", "http://lower:1"),
        ];
        assert_eq!(
            proxy_for(true, "h", 443, env(&vars)).unwrap(),
            "http://lower:1"
        );
        assert_eq!(proxy_for(true, "h", 443, env(&[])), None);
    }

    #[test]
    fn no_proxy_matches_suffixes_ips_ports_and_star() {
        let list = "localhost, .corp.example ,10.0.0.1 api.example.com:8443 [::1] *.dev";
        assert!(bypasses(list, "localhost", 80));
        assert!(bypasses(list, "LOCALHOST", 80));
        assert!(bypasses(list, "a.corp.example", 80));
        assert!(bypasses(list, "corp.example", 80));
        assert!(!bypasses(list, "notcorp.example", 80));
        assert!(bypasses(list, "10.0.0.1", 80));
        assert!(!bypasses(list, "10.0.0.2", 80));
        assert!(bypasses(list, "api.example.com", 8443));
        assert!(!bypasses(list, "api.example.com", 443));
        assert!(bypasses(list, "[::1]", 80));
        assert!(bypasses(list, "::1", 80));
        assert!(bypasses(list, "x.dev", 80));
        assert!(!bypasses(list, "example.com", 80));
        assert!(bypasses("*", "anything", 1));
        assert!(!bypasses("", "anything", 1));
        // A name entry never matches an address that merely ends like it.
        assert!(!bypasses("0.0.1", "10.0.0.1", 80));
    }

    #[test]
    fn no_proxy_turns_a_proxy_off_for_listed_hosts() {
        let vars = [("http_proxy", "http://p:1"), ("NO_PROXY", "127.0.0.1")];
        assert_eq!(proxy_for(false, "127.0.0.1", 80, env(&vars)), None);
        assert!(proxy_for(false, "example.com", 80, env(&vars)).is_some());
    }
}
