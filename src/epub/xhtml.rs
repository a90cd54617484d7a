//! Model → XHTML: one well-formed XHTML5 document per chapter, plus the
//! small title and cover pages.
//!
//! The serializer walks the model's blocks and inlines and escapes every
//! string it writes (see [`super::escape`]). It keeps a little state per
//! chapter: the ids already used (so generated ids never clash with the
//! model's), the note references written so far (for the backlinks of the
//! footnotes at the chapter end, see [`super::notes`]) and the raw HTML
//! elements left open by `BlockKind::Html`/`InlineKind::Html` (see
//! [`super::html`]), which are closed when their container ends so the
//! output always nests.

use std::collections::BTreeSet;

use std::ops::Range;

use crate::diag::{Diagnostic, Span};
use crate::labels::Label;
use crate::model::{
    plain_text, Align, Attrs, Block, BlockKind, Book, Chapter, Definition, Direction, Figure,
    Heading, Image, Inline, InlineKind, Link, LinkTarget, List, PageBreak, Table,
};

use super::escape::{self, push_attr, push_text};
use super::images::ImageStore;
use super::layout::{heading_ids, Layout};
use super::pagebreaks::{BreakState, PlacedMark};

/// The XHTML namespace and the EPUB namespace for `epub:type`.
const HTML_OPEN: &str = "<html xmlns=\"http://www.w3.org/1999/xhtml\" \
                         xmlns:epub=\"http://www.idpf.org/2007/ops\"";

/// A complete XHTML document around `body` (which must already be escaped
/// markup). `body_attrs` is inserted verbatim into the `<body>` tag.
pub fn page(
    lang: &str,
    title: &str,
    stylesheets: &[String],
    body_attrs: &str,
    body: &str,
) -> String {
    let mut out = String::with_capacity(body.len() + 512);
    push_head(&mut out, lang, title, stylesheets, body_attrs);
    out.push_str(body);
    out.push_str(PAGE_END);
    out
}

/// [`page`] made around `body` in its own buffer: a chapter's markup may
/// be megabytes, and is not copied.
pub fn page_around(
    lang: &str,
    title: &str,
    stylesheets: &[String],
    body_attrs: &str,
    mut body: String,
) -> String {
    let mut head = String::with_capacity(512);
    push_head(&mut head, lang, title, stylesheets, body_attrs);
    body.insert_str(0, &head);
    body.push_str(PAGE_END);
    body
}

/// What ends every page.
const PAGE_END: &str = "</body>\n</html>\n";

/// A page's XML declaration, head and `<body>` tag.
fn push_head(out: &mut String, lang: &str, title: &str, stylesheets: &[String], body_attrs: &str) {
    // No doctype: EPUB 3 does not need one, and XML tools then parse the
    // file without DTD support (only the five XML entities are ever used).
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(HTML_OPEN);
    out.push_str(" lang=\"");
    push_attr(out, lang);
    out.push_str("\" xml:lang=\"");
    push_attr(out, lang);
    out.push('"');
    if is_rtl(lang) {
        out.push_str(" dir=\"rtl\"");
    }
    out.push_str(">\n<head>\n<meta charset=\"utf-8\"/>\n<title>");
    push_text(out, title);
    out.push_str("</title>\n");
    for css in stylesheets {
        out.push_str("<link rel=\"stylesheet\" type=\"text/css\" href=\"");
        push_attr(out, css);
        out.push_str("\"/>\n");
    }
    out.push_str("</head>\n<body");
    out.push_str(body_attrs);
    out.push_str(">\n");
}

/// Primary language subtags of scripts written right to left.
/// Whether a BCP 47 tag names a right-to-left language (`ur`, `ar-EG`…),
/// unless an explicit script subtag says otherwise (`ku-Latn`).
pub fn is_rtl(lang: &str) -> bool {
    crate::fonts::script::language_is_rtl(lang)
}

/// Whether `chapter` has right-to-left text, or text marked as such.
fn has_rtl(chapter: &Chapter) -> bool {
    let rtl_attrs =
        |a: &Attrs| a.dir == Some(Direction::Rtl) || a.lang.as_deref().is_some_and(is_rtl);
    let found = std::cell::Cell::new(false);
    let mut on_block = |b: &Block| {
        if let BlockKind::Division(d) = &b.kind {
            found.set(found.get() || rtl_attrs(&d.attrs));
        }
    };
    let mut on_inline = |i: &Inline| {
        let rtl = match &i.kind {
            InlineKind::Text(t) => crate::typeset::bidi::may_need_bidi(t),
            InlineKind::Span { attrs, .. } => rtl_attrs(attrs),
            _ => false,
        };
        found.set(found.get() || rtl);
    };
    crate::model::walk(&chapter.blocks, &mut on_block, &mut on_inline);
    for note in &chapter.footnotes {
        crate::model::walk(&note.blocks, &mut on_block, &mut on_inline);
    }
    found.get()
}

/// What every chapter of a book shares while being written.
pub struct BookContext<'a> {
    pub book: &'a Book,
    /// Files of every chapter's parts and where each id lives.
    pub layout: &'a Layout,
    /// Stylesheet hrefs each page links, in cascade order.
    pub stylesheets: &'a [String],
    /// Code blocks carry their syntax classes (`code-theme` is not `none`).
    pub highlight: bool,
}

/// The title a chapter's document carries: its first level-1 heading, else
/// its configured title, else the book's title.
pub fn chapter_title(book: &Book, chapter: &Chapter) -> String {
    let h1 = chapter.blocks.iter().find_map(|b| match &b.kind {
        BlockKind::Heading(h) if h.level == 1 => Some(plain_text(&h.content)),
        _ => None,
    });
    let title = h1.or_else(|| chapter.title.clone()).unwrap_or_default();
    let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    if title.is_empty() {
        book.meta.title.clone()
    } else {
        title
    }
}

/// A chapter written as XHTML documents, one per part of its plan.
#[derive(Debug, Default, Clone)]
pub struct ChapterOutput {
    /// Complete XHTML documents, one per part.
    pub parts: Vec<String>,
    /// The page-break markers written, with the part that holds each.
    pub marks: Vec<PlacedMark>,
    /// Byte offset in the (first) part's body markup at which each
    /// top-level block starts: what the split planner measures.
    pub block_offsets: Vec<usize>,
}

/// Writes chapter `index` as complete XHTML documents, one per part of the
/// chapter's plan in `ctx.layout`, with the markers of `breaks` that
/// belong to it. Problems that do not stop the build (an unreadable image,
/// dropped raw HTML) are pushed to `diags` as warnings.
pub fn chapter_pages(
    ctx: &BookContext<'_>,
    index: usize,
    breaks: &[PageBreak],
    images: &mut ImageStore,
    diags: &mut Vec<Diagnostic>,
) -> ChapterOutput {
    let chapter = &ctx.book.chapters[index];
    let default_plan = super::layout::whole(chapter.blocks.len());
    let plan = ctx.layout.plans.get(index).unwrap_or(&default_plan);
    let mut w = ChapterWriter::new(ctx, index, images, diags);
    w.breaks = BreakState::for_chapter(breaks, index);
    let title = chapter_title(ctx.book, chapter);
    let mut out = ChapterOutput::default();
    for (part, range) in plan.iter().enumerate() {
        w.out.clear();
        // Room for about the part's markup (its source and a little more)
        // at once: grown by doubling, a 10 MB chapter is copied on the
        // way, and the copies briefly add up to more than it.
        let source: usize = chapter.blocks[range.clone()]
            .iter()
            .map(|b| b.span.end.saturating_sub(b.span.start) as usize)
            .sum();
        w.out.reserve(source + source / 8);
        w.part_body(part, range.clone(), part + 1 == plan.len());
        if part == 0 {
            out.block_offsets = std::mem::take(&mut w.block_offsets);
        }
        out.parts.push(page_around(
            &ctx.book.meta.language,
            &title,
            ctx.stylesheets,
            " epub:type=\"bodymatter\"",
            std::mem::take(&mut w.out),
        ));
    }
    out.marks = std::mem::take(&mut w.breaks.placed);
    out
}

/// Writes chapter `index` as one complete XHTML document (its first part
/// when the layout splits it), without page-break markers.
#[cfg(test)]
pub fn chapter_page(
    ctx: &BookContext<'_>,
    index: usize,
    images: &mut ImageStore,
    diags: &mut Vec<Diagnostic>,
) -> String {
    chapter_pages(ctx, index, &[], images, diags)
        .parts
        .swap_remove(0)
}

/// Serializer state for one chapter.
pub struct ChapterWriter<'a, 'c> {
    pub(super) ctx: &'a BookContext<'c>,
    pub(super) chapter: &'a Chapter,
    /// The part being written (0 unless the chapter is split).
    pub(super) part: usize,
    /// Footnotes already written in some part.
    pub(super) notes_written: Vec<bool>,
    /// True while footnotes are being written (no page-break markers there).
    pub(super) in_notes: bool,
    /// Page-break markers of this chapter.
    pub(super) breaks: BreakState,
    /// See [`ChapterOutput::block_offsets`].
    block_offsets: Vec<usize>,
    /// Level of the last heading written in the current document (0: none).
    last_heading: u8,
    pub(super) images: &'a mut ImageStore,
    pub(super) diags: &'a mut Vec<Diagnostic>,
    /// The markup written so far.
    pub out: String,
    /// Every id in the document (the model's, then each generated one).
    ids: BTreeSet<String>,
    /// For each footnote, the ids of the references written to it.
    pub(super) note_refs: Vec<Vec<String>>,
    /// Depth of open `<a>` elements; notes met inside a link wait in
    /// `deferred_notes` and are written right after it (links never nest).
    pub(super) in_link: usize,
    pub(super) deferred_notes: Vec<(usize, Span)>,
    /// The chapter has right-to-left text: its note references are
    /// isolated (`<bdi>`), so a reference after a number or a Latin word
    /// does not join that word's left-to-right run.
    pub(super) isolate_notes: bool,
}

impl<'a, 'c> ChapterWriter<'a, 'c> {
    pub fn new(
        ctx: &'a BookContext<'c>,
        index: usize,
        images: &'a mut ImageStore,
        diags: &'a mut Vec<Diagnostic>,
    ) -> Self {
        let chapter = &ctx.book.chapters[index];
        let mut ids = BTreeSet::new();
        heading_ids(&chapter.blocks, &mut ids);
        for note in &chapter.footnotes {
            ids.insert(escape::id(&note.id));
            heading_ids(&note.blocks, &mut ids);
        }
        ChapterWriter {
            ctx,
            chapter,
            part: 0,
            notes_written: vec![false; chapter.footnotes.len()],
            in_notes: false,
            breaks: BreakState::default(),
            block_offsets: Vec::new(),
            last_heading: 0,
            images,
            diags,
            out: String::new(),
            ids,
            note_refs: vec![Vec::new(); chapter.footnotes.len()],
            in_link: 0,
            deferred_notes: Vec::new(),
            isolate_notes: is_rtl(&ctx.book.meta.language) || has_rtl(chapter),
        }
    }

    /// One part of the chapter: its section, the top-level blocks of
    /// `range`, then the footnotes it references (the last part also gets
    /// any note nobody references).
    pub fn part_body(&mut self, part: usize, range: Range<usize>, last: bool) {
        self.part = part;
        self.last_heading = 0;
        for refs in &mut self.note_refs {
            refs.clear();
        }
        if part == 0 {
            self.out
                .push_str("<section epub:type=\"chapter\" role=\"doc-chapter\">\n");
            self.chapter_start_breaks();
            let has_h1 = self
                .chapter
                .blocks
                .iter()
                .any(|b| matches!(&b.kind, BlockKind::Heading(h) if h.level == 1));
            if let (false, Some(title)) = (has_h1, &self.chapter.title) {
                self.last_heading = 1;
                self.out.push_str("<h1 class=\"chapter-title\">");
                push_text(&mut self.out, title);
                self.out.push_str("</h1>\n");
            }
        } else {
            // A continuation of the chapter, not a chapter of its own.
            self.out.push_str("<section class=\"chapter-part\">\n");
        }
        let chapter = self.chapter;
        for block in chapter.blocks.get(range).unwrap_or(&[]) {
            if part == 0 {
                self.block_offsets.push(self.out.len());
            }
            self.block(block);
        }
        if last {
            self.flush_all_breaks();
        } else {
            self.flush_block_breaks();
        }
        self.footnotes(last);
        self.out.push_str("</section>\n");
    }

    /// Records a warning at `span`.
    pub(super) fn warn(&mut self, span: Span, message: impl Into<String>) {
        let loc = self.ctx.book.sources.locate(span);
        self.diags.push(Diagnostic::warning(message).at(loc));
    }

    /// `base` if it is still free in this document, else `base-2`, `base-3`…
    pub(super) fn unique_id(&mut self, base: &str) -> String {
        let base = escape::id(base);
        let mut candidate = base.clone();
        let mut n = 2;
        while self.ids.contains(&candidate) {
            candidate = format!("{base}-{n}");
            n += 1;
        }
        self.ids.insert(candidate.clone());
        candidate
    }

    /// Writes `open`, the content from `f`, and `close`.
    fn wrap(&mut self, open: &str, close: &str, f: impl FnOnce(&mut Self)) {
        self.out.push_str(open);
        f(self);
        self.out.push_str(close);
    }

    pub(super) fn blocks(&mut self, blocks: &[Block]) {
        for block in blocks {
            self.block(block);
        }
    }

    fn block(&mut self, block: &Block) {
        self.begin_block(block);
        match &block.kind {
            BlockKind::Heading(h) => self.heading(h),
            BlockKind::Paragraph(inlines) => {
                self.wrap("<p>", "</p>\n", |w| w.inlines(inlines));
            }
            BlockKind::Figure(fig) => self.figure(fig),
            BlockKind::Image(img) => self.block_image(img, block.span, false),
            BlockKind::BlockQuote(blocks) => {
                self.wrap("<blockquote>\n", "</blockquote>\n", |w| w.blocks(blocks));
            }
            BlockKind::List(list) => self.list(list),
            BlockKind::CodeBlock {
                lang,
                text,
                options,
                tokens,
            } => self.code_block(lang.as_deref(), text, options, tokens),
            BlockKind::Table(table) => self.table(table),
            BlockKind::DefinitionList(defs) => self.definitions(defs),
            BlockKind::Division(d) => {
                let open = format!("<div{}>\n", self.attrs(&d.attrs));
                self.wrap(&open, "</div>\n", |w| w.blocks(&d.blocks));
            }
            BlockKind::Details(d) => {
                // Open, so e-readers without a disclosure widget show it
                // all, as the PDF does.
                self.out.push_str("<details open=\"open\">\n<summary>");
                self.inlines(&d.summary);
                self.word_boundary();
                self.out.push_str("</summary>\n");
                self.blocks(&d.blocks);
                self.out.push_str("</details>\n");
            }
            BlockKind::Math(f) => self.display_math(f),
            BlockKind::ThematicBreak => self.out.push_str("<hr/>\n"),
        }
    }

    /// A display formula: MathML in a block, with its number when it has
    /// one; a formula Folio could not parse is shown as its TeX, as code.
    fn display_math(&mut self, f: &crate::model::Formula) {
        self.out.push_str("<div class=\"equation\"");
        if let Some(id) = &f.id {
            self.out.push_str(" id=\"");
            push_attr(&mut self.out, &escape::id(id));
            self.out.push('"');
        }
        self.out.push('>');
        if f.body.is_some() {
            self.uncounted_words(&f.source);
            crate::math::mathml::write(f, true, &mut self.out);
        } else {
            self.out.push_str("<pre class=\"math-tex\"><code>");
            self.counted_text(f.source.trim());
            self.out.push_str("</code></pre>");
        }
        if let Some(tag) = &f.tag {
            self.out.push_str("<span class=\"equation-number\">(");
            push_text(&mut self.out, tag);
            self.out.push_str(")</span>");
        }
        self.out.push_str("</div>\n");
    }

    /// The attributes of a division or span: its id, classes, language,
    /// direction and alignment (as a class the stylesheet knows).
    fn attrs(&mut self, attrs: &Attrs) -> String {
        let mut out = String::new();
        // Model ids are unique across the book already.
        if let Some(id) = &attrs.id {
            out.push_str(&format!(" id=\"{}\"", escape::attr(&escape::id(id))));
        }
        let mut classes: Vec<&str> = attrs.classes.iter().map(String::as_str).collect();
        match attrs.align {
            Some(Align::Center) => classes.push("align-center"),
            Some(Align::Right) => classes.push("align-right"),
            Some(Align::Left) => classes.push("align-left"),
            _ => {}
        }
        let classes = escape::class_list(classes);
        if !classes.is_empty() {
            out.push_str(&format!(" class=\"{}\"", escape::attr(&classes)));
        }
        if let Some(lang) = &attrs.lang {
            let lang = escape::attr(lang);
            out.push_str(&format!(" lang=\"{lang}\" xml:lang=\"{lang}\""));
        }
        match attrs.dir {
            Some(Direction::Rtl) => out.push_str(" dir=\"rtl\""),
            Some(Direction::Ltr) => out.push_str(" dir=\"ltr\""),
            None => {}
        }
        out
    }

    /// A heading. Its level never skips one after the document's previous
    /// heading (an `###` right after a `#` is written as `<h2>`): readers
    /// and screen readers navigate by levels, and WCAG checkers flag gaps.
    fn heading(&mut self, h: &Heading) {
        let mut level = h.level.clamp(1, 6);
        if self.last_heading > 0 {
            level = level.min(self.last_heading + 1);
        }
        self.last_heading = level;
        let mut open = format!("<h{level} id=\"{}\"", escape::attr(&escape::id(&h.id)));
        let classes = escape::class_list(h.classes.iter().map(String::as_str));
        if !classes.is_empty() {
            open.push_str(&format!(" class=\"{}\"", escape::attr(&classes)));
        }
        open.push('>');
        self.wrap(&open, &format!("</h{level}>\n"), |w| w.inlines(&h.content));
    }

    fn list(&mut self, list: &List) {
        let tag = if list.start.is_some() { "ol" } else { "ul" };
        // A list of tasks only loses its bullets; in a mixed list only the
        // task items do (see `li.task` in the stylesheet).
        let is_task_list = !list.items.is_empty() && list.items.iter().all(|i| i.task.is_some());
        self.out.push('<');
        self.out.push_str(tag);
        if let Some(start) = list.start.filter(|&s| s != 1) {
            self.out.push_str(&format!(" start=\"{start}\""));
        }
        if is_task_list {
            self.out.push_str(" class=\"task-list\"");
        }
        self.out.push_str(">\n");
        for item in &list.items {
            self.out.push_str(if item.task.is_some() {
                "<li class=\"task\">"
            } else {
                "<li>"
            });
            let mut checkbox = item.task;
            let mut previous_bare = false;
            for block in &item.blocks {
                match &block.kind {
                    BlockKind::Paragraph(inlines) if list.tight => {
                        if previous_bare {
                            self.out.push_str("<br/>");
                        }
                        self.begin_block(block);
                        if let Some(done) = checkbox.take() {
                            self.task_box(done);
                        }
                        self.inlines(inlines);
                        previous_bare = true;
                    }
                    BlockKind::Paragraph(inlines) => {
                        self.begin_block(block);
                        self.out.push_str("<p>");
                        if let Some(done) = checkbox.take() {
                            self.task_box(done);
                        }
                        self.inlines(inlines);
                        self.out.push_str("</p>\n");
                        previous_bare = false;
                    }
                    _ => {
                        if let Some(done) = checkbox.take() {
                            self.task_box(done);
                        }
                        if previous_bare {
                            self.out.push('\n');
                        }
                        self.block(block);
                        previous_bare = false;
                    }
                }
            }
            if let Some(done) = checkbox.take() {
                self.task_box(done);
            }
            self.out.push_str("</li>\n");
        }
        self.out.push_str("</");
        self.out.push_str(tag);
        self.out.push_str(">\n");
    }

    /// A task-list box as a character, not a form control: EPUB readers
    /// neither need nor reliably render `<input>`.
    fn task_box(&mut self, done: bool) {
        let labels = &self.ctx.book.meta.labels;
        let (label, glyph) = if done {
            (labels.get(Label::Done), '\u{2611}')
        } else {
            (labels.get(Label::NotDone), '\u{2610}')
        };
        self.out
            .push_str("<span class=\"task-box\" role=\"img\" aria-label=\"");
        escape::push_attr(&mut self.out, label);
        self.out.push_str(&format!("\">{glyph}</span> "));
    }

    fn table(&mut self, table: &Table) {
        self.out.push_str("<table>\n");
        if !table.caption.is_empty() {
            self.wrap("<caption>", "</caption>\n", |w| w.inlines(&table.caption));
            self.word_boundary();
        }
        for (section, rows) in [("thead", &table.head), ("tbody", &table.rows)] {
            if rows.is_empty() {
                continue;
            }
            self.out.push_str(&format!("<{section}>\n"));
            for row in rows {
                self.out.push_str("<tr>");
                let mut column = 0;
                for cell in &row.cells {
                    let align = cell.align.unwrap_or_else(|| {
                        table.aligns.get(column).copied().unwrap_or(Align::None)
                    });
                    column += usize::from(cell.colspan.max(1));
                    let tag = if cell.header { "th" } else { "td" };
                    let mut open = format!("<{tag}");
                    if cell.header {
                        open.push_str(if section == "thead" {
                            " scope=\"col\""
                        } else {
                            " scope=\"row\""
                        });
                    }
                    if cell.colspan > 1 {
                        open.push_str(&format!(" colspan=\"{}\"", cell.colspan));
                    }
                    if cell.rowspan > 1 {
                        open.push_str(&format!(" rowspan=\"{}\"", cell.rowspan));
                    }
                    open.push_str(match align {
                        Align::None => "",
                        Align::Left => " class=\"align-left\"",
                        Align::Center => " class=\"align-center\"",
                        Align::Right => " class=\"align-right\"",
                    });
                    open.push('>');
                    self.word_boundary();
                    self.wrap(&open, &format!("</{tag}>"), |w| w.inlines(&cell.content));
                }
                self.out.push_str("</tr>\n");
            }
            self.out.push_str(&format!("</{section}>\n"));
        }
        self.out.push_str("</table>\n");
    }

    fn definitions(&mut self, defs: &[Definition]) {
        self.out.push_str("<dl>\n");
        for def in defs {
            self.wrap("<dt>", "</dt>\n", |w| w.inlines(&def.term));
            for details in &def.details {
                self.wrap("<dd>\n", "</dd>\n", |w| w.blocks(details));
            }
        }
        // Terms must be followed by a description (HTML's content model
        // of `dl`): trailing terms without one (raw HTML can end so) get
        // an empty one.
        if defs.last().is_some_and(|d| d.details.is_empty()) {
            self.out.push_str("<dd></dd>\n");
        }
        self.out.push_str("</dl>\n");
    }

    fn figure(&mut self, fig: &Figure) {
        self.out.push_str("<figure>\n");
        match fig.body.as_slice() {
            // An image that cannot be shown is replaced by its alt text,
            // unless the caption already says it (as in the PDF).
            [Block {
                kind: BlockKind::Image(img),
                span,
            }] => {
                let caption = plain_text(&fig.caption);
                let says_alt = collapse(&caption) == img.stand_in();
                self.begin_block(&fig.body[0]);
                self.block_image(img, *span, says_alt);
            }
            body => self.blocks(body),
        }
        if !fig.caption.is_empty() {
            self.word_boundary();
            self.wrap("<figcaption>", "</figcaption>\n", |w| {
                w.inlines(&fig.caption)
            });
        }
        self.out.push_str("</figure>\n");
    }

    /// A picture standing as a block: the image, or its alt text.
    fn block_image(&mut self, img: &Image, span: Span, caption_says_alt: bool) {
        match self.image_src(img, span) {
            Some(src) => {
                self.out.push_str("<div class=\"figure-image\">");
                self.img_tag(&src, img);
                self.out.push_str("</div>\n");
            }
            None if caption_says_alt => {}
            None => {
                self.out.push_str("<p class=\"image-fallback\">");
                self.image_fallback(img);
                self.out.push_str("</p>\n");
            }
        }
    }

    /// The package href of a local image, or `None` (with a warning when
    /// a local file could not be used) so the caller writes a fallback.
    fn image_src(&mut self, img: &Image, span: Span) -> Option<String> {
        let path = img.path.as_ref()?;
        match self.images.add(path) {
            Ok(href) => Some(href),
            Err(message) => {
                self.warn(
                    span,
                    format!("{message}; its alternative text is used instead"),
                );
                None
            }
        }
    }

    pub(super) fn img_tag(&mut self, src: &str, img: &Image) {
        self.out.push_str("<img src=\"");
        push_attr(&mut self.out, src);
        self.out.push_str("\" alt=\"");
        push_attr(&mut self.out, img.alt.trim());
        self.out.push('"');
        if let Some(w) = img.width {
            self.out.push_str(&format!(" width=\"{w}\""));
        }
        if let Some(h) = img.height {
            self.out.push_str(&format!(" height=\"{h}\""));
        }
        if let Some(title) = img.title.as_deref().filter(|t| !t.trim().is_empty()) {
            self.out.push_str(" title=\"");
            push_attr(&mut self.out, title);
            self.out.push('"');
        }
        self.out.push_str("/>");
    }

    /// An image that is not packaged: remote images become a link to the
    /// original (never fetched), anything else its alternative text.
    fn image_fallback(&mut self, img: &Image) {
        let label = img.stand_in();
        let label = label.as_str();
        if label.is_empty() {
            return;
        }
        if img.path.is_none() && has_safe_scheme(&img.url) && self.in_link == 0 {
            self.out.push_str("<a class=\"remote-image\" href=\"");
            push_attr(&mut self.out, &escape::url(&img.url));
            self.out.push_str("\">");
            push_text(&mut self.out, label);
            self.out.push_str("</a>");
        } else {
            self.out.push_str("<span class=\"image-alt\">");
            push_text(&mut self.out, label);
            self.out.push_str("</span>");
        }
    }

    pub(super) fn inlines(&mut self, inlines: &[Inline]) {
        for inline in inlines {
            self.inline(inline);
        }
    }

    fn inline(&mut self, inline: &Inline) {
        match &inline.kind {
            InlineKind::Text(t) => self.counted_text(t),
            InlineKind::Code(t) => {
                self.out.push_str("<code>");
                self.counted_text(t);
                self.out.push_str("</code>");
            }
            InlineKind::Emphasis(c) => self.wrap("<em>", "</em>", |w| w.inlines(c)),
            InlineKind::Strong(c) => self.wrap("<strong>", "</strong>", |w| w.inlines(c)),
            InlineKind::Strikethrough(c) => self.wrap("<del>", "</del>", |w| w.inlines(c)),
            InlineKind::Superscript(c) => self.wrap("<sup>", "</sup>", |w| w.inlines(c)),
            InlineKind::Subscript(c) => self.wrap("<sub>", "</sub>", |w| w.inlines(c)),
            InlineKind::Underline(c) => self.wrap("<u>", "</u>", |w| w.inlines(c)),
            InlineKind::Mark(c) => self.wrap("<mark>", "</mark>", |w| w.inlines(c)),
            InlineKind::Small(c) => self.wrap("<small>", "</small>", |w| w.inlines(c)),
            InlineKind::Kbd(c) => self.wrap("<kbd>", "</kbd>", |w| w.inlines(c)),
            InlineKind::Abbr { title, content } => {
                let mut open = String::from("<abbr");
                if let Some(title) = title.as_deref().filter(|t| !t.trim().is_empty()) {
                    open.push_str(" title=\"");
                    push_attr(&mut open, title);
                    open.push('"');
                }
                open.push('>');
                self.wrap(&open, "</abbr>", |w| w.inlines(content));
            }
            InlineKind::Span { attrs, content } => {
                let open = format!("<span{}>", self.attrs(attrs));
                self.wrap(&open, "</span>", |w| w.inlines(content));
            }
            InlineKind::Anchor(id) => {
                self.out.push_str("<span id=\"");
                push_attr(&mut self.out, &escape::id(id));
                self.out.push_str("\"></span>");
            }
            InlineKind::Link(link) => self.link(link, inline.span),
            InlineKind::Image(img) => match self.image_src(img, inline.span) {
                Some(src) => self.img_tag(&src, img),
                None => self.image_fallback(img),
            },
            InlineKind::FootnoteRef { index } => {
                if self.in_link > 0 {
                    self.deferred_notes.push((*index, inline.span));
                } else {
                    self.noteref(*index, inline.span);
                }
            }
            InlineKind::Math(f) => {
                if f.body.is_some() {
                    self.uncounted_words(&f.source);
                    crate::math::mathml::write(f, f.display, &mut self.out);
                } else {
                    self.out.push_str("<code class=\"math-tex\">");
                    self.counted_text(&f.source);
                    self.out.push_str("</code>");
                }
            }
            InlineKind::SoftBreak => {
                self.word_boundary();
                self.out.push('\n');
            }
            InlineKind::HardBreak => {
                self.word_boundary();
                self.out.push_str("<br/>\n");
            }
        }
    }

    /// The `href` of a link target, or `None` (with a warning) when it
    /// would point at nothing inside or outside the book.
    fn href(&mut self, target: &LinkTarget, span: Span) -> Option<String> {
        match target {
            LinkTarget::External(url) => {
                if has_safe_scheme(url) {
                    Some(escape::url(url))
                } else {
                    self.warn(
                        span,
                        format!("link target `{url}` is not in the book and has no web address; the link text is kept without a link"),
                    );
                    None
                }
            }
            LinkTarget::Internal { chapter, id } => {
                let href = self.ctx.layout.href(*chapter, id.as_deref());
                if href.is_none() {
                    self.warn(span, "link points at a chapter that is not in the book");
                }
                href
            }
        }
    }

    fn link(&mut self, link: &Link, span: Span) {
        let href = if self.in_link > 0 {
            None
        } else {
            self.href(&link.target, span)
        };
        let Some(href) = href else {
            self.inlines(&link.content);
            return;
        };
        let mut open = String::from("<a href=\"");
        push_attr(&mut open, &href);
        open.push('"');
        if let Some(title) = link.title.as_deref().filter(|t| !t.trim().is_empty()) {
            open.push_str(" title=\"");
            push_attr(&mut open, title);
            open.push('"');
        }
        open.push('>');
        self.out.push_str(&open);
        self.in_link += 1;
        self.inlines(&link.content);
        self.in_link -= 1;
        self.out.push_str("</a>");
        self.flush_deferred_notes();
    }

    /// Writes the note references met inside a link, once outside it.
    pub(super) fn flush_deferred_notes(&mut self) {
        if self.in_link == 0 && !self.deferred_notes.is_empty() {
            for (index, span) in std::mem::take(&mut self.deferred_notes) {
                self.noteref(index, span);
            }
        }
    }
}

/// Runs of white space as one space, the ends trimmed.
fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether a URL has a scheme an EPUB reader can follow and that runs no
/// code (`javascript:`, `data:` and local `file:` URLs are refused).
pub fn has_safe_scheme(url: &str) -> bool {
    let url = url.trim();
    let Some(colon) = url.find(':') else {
        return false;
    };
    let scheme = &url[..colon];
    let well_formed = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    well_formed
        && !["javascript", "vbscript", "data", "file"]
            .iter()
            .any(|s| scheme.eq_ignore_ascii_case(s))
}
