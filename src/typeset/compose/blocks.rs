//! Composition, blocks: the dispatch over block kinds and the space
//! between blocks; headings and chapter openings, lists and
//! definition lists, code, figures with captions and block images.

use super::*;

impl Composer<'_> {
    /// Lays out blocks of one container, given what preceded them.
    pub(super) fn blocks_after(
        &mut self,
        blocks: &[Block],
        ctx: &Ctx,
        mut prev: Prev,
        out: &mut Vec<Elem>,
    ) {
        for block in blocks {
            self.block_start = out.len();
            prev = self.block(block, ctx, prev, out);
            let off_grid = !matches!(
                block.kind,
                BlockKind::Paragraph(_) | BlockKind::Heading(_) | BlockKind::Division(_)
            );
            if ctx.top && off_grid {
                self.centre_on_grid(ctx, out);
            }
        }
    }

    /// A block whose height is not a whole number of grid lines (a table,
    /// code, a figure) would leave all of the rounding below it when the
    /// next block snaps back to the grid; half of it goes above instead.
    /// The space is dropped, like any other, at the top of a page.
    pub(super) fn centre_on_grid(&mut self, ctx: &Ctx, out: &mut Vec<Elem>) {
        let start = self.block_start.min(out.len());
        let content = out[start..]
            .iter()
            .position(|e| matches!(e, Elem::Slab(_)))
            .map_or(out.len(), |p| start + p);
        let height: Pt = out[content..]
            .iter()
            .map(|e| match e {
                Elem::Slab(s) => s.height,
                Elem::Space { height, .. } => *height,
                Elem::Snap => Pt::ZERO,
            })
            .sum();
        let pad = ceil_to(height, ctx.leading) - height;
        if pad.0 > EPS {
            out.insert(
                content,
                Elem::Space {
                    height: pad / 2.0,
                    breakable: false,
                },
            );
        }
    }

    /// Pushes the separator before a block: nothing after a heading (the
    /// heading keeps with it), a bare break between paragraphs, otherwise
    /// the context's gap; then snaps back to the grid at the top level.
    pub(super) fn separate(
        &mut self,
        ctx: &Ctx,
        prev: Prev,
        is_paragraph: bool,
        out: &mut Vec<Elem>,
    ) {
        match prev {
            Prev::Start | Prev::Heading => {}
            // A display has its space below it already.
            Prev::Display => out.push(Elem::brk()),
            Prev::Paragraph if is_paragraph => out.push(Elem::brk()),
            _ => out.push(Elem::Space {
                height: ctx.gap,
                breakable: true,
            }),
        }
        if ctx.top && prev != Prev::Start {
            out.push(Elem::Snap);
        }
    }

    pub(super) fn block(
        &mut self,
        block: &Block,
        ctx: &Ctx,
        prev: Prev,
        out: &mut Vec<Elem>,
    ) -> Prev {
        match &block.kind {
            BlockKind::Heading(h) => {
                self.heading(h, block.span, ctx, prev, out);
                Prev::Heading
            }
            BlockKind::Paragraph(inlines) => {
                let saved = self.place;
                let par = self.leaf(StructKind::P);
                let mut pb = ParBuilder::default();
                self.inlines(&mut pb, inlines, self.base_style(ctx));
                if pb.items.is_empty() {
                    self.place = saved;
                    return prev;
                }
                self.separate(ctx, prev, true, out);
                let align = ctx.align.unwrap_or(Alignment::Justify);
                let indent = match prev {
                    Prev::Start | Prev::Heading | Prev::Break | Prev::Display => Pt::ZERO,
                    _ if align != Alignment::Justify => Pt::ZERO,
                    _ => ctx.size * crate::typeset::cjk::paragraph_indent(self.language(ctx)),
                };
                let first = out.len();
                self.set_into(&mut pb, ctx, (indent, align, true), block.span, out);
                self.anchor_inline_ids(inlines, first, out);
                claim(out, first, par);
                self.place = saved;
                Prev::Paragraph
            }
            BlockKind::Math(f) => {
                let formula = self.formula(&f.source);
                if let Some(slab) = self.display_math(f, block.span, ctx) {
                    // A display carries its own space above and below; a
                    // page may end before it (not right after a heading).
                    if !matches!(prev, Prev::Start | Prev::Heading) {
                        out.push(Elem::brk());
                    }
                    if ctx.top && prev != Prev::Start {
                        out.push(Elem::Snap);
                    }
                    let first = out.len();
                    out.push(Elem::slab(slab));
                    if let Some(id) = &f.id {
                        self.anchor_at(id, first, out);
                    }
                    claim(out, first, formula);
                    return Prev::Display;
                }
                // Not laid out: its TeX, as a code block.
                self.separate(ctx, prev, false, out);
                let first = out.len();
                let options = crate::model::CodeOptions::default();
                let code = CodeBlockRef {
                    text: f.source.trim(),
                    options: &options,
                    tokens: &[],
                };
                self.code(code, block.span, ctx, out);
                if let Some(id) = &f.id {
                    self.anchor_at(id, first, out);
                }
                claim(out, first, formula);
                Prev::Other
            }
            BlockKind::Figure(fig) => {
                self.separate(ctx, prev, false, out);
                self.figure(fig, block.span, ctx, out);
                Prev::Other
            }
            BlockKind::Image(img) => {
                self.separate(ctx, prev, false, out);
                self.block_image(img, &[], block.span, ctx, out);
                Prev::Other
            }
            BlockKind::Division(d) => {
                let mut inner = *ctx;
                if let Some(lang) = &d.attrs.lang {
                    inner.lang = self.language_index(lang);
                    inner.rtl = crate::typeset::bidi::language_is_rtl(lang);
                }
                if let Some(dir) = d.attrs.dir {
                    inner.dir = Some(dir == Direction::Rtl);
                    inner.rtl = dir == Direction::Rtl;
                }
                // `align` names sides; the engine's Left and Right are a
                // line's start and end, flipped right to left.
                let (start, end) = if inner.rtl {
                    (Alignment::Right, Alignment::Left)
                } else {
                    (Alignment::Left, Alignment::Right)
                };
                inner.align = match d.attrs.align {
                    Some(Align::Center) => Some(Alignment::Center),
                    Some(Align::Right) => Some(end),
                    Some(Align::Left) => Some(start),
                    _ => ctx.align,
                };
                // A division is transparent to the structure unless it
                // says its text is in another language: a Div with /Lang.
                let lang = self
                    .other_language(&d.attrs.lang)
                    .then(|| d.attrs.lang.clone())
                    .flatten();
                let saved = match &lang {
                    Some(lang) => {
                        let div = self.group(StructKind::Div);
                        self.structure_mut(div).lang = Some(lang.clone());
                        Some(self.enter(Some(div), false))
                    }
                    None => None,
                };
                let inner_lang = lang.or_else(|| self.lang.clone());
                let outer_lang = std::mem::replace(&mut self.lang, inner_lang);
                let first = out.len();
                self.blocks_after(&d.blocks, &inner, prev, out);
                self.lang = outer_lang;
                if let Some(saved) = saved {
                    self.leave(saved);
                }
                if let Some(id) = &d.attrs.id {
                    self.anchor_at(id, first, out);
                }
                if out.len() == first {
                    prev
                } else {
                    Prev::Other
                }
            }
            BlockKind::Details(d) => {
                self.separate(ctx, prev, false, out);
                // Summary and content, always shown in print, as a group.
                let div = self.group(StructKind::Div);
                let saved = self.enter(Some(div), false);
                let mut pb = ParBuilder::default();
                let st = InlineStyle {
                    bold: true,
                    ..self.base_style(ctx).0
                };
                let summary = self.leaf(StructKind::P);
                self.inlines(&mut pb, &d.summary, InlineStyleArg(st));
                let mut after = Prev::Start;
                if !pb.items.is_empty() {
                    let mut slabs =
                        self.set(&pb, ctx, Pt::ZERO, Alignment::Left, false, block.span);
                    claim_slabs(&mut slabs, summary);
                    // The summary keeps with what it sums up.
                    out.extend(slabs.into_iter().map(Elem::slab));
                    after = Prev::Heading;
                }
                self.place.block = Some(div);
                self.blocks_after(&d.blocks, ctx, after, out);
                self.leave(saved);
                Prev::Other
            }
            BlockKind::BlockQuote(blocks) => {
                self.separate(ctx, prev, false, out);
                // The deeper indent on the side lines start from.
                let (start, end) = (QUOTE_INDENT_LEFT, QUOTE_INDENT_RIGHT);
                let (left, right) = if ctx.rtl { (end, start) } else { (start, end) };
                let inner = Ctx {
                    left: ctx.left + ctx.size * left,
                    right: ctx.right + ctx.size * right,
                    size: ctx.size * QUOTE_SCALE,
                    top: false,
                    ..*ctx
                };
                let quote = self.group(StructKind::BlockQuote);
                let saved = self.enter(Some(quote), one_paragraph(blocks));
                self.blocks_after(blocks, &inner, Prev::Start, out);
                self.leave(saved);
                Prev::Other
            }
            BlockKind::List(list) => {
                self.separate(ctx, prev, false, out);
                self.list(list, ctx, out);
                Prev::Other
            }
            BlockKind::CodeBlock {
                text,
                options,
                tokens,
                ..
            } => {
                self.separate(ctx, prev, false, out);
                let node = self.leaf(StructKind::Code);
                let first = out.len();
                let code = CodeBlockRef {
                    text,
                    options,
                    tokens,
                };
                self.code(code, block.span, ctx, out);
                claim(out, first, node);
                Prev::Other
            }
            BlockKind::Table(table) => {
                self.separate(ctx, prev, false, out);
                let first = self.flow.table_heads.len();
                let parts = crate::typeset::table::compose(self, table, block.span, ctx, first);
                for (k, part) in parts.into_iter().enumerate() {
                    if k > 0 {
                        out.push(Elem::Space {
                            height: ctx.gap,
                            breakable: true,
                        });
                    }
                    self.flow.table_heads.push(part.head.clone());
                    out.push(Elem::slab(part.head));
                    let n = part.rows.len();
                    for (i, row) in part.rows.into_iter().enumerate() {
                        // The head keeps with the first row; the last row
                        // carries the bottom rule, so any other gap may break.
                        if i > 0 && i < n && !ctx.in_note {
                            out.push(Elem::brk());
                        }
                        out.push(Elem::slab(row));
                    }
                }
                Prev::Other
            }
            BlockKind::DefinitionList(defs) => {
                self.separate(ctx, prev, false, out);
                // As the PDF association's guidance has it for PDF 1.7: a
                // list whose items label a term and hold its details.
                let list = self.group(StructKind::L);
                self.structure_mut(list).numbering = Some(Numbering::None);
                let saved = self.enter(Some(list), false);
                for (i, def) in defs.iter().enumerate() {
                    if i > 0 {
                        out.push(Elem::Space {
                            height: ctx.leading * DEFINITION_GAP,
                            breakable: true,
                        });
                    }
                    self.definition(def, ctx, out);
                }
                self.leave(saved);
                Prev::Other
            }
            BlockKind::ThematicBreak => {
                self.separate(ctx, prev, false, out);
                let height = ctx.leading;
                let mut slab = Slab::new(height, Role::Other, block.span);
                let width = self.measure(ctx) * RULE_FRACTION;
                // Centre the rule between the previous baseline and the
                // x-height of the next line, counting the gaps around it.
                let x_height = self.fonts.metrics(Face::Regular).x_height;
                let y = (ctx.gap + height + ctx.gap + ctx.leading - ctx.size * x_height) / 2.0
                    - ctx.gap;
                slab.pieces.push(Piece::Item(Item::Rect(Rect {
                    x: ctx.left + (self.measure(ctx) - width) / 2.0,
                    y: y.max(Pt::ZERO),
                    width,
                    height: THIN_RULE,
                    gray: 0.0,
                })));
                out.push(Elem::slab(slab));
                Prev::Break
            }
        }
    }

    /// Headings: chapter openings at the top level, smaller heads within.
    pub(super) fn heading(
        &mut self,
        h: &Heading,
        span: Span,
        ctx: &Ctx,
        prev: Prev,
        out: &mut Vec<Elem>,
    ) {
        let title = normalize(&plain_text(&h.content));
        // The heading's node, at the level the source gives it (inside a
        // list or quote it is set smaller, but it heads the same level).
        let saved = self.place;
        let node = self.heading_node(h.level, &title);
        let first = out.len();
        self.heading_slabs(h, &title, span, ctx, prev, out);
        claim(out, first, node);
        self.place = saved;
    }

    pub(super) fn heading_slabs(
        &mut self,
        h: &Heading,
        title: &str,
        span: Span,
        ctx: &Ctx,
        prev: Prev,
        out: &mut Vec<Elem>,
    ) {
        // A level-1 heading that opens its file opens a chapter: on a new
        // page, sunk below the top. One further down the file (after an
        // introduction, or a second one) is set in the flow like any
        // section heading, so a page never ends short before it.
        let opens_file = !out.iter().any(|e| matches!(e, Elem::Slab(_)));
        if ctx.top && h.level == 1 && opens_file {
            let (slab, baselines) = self.chapter_head(title, &h.content, Some(&h.id), span);
            self.push_tall(slab, &baselines, out);
            return;
        }
        let level = if ctx.top { h.level } else { h.level.max(4) };
        let spec = if level == 1 {
            HeadSpec::IN_FLOW_CHAPTER
        } else {
            HeadSpec::of(level)
        };
        if prev != Prev::Heading && prev != Prev::Start {
            out.push(Elem::Space {
                height: ctx.leading * spec.above,
                breakable: true,
            });
            if ctx.top {
                out.push(Elem::Snap);
            }
        } else if ctx.top && prev != Prev::Start {
            out.push(Elem::Snap);
        }
        let size = ctx.size * spec.scale;
        let line_height = (size * spec.line).max(ctx.leading);
        let mut pb = ParBuilder::default();
        let base = InlineStyle {
            italic: spec.face == Face::Italic || spec.face == Face::BoldItalic,
            bold: spec.face == Face::Bold || spec.face == Face::BoldItalic,
            mono: false,
            size,
            rise: Pt::ZERO,
            mark: Marking::default(),
            rtl: ctx.rtl || ctx.dir == Some(true),
        };
        self.inlines(&mut pb, &h.content, InlineStyleArg(base));
        let inner = Ctx { size, ..*ctx };
        let mut lines = self.lines_of(&pb, &inner, Alignment::Left);
        let text_height = line_height * lines.len() as f64 + ctx.leading * spec.below;
        let height = ceil_to(text_height, ctx.leading);
        let extra = height - text_height;
        let mut slab = Slab::new(
            height,
            Role::Heading {
                level,
                title: title.to_string(),
            },
            span,
        );
        let mut baselines = Vec::with_capacity(lines.len());
        for (i, line) in lines.iter_mut().enumerate() {
            let baseline = extra + line_height * (i + 1) as f64;
            self.line_pieces(line, &pb.marks, ctx.left, baseline, size, &mut slab);
            baselines.push(baseline);
        }
        let anchor_y = (extra + line_height - size).max(Pt::ZERO);
        slab.more_mut().anchors.push((h.id.clone(), anchor_y));
        self.push_tall(slab, &baselines, out);
    }

    /// Pushes a slab that may be taller than a page (a heading of many
    /// lines): cut at its lines' `baselines` into slabs a page can hold,
    /// with page breaks allowed between them.
    pub(crate) fn push_tall(&mut self, slab: Slab, baselines: &[Pt], out: &mut Vec<Elem>) {
        let room = self.geo.capacity();
        for (i, part) in slab.split_at(baselines, room).into_iter().enumerate() {
            if i > 0 {
                out.push(Elem::brk());
            }
            out.push(Elem::slab(part));
        }
    }

    /// Lays out a heading-like paragraph without recording it as a
    /// paragraph (no widow rules, no report).
    pub(crate) fn lines_of(&mut self, pb: &ParBuilder, ctx: &Ctx, align: Alignment) -> Vec<Line> {
        self.lines_indented(pb, ctx, align, Pt::ZERO)
    }

    /// [`Composer::lines_of`] with a first-line indent (negative for a
    /// hanging first line).
    pub(crate) fn lines_indented(
        &mut self,
        pb: &ParBuilder,
        ctx: &Ctx,
        align: Alignment,
        first_indent: Pt,
    ) -> Vec<Line> {
        let opts = ParOptions {
            first_indent,
            ..self.par_options(ctx, self.measure(ctx), align, false)
        };
        let layout = layout_paragraph(&mut self.fonts, &pb.items, &opts);
        for issue in &layout.issues {
            match issue.kind {
                LineIssueKind::WordTooLong => self.warn_long_word(issue.span),
                LineIssueKind::WordBroken => self.warn_broken_word(issue.span),
                _ => {}
            }
        }
        self.warn_missing_glyphs(None);
        layout.lines
    }

    /// How far a chapter opening sinks below the top of the text block:
    /// a fifth of the page, in whole lines.
    pub(super) fn sink(&self) -> Pt {
        self.geo.leading * (self.geo.lines as f64 * SINK_FRACTION).floor()
    }

    /// The opening of a chapter: the title sunk below the top of the page,
    /// with the baselines of its lines (where it may be cut if it is taller
    /// than a page).
    pub(crate) fn chapter_head(
        &mut self,
        title: &str,
        content: &[Inline],
        id: Option<&str>,
        span: Span,
    ) -> (Slab, Vec<Pt>) {
        let ctx = self.body_ctx();
        let spec = HeadSpec::of(1);
        let size = ctx.size * spec.scale;
        let line_height = size * spec.line;
        let mut pb = ParBuilder::default();
        let base = InlineStyle {
            italic: false,
            bold: false,
            mono: false,
            size,
            rise: Pt::ZERO,
            mark: Marking::default(),
            rtl: ctx.rtl,
        };
        if content.is_empty() {
            pb.text(title, base.text_style(), Marking::default(), span);
        } else {
            self.inlines(&mut pb, content, InlineStyleArg(base));
        }
        let inner = Ctx { size, ..ctx };
        let mut lines = self.lines_of(&pb, &inner, Alignment::Left);
        let sink = self.sink();
        let text_height = sink + line_height * lines.len() as f64 + ctx.leading * spec.below;
        let height = ceil_to(text_height, ctx.leading);
        let mut slab = Slab::new(
            height,
            Role::Heading {
                level: 1,
                title: normalize(title),
            },
            span,
        );
        let mut baselines = Vec::with_capacity(lines.len());
        for (i, line) in lines.iter_mut().enumerate() {
            let baseline = sink + line_height * (i + 1) as f64;
            self.line_pieces(line, &pb.marks, ctx.left, baseline, size, &mut slab);
            baselines.push(baseline);
        }
        if let Some(id) = id {
            slab.more_mut().anchors.push((id.to_string(), Pt::ZERO));
        }
        (slab, baselines)
    }

    /// A list: an L of LIs, each with its label (Lbl) and body (LBody,
    /// whose text is its own when the item is one paragraph).
    pub(super) fn list(&mut self, list: &List, ctx: &Ctx, out: &mut Vec<Elem>) {
        let depth = ctx.list_depth;
        let mut hang = ctx.size * BULLET_HANG;
        let labels: Vec<(String, Face)> = list
            .items
            .iter()
            .enumerate()
            .map(|(i, item)| self.list_label(list, i, item.task, depth))
            .collect();
        for (label, face) in &labels {
            let w = self.fonts.width(label, *face, ctx.size) + ctx.size * MARKER_GAP;
            hang = hang.max(w);
        }
        // Markers hang on the side lines start from.
        let (left, right) = if ctx.rtl {
            (ctx.left, ctx.right + hang)
        } else {
            (ctx.left + hang, ctx.right)
        };
        let inner = Ctx {
            left,
            right,
            top: false,
            list_depth: depth + 1,
            gap: if list.tight {
                Pt::ZERO
            } else {
                ctx.leading * LOOSE_ITEM_GAP
            },
            ..*ctx
        };
        let node = self.group(StructKind::L);
        self.structure_mut(node).numbering = Some(self.numbering(list, depth));
        let outer = self.enter(Some(node), false);
        for (i, item) in list.items.iter().enumerate() {
            if i > 0 {
                out.push(Elem::Space {
                    height: inner.gap,
                    breakable: true,
                });
            }
            let li = self.add_node(StructKind::LI, Some(node));
            let lbl = self.add_node(StructKind::Lbl, Some(li));
            let body = self.add_node(StructKind::LBody, Some(li));
            let saved = self.enter(Some(body), one_paragraph(&item.blocks));
            let start = out.len();
            self.blocks_after(&item.blocks, &inner, Prev::Start, out);
            self.leave(saved);
            if !out[start..].iter().any(|e| matches!(e, Elem::Slab(_))) {
                out.push(Elem::slab(Slab::new(ctx.leading, Role::Other, item.span)));
            }
            claim(out, start, body);
            let (label, face) = &labels[i];
            let width = self.fonts.width(label, *face, ctx.size);
            let x = if ctx.rtl {
                self.geo.measure - inner.right + ctx.size * MARKER_GAP
            } else {
                inner.left - ctx.size * MARKER_GAP - width
            };
            if let Some(Elem::Slab(first)) =
                out[start..].iter_mut().find(|e| matches!(e, Elem::Slab(_)))
            {
                let baseline = first_baseline(first).unwrap_or(first.height);
                let runs = self.fonts.run(label, *face, ctx.size, x, baseline, 0.0);
                // The label first, as it is read.
                let label = std::iter::once(Piece::Node(Owner::Node(lbl)))
                    .chain(runs.into_iter().map(|r| Piece::Item(Item::Text(r))))
                    .chain(std::iter::once(Piece::Node(Owner::Slab)));
                first.pieces.splice(0..0, label);
            }
        }
        self.leave(outer);
    }

    /// How list `list` at nesting `depth` numbers its items, as
    /// [`Composer::list_label`] draws them.
    pub(super) fn numbering(&self, list: &List, depth: usize) -> Numbering {
        if list.items.iter().all(|i| i.task.is_some()) {
            Numbering::None
        } else if list.start.is_some() {
            Numbering::Decimal
        } else {
            match depth % 3 {
                0 => Numbering::Disc,
                1 => Numbering::Circle,
                _ => Numbering::Square,
            }
        }
    }

    /// The marker of list item `i`: a number, a bullet by depth, or a box.
    pub(super) fn list_label(
        &mut self,
        list: &List,
        i: usize,
        task: Option<bool>,
        depth: usize,
    ) -> (String, Face) {
        if let Some(done) = task {
            // A real box from the book's face or a fallback (a symbol
            // font of the system); brackets only when no font has one.
            let (boxed, plain) = if done { ('☑', "[x]") } else { ('☐', "[ ]") };
            return if self.coverage.has(boxed) || self.fonts.can_show(Face::Regular, boxed) {
                (boxed.to_string(), Face::Regular)
            } else {
                (plain.to_string(), Face::Mono)
            };
        }
        if let Some(start) = list.start {
            return (
                format!("{}.", start.saturating_add(i as u64)),
                Face::Regular,
            );
        }
        let candidates: &[char] = match depth % 3 {
            0 => &['•'],
            1 => &['◦', '–'],
            _ => &['▪', '–'],
        };
        let bullet = candidates
            .iter()
            .copied()
            .find(|c| self.coverage.has(*c))
            .map(String::from)
            .unwrap_or_else(|| "-".to_string());
        (bullet, Face::Regular)
    }

    /// A term and its details: an LI of the open L, labelled by the term,
    /// the details its body.
    pub(super) fn definition(&mut self, def: &Definition, ctx: &Ctx, out: &mut Vec<Elem>) {
        let li = self.group(StructKind::LI);
        let term = self.add_node(StructKind::Lbl, Some(li));
        let body = self.add_node(StructKind::LBody, Some(li));
        let outer = self.enter(Some(li), false);
        self.place.block = Some(term);
        let mut pb = ParBuilder::default();
        let st = InlineStyle {
            bold: true,
            ..self.base_style(ctx).0
        };
        self.inlines(&mut pb, &def.term, InlineStyleArg(st));
        let mut slabs = self.set(&pb, ctx, Pt::ZERO, Alignment::Left, false, def.span);
        claim_slabs(&mut slabs, term);
        // The term keeps with the first lines of its details.
        for slab in slabs {
            out.push(Elem::slab(slab));
        }
        let indent = ctx.size * DEFINITION_INDENT;
        let inner = Ctx {
            left: ctx.left + if ctx.rtl { Pt::ZERO } else { indent },
            right: ctx.right + if ctx.rtl { indent } else { Pt::ZERO },
            top: false,
            ..*ctx
        };
        let single = def.details.len() == 1 && one_paragraph(&def.details[0]);
        self.enter(Some(body), single);
        let start = out.len();
        for (i, blocks) in def.details.iter().enumerate() {
            // Each further detail starts afresh: flush, after a break.
            let prev = if i == 0 {
                Prev::Heading
            } else {
                out.push(Elem::brk());
                Prev::Start
            };
            self.blocks_after(blocks, &inner, prev, out);
        }
        claim(out, start, body);
        self.leave(outer);
    }

    /// A figure: its body (an image scaled into the measure and the page,
    /// or other blocks as they are), then its caption.
    pub(super) fn figure(&mut self, fig: &Figure, span: Span, ctx: &Ctx, out: &mut Vec<Elem>) {
        if let [Block {
            kind: BlockKind::Image(img),
            span: img_span,
        }] = fig.body.as_slice()
        {
            self.block_image(img, &fig.caption, *img_span, ctx, out);
            return;
        }
        // Blocks shown as a figure (a table, code) keep their own
        // structure; with the caption they make a group.
        let div = self.group(StructKind::Div);
        let saved = self.enter(Some(div), false);
        self.blocks_after(&fig.body, ctx, Prev::Start, out);
        for slab in self.caption(&fig.caption, ctx, span) {
            out.push(Elem::slab(slab));
        }
        self.leave(saved);
    }

    /// A caption: smaller, in the other face, centred; a Caption node
    /// under the current container.
    pub(super) fn caption(&mut self, caption: &[Inline], ctx: &Ctx, span: Span) -> Vec<Slab> {
        if caption.is_empty() {
            return Vec::new();
        }
        let small = Ctx {
            size: ctx.size * SMALL_SCALE,
            ..*ctx
        };
        let saved = self.place;
        let node = self.leaf(StructKind::Caption);
        let mut pb = ParBuilder::default();
        let st = InlineStyle {
            italic: !ctx.italic,
            ..self.base_style(&small).0
        };
        self.inlines(&mut pb, caption, InlineStyleArg(st));
        self.place = saved;
        if pb.items.is_empty() {
            return Vec::new();
        }
        let mut slabs = self.set(&pb, &small, Pt::ZERO, Alignment::Center, false, span);
        claim_slabs(&mut slabs, node);
        slabs
    }

    /// A picture standing as a block, with its caption: scaled into the
    /// measure and, with the caption, into the text block. An image that
    /// cannot be placed is replaced by its alt text (unless the caption
    /// already says it), as in the EPUB.
    pub(super) fn block_image(
        &mut self,
        img: &Image,
        caption: &[Inline],
        span: Span,
        ctx: &Ctx,
        out: &mut Vec<Elem>,
    ) {
        let size = img
            .path
            .as_ref()
            .and_then(|path| match image::dimensions(path) {
                Ok(d) => Some((path.clone(), d)),
                Err(e) => {
                    self.warn_image(path, &e, span);
                    None
                }
            });
        // A Figure with the image's alt text (the image stays decoration,
        // an artifact, without one); with its caption, a group.
        let group = (!caption.is_empty()).then(|| {
            let div = self.group(StructKind::Div);
            self.enter(Some(div), false)
        });
        let figure = self.leaf(StructKind::Figure);
        self.structure_mut(figure).alt = Some(collapse_ws(&img.alt));
        let first = out.len();
        // The caption is set first: the image leaves room for all its lines.
        let caption_slabs = self.caption(caption, ctx, span);
        let caption_text = collapse_ws(&plain_text(caption));
        self.block_image_slabs(img, size, (caption_slabs, &caption_text), span, ctx, out);
        claim(out, first, figure);
        if let Some(saved) = group {
            self.leave(saved);
        }
    }

    /// The slabs of [`Composer::block_image`]: the image (or its alt text
    /// when it cannot be placed), then the caption's.
    pub(super) fn block_image_slabs(
        &mut self,
        img: &Image,
        size: Option<(PathBuf, (u32, u32))>,
        (caption_slabs, caption_text): (Vec<Slab>, &str),
        span: Span,
        ctx: &Ctx,
        out: &mut Vec<Elem>,
    ) {
        let measure = self.measure(ctx);
        let Some((path, (wpx, hpx))) = size else {
            let label = img.stand_in();
            if !label.is_empty() && caption_text != label {
                let mut pb = ParBuilder::default();
                let style = TextStyle {
                    face: if ctx.italic {
                        Face::Regular
                    } else {
                        Face::Italic
                    },
                    ..self.plain_style(ctx)
                };
                pb.aside(&label, style, Marking::default(), span);
                let slabs = self.set(&pb, ctx, Pt::ZERO, Alignment::Center, false, span);
                out.extend(slabs.into_iter().map(Elem::slab));
            }
            out.extend(caption_slabs.into_iter().map(Elem::slab));
            return;
        };
        let (natural_w, natural_h) = natural_size(img, wpx, hpx);
        // The image's top sits just under the descenders of the line
        // above (and inside the text block at the top of a page); a
        // caption follows after half a line.
        let top = (ctx.size * FIGURE_TOP).max(self.geo.leading - self.geo.topskip);
        let below = if caption_slabs.is_empty() {
            Pt::ZERO
        } else {
            ctx.leading * CAPTION_GAP
        };
        // Image and caption fit in the text block's height: a tall image
        // is scaled down (keeping its proportions) to the room its caption
        // leaves, though never below a line's height.
        let caption_h: Pt = caption_slabs.iter().map(|s| s.height).sum();
        let max_h =
            (self.geo.capacity() - top - below - caption_h).max(ctx.leading * MIN_IMAGE_LINES);
        let scale = 1f64.min(measure / natural_w).min(max_h / natural_h);
        let (w, h) = (natural_w * scale, natural_h * scale);
        let x = match ctx.align {
            Some(Alignment::Left) => ctx.left,
            Some(Alignment::Right) => ctx.left + measure - w,
            _ => ctx.left + (measure - w) / 2.0,
        };
        let mut slab = Slab::new(top + h + below, Role::Other, span);
        slab.pieces.push(Piece::Item(Item::Image(PlacedImage {
            path,
            x,
            y: top,
            width: w,
            height: h,
            alt: img.alt.clone(),
        })));
        out.push(Elem::slab(slab));
        // A figure never breaks: image and caption stay together.
        out.extend(caption_slabs.into_iter().map(Elem::slab));
    }

    /// Records ids of anchors and spans in `inlines` as destinations at
    /// the first slab pushed since `first`.
    pub(super) fn anchor_inline_ids(&mut self, inlines: &[Inline], first: usize, out: &mut [Elem]) {
        let mut ids = Vec::new();
        crate::model::walk_inlines(inlines, &mut |i| match &i.kind {
            InlineKind::Anchor(id) => ids.push(id.clone()),
            InlineKind::Span { attrs, .. } => ids.extend(attrs.id.clone()),
            _ => {}
        });
        for id in ids {
            self.anchor_at(&id, first, out);
        }
    }

    /// Makes `id` a destination at the top of the first slab from `first`.
    pub(super) fn anchor_at(&mut self, id: &str, first: usize, out: &mut [Elem]) {
        if let Some(Elem::Slab(slab)) = out
            .get_mut(first..)
            .and_then(|rest| rest.iter_mut().find(|e| matches!(e, Elem::Slab(_))))
        {
            slab.more_mut().anchors.push((id.to_string(), Pt::ZERO));
        }
    }

    pub(super) fn warn_image(&mut self, path: &Path, error: &str, span: Span) {
        let mut d = Diagnostic::warning(format!(
            "image {} cannot be placed in the PDF: {error}",
            path.display()
        ))
        .with_hint("use a PNG or JPEG file");
        if let Some(loc) = locate(self.book, span) {
            d = d.at(loc);
        }
        // A table cell is set twice (measured, then placed): warn once.
        if !self.warnings.contains(&d) {
            self.warnings.push(d);
        }
    }
}

/// Sizes and spacing of headings by level.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct HeadSpec {
    pub(super) face: Face,
    /// Size relative to the context size.
    pub(super) scale: f64,
    /// Line height relative to the heading size.
    pub(super) line: f64,
    /// Space above in leadings.
    pub(super) above: f64,
    /// Minimum space below in leadings (rounded up to the grid).
    pub(super) below: f64,
}

impl HeadSpec {
    /// A level-1 heading in the flow of a chapter (not the one opening it):
    /// smaller than a chapter title, with room above.
    const IN_FLOW_CHAPTER: HeadSpec = HeadSpec {
        face: Face::Regular,
        scale: 1.6,
        line: 1.15,
        above: 2.0,
        below: 1.0,
    };

    fn of(level: u8) -> HeadSpec {
        match level {
            1 => HeadSpec {
                face: Face::Regular,
                scale: 2.0,
                line: 1.15,
                // Chapter titles sit below the sink instead.
                above: 0.0,
                below: 2.0,
            },
            2 => HeadSpec {
                face: Face::Bold,
                scale: 1.3,
                line: 1.2,
                above: 1.0,
                below: 0.5,
            },
            3 => HeadSpec {
                face: Face::Bold,
                scale: 1.1,
                line: 1.2,
                above: 1.0,
                below: 0.4,
            },
            _ => HeadSpec {
                face: Face::BoldItalic,
                scale: 1.0,
                line: 1.0,
                above: 1.0,
                below: 0.0,
            },
        }
    }
}
