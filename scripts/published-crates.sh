# The crates published to crates.io, in dependency order: sourced by the scripts that package,
# document and snapshot them (scripts/package.sh, scripts/api-snapshot.sh, scripts/test.sh).
# Every other package of the workspace says `publish = false` (scripts/check_packages.py
# checks it).
# shellcheck disable=SC2034
published=(sansock-core sansock-driver sansock-client sansock-topics sansock-tokio
  sansock-futures sansock-blocking sansock-hyper)
