//! The chat room behind `examples/chat.rs`: the axum [`router`] (the page at `/`, the member list
//! at `/members`, the WebSocket at `/chat`) and each member's life on its WebSocket. The room
//! itself — one topic of Sansock's topics and the member list — is [`room`]; the bridge that
//! joins rooms on several servers through Redis is [`redis`].
//!
//! Every message goes to every member, the sender included, as JSON
//! (`{"type":"message","nick":…,"text":…}`, and `join`/`leave` notices). Each message is framed
//! once (and compressed once: the chat's permessage-deflate has no context takeover) and the
//! same bytes go to every member's connection.
//!
//! **Slow members:** a member whose queue is full when a message arrives (its connection cannot
//! keep up, or it stopped reading) is dropped from the room at once — nobody else waits for it —
//! and closed with 1008 (policy violation) "too slow" if its socket still takes the frame; its
//! close timeout ends the connection otherwise.
//!
//! **Shutdown:** when the server's signal comes, every member is closed with 1001 "going away"
//! and the server waits for the closes ([`crate::shutdown`]); with Redis, the members' leaves
//! reach the other servers before the server goes.

pub mod redis;
pub mod room;

use crate::shutdown::{REASON, Shutdown};
use crate::{CHAT_PAGE, query_value};
use axum::Router;
use axum::extract::{ConnectInfo, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{any, get};
use room::{Member, Room};
use sansock_hyper::axum::WebSocketUpgrade;
use sansock_hyper::{
    Accept, CloseCode, DeflatePolicy, Message, PerMessageDeflate, Reject, ServerSettings,
    UpgradeRequest, WebSocket,
};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tracing::Instrument;

/// How often a member's writer reads its round-trip time for the member list; it pings every
/// [`PINGS_EVERY`] of these ticks.
const TICK: Duration = Duration::from_secs(1);
/// See [`TICK`].
const PINGS_EVERY: u32 = 5;

/// How a chat server runs: its members' queues, the Redis that joins it to other servers, and
/// what it believes of the reverse proxy in front of it.
#[derive(Debug, Clone)]
pub struct Config {
    /// How many messages may wait for a member before it is dropped as too slow.
    pub queue: usize,
    /// The Redis where this server's room meets the others' (`None`: this server alone).
    pub redis: Option<redis::RedisConfig>,
    /// A ping after this long with nothing received (`None`: no keepalive pings). Below a
    /// reverse proxy's idle timeout, it keeps quiet members connected through it.
    pub keepalive: Option<Duration>,
    /// The reverse proxy in front: PROXY protocol headers, believed `X-Forwarded-For`.
    pub front: crate::serve::FrontArgs,
}

impl Config {
    /// A server alone whose members queue at most `queue` messages, keepalive pings after
    /// 20 s of silence (the library's default), no proxy in front.
    pub fn alone(queue: usize) -> Self {
        Config {
            queue,
            redis: None,
            keepalive: Some(Duration::from_secs(20)),
            front: crate::serve::FrontArgs::default(),
        }
    }
}

/// Who is joining: the nickname from `?nick=`, and whether it comes back (`&resume`: its first
/// message says the last id it saw, `{"type":"resume","since":"…"}` or `null`).
#[derive(Default)]
struct Joining {
    nick: String,
    resume: bool,
}

/// Only `/chat`, only from pages of this server (a foreign page cannot join on its visitor's
/// behalf).
fn decide(request: &UpgradeRequest, joining: &mut Joining) -> Result<Accept, Reject> {
    if request.path() != "/chat" {
        return Err(Reject::new(404));
    }
    // This server's own pages, over HTTP or HTTPS.
    let own = |o: &str| {
        let rest = o
            .strip_prefix("https://")
            .or_else(|| o.strip_prefix("http://"));
        rest == Some(request.host())
    };
    if request.origin().is_some_and(|o| !own(o)) {
        return Err(Reject::new(403).with_body("origin not allowed"));
    }
    joining.nick = query_value(request.query(), "nick")
        .map(|n| n.trim().chars().take(32).collect::<String>())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "anonymous".into());
    joining.resume = request.query().is_some_and(|q| {
        q.split('&')
            .any(|pair| pair.split('=').next() == Some("resume"))
    });
    Ok(Accept::new())
}

/// What every request of the chat shares.
#[derive(Clone)]
struct Chat {
    room: Arc<Room>,
    shutdown: Shutdown,
    settings: ServerSettings,
    trusted_proxies: Arc<[IpAddr]>,
}

/// The chat's routes for `room`: the page at `/`, the member list at `/members` (JSON, with
/// each member's round-trip time), a member of the room at `/chat?nick=…`, the server's
/// counters for Prometheus at `/metrics`; 404 elsewhere (axum's default).
pub fn router(room: Arc<Room>, shutdown: Shutdown) -> Router {
    router_with(room, shutdown, &Config::alone(0))
}

/// As [`router`], with `config`'s keepalive and reverse proxy (its queue and Redis are the
/// room's).
pub fn router_with(room: Arc<Room>, shutdown: Shutdown, config: &Config) -> Router {
    let chat = Chat {
        room,
        shutdown,
        settings: settings().keepalive(config.keepalive),
        trusted_proxies: config.front.trusted_proxy.clone().into(),
    };
    Router::new()
        .route("/", get(Html(CHAT_PAGE)))
        .route("/members", get(members))
        .route("/chat", any(join))
        .route("/metrics", get(crate::metrics::page))
        .with_state(chat)
}

async fn members(State(chat): State<Chat>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        chat.room.roster(),
    )
        .into_response()
}

async fn join(
    State(chat): State<Chat>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: header::HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    // Who it is, behind a proxy too: in every log line of this member, its connection's
    // events included (the connection's span is a child of this one).
    let client = crate::serve::client_address(peer, &headers, &chat.trusted_proxies);
    let span = tracing::info_span!("member", %client);
    let ws = ws.settings(chat.settings.clone());
    let mut joining = Joining::default();
    let over = ws.request().map(|r| crate::carrier_name(r.carrier()));
    let decision = match ws.request() {
        Some(request) => decide(request, &mut joining),
        None => Err(Reject::new(431)),
    };
    match decision {
        Ok(accept) => {
            let open = chat.shutdown.open();
            let _in_span = span.enter(); // no await while it is held
            ws.accept(accept).on_upgrade(async move |ws| {
                tracing::info!(
                    "{} joined from {client} (extensions: {}) over {}",
                    joining.nick,
                    ws.extensions().unwrap_or("none"),
                    over.unwrap_or("?")
                );
                member(ws, joining, chat.room, chat.shutdown).await;
                drop(open);
            })
        }
        Err(reject) => {
            tracing::info!(parent: &span, "refused with {}", reject.status);
            ws.reject(&reject)
        }
    }
}

/// How long a member that comes back may take to say from where.
const RESUME_WITHIN: Duration = Duration::from_secs(5);

/// From the first message of a member that comes back (`None` if none came in time): the last
/// id it saw (`None`: none yet). `Err` when it said something else.
fn resume_point<E>(
    first: Option<Option<Result<Message, E>>>,
) -> Result<Option<sansock_redis::EntryId>, &'static str> {
    #[derive(serde::Deserialize)]
    #[serde(tag = "type", rename = "resume")]
    struct Resume {
        since: Option<String>,
    }
    let Some(Some(Ok(Message::Text(text)))) = first else {
        return Err("expected resume");
    };
    let resume: Resume = serde_json::from_str(text.as_str()).map_err(|_| "expected resume")?;
    match resume.since {
        None => Ok(None),
        Some(id) => id.parse().map(Some).map_err(|_| "bad resume id"),
    }
}

/// One member's life: what it missed first (when it comes back), then its writer sends what
/// the room publishes and its reader publishes what it says.
async fn member(ws: WebSocket, joining: Joining, room: Arc<Room>, shutdown: Shutdown) {
    let Joining { nick, resume } = joining;
    let (mut read, mut write) = ws.split();
    let since = if resume {
        let first = tokio::time::timeout(RESUME_WITHIN, read.recv()).await.ok();
        match resume_point(first) {
            Ok(since) => since,
            Err(why) => {
                let close = write.send_close(Some(CloseCode::POLICY_VIOLATION), why);
                let _ = tokio::time::timeout(Duration::from_secs(2), close).await;
                return;
            }
        }
    } else {
        None
    };
    let (subscription, missed, complete) = room.subscribe(since).await;
    if resume {
        // What it missed, then where the replay ends and whether it is all.
        let resumed = serde_json::json!({ "type": "resumed", "complete": complete });
        let sent = async {
            for message in missed {
                write.send(message).await?;
            }
            write.send(Message::from(resumed.to_string())).await
        };
        if sent.await.is_err() {
            return;
        }
    }
    let rtt_micros = Arc::new(AtomicU64::new(u64::MAX));
    let id = room
        .enter(Member {
            nick: nick.clone(),
            rtt_micros: rtt_micros.clone(),
        })
        .await;
    let writer_room = room.clone();
    let writer = tokio::spawn(
        async move {
            let kicked = subscription.dropped();
            tokio::pin!(kicked);
            let stop = shutdown.begun();
            tokio::pin!(stop);
            // A ping now and every few seconds; the reader answers nothing itself (pongs are read
            // by the connection), and the round trip is in the connection's stats.
            let mut ticks = tokio::time::interval(TICK);
            let mut tick = 0u32;
            let (code, reason) = loop {
                let next = tokio::select! {
                    () = &mut kicked => break (CloseCode::POLICY_VIOLATION, "too slow"),
                    () = &mut stop => break (CloseCode::GOING_AWAY, REASON),
                    _ = ticks.tick() => {
                        if let Some(rtt) = write.stats().rtt {
                            let micros = u64::try_from(rtt.as_micros()).unwrap_or(u64::MAX - 1);
                            rtt_micros.store(micros, Ordering::Relaxed);
                        }
                        tick = tick.wrapping_add(1);
                        if tick % PINGS_EVERY == 1 {
                            tokio::select! {
                                () = &mut kicked => break (CloseCode::POLICY_VIOLATION, "too slow"),
                                pinged = write.ping(b"rtt") => if pinged.is_err() { return },
                            }
                        }
                        continue;
                    }
                    next = subscription.recv() => next,
                };
                // The queue ends only when the room drops this member.
                let Some(message) = next else {
                    break (CloseCode::POLICY_VIOLATION, "too slow");
                };
                // This message and whatever queued up behind it, in one write.
                let sent = async {
                    write.feed_prepared(&message).await?;
                    while let Some(more) = subscription.try_recv() {
                        write.feed_prepared(&more).await?;
                    }
                    write.flush().await
                };
                tokio::select! {
                    () = &mut kicked => break (CloseCode::POLICY_VIOLATION, "too slow"),
                    sent = sent => if sent.is_err() { return },
                }
            };
            if code == CloseCode::POLICY_VIOLATION {
                writer_room.leave(id).await; // at once: the others need not wait for its close
            }
            // Too slow, or the server is going away: say so, if the socket still takes it. The
            // reader then reads until the member's answer; our close timeout ends the connection
            // (the reader sees it) even if this member never reads again.
            let close = write.send_close(Some(code), reason);
            let _ = tokio::time::timeout(Duration::from_secs(2), close).await;
        }
        .in_current_span(),
    );
    while let Some(Ok(message)) = read.recv().await {
        if let Message::Text(text) = message {
            room.message(id, &nick, text.as_str()).await;
        }
    }
    room.leave(id).await;
    // The connection is over: the writer may still wait for the room's next message.
    writer.abort();
    let _ = writer.await;
    let code = read.closed().map(|c| c.code.0);
    tracing::info!("{nick}: left (close code {code:?})");
}

/// The chat's server settings: messages up to 64 KiB; permessage-deflate without context
/// takeover (a room of many idle members then holds no compression state between messages).
pub fn settings() -> ServerSettings {
    ServerSettings::new()
        .max_message_size(64 << 10)
        .deflate(PerMessageDeflate::default().with_policy(DeflatePolicy::AcceptNoContextTakeover))
}

/// Serves the chat on `listener` (HTTPS with `tls`) until `signal`, then closes every member
/// with 1001, waits for the closes and (with Redis) hands their leaves to the other servers.
///
/// # Errors
/// When the listener fails, or the Redis URL is not one.
pub async fn run(
    listener: tokio::net::TcpListener,
    config: Config,
    tls: Option<crate::serve::Tls>,
    signal: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let shutdown = Shutdown::new();
    crate::metrics::recorder(); // before the first connection, so that it counts them all
    let room = Arc::new(Room::new(config.queue));
    let bridge = match config.redis.clone() {
        None => None,
        Some(redis_config) => Some(
            redis::start(&room, redis_config)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?,
        ),
    };
    let app = router_with(room, shutdown.clone(), &config);
    let proxy_protocol = config.front.proxy_protocol;
    let served =
        crate::serve::serve_behind(listener, app, tls, proxy_protocol, shutdown, signal).await;
    if let Some(bridge) = bridge {
        bridge.finish().await;
    }
    served
}
