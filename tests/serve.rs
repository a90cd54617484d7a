//! `folio serve` and `folio watch` end to end, with real parts: the
//! binary serving on a free port, headless Chromium (driven over its
//! DevTools protocol) loading the preview, edits to the book's files on
//! disk, and the files watch writes compared with a cold build's.
//! Chromium missing is a failure with install instructions, never a skip.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

/// Longest wait for any one step (a build, a reload); generous for a
/// loaded CI machine, and only reached when something is wrong.
const STEP: Duration = Duration::from_secs(60);

/// A child process killed when the test ends, however it ends.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Lines a child prints on stdout, as they come.
fn lines(stdout: ChildStdout) -> mpsc::Receiver<String> {
    let (send, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { return };
            if send.send(line).is_err() {
                return;
            }
        }
    });
    lines
}

/// Waits for a line with `needle`; returns it. Fails with what was printed.
fn wait_line(lines: &mpsc::Receiver<String>, needle: &str) -> String {
    let deadline = Instant::now() + STEP;
    let mut seen = Vec::new();
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match lines.recv_timeout(left) {
            Ok(line) if line.contains(needle) => return line,
            Ok(line) => seen.push(line),
            Err(_) => break,
        }
    }
    panic!("no line with `{needle}`; printed:\n{}", seen.join("\n"));
}

fn folio(
    subcommand: &str,
    book: &Path,
    out: &Path,
    extra: &[&str],
) -> (Killed, mpsc::Receiver<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_folio"))
        .arg(subcommand)
        .arg(book)
        .arg("-o")
        .arg(out)
        .args(extra)
        .env("SOURCE_DATE_EPOCH", common::EPOCH)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the folio binary runs");
    let out = lines(child.stdout.take().unwrap());
    (Killed(child), out)
}

fn init(dir: &Path) -> PathBuf {
    let book = dir.join("book");
    let o = Command::new(env!("CARGO_BIN_EXE_folio"))
        .arg("init")
        .arg(&book)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    book
}

/// A plain HTTP GET (for the DevTools' JSON list); empty on any failure
/// (the caller retries).
fn http_get(addr: &str, path: &str) -> String {
    let Ok(mut stream) = TcpStream::connect(addr) else {
        return String::new();
    };
    let _ = write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    );
    // Chromium keeps the connection open: read the head, then as many
    // bytes as it says the body has.
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut response = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let text = String::from_utf8_lossy(&response).into_owned();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length = head.lines().find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case("content-length")
                    .then(|| v.trim().parse::<usize>().ok())?
            });
            if length.is_some_and(|n| body.len() >= n) {
                return body.to_string();
            }
        }
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => response.extend_from_slice(&buf[..n]),
        }
    }
    String::from_utf8_lossy(&response)
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_string())
        .unwrap_or_default()
}

/// Headless Chromium showing `url`, and a DevTools connection to its page.
struct Browser {
    _process: Killed,
    _profile: tempfile::TempDir,
    socket: WebSocket<MaybeTlsStream<TcpStream>>,
    next_id: u64,
}

impl Browser {
    fn open(url: &str) -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let mut child = Command::new("chromium")
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--remote-debugging-port=0",
                "--window-size=1200,800",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(url)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run `chromium` ({e}): the preview test needs headless Chromium; \
                     run scripts/install-test-tools.sh (Debian's `chromium` package)"
                )
            });
        // Chromium says where its DevTools listen on stderr.
        let stderr = child.stderr.take().unwrap();
        let (send, said) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = send.send(line);
            }
        });
        let process = Killed(child);
        let listening = wait_line(&said, "DevTools listening on ws://");
        let addr = listening
            .split("ws://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap()
            .to_string();
        let deadline = Instant::now() + STEP;
        let page_ws = loop {
            let list: Value =
                serde_json::from_str(&http_get(&addr, "/json/list")).unwrap_or(Value::Null);
            let page = list.as_array().and_then(|targets| {
                targets
                    .iter()
                    .find(|t| t["type"] == "page")
                    .and_then(|t| t["webSocketDebuggerUrl"].as_str().map(String::from))
            });
            if let Some(ws) = page {
                break ws;
            }
            assert!(Instant::now() < deadline, "Chromium shows no page: {list}");
            std::thread::sleep(Duration::from_millis(100));
        };
        let (socket, _) = tungstenite::connect(page_ws.as_str()).expect("DevTools connection");
        if let MaybeTlsStream::Plain(s) = socket.get_ref() {
            s.set_read_timeout(Some(STEP)).unwrap();
        }
        Browser {
            _process: process,
            _profile: profile,
            socket,
            next_id: 1,
        }
    }

    /// Evaluates `expression` in the page (awaiting a promise); its value,
    /// or None while the page is between documents.
    fn eval(&mut self, expression: &str) -> Option<Value> {
        let id = self.next_id;
        self.next_id += 1;
        let call = json!({
            "id": id,
            "method": "Runtime.evaluate",
            "params": { "expression": expression, "returnByValue": true, "awaitPromise": true },
        });
        self.socket.send(Message::text(call.to_string())).unwrap();
        loop {
            let message = self.socket.read().expect("DevTools answer");
            let Message::Text(text) = message else {
                continue;
            };
            let v: Value = serde_json::from_str(text.as_str()).unwrap();
            if v["id"] != id {
                continue;
            }
            if v["result"]["exceptionDetails"].is_object() || v["error"].is_object() {
                return None;
            }
            return Some(v["result"]["result"]["value"].clone());
        }
    }

    /// Polls `expression` until `done` holds for its value; returns it.
    fn wait(&mut self, what: &str, expression: &str, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + STEP;
        let mut last = Value::Null;
        while Instant::now() < deadline {
            if let Some(v) = self.eval(expression) {
                if done(&v) {
                    return v;
                }
                last = v;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the page never showed {what}; last: {last}");
    }
}

/// What the page shows: its build number, status line, problems, the
/// chapter frame's text and scroll position.
const STATE: &str = r#"(() => {
  const frame = document.getElementById('epub');
  const doc = frame && frame.contentDocument;
  return {
    generation: Number(document.body.dataset.generation),
    status: document.getElementById('status').innerText,
    errors: [...document.querySelectorAll('#problems pre.error')].map(e => e.innerText).join('\n'),
    chapter: doc && doc.readyState === 'complete' && doc.body ? doc.body.innerText : '',
    path: frame && frame.contentWindow ? frame.contentWindow.location.pathname : '',
    y: frame && frame.contentWindow ? frame.contentWindow.scrollY : -1,
  };
})()"#;

#[test]
fn the_preview_reloads_on_edits_and_shows_errors_until_fixed() {
    let dir = tempfile::tempdir().unwrap();
    let book = init(dir.path());
    let out = dir.path().join("out");
    let (_serve, printed) = folio("serve", &book, &out, &[]);
    let line = wait_line(&printed, "http://127.0.0.1:");
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap()
        .to_string();
    assert!(!url.ends_with(":0/"), "a real port is printed: {line}");
    wait_line(&printed, "built in");

    let mut browser = Browser::open(&url);
    let first = browser.wait("the first build's page with its chapter", STATE, |v| {
        v["generation"] == 1
            && v["chapter"]
                .as_str()
                .is_some_and(|t| t.contains("This is your book"))
    });
    assert!(
        first["status"].as_str().unwrap().contains("built"),
        "{first}"
    );
    assert_eq!(first["errors"], "", "{first}");
    assert_eq!(first["path"], "/epub/OEBPS/01-welcome.xhtml", "{first}");
    // The chapter is the EPUB's own XHTML with its own stylesheet, and the
    // PDF beside it is the book's PDF.
    let styled = browser
        .eval("[...document.getElementById('epub').contentDocument.styleSheets].map(s => s.href).join(' ')")
        .unwrap();
    assert!(styled.as_str().unwrap().contains(".css"), "{styled}");
    let pdf = browser
        .eval(
            "fetch(document.getElementById('pdf').src).then(r => r.arrayBuffer())\
             .then(b => new TextDecoder().decode(b.slice(0, 5)) + ' ' + b.byteLength)",
        )
        .unwrap();
    assert!(pdf.as_str().unwrap().starts_with("%PDF-"), "{pdf}");

    // Scroll down the chapter; an edit reloads the page, which comes back
    // to the same place with the new text.
    let y = browser
        .eval("(() => { const w = document.getElementById('epub').contentWindow; w.scrollTo(0, 300); return w.scrollY; })()")
        .unwrap();
    let y = y.as_f64().unwrap();
    assert!(y > 0.0, "the chapter scrolls: {y}");
    let chapter = book.join("01-welcome.md");
    let text = std::fs::read_to_string(&chapter).unwrap();
    std::fs::write(
        &chapter,
        text.replace("This is your book.", "This is your edited book."),
    )
    .unwrap();
    let edited = browser.wait("the edit", STATE, |v| {
        v["generation"].as_u64() >= Some(2)
            && v["chapter"]
                .as_str()
                .is_some_and(|t| t.contains("This is your edited book"))
    });
    assert_eq!(edited["path"], "/epub/OEBPS/01-welcome.xhtml", "{edited}");
    let restored = browser.wait("the scroll position kept", STATE, |v| {
        v["y"].as_f64() == Some(y)
    });
    assert_eq!(restored["errors"], "", "{restored}");

    // A broken book.yaml: the error, with its place, is on the page.
    let yaml = book.join("book.yaml");
    let good = std::fs::read_to_string(&yaml).unwrap();
    std::fs::write(
        &yaml,
        good.replace("title: My First Book", "title: \"My First Book"),
    )
    .unwrap();
    let broken = browser.wait("the error, above the last good build", STATE, |v| {
        v["errors"].as_str().is_some_and(|e| !e.is_empty())
            && v["chapter"]
                .as_str()
                .is_some_and(|t| t.contains("This is your edited book"))
    });
    let errors = broken["errors"].as_str().unwrap();
    assert!(
        errors.contains("book.yaml"),
        "the error names the file: {errors}"
    );
    assert!(
        broken["status"].as_str().unwrap().contains("failed"),
        "{broken}"
    );

    // Fixed: the error is gone.
    std::fs::write(&yaml, &good).unwrap();
    let fixed = browser.wait("the error cleared", STATE, |v| {
        v["generation"].as_u64() > broken["generation"].as_u64() && v["errors"] == ""
    });
    assert!(
        fixed["status"].as_str().unwrap().contains("built"),
        "{fixed}"
    );
}

/// Every file in `dir`, by name, with its bytes.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut all: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    all.sort();
    all
}

#[test]
fn watch_writes_what_a_cold_build_writes_after_edits() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("book");
    folio::bench_book::generate(6000, 6, folio::bench_book::Style::Prose)
        .write(&book)
        .unwrap();
    let out = dir.path().join("watched");
    let (_watch, printed) = folio("watch", &book, &out, &[]);
    wait_line(&printed, "built in");

    let chapters: Vec<PathBuf> = {
        let mut c: Vec<PathBuf> = std::fs::read_dir(&book)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "md"))
            .collect();
        c.sort();
        c
    };
    assert!(chapters.len() >= 6, "{chapters:?}");
    // A paragraph changed in the middle of the book, one added near the
    // end (the pages after it move), then a failed build and its fix.
    type Edit = Box<dyn Fn(&str) -> String>;
    let edits: Vec<(PathBuf, Edit)> = vec![
        (
            chapters[2].clone(),
            Box::new(|t: &str| {
                t.replacen(
                    ". ",
                    ". An edited sentence, long enough to move the line breaks of its paragraph. ",
                    1,
                )
            }),
        ),
        (
            chapters[4].clone(),
            Box::new(|t: &str| format!("{t}\nA new paragraph at the end of the chapter.\n")),
        ),
        (
            chapters[1].clone(),
            Box::new(|t: &str| format!("{t}\n[broken link](nowhere.md)\n\n![](missing.png)\n")),
        ),
    ];
    for (file, edit) in &edits {
        let text = std::fs::read_to_string(file).unwrap();
        std::fs::write(file, edit(&text)).unwrap();
        wait_line(&printed, "built");
        let cold = dir.path().join("cold");
        let _ = std::fs::remove_dir_all(&cold);
        common::build_ok(&book, &cold);
        let (watched, cold) = (files(&out), files(&cold));
        assert_eq!(
            watched.iter().map(|f| &f.0).collect::<Vec<_>>(),
            cold.iter().map(|f| &f.0).collect::<Vec<_>>()
        );
        for ((name, w), (_, c)) in watched.iter().zip(&cold) {
            assert!(
                w == c,
                "{name} after editing {} differs from a cold build's",
                file.display()
            );
        }
    }
}
