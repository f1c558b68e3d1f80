#!/usr/bin/env bash
# Every published crate packaged as `cargo publish --dry-run` would package it, and built from
# its package: `cargo package` packs them together (a crate that needs another of ours finds it
# in a local overlay registry, as it will find it on crates.io) and builds each from the
# unpacked sources; then scripts/check_packages.py looks inside each `.crate` (licences,
# README, metadata, docs.rs settings, the feature table) and checks that every other package
# of the workspace says `publish = false`.
#
# A package holds the library only: each crate's tests, examples and benches run here in the
# repository, where they use the workspace's test helpers, corpora and peers (cargo says so
# with an "ignoring test" warning per file).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/published-crates.sh
args=()
for c in "${published[@]}"; do args+=(-p "$c"); done
# Cargo unpacks the overlay registry's packages under $CARGO_HOME/registry/src/-<hash>/ and,
# finding them there on a later run, does not unpack a changed package of the same version
# again: the build would use the sources of an earlier run. Those directories go first.
rm -rf "${CARGO_HOME:-$HOME/.cargo}"/registry/src/-*/sansock-*
# --allow-dirty: package the working tree, committed or not (CI's clean clone is both).
cargo package --locked --allow-dirty "${args[@]}"
python3 scripts/check_packages.py "${published[@]}"
echo "packaged and built from their packages: ${published[*]}"
