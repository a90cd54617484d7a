//! The preview page: the EPUB's chapters (their own XHTML and CSS, in a
//! frame) beside the PDF, the latest build's errors and warnings above
//! them. Rendered on the server from the latest snapshot, so what the page
//! says is what was built; its script only listens for the next build
//! (server-sent events), remembers the chapter and scroll position, and
//! reloads.

use crate::epub::escape::{attr, text};
use std::fmt::Write;

use super::Snapshot;

/// Where the page's parts are served.
pub const EVENTS_PATH: &str = "/events";
/// Files of the EPUB are served under this prefix, at their archive path,
/// so the chapters' relative links to CSS, images and each other work.
pub const EPUB_PREFIX: &str = "/epub/";
pub const PDF_PATH: &str = "/book.pdf";

/// The page for `snapshot`.
pub fn render(snapshot: &Snapshot) -> String {
    let title = if snapshot.title.is_empty() {
        "Folio preview".to_string()
    } else {
        snapshot.title.clone()
    };
    let failed = !snapshot.errors.is_empty();
    let mut html = String::with_capacity(8 * 1024);
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{} — preview</title>\n<style>{STYLE}</style>\n</head>\n\
         <body data-generation=\"{}\">\n<header>\n<strong>{}</strong>\n",
        text(&title),
        snapshot.generation,
        text(&title),
    );
    let _ = writeln!(
        html,
        "<span id=\"status\" class=\"{}\">build {}: {} in {} ms</span>",
        if failed { "failed" } else { "ok" },
        snapshot.generation,
        if failed { "failed" } else { "built" },
        snapshot.took.as_millis(),
    );
    html.push_str("<select id=\"chapter\" aria-label=\"Chapter\">\n");
    let first = first_chapter(snapshot);
    for (i, item) in snapshot.epub.spine.iter().enumerate() {
        let _ = writeln!(
            html,
            "<option value=\"{EPUB_PREFIX}{}\"{}>{}</option>",
            attr(&item.path),
            if i == first { " selected" } else { "" },
            text(&item.title)
        );
    }
    html.push_str("</select>\n</header>\n<section id=\"problems\">");
    for (class, problems) in [("error", &snapshot.errors), ("warning", &snapshot.warnings)] {
        if !problems.is_empty() {
            let _ = write!(
                html,
                "<pre class=\"{class}\">{}</pre>",
                text(problems.trim_end())
            );
        }
    }
    html.push_str("</section>\n<main>\n");
    match snapshot.epub.spine.get(first) {
        Some(first) => {
            let _ = writeln!(
                html,
                "<iframe id=\"epub\" title=\"EPUB\" src=\"{EPUB_PREFIX}{}\"></iframe>",
                attr(&first.path)
            );
        }
        None => html.push_str("<div id=\"epub\" class=\"empty\">no EPUB built yet</div>\n"),
    }
    if snapshot.pdf.is_some() {
        let _ = writeln!(
            html,
            "<iframe id=\"pdf\" title=\"PDF\" src=\"{PDF_PATH}?build={}\"></iframe>",
            snapshot.generation
        );
    } else {
        html.push_str("<div id=\"pdf\" class=\"empty\">no PDF built yet</div>\n");
    }
    html.push_str("</main>\n<script>");
    html.push_str(&SCRIPT.replace("EVENTS_PATH", EVENTS_PATH));
    html.push_str("</script>\n</body>\n</html>\n");
    html
}

/// The chapter shown first: the first after the contents page (the
/// cover, title page and contents are the same from build to build), or
/// the first of all.
fn first_chapter(snapshot: &Snapshot) -> usize {
    let spine = &snapshot.epub.spine;
    spine
        .iter()
        .position(|item| item.path.ends_with("nav.xhtml"))
        .map(|nav| nav + 1)
        .filter(|&i| i < spine.len())
        .unwrap_or(0)
}

const STYLE: &str = "
html, body { margin: 0; height: 100%; font: 14px system-ui, sans-serif; }
body { display: flex; flex-direction: column; }
header { display: flex; gap: 1em; align-items: center; padding: .4em .8em;
  background: #f3f1ec; border-bottom: 1px solid #ccc; }
#status.ok { color: #276127; } #status.failed { color: #a01010; font-weight: bold; }
#problems { max-height: 35vh; overflow: auto; }
#problems pre { margin: 0; padding: .5em .8em; white-space: pre-wrap; font-size: 12px; }
#problems pre.error { background: #fde8e8; border-bottom: 2px solid #a01010; }
#problems pre.warning { background: #fdf6e0; border-bottom: 1px solid #c9a227; }
main { flex: 1; display: flex; min-height: 0; }
main > * { flex: 1; border: 0; height: 100%; }
#epub { border-right: 1px solid #ccc; background: #fff; }
.empty { display: flex; align-items: center; justify-content: center; color: #777; }
";

/// Keeps the reader's place: which chapter and how far down, saved for the
/// tab before a reload and restored after it.
const SCRIPT: &str = r#"
(() => {
  const generation = Number(document.body.dataset.generation);
  const frame = document.getElementById('epub');
  const select = document.getElementById('chapter');
  const key = 'folio-preview-place';
  let saved = null;
  try { saved = JSON.parse(sessionStorage.getItem(key)); } catch (e) {}
  const place = () => {
    try {
      const w = frame.contentWindow;
      return { chapter: w.location.pathname, y: w.scrollY };
    } catch (e) { return null; }
  };
  if (frame && frame.tagName === 'IFRAME') {
    if (saved && saved.chapter && [...select.options].some(o => o.value === saved.chapter)) {
      frame.src = saved.chapter;
    }
    frame.addEventListener('load', () => {
      const here = place();
      if (!here) return;
      if (saved && saved.chapter === here.chapter) {
        frame.contentWindow.scrollTo(0, saved.y);
        saved = null;
      }
      if ([...select.options].some(o => o.value === here.chapter)) select.value = here.chapter;
    });
    select.addEventListener('change', () => { frame.src = select.value; });
  }
  const events = new EventSource('EVENTS_PATH');
  events.addEventListener('build', (e) => {
    if (Number(e.data) > generation) {
      const here = frame && frame.tagName === 'IFRAME' ? place() : null;
      if (here) sessionStorage.setItem(key, JSON.stringify(here));
      location.reload();
    }
  });
})();
"#;

#[cfg(test)]
mod tests {
    use super::render;
    use crate::serve::Snapshot;

    #[test]
    fn errors_are_on_the_page_escaped_and_gone_when_fixed() {
        let mut s = Snapshot {
            generation: 3,
            title: "A & B".into(),
            errors: "error: unclosed <b>\n".into(),
            ..Snapshot::default()
        };
        let html = render(&s);
        assert!(html.contains("data-generation=\"3\""));
        assert!(html.contains("A &amp; B"));
        assert!(html.contains("<pre class=\"error\">error: unclosed &lt;b&gt;</pre>"));
        assert!(html.contains("class=\"failed\""));
        s.errors.clear();
        let html = render(&s);
        assert!(!html.contains("class=\"error\""));
        assert!(html.contains("class=\"ok\""));
    }
}
