//! Code blocks in the EPUB: `<pre><code>` with the highlighter's classes
//! as `<span class="hl-…">` (the stylesheet colours them so they still
//! read apart in grey on e-ink), line numbers and marked lines.
//!
//! Line numbers are generated content (`data-line` read by the
//! stylesheet), so copying code from a reader copies the code alone; a
//! marked line is a `<mark>`-like span of class `hl-line`.

use crate::highlight::Token;
use crate::model::CodeOptions;

use super::escape::{self, push_attr};
use super::xhtml::ChapterWriter;

impl ChapterWriter<'_, '_> {
    /// Writes a code block.
    pub(super) fn code_block(
        &mut self,
        lang: Option<&str>,
        text: &str,
        options: &CodeOptions,
        tokens: &[Token],
    ) {
        let text = text.strip_suffix('\n').unwrap_or(text);
        let tokens = if self.ctx.highlight { tokens } else { &[] };
        let lines = options.line_numbers || !options.marked.is_empty();
        self.out.push_str("<pre");
        if options.line_numbers {
            self.out.push_str(" class=\"numbered\"");
        }
        self.out.push_str("><code");
        if let Some(lang) = lang.map(str::trim).filter(|l| !l.is_empty()) {
            let class = escape::class_list([lang]).replace(' ', "-");
            self.out.push_str(" class=\"language-");
            push_attr(&mut self.out, &class);
            self.out.push('"');
        }
        self.out.push('>');
        if !lines && tokens.is_empty() {
            self.counted_text(text);
            self.out.push_str("</code></pre>\n");
            return;
        }
        let mut token = 0;
        let mut start = 0;
        for (n, line) in text.split('\n').enumerate() {
            if n > 0 {
                self.out.push('\n');
            }
            let number = n as u32 + 1;
            if lines {
                self.out.push_str("<span class=\"");
                self.out.push_str(if options.is_marked(number) {
                    "line hl-line"
                } else {
                    "line"
                });
                self.out.push('"');
                if options.line_numbers {
                    self.out.push_str(&format!(" data-line=\"{number}\""));
                }
                self.out.push('>');
            }
            self.classed_line(line, start, tokens, &mut token);
            if lines {
                self.out.push_str("</span>");
            }
            start += line.len() + 1;
        }
        self.out.push_str("</code></pre>\n");
    }

    /// One line of code at byte `start` of the block, its tokens (clipped
    /// to the line) as classed spans.
    fn classed_line(&mut self, line: &str, start: usize, tokens: &[Token], token: &mut usize) {
        let end = start + line.len();
        let mut at = start;
        while at < end {
            while tokens.get(*token).is_some_and(|t| t.end as usize <= at) {
                *token += 1;
            }
            match tokens.get(*token) {
                Some(t) if (t.start as usize) <= at => {
                    let stop = (t.end as usize).min(end);
                    self.out.push_str("<span class=\"");
                    self.out.push_str(t.class.css_class());
                    self.out.push_str("\">");
                    self.counted_text(&line[at - start..stop - start]);
                    self.out.push_str("</span>");
                    at = stop;
                }
                Some(t) if (t.start as usize) < end => {
                    let stop = t.start as usize;
                    self.counted_text(&line[at - start..stop - start]);
                    at = stop;
                }
                _ => {
                    self.counted_text(&line[at - start..]);
                    at = end;
                }
            }
        }
    }
}
