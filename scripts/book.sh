#!/usr/bin/env bash
# Builds the book (docs/) with mdBook — installing the pinned mdbook from crates.io if it is
# missing — and fails on a broken include or a broken link. The book's code is tested by
# `cargo test -p sansock-book-listings` (part of scripts/test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

version=0.4.52
if ! mdbook --version 2>/dev/null | grep -q "v$version"; then
  echo "installing mdbook $version from crates.io"
  cargo install mdbook --version "$version" --locked --quiet
fi

log=target/book-build.log
mkdir -p target
mdbook build docs 2>&1 | tee "$log"
# mdBook reports a missing file or anchor in an include as an error but may still succeed.
if grep -E "ERROR|WARN" "$log" >/dev/null; then
  echo "mdbook reported problems (above)" >&2
  exit 1
fi
python3 scripts/check_book.py docs
