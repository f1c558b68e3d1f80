#!/usr/bin/env bash
# The published crates built as users will build them, not with our lockfile, in scratch
# copies under target/dep-versions/:
#
# - newest: after `cargo update` (every dependency at its newest semver-compatible version,
#   including those that need a Rust newer than our MSRV: users on today's stable get them),
#   the published crates are linted with clippy, warnings as errors, every feature on.
# - oldest: each published crate alone, resolved with `-Z minimal-versions` (every requirement
#   at its floor; dev-dependencies removed, so that a test's needs do not raise a floor), is
#   checked with every feature (every dependency it can have, at its floor; the feature
#   combinations themselves are the `cargo hack` step's). A requirement lower than what the
#   code needs fails here: raise it in the crate's Cargo.toml.
#
# sansock-futures is checked there without its runtimes, smol and async-std: the floors they
# state do not build (smol 2.0's async-fs 2.0.0 against futures-lite 2.0.0; async-std 1.13's
# log 0.4.17, whose value-bag 1.0.0-alpha.9 no longer compiles), and no requirement of ours
# can change that. Their glue is a few lines each over the futures-io code checked here.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/published-crates.sh
root=$PWD
scratch=$root/target/dep-versions
export RUSTC_BOOTSTRAP=1 # the -Z flags of cargo

# The workspace's manifest and the published crates, without their dev-dependencies (their
# tests are not built here).
rm -rf "$scratch"
mkdir -p "$scratch/crates"
cp Cargo.toml Cargo.lock "$scratch/"
members=$(printf '"crates/%s", ' "${published[@]}")
sed -i "s|^members = .*|members = [${members%, }]|" "$scratch/Cargo.toml"
for crate in "${published[@]}"; do
  cp -r "crates/$crate" "$scratch/crates/"
  python3 scripts/strip-dev-deps.py "$scratch/crates/$crate/Cargo.toml"
done

echo "-- newest: cargo update, then clippy -D warnings (all features)"
(
  cd "$scratch"
  CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS=allow cargo update --quiet
  # Built in the main target directory: the dependencies whose version did not change are
  # already there from the clippy step.
  CARGO_TARGET_DIR="$root/target" cargo clippy --quiet --all-features \
    "${published[@]/#/--package=}" -- -D warnings
)

echo "-- oldest: each crate alone with -Z minimal-versions, every feature"
for crate in "${published[@]}"; do
  (
    cd "$scratch"
    sed -i "s|^members = .*|members = [\"crates/$crate\"]|" Cargo.toml
    check() { CARGO_TARGET_DIR="$root/target/minimal-versions" cargo check --quiet -p "$crate" "$@"; }
    if [ "$crate" = sansock-futures ]; then
      # Without its runtimes (see above): they leave the manifest, so that their floors do
      # not enter the lockfile either.
      # (Their `cfg(feature = ..)` code is then an unknown cfg, which is fine here.)
      sed -i '/^smol = /d; /^async-std = /d' "crates/$crate/Cargo.toml"
      sed -i 's/^workspace = true$/rust.unexpected_cfgs = "allow"/' "crates/$crate/Cargo.toml"
    fi
    rm -f Cargo.lock
    cargo update --quiet -Z minimal-versions
    check --all-features
    echo "$crate: builds at its dependencies' floors"
  )
done
