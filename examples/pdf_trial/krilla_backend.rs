//! Trial back end (b): krilla. Tagged (one P per page holding each run's
//! marked content; running heads would be artifacts), PDF/UA-1 validation
//! on, the same glyphs, word spaces, Tz as a transform, rects, images,
//! links, named destinations, outline, page labels, metadata.

use std::num::NonZeroU32;

use folio::typeset::frame::{self, Document, Item, LabelStyle, OutlineEntry};
use krilla::color::luma;
use krilla::configure::{Accessibility, Configuration, ConfigurationBuilder};
use krilla::destination::{Destination, NamedDestination, XyzDestination};
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::image::Image;
use krilla::metadata::{DateTime, Metadata};
use krilla::outline::{Outline, OutlineNode};
use krilla::page::{NumberingStyle, PageLabel, PageSettings};
use krilla::paint::Fill;
use krilla::tagging::{ContentTag, Node, SpanTag, Tag, TagGroup, TagTree};
use krilla::text::{Font, GlyphId, KrillaGlyph};
use krilla::{Document as KDocument, SerializeSettings};
use skrifa::MetadataProvider;

pub fn write(doc: Document) -> Vec<u8> {
    let tagged = std::env::var_os("TRIAL_UNTAGGED").is_none();
    let settings = SerializeSettings {
        configuration: if tagged {
            ConfigurationBuilder::new()
                .with_accessibility_validator(Accessibility::UA1)
                .finish()
                .expect("configuration")
        } else {
            Configuration::default()
        },
        enable_tagging: tagged,
        ..Default::default()
    };
    let mut pdf = KDocument::new_with(settings);
    let fonts: Vec<(Font, Option<(u16, f32)>)> = doc
        .fonts
        .iter()
        .map(|f| {
            let font = Font::new(f.bytes.clone().into(), f.index).expect("font");
            let face = skrifa::FontRef::from_index(&f.bytes, f.index).expect("face");
            let space = face.charmap().map(' ').map(|g| {
                let adv = face
                    .glyph_metrics(
                        skrifa::instance::Size::unscaled(),
                        skrifa::instance::LocationRef::default(),
                    )
                    .advance_width(g)
                    .unwrap_or(0.0);
                (g.to_u32() as u16, adv / f.units_per_em as f32)
            });
            (font, space)
        })
        .collect();
    let quantize = std::env::var_os("TRIAL_QUANTIZE").is_some();
    let metrics: Vec<_> = doc
        .fonts
        .iter()
        .map(|f| {
            skrifa::FontRef::from_index(&f.bytes, f.index)
                .expect("face")
                .glyph_metrics(
                    skrifa::instance::Size::unscaled(),
                    skrifa::instance::LocationRef::default(),
                )
        })
        .collect();
    let mut images: std::collections::HashMap<std::path::PathBuf, Option<Image>> =
        Default::default();
    let mut tree = TagTree::new().with_lang(Some(doc.info.language.clone()));
    let n = doc.pages.len();
    let labels = &doc.page_labels;
    let mut glyphs: Vec<KrillaGlyph> = Vec::new();
    let mut text = String::new();
    for (index, page) in doc.pages.iter().enumerate() {
        let mut ps = PageSettings::from_wh(page.width.0 as f32, page.height.0 as f32).unwrap();
        if let Some(range) = labels.iter().rev().find(|r| r.first_page <= index) {
            if range.first_page == index {
                let style = match range.style {
                    LabelStyle::LowerRoman => Some(NumberingStyle::LowerRoman),
                    LabelStyle::Decimal => Some(NumberingStyle::Arabic),
                    LabelStyle::None => None,
                };
                ps = ps.with_page_label(PageLabel::new(style, None, NonZeroU32::new(range.start)));
            }
        }
        let mut kpage = pdf.start_page_with(ps);
        let mut para = TagGroup::new(Tag::P);
        {
            let mut surface = kpage.surface();
            for item in &page.items {
                match item {
                    Item::Text(run) if !run.glyphs.is_empty() => {
                        let (font, space) = &fonts[run.font.0];
                        let size = run.size.0 as f32;
                        let s = run.h_scale;
                        glyphs.clear();
                        text.clear();
                        let mut carry = 0.0f32;
                        let min_gap = space.map_or(f32::INFINITY, |(_, w)| w * size * 0.5 * s);
                        for (i, g) in run.glyphs.iter().enumerate() {
                            let t = run.glyph_text(g);
                            let start = text.len();
                            text.push_str(t);
                            let next_x = run.glyphs.get(i + 1).map(|n| n.x.0 as f32);
                            let end = (g.x.0 + g.advance.0) as f32;
                            let gap = next_x.map_or(0.0, |nx| nx - end);
                            let adv = next_x.map_or(g.advance.0 as f32, |nx| {
                                if gap >= min_gap {
                                    g.advance.0 as f32
                                } else {
                                    nx - g.x.0 as f32
                                }
                            });
                            let natural = metrics[run.font.0]
                                .advance_width(skrifa::GlyphId::new(u32::from(g.id)))
                                .unwrap_or(0.0)
                                / doc.fonts[run.font.0].units_per_em as f32;
                            let want = adv / s / size + carry;
                            let k = ((want - natural) * 1000.0).round();
                            let q = if quantize { natural + k / 1000.0 } else { want };
                            carry = want - q;
                            glyphs.push(KrillaGlyph {
                                glyph_id: GlyphId::new(u32::from(g.id)),
                                text_range: start..text.len(),
                                x_advance: q,
                                x_offset: 0.0,
                                y_offset: run.y_offset(i).0 as f32 / size,
                                y_advance: 0.0,
                                location: None,
                            });
                            if let (Some((sp, _)), true) =
                                (space, next_x.is_some() && gap >= min_gap)
                            {
                                let start = text.len();
                                text.push(' ');
                                glyphs.push(KrillaGlyph {
                                    glyph_id: GlyphId::new(u32::from(*sp)),
                                    text_range: start..text.len(),
                                    x_advance: gap / s / size,
                                    x_offset: 0.0,
                                    y_offset: 0.0,
                                    y_advance: 0.0,
                                    location: None,
                                });
                            }
                        }
                        let id = surface.start_tagged(ContentTag::Span(SpanTag::empty()));
                        para.push(id);
                        surface.set_fill(Some(gray(run.gray)));
                        let x0 = run.glyphs[0].x.0 as f32;
                        if (s - 1.0).abs() > 1e-4 {
                            surface.push_transform(&Transform::from_scale(s, 1.0));
                        }
                        surface.draw_glyphs(
                            Point::from_xy(x0 / s, run.baseline.0 as f32),
                            &glyphs,
                            font.clone(),
                            &text,
                            size,
                            false,
                        );
                        if (s - 1.0).abs() > 1e-4 {
                            surface.pop();
                        }
                        surface.end_tagged();
                    }
                    Item::Rect(r) => {
                        let mut pb = PathBuilder::new();
                        if let Some(rect) = Rect::from_xywh(
                            r.x.0 as f32,
                            r.y.0 as f32,
                            r.width.0 as f32,
                            r.height.0 as f32,
                        ) {
                            pb.push_rect(rect);
                            if let Some(path) = pb.finish() {
                                surface.start_tagged(ContentTag::Artifact(
                                    krilla::tagging::Artifact::with_kind(
                                        krilla::tagging::ArtifactType::Layout,
                                    ),
                                ));
                                surface.set_fill(Some(gray(r.gray)));
                                surface.draw_path(&path);
                                surface.end_tagged();
                            }
                        }
                    }
                    Item::Image(img) => {
                        let image = images
                            .entry(img.path.clone())
                            .or_insert_with(|| {
                                let data = std::fs::read(&img.path).ok()?;
                                let ext = img.path.extension()?.to_str()?.to_ascii_lowercase();
                                match ext.as_str() {
                                    "png" => Image::from_png(data.into(), true).ok(),
                                    "jpg" | "jpeg" => Image::from_jpeg(data.into(), true).ok(),
                                    _ => None,
                                }
                            })
                            .clone();
                        if let (Some(image), Some(size)) = (
                            image,
                            Size::from_wh(img.width.0 as f32, img.height.0 as f32),
                        ) {
                            let id = surface.start_tagged(ContentTag::Other);
                            let mut fig = TagGroup::new(Tag::Figure(Some(img.alt.clone())));
                            fig.push(id);
                            para.push(fig);
                            surface.push_transform(&Transform::from_translate(
                                img.x.0 as f32,
                                img.y.0 as f32,
                            ));
                            surface.draw_image(image, size);
                            surface.pop();
                            surface.end_tagged();
                        }
                    }
                    _ => {}
                }
            }
            surface.finish();
        }
        for item in &page.items {
            if let Item::Link(link) = item {
                let r = &link.rect;
                let Some(rect) = Rect::from_xywh(
                    r.x.0 as f32,
                    r.y.0 as f32,
                    r.width.0 as f32,
                    r.height.0 as f32,
                ) else {
                    continue;
                };
                let target = match &link.target {
                    frame::Destination::Uri(uri) => krilla::annotation::Target::Action(
                        krilla::action::LinkAction::new(uri.clone()).into(),
                    ),
                    frame::Destination::Page { page, y } => {
                        krilla::annotation::Target::Destination(Destination::Xyz(
                            XyzDestination::new(
                                (*page).min(n - 1),
                                Point::from_xy(0.0, y.0 as f32),
                            ),
                        ))
                    }
                };
                let annot = krilla::annotation::Annotation::new_link(
                    krilla::annotation::LinkAnnotation::new(rect, target),
                    Some("link".into()),
                );
                if tagged {
                    let id = kpage.add_tagged_annotation(annot);
                    let mut l = TagGroup::new(Tag::Link);
                    l.push(id);
                    para.push(l);
                } else {
                    kpage.add_annotation(annot);
                }
            }
        }
        kpage.finish();
        tree.push(Node::Group(para));
        for anchor in &page.anchors {
            pdf.register_named_destination(NamedDestination::new(
                anchor.id.clone(),
                XyzDestination::new(index, Point::from_xy(0.0, anchor.y.0 as f32)),
            ));
        }
    }
    let mut outline = Outline::new();
    fn node(e: &OutlineEntry) -> OutlineNode {
        let mut n = OutlineNode::new(
            e.title.clone(),
            XyzDestination::new(e.page, Point::from_xy(0.0, e.y.0 as f32)),
        );
        for c in &e.children {
            n.push_child(node(c));
        }
        n
    }
    for e in &doc.outline {
        outline.push_child(node(e));
    }
    pdf.set_outline(outline);
    let date = DateTime::new(2023).month(11).day(14);
    pdf.set_metadata(
        Metadata::new()
            .title(doc.info.title.clone())
            .authors(doc.info.authors.clone())
            .language(doc.info.language.clone())
            .creation_date(date)
            .document_id(doc.info.identifier.clone()),
    );
    if tagged {
        pdf.set_tag_tree(tree);
    }
    match pdf.finish() {
        Ok(bytes) => bytes,
        Err(e) => panic!("krilla: {e:?}"),
    }
}

fn gray(g: f32) -> Fill {
    Fill {
        paint: luma::Color::new((g.clamp(0.0, 1.0) * 255.0).round() as u8).into(),
        ..Fill::default()
    }
}
