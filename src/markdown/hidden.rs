//! Rust code blocks' hidden lines, as rustdoc and mdBook write them: a
//! line whose first non-blank characters are `# ` (or a lone `#`) is
//! there for the compiler (a `fn main`, a `use`) and hidden from readers;
//! `##` at that place stands for a `#` that shows. mdBook hides them in
//! print, and a book has no button to show them: both outputs leave them
//! out. `#[derive]` and `#![…]` are Rust and stay.

use crate::model::{walk_mut, BlockKind, Chapter};

/// Leaves the hidden lines out of every Rust code block of the chapters.
pub fn hide_rust_lines(chapters: &mut [Chapter]) {
    for chapter in chapters {
        let notes = chapter.footnotes.iter_mut().map(|n| &mut n.blocks);
        for blocks in std::iter::once(&mut chapter.blocks).chain(notes) {
            walk_mut(
                blocks,
                &mut |block| {
                    if let BlockKind::CodeBlock {
                        lang: Some(lang),
                        text,
                    } = &mut block.kind
                    {
                        if lang.eq_ignore_ascii_case("rust") && text.contains('#') {
                            *text = visible_lines(text);
                        }
                    }
                },
                &mut |_| {},
            );
        }
    }
}

/// The lines of Rust code a reader sees.
fn visible_lines(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    for line in code.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        let body = content.trim_start();
        let indent = &content[..content.len() - body.len()];
        if let Some(rest) = body.strip_prefix("##") {
            out.push_str(indent);
            out.push('#');
            out.push_str(rest);
            out.push_str(&line[content.len()..]);
        } else if body == "#" || body.starts_with("# ") {
            continue;
        } else {
            out.push_str(line);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_lines_go_and_escaped_ones_show() {
        let code = "# fn main() {\n#[derive(Debug)]\nstruct A;\n    ## not hidden\n#\n# }\n";
        assert_eq!(
            visible_lines(code),
            "#[derive(Debug)]\nstruct A;\n    # not hidden\n"
        );
    }
}
