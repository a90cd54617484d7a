//! Setting one broken line: its glyphs positioned in runs, spaces
//! justified, hyphens drawn, links, markers and objects located.

use super::*;

/// Key deciding when a new [`TextRun`] starts.
pub(super) fn same_run(a: &TextStyle, b: &TextStyle) -> bool {
    a.face == b.face && a.size == b.size && a.gray == b.gray && a.rise == b.rise
}

/// Positions the glyphs of the line `start..br.at` and appends it to `out`.
#[allow(clippy::too_many_arguments)]
pub(super) fn set_line(
    b: &Builder<'_>,
    params: &Params,
    start: usize,
    br: &linebreak::Break,
    hang_left: f64,
    last: bool,
    default_span: Span,
    out: &mut ParagraphLayout,
    glyphs: &mut GlyphSink,
) {
    let end = br.at;
    let items = &b.items;
    let sums = linebreak::line_sums(items, start, end, hang_left);
    // Glue setting: justified lines stretch or shrink their glue; a line with
    // fill glue (the last) keeps natural spaces unless it must shrink.
    let r = br.ratio;
    // How the slack is shared between spaces and font expansion (an
    // infinite ratio means there is nothing to set: nothing moves).
    let split = sums.split(r);
    let glue_ratio = split.glue_ratio;
    // Every expandable box stretches by the same fraction of its width.
    let h_scale = 1.0 + split.font_ratio * b.expansion();
    let set_width = sums.width
        + if glue_ratio >= 0.0 {
            glue_ratio * sums.stretch
        } else {
            glue_ratio * sums.shrink
        }
        + sums.font_delta(split.font_ratio);
    // Where the line starts inside the measure (a right-to-left line's
    // start is the right edge).
    let flush_right = (params.measure - set_width).max(0.0);
    let offset = match (b.opts.align, b.rtl) {
        (Alignment::Justify | Alignment::Left, false) | (Alignment::Right, true) => 0.0,
        (Alignment::Center, _) => flush_right / 2.0,
        (Alignment::Right, false) | (Alignment::Justify | Alignment::Left, true) => flush_right,
    };
    // With bidi levels, the line is placed in logical order first and
    // then reordered: every glyph and gap is noted as an atom.
    let mut atoms: Option<Vec<Atom>> = b.levels.as_ref().map(|_| Vec::new());
    let level_at = |at: u32| b.levels.as_ref().map_or(0, |l| l.at(at as usize));
    let base_level = b.levels.as_ref().map_or(0, Levels::base);
    let mut x = offset - hang_left;
    let mut line = Line {
        runs: Vec::new(),
        links: Vec::new(),
        markers: Vec::new(),
        width: Pt(set_width),
        ascent: Pt::ZERO,
        descent: Pt::ZERO,
        hyphenated: false,
        // What the spaces did; for a line without them, the whole line's
        // ratio (a line that cannot stretch is hopelessly loose).
        ratio: if sums.fil > 0.0 && r >= 0.0 {
            0.0
        } else if (r >= 0.0 && sums.stretch > 0.0) || (r < 0.0 && sums.shrink > 0.0) {
            glue_ratio.clamp(-MAX_REPORTED_RATIO, MAX_REPORTED_RATIO)
        } else {
            r.clamp(-MAX_REPORTED_RATIO, MAX_REPORTED_RATIO)
        },
        span: default_span,
        text_start: b.text.len(),
    };
    let mut have_span = false;
    let mut cur_style: Option<TextStyle> = None;
    // Longest unbreakable stretch of boxes, for WordTooLong.
    let mut chunk = (0.0f64, 0usize);
    let mut too_long: Option<(usize, usize)> = None;

    let flush = |style: Option<TextStyle>, glyphs: &mut GlyphSink, line: &mut Line| {
        if let Some(s) = style {
            if !glyphs.glyphs.is_empty() {
                let m = b.fonts.metrics(s.face);
                line.ascent = line.ascent.max(Pt(m.ascender * s.size.0 + s.rise.0));
                line.descent = line.descent.max(Pt(m.descender * s.size.0 - s.rise.0));
                let (glyphs, text, offsets) = glyphs.take();
                line.runs.push(TextRun {
                    color: None,
                    font: b.fonts.font_id(s.face),
                    size: s.size,
                    baseline: -s.rise,
                    gray: s.gray,
                    text,
                    glyphs,
                    offsets,
                    h_scale: h_scale as f32,
                });
            }
        }
    };
    let add_link = |line: &mut Line, link: Option<usize>, x0: f64, x1: f64| {
        if let Some(l) = link {
            if let Some(lastl) = line.links.last_mut() {
                if lastl.2 == l && (lastl.1 .0 - x0).abs() < 1e-6 {
                    lastl.1 = Pt(x1);
                    return;
                }
            }
            line.links.push((Pt(x0), Pt(x1), l));
        }
    };

    let stop = if end < items.len() && items[end].kind == Kind::Penalty {
        end + 1
    } else {
        end
    };
    for (i, it) in items.iter().enumerate().take(stop).skip(start) {
        match b.content[i] {
            Content::Text {
                word,
                run,
                piece,
                glyphs: g,
            } => {
                // The word's face: the run's, or a fallback for glyphs it lacks.
                let face = b.fonts.word(word).face;
                let style = TextStyle {
                    face,
                    ..b.runs[run as usize].style
                };
                if !cur_style.is_some_and(|c| same_run(&c, &style)) {
                    flush(cur_style, glyphs, &mut line);
                    cur_style = Some(style);
                }
                if !have_span {
                    line.span = b.box_span(i).unwrap_or(line.span);
                    line.text_start = piece.0 as usize;
                    have_span = true;
                }
                let scale = b.fonts.scale(style.face, style.size);
                let text = &b.text[piece.0 as usize..piece.1 as usize];
                let x0 = x;
                let first_glyph = glyphs.glyphs.len();
                x = b
                    .fonts
                    .place_word(
                        word,
                        g.0 as usize..g.1 as usize,
                        text,
                        Pt(x),
                        (scale, h_scale),
                        glyphs,
                    )
                    .0;
                if let Some(atoms) = atoms.as_mut() {
                    if g.0 == 0 {
                        isolate_atoms(b, piece.0, x0, atoms);
                    }
                    let shaped = &b.fonts.word_glyphs(word)[g.0 as usize..g.1 as usize];
                    let r = line.runs.len() as u32;
                    let mut pen = x0;
                    for (k, placed) in glyphs.glyphs[first_glyph..].iter().enumerate() {
                        let at = piece.0 + shaped.get(k).map_or(0, |s| s.cluster);
                        atoms.push(Atom {
                            x: pen,
                            width: placed.advance.0,
                            level: level_at(at),
                            glyph: Some((r, (first_glyph + k) as u32)),
                        });
                        pen += placed.advance.0;
                    }
                }
                add_link(&mut line, b.runs[run as usize].link, x0, x);
                if chunk.0 == 0.0 {
                    chunk.1 = i;
                }
                chunk.0 += it.width;
                if chunk.0 > params.measure + WIDTH_EPSILON && too_long.is_none() {
                    too_long = Some((chunk.1, i));
                }
            }
            Content::Space { run, at } => {
                let w = it.width
                    + if glue_ratio >= 0.0 {
                        glue_ratio * it.stretch
                    } else {
                        glue_ratio * it.shrink
                    };
                let x0 = x;
                x += w;
                if let Some(atoms) = atoms.as_mut() {
                    isolate_atoms(b, at, x0, atoms);
                    atoms.push(Atom {
                        x: x0,
                        width: w,
                        level: level_at(at),
                        glyph: None,
                    });
                }
                // A space inside a link is part of it.
                let link = b.runs[run as usize].link;
                if link.is_some() && line.links.last().is_some_and(|l| Some(l.2) == link) {
                    add_link(&mut line, link, x0, x);
                }
                chunk.0 = 0.0;
            }
            Content::Hyphen { run, word } => {
                if i == end {
                    let style = b.runs[run as usize].style;
                    if !cur_style.is_some_and(|c| same_run(&c, &style)) {
                        flush(cur_style, glyphs, &mut line);
                        cur_style = Some(style);
                    }
                    let scale = b.fonts.scale(style.face, style.size);
                    let n = b.fonts.word_glyphs(word).len();
                    let x0 = x;
                    let first_glyph = glyphs.glyphs.len();
                    x = b
                        .fonts
                        .place_word(word, 0..n, "-", Pt(x), (scale, h_scale), glyphs)
                        .0;
                    if let Some(atoms) = atoms.as_mut() {
                        // The hyphen goes with the word it ends.
                        let level = atoms.last().map_or(base_level, |a| a.level);
                        let r = line.runs.len() as u32;
                        let mut pen = x0;
                        for k in first_glyph..glyphs.glyphs.len() {
                            let w = glyphs.glyphs[k].advance.0;
                            atoms.push(Atom {
                                x: pen,
                                width: w,
                                level,
                                glyph: Some((r, k as u32)),
                            });
                            pen += w;
                        }
                    }
                    add_link(&mut line, b.runs[run as usize].link, x0, x);
                    line.hyphenated = true;
                }
                chunk.0 = 0.0;
            }
            Content::Indent => {
                if let Some(atoms) = atoms.as_mut() {
                    atoms.push(Atom {
                        x,
                        width: it.width,
                        level: base_level,
                        glyph: None,
                    });
                }
                x += it.width;
            }
            Content::Gap { at } => {
                let w = it.width
                    + if glue_ratio >= 0.0 {
                        glue_ratio * it.stretch
                    } else {
                        glue_ratio * it.shrink
                    };
                if let Some(atoms) = atoms.as_mut() {
                    atoms.push(Atom {
                        x,
                        width: w,
                        level: level_at(at),
                        glyph: None,
                    });
                }
                x += w;
                chunk.0 = 0.0;
            }
            Content::Object { run, mark } => {
                if !have_span {
                    line.span = b.box_span(i).unwrap_or(line.span);
                    line.text_start = b.runs[run as usize].start as usize;
                    have_span = true;
                }
                // The object's range first, then its link's, so a space
                // after it extends the link.
                add_link(&mut line, Some(mark), x, x + it.width);
                add_link(&mut line, b.runs[run as usize].link, x, x + it.width);
                if let Some(atoms) = atoms.as_mut() {
                    atoms.push(Atom {
                        x,
                        width: it.width,
                        level: level_at(b.runs[run as usize].start),
                        glyph: None,
                    });
                }
                x += it.width;
                if chunk.0 == 0.0 {
                    chunk.1 = i;
                }
                chunk.0 += it.width;
                if chunk.0 > params.measure + WIDTH_EPSILON && too_long.is_none() {
                    too_long = Some((chunk.1, i));
                }
            }
            Content::Marker(m) => line.markers.push(m),
            Content::Nothing | Content::CharBreak => {
                if it.kind == Kind::Glue {
                    if let Some(atoms) = atoms.as_mut() {
                        atoms.push(Atom {
                            x,
                            width: it.width,
                            level: base_level,
                            glyph: None,
                        });
                    }
                    x += it.width;
                }
                if i == end && it.kind == Kind::Penalty && it.width < 0.0 {
                    // The line ends in the blank half of a closing mark,
                    // which hangs into the margin (see `cjk::Join`): the
                    // line's extent stops at the ink.
                    if let Some(g) = glyphs.glyphs.last_mut() {
                        g.advance = Pt((g.advance.0 + it.width).max(0.0));
                    }
                    if let Some(a) = atoms.as_mut().and_then(|a| a.last_mut()) {
                        a.width = (a.width + it.width).max(0.0);
                    }
                }
                if it.kind == Kind::Penalty && it.penalty < INFINITE_PENALTY {
                    chunk.0 = 0.0;
                    if i == end && it.flagged {
                        line.hyphenated = true;
                    }
                }
            }
        }
    }
    flush(cur_style, glyphs, &mut line);
    if let Some(atoms) = atoms.filter(|a| !a.is_empty()) {
        line.runs = bidi::reorder_line(std::mem::take(&mut line.runs), &atoms, &mut line.links);
    }
    let n = out.lines.len();
    let over = sums.width - sums.shrink - sums.font_shrink - params.measure;
    if let Some((a, z)) = too_long {
        let span = match (b.box_span(a), b.box_span(z)) {
            (Some(s0), Some(s1)) => {
                if s0.file == s1.file && s1.end >= s0.start {
                    Span {
                        file: s0.file,
                        start: s0.start,
                        end: s1.end,
                    }
                } else {
                    s0
                }
            }
            _ => line.span,
        };
        out.issues.push(LineIssue {
            line: n,
            kind: LineIssueKind::WordTooLong,
            span,
        });
    } else if over > WIDTH_EPSILON {
        out.issues.push(LineIssue {
            line: n,
            kind: LineIssueKind::Overfull { by: Pt(over) },
            span: line.span,
        });
    } else if params.justified && !last && sums.fil == 0.0 && line.ratio > 1.0 {
        out.issues.push(LineIssue {
            line: n,
            kind: LineIssueKind::Loose { ratio: line.ratio },
            span: line.span,
        });
    }
    if matches!(b.content.get(end), Some(Content::CharBreak)) {
        let span = end
            .checked_sub(1)
            .and_then(|i| b.box_span(i))
            .unwrap_or(line.span);
        out.issues.push(LineIssue {
            line: n,
            kind: LineIssueKind::WordBroken,
            span,
        });
    }
    out.lines.push(line);
}
