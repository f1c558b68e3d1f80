//! `bench-instructions LOOP SIZE PER_READ COUNT [--wake]`: one echo loop of
//! `sansock_bench::memory` over the in-memory transport, once, for `valgrind --tool=callgrind` to
//! count (`scripts/instructions.sh` runs it at two counts and divides the difference).
#![allow(clippy::print_stderr, clippy::print_stdout)]

use sansock_bench::memory::{LOOPS, Shape, echo_in_memory, input};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let number = |i: usize| args.get(i).and_then(|a| a.parse::<usize>().ok());
    let (Some(name), Some(size), Some(per_read), Some(count)) =
        (args.get(1), number(2), number(3), number(4))
    else {
        eprintln!(
            "usage: bench-instructions LOOP SIZE PER_READ COUNT [--wake]  (LOOP: {})",
            LOOPS.join(", ")
        );
        std::process::exit(2);
    };
    let shape = Shape {
        size,
        per_read,
        count,
        wake_between: args.iter().any(|a| a == "--wake"),
    };
    let input = input(size, count);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("a runtime: {e}"));
    // In a task of its own, as a server's connections are (the root future of `block_on`
    // gets a new waker on every poll, a spawned task keeps one).
    let local = tokio::task::LocalSet::new();
    let name_owned = name.clone();
    let echoed = local.block_on(&rt, async move {
        tokio::task::spawn_local(async move { echo_in_memory(&name_owned, &input, shape).await })
            .await
            .unwrap_or_else(|e| Err(std::io::Error::other(e)))
    });
    match echoed {
        Ok(n) if n == count => println!("{name}: {n} messages echoed"),
        Ok(n) => {
            eprintln!("{name}: echoed {n} of {count} messages");
            std::process::exit(1);
        }
        Err(e) => {
            eprintln!("{name}: {e}");
            std::process::exit(1);
        }
    }
}
