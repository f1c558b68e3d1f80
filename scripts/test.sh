#!/usr/bin/env bash
# Runs every check and test of the workspace. This is the README's test command and what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
# A run from a clean checkout gains nothing from incremental compilation, which kept 3.5 GB of
# `target/debug/incremental` (of 9.1 GB in all) and disk space is what CI ran out of.
export CARGO_INCREMENTAL=0

started=$SECONDS
# Each step's header says how long the run has taken so far (what a step costs is the
# difference to the next header).
step() { printf '\n== %s  [%dm%02ds]\n' "$*" $(((SECONDS - started) / 60)) $(((SECONDS - started) % 60)); }

step "format"
cargo fmt --all -- --check

step "clippy (all targets, warnings are errors)"
# Every feature on; each published crate's features one by one are the cargo hack step's.
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

step "features: every published crate with each feature alone, and with none (cargo hack; installs it if missing)"
hack=0.6.46
cargo hack --version 2>/dev/null | grep -q " $hack" || cargo install cargo-hack --version "$hack" --locked --quiet
cargo hack check --each-feature --no-dev-deps "${published[@]/#/--package=}" 2>&1 | tee target/hack-output.txt
if grep -q '^warning' target/hack-output.txt; then
  echo "a feature combination builds with warnings (above)" >&2
  exit 1
fi

step "MSRV: the published crates build with Rust 1.85 (Debian's rustc-web and cargo-web, installed if missing; sansock-compio declares 1.95)"
# Pinned: bookworm-security now carries 1.96 under the same package names.
msrv=1.85.0+dfsg3-1~deb12u3
toolchain=$(cargo --version)
scripts/apt-install.sh "rustc-web=$msrv" "cargo-web=$msrv" "libstd-rust-web-dev=$msrv" \
  "libstd-rust-web-1.85=$msrv"
# They go to /usr/bin: the stable toolchain must still come first on PATH for the other steps.
if [ "$(cargo --version)" != "$toolchain" ]; then
  echo "Debian's cargo now shadows $toolchain on PATH: put the stable toolchain first" >&2
  exit 1
fi
RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc /usr/bin/cargo build --locked --all-features \
  --target-dir target/msrv "${msrv_1_85[@]/#/--package=}"

step "dependency versions: the published crates linted after a cargo update, and each checked at its floors with -Z minimal-versions (scripts/dep-versions.sh)"
scripts/dep-versions.sh

step "cargo deny: licences, duplicate versions and sources of what the published crates pull in (deny.toml; installs cargo-deny if missing)"
deny=0.20.2
cargo deny --version 2>/dev/null | grep -q " $deny" || cargo install cargo-deny --version "$deny" --locked --quiet
cargo deny --all-features --exclude-dev --exclude-unpublished check licenses bans sources

step "public API: api/*.txt match the code (scripts/api-snapshot.sh writes them)"
scripts/api-snapshot.sh --check

step "book: build docs/ with mdBook, check every include and link (installs mdbook if missing)"
scripts/book.sh

step "conformance tester: Autobahn's traffic re-derived from its own code on PyPI matches tests/autobahn-frames.json"
scripts/autobahn-frames.sh --check

step "tests (unit, integration, doc, fuzz corpus replay, the book's listings)"
cargo test --workspace --all-features 2>&1 | tee target/test-output.txt
# rustls' ring provider alone: everywhere else aws-lc-rs is on too, and it wins.
cargo test -p sansock-client --lib --no-default-features --features ring,webpki-roots 2>&1 |
  tee -a target/test-output.txt
passed=$(grep -Eo '[0-9]+ passed' target/test-output.txt | awk '{s+=$1} END {print s+0}')
failed=$(grep -Eo '[0-9]+ failed' target/test-output.txt | awk '{s+=$1} END {print s+0}')

step "browser: the examples in Chromium (installs chromium and playwright-core if missing)"
scripts/browser-test.sh 2>&1 | tee target/browser-output.txt
passed=$((passed + $(grep -Eo '^# pass [0-9]+' target/browser-output.txt | awk '{s+=$3} END {print s+0}')))
failed=$((failed + $(grep -Eo '^# fail [0-9]+' target/browser-output.txt | awk '{s+=$3} END {print s+0}')))

step "bench: a smoke run of every echo server and the load generator (seconds; never pass/fail on speed)"
# The programs the tests step built (test profile, opt-level 1): this run proves they work, it
# measures nothing, so it need not pay for a release build of every peer library. Measurements
# (docs/src/benchmarks.md) and the instruction counts (scripts/instructions.sh) use release builds.
# (The tests step's own build, so nothing is rebuilt: that is what puts the programs there.)
cargo test -q --workspace --all-features --no-run
target/debug/bench --grid smoke --memory --out target/bench-smoke
target/debug/bench --grid fanout --subscribers 100 --sizes 20 --secs 0.2   # every fan-out server

step "fuzz: build every target, run each for ${FUZZ_SECONDS:=6} s (a crash fails)"
scripts/fuzz.sh "$FUZZ_SECONDS"

echo
echo "time: $(((SECONDS - started) / 60))m$(((SECONDS - started) % 60))s"
echo "total: ${passed} passed, ${failed} failed"
