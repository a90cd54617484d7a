//! The preview's HTTP server, on 127.0.0.1 only: the page, the EPUB's
//! files, the PDF, and a server-sent event stream that says when a new
//! build is in. Everything is served from the latest [`Snapshot`] in
//! memory.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::url::percent_decode;

use tiny_http::{Header, Method, Request, Response, Server};

use crate::diag::Diagnostic;

use super::page::{self, EPUB_PREFIX, EVENTS_PATH, PDF_PATH};
use super::Shared;

/// An event stream with nothing to say sends a comment this often, so a
/// closed tab is noticed (the write fails) and its thread ends.
const HEARTBEAT: Duration = Duration::from_secs(15);

/// Starts serving on 127.0.0.1:`port` (0: a free port the system picks)
/// on a thread of its own; returns the address it listens on.
pub fn start(port: u16, shared: Arc<Shared>) -> Result<SocketAddr, Diagnostic> {
    let server = Server::http(("127.0.0.1", port)).map_err(|e| {
        Diagnostic::error(format!("cannot listen on 127.0.0.1:{port}: {e}"))
            .with_hint("choose another port with --port, or leave it out for a free one")
    })?;
    let addr = server
        .server_addr()
        .to_ip()
        .ok_or_else(|| Diagnostic::error("the server has no IP address"))?;
    std::thread::spawn(move || {
        for request in server.incoming_requests() {
            handle(request, &shared);
        }
    });
    Ok(addr)
}

fn handle(request: Request, shared: &Arc<Shared>) {
    if request.method() != &Method::Get && request.method() != &Method::Head {
        let _ = request.respond(Response::from_string("").with_status_code(405));
        return;
    }
    let url = request.url().to_string();
    let path = url.split(['?', '#']).next().unwrap_or("/");
    let path = percent_decode(path);
    let snapshot = shared.latest();
    let response = if path == "/" || path == "/index.html" {
        bytes(
            page::render(&snapshot).into_bytes(),
            "text/html; charset=utf-8",
        )
    } else if path == EVENTS_PATH {
        let shared = shared.clone();
        std::thread::spawn(move || events(request, &shared));
        return;
    } else if path == PDF_PATH {
        match &snapshot.pdf {
            Some(pdf) => bytes(pdf.to_vec(), "application/pdf"),
            None => not_found(),
        }
    } else if let Some(file) = path.strip_prefix(EPUB_PREFIX) {
        match snapshot.epub.files.get(file) {
            Some(data) => bytes(data.clone(), mime(file)),
            None => not_found(),
        }
    } else {
        not_found()
    };
    let _ = request.respond(response);
}

fn bytes(data: Vec<u8>, content_type: &str) -> Response<std::io::Cursor<Vec<u8>>> {
    Response::from_data(data)
        .with_header(header("Content-Type", content_type))
        // Every build changes what a path holds.
        .with_header(header("Cache-Control", "no-store"))
}

fn not_found() -> Response<std::io::Cursor<Vec<u8>>> {
    Response::from_string("not found").with_status_code(404)
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("a valid header")
}

/// Server-sent events: `build` with the generation, now and after every
/// build, until the client goes away.
fn events(request: Request, shared: &Shared) {
    let mut out = request.into_writer();
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\
                Cache-Control: no-store\r\nConnection: keep-alive\r\n\r\n";
    if out.write_all(head.as_bytes()).is_err() {
        return;
    }
    let mut generation = shared.latest().generation;
    let mut message = format!("event: build\ndata: {generation}\n\n");
    loop {
        if out.write_all(message.as_bytes()).is_err() || out.flush().is_err() {
            return;
        }
        let newer = shared.wait_newer(generation, HEARTBEAT);
        message = if newer > generation {
            generation = newer;
            format!("event: build\ndata: {generation}\n\n")
        } else {
            ": still here\n\n".to_string()
        };
    }
}

/// The content type of an EPUB's file, from its extension.
fn mime(path: &str) -> &'static str {
    let ext = path.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "xhtml" => "application/xhtml+xml; charset=utf-8",
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "otf" => "font/otf",
        "ttf" => "font/ttf",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "opf" | "ncx" | "xml" => "application/xml",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::mime;

    #[test]
    fn paths_and_types() {
        assert_eq!(
            mime("OEBPS/ch1.xhtml"),
            "application/xhtml+xml; charset=utf-8"
        );
        assert_eq!(mime("a/stylesheet.css"), "text/css; charset=utf-8");
    }
}
