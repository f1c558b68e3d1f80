//! A chat room in the browser: one axum router serves the page (`/`), the member list
//! (`/members`) and the WebSocket (`/chat`) on one port. Ctrl-C closes every member with 1001
//! and waits for the closes.
//!
//! Run: `cargo run --release --example chat` and open <http://localhost:3000/> in two tabs.
//! Options: `--port 3000`, `--queue 64`, `--tls` (HTTPS with a self-signed certificate; h2 by
//! ALPN, so a browser's WebSockets come as HTTP/2 streams) or `--cert FILE --key FILE`; logs by
//! `RUST_LOG` (default `info`). The plain port speaks HTTP/1.1 and HTTP/2 with prior knowledge.
//!
//! Each member has a queue of `--queue` messages; what happens when it fills, and everything
//! else about the room, is in `src/chat/`.
//!
//! Several servers, one room: `--redis redis://127.0.0.1:6379/` joins this server's room to the
//! others on that Redis with `sansock-redis` (a stream for what is said, one order for all; a
//! member that joins with `?resume` and says the last id it saw gets what it missed; presence
//! hashes that expire `--presence-ttl` seconds after a server stops refreshing them, so its
//! members' leaves are announced by the others when it dies). Without `--redis` it runs alone.
//!
//! Behind a reverse proxy (the book's "Deploying" chapter has tested nginx and HAProxy
//! configurations): `--trusted-proxy IP` believes that proxy's `X-Forwarded-For`,
//! `--proxy-protocol` reads HAProxy's PROXY header on every connection, and `--keepalive
//! SECONDS` (20 by default, 0 for none) keeps quiet members from the proxy's idle timeout.

use clap::Parser;
use sansock_examples::chat::Config;
use sansock_examples::chat::redis::RedisConfig;
use sansock_examples::serve::{FrontArgs, TlsArgs, scheme};
use sansock_examples::shutdown::signals;
use std::time::Duration;

/// A chat room in the browser.
#[derive(Parser)]
struct Args {
    /// The port to listen on (127.0.0.1).
    #[arg(long, default_value_t = 3000)]
    port: u16,
    /// How many messages may wait for a member before it is dropped as too slow.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u16).range(1..))]
    queue: u16,
    /// Join the room of every chat server on this Redis (`redis://host:port/db`).
    #[arg(long, value_name = "URL")]
    redis: Option<String>,
    /// With `--redis`: seconds a dead server's members stay listed (its presence lifetime).
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0, value_parser = presence_ttl)]
    presence_ttl: f64,
    /// Ping a member after this many seconds with nothing from it (0: never); keep it below
    /// a reverse proxy's idle timeout.
    #[arg(long, value_name = "SECONDS", default_value_t = 20.0, value_parser = keepalive)]
    keepalive: f64,
    #[command(flatten)]
    tls: TlsArgs,
    #[command(flatten)]
    front: FrontArgs,
}

/// A keepalive interval: 0 (none) or from 0.1 s to a day.
fn keepalive(text: &str) -> Result<f64, String> {
    let seconds: f64 = text.parse().map_err(|e| format!("{e}"))?;
    if seconds == 0.0 || (0.1..=86_400.0).contains(&seconds) {
        Ok(seconds)
    } else {
        Err("0, or between 0.1 and 86400 seconds".into())
    }
}

/// A presence lifetime: from 0.3 s (refreshed every 0.1 s) to a day.
fn presence_ttl(text: &str) -> Result<f64, String> {
    let seconds: f64 = text.parse().map_err(|e| format!("{e}"))?;
    if (0.3..=86_400.0).contains(&seconds) {
        Ok(seconds)
    } else {
        Err("between 0.3 and 86400 seconds".into())
    }
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    sansock_examples::init_logs();
    let args = Args::parse();
    let tls = args.tls.load()?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port)).await?;
    tracing::info!(
        "chat room on {}://{}/",
        scheme(&tls),
        listener.local_addr()?
    );
    let config = Config {
        queue: usize::from(args.queue),
        redis: args.redis.map(|url| RedisConfig {
            url,
            presence_ttl: Duration::from_secs_f64(args.presence_ttl),
        }),
        keepalive: (args.keepalive > 0.0).then(|| Duration::from_secs_f64(args.keepalive)),
        front: args.front,
    };
    sansock_examples::chat::run(listener, config, tls, signals()).await
}
