//! Composition, placing lines: a paragraph's broken lines become slabs
//! of pieces owned by their structure nodes, with decorations (underline,
//! strike-through, highlight), link areas and inline images among the
//! words in reading order; warnings about words and glyphs.

use std::borrow::Cow;

use super::*;

impl Composer<'_> {
    /// Turns lines of one paragraph into flow elements, allowing page
    /// breaks only where both sides keep at least two lines.
    pub(crate) fn push_lines(&mut self, slabs: Vec<Slab>, ctx: &Ctx, out: &mut Vec<Elem>) {
        let n = slabs.len();
        for (i, slab) in slabs.into_iter().enumerate() {
            if i > 0 && !ctx.in_note && i >= MIN_LINES_AT_BREAK && n - i >= MIN_LINES_AT_BREAK {
                out.push(Elem::brk());
            }
            out.push(Elem::slab(slab));
        }
    }

    /// Runs the paragraph engine and turns its lines into slabs of
    /// `ctx.leading`, recording issues and over-long words.
    pub(crate) fn set(
        &mut self,
        pb: &ParBuilder,
        ctx: &Ctx,
        first_indent: Pt,
        align: Alignment,
        hyphenate: bool,
        span: Span,
    ) -> Vec<Slab> {
        let mut slabs = Vec::new();
        let count = self.set_each(
            pb,
            Cow::Borrowed(&pb.items),
            ctx,
            (first_indent, align, hyphenate),
            span,
            &mut |_, s| slabs.push(s),
        );
        for slab in &mut slabs {
            set_count(slab, count);
        }
        slabs
    }

    /// [`Composer::set`] and [`Composer::push_lines`] in one: the slabs go
    /// into `out` as each piece of a long paragraph is laid out, so its
    /// lines, its slabs and the flow never hold them all at once. Takes
    /// `pb`'s items, whose text is freed as the layout goes on.
    pub(crate) fn set_into(
        &mut self,
        pb: &mut ParBuilder,
        ctx: &Ctx,
        (first_indent, align, hyphenate): (Pt, Alignment, bool),
        span: Span,
        out: &mut Vec<Elem>,
    ) {
        let first = out.len();
        let breaks = !ctx.in_note;
        let items = Cow::Owned(std::mem::take(&mut pb.items));
        let count = self.set_each(
            pb,
            items,
            ctx,
            (first_indent, align, hyphenate),
            span,
            &mut |i, s| {
                // A break before every line that leaves enough lines above it;
                // those that leave too few below are taken out at the end.
                if breaks && i > 0 && i >= MIN_LINES_AT_BREAK {
                    out.push(Elem::brk());
                }
                out.push(Elem::slab(s));
            },
        );
        if breaks {
            let tail = (count + 1).saturating_sub(MIN_LINES_AT_BREAK);
            for i in (tail.max(MIN_LINES_AT_BREAK).max(1)..count).rev() {
                // Line i sits after its i lines and the breaks before
                // lines MIN_LINES_AT_BREAK..=i; its break right before it.
                out.remove(first + 2 * i - MIN_LINES_AT_BREAK);
            }
        }
        for elem in &mut out[first..] {
            if let Elem::Slab(slab) = elem {
                set_count(slab, count);
            }
        }
    }

    /// Lays out a paragraph of `items` (`pb`'s) and hands each line's slab
    /// to `emit` with its index, a piece of the paragraph at a time;
    /// returns the number of lines. The slabs' [`Role::Line`] count is left
    /// 0 for the caller to fill in.
    fn set_each(
        &mut self,
        pb: &ParBuilder,
        items: Cow<'_, [ParItem]>,
        ctx: &Ctx,
        (first_indent, align, hyphenate): (Pt, Alignment, bool),
        span: Span,
        emit: &mut dyn FnMut(usize, Slab),
    ) -> usize {
        let opts = ParOptions {
            first_indent,
            protrusion: align == Alignment::Justify,
            expansion: self.geo.expansion,
            ..self.par_options(ctx, self.measure(ctx), align, hyphenate)
        };
        let measure = self.measure(ctx);
        let par = self.new_par_id();
        let mut pieces = Pieces::new(items, &opts, ParTuning::default());
        let mut first_line = 0;
        while let Some(mut layout) = pieces.next(&mut self.fonts) {
            self.warn_missing_glyphs(Some(span));
            let last_piece = pieces.done();
            let n = layout.lines.len();
            let mut slabs: Vec<Slab> = layout
                .lines
                .iter_mut()
                .enumerate()
                .map(|(k, line)| {
                    let index = first_line + k;
                    let role = Role::Line {
                        par,
                        index,
                        count: 0,
                        hyphenated: line.hyphenated,
                    };
                    // Tall inline formulas push the lines apart where they
                    // would touch the next or previous line.
                    let (above, below) = math_extra(line, &pb.marks, ctx);
                    let mut slab =
                        Slab::new(ctx.leading + above + below, role, line_span(line, span));
                    let words = pb.words_before(line.text_start);
                    slab.origin = Some((span.start, u32::try_from(words).unwrap_or(u32::MAX)));
                    if align == Alignment::Justify && !(last_piece && k + 1 == n) {
                        slab.spacing = Some(line.ratio as f32);
                    }
                    self.line_pieces(
                        line,
                        &pb.marks,
                        ctx.left,
                        ctx.leading + above,
                        ctx.size,
                        &mut slab,
                    );
                    slab
                })
                .collect();
            self.line_issues(
                &layout,
                &mut slabs,
                first_line,
                (first_indent, measure),
                span,
            );
            for (k, slab) in slabs.into_iter().enumerate() {
                emit(first_line + k, slab);
            }
            first_line += n;
        }
        first_line
    }

    /// Records the issues of a piece of a paragraph's lines on their slabs
    /// (`slabs[0]` is line `first_line`), and warns of over-long words.
    fn line_issues(
        &mut self,
        layout: &ParagraphLayout,
        slabs: &mut [Slab],
        first_line: usize,
        (first_indent, measure): (Pt, Pt),
        span: Span,
    ) {
        let too_long: BTreeSet<usize> = layout
            .issues
            .iter()
            .filter(|i| i.kind == LineIssueKind::WordTooLong)
            .map(|i| i.line)
            .collect();
        for issue in &layout.issues {
            let issue_span = if issue.span == Span::default() {
                span
            } else {
                issue.span
            };
            let local = issue.line.wrapping_sub(first_line);
            match issue.kind {
                // A line holding a word too long for the measure is
                // overfull whatever its spacing says.
                LineIssueKind::Loose { .. } if too_long.contains(&issue.line) => {}
                LineIssueKind::WordTooLong => {
                    self.warn_long_word(issue_span);
                    let by = layout.lines.get(local).map_or(Pt::ZERO, |l| {
                        let indent = if issue.line == 0 {
                            first_indent
                        } else {
                            Pt::ZERO
                        };
                        (l.width + indent - measure).max(Pt::ZERO)
                    });
                    if let Some(s) = slabs.get_mut(local) {
                        if !s
                            .issues()
                            .iter()
                            .any(|i| matches!(i.kind, IssueKind::Overfull(_)))
                        {
                            s.more_mut().issues.push(Issue {
                                kind: IssueKind::Overfull(by),
                                span: issue_span,
                            });
                        }
                    }
                }
                LineIssueKind::WordBroken => self.warn_broken_word(issue_span),
                LineIssueKind::Overfull { by } => {
                    if let Some(s) = slabs.get_mut(local) {
                        let issues = &mut s.more_mut().issues;
                        issues.retain(|i| !matches!(i.kind, IssueKind::Overfull(_)));
                        issues.push(Issue {
                            kind: IssueKind::Overfull(by),
                            span: issue_span,
                        });
                    }
                }
                LineIssueKind::Loose { ratio } if ratio > VERY_LOOSE => {
                    if let Some(s) = slabs.get_mut(local) {
                        s.more_mut().issues.push(Issue {
                            kind: IssueKind::Loose(ratio),
                            span: issue_span,
                        });
                    }
                }
                LineIssueKind::Loose { .. } => {}
            }
        }
    }

    /// Warns, once per place like a long word, that a word too long for
    /// its line was broken between two letters: the book still reads, but
    /// the author may want to shorten it or allow a break.
    pub(crate) fn warn_broken_word(&mut self, span: Span) {
        self.warn_once(
            span,
            "a word too long for the line is broken between two of its letters",
            "allow a break (a space, a hyphen, or a soft hyphen &shy;) or shorten the word",
        );
    }

    pub(crate) fn warn_long_word(&mut self, span: Span) {
        self.warn_once(
            span,
            "a word is too long for the PDF's line width",
            "allow a break (e.g. a space or a hyphen) or shorten the word",
        );
    }

    /// A warning at `span`, once per place in the book however often the
    /// place is set (a table cell is set twice; chapters apart).
    pub(super) fn warn_once(&mut self, span: Span, message: &str, hint: &str) {
        let key = (span.file.0, span.start, span.end);
        if !self.warned.insert(key) {
            return;
        }
        self.long_words.push((key, self.warnings.len()));
        let mut d = Diagnostic::warning(message).with_hint(hint);
        if let Some(loc) = locate(self.book, span) {
            d = d.at(loc);
        }
        self.warnings.push(d);
    }

    /// Counts the characters [`Fonts::missing`] lists (no face has a
    /// glyph for them) in the fonts' missing-glyph tally, at the place the
    /// paragraph builder noted, else at the character's first place
    /// inside `fallback` (the block being set) in the source. The
    /// typesetter reports the tally once per script at the end.
    pub(crate) fn warn_missing_glyphs(&mut self, fallback: Option<Span>) {
        for m in std::mem::take(&mut self.fonts.missing) {
            // The character's own place where a span covers more.
            let span = m.span.or(fallback).map(|s| char_span(self.book, s, m.c));
            self.fonts.missing_glyphs.add(m.c, m.script, span);
        }
    }

    /// Moves a line's runs into a slab whose baseline is at `height` (the
    /// line keeps no runs), turns its marked ranges into link areas,
    /// images and rules, and says which structure node each part of the
    /// line belongs to (a run is cut where a link's words begin or end).
    pub(crate) fn line_pieces(
        &self,
        line: &mut Line,
        marks: &Marks,
        x: Pt,
        height: Pt,
        size: Pt,
        slab: &mut Slab,
    ) {
        // The inline nodes' stretches of the line, in order.
        let nodes: Vec<(Pt, Pt, BlockId)> = line
            .links
            .iter()
            .filter_map(|&(a, b, i)| Some((a, b, marks.marking(i)?.node?)))
            .collect();
        let base = marks.base.map_or(Owner::Slab, Owner::Node);
        // Exactly what a plain line needs (its runs, and the owner before
        // and after them): a long paragraph's lines all wait for the PDF,
        // and `reserve` would round a line of one run up to four pieces.
        let owners = if base == Owner::Slab { 0 } else { 2 };
        slab.pieces
            .reserve_exact(line.runs.len() + line.links.len() + owners);
        let owner_at = |at: Pt| {
            nodes
                .iter()
                .find(|&&(a, b, _)| at >= a && at < b)
                .map_or(base, |&(_, _, n)| Owner::Node(n))
        };
        let mut owner = Owner::Slab;
        let mut own = |pieces: &mut Vec<Piece>, o: Owner| {
            if owner != o {
                pieces.push(Piece::Node(o));
                owner = o;
            }
        };
        let ascent = line.ascent.max(size * LINK_ASCENT);
        let descent = line.descent.max(size * LINK_DESCENT);
        // A link's stretches on the line (its words may be marked apart,
        // a struck word among them) make one area; images go among the
        // words, where they are read.
        let mut areas: Vec<(u32, Pt, Pt)> = Vec::new();
        let mut images: Vec<(Pt, Pt, &Mark)> = Vec::new();
        for &(a, b, index) in &line.links {
            match marks.marks.get(index) {
                Some(Mark::Text(m)) => {
                    if let Some(link) = m.link {
                        match areas.last_mut() {
                            Some(last) if last.0 == link && (last.2 - a).0.abs() < LINK_JOIN => {
                                last.2 = b
                            }
                            _ => areas.push((link, a, b)),
                        }
                    }
                    self.decorate(m, (x + a, x + b), height, (ascent, descent), size, slab);
                }
                Some(object @ (Mark::Image { .. } | Mark::Math(_))) => images.push((a, b, object)),
                None => {}
            }
        }
        // Objects (images, formulas) not yet placed start at `images[next]`.
        let mut next = 0;
        let image_piece = |(a, b, mark): (Pt, Pt, &Mark)| match mark {
            Mark::Image {
                path,
                height: h,
                alt,
            } => Some((
                owner_at((a + b) / 2.0),
                vec![Piece::Item(Item::Image(PlacedImage {
                    path: path.clone(),
                    x: x + a,
                    y: height - *h,
                    width: b - a,
                    height: *h,
                    alt: alt.clone(),
                }))],
            )),
            Mark::Math(formula) => Some((
                owner_at((a + b) / 2.0),
                formula
                    .items
                    .iter()
                    .map(|item| {
                        let mut item = item.clone();
                        crate::typeset::flow::shift_item(&mut item, x + a, height);
                        Piece::Item(item)
                    })
                    .collect(),
            )),
            Mark::Text(_) => None,
        };
        for run in std::mem::take(&mut line.runs) {
            if nodes.is_empty() && next == images.len() {
                own(&mut slab.pieces, base);
                push_run(&mut slab.pieces, run, x, height);
                continue;
            }
            let owners: Vec<Owner> = run
                .glyphs
                .iter()
                .map(|g| owner_at(g.x + g.advance() / 2.0))
                .collect();
            for (o, part) in split_run(run, &owners) {
                let start = part.glyphs.first().map_or(Pt::ZERO, |g| g.x);
                while next < images.len() && images[next].0 < start {
                    if let Some((o, pieces)) = image_piece(images[next]) {
                        own(&mut slab.pieces, o);
                        slab.pieces.extend(pieces);
                    }
                    next += 1;
                }
                own(&mut slab.pieces, o);
                push_run(&mut slab.pieces, part, x, height);
            }
        }
        for &image in &images[next..] {
            if let Some((o, pieces)) = image_piece(image) {
                own(&mut slab.pieces, o);
                slab.pieces.extend(pieces);
            }
        }
        for (link, a, b) in areas {
            let Some(l) = marks.links.get(link as usize) else {
                continue;
            };
            own(&mut slab.pieces, l.node.map_or(base, Owner::Node));
            slab.pieces.push(Piece::Link {
                rect: Rect {
                    x: x + a,
                    y: height - ascent,
                    width: b - a,
                    height: ascent + descent,
                    gray: 0.0,
                },
                target: l.target.clone(),
            });
        }
        own(&mut slab.pieces, Owner::Slab);
        for &m in &line.markers {
            if !slab.notes().contains(&m) {
                slab.more_mut().notes.push(m);
            }
        }
    }

    /// The rules and grounds of a marked stretch `xs` of a line: struck
    /// through, underlined, highlighted.
    pub(super) fn decorate(
        &self,
        m: &Marking,
        (x0, x1): (Pt, Pt),
        height: Pt,
        (ascent, descent): (Pt, Pt),
        size: Pt,
        slab: &mut Slab,
    ) {
        let rule = |y: Pt| {
            Piece::Item(Item::Rect(Rect {
                x: x0,
                y,
                width: x1 - x0,
                height: size * STRIKE_THICKNESS,
                gray: 0.0,
            }))
        };
        if m.strike {
            let x_height = self.fonts.metrics(Face::Regular).x_height;
            slab.pieces
                .push(rule(height - size * (x_height * STRIKE_RAISE)));
        }
        if m.underline {
            slab.pieces.push(rule(height + size * UNDERLINE_DROP));
        }
        if m.highlight {
            // Drawn first, so the text lies on it.
            let ground = Piece::Item(Item::Rect(Rect {
                x: x0,
                y: height - ascent,
                width: x1 - x0,
                height: ascent + descent,
                gray: HIGHLIGHT_GRAY,
            }));
            slab.pieces.insert(0, ground);
        }
    }

    /// A paragraph builder for a table cell (or caption) whose text
    /// belongs to node `node`. With `dry`, nothing is recorded (used when
    /// only measuring), so a note cited in the cell still gets its marker,
    /// and its links their nodes, when the cell is set for real.
    pub(crate) fn cell_builder(
        &mut self,
        inlines: &[Inline],
        ctx: &Ctx,
        bold: bool,
        dry: bool,
        node: Option<BlockId>,
    ) -> ParBuilder {
        let saved = dry.then(|| {
            (
                self.cited.clone(),
                self.url_notes.len(),
                self.flow.structure.nodes.len(),
            )
        });
        let place = self.place;
        self.place.block = node.or(place.block);
        let mut pb = ParBuilder::default();
        pb.marks.base = node;
        let st = InlineStyle {
            bold,
            ..self.base_style(ctx).0
        };
        self.inlines(&mut pb, inlines, InlineStyleArg(st));
        self.place = place;
        if let Some((cited, urls, nodes)) = saved {
            self.cited = cited;
            self.url_notes.truncate(urls);
            self.flow.structure.nodes.truncate(nodes);
            pb.marks.strip_nodes();
        }
        pb
    }
}

/// Puts the number of its paragraph's lines into a line's role.
fn set_count(slab: &mut Slab, lines: usize) {
    if let Role::Line { count, .. } = &mut slab.role {
        *count = lines;
    }
}

/// Stretches of one link closer than this (in pt) are one area.
pub(super) const LINK_JOIN: f64 = 0.01;

/// Pushes a run of a line onto a slab, moved to the line's place.
pub(super) fn push_run(pieces: &mut Vec<Piece>, run: TextRun, x: Pt, height: Pt) {
    let mut item = Item::Text(run);
    crate::typeset::flow::shift_item(&mut item, x, height);
    pieces.push(Piece::Item(item));
}

/// Cuts `run` where the owner of its glyphs (`owners`, one per glyph)
/// changes: each part with its own text, glyphs and offsets.
pub(super) fn split_run(run: TextRun, owners: &[Owner]) -> Vec<(Owner, TextRun)> {
    let Some(&first) = owners.first() else {
        return vec![(Owner::Slab, run)];
    };
    if owners.iter().all(|&o| o == first) {
        return vec![(first, run)];
    }
    let mut parts: Vec<(Owner, TextRun)> = Vec::new();
    for (i, ((glyph, text), &owner)) in run.glyph_texts().zip(owners).enumerate() {
        if parts.last().is_none_or(|(o, _)| *o != owner) {
            let part = TextRun {
                font: run.font,
                size: run.size,
                baseline: run.baseline,
                gray: run.gray,
                color: run.color,
                text: String::new(),
                glyphs: Vec::new(),
                offsets: Vec::new(),
                h_scale: run.h_scale,
            };
            parts.push((owner, part));
        }
        let Some((_, part)) = parts.last_mut() else {
            continue;
        };
        let mut g = *glyph;
        part.text.push_str(text);
        g.text_len = text.len() as u16;
        let offset = run.y_offset(i);
        if offset != Pt::ZERO {
            part.offsets.push((part.glyphs.len() as u32, offset));
        }
        part.glyphs.push(g);
    }
    parts
}

/// Baseline of the first text run in a slab, if any.
pub(super) fn first_baseline(slab: &Slab) -> Option<Pt> {
    slab.pieces.iter().find_map(|p| match p {
        Piece::Item(Item::Text(run)) => Some(run.baseline),
        _ => None,
    })
}

pub(super) fn line_span(line: &Line, fallback: Span) -> Span {
    if line.span == Span::default() {
        fallback
    } else {
        line.span
    }
}

/// The first place of `c` inside `span` in the book's sources; `span`
/// itself when it is not there (or the file is not a chapter's).
pub(super) fn char_span(book: &Book, span: Span, c: char) -> Span {
    if !book.chapters.iter().any(|ch| ch.span.file == span.file) {
        return span;
    }
    let text = &book.sources.get(span.file).text;
    let start = span.start as usize;
    text.get(start..(span.end as usize).min(text.len()))
        .and_then(|t| t.find(c))
        .map_or(span, |at| Span {
            file: span.file,
            start: (start + at) as u32,
            end: (start + at + c.len_utf8()) as u32,
        })
}

/// An inline formula may reach this many ems above its baseline, and…
const INLINE_MATH_ASCENT_ROOM: f64 = 0.95;
/// …this many below, before its line is moved away from its neighbours.
const INLINE_MATH_DESCENT_ROOM: f64 = 0.35;

/// Extra room a line needs above and below its baseline for the inline
/// formulas on it (zero for a line with none or only small ones).
fn math_extra(line: &Line, marks: &Marks, ctx: &Ctx) -> (Pt, Pt) {
    let mut above = Pt::ZERO;
    let mut below = Pt::ZERO;
    let spare = ctx.leading - ctx.size;
    for &(_, _, index) in &line.links {
        if let Some(Mark::Math(b)) = marks.marks.get(index) {
            let room_up = ctx.size * INLINE_MATH_ASCENT_ROOM + spare / 2.0;
            let room_down = ctx.size * INLINE_MATH_DESCENT_ROOM + spare / 2.0;
            above = above.max(b.ascent - room_up);
            below = below.max(b.descent - room_down);
        }
    }
    (above, below)
}
