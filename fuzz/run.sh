#!/usr/bin/env bash
# Runs every fuzz target for a while and prints executions per target.
#
#   fuzz/run.sh              # 20 s per target (what .ci/run does)
#   fuzz/run.sh 600          # 10 minutes per target
#   fuzz/run.sh 600 plan     # one target
#   fuzz/run.sh seeds        # rewrite fuzz/seeds/sim_frames (valid frames of every simulated API)
#
# cargo-fuzz (libFuzzer) on the stable toolchain: `-s none` needs no nightly flag; overflow
# checks and debug assertions are on (-a). AddressSanitizer (cargo-fuzz's default) needs
# `-Zsanitizer`, a nightly flag; kplan forbids `unsafe` in its own crates, so the sanitizer
# would only watch dependencies, and the CI toolchain stays the one stable toolchain — see
# docs/reliability.md. The build goes to its own target dir outside the checkout, and the
# corpus a run grows stays outside it too: the committed seeds (fuzz/seeds/TARGET) are read,
# never written. A finding leaves its input in fuzz/artifacts/TARGET and fails the script.
set -euo pipefail
cd "$(dirname "$0")"
export CARGO_TARGET_DIR="${KPLAN_FUZZ_TARGET:-/var/tmp/kplan-fuzz-target}"
corpus_root="${KPLAN_FUZZ_CORPUS:-/var/tmp/kplan-fuzz-corpus}"
flags=(-O -a -s none)

if [ "${1:-}" = seeds ]; then
  cargo fuzz build "${flags[@]}" sim_frames
  rm -rf seeds/sim_frames
  KPLAN_FUZZ_WRITE_SEEDS="$PWD/seeds/sim_frames" cargo fuzz run "${flags[@]}" sim_frames
  ls seeds/sim_frames | wc -l
  exit 0
fi

seconds="${1:-20}"
shift || true
if [ $# -gt 0 ]; then targets=("$@"); else mapfile -t targets < <(cargo fuzz list); fi
# One build of every target (they share the whole dependency graph).
cargo fuzz build "${flags[@]}" >/dev/null

printf '%-18s %12s %9s %8s %s\n' target executions exec/s corpus result
failed=0
for t in "${targets[@]}"; do
  mkdir -p "$corpus_root/$t"
  log="$corpus_root/$t.log"
  # -rss_limit_mb: a parser that balloons on small input is a finding too.
  if cargo fuzz run "${flags[@]}" "$t" "$corpus_root/$t" "seeds/$t" -- \
      -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
      >"$log" 2>&1; then
    result=ok
  else
    result="FINDING (see $log and fuzz/artifacts/$t)"
    failed=1
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  units=$(find "$corpus_root/$t" -type f | wc -l)
  printf '%-18s %12s %9s %8s %s\n' "$t" "${execs:-?}" "${rate:-?}" "$units" "$result"
done
exit $failed
