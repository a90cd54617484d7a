#!/usr/bin/env bash
# Compares two folio binaries on the 300,000-word benchmark book, side by
# side in one run: the builds alternate (so a busy machine slows both
# alike), and for each binary it prints the best and median wall time of
# the whole build, its peak RSS, the best PDF-stage time from --timings
# and the PDF's size.
#
#   scripts/bench-compare.sh BEFORE_BIN AFTER_BIN [RUNS]
#
# Build the "before" binary from another checkout, e.g.
#   git worktree add /tmp/before main && (cd /tmp/before && cargo build --release)
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { echo "usage: $0 BEFORE_BIN AFTER_BIN [RUNS]" >&2; exit 2; }
bins=("$1" "$2")
runs=${3:-7}
work=target/bench
mkdir -p "$work"
cargo build --release --quiet --example genbook
[ -f "$work/book300k/book.yaml" ] || target/release/examples/genbook "$work/book300k" 300000 40 >/dev/null

declare -A walls rss pdf
for _ in $(seq "$runs"); do
  for k in 0 1; do
    out="$work/compare-$k"
    t=$(mktemp)
    SOURCE_DATE_EPOCH=1700000000 /usr/bin/time -f '%e %M' -o "$t" \
      "${bins[$k]}" build "$work/book300k" -o "$out" --timings >"$t.out" 2>&1
    read -r wall kib <"$t"
    stage=$(awk '$1 == "pdf" { print $2 }' "$t.out")
    walls[$k]+="$wall "
    pdf[$k]+="$stage "
    [ "${rss[$k]:-0}" -gt "$kib" ] || rss[$k]=$kib
    rm -f "$t" "$t.out"
  done
done
for k in 0 1; do
  sorted=$(tr ' ' '\n' <<<"${walls[$k]}" | grep . | sort -n)
  best=$(head -1 <<<"$sorted")
  median=$(sed -n "$(( (runs + 1) / 2 ))p" <<<"$sorted")
  stage=$(tr ' ' '\n' <<<"${pdf[$k]}" | grep . | sort -n | head -1)
  size=$(stat -c %s "$work/compare-$k"/*.pdf)
  printf '%-7s %-40s wall best %s s, median %s s; peak RSS %s MiB; pdf stage best %s ms; PDF %s MB\n' \
    "$([ $k = 0 ] && echo before || echo after)" "${bins[$k]}" "$best" "$median" \
    "$(echo "scale=1; ${rss[$k]} / 1024" | bc)" "$stage" "$(echo "scale=2; $size / 1000000" | bc)"
done
