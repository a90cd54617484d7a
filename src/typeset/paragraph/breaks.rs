//! Where a paragraph's lines may break: break opportunities and their
//! penalties, words too long for the measure (URLs first after their
//! punctuation, else between letters), and how far glyphs at a line's
//! ends hang into the margins.

use super::*;

impl<'a> Builder<'a> {
    /// Whether punctuation hangs into the margins: justified
    /// left-to-right text, when asked (the hanging amounts are those of
    /// Latin punctuation).
    pub(super) fn protrudes(&self) -> bool {
        self.opts.protrusion && self.justified() && !self.rtl
    }

    /// Lets the stretches of boxes that no break opportunity interrupts
    /// break inside when they are too wide (see the module docs): their
    /// boxes are cut at glyph clusters, with a penalty between.
    pub(super) fn break_long_stretches(&mut self) {
        let measure = (self.opts.measure.0 - self.opts.first_indent.0.max(0.0)).max(1.0);
        // Stretches: (first item, end item, width).
        let mut stretches: Vec<(usize, usize, f64)> = Vec::new();
        let mut i = 0;
        while i < self.items.len() {
            if self.items[i].kind != Kind::Box {
                i += 1;
                continue;
            }
            let start = i;
            let mut width = 0.0;
            while i < self.items.len() {
                let it = &self.items[i];
                let breakable = match it.kind {
                    Kind::Box => false,
                    Kind::Glue => true,
                    Kind::Penalty => it.penalty < INFINITE_PENALTY,
                };
                if breakable {
                    break;
                }
                width += if it.kind == Kind::Box { it.width } else { 0.0 };
                i += 1;
            }
            let url = width > measure * URL_BREAK_SHARE && self.stretch_is_url(start, i);
            if width > measure || url {
                stretches.push((start, i, width));
            }
        }
        if stretches.is_empty() {
            return;
        }
        let items = std::mem::take(&mut self.items);
        let content = std::mem::take(&mut self.content);
        let mut next = stretches.iter().peekable();
        let mut k = 0;
        while k < items.len() {
            match next.peek() {
                Some(&&(start, end, width)) if k == start => {
                    next.next();
                    let anywhere = width > measure;
                    for j in start..end {
                        self.split_box(items[j], content[j], anywhere);
                    }
                    k = end;
                }
                _ => {
                    self.items.push(items[k]);
                    self.content.push(content[k]);
                    k += 1;
                }
            }
        }
    }

    /// Whether the text of boxes `start..end` is a URL or a path.
    pub(super) fn stretch_is_url(&self, start: usize, end: usize) -> bool {
        let mut text = String::new();
        for c in &self.content[start..end] {
            if let Content::Text { piece, .. } = c {
                text.push_str(
                    self.text
                        .get(piece.0 as usize..piece.1 as usize)
                        .unwrap_or(""),
                );
            }
        }
        text.contains("://") || text.starts_with("www.") || text.matches('/').count() >= 2
    }

    /// Pushes `item` cut at its glyph clusters: after URL punctuation
    /// always, anywhere else when `anywhere`.
    pub(super) fn split_box(&mut self, item: Item, content: Content, anywhere: bool) {
        let Content::Text {
            word,
            run,
            piece,
            glyphs,
        } = content
        else {
            self.push(item, content);
            return;
        };
        let all = self.fonts.word_glyphs(word);
        let text = self
            .text
            .get(piece.0 as usize..piece.1 as usize)
            .unwrap_or("");
        // Where a cut may go, and at what cost.
        let mut cuts: Vec<(u32, f64)> = Vec::new();
        for g in glyphs.0 + 1..glyphs.1 {
            let (prev, here) = (all[g as usize - 1].cluster, all[g as usize].cluster);
            if prev == here {
                continue;
            }
            let before = text
                .get(..here.max(prev) as usize)
                .and_then(|t| t.chars().next_back());
            let url_break = before.is_some_and(|c| URL_BREAK_AFTER.contains(&c));
            if url_break {
                cuts.push((g, URL_BREAK_PENALTY));
            } else if anywhere {
                cuts.push((g, CHARACTER_BREAK_PENALTY));
            }
        }
        if cuts.is_empty() {
            self.push(item, content);
            return;
        }
        let scale = {
            let style = self.runs[run as usize].style;
            self.fonts.scale(self.fonts.word(word).face, style.size)
        };
        // The parts keep the box's font expansion (CJK boxes have none).
        let expand = !(item.stretch == 0.0 && self.expansion() > 0.0);
        let mut g0 = glyphs.0;
        for (g, cost) in cuts {
            self.push_glyphs(word, run, piece, (g0, g), scale, expand);
            let kind = if cost == CHARACTER_BREAK_PENALTY {
                Content::CharBreak
            } else {
                Content::Nothing
            };
            self.push(Item::penalty(0.0, cost, false), kind);
            g0 = g;
        }
        self.push_glyphs(word, run, piece, (g0, glyphs.1), scale, expand);
    }

    pub(super) fn push_break(&mut self, kind: BreakKind, run: u32, at: u32) {
        match kind {
            BreakKind::Hyphenation | BreakKind::Soft => {
                let style = self.runs[run as usize].style;
                let word = self.fonts.shape_word(style.face, "-");
                let w = f64::from(self.fonts.word(word).advance)
                    * self.fonts.scale(style.face, style.size);
                let cost = if self.justified() {
                    self.tuning.hyphen_penalty
                } else {
                    self.tuning.ragged_hyphen_penalty
                };
                let mut item = Item::penalty(w, cost, true);
                item.hyphenation = kind == BreakKind::Hyphenation;
                // The hyphen is expanded with the line it ends.
                let e = self.expansion();
                (item.stretch, item.shrink) = (w * e, w * e);
                self.push(item, Content::Hyphen { run, word });
            }
            BreakKind::AfterDash => self.push(
                Item::penalty(0.0, self.tuning.ex_hyphen_penalty, true),
                Content::Nothing,
            ),
            BreakKind::Other => self.push(
                Item::penalty(0.0, OTHER_BREAK_PENALTY, false),
                Content::Nothing,
            ),
            BreakKind::Join(i) => {
                let (join, breakable) = self.joins[i as usize];
                let em = self.runs[run as usize].style.size.0;
                let glue = join.gap != 0.0 || join.stretch != 0.0 || join.shrink != 0.0;
                if breakable {
                    // Breaking here, the blank of a closing mark hangs out.
                    self.push(
                        Item::penalty(-join.end_trim * em, 0.0, false),
                        Content::Nothing,
                    );
                } else if glue {
                    // Glue after a box would be a break: not here.
                    self.push(
                        Item::penalty(0.0, INFINITE_PENALTY, false),
                        Content::Nothing,
                    );
                }
                if glue {
                    let item = if self.justified() {
                        self.joined |= join.stretch > 0.0;
                        Item::glue(join.gap * em, join.stretch * em, join.shrink * em)
                    } else {
                        Item::glue(join.gap * em, 0.0, 0.0)
                    };
                    self.push(item, Content::Gap { at });
                }
            }
        }
    }

    /// How far the last (`last`) or first glyph of text box `i` may hang
    /// into the margin: 0 unless it is a single punctuation character with
    /// a protrusion factor.
    pub(super) fn hang(&self, i: usize, last: bool) -> f64 {
        let Content::Text {
            word,
            run,
            piece,
            glyphs,
        } = self.content[i]
        else {
            return 0.0;
        };
        let all = self.fonts.word_glyphs(word);
        let text = self
            .text
            .get(piece.0 as usize..piece.1 as usize)
            .unwrap_or("");
        // Cheap test first: the character at the box edge.
        let (gi, factor) = if last {
            let Some(gi) = (glyphs.1 as usize).checked_sub(1) else {
                return 0.0;
            };
            let end = all
                .get(glyphs.1 as usize)
                .map_or(text.len(), |g| g.cluster as usize);
            let c = text.get(..end).and_then(|t| t.chars().next_back());
            (gi, c.map_or(0.0, protrusion::right))
        } else {
            let gi = glyphs.0 as usize;
            let start = all.get(gi).map_or(text.len(), |g| g.cluster as usize);
            let c = text.get(start..).and_then(|t| t.chars().next());
            (gi, c.map_or(0.0, protrusion::left))
        };
        if factor == 0.0 {
            return 0.0;
        }
        // Only a glyph that stands for exactly one character protrudes.
        let Some(g) = all.get(gi) else {
            return 0.0;
        };
        if crate::typeset::shape::glyph_text(all, gi, text)
            .chars()
            .count()
            != 1
        {
            return 0.0;
        }
        let style = self.runs[run as usize].style;
        factor * f64::from(g.advance) * self.fonts.scale(self.fonts.word(word).face, style.size)
    }

    /// Fills in the margin hangs of every possible break.
    pub(super) fn set_hangs(&mut self) {
        for i in 0..self.items.len() {
            let it = self.items[i];
            if it.kind == Kind::Box {
                continue;
            }
            let right = match self.content[i] {
                Content::Hyphen { .. } => protrusion::right('-') * it.width,
                _ if (it.penalty > -INFINITE_PENALTY || it.kind == Kind::Glue)
                    && i > 0
                    && self.items[i - 1].kind == Kind::Box =>
                {
                    self.hang(i - 1, true)
                }
                _ => 0.0,
            };
            let next = linebreak::line_start(&self.items, i);
            let left = if next < self.items.len() {
                self.hang(next, false)
            } else {
                0.0
            };
            self.items[i].hang_right = right;
            self.items[i].hang_left = left;
        }
    }

    pub(super) fn start_hang(&self) -> f64 {
        if !self.protrudes() || self.items.is_empty() {
            return 0.0;
        }
        self.hang(0, false)
    }

    /// Source span of the text of box `i` (the glyphs it holds, not the
    /// whole word it was cut from).
    pub(super) fn box_span(&self, i: usize) -> Option<Span> {
        if let Content::Object { run, .. } = self.content[i] {
            return self.runs.get(run as usize).map(|r| r.span);
        }
        let Content::Text {
            word,
            run,
            piece,
            glyphs,
        } = self.content[i]
        else {
            return None;
        };
        let all = self.fonts.word_glyphs(word);
        let len = piece.1 - piece.0;
        let at = |g: u32| all.get(g as usize).map_or(len, |g| g.cluster.min(len));
        Some(self.span_of(run, (piece.0 + at(glyphs.0), piece.0 + at(glyphs.1))))
    }

    pub(super) fn span_of(&self, run: u32, range: (u32, u32)) -> Span {
        let r = &self.runs[run as usize];
        if r.exact {
            Span {
                file: r.span.file,
                start: r.span.start + (range.0 - r.start),
                end: r.span.start + (range.1 - r.start),
            }
        } else {
            r.span
        }
    }
}
