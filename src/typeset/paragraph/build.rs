//! Turning a paragraph's items into the breaker's boxes, glue and
//! penalties: the joined text, its style runs, shaped words, spaces, CJK
//! and Thai joins; where lines may break is in [`super::breaks`].

use super::*;

/// What an item stands for, parallel to the breaker's items.
#[derive(Debug, Clone, Copy)]
pub(super) enum Content {
    /// The first-line indent.
    Indent,
    /// Glyphs `glyphs` of the shaped word `word`, which was shaped from the
    /// paragraph text `piece`; `run` is the style run.
    Text {
        word: WordId,
        run: u32,
        piece: (u32, u32),
        glyphs: (u32, u32),
    },
    /// An inter-word space of style run `run`, at byte `at` of the text.
    Space { run: u32, at: u32 },
    /// Glue between two characters of a word (CJK, Thai), at byte `at`.
    Gap { at: u32 },
    /// A discretionary hyphen in the style of `run` (shaped as `word`),
    /// drawn if the line breaks here.
    Hyphen { run: u32, word: WordId },
    /// A marker box.
    Marker(usize),
    /// An object box (see [`ParItem::Object`]) of style run `run`.
    Object { run: u32, mark: usize },
    /// Invisible: penalties, paragraph-fill glue.
    Nothing,
    /// A break between two letters of a word too long for the measure.
    CharBreak,
}

/// A stretch of the joined paragraph text that came from one [`ParItem::Text`].
#[derive(Debug, Clone, Copy)]
pub(super) struct StyleRun {
    pub(super) start: u32,
    pub(super) end: u32,
    pub(super) style: TextStyle,
    pub(super) link: Option<usize>,
    pub(super) span: Span,
    /// Whether the span covers exactly the text (so offsets map 1:1).
    pub(super) exact: bool,
    /// Width of a space in this style, once known.
    pub(super) space: Option<f64>,
    /// For the U+FFFC of a [`ParItem::Object`]: its width and mark.
    pub(super) object: Option<(f64, usize)>,
    /// The run's language: an index into [`Builder::languages`] (0: the
    /// paragraph's).
    pub(super) lang: u16,
}

/// Stands for a [`ParItem::Object`] in the joined paragraph text.
pub(super) const OBJECT_CHAR: char = '\u{FFFC}';
/// Bidi controls standing for [`ParItem::Isolate`] and
/// [`ParItem::EndIsolate`] in the joined paragraph text (never drawn).
pub(super) const LEFT_TO_RIGHT_ISOLATE: char = '\u{2066}';
pub(super) const RIGHT_TO_LEFT_ISOLATE: char = '\u{2067}';
pub(super) const FIRST_STRONG_ISOLATE: char = '\u{2068}';
pub(super) const POP_DIRECTIONAL_ISOLATE: char = '\u{2069}';

/// Is `c` an inter-word space (breakable, stretchable)?
pub(super) fn is_space(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\r' | '\u{2002}'
            ..='\u{2006}' | '\u{2008}' | '\u{2009}' | '\u{200A}' | '\u{205F}' | '\u{3000}'
    )
}

/// Whether a non-space run is a URL, e-mail address, path or identifier,
/// which must not take hyphens (a hyphen would read as part of it).
pub(super) fn looks_like_code_or_url(word: &str) -> bool {
    word.contains(['/', '@', '\\', '_', '=', '<', '>', '{', '}', '|'])
        || word.contains("://")
        || word.starts_with("www.")
}

/// Whether `c` is a combining mark (UAX #14's class CM: accents, Indic
/// vowel signs and viramas, variation selectors): it belongs to the
/// character before it.
pub(super) fn is_combining(c: char) -> bool {
    !c.is_ascii()
        && matches!(
            unicode_linebreak::break_property(u32::from(c)),
            unicode_linebreak::BreakClass::CombiningMark
                | unicode_linebreak::BreakClass::ZeroWidthJoiner
        )
}

/// Is `c` a dash or hyphen after which a line may end as "hyphenated"?
pub(super) fn is_dash(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{2010}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
    )
}

pub(super) struct Builder<'a> {
    pub(super) fonts: &'a mut Fonts,
    pub(super) opts: &'a ParOptions,
    pub(super) tuning: ParTuning,
    pub(super) text: String,
    pub(super) runs: Vec<StyleRun>,
    /// Markers at byte offsets of `text`, in order.
    pub(super) markers: Vec<(u32, usize)>,
    pub(super) items: Vec<Item>,
    pub(super) content: Vec<Content>,
    /// Languages of the runs ([`StyleRun::lang`]): the paragraph's first.
    pub(super) languages: Vec<String>,
    /// Hyphenation patterns per language of `languages`.
    pub(super) hyphenation: Vec<Option<hypher::Lang>>,
    /// Bidi levels, when the paragraph has text to reorder.
    pub(super) levels: Option<Levels>,
    /// The paragraph runs right to left.
    pub(super) rtl: bool,
    /// Shaping variants by (language, direction: 0 by script, 1 left to
    /// right, 2 right to left).
    pub(super) variants: Vec<((u16, u8), Variant)>,
    /// The paragraph has CJK characters (see [`cjk::has_cjk`]).
    pub(super) cjk: bool,
    /// It has characters of scripts written without spaces (see
    /// [`segment::has_unspaced`]).
    pub(super) unspaced: bool,
    /// Some of the text is code (the mono face): its spaces keep their
    /// width and it breaks only at them.
    pub(super) mono: bool,
    /// The paragraph's language is the one the fonts shape in by default.
    pub(super) book_language: bool,
    /// Joins between characters ([`BreakKind::Join`] indexes them).
    pub(super) joins: Vec<(cjk::Join, bool)>,
    /// Whether any join with stretch was pushed (then the breaker's
    /// evenness demerits, made for word spaces, are off).
    pub(super) joined: bool,
    /// Break opportunities inside the current word (scratch, reused).
    pub(super) scratch: Vec<(u32, BreakKind)>,
    /// Where the current piece is cut for shaping (scratch, reused).
    pub(super) cuts: Vec<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum BreakKind {
    /// A hyphenation point.
    Hyphenation,
    /// After a soft hyphen typed by the author.
    Soft,
    /// After an explicit hyphen or dash.
    AfterDash,
    /// Any other UAX #14 opportunity (after a slash…).
    Other,
    /// Glue between two characters (see [`cjk::Join`]), breakable or not:
    /// an index into [`Builder::joins`].
    Join(u32),
}

impl<'a> Builder<'a> {
    pub(super) fn new(
        fonts: &'a mut Fonts,
        items: &[ParItem],
        opts: &'a ParOptions,
        tuning: ParTuning,
    ) -> Builder<'a> {
        let mut text = String::new();
        let mut runs = Vec::new();
        let mut markers = Vec::new();
        let mut languages = vec![opts.language.clone()];
        let mut lang = 0u16;
        let last_content = items
            .iter()
            .rposition(|i| !matches!(i, ParItem::LineBreak))
            .map_or(0, |i| i + 1);
        for it in &items[..last_content] {
            match it {
                ParItem::Text {
                    text: t,
                    style,
                    link,
                    span,
                } => {
                    if t.is_empty() {
                        continue;
                    }
                    let start = text.len() as u32;
                    // Line feeds inside text are spaces (soft breaks); only
                    // `LineBreak` forces a break. Same byte length, so
                    // offsets stay valid.
                    text.extend(t.chars().map(|c| if c == '\n' { ' ' } else { c }));
                    let end = text.len() as u32;
                    runs.push(StyleRun {
                        start,
                        end,
                        style: *style,
                        link: *link,
                        span: *span,
                        exact: (span.end - span.start) as usize == t.len(),
                        space: None,
                        object: None,
                        lang,
                    });
                }
                ParItem::Object {
                    width,
                    mark,
                    style,
                    link,
                    span,
                } => {
                    let start = text.len() as u32;
                    text.push(OBJECT_CHAR);
                    runs.push(StyleRun {
                        start,
                        end: text.len() as u32,
                        style: *style,
                        link: *link,
                        span: *span,
                        exact: false,
                        space: None,
                        object: Some((width.0.max(0.0), *mark)),
                        lang,
                    });
                }
                ParItem::LineBreak => text.push('\n'),
                ParItem::Marker(m) => markers.push((text.len() as u32, *m)),
                ParItem::Language(l) => {
                    let l = l.as_deref().unwrap_or(&opts.language);
                    lang = match languages.iter().position(|k| k == l) {
                        Some(i) => i as u16,
                        None => {
                            languages.push(l.to_string());
                            (languages.len() - 1) as u16
                        }
                    };
                }
                ParItem::Isolate(rtl) => text.push(match rtl {
                    Some(true) => RIGHT_TO_LEFT_ISOLATE,
                    Some(false) => LEFT_TO_RIGHT_ISOLATE,
                    None => FIRST_STRONG_ISOLATE,
                }),
                ParItem::EndIsolate => text.push(POP_DIRECTIONAL_ISOLATE),
            }
        }
        let hyphenation = languages
            .iter()
            .map(|l| {
                if opts.hyphenate {
                    hyphenate::language(l)
                } else {
                    None
                }
            })
            .collect();
        let rtl = opts
            .rtl
            .or_else(|| bidi::language_is_rtl(&opts.language).then_some(true));
        let levels = Levels::of(&text, rtl);
        let book_language = opts.language == fonts.language();
        let (cjk, unspaced) = if text.is_ascii() {
            (false, false)
        } else {
            (cjk::has_cjk(&text), segment::has_unspaced(&text))
        };
        let mono = runs.iter().any(|r| r.style.face == Face::Mono);
        Builder {
            fonts,
            opts,
            tuning,
            rtl: levels.as_ref().is_some_and(Levels::rtl),
            levels,
            text,
            runs,
            markers,
            items: Vec::new(),
            content: Vec::new(),
            languages,
            hyphenation,
            variants: Vec::new(),
            cjk,
            unspaced,
            mono,
            book_language,
            joins: Vec::new(),
            joined: false,
            scratch: Vec::new(),
            cuts: Vec::new(),
        }
    }

    /// How the text of run `run` at byte `at` is shaped: in the run's
    /// language and, in a paragraph with bidi levels, the direction of
    /// the level there.
    pub(super) fn variant(&mut self, run: u32, at: u32) -> Variant {
        let lang = self.runs[run as usize].lang;
        let dir = match &self.levels {
            None => 0u8,
            Some(l) if l.at(at as usize) % 2 == 1 => 2,
            Some(_) => 1,
        };
        if lang == 0 && dir == 0 && self.book_language {
            return Variant::BOOK;
        }
        if let Some(&(_, v)) = self.variants.iter().find(|(k, _)| *k == (lang, dir)) {
            return v;
        }
        let rtl = match dir {
            0 => None,
            d => Some(d == 2),
        };
        let v = self
            .fonts
            .variant(Some(&self.languages[usize::from(lang)]), rtl);
        self.variants.push(((lang, dir), v));
        v
    }

    pub(super) fn justified(&self) -> bool {
        self.opts.align == Alignment::Justify
    }

    /// The font expansion limit of this paragraph: 0 unless justified.
    pub(super) fn expansion(&self) -> f64 {
        if self.justified() && self.opts.expansion.is_finite() {
            self.opts.expansion.clamp(0.0, MAX_EXPANSION)
        } else {
            0.0
        }
    }

    /// A text box of width `w`, expandable within the paragraph's limit.
    pub(super) fn text_box(&self, w: f64) -> Item {
        let e = self.expansion();
        let mut item = Item::boxed(w);
        item.stretch = w.max(0.0) * e;
        item.shrink = w.max(0.0) * e;
        item
    }

    pub(super) fn push(&mut self, item: Item, content: Content) {
        self.items.push(item);
        self.content.push(content);
    }

    /// Removes glue (and invisible penalties) at the end of the item list.
    pub(super) fn trim_trailing_glue(&mut self) {
        while let Some(last) = self.items.last() {
            if last.kind == Kind::Box {
                break;
            }
            if last.kind == Kind::Penalty && last.penalty <= -INFINITE_PENALTY {
                break;
            }
            self.items.pop();
            self.content.pop();
        }
    }

    /// Ends a line by force (hard break) or the paragraph: no break before
    /// the fill glue, fill glue, forced break.
    pub(super) fn push_fill_and_break(&mut self) {
        self.trim_trailing_glue();
        self.push(
            Item::penalty(0.0, INFINITE_PENALTY, false),
            Content::Nothing,
        );
        let mut fill = Item::glue(0.0, 0.0, 0.0);
        fill.fil = 1.0;
        self.push(fill, Content::Nothing);
        self.push(
            Item::penalty(0.0, -INFINITE_PENALTY, false),
            Content::Nothing,
        );
    }

    pub(super) fn run_at(&self, offset: u32) -> Option<u32> {
        let i = self.runs.partition_point(|r| r.end <= offset);
        (i < self.runs.len() && self.runs[i].start <= offset).then_some(i as u32)
    }

    /// Whether the character at byte `offset` is raised or lowered (a
    /// note marker, a superscript).
    pub(super) fn raised_at(&self, offset: u32) -> bool {
        self.run_at(offset)
            .is_some_and(|r| self.runs[r as usize].style.rise != Pt::ZERO)
    }

    /// Whether the character at byte `offset` is code (the mono face).
    pub(super) fn code_at(&self, offset: u32) -> bool {
        self.run_at(offset)
            .is_some_and(|r| self.runs[r as usize].style.face == Face::Mono)
    }

    pub(super) fn build(&mut self) {
        if self.opts.first_indent.0 != 0.0 {
            self.push(Item::boxed(self.opts.first_indent.0), Content::Indent);
        }
        let text = std::mem::take(&mut self.text);
        let opportunities: Vec<(u32, BreakOpportunity)> = unicode_linebreak::linebreaks(&text)
            .map(|(i, o)| (i as u32, o))
            .collect();
        let mut next_marker = 0usize;
        let mut pos = 0usize;
        let bytes = text.as_bytes();
        while pos < text.len() {
            let c = text[pos..].chars().next().unwrap_or(' ');
            if c == '\n' {
                self.flush_markers(&mut next_marker, pos as u32);
                self.push_fill_and_break();
                pos += 1;
                continue;
            }
            if is_space(c) {
                let start = pos;
                while pos < text.len() {
                    let c = text[pos..].chars().next().unwrap_or('x');
                    if !is_space(c) {
                        break;
                    }
                    pos += c.len_utf8();
                }
                // Markers inside a space run stay with the word before it;
                // one right after the spaces goes with the next word.
                self.flush_markers(&mut next_marker, pos as u32 - 1);
                // A spaced dash never opens a line (Russian typography
                // forbids it outright, and it reads as a list marker in any
                // language): the space before it does not break.
                let before_dash = text[pos..]
                    .chars()
                    .next()
                    .is_some_and(|c| matches!(c, '\u{2013}' | '\u{2014}' | '\u{2015}'));
                let glue_at = self.items.len();
                self.add_space(&text, start as u32, pos as u32);
                if before_dash && self.items.len() > glue_at {
                    self.items
                        .insert(glue_at, Item::penalty(0.0, INFINITE_PENALTY, false));
                    self.content.insert(glue_at, Content::Nothing);
                }
                continue;
            }
            let start = pos;
            while pos < text.len() {
                let b = bytes[pos];
                if b == b' ' || b == b'\n' {
                    break;
                }
                let c = text[pos..].chars().next().unwrap_or(' ');
                if is_space(c) {
                    break;
                }
                pos += c.len_utf8();
            }
            self.add_word(
                &text,
                start as u32,
                pos as u32,
                &opportunities,
                &mut next_marker,
            );
        }
        self.flush_markers(&mut next_marker, u32::MAX);
        self.text = text;
        self.push_fill_and_break();
        self.break_long_stretches();
        if self.protrudes() {
            self.set_hangs();
        }
        if self.joined {
            // Glue between characters is not a word space: lines of CJK
            // text are as tight as their characters allow, not pulled
            // towards the spaces' favourite width.
            self.tuning.breaker.evenness = 0.0;
        }
    }

    /// Emits marker boxes for all markers at offsets ≤ `upto`.
    pub(super) fn flush_markers(&mut self, next: &mut usize, upto: u32) {
        while *next < self.markers.len() && self.markers[*next].0 <= upto {
            let m = self.markers[*next].1;
            self.push(Item::boxed(0.0), Content::Marker(m));
            *next += 1;
        }
    }

    pub(super) fn add_space(&mut self, text: &str, at: u32, end: u32) {
        let Some(run) = self.run_at(at) else {
            return;
        };
        // Space only between content: not at the start of the paragraph
        // or after the indent (nothing to separate), and runs of spaces
        // (across style changes) collapse into one glue.
        match (self.items.last(), self.content.last()) {
            (Some(last), Some(c)) if last.kind == Kind::Box && !matches!(c, Content::Indent) => {}
            _ => return,
        }
        // A space between CJK text and a Latin word is set as the gap
        // between them would be without it (see `cjk::LATIN_GAP`).
        let ideograph = |c: Option<char>| {
            c.is_some_and(|c| !c.is_ascii() && cjk::class(c) == cjk::Class::Ideograph)
        };
        // (Not beside raised text: a note marker is no Latin word.)
        if self.cjk
            && (ideograph(text[..at as usize].chars().next_back())
                || ideograph(text[end as usize..].chars().next()))
            && !self.raised_at(at.saturating_sub(1))
            && !self.raised_at(end)
        {
            let em = self.runs[run as usize].style.size.0;
            let item = if self.justified() {
                Item::glue(
                    cjk::LATIN_GAP * em,
                    cjk::LATIN_GAP_STRETCH * em,
                    cjk::LATIN_GAP_SHRINK * em,
                )
            } else {
                Item::glue(cjk::LATIN_GAP * em, 0.0, 0.0)
            };
            self.push(item, Content::Space { run, at });
            return;
        }
        let r = &mut self.runs[run as usize];
        let w = match r.space {
            Some(w) => w,
            None => {
                let w = self.fonts.width(" ", r.style.face, r.style.size).0;
                r.space = Some(w);
                w
            }
        };
        if r.style.face == Face::Mono {
            // Spaces inside code are as wide as they are written: each one
            // a character cell, never stretched or shrunk.
            let code_end = end.min(r.end) as usize;
            let n = text[at as usize..code_end].chars().count();
            self.push(
                Item::glue(w * n.max(1) as f64, 0.0, 0.0),
                Content::Space { run, at },
            );
            return;
        }
        let item = if self.justified() {
            Item::glue(
                w,
                w * self.tuning.space_stretch,
                w * self.tuning.space_shrink,
            )
        } else {
            Item::glue(w, 0.0, 0.0)
        };
        self.push(item, Content::Space { run, at });
    }

    /// Adds a run of non-space text `start..end`: shaped pieces (split at
    /// style runs and markers, and for shaping where the bidi level
    /// changes and around CJK characters) with their internal break
    /// opportunities and joins.
    pub(super) fn add_word(
        &mut self,
        text: &str,
        start: u32,
        end: u32,
        opportunities: &[(u32, BreakOpportunity)],
        next_marker: &mut usize,
    ) {
        // Opportunities strictly inside the word.
        let lo = opportunities.partition_point(|o| o.0 <= start);
        let hi = opportunities.partition_point(|o| o.0 < end);
        self.scratch.clear();
        for &(at, _) in &opportunities[lo..hi] {
            let before = text[..at as usize].chars().next_back().unwrap_or(' ');
            let after = text[at as usize..].chars().next().unwrap_or(' ');
            let kind = if before == '\u{AD}' {
                BreakKind::Soft
            } else if is_dash(after) {
                // Never start a line with a dash.
                continue;
            } else if is_dash(before) {
                BreakKind::AfterDash
            } else {
                BreakKind::Other
            };
            self.scratch.push((at, kind));
        }
        let word = &text[start as usize..end as usize];
        if !self.hyphenation.iter().all(Option::is_none) && !looks_like_code_or_url(word) {
            // Hyphenation points of each alphabetic stretch of the word
            // (combining marks, as Devanagari's vowel signs, belong to it),
            // in the language of the run it starts in.
            let mut it = word.char_indices().peekable();
            while let Some((i, c)) = it.next() {
                if !c.is_alphabetic() {
                    continue;
                }
                let mut j = i + c.len_utf8();
                while let Some(&(k, d)) = it.peek() {
                    if !(d.is_alphabetic() || (!d.is_ascii() && is_combining(d))) {
                        break;
                    }
                    j = k + d.len_utf8();
                    it.next();
                }
                let lang = if self.hyphenation.len() == 1 {
                    self.hyphenation[0]
                } else {
                    self.run_at(start + i as u32)
                        .and_then(|r| self.hyphenation[usize::from(self.runs[r as usize].lang)])
                };
                let Some(lang) = lang else {
                    continue;
                };
                for &p in self.fonts.hyphenator.points(lang, &word[i..j]) {
                    self.scratch
                        .push((start + i as u32 + u32::from(p), BreakKind::Hyphenation));
                }
            }
            self.scratch.sort_unstable();
        }
        if self.mono {
            // Code breaks only at its spaces: not after `!` in `!Send`, nor
            // at a hyphen of `--release` (a word too long for the line
            // still breaks, see `break_long_stretches`).
            let mut scratch = std::mem::take(&mut self.scratch);
            scratch.retain(|&(at, _)| !self.code_at(at) && !self.code_at(at.saturating_sub(1)));
            self.scratch = scratch;
        }
        if (self.cjk || self.unspaced) && !word.is_ascii() {
            self.add_joins(text, start, end);
        }
        // Pieces: split at style-run boundaries and markers.
        let mut piece_start = start;
        let mut opp = 0usize;
        while piece_start < end {
            let Some(run) = self.run_at(piece_start) else {
                // A bidi control between runs: it is not drawn.
                let c = text[piece_start as usize..]
                    .chars()
                    .next()
                    .map_or(1, char::len_utf8);
                piece_start += c as u32;
                continue;
            };
            let mut piece_end = end.min(self.runs[run as usize].end);
            if *next_marker < self.markers.len() {
                let m = self.markers[*next_marker].0;
                if m <= piece_start {
                    self.flush_markers(next_marker, piece_start);
                } else if m < piece_end {
                    piece_end = m;
                }
            }
            if let Some((width, mark)) = self.runs[run as usize].object {
                // An object is its own piece (its run holds only U+FFFC).
                self.push(Item::boxed(width), Content::Object { run, mark });
                while opp < self.scratch.len() && self.scratch[opp].0 <= piece_end {
                    let (at, kind) = self.scratch[opp];
                    opp += 1;
                    if at == piece_end {
                        self.push_break(kind, run, at);
                    }
                }
                piece_start = piece_end;
                if *next_marker < self.markers.len() && self.markers[*next_marker].0 == piece_start
                {
                    self.flush_markers(next_marker, piece_start);
                }
                continue;
            }
            let style = self.runs[run as usize].style;
            self.cut_piece(text, piece_start, piece_end);
            let mut seg_start = piece_start;
            for k in 0..self.cuts.len() {
                let seg_end = self.cuts[k];
                let seg_text = &text[seg_start as usize..seg_end as usize];
                let variant = self.variant(run, seg_start);
                let word = self.fonts.shape_word_as(style.face, seg_text, variant);
                // CJK characters are not widened by font expansion.
                let expand = !seg_text.chars().next().is_some_and(cjk::is_cjk);
                // What the face has no glyphs for is set in a fallback face:
                // the piece splits into sub-pieces, one per face.
                let whole = [(style.face, 0..seg_end - seg_start, word)];
                let split;
                let subs = if !self.fonts.word(word).missing {
                    &whole[..]
                } else if let Some((face, w)) = self.fonts.fallback_whole(word) {
                    split = vec![(face, 0..seg_end - seg_start, w)];
                    split.as_slice()
                } else {
                    let span = self.span_of(run, (seg_start, seg_end));
                    split = self
                        .fonts
                        .fallback_pieces_as(style.face, seg_text, span, variant);
                    split.as_slice()
                };
                for (face, sub, word) in subs {
                    let (word, sub_start, sub_end) =
                        (*word, seg_start + sub.start, seg_start + sub.end);
                    let scale = self.fonts.scale(*face, style.size);
                    let nglyphs = self.fonts.word_glyphs(word).len() as u32;
                    let mut g0 = 0u32;
                    while opp < self.scratch.len() && self.scratch[opp].0 <= sub_end {
                        let (at, kind) = self.scratch[opp];
                        opp += 1;
                        // Glyph boundary for the break: a glyph whose cluster starts
                        // exactly there (not inside a ligature).
                        let g1 = if at == sub_end {
                            nglyphs
                        } else {
                            let rel = at - sub_start;
                            let glyphs = self.fonts.word_glyphs(word);
                            match glyphs.iter().position(|g| g.cluster == rel) {
                                Some(g) => g as u32,
                                None => continue,
                            }
                        };
                        if g1 <= g0 && at != sub_end {
                            continue;
                        }
                        let piece = (sub_start, sub_end);
                        self.push_glyphs(word, run, piece, (g0, g1), scale, expand);
                        g0 = g1;
                        self.push_break(kind, run, at);
                        if at == sub_end {
                            break;
                        }
                    }
                    if g0 < nglyphs {
                        let piece = (sub_start, sub_end);
                        self.push_glyphs(word, run, piece, (g0, nglyphs), scale, expand);
                    }
                }
                seg_start = seg_end;
            }
            piece_start = piece_end;
            if *next_marker < self.markers.len() && self.markers[*next_marker].0 == piece_start {
                self.flush_markers(next_marker, piece_start);
            }
        }
    }

    /// Where the piece `start..end` of one style run is cut for shaping,
    /// into `self.cuts` (each cut is the end of a part; the last is `end`):
    /// where the bidi level changes, and around each CJK character (a
    /// word of its own, with the marks and variation selectors after it).
    pub(super) fn cut_piece(&mut self, text: &str, start: u32, end: u32) {
        self.cuts.clear();
        let piece = &text[start as usize..end as usize];
        let cjk = self.cjk && !piece.is_ascii() && cjk::has_cjk(piece);
        if !cjk && self.levels.is_none() {
            self.cuts.push(end);
            return;
        }
        let mut prev: Option<(usize, char)> = None;
        for (i, c) in piece.char_indices() {
            let at = start as usize + i;
            if let Some((p, pc)) = prev {
                let level_change = self.levels.as_ref().is_some_and(|l| l.at(at) != l.at(p));
                let around_cjk = cjk && (cjk::is_cjk(c) || cjk::is_cjk(pc)) && !is_combining(c);
                if level_change || around_cjk {
                    self.cuts.push(at as u32);
                }
            }
            if !is_combining(c) || prev.is_none() {
                prev = Some((at, c));
            }
        }
        self.cuts.push(end);
    }

    /// Adds to `self.scratch` the joins inside the word `start..end`:
    /// between CJK characters and their neighbours ([`cjk::join`]), and at
    /// the word boundaries of Thai, Lao, Khmer and Burmese
    /// ([`segment::word_boundaries`]). A join where UAX #14 allows a break
    /// (and kinsoku does not forbid it) is breakable and replaces that
    /// opportunity; elsewhere it only spaces the characters.
    pub(super) fn add_joins(&mut self, text: &str, start: u32, end: u32) {
        let word = &text[start as usize..end as usize];
        let has_cjk = cjk::has_cjk(word);
        let has_unspaced = segment::has_unspaced(word);
        if !has_cjk && !has_unspaced {
            return;
        }
        // (offset, join, whether kinsoku lets a line break there, whether
        // a dictionary found a word boundary there).
        let mut joins: Vec<(u32, cjk::Join, bool, bool)> = Vec::new();
        if has_cjk {
            let half_blank = cjk::half_blank_punctuation(&self.opts.language);
            let mut prev: Option<(u32, char)> = None;
            for (i, c) in word.char_indices() {
                if is_combining(c) {
                    continue;
                }
                let at = start + i as u32;
                if let Some((p_at, p)) = prev {
                    if let Some(mut j) = cjk::join(p, c, half_blank) {
                        let mut allowed = !cjk::never_starts_line(c) && !cjk::never_ends_line(p);
                        let latin = cjk::class(p) == cjk::Class::Latin
                            || cjk::class(c) == cjk::Class::Latin;
                        if latin && (self.raised_at(p_at) || self.raised_at(at)) {
                            // A note marker (raised text) sits right against
                            // its word: no CJK–Latin space, and no break
                            // before it.
                            j = cjk::Join {
                                gap: 0.0,
                                stretch: 0.0,
                                shrink: 0.0,
                                end_trim: 0.0,
                            };
                            allowed &= !self.raised_at(at);
                        }
                        joins.push((at, j, allowed, false));
                    }
                }
                prev = Some((at, c));
            }
        }
        if has_unspaced {
            let mut cuts = Vec::new();
            segment::word_boundaries(word, &mut cuts);
            let joint = cjk::Join {
                gap: 0.0,
                stretch: segment::WORD_JOINT_STRETCH,
                shrink: 0.0,
                end_trim: 0.0,
            };
            joins.extend(cuts.into_iter().map(|c| (start + c, joint, true, true)));
            joins.sort_by_key(|j| j.0);
        }
        if joins.is_empty() {
            return;
        }
        // Merge: a join takes the place of the opportunity at its offset
        // (breakable if there was one, or for a dictionary boundary).
        let old = std::mem::take(&mut self.scratch);
        let mut k = 0;
        for (at, join, allowed, dictionary) in joins {
            let mut breakable = false;
            while k < old.len() && old[k].0 <= at {
                if old[k].0 == at && old[k].1 == BreakKind::Other {
                    breakable = true;
                } else {
                    self.scratch.push(old[k]);
                }
                k += 1;
            }
            let breakable = allowed && (breakable || dictionary);
            self.joins.push((join, breakable));
            self.scratch
                .push((at, BreakKind::Join((self.joins.len() - 1) as u32)));
        }
        self.scratch.extend_from_slice(&old[k..]);
        self.scratch.sort_by_key(|o| o.0);
    }

    pub(super) fn push_glyphs(
        &mut self,
        word: WordId,
        run: u32,
        piece: (u32, u32),
        glyphs: (u32, u32),
        scale: f64,
        expand: bool,
    ) {
        let g = &self.fonts.word_glyphs(word)[glyphs.0 as usize..glyphs.1 as usize];
        let units: i32 = g.iter().map(|g| g.advance).sum();
        let w = f64::from(units) * scale;
        let item = if expand {
            self.text_box(w)
        } else {
            Item::boxed(w)
        };
        self.push(
            item,
            Content::Text {
                word,
                run,
                piece,
                glyphs,
            },
        );
    }
}

/// Pushes a zero-width atom at pen position `x` for each bidi isolate
/// control right before byte `at` of the paragraph text, at its level.
/// The controls are never drawn, but they keep the text inside an
/// isolate apart from its neighbours when the line is reordered: a note
/// number isolated after `16` in right-to-left text has the number's
/// level, and without them rule L2 would reverse the two as one run.
pub(super) fn isolate_atoms(b: &Builder, at: u32, x: f64, atoms: &mut Vec<Atom>) {
    let Some(levels) = &b.levels else {
        return;
    };
    let before = &b.text[..at as usize];
    let controls = before
        .chars()
        .rev()
        .take_while(|c| {
            matches!(
                *c,
                LEFT_TO_RIGHT_ISOLATE
                    | RIGHT_TO_LEFT_ISOLATE
                    | FIRST_STRONG_ISOLATE
                    | POP_DIRECTIONAL_ISOLATE
            )
        })
        .count();
    // Each control is three bytes (U+2066–U+2069).
    let first = at as usize - controls * POP_DIRECTIONAL_ISOLATE.len_utf8();
    for k in 0..controls {
        atoms.push(Atom {
            x,
            width: 0.0,
            level: levels.at(first + k * POP_DIRECTIONAL_ISOLATE.len_utf8()),
            glyph: None,
        });
    }
}
