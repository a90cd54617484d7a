#!/usr/bin/env bash
# Pictures of the formula fixture for the eye, not for the test suite:
# Folio's PDF of tests/fixtures/math beside a reference rendering of the
# same formulas by KaTeX in headless Chromium (same page size, same order).
#
#   scripts/math-reference.sh [OUT_DIR]     # default docs/math
#
# Writes OUT_DIR/folio-NN.png (Folio's pages) and OUT_DIR/katex-NN.png.
# Needs: chromium (Debian), npm (fetches the `katex` package into a
# temporary folder), pdftoppm (poppler-utils), and a release build.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/docs/math}"
mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet --manifest-path "$root/Cargo.toml"
SOURCE_DATE_EPOCH=1700000000 "$root/target/release/folio" build "$root/tests/fixtures/math" \
  -o "$work/folio" --pdf --quiet
rm -f "$out"/folio-*.png "$out"/katex-*.png
pdftoppm -png -r 110 "$work/folio/formulas.pdf" "$out/folio"

(cd "$work" && npm pack --silent katex >/dev/null && tar xzf katex-*.tgz)
python3 - "$root/tests/fixtures/math" "$work" <<'PY'
import html, re, sys, pathlib
src, work = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
body = []
for name in ["01-formulas.md", "02-in-text.md"]:
    text = (src / name).read_text()
    for block in re.split(r"\n\s*\n", text):
        block = re.sub(r"\s*\{#[^}]*\}\s*$", "", block.strip())
        if not block:
            continue
        if block.startswith("#"):
            level = len(block) - len(block.lstrip("#"))
            body.append(f"<h{level}>{html.escape(block.lstrip('#').strip())}</h{level}>")
        elif block.startswith("$$") and block.endswith("$$"):
            body.append(f'<div class="eq">{html.escape(block)}</div>')
        else:
            body.append(f"<p>{html.escape(block.lstrip('>-').strip())}</p>")
page = f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="package/dist/katex.min.css">
<script src="package/dist/katex.min.js"></script>
<script src="package/dist/contrib/auto-render.min.js"></script>
<style>@page {{ size: 6in 9in; margin: 0.75in 0.625in 0.9in 0.875in; }}
body {{ font-family: serif; font-size: 11pt; }} h1 {{ font-size: 20pt; }} h2 {{ font-size: 13pt; }}
.eq {{ margin: 0.6em 0; }} .katex {{ font-size: 1.0em; }}</style></head><body>
{chr(10).join(body)}
<script>renderMathInElement(document.body, {{delimiters: [
  {{left: "$$", right: "$$", display: true}}, {{left: "$", right: "$", display: false}}],
  throwOnError: false}});</script></body></html>"""
(work / "reference.html").write_text(page)
PY
chromium --headless --no-sandbox --disable-gpu --virtual-time-budget=10000 \
  --no-pdf-header-footer --print-to-pdf="$work/katex.pdf" "file://$work/reference.html" 2>/dev/null
pdftoppm -png -r 110 "$work/katex.pdf" "$out/katex"
ls "$out"
