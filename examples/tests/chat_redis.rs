//! The chat room across servers, with the real things: Debian's `redis-server` (installed by
//! `scripts/redis-setup.sh` when missing) on a free port, and three `chat` example processes
//! joined on it with `--redis`. Members on different servers see each other's messages, joins and
//! leaves; a server killed with SIGKILL has its members' leaves announced by the others; Redis
//! killed and started again: the servers keep their members, log it, rejoin, and what was said
//! meanwhile reaches everyone.
#![allow(clippy::unwrap_used, clippy::panic, clippy::print_stderr)]

mod common;

use common::chat::{Chat, LIMIT, Redis, expect, expect_either, joined as join, leave, said};
use common::free_port;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_servers_are_one_room_and_a_dead_ones_members_leave() {
    let redis = Redis::start_on(free_port());
    let (a, b, mut c) = (
        Chat::start(&redis.url()),
        Chat::start(&redis.url()),
        Chat::start(&redis.url()),
    );
    let mut ann = a.join("ann").await;
    expect(&mut ann, &join("ann")).await;
    let mut bob = b.join("bob").await;
    expect(&mut bob, &join("bob")).await;
    expect(&mut ann, &join("bob")).await; // from B, through Redis
    let mut cat = c.join("cat").await;
    expect(&mut cat, &join("cat")).await;
    expect(&mut ann, &join("cat")).await;
    expect(&mut bob, &join("cat")).await;

    // What each says reaches the others, on every server, and comes back to the sender.
    ann.send("hello from A").await.unwrap();
    cat.send("hello from C").await.unwrap();
    // (In any order: each server has its own member's message first.)
    for ws in [&mut ann, &mut bob, &mut cat] {
        let both = [said("ann", "hello from A"), said("cat", "hello from C")];
        let before = expect_either(ws, &both).await;
        let other = if before == both[0] {
            &both[1]
        } else {
            &both[0]
        };
        expect(ws, other).await;
    }
    // Every server lists every member (its own with round-trip times, the others' without).
    let roster = c.members();
    for nick in ["ann", "bob", "cat"] {
        assert!(roster.contains(&format!(r#""nick":"{nick}""#)), "{roster}");
    }

    // A member leaving one server is a leave on the others.
    let mut dan = b.join("dan").await;
    expect(&mut ann, &join("dan")).await;
    dan.close(None, "").await.unwrap();
    expect(&mut ann, &leave("dan")).await;
    expect(&mut cat, &leave("dan")).await;

    // C dies without a word: its presence expires and A and B announce that cat left.
    let killed = Instant::now();
    c.kill();
    expect(&mut ann, &leave("cat")).await;
    expect(&mut bob, &leave("cat")).await;
    let after = killed.elapsed();
    eprintln!("cat's leave announced {after:?} after C was killed");
    assert!(after < Duration::from_secs(6), "cat's leave took {after:?}");
    assert!(!a.members().contains("cat"), "{}", a.members());

    // B stopped cleanly (Ctrl-C): bob is closed with 1001, and A hears his leave at once.
    let mut b = b;
    b.interrupt();
    expect(&mut ann, &leave("bob")).await;
    assert_eq!(a.members().matches("nick").count(), 1, "{}", a.members());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_going_away_keeps_the_rooms_and_they_rejoin() {
    let port = free_port();
    let redis = Redis::start_on(port);
    let (a, b) = (Chat::start(&redis.url()), Chat::start(&redis.url()));
    let mut ann = a.join("ann").await;
    expect(&mut ann, &join("ann")).await;
    let mut bob = b.join("bob").await;
    expect(&mut ann, &join("bob")).await;

    // Redis dies: both servers log it; what is said meanwhile waits in the bridges' outboxes
    // (the room's one order is Redis's), and nobody is dropped.
    drop(redis);
    a.wait_log("redis: connection lost", 1);
    b.wait_log("redis: connection lost", 1);
    let mut amy = a.join("amy").await;
    ann.send("while redis is away").await.unwrap();
    ann.flush().await.unwrap();

    // Redis comes back (empty: nothing saved): both rejoin, write their members again, and
    // what waited reaches everyone, in the order it was said.
    let redis = Redis::start_on(port);
    a.wait_log("in the room as server", 2);
    b.wait_log("in the room as server", 2);
    // (Amy's join and Ann's line were said at about the same time: in either order.)
    let both = [join("amy"), said("ann", "while redis is away")];
    let first = expect_either(&mut amy, &both).await;
    expect(&mut amy, if first == both[0] { &both[1] } else { &both[0] }).await;
    let mut before = expect(&mut bob, &said("ann", "while redis is away")).await;
    ann.send("redis is back").await.unwrap();
    before.extend(expect(&mut bob, &said("ann", "redis is back")).await);
    // Bob heard of Amy once (from the presence sync or the stream, whichever came first).
    let amy_joins = before
        .iter()
        .filter(|m| common::chat::same(m, &join("amy")));
    assert_eq!(amy_joins.count(), 1, "{before:?}");
    assert!(
        !before.iter().any(|m| m.contains(r#""type":"leave""#)),
        "{before:?}"
    );
    // Amy, who came while Redis was away, is in B's list once the presence sync has run.
    let end = Instant::now() + LIMIT;
    while !b.members().contains("amy") {
        assert!(Instant::now() < end, "{}", b.members());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bob.send("hi amy").await.unwrap();
    let before = expect(&mut amy, &said("bob", "hi amy")).await;
    assert!(
        !before.iter().any(|m| m.contains(r#""type":"leave""#)),
        "{before:?}"
    );
    // Two presence lifetimes later, still nobody has been announced gone.
    tokio::time::sleep(Duration::from_secs(4)).await;
    bob.send("still here").await.unwrap();
    let before = expect(&mut ann, &said("bob", "still here")).await;
    assert!(
        !before.iter().any(|m| m.contains(r#""type":"leave""#)),
        "{before:?}"
    );
    drop(redis);
}
