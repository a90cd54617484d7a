//! Footnotes as EPUB 3 notes.
//!
//! A reference is `<a epub:type="noteref" role="doc-noteref">` pointing at
//! an `<aside epub:type="footnote" role="doc-footnote">` at the end of the
//! same chapter file; the aside starts with a backlink to the (first)
//! reference. Readers with pop-up notes (Apple Books, Kobo, Kindle) show the
//! aside in place and hide it from the flow; others show it at the chapter
//! end, where the backlink leads back.

use crate::diag::Span;
use crate::model::BlockKind;

use super::escape::{self, push_attr, push_text};
use super::xhtml::ChapterWriter;

impl ChapterWriter<'_, '_> {
    /// Writes a reference to footnote `index` of the current chapter.
    pub(super) fn noteref(&mut self, index: usize, span: Span) {
        let chapter = self.chapter;
        let Some(note) = chapter.footnotes.get(index) else {
            self.warn(
                span,
                "footnote reference points at no footnote; it is left out",
            );
            return;
        };
        let ref_id = self.unique_id(&format!("fnref-{}", note.id));
        if self.isolate_notes {
            // Isolated from the text around it, as the PDF's reference.
            self.out.push_str("<bdi>");
        }
        self.out
            .push_str("<sup class=\"noteref\"><a epub:type=\"noteref\" role=\"doc-noteref\" id=\"");
        push_attr(&mut self.out, &ref_id);
        self.out.push_str("\" href=\"#");
        push_attr(&mut self.out, &escape::fragment(&note.id));
        self.out.push_str("\">");
        push_text(&mut self.out, &note.number.to_string());
        self.out.push_str("</a></sup>");
        if self.isolate_notes {
            self.out.push_str("</bdi>");
        }
        self.note_refs[index].push(ref_id);
    }

    /// Writes, after the text of a part, the footnotes it references
    /// (directly or through other notes), in order; the `last` part also
    /// gets the notes that were never referenced. A note referenced from
    /// two parts is written in both, so its pop-up works in each file.
    pub(super) fn footnotes(&mut self, last: bool) {
        let chapter = self.chapter;
        let mut written_here = vec![false; chapter.footnotes.len()];
        let mut opened = false;
        self.in_notes = true;
        // Footnotes may reference other footnotes; those references are
        // written while this loop runs, so the backlink of a note refers
        // only to references already written before it, and a note first
        // referenced by a later note is picked up by the next round.
        loop {
            let mut wrote = false;
            for (index, note) in chapter.footnotes.iter().enumerate() {
                let wanted =
                    !self.note_refs[index].is_empty() || (last && !self.notes_written[index]);
                if written_here[index] || !wanted {
                    continue;
                }
                if !opened {
                    self.out.push_str("<div class=\"footnotes\">\n");
                    opened = true;
                }
                written_here[index] = true;
                self.notes_written[index] = true;
                wrote = true;
                self.out.push_str(
                    "<aside epub:type=\"footnote\" role=\"doc-footnote\" class=\"footnote\" id=\"",
                );
                push_attr(&mut self.out, &escape::id(&note.id));
                self.out.push_str("\">\n");
                let (first_inlines, rest) = match note.blocks.split_first() {
                    Some((first, rest)) => match &first.kind {
                        BlockKind::Paragraph(inlines) => (Some(inlines), rest),
                        _ => (None, &note.blocks[..]),
                    },
                    None => (None, &note.blocks[..]),
                };
                self.out.push_str("<p>");
                self.backlink(index, note.number);
                if let Some(inlines) = first_inlines {
                    self.out.push(' ');
                    self.inlines(inlines);
                }
                self.out.push_str("</p>\n");
                self.blocks(rest);
                self.out.push_str("</aside>\n");
            }
            if !wrote {
                break;
            }
        }
        if opened {
            self.out.push_str("</div>\n");
        }
        self.in_notes = false;
    }

    /// The note number, linked back to the first reference when there is one.
    fn backlink(&mut self, index: usize, number: usize) {
        match self.note_refs[index].first() {
            Some(ref_id) => {
                let href = format!("#{}", escape::fragment(ref_id));
                self.out
                    .push_str("<a class=\"footnote-backlink\" role=\"doc-backlink\" href=\"");
                push_attr(&mut self.out, &href);
                self.out.push_str("\">");
                push_text(&mut self.out, &format!("{number}."));
                self.out.push_str("</a>");
            }
            None => {
                self.out.push_str("<span class=\"footnote-number\">");
                push_text(&mut self.out, &format!("{number}."));
                self.out.push_str("</span>");
            }
        }
    }
}
