//! Composition, inline content: the model's inlines become paragraph
//! items, with links, spans in another language, formulas, images and
//! note references as structure nodes; web addresses become notes.

use super::*;

impl Composer<'_> {
    /// Converts inlines into paragraph items, with the inline structure
    /// (links, spans in another language, formulas, note references) as
    /// nodes under the block being set.
    pub(super) fn inlines(
        &mut self,
        pb: &mut ParBuilder,
        inlines: &[Inline],
        style: InlineStyleArg,
    ) {
        let st = style.0;
        for inline in inlines {
            let span = inline.span;
            match &inline.kind {
                InlineKind::Text(t) => pb.text(t, st.text_style(), st.mark, span),
                InlineKind::SoftBreak => pb.text(" ", st.text_style(), st.mark, span),
                InlineKind::HardBreak => pb.line_break(),
                InlineKind::Code(t) => {
                    let s = InlineStyle {
                        mono: true,
                        size: st.size * INLINE_CODE_SCALE,
                        ..st
                    };
                    pb.text(t, s.text_style(), st.mark, span);
                }
                InlineKind::Emphasis(c) => {
                    let s = InlineStyle {
                        italic: !st.italic,
                        ..st
                    };
                    self.inlines(pb, c, InlineStyleArg(s));
                }
                InlineKind::Strong(c) => {
                    let s = InlineStyle { bold: true, ..st };
                    self.inlines(pb, c, InlineStyleArg(s));
                }
                InlineKind::Strikethrough(c) => {
                    let mark = Marking {
                        strike: true,
                        ..st.mark
                    };
                    self.inlines(pb, c, InlineStyleArg(InlineStyle { mark, ..st }));
                }
                InlineKind::Superscript(c) => {
                    let s = InlineStyle {
                        size: st.size * SUPERSCRIPT_SCALE,
                        rise: st.rise + st.size * SUPERSCRIPT_RISE,
                        ..st
                    };
                    self.inlines(pb, c, InlineStyleArg(s));
                }
                InlineKind::Subscript(c) => {
                    let s = InlineStyle {
                        size: st.size * SUPERSCRIPT_SCALE,
                        rise: st.rise - st.size * SUBSCRIPT_DROP,
                        ..st
                    };
                    self.inlines(pb, c, InlineStyleArg(s));
                }
                InlineKind::Link(link) => {
                    let target = match &link.target {
                        LinkTarget::External(uri) => LinkRef::Uri(uri.clone()),
                        LinkTarget::Internal { id: Some(id), .. } => LinkRef::Anchor(id.clone()),
                        LinkTarget::Internal { chapter, id: None } => LinkRef::Chapter(*chapter),
                    };
                    let mark = self.link_marking(pb, target, &st.mark);
                    self.inlines(
                        pb,
                        &link.content,
                        InlineStyleArg(InlineStyle { mark, ..st }),
                    );
                    if let LinkTarget::External(uri) = &link.target {
                        self.print_address(pb, uri, &link.content, &st, span);
                    }
                }
                InlineKind::Image(img) if self.inline_image(pb, img, &st, span) => {}
                InlineKind::Image(img) => {
                    let alt = img.stand_in();
                    if !alt.is_empty() {
                        let s = InlineStyle {
                            italic: !st.italic,
                            ..st
                        };
                        pb.aside(&alt, s.text_style(), st.mark, span);
                    }
                }
                InlineKind::FootnoteRef { index } => self.note_ref(pb, *index, &st, span),
                InlineKind::Math(f) => {
                    let node = self.inline_node(StructKind::Formula, &st.mark);
                    self.structure_mut(node).alt = Some(collapse_ws(&f.source));
                    let mark = Marking {
                        node: Some(node),
                        ..st.mark
                    };
                    let laid = f.body.as_ref().and_then(|body| {
                        crate::typeset::math::layout(&mut self.fonts, body, f.display, st.size)
                    });
                    match laid {
                        Some(b) => {
                            let width = b.width;
                            pb.running_object(
                                width,
                                Mark::Math(Box::new(b)),
                                st.text_style(),
                                mark,
                                span,
                                &f.source,
                            );
                        }
                        None => {
                            // Not parsed: its TeX, as code.
                            let s = InlineStyle {
                                mono: true,
                                size: st.size * INLINE_CODE_SCALE,
                                mark,
                                ..st
                            };
                            pb.text(&f.source, s.text_style(), mark, span);
                        }
                    }
                }
                InlineKind::Underline(c) => {
                    let mark = Marking {
                        underline: true,
                        ..st.mark
                    };
                    self.inlines(pb, c, InlineStyleArg(InlineStyle { mark, ..st }));
                }
                InlineKind::Mark(c) => {
                    let mark = Marking {
                        highlight: true,
                        ..st.mark
                    };
                    self.inlines(pb, c, InlineStyleArg(InlineStyle { mark, ..st }));
                }
                InlineKind::Small(c) => {
                    let s = InlineStyle {
                        size: st.size * SMALL_TEXT_SCALE,
                        ..st
                    };
                    self.inlines(pb, c, InlineStyleArg(s));
                }
                InlineKind::Kbd(c) => {
                    let s = InlineStyle {
                        mono: true,
                        size: st.size * INLINE_CODE_SCALE,
                        ..st
                    };
                    self.inlines(pb, c, InlineStyleArg(s));
                }
                InlineKind::Abbr {
                    title: Some(title),
                    content,
                } if !title.trim().is_empty() => {
                    // A screen reader speaks the expansion (/E) instead.
                    let node = self.inline_node(StructKind::Span, &st.mark);
                    self.structure_mut(node).expansion = Some(collapse_ws(title));
                    let mark = Marking {
                        node: Some(node),
                        ..st.mark
                    };
                    self.inlines(pb, content, InlineStyleArg(InlineStyle { mark, ..st }));
                }
                InlineKind::Span { attrs, content } if self.other_language(&attrs.lang) => {
                    let node = self.inline_node(StructKind::Span, &st.mark);
                    self.structure_mut(node).lang = attrs.lang.clone();
                    let mark = Marking {
                        node: Some(node),
                        ..st.mark
                    };
                    self.inlines(pb, content, InlineStyleArg(InlineStyle { mark, ..st }));
                }
                InlineKind::Span { attrs, content }
                    if attrs.lang.is_some() || attrs.dir.is_some() =>
                {
                    // Text in a language or direction of its own: shaped
                    // and hyphenated in its language, isolated for bidi.
                    if let Some(lang) = &attrs.lang {
                        pb.language(Some(lang.clone()));
                    }
                    if let Some(dir) = attrs.dir {
                        pb.isolate(Some(dir == Direction::Rtl));
                    }
                    self.inlines(pb, content, style);
                    if attrs.dir.is_some() {
                        pb.end_isolate();
                    }
                    if attrs.lang.is_some() {
                        pb.language(None);
                    }
                }
                InlineKind::Abbr { content, .. } | InlineKind::Span { content, .. } => {
                    self.inlines(pb, content, style);
                }
                // Anchors are placed with their block (see `anchor_inline_ids`).
                InlineKind::Anchor(_) => {}
            }
        }
    }

    /// The marking of a link's text: a Link node (under the inline node
    /// `outer` is in) and the link's target.
    pub(super) fn link_marking(
        &mut self,
        pb: &mut ParBuilder,
        target: LinkRef,
        outer: &Marking,
    ) -> Marking {
        let node = self.inline_node(StructKind::Link, outer);
        let link = pb.marks.link(target, Some(node));
        Marking {
            link: Some(link),
            node: Some(node),
            ..*outer
        }
    }

    /// Sets a local image inline (scaled to at most [`INLINE_IMAGE_EM`]
    /// tall and the measure wide); false, with nothing added, when it
    /// cannot be placed (remote, unreadable), so its alt text stands in.
    pub(super) fn inline_image(
        &mut self,
        pb: &mut ParBuilder,
        img: &Image,
        st: &InlineStyle,
        span: Span,
    ) -> bool {
        let Some(path) = &img.path else {
            return false;
        };
        let (wpx, hpx) = match image::dimensions(path) {
            Ok(d) => d,
            Err(e) => {
                self.warn_image(path, &e, span);
                return false;
            }
        };
        if wpx == 0 || hpx == 0 {
            return false;
        }
        let (w, h) = (wpx as f64 / IMAGE_PX_PER_PT, hpx as f64 / IMAGE_PX_PER_PT);
        let max_h = st.size.0 * INLINE_IMAGE_EM;
        let max_w = self.geo.measure.0;
        let scale = 1f64.min(max_h / h).min(max_w / w);
        let image = Mark::Image {
            path: path.clone(),
            height: Pt(h * scale),
            alt: collapse_ws(&img.alt),
        };
        pb.object(Pt(w * scale), image, st.text_style(), st.mark, span);
        true
    }

    /// Prints the web address of a link whose text does not show it, as
    /// book.yaml's `pdf: link-urls` says: a reader of paper cannot click.
    /// Printed inline, the address is a link of its own; in a note, the
    /// note's letter is a Reference holding a link to the address.
    pub(super) fn print_address(
        &mut self,
        pb: &mut ParBuilder,
        uri: &str,
        content: &[Inline],
        st: &InlineStyle,
        span: Span,
    ) {
        use crate::typeset::LinkUrls;
        let shown = shown_address(uri);
        if self.geo.link_urls == LinkUrls::None || shows_address(content, &shown) {
            return;
        }
        let target = LinkRef::Uri(uri.to_string());
        if self.geo.link_urls == LinkUrls::Inline || self.in_footnote {
            let plain = st.text_style();
            let link = self.link_marking(pb, target, &st.mark);
            pb.aside(" (", plain, st.mark, span);
            pb.aside(&shown, plain, link, span);
            pb.aside(")", plain, st.mark, span);
            return;
        }
        let k = match self.url_notes.iter().position(|u| u == uri) {
            Some(k) => k,
            None => {
                self.url_notes.push(uri.to_string());
                self.cited.push(false);
                self.url_notes.len() - 1
            }
        };
        let index = self.book.chapters[self.chapter].footnotes.len() + k;
        let style = TextStyle {
            face: st.face(),
            size: st.size * SUPERSCRIPT_SCALE,
            gray: 0.0,
            rise: st.rise + st.size * SUPERSCRIPT_RISE,
        };
        let reference = self.reference_marking(&st.mark);
        let link = self.link_marking(pb, target, &reference);
        // Isolated in right-to-left text, as a note's number.
        let isolate = st.rtl || pb.has_bidi();
        if isolate {
            pb.isolate(None);
        }
        pb.aside(&note_letter(k), style, link, span);
        if isolate {
            pb.end_isolate();
        }
        if let Some(seen) = self.cited.get_mut(index) {
            if !*seen {
                *seen = true;
                pb.items.push(ParItem::Marker(index));
            }
        }
    }

    /// The marking of a note's citation: a Reference node (which will hold
    /// the Link to the note) inside what `outer` is in.
    pub(super) fn reference_marking(&mut self, outer: &Marking) -> Marking {
        let node = self.inline_node(StructKind::Reference, outer);
        Marking {
            node: Some(node),
            ..*outer
        }
    }

    /// The note giving a link's web address: its letter, then the address
    /// (a link), as a Note.
    pub(super) fn url_note(&mut self, letter: &str, uri: &str, span: Span) -> (Vec<Slab>, BlockId) {
        let ctx = self.note_ctx();
        let note = self.flow.structure.add(StructKind::Note, None);
        let saved = self.enter(Some(note), false);
        self.place.block = Some(note);
        let mut pb = ParBuilder::default();
        self.note_number(&mut pb, letter, &ctx, span);
        pb.aside(" ", self.plain_style(&ctx), Marking::default(), span);
        let link = self.link_marking(&mut pb, LinkRef::Uri(uri.to_string()), &Marking::default());
        pb.aside(&shown_address(uri), self.plain_style(&ctx), link, span);
        let slabs = self.set(&pb, &ctx, Pt::ZERO, Alignment::Left, false, span);
        let mut elems = Vec::new();
        self.push_lines(slabs, &ctx, &mut elems);
        claim(&mut elems, 0, note);
        self.leave(saved);
        let slabs = elems
            .into_iter()
            .filter_map(|e| match e {
                Elem::Slab(s) => Some(*s),
                _ => None,
            })
            .collect();
        (slabs, note)
    }

    /// A note reference: a superscript number linking to the note (a
    /// Reference holding the Link), and a marker so the note lands on the
    /// page of this line. In right-to-left text the number is isolated
    /// (as HTML's `<bdi>`): otherwise its digits would join a number or
    /// Latin word before it (`16`, `Europe`) into one left-to-right run
    /// and land on that word's far side.
    pub(super) fn note_ref(
        &mut self,
        pb: &mut ParBuilder,
        index: usize,
        st: &InlineStyle,
        span: Span,
    ) {
        let book = self.book;
        let Some(note) = book
            .chapters
            .get(self.chapter)
            .and_then(|c| c.footnotes.get(index))
        else {
            return;
        };
        let reference = self.reference_marking(&st.mark);
        let link = self.link_marking(pb, LinkRef::Anchor(note.id.clone()), &reference);
        let style = TextStyle {
            face: st.face(),
            size: st.size * SUPERSCRIPT_SCALE,
            gray: 0.0,
            rise: st.rise + st.size * SUPERSCRIPT_RISE,
        };
        let isolate = st.rtl || pb.has_bidi();
        if isolate {
            pb.isolate(None);
        }
        pb.aside(&note.number.to_string(), style, link, span);
        if isolate {
            pb.end_isolate();
        }
        if let Some(seen) = self.cited.get_mut(index) {
            if !*seen {
                *seen = true;
                pb.items.push(ParItem::Marker(index));
            }
        }
    }
}

/// The letter of web-address note `k` of a chapter: a, b… z, aa, ab…
pub(super) fn note_letter(k: usize) -> String {
    let mut n = k;
    let mut out = Vec::new();
    loop {
        out.push(char::from(b'a' + (n % 26) as u8));
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    out.iter().rev().collect()
}

/// A web address as a reader would type it: `mailto:` goes.
pub(super) fn shown_address(uri: &str) -> String {
    let shown = uri.strip_prefix("mailto:").unwrap_or(uri);
    // Percent-encoding was for the machine: the printed address reads as
    // the author wrote it (an encoded space or control stays encoded).
    String::from_utf8(crate::url::percent_decode_where(shown, |b| b > b' '))
        .unwrap_or_else(|_| shown.to_string())
}

/// Whether a link's text already shows its address (an autolink, or
/// `[example.org](https://example.org/)`), so printing it again is noise.
pub(super) fn shows_address(content: &[Inline], shown: &str) -> bool {
    let text = collapse_ws(&plain_text(content));
    let bare = |s: &str| {
        s.trim_start_matches("https://")
            .trim_start_matches("http://")
            .trim_start_matches("www.")
            .trim_end_matches('/')
            .to_ascii_lowercase()
    };
    !text.is_empty() && bare(&text) == bare(shown)
}

/// An image's size in points: the author's `width`/`height` (CSS pixels)
/// when given, else its pixels at [`IMAGE_PX_PER_PT`]; proportions kept
/// when only one is given.
pub(super) fn natural_size(img: &Image, wpx: u32, hpx: u32) -> (Pt, Pt) {
    let (wpx, hpx) = (f64::from(wpx.max(1)), f64::from(hpx.max(1)));
    let (w, h) = match (img.width, img.height) {
        (Some(w), Some(h)) => (f64::from(w), f64::from(h)),
        (Some(w), None) => (f64::from(w), f64::from(w) * hpx / wpx),
        (None, Some(h)) => (f64::from(h) * wpx / hpx, f64::from(h)),
        (None, None) => (wpx, hpx),
    };
    (Pt(w / IMAGE_PX_PER_PT), Pt(h / IMAGE_PX_PER_PT))
}
