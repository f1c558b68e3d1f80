#!/usr/bin/env bash
# Runs every check and test of the workspace. This is the README's test command and what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "format"
cargo fmt --all -- --check

step "clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy --workspace --all-targets --all-features -- -D warnings
(cd fuzz && cargo fmt --check && RUSTC_BOOTSTRAP=1 cargo clippy --all-targets -- -D warnings)

step "core builds as no_std + alloc (no default features)"
cargo build -p sansock-core --no-default-features

step "docs (warnings are errors); the published crates as docs.rs builds them (all features, --cfg docsrs)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --quiet
source scripts/published-crates.sh
RUSTC_BOOTSTRAP=1 RUSTDOCFLAGS="--cfg docsrs -D warnings" \
  cargo doc --no-deps --quiet --all-features "${published[@]/#/--package=}"

step "packages: every published crate packaged and built from its package (scripts/package.sh)"
scripts/package.sh

step "public API: api/*.txt match the code (scripts/api-snapshot.sh writes them)"
scripts/api-snapshot.sh --check

step "book: build docs/ with mdBook, check every include and link (installs mdbook if missing)"
scripts/book.sh

step "conformance tester: Autobahn's traffic re-derived from its own code on PyPI matches tests/autobahn-frames.json"
scripts/autobahn-frames.sh --check

step "tests (unit, integration, doc, fuzz corpus replay, the book's listings)"
cargo test --workspace --all-features 2>&1 | tee target/test-output.txt
passed=$(grep -Eo '[0-9]+ passed' target/test-output.txt | awk '{s+=$1} END {print s+0}')
failed=$(grep -Eo '[0-9]+ failed' target/test-output.txt | awk '{s+=$1} END {print s+0}')

step "browser: the examples in Chromium (installs chromium and playwright-core if missing)"
scripts/browser-test.sh 2>&1 | tee target/browser-output.txt
passed=$((passed + $(grep -Eo '^# pass [0-9]+' target/browser-output.txt | awk '{s+=$3} END {print s+0}')))
failed=$((failed + $(grep -Eo '^# fail [0-9]+' target/browser-output.txt | awk '{s+=$3} END {print s+0}')))

step "bench: a smoke run of every echo server and the load generator (seconds; never pass/fail on speed)"
cargo build --release -q -p sansock-bench
target/release/bench --grid smoke --memory --out target/bench-smoke
target/release/bench --grid fanout --subscribers 100 --sizes 20 --secs 0.2   # every fan-out server
scripts/instructions.sh   # instructions per ping-pong message, counted with callgrind

step "fuzz: build every target, run each for ${FUZZ_SECONDS:=10} s (a crash fails)"
scripts/fuzz.sh "$FUZZ_SECONDS"

echo
echo "total: ${passed} passed, ${failed} failed"
