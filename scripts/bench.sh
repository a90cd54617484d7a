#!/usr/bin/env bash
# Measures `folio build` on two generated books (300,000 and 10,000 words):
# wall time (best of N runs), peak memory, output sizes and the per-stage
# breakdown from --timings. Runs pandoc and Typst on the same book when
# they are installed and prints the ratios. Speed is measured here, never
# asserted in tests.
#
#   scripts/bench.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
work=target/bench
mkdir -p "$work"

cargo build --release --quiet --bin folio --example genbook
bin=target/release/folio
gen=target/release/examples/genbook

[ -f "$work/book300k/book.yaml" ] || "$gen" "$work/book300k" 300000 40
[ -f "$work/book10k/book.yaml" ] || "$gen" "$work/book10k" 10000 5

now_ms() { date +%s%3N; }

for book in book300k book10k; do
  out="$work/out-$book"
  rm -rf "$out"
  best=""
  for _ in $(seq "$runs"); do
    t0=$(now_ms)
    SOURCE_DATE_EPOCH=1700000000 "$bin" build "$work/$book" -o "$out" --quiet
    t1=$(now_ms)
    ms=$((t1 - t0))
    if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
  done
  echo "== $book: best wall time of $runs runs: ${best} ms"
  SOURCE_DATE_EPOCH=1700000000 "$bin" build "$work/$book" -o "$out" --timings | sed 's/^/   /'
  for f in "$out"/*; do
    printf '   %-40s %8.2f MiB\n' "$(basename "$f")" "$(echo "$(stat -c %s "$f") / 1048576" | bc -l)"
  done
  if command -v pandoc >/dev/null 2>&1; then
    t0=$(now_ms)
    (cd "$work/$book" && pandoc -o "../pandoc-$book.epub" $(grep -E '^  - ' book.yaml | sed 's/^  - //')) || true
    t1=$(now_ms)
    echo "   pandoc EPUB: $((t1 - t0)) ms (folio both formats: ${best} ms, ratio $(echo "scale=1; ($t1 - $t0) / $best" | bc))"
  fi
  if command -v typst >/dev/null 2>&1 && command -v pandoc >/dev/null 2>&1; then
    t0=$(now_ms)
    (cd "$work/$book" && pandoc -t typst -s -o "../$book.typ" $(grep -E '^  - ' book.yaml | sed 's/^  - //') && typst compile "../$book.typ" "../typst-$book.pdf") || true
    t1=$(now_ms)
    echo "   pandoc + typst PDF: $((t1 - t0)) ms (ratio $(echo "scale=1; ($t1 - $t0) / $best" | bc))"
  fi
done
