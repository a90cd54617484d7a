//! Trial back end (c): pdf-writer + subsetter, written as a library user
//! would: Identity-H two-byte codes (code = subset glyph id), /W, a
//! ToUnicode CMap from the glyphs' texts, `Tz`, word spaces as space
//! glyphs, content streams deflated on a second thread, links, named
//! destinations, nested outline, page labels, Info. Untagged: tagging,
//! XMP, PDF/A output intents and validation would all be ours to write.

use std::collections::BTreeMap;
use std::io::Write;

use folio::typeset::frame::{self, Document, Item, LabelStyle, OutlineEntry};
use pdf_writer::types::{CidFontType, FontFlags, NumberingStyle, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use skrifa::MetadataProvider;

struct FontUse {
    remapper: subsetter::GlyphRemapper,
    /// By new gid: the text, first seen.
    texts: BTreeMap<u16, String>,
    widths: BTreeMap<u16, f32>,
    space: Option<u16>,
    space_w: f32,
    upem: f32,
    used: bool,
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(6));
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

pub fn write(doc: Document) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let mut next = 1;
    let mut alloc = || {
        let r = Ref::new(next);
        next += 1;
        r
    };
    let catalog = alloc();
    let tree = alloc();
    let n = doc.pages.len();
    let page_ids: Vec<Ref> = (0..n).map(|_| alloc()).collect();
    let content_ids: Vec<Ref> = (0..n).map(|_| alloc()).collect();
    let font_ids: Vec<Ref> = doc.fonts.iter().map(|_| alloc()).collect();
    let mut uses: Vec<FontUse> = doc
        .fonts
        .iter()
        .map(|f| {
            let face = skrifa::FontRef::from_index(&f.bytes, f.index).expect("face");
            let m = face.glyph_metrics(
                skrifa::instance::Size::unscaled(),
                skrifa::instance::LocationRef::default(),
            );
            let space = face.charmap().map(' ');
            FontUse {
                remapper: subsetter::GlyphRemapper::new(),
                texts: BTreeMap::new(),
                widths: BTreeMap::new(),
                space: space.map(|g| g.to_u32() as u16),
                space_w: space.and_then(|g| m.advance_width(g)).unwrap_or(0.0)
                    / f32::from(f.units_per_em),
                upem: f32::from(f.units_per_em),
                used: false,
            }
        })
        .collect();
    let metrics: Vec<_> = doc
        .fonts
        .iter()
        .map(|f| skrifa::FontRef::from_index(&f.bytes, f.index).expect("face"))
        .collect();
    let mut images: Vec<(std::path::PathBuf, Ref)> = Vec::new();

    // Deflate on a second thread, as the own writer does.
    let (send, recv) = std::sync::mpsc::channel::<Vec<u8>>();
    let deflater =
        std::thread::spawn(move || recv.into_iter().map(|b| deflate(&b)).collect::<Vec<_>>());
    let mut page_annots: Vec<Vec<Ref>> = Vec::with_capacity(n);
    let mut annot_chunks = pdf_writer::Chunk::new();
    for page in &doc.pages {
        let h = page.height.0 as f32;
        let mut c = Content::new();
        for item in &page.items {
            match item {
                Item::Text(run) if !run.glyphs.is_empty() => {
                    let fu = &mut uses[run.font.0];
                    fu.used = true;
                    let m = metrics[run.font.0].glyph_metrics(
                        skrifa::instance::Size::unscaled(),
                        skrifa::instance::LocationRef::default(),
                    );
                    let size = run.size.0 as f32;
                    let s = run.h_scale;
                    let scale = 1000.0 / (size * s);
                    let x0 = run.glyphs[0].x.0 as f32;
                    c.begin_text();
                    c.set_font(Name(format!("F{}", run.font.0).as_bytes()), size);
                    c.set_fill_gray(run.gray);
                    c.set_horizontal_scaling(s * 100.0);
                    c.set_text_matrix([1.0, 0.0, 0.0, 1.0, x0, h - run.baseline.0 as f32]);
                    let mut code = |gid: u16, text: &str, fu: &mut FontUse| -> (u16, f32) {
                        let new = fu.remapper.remap(gid);
                        fu.texts.entry(new).or_insert_with(|| text.to_string());
                        let w = *fu.widths.entry(new).or_insert_with(|| {
                            m.advance_width(skrifa::GlyphId::new(u32::from(gid)))
                                .unwrap_or(0.0)
                                / fu.upem
                                * 1000.0
                        });
                        (new, w)
                    };
                    let min_gap = fu.space_w * size * s * 0.5;
                    let mut pen = 0.0f32;
                    let mut rise = 0.0f32;
                    let mut sp = c.show_positioned();
                    let mut items = sp.items();
                    let mut buf: Vec<u8> = Vec::new();
                    for (i, g) in run.glyphs.iter().enumerate() {
                        let want = run.y_offset(i).0 as f32;
                        if want != rise {
                            // Rises are rare; a real writer would split the TJ.
                            rise = want;
                        }
                        let target = (g.x.0 as f32 - x0) * scale;
                        if i > 0 {
                            let prev = &run.glyphs[i - 1];
                            let gap = g.x.0 as f32 - (prev.x.0 + prev.advance.0) as f32;
                            if gap >= min_gap {
                                if let Some(space) = fu.space {
                                    let end = ((prev.x.0 + prev.advance.0) as f32 - x0) * scale;
                                    if (pen - end).abs() >= 0.5 {
                                        if !buf.is_empty() {
                                            items.show(Str(&buf));
                                            buf.clear();
                                        }
                                        items.adjust((pen - end).round());
                                        pen -= (pen - end).round();
                                    }
                                    let (code, w) = code(space, " ", fu);
                                    buf.extend_from_slice(&code.to_be_bytes());
                                    pen += w;
                                }
                            }
                        }
                        let d = pen - target;
                        if d.abs() >= 0.5 {
                            if !buf.is_empty() {
                                items.show(Str(&buf));
                                buf.clear();
                            }
                            items.adjust(d.round());
                            pen -= d.round();
                        }
                        let (code, w) = code(g.id, run.glyph_text(g), fu);
                        buf.extend_from_slice(&code.to_be_bytes());
                        pen += w;
                    }
                    if !buf.is_empty() {
                        items.show(Str(&buf));
                    }
                    items.finish();
                    sp.finish();
                    c.end_text();
                }
                Item::Rect(r) => {
                    c.set_fill_gray(r.gray);
                    c.rect(
                        r.x.0 as f32,
                        h - (r.y.0 + r.height.0) as f32,
                        r.width.0 as f32,
                        r.height.0 as f32,
                    );
                    c.fill_nonzero();
                }
                Item::Image(img) => {
                    let i = match images.iter().position(|(p, _)| p == &img.path) {
                        Some(i) => i,
                        None => {
                            images.push((img.path.clone(), alloc()));
                            images.len() - 1
                        }
                    };
                    c.save_state();
                    c.transform([
                        img.width.0 as f32,
                        0.0,
                        0.0,
                        img.height.0 as f32,
                        img.x.0 as f32,
                        h - (img.y.0 + img.height.0) as f32,
                    ]);
                    c.x_object(Name(format!("I{i}").as_bytes()));
                    c.restore_state();
                }
                _ => {}
            }
        }
        send.send(c.finish().into_vec()).unwrap();
        let mut annots = Vec::new();
        for item in &page.items {
            if let Item::Link(link) = item {
                let id = alloc();
                annots.push(id);
                let r = &link.rect;
                let mut a = annot_chunks.annotation(id);
                a.subtype(pdf_writer::types::AnnotationType::Link)
                    .rect(Rect::new(
                        r.x.0 as f32,
                        h - (r.y.0 + r.height.0) as f32,
                        (r.x.0 + r.width.0) as f32,
                        h - r.y.0 as f32,
                    ))
                    .border(0.0, 0.0, 0.0, None);
                match &link.target {
                    frame::Destination::Uri(u) => {
                        a.action()
                            .action_type(pdf_writer::types::ActionType::Uri)
                            .uri(Str(u.as_bytes()));
                    }
                    frame::Destination::Page { page, y } => {
                        let ph = doc.pages[*page].height.0 as f32;
                        a.action()
                            .action_type(pdf_writer::types::ActionType::GoTo)
                            .destination()
                            .page(page_ids[*page])
                            .xyz(0.0, ph - y.0 as f32, None);
                    }
                }
            }
        }
        page_annots.push(annots);
    }
    drop(send);
    let streams = deflater.join().unwrap();
    for (i, page) in doc.pages.iter().enumerate() {
        let mut p = pdf.page(page_ids[i]);
        p.media_box(Rect::new(
            0.0,
            0.0,
            page.width.0 as f32,
            page.height.0 as f32,
        ))
        .parent(tree)
        .contents(content_ids[i]);
        let mut res = p.resources();
        let mut f = res.fonts();
        for (k, id) in font_ids.iter().enumerate() {
            if uses[k].used {
                f.pair(Name(format!("F{k}").as_bytes()), *id);
            }
        }
        f.finish();
        let mut x = res.x_objects();
        for (k, (_, id)) in images.iter().enumerate() {
            x.pair(Name(format!("I{k}").as_bytes()), *id);
        }
        x.finish();
        res.finish();
        if !page_annots[i].is_empty() {
            p.annotations(page_annots[i].iter().copied());
        }
        p.finish();
    }
    for (i, s) in streams.into_iter().enumerate() {
        pdf.stream(content_ids[i], &s).filter(Filter::FlateDecode);
    }
    pdf.extend(&annot_chunks);
    pdf.pages(tree)
        .kids(page_ids.iter().copied())
        .count(n as i32);
    // Fonts.
    for (k, fu) in uses.iter().enumerate() {
        if !fu.used {
            continue;
        }
        let data = &doc.fonts[k];
        let subset = subsetter::subset(&data.bytes, data.index, &fu.remapper).expect("subset");
        let face = skrifa::FontRef::new(&subset).expect("subset face");
        use skrifa::raw::TableProvider;
        let (is_cff, program) = match face.cff() {
            Ok(cff) => (true, cff.offset_data().as_bytes().to_vec()),
            Err(_) => (false, subset.clone()),
        };
        let base = format!("AAAAAA+{}", data.postscript_name);
        let (cid, desc, file, cmap) = (alloc(), alloc(), alloc(), alloc());
        pdf.type0_font(font_ids[k])
            .base_font(Name(base.as_bytes()))
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid)
            .to_unicode(cmap);
        let mut cf = pdf.cid_font(cid);
        cf.subtype(if is_cff {
            CidFontType::Type0
        } else {
            CidFontType::Type2
        })
        .base_font(Name(base.as_bytes()))
        .system_info(SystemInfo {
            registry: Str(b"Adobe"),
            ordering: Str(b"Identity"),
            supplement: 0,
        })
        .font_descriptor(desc)
        .default_width(0.0);
        if !is_cff {
            cf.cid_to_gid_map_predefined(Name(b"Identity"));
        }
        let widths: Vec<f32> = (0..fu.remapper.num_gids())
            .map(|g| fu.widths.get(&g).copied().unwrap_or(0.0))
            .collect();
        cf.widths().consecutive(0, widths);
        cf.finish();
        let mut fd = pdf.font_descriptor(desc);
        fd.name(Name(base.as_bytes()))
            .flags(FontFlags::NON_SYMBOLIC)
            .bbox(Rect::new(0.0, -250.0, 1000.0, 900.0))
            .italic_angle(0.0)
            .ascent(900.0)
            .descent(-250.0)
            .cap_height(700.0)
            .stem_v(80.0);
        if is_cff {
            fd.font_file3(file);
        } else {
            fd.font_file2(file);
        }
        fd.finish();
        let z = deflate(&program);
        let mut st = pdf.stream(file, &z);
        st.filter(Filter::FlateDecode);
        if is_cff {
            st.pair(Name(b"Subtype"), Name(b"CIDFontType0C"));
        }
        st.finish();
        let mut u = UnicodeCmap::new(
            Name(b"Custom"),
            SystemInfo {
                registry: Str(b"Adobe"),
                ordering: Str(b"UCS"),
                supplement: 0,
            },
        );
        for (g, t) in &fu.texts {
            if !t.is_empty() {
                u.pair_with_multiple(*g, t.chars());
            }
        }
        pdf.cmap(cmap, &u.finish()).filter(Filter::FlateDecode);
    }
    // Images (PNG decoded to RGB, JPEG passed through).
    for (path, id) in &images {
        let data = std::fs::read(path).unwrap_or_default();
        if data.starts_with(&[0xFF, 0xD8]) {
            let (w, hgt) = jpeg_size(&data);
            let mut im = pdf.image_xobject(*id, &data);
            im.width(w).height(hgt).bits_per_component(8);
            im.color_space().device_rgb();
            im.filter(Filter::DctDecode);
        } else if let Ok(mut r) = png::Decoder::new(std::io::Cursor::new(&data)).read_info() {
            let mut buf = vec![0; r.output_buffer_size().unwrap_or(0)];
            if let Ok(info) = r.next_frame(&mut buf) {
                let z = deflate(&buf[..info.buffer_size()]);
                let mut im = pdf.image_xobject(*id, &z);
                im.width(info.width as i32)
                    .height(info.height as i32)
                    .bits_per_component(8);
                im.filter(Filter::FlateDecode);
                match info.color_type {
                    png::ColorType::Grayscale => {
                        im.color_space().device_gray();
                    }
                    _ => {
                        im.color_space().device_rgb();
                    }
                }
            }
        }
    }
    // Outline.
    let mut outline_refs = Vec::new();
    fn count(e: &[OutlineEntry]) -> usize {
        e.iter().map(|e| 1 + count(&e.children)).sum()
    }
    let total = count(&doc.outline);
    let outline_root = alloc();
    let ids: Vec<Ref> = (0..total).map(|_| alloc()).collect();
    fn write_level(
        pdf: &mut Pdf,
        entries: &[OutlineEntry],
        parent: Ref,
        ids: &[Ref],
        next: &mut usize,
        pages: &[Ref],
        doc: &Document,
    ) -> (Ref, Ref) {
        let mine: Vec<usize> = entries
            .iter()
            .map(|e| {
                let i = *next;
                *next += 1 + count(&e.children);
                i
            })
            .collect();
        for (k, e) in entries.iter().enumerate() {
            let id = ids[mine[k]];
            let mut child_next = mine[k] + 1;
            let kids = if e.children.is_empty() {
                None
            } else {
                Some(write_level(
                    pdf,
                    &e.children,
                    id,
                    ids,
                    &mut child_next,
                    pages,
                    doc,
                ))
            };
            let mut item = pdf.outline_item(id);
            item.title(TextStr(&e.title)).parent(parent);
            if k > 0 {
                item.prev(ids[mine[k - 1]]);
            }
            if k + 1 < entries.len() {
                item.next(ids[mine[k + 1]]);
            }
            if let Some((f, l)) = kids {
                item.first(f).last(l).count(-(e.children.len() as i32));
            }
            let ph = doc.pages[e.page].height.0 as f32;
            item.dest()
                .page(pages[e.page])
                .xyz(0.0, ph - e.y.0 as f32, None);
        }
        (ids[mine[0]], ids[*mine.last().unwrap()])
    }
    if total > 0 {
        let mut k = 0;
        let (first, last) = write_level(
            &mut pdf,
            &doc.outline,
            outline_root,
            &ids,
            &mut k,
            &page_ids,
            &doc,
        );
        pdf.outline(outline_root)
            .first(first)
            .last(last)
            .count(doc.outline.len() as i32);
        outline_refs.push(outline_root);
    }
    // Named destinations.
    let mut names: Vec<(&str, usize, f32)> = doc
        .pages
        .iter()
        .enumerate()
        .flat_map(|(i, p)| {
            p.anchors
                .iter()
                .map(move |a| (a.id.as_str(), i, a.y.0 as f32))
        })
        .collect();
    names.sort_by(|a, b| a.0.cmp(b.0));
    names.dedup_by(|a, b| a.0 == b.0);
    let dests = alloc();
    {
        let mut tree = pdf.indirect(dests).dict();
        let mut arr = tree.insert(Name(b"Names")).array();
        for (name, page, y) in &names {
            arr.item(Str(name.as_bytes()));
            let ph = doc.pages[*page].height.0 as f32;
            let mut d = arr.push().array();
            d.item(page_ids[*page]);
            d.item(Name(b"XYZ"));
            d.item(0.0);
            d.item(ph - y);
            d.item(pdf_writer::Null);
        }
    }
    let info = alloc();
    pdf.document_info(info)
        .title(TextStr(&doc.info.title))
        .author(TextStr(&doc.info.authors.join(", ")));
    pdf.set_file_id((
        doc.info.identifier.as_bytes().to_vec(),
        doc.info.identifier.as_bytes().to_vec(),
    ));
    let label_ids: Vec<Ref> = doc.page_labels.iter().map(|_| alloc()).collect();
    for (r, id) in doc.page_labels.iter().zip(&label_ids) {
        let mut l = pdf.indirect(*id).start::<pdf_writer::writers::PageLabel>();
        match r.style {
            LabelStyle::LowerRoman => {
                l.style(NumberingStyle::LowerRoman);
            }
            LabelStyle::Decimal => {
                l.style(NumberingStyle::Arabic);
            }
            LabelStyle::None => {}
        }
        l.offset(r.start as i32);
    }
    let mut cat = pdf.catalog(catalog);
    cat.pages(tree);
    if let Some(o) = outline_refs.first() {
        cat.outlines(*o);
    }
    cat.lang(TextStr(&doc.info.language));
    cat.insert(Name(b"Names"))
        .dict()
        .pair(Name(b"Dests"), dests);
    let mut labels = cat.page_labels();
    let mut nums = labels.nums();
    for (r, id) in doc.page_labels.iter().zip(&label_ids) {
        nums.insert(r.first_page as i32, *id);
    }
    nums.finish();
    labels.finish();
    cat.finish();
    pdf.finish()
}

fn jpeg_size(d: &[u8]) -> (i32, i32) {
    let mut i = 2;
    while i + 9 < d.len() {
        if d[i] != 0xFF {
            i += 1;
            continue;
        }
        let m = d[i + 1];
        let len = usize::from(u16::from_be_bytes([d[i + 2], d[i + 3]]));
        if (0xC0..=0xC3).contains(&m) {
            return (
                i32::from(u16::from_be_bytes([d[i + 7], d[i + 8]])),
                i32::from(u16::from_be_bytes([d[i + 5], d[i + 6]])),
            );
        }
        i += 2 + len;
    }
    (1, 1)
}
