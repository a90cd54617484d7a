//! The built EPUB opened for the preview: its files by path, and its
//! reading order from the package's spine, so the page shows the chapters'
//! own XHTML and CSS as a reading system would.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};
use std::sync::Arc;

/// A chapter of the spine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpineItem {
    /// Its path in the archive (what the preview serves it as).
    pub path: String,
    /// Its `<title>`, or its file name.
    pub title: String,
}

/// The files of an EPUB and its reading order.
#[derive(Debug, Clone, Default)]
pub struct EpubView {
    pub files: Arc<BTreeMap<String, Vec<u8>>>,
    pub spine: Vec<SpineItem>,
}

impl EpubView {
    /// Opens an EPUB's bytes.
    pub fn read(bytes: &[u8]) -> Result<EpubView, String> {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| e.to_string())?;
        let mut files = BTreeMap::new();
        for i in 0..zip.len() {
            let mut entry = zip.by_index(i).map_err(|e| e.to_string())?;
            if entry.is_dir() {
                continue;
            }
            let mut data = Vec::with_capacity(entry.size() as usize);
            entry.read_to_end(&mut data).map_err(|e| e.to_string())?;
            files.insert(entry.name().to_string(), data);
        }
        let text = |path: &str| {
            files
                .get(path)
                .map(|b| String::from_utf8_lossy(b).into_owned())
        };
        let container = text("META-INF/container.xml").ok_or("no META-INF/container.xml")?;
        let opf_path = tags(&container, "rootfile")
            .find_map(|t| attribute(t, "full-path"))
            .ok_or("container.xml names no package file")?;
        let opf = text(&opf_path).ok_or_else(|| format!("no {opf_path}"))?;
        let base = opf_path.rfind('/').map_or("", |i| &opf_path[..=i]);
        let manifest: BTreeMap<String, String> = tags(&opf, "item")
            .filter_map(|t| Some((attribute(t, "id")?, attribute(t, "href")?)))
            .collect();
        let spine = tags(&opf, "itemref")
            .filter_map(|t| attribute(t, "idref"))
            .filter_map(|id| manifest.get(&id))
            .map(|href| {
                let path = format!("{base}{href}");
                let title = text(&path)
                    .and_then(|x| element_text(&x, "title"))
                    .filter(|t| !t.trim().is_empty())
                    .unwrap_or_else(|| href.clone());
                SpineItem { path, title }
            })
            .collect();
        Ok(EpubView {
            files: Arc::new(files),
            spine,
        })
    }
}

/// The start tags named `name` in `xml` (`<name …>`), without the brackets.
fn tags<'a>(xml: &'a str, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    let open = format!("<{name}");
    xml.match_indices(open.clone().as_str())
        .map(|(i, _)| &xml[i + open.len()..])
        .filter(|rest| rest.starts_with(|c: char| c.is_whitespace() || c == '/' || c == '>'))
        .filter_map(|rest| rest.find('>').map(|end| &rest[..end]))
        .collect::<Vec<_>>()
        .into_iter()
}

/// The value of `name="…"` in a start tag's text, unescaped.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let mut search = tag;
    while let Some(i) = search.find(name) {
        let before = search[..i].chars().last();
        let rest = search[i + name.len()..].trim_start();
        if before.is_some_and(char::is_whitespace) {
            if let Some(rest) = rest.strip_prefix('=') {
                let rest = rest.trim_start();
                let quote = rest.chars().next()?;
                if quote == '"' || quote == '\'' {
                    let value = &rest[1..];
                    let end = value.find(quote)?;
                    return Some(unescape(&value[..end]));
                }
            }
        }
        search = &search[i + name.len()..];
    }
    None
}

/// The text of the first `<name>…</name>` element, unescaped.
fn element_text(xml: &str, name: &str) -> Option<String> {
    let start = xml.find(&format!("<{name}>"))? + name.len() + 2;
    let end = xml[start..].find(&format!("</{name}>"))? + start;
    Some(unescape(&xml[start..end]))
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::{attribute, tags};

    #[test]
    fn start_tags_and_their_attributes() {
        let opf =
            r#"<manifest><item id="c1" href="ch&amp;1.xhtml"/><itemref idref='c1'/></manifest>"#;
        let items: Vec<&str> = tags(opf, "item").collect();
        assert_eq!(items.len(), 1, "{items:?}");
        assert_eq!(attribute(items[0], "href").as_deref(), Some("ch&1.xhtml"));
        assert_eq!(attribute(items[0], "id").as_deref(), Some("c1"));
        let refs: Vec<&str> = tags(opf, "itemref").collect();
        assert_eq!(attribute(refs[0], "idref").as_deref(), Some("c1"));
    }
}
