#!/usr/bin/env python3
"""Measure the justification of a PDF the way a reader's tool sees it.

Usage:
    scripts/measure-typesetting.py BOOK.pdf [--size 11] [--json]
    scripts/measure-typesetting.py BOOK.pdf --typst BOOK_DIR [--page 6x9in|letter]

Word boxes come from `pdftotext -bbox-layout` (poppler); nothing is taken
from Folio itself, so the same numbers can be had for any PDF.

How justified body lines are found (all geometric, per PDF):

* Lines are pdftotext's `<line>` elements, taken top to bottom on each
  page. A line's text size is the height of its tallest word box (note
  numbers and inline code are smaller words on a body line); body text is
  the most common word height in the document. Lines of another size are headings, running heads, folios,
  notes, table cells, block quotes or code (all set at other sizes) and are
  left out.
* The text block's left and right edges are the most common line start and
  line end of body-size lines, separately for odd and even pages (book
  margins alternate). A line is *full measure* when it starts at the left
  edge or at the paragraph indent (the most common small positive offset of
  full lines) and ends within 1pt of the right edge or beyond it (margin
  kerning hangs punctuation into the margin). List items, quotes and
  centred text start elsewhere and are left out.
* The last line of a paragraph is not justified: a full-measure line is
  still left out when the next line on the page starts indented or after a
  vertical gap larger than the usual leading.

What is printed, over the justified lines:

* word-space SD: the standard deviation of every gap between consecutive
  word boxes on those lines, in em of the body size (gaps under 0.05 em
  are kerning or superscripts, not spaces);
* p99: the 99th percentile of those gaps, in em;
* hyphenated: the share of justified lines whose last word ends in a hyphen;
* runs: runs of three or more consecutive body lines ending in hyphens
  (body lines in reading order, continuing across pages);
* contrast: the mean difference between the average spaces of two
  consecutive justified lines, in em (a tight line next to a loose one is
  what makes the colour of a page uneven).

`--typst BOOK_DIR` also converts the book's Markdown (the constructs the
benchmark generator writes: headings, paragraphs with emphasis, links and
footnotes, lists, block quotes, pipe tables, fenced code) to Typst markup,
compiles it with the `typst` Python package (or a `typst` command) at the
same page size and font size with the fonts in `fonts/`, Typst's default
margins, justified and hyphenated, and measures that PDF the same way.
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Gaps narrower than this (em) are not word spaces: kerning, a superscript
# note number set against its word, or pdftotext splitting at a font change.
MIN_SPACE_EM = 0.05
# A line ends at the right edge when it comes this close (pt); letters end
# exactly there, hanging punctuation beyond it.
RIGHT_SLACK = 1.0
# Line starts within this of the left edge (pt) are at the edge.
LEFT_SLACK = 0.75
# A gap between baselines this many leadings or more ends a paragraph.
PARAGRAPH_GAP = 1.3
# Word heights within this ratio of the body height are body size.
SIZE_SLACK = 0.04
HYPHENS = ("-", "\u2010", "\u00ad")  # Typst writes its hyphen as a soft hyphen


def bbox_pages(pdf):
    """Pages of (number, [line]), each line a list of (xMin, yMin, xMax, yMax, text)."""
    out = subprocess.run(
        ["pdftotext", "-bbox-layout", pdf, "-"],
        check=True,
        stdout=subprocess.PIPE,
    ).stdout
    # pdftotext writes XHTML; drop the namespace so paths stay short.
    text = re.sub(rb'xmlns="[^"]*"', b"", out, count=1)
    root = ET.fromstring(text)
    pages = []
    for n, page in enumerate(root.iter("page"), start=1):
        lines = []
        for line in page.iter("line"):
            words = []
            for w in line.iter("word"):
                words.append(
                    (
                        float(w.get("xMin")),
                        float(w.get("yMin")),
                        float(w.get("xMax")),
                        float(w.get("yMax")),
                        w.text or "",
                    )
                )
            if words:
                words.sort(key=lambda w: w[0])
                lines.append(words)
        pages.append((n, lines))
    return pages


def mode(values, step):
    """Most common value after rounding to `step`."""
    c = Counter(round(v / step) * step for v in values)
    return c.most_common(1)[0][0] if c else None


def percentile(sorted_values, q):
    if not sorted_values:
        return float("nan")
    k = (len(sorted_values) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def line_height(words):
    # The tallest word: superscripts (note numbers) and inline code are
    # separate, smaller words on a body line.
    return max(w[3] - w[1] for w in words)


def measure(pdf, size):
    pages = bbox_pages(pdf)
    heights = [w[3] - w[1] for _, lines in pages for line in lines for w in line]
    if not heights:
        raise SystemExit(f"{pdf}: no text")
    body_h = mode(heights, 0.05)

    def is_body(line):
        return abs(line_height(line) - body_h) <= SIZE_SLACK * body_h

    # Edges of the text block, per page parity.
    edges = {}
    for parity in (0, 1):
        starts, ends = [], []
        for n, lines in pages:
            if n % 2 != parity:
                continue
            for line in lines:
                if is_body(line) and len(line) > 3:
                    starts.append(line[0][0])
                    ends.append(line[-1][2])
        if starts:
            edges[parity] = (mode(starts, 0.25), mode(ends, 0.25))
    if not edges:
        raise SystemExit(f"{pdf}: no body text found")
    for parity in (0, 1):
        edges.setdefault(parity, edges[1 - parity])

    # Paragraph indent: the most common positive offset (< 3 em) of lines
    # that reach the right edge.
    offsets = []
    for n, lines in pages:
        left, right = edges[n % 2]
        for line in lines:
            off = line[0][0] - left
            if is_body(line) and line[-1][2] >= right - RIGHT_SLACK and 1.0 < off < 3 * size:
                offsets.append(off)
    indent = mode(offsets, 0.25) if offsets else None

    # Leading: the most common distance between consecutive body baselines.
    steps = []
    for _, lines in pages:
        body = sorted((l for l in lines if is_body(l)), key=lambda l: (round(l[0][3], 1), l[0][0]))
        for a, b in zip(body, body[1:]):
            d = b[0][3] - a[0][3]
            if d > 0:
                steps.append(d)
    leading = mode(steps, 0.05) if steps else size * 1.3

    spaces = []
    justified = 0
    hyphenated = 0
    runs = 0
    run = 0
    body_lines = 0
    # Mean space of the previous justified line of the same column run,
    # for the line-to-line contrast.
    prev_mean = None
    contrasts = []

    def ends_in_hyphen(line):
        return line[-1][4].endswith(HYPHENS)

    for n, lines in pages:
        left, right = edges[n % 2]
        # Reading order of a single column: top to bottom (pdftotext's own
        # order follows its block detection, which may interleave).
        body = sorted((l for l in lines if is_body(l)), key=lambda l: (round(l[0][3], 1), l[0][0]))
        for i, line in enumerate(body):
            body_lines += 1
            # Runs of hyphenated lines, in reading order across pages.
            if ends_in_hyphen(line):
                run += 1
                if run == 3:
                    runs += 1
            else:
                run = 0
            x0 = line[0][0]
            this_prev, prev_mean = prev_mean, None
            starts_at_edge = abs(x0 - left) <= LEFT_SLACK or (
                indent is not None and abs(x0 - left - indent) <= LEFT_SLACK
            )
            # Opening quotes may hang into the left margin.
            starts_at_edge = starts_at_edge or (left - 0.5 * size < x0 < left)
            full = line[-1][2] >= right - RIGHT_SLACK
            if not (starts_at_edge and full and len(line) > 1):
                continue
            if i + 1 < len(body):
                nxt = body[i + 1]
                gap = nxt[0][3] - line[0][3]
                indented = indent is not None and abs(nxt[0][0] - left - indent) <= LEFT_SLACK
                if gap > PARAGRAPH_GAP * leading or indented:
                    continue
            justified += 1
            hyphenated += ends_in_hyphen(line)
            gaps = []
            for a, b in zip(line, line[1:]):
                g = (b[0] - a[2]) / size
                if g >= MIN_SPACE_EM:
                    gaps.append(g)
            spaces.extend(gaps)
            if gaps:
                prev_mean = statistics.fmean(gaps)
                if this_prev is not None:
                    contrasts.append(abs(prev_mean - this_prev))

    spaces.sort()
    return {
        "pdf": pdf,
        "pages": len(pages),
        "body_lines": body_lines,
        "justified_lines": justified,
        "spaces": len(spaces),
        "space_mean_em": statistics.fmean(spaces) if spaces else float("nan"),
        "space_sd_em": statistics.pstdev(spaces) if spaces else float("nan"),
        "space_p1_em": percentile(spaces, 0.01),
        "space_p99_em": percentile(spaces, 0.99),
        "hyphenated_pct": 100.0 * hyphenated / justified if justified else float("nan"),
        "hyphen_runs": runs,
        "contrast_em": statistics.fmean(contrasts) if contrasts else float("nan"),
        "text_block": {"left": edges[1][0], "right": edges[1][1], "indent": indent},
    }


# ---------------------------------------------------------------- Typst

def typst_escape(text):
    """Escapes text so Typst markup shows it literally."""
    out = []
    for ch in text:
        if ch in "\\#*_`$<>@[]~":
            out.append("\\" + ch)
        elif ch == "/":
            # `//` and `/*` start comments.
            out.append("\\/")
        else:
            out.append(ch)
    return "".join(out)


INLINE = re.compile(
    r"(?P<note>\[\^(?P<label>[^\]]+)\])"
    r"|(?P<link>\[(?P<ltext>[^\]]+)\]\((?P<url>[^)\s]+)\))"
    r"|(?P<strong>\*\*(?P<stext>.+?)\*\*)"
    r"|(?P<em>\*(?P<etext>[^*]+)\*)"
    r"|(?P<code>`(?P<ctext>[^`]+)`)"
)


def typst_inline(text, notes):
    out = []
    pos = 0
    for m in INLINE.finditer(text):
        out.append(typst_escape(text[pos : m.start()]))
        if m.group("note"):
            body = notes.get(m.group("label"), "")
            out.append("#footnote[" + typst_inline(body, notes) + "]")
        elif m.group("link"):
            url = m.group("url").replace("\\", "\\\\").replace('"', '\\"')
            out.append(f'#link("{url}")[' + typst_inline(m.group("ltext"), notes) + "]")
        elif m.group("strong"):
            out.append("#strong[" + typst_inline(m.group("stext"), notes) + "]")
        elif m.group("em"):
            out.append("#emph[" + typst_inline(m.group("etext"), notes) + "]")
        elif m.group("code"):
            code = m.group("ctext").replace("\\", "\\\\").replace('"', '\\"')
            out.append(f'#raw("{code}")')
        pos = m.end()
    out.append(typst_escape(text[pos:]))
    return "".join(out)


def markdown_to_typst(md):
    """Converts one chapter of benchmark Markdown to Typst markup."""
    notes = {}
    kept = []
    for block in re.split(r"\n\s*\n", md):
        m = re.match(r"\[\^([^\]]+)\]:\s*(.*)", block, re.S)
        if m:
            notes[m.group(1)] = " ".join(m.group(2).split())
        else:
            kept.append(block)
    out = []
    text = "\n\n".join(kept)
    blocks = re.split(r"\n\s*\n", text)
    i = 0
    while i < len(blocks):
        block = blocks[i].strip("\n")
        i += 1
        if not block.strip():
            continue
        if block.startswith("```"):
            # A fence may contain blank lines: gather up to the closing fence.
            while not re.search(r"\n```\s*$", block) and i < len(blocks):
                block += "\n\n" + blocks[i]
                i += 1
            lines = block.split("\n")
            lang = lines[0][3:].strip()
            code = "\n".join(lines[1:-1])
            fence = "````" if "```" in code else "```"
            out.append(f"{fence}{lang}\n{code}\n{fence}")
            continue
        m = re.match(r"(#{1,6})\s+(.*)", block)
        if m and "\n" not in block:
            title = re.sub(r"\s*\{[^}]*\}\s*$", "", m.group(2))
            out.append("=" * len(m.group(1)) + " " + typst_inline(title, notes))
            continue
        lines = block.split("\n")
        if all(re.match(r"\s*\|", l) for l in lines) and len(lines) >= 2:
            rows = [[c.strip() for c in l.strip().strip("|").split("|")] for l in lines]
            aligns = []
            for c in rows[1]:
                a = "left"
                if c.startswith(":") and c.endswith(":"):
                    a = "center"
                elif c.endswith(":"):
                    a = "right"
                aligns.append(a)
            cells = []
            for r in [rows[0]] + rows[2:]:
                for c in r:
                    cells.append("[" + typst_inline(c, notes) + "]")
            out.append(
                "#table(columns: %d, align: (%s),\n  %s)"
                % (len(aligns), ", ".join(aligns), ", ".join(cells))
            )
            continue
        if all(re.match(r"\d+\.\s", l) for l in lines):
            out.append("\n".join("+ " + typst_inline(l.split(" ", 1)[1], notes) for l in lines))
            continue
        if all(re.match(r"[-*+]\s", l) for l in lines):
            out.append("\n".join("- " + typst_inline(l[2:], notes) for l in lines))
            continue
        if all(l.startswith(">") for l in lines):
            inner = " ".join(l.lstrip(">").strip() for l in lines)
            out.append("#quote(block: true)[" + typst_inline(inner, notes) + "]")
            continue
        par = typst_inline(" ".join(l.strip() for l in lines), notes)
        # A paragraph must not start like a list item or heading.
        if re.match(r"[-+=]|\d+\.", par):
            par = "\\" + par
        out.append(par)
    return "\n\n".join(out) + "\n"


def book_chapters(book_dir):
    """Chapter files in book.yaml order (its `chapters:` list), else by name."""
    files = []
    yaml = os.path.join(book_dir, "book.yaml")
    if os.path.exists(yaml):
        in_list = False
        for line in open(yaml, encoding="utf-8"):
            if line.startswith("chapters:"):
                in_list = True
                continue
            if in_list:
                m = re.match(r"\s+-\s+(?:file:\s*)?(\S+\.md)", line)
                if m:
                    files.append(m.group(1))
                elif not line.startswith((" ", "\t")):
                    in_list = False
    if not files:
        files = sorted(f for f in os.listdir(book_dir) if f.endswith(".md"))
    return [os.path.join(book_dir, f) for f in files]


PAGES = {"6x9in": "width: 6in, height: 9in", "letter": 'paper: "us-letter"', "a4": 'paper: "a4"'}


def typst_source(book_dir, page, size, hyphen_cost=None):
    costs = f", costs: (hyphenation: {hyphen_cost}%)" if hyphen_cost is not None else ""
    head = f"""// Generated by scripts/measure-typesetting.py from {os.path.basename(book_dir.rstrip('/'))}.
#set page({PAGES[page]}, numbering: "1")
#set text(font: "Gentium Book Plus", size: {size}pt, lang: "en", hyphenate: true{costs})
#set par(justify: true)
#show raw: set text(font: "Inconsolata")
"""
    parts = [head]
    for f in book_chapters(book_dir):
        with open(f, encoding="utf-8") as fh:
            parts.append(markdown_to_typst(fh.read()))
    return "\n".join(parts)


def compile_typst(src_path, pdf_path, fonts):
    try:
        import typst  # the PyPI package: a Typst compiler without a CLI
    except ImportError:
        typst = None
    if typst is not None:
        typst.compile(src_path, output=pdf_path, font_paths=[fonts])
        return
    exe = shutil.which("typst")
    if exe is None:
        raise SystemExit("--typst needs the `typst` Python package or a `typst` command")
    subprocess.run(
        [exe, "compile", "--font-path", fonts, src_path, pdf_path], check=True
    )


# ---------------------------------------------------------------- output


def show(results):
    cols = [
        ("justified lines", "justified_lines", "{:d}"),
        ("space mean (em)", "space_mean_em", "{:.3f}"),
        ("space SD (em)", "space_sd_em", "{:.3f}"),
        ("p99 (em)", "space_p99_em", "{:.3f}"),
        ("hyphenated (%)", "hyphenated_pct", "{:.1f}"),
        ("runs of 3+", "hyphen_runs", "{:d}"),
        ("contrast (em)", "contrast_em", "{:.3f}"),
    ]
    names = [r["name"] for r in results]
    w = max(16, *(len(n) for n in names))
    print(" " * 18 + "".join(n.rjust(w + 2) for n in names))
    for label, key, fmt in cols:
        print(label.ljust(18) + "".join(fmt.format(r[key]).rjust(w + 2) for r in results))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("pdf", help="the PDF to measure")
    ap.add_argument("--size", type=float, default=11.0, help="body font size in pt (the em)")
    ap.add_argument("--typst", metavar="BOOK_DIR", help="also set BOOK_DIR with Typst and measure it")
    ap.add_argument("--page", default="6x9in", choices=sorted(PAGES), help="page size for --typst")
    ap.add_argument(
        "--typst-hyphen-cost",
        type=float,
        metavar="PERCENT",
        help="Typst's hyphenation cost (text.costs, default 100%%), to compare at equal hyphenation",
    )
    ap.add_argument("--keep", metavar="DIR", help="keep the Typst source and PDF in DIR")
    ap.add_argument("--fonts", default=os.path.join(ROOT, "fonts"), help="font folder for Typst")
    ap.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = ap.parse_args()

    name = "Folio" if args.typst else os.path.basename(args.pdf)
    results = [dict(measure(args.pdf, args.size), name=name)]
    if args.typst:
        work = args.keep or tempfile.mkdtemp(prefix="measure-typst-")
        os.makedirs(work, exist_ok=True)
        src = os.path.join(work, "book.typ")
        pdf = os.path.join(work, "book.pdf")
        with open(src, "w", encoding="utf-8") as fh:
            fh.write(typst_source(args.typst, args.page, args.size, args.typst_hyphen_cost))
        compile_typst(src, pdf, args.fonts)
        results.append(dict(measure(pdf, args.size), name="Typst"))
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        show(results)


if __name__ == "__main__":
    main()
