#!/usr/bin/env bash
# Fuzzing (issue 11): builds every cargo-fuzz target in fuzz/ once with the nightly
# toolchain, runs each for a bounded time from a copy of its committed seeds
# (fuzz/seeds/<target>/, never grown by a run), and fails naming the artifact of any crash.
#
#   scripts/fuzz.sh [seconds-per-target, default 20]
#
# A crash reproduces with: fuzz/target/x86_64-unknown-linux-gnu/release/<target> <artifact>
# (or cargo +nightly fuzz run --fuzz-dir fuzz --sanitizer none <target> <artifact>).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-20}
# fuzz/target, not the root's: a fuzz build never waits on (or invalidates) the root build.
target_dir="$PWD/fuzz/target"
unset CARGO_TARGET_DIR
# Coverage-guided, without AddressSanitizer: the code is `unsafe`-free Rust, so ASan would
# only find bugs in C dependencies while doubling the build; panics, overflows (debug
# assertions stay on), timeouts and runaway memory are still caught.
# 16 codegen units instead of cargo-fuzz's default of 1: a much faster build of Placard's
# own (large) crate for slightly slower fuzzing. Together with opt-level 1 in
# fuzz/Cargo.toml this keeps a cold build within CI's budget.
fuzz_flags=(--fuzz-dir fuzz --target-dir "$target_dir" --sanitizer none --codegen-units 16)

step() { printf '\n==> %s\n' "$*"; }

if ! cargo fuzz --version >/dev/null 2>&1; then
  step "Installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi

step "Building the fuzz targets (nightly, opt-level 1 with debug assertions)"
started=$SECONDS
cargo +nightly fuzz build "${fuzz_flags[@]}"
echo "built in $((SECONDS - started))s"

bin_dir="$target_dir/x86_64-unknown-linux-gnu/release"
mapfile -t targets < <(cargo fuzz list --fuzz-dir fuzz)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=()
summary=()
for target in "${targets[@]}"; do
  step "Fuzzing $target for ${seconds}s"
  corpus="$work/corpus/$target"
  mkdir -p "$corpus" "fuzz/artifacts/$target"
  if [ -d "fuzz/seeds/$target" ]; then cp -r "fuzz/seeds/$target/." "$corpus/"; fi
  # The template targets also start from every shipped Original template (read from
  # templatesets/original, not copied into the seeds, so they cannot drift apart).
  # The two template targets share the hand-written Django seeds (kept under
  # django_translate) as well.
  case $target in
    django_translate | staff_template) cp templatesets/original/*.html fuzz/seeds/django_translate/*.html "$corpus/" ;;
  esac
  before=$(find "fuzz/artifacts/$target" -type f | sort)
  log="$work/$target.log"
  # The binaries themselves, not `cargo fuzz run`: that would re-check (and maybe rebuild)
  # the whole crate once per target. -timeout: one input running 10s is a hang;
  # -rss_limit_mb: a request or template must not take 2 GB; -max_len: request bodies and
  # templates are small (64 KiB covers them all).
  if "$bin_dir/$target" "$corpus" -artifact_prefix="fuzz/artifacts/$target/" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 >"$log" 2>&1; then
    status=ok
  else
    status=CRASH
    failed+=("$target")
    tail -n 40 "$log"
    comm -13 <(echo "$before") <(find "fuzz/artifacts/$target" -type f | sort) |
      while read -r artifact; do echo "artifact: $artifact"; done
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 || true)
  summary+=("$(printf '%-18s %-6s %10s runs %8s exec/s  %s' "$target" "$status" "${runs:-?}" "${rate:-?}" "$cov")")
done

step "Summary (${seconds}s per target)"
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "crashes in: ${failed[*]} (artifacts above; reproduce with $bin_dir/<target> <artifact>)"
  exit 1
fi
