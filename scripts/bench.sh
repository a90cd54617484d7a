#!/usr/bin/env bash
# Measures `folio build` on generated books of 300,000 and 10,000 words
# (and 600,000 with --double, to see how time and memory grow): wall time
# (best and median of RUNS), CPU time, peak memory, output sizes, and the
# per-stage breakdown of `--timings`, and the incremental rebuild after a
# one-paragraph edit (examples/rebuild.rs: what `folio watch` does after a
# save, beside a cold build, outputs compared byte for byte). Where pandoc (or the pandoc binary
# of pip's pypandoc-binary) and Typst (the CLI, or pip's `typst` module)
# are installed, it runs them on the same book — pandoc for the EPUB,
# pandoc → Typst for the PDF — and prints the ratios. Speed is measured
# here, never asserted in tests.
#
#   scripts/bench.sh [RUNS] [--double] [--math]
#
# --math also measures book300k-math: the 300,000-word book with 100
# formulas of tests/fixtures/math added (60 displayed, 40 in the text),
# to compare with book300k for the cost of math.
#
# FOLIO_THREADS=N passes --threads N to folio (default: one per core).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=5
double=0
math=0
for arg in "$@"; do
  case "$arg" in
    --double) double=1 ;;
    --math) math=1 ;;
    *) runs=$arg ;;
  esac
done
work=target/bench
mkdir -p "$work"

cargo build --release --quiet --bin folio --example genbook --example rebuild
bin=target/release/folio
gen=target/release/examples/genbook
threads=()
[ -n "${FOLIO_THREADS:-}" ] && threads=(--threads "$FOLIO_THREADS")

books=(book300k book10k)
[ -f "$work/book300k/book.yaml" ] || "$gen" "$work/book300k" 300000 40 >/dev/null
[ -f "$work/book10k/book.yaml" ] || "$gen" "$work/book10k" 10000 5 >/dev/null
if [ "$double" = 1 ]; then
  [ -f "$work/book600k/book.yaml" ] || "$gen" "$work/book600k" 600000 80 >/dev/null
  books+=(book600k)
fi
if [ "$math" = 1 ]; then
  if [ ! -f "$work/book300k-math/book.yaml" ]; then
    rm -rf "$work/book300k-math"
    cp -r "$work/book300k" "$work/book300k-math"
    python3 - "$work/book300k-math" <<'PY'
import pathlib, re, sys
book = pathlib.Path(sys.argv[1])
src = pathlib.Path("tests/fixtures/math/01-formulas.md").read_text()
forms = [f for f in re.findall(r"^\$\$(.*)\$\$", src, re.M) if "\\tag" not in f][:100]
chapters = sorted(book.glob("ch*.md"))
for k, f in enumerate(forms):
    c = chapters[k % len(chapters)]
    add = f"\n\n$${f}$$\n" if k % 5 < 3 else f"\n\nAs the chapter shows, ${f}$ holds here as well.\n"
    c.write_text(c.read_text() + add)
PY
  fi
  books+=(book300k-math)
fi

# The comparison tools, if any.
pandoc=$(command -v pandoc || python3 -c 'import pypandoc; print(pypandoc.get_pandoc_path())' 2>/dev/null || true)
typst=()
if command -v typst >/dev/null 2>&1; then
  typst=(typst compile)
elif python3 -c 'import typst' 2>/dev/null; then
  typst=(python3 -c 'import sys, typst; typst.compile(sys.argv[1], output=sys.argv[2])')
fi

# Runs a command under /usr/bin/time; prints "seconds user+sys max_rss_kib".
measure() {
  local t
  t=$(mktemp)
  /usr/bin/time -f '%e %U %S %M' -o "$t" "$@" >/dev/null 2>&1 || { rm -f "$t"; echo "failed"; return 0; }
  awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }' "$t"
  rm -f "$t"
}

mib() { echo "scale=1; $1 / 1024" | bc; }
size_mb() { echo "scale=2; $(stat -c %s "$1") / 1000000" | bc; }

for book in "${books[@]}"; do
  dir="$work/$book"
  out="$work/out-$book"
  rm -rf "$out"
  walls=()
  cpu=0
  rss=0
  for _ in $(seq "$runs"); do
    read -r wall c r < <(SOURCE_DATE_EPOCH=1700000000 measure "$bin" build "$dir" -o "$out" --quiet "${threads[@]}")
    walls+=("$wall")
    cpu=$c
    [ "$r" -gt "$rss" ] && rss=$r
  done
  sorted=$(printf '%s\n' "${walls[@]}" | sort -n)
  best=$(echo "$sorted" | head -1)
  median=$(echo "$sorted" | sed -n "$(( (runs + 1) / 2 ))p")
  words=$(cat "$dir"/*.md | wc -w)
  echo "== $book ($words words): folio build, both formats, $runs runs"
  echo "   wall best ${best} s, median ${median} s; CPU ${cpu} s; peak RSS $(mib "$rss") MiB"
  for f in "$out"/*; do
    printf '   %-44s %6s MB\n' "$(basename "$f")" "$(size_mb "$f")"
  done
  echo "   stages (one more run; parts of a stage are indented, summed over threads):"
  SOURCE_DATE_EPOCH=1700000000 "$bin" build "$dir" -o "$out" --timings "${threads[@]}" \
    | sed -n '/^config/,$p' | sed 's/^/     /'
  # What `folio watch` and `folio serve` do after a save: a sentence added
  # to a paragraph of the middle chapter, then a rebuild in the same
  # session; checked to write the same bytes as a cold build.
  echo "   incremental rebuild after a one-paragraph edit ($runs edits), beside a cold build in the same process:"
  target/release/examples/rebuild "$dir" "$work/rebuild-$book" "$runs" \
    | grep -E '^(cold build|median rebuild|.*(same bytes|DIFFERS))' | sed 's/^/     /'

  chapters=$(grep -E '^  - ' "$dir/book.yaml" | sed 's/^  - //')
  title=$(sed -n 's/^title: //p' "$dir/book.yaml")
  if [ -n "$pandoc" ]; then
    # shellcheck disable=SC2086
    read -r pw pc pr < <(cd "$dir" && measure "$pandoc" -o "../pandoc-$book.epub" --metadata "title=$title" $chapters)
    echo "   pandoc EPUB: ${pw} s, CPU ${pc} s, $(mib "$pr") MiB" \
      "(folio both formats: $(echo "scale=1; $pw / $best" | bc)x faster)"
    if [ ${#typst[@]} -gt 0 ]; then
      # shellcheck disable=SC2086
      read -r tw1 tc1 tr1 < <(cd "$dir" && measure "$pandoc" -t typst -s -o "../$book.typ" --metadata "title=$title" $chapters)
      read -r tw2 tc2 tr2 < <(measure "${typst[@]}" "$work/$book.typ" "$work/typst-$book.pdf")
      tw=$(echo "$tw1 + $tw2" | bc)
      tr=$(( tr1 > tr2 ? tr1 : tr2 ))
      echo "   pandoc + Typst PDF: ${tw} s, CPU $(echo "$tc1 + $tc2" | bc) s, $(mib "$tr") MiB," \
        "$(size_mb "$work/typst-$book.pdf") MB (folio both formats: $(echo "scale=1; $tw / $best" | bc)x faster)"
    fi
  fi
done
