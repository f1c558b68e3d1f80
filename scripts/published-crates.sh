# The crates published to crates.io, in dependency order: sourced by the scripts that package,
# document and snapshot them (scripts/package.sh, scripts/api-snapshot.sh, scripts/test.sh).
# Every other package of the workspace says `publish = false` (scripts/check_packages.py
# checks it).
# shellcheck disable=SC2034
published=(sansock-core sansock-driver sansock-client sansock-topics sansock-redis sansock-tokio
  sansock-futures sansock-blocking sansock-compio sansock-hyper)
# Those the MSRV step builds with Rust 1.85: all but sansock-compio, which declares 1.95 (compio
# 0.19 needs a newer Rust) and is built by the stable toolchain in every other step.
msrv_1_85=()
for c in "${published[@]}"; do [ "$c" = sansock-compio ] || msrv_1_85+=("$c"); done
