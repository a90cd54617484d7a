//! PDF emission: positioned pages → PDF bytes, on pdf-writer (Typst's
//! PDF object writer). The only module that knows the PDF library.
//!
//! The steps, in the order they run:
//!
//! - [`images`]: every placed image read once (PNG, GIF and WebP decoded,
//!   JPEG kept as it is, SVG parsed for svg2pdf);
//! - [`links`]: each page's link annotations, with the structure node they
//!   sit in; page anchors become named destinations;
//! - [`content`] and [`text`]: each page's content stream, written straight
//!   to bytes (a long book has millions of glyphs), its items in marked
//!   content as the frame's tags say, and deflated on a second thread
//!   while the next page is written; each page's runs are freed once
//!   written;
//! - [`fonts`]: glyph usage → subset fonts (`subsetter`) embedded as CID
//!   fonts with /W and ToUnicode;
//! - [`structure`]: the structure tree from the frame's and the pages'
//!   marks; [`outline`]: the nested bookmarks; [`metadata`]: Info, XMP,
//!   page labels, /ID; [`standard`]: what PDF/UA-1 or PDF/A asks for;
//! - [`file`]: the bytes, with the small objects in object streams.
//!
//! Output is deterministic: no clock, no random ids, objects numbered in
//! creation order, the file /ID hashed from the identifier and content,
//! the same bytes on one thread or two.

mod cache;
mod content;
mod encoding;
mod file;
mod fonts;
mod images;
mod links;
mod metadata;
mod outline;
mod standard;
mod structure;
mod text;

#[cfg(test)]
mod tests;

use std::time::{Duration, Instant};

use pdf_writer::types::TabOrder;
use pdf_writer::{Finish, Name, Rect, Ref, TextStr};

use crate::config::PdfStandard;
use crate::diag::{Diagnostic, Diagnostics, StageResult};
use crate::typeset::frame::{Destination, Document, Item, NodeId, OutlineEntry, StructTree, Tag};
use crate::units::Pt;
use encoding::{Deflater, StableHash};
use file::Objects;
use fonts::FontSet;
use images::ImageSet;
use standard::Conformance;
use structure::{PageLeaves, TaggedLink};

/// Initial capacity of the reusable content buffer (a dense page is
/// ~10 KiB of operators).
const CONTENT_BUFFER: usize = 32 * 1024;

/// How long the PDF writer's steps took.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Timings {
    /// Writing the pages' content streams (text, rules, images).
    pub content: Duration,
    /// Deflating the content streams (on a thread of its own when there
    /// are two, alongside `content`).
    pub compression: Duration,
    /// Subsetting and embedding the fonts.
    pub fonts: Duration,
    /// Everything else: images, annotations, structure tree, outline,
    /// metadata, and the file's syntax.
    pub objects: Duration,
}

/// How to write the PDF.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Threads: with other than 1 (0: as many as there are cores), content
    /// streams are deflated on a second thread while the next pages are
    /// written; the bytes are the same.
    pub threads: usize,
    /// The standard the file conforms to.
    pub standard: PdfStandard,
}

/// What of `standard`'s rules the document breaks in ways the writer
/// cannot mend (no title or language, skipped heading levels): warnings
/// for the build to report.
pub fn check_standard(doc: &Document, standard: PdfStandard) -> Vec<Diagnostic> {
    standard::check(doc, Conformance::of(standard))
}

pub use cache::Cache;

/// Writes a laid-out document as PDF bytes (PDF/UA-1). ([`write_pdf_timed`]
/// takes the document instead of a copy, and frees it as it goes.)
pub fn write_pdf(doc: &Document) -> StageResult<Vec<u8>> {
    write_pdf_timed(doc.clone(), &Options::default()).map(|(bytes, _)| bytes)
}

/// [`write_pdf`] with options, also saying where the time went. Each
/// page's text runs and rules are dropped once its content stream is
/// written, so a long book's glyphs are gone before the file is put
/// together.
pub fn write_pdf_timed(doc: Document, options: &Options) -> StageResult<(Vec<u8>, Timings)> {
    write_pdf_cached(doc, options, &mut Cache::default())
}

/// [`write_pdf_timed`], taking the deflated content streams it can from
/// `cache` and leaving this file's there. The bytes are the same.
pub fn write_pdf_cached(
    mut doc: Document,
    options: &Options,
    cache: &mut Cache,
) -> StageResult<(Vec<u8>, Timings)> {
    let threads = match options.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let conformance = Conformance::of(options.standard);
    let started = Instant::now();
    let mut timings = Timings::default();
    validate(&doc)?;
    if doc.structure.nodes.is_empty() {
        doc.structure = StructTree::new();
    }
    let images = ImageSet::load(&doc)?;

    let mut objects = Objects::new(doc.pages.len() * 4096 + 256 * 1024);
    let catalog_id = objects.alloc();
    let tree_id = objects.alloc();
    let page_ids: Vec<Ref> = doc.pages.iter().map(|_| objects.alloc()).collect();
    // Shared by every page; filled once the fonts are known.
    let resources_id = objects.alloc();
    let pages: Vec<(Ref, f64)> = page_ids
        .iter()
        .zip(&doc.pages)
        .map(|(&id, page)| (id, page.height.0))
        .collect();

    // Annotations first: they read the items, which the content loop frees.
    let mut next_key = doc.pages.len() as i32;
    let mut leaves: Vec<PageLeaves> = Vec::with_capacity(doc.pages.len());
    for (index, page) in doc.pages.iter().enumerate() {
        let mut tag = Tag::Node(StructTree::ROOT);
        let mut links = Vec::new();
        for item in &page.items {
            match item {
                Item::Tag(t) => tag = *t,
                Item::Link(link) => {
                    let annot = objects.alloc();
                    let node = match tag {
                        Tag::Node(node) => node,
                        Tag::Artifact(_) => NodeId(0),
                    };
                    links::write_link(
                        &mut objects,
                        annot,
                        link,
                        pages[index],
                        &pages,
                        Some(next_key),
                        &doc.info.page_label,
                    );
                    links.push(TaggedLink {
                        annot,
                        node,
                        key: next_key,
                    });
                    next_key += 1;
                }
                _ => {}
            }
        }
        leaves.push(PageLeaves {
            page: page_ids[index],
            marks: Vec::new(),
            links,
        });
    }

    let mut hash = StableHash::new();
    hash.write(doc.info.identifier.as_bytes());
    hash.write(doc.info.title.as_bytes());
    let mut content_ids = Vec::with_capacity(page_ids.len());
    let mut compressor = Compressor::start(threads > 1);
    let mut pages_done = Ok(());
    let mut streams_written = 0;
    // Everything that reads the items (checks, images, link annotations)
    // has run; from here on, the pages keep their size and anchors.
    let page_items: Vec<Vec<Item>> = doc
        .pages
        .iter_mut()
        .map(|p| std::mem::take(&mut p.items))
        .collect();
    let owned = doc;
    let doc: &Document = &owned;
    let mut fonts = FontSet::new(doc);
    let mut reuse = cache::Reuse::start(cache);
    let keys = if reuse.keeps() {
        let pages: Vec<(Pt, &[Item])> = page_items
            .iter()
            .zip(&doc.pages)
            .map(|(items, page)| (page.height, items.as_slice()))
            .collect();
        cache::page_keys(&pages, &doc.structure, &images)
    } else {
        Vec::new()
    };
    for (index, (items, page)) in page_items.into_iter().zip(&doc.pages).enumerate() {
        let t0 = Instant::now();
        let page_in = cache::PageIn {
            height: page.height,
            items: &items,
            images: &images,
            tree: &doc.structure,
        };
        let job = reuse.content(
            &page_in,
            keys.get(index).copied(),
            &mut fonts,
            &mut compressor,
            &mut leaves[index].marks,
            index,
        );
        reuse.discard(items);
        match job {
            Ok(job) => compressor.push(job),
            Err(e) => {
                pages_done = Err(e);
                break;
            }
        }
        timings.content += t0.elapsed();
        let content_id = objects.alloc();
        content_ids.push(content_id);
        while let Some(data) = compressor.ready() {
            reuse.deflated_page(streams_written, &data);
            write_stream(&mut objects, &mut hash, content_ids[streams_written], &data);
            streams_written += 1;
        }
        let page_id = page_ids[index];
        let mut dict = objects.small(page_id).page(page_id);
        dict.parent(tree_id)
            .media_box(Rect::new(
                0.0,
                0.0,
                page.width.0 as f32,
                page.height.0 as f32,
            ))
            .contents(content_id)
            .struct_parents(index as i32);
        dict.pair(Name(b"Resources"), resources_id);
        let annots = &leaves[index].links;
        if !annots.is_empty() {
            dict.annotations(annots.iter().map(|l| l.annot));
            // Tab through the annotations in structure order (PDF/UA).
            dict.tab_order(TabOrder::StructureOrder);
        }
        dict.finish();
    }
    let threaded = matches!(compressor, Compressor::There { .. });
    let waited = Instant::now();
    let (streams, compression) = compressor.finish();
    pages_done?;
    for (&id, data) in content_ids[streams_written..].iter().zip(streams) {
        reuse.deflated_page(streams_written, &data);
        write_stream(&mut objects, &mut hash, id, &data);
        streams_written += 1;
    }
    timings.compression = compression;
    // What this thread spent on deflating: all of it, or the wait for the
    // other thread to finish.
    let deflating_here = if threaded {
        waited.elapsed()
    } else {
        compression
    };
    objects
        .small(tree_id)
        .pages(tree_id)
        .kids(page_ids.iter().copied())
        .count(page_ids.len() as i32);

    let t0 = Instant::now();
    let font_refs = fonts.finish(&mut objects, &mut hash)?;
    timings.fonts = t0.elapsed();
    let image_refs = images.write(&mut objects, conformance.pdfa.is_some())?;
    {
        let mut resources = objects.small(resources_id).indirect(resources_id).dict();
        if !font_refs.is_empty() {
            let mut fonts = resources.insert(Name(b"Font")).dict();
            for (name, id) in &font_refs {
                fonts.pair(Name(name.as_bytes()), *id);
            }
        }
        if !image_refs.is_empty() {
            let mut xobjects = resources.insert(Name(b"XObject")).dict();
            for (index, id) in image_refs.iter().enumerate() {
                xobjects.pair(Name(images::resource_name(index).as_bytes()), *id);
            }
        }
    }

    let outline = outline::write_outline(&mut objects, &doc.outline, &pages);
    let dests = links::named_destinations(&mut objects, doc, &pages);
    let struct_root = structure::write_tree(&mut objects, &doc.structure, &leaves);
    let document_id = hash.digest();
    let xmp = metadata::write_xmp(&mut objects, &doc.info, document_id, conformance);
    let intent = conformance
        .pdfa
        .is_some()
        .then(|| standard::write_output_intent(&mut objects));
    let info = metadata::write_info(&mut objects, &doc.info);
    write_catalog(
        &mut objects,
        catalog_id,
        doc,
        Catalog {
            pages: tree_id,
            outline,
            dests,
            struct_root,
            xmp,
            intent,
        },
    );
    let mut deflater = Deflater::new();
    let out = objects
        .finish(
            catalog_id,
            info,
            metadata::file_id(document_id),
            &mut |data: &[u8]| reuse.deflate(data, &mut deflater),
        )
        .map_err(internal)?;
    reuse.discard(owned);
    reuse.finish(cache);
    timings.objects = started
        .elapsed()
        .saturating_sub(timings.content + deflating_here + timings.fonts);
    Ok((out, timings))
}

/// What the catalog points at.
struct Catalog {
    pages: Ref,
    outline: Option<Ref>,
    dests: Option<Ref>,
    struct_root: Ref,
    xmp: Ref,
    intent: Option<Ref>,
}

fn write_catalog(objects: &mut Objects, id: Ref, doc: &Document, parts: Catalog) {
    let labels = metadata::page_labels(&doc.page_labels, doc.pages.len());
    let mut catalog = objects
        .small(id)
        .indirect(id)
        .start::<pdf_writer::writers::Catalog>();
    catalog.pages(parts.pages);
    match parts.outline {
        Some(outline) => {
            catalog.outlines(outline);
            catalog.page_mode(pdf_writer::types::PageMode::UseOutlines);
        }
        None => {
            catalog.page_mode(pdf_writer::types::PageMode::UseNone);
        }
    }
    if !labels.is_empty() {
        let mut tree = catalog.insert(Name(b"PageLabels")).dict();
        let mut nums = tree.insert(Name(b"Nums")).array();
        for label in labels {
            nums.item(label.first_page);
            let mut dict = nums.push().dict();
            if let Some(style) = label.style {
                dict.pair(Name(b"S"), Name(style));
            }
            if let Some(start) = label.start {
                dict.pair(Name(b"St"), start);
            }
        }
    }
    if let Some(dests) = parts.dests {
        catalog
            .insert(Name(b"Names"))
            .dict()
            .pair(Name(b"Dests"), dests);
    }
    if !doc.info.language.is_empty() {
        catalog.lang(TextStr(&doc.info.language));
    }
    catalog.metadata(parts.xmp);
    // Show the book's title, not the file name, in the window title; a
    // right-to-left book's spreads and page turns run right to left.
    let mut viewer = catalog.viewer_preferences();
    viewer.display_doc_title(true);
    if doc.info.right_to_left {
        viewer.direction(pdf_writer::types::Direction::R2L);
    }
    viewer.finish();
    catalog.mark_info().marked(true);
    catalog.pair(Name(b"StructTreeRoot"), parts.struct_root);
    if let Some(intent) = parts.intent {
        catalog.insert(Name(b"OutputIntents")).array().item(intent);
    }
    catalog.finish();
}

/// A page's content stream for the [`Compressor`]: to deflate, or
/// deflated already (the same stream in an earlier file, see [`Cache`]).
pub(super) enum Job {
    Raw(Vec<u8>),
    Ready(Vec<u8>),
}

/// Deflates the pages' content streams in order, on a thread of its own
/// when asked, so that writing page n+1 overlaps deflating page n. Each
/// deflated stream comes back as soon as it is done, so the writer puts it
/// in the file and frees it: the streams are never all held at once.
pub(super) enum Compressor {
    Here {
        deflater: Deflater,
        /// The stream deflated last, not yet taken.
        done: Option<Vec<u8>>,
        spent: Duration,
        buffer: Vec<u8>,
    },
    /// Raw streams go to the thread, which returns them deflated (in
    /// order: one thread works through one queue) and sends the emptied
    /// buffers back for the next pages.
    There {
        send: std::sync::mpsc::Sender<Job>,
        spare: std::sync::mpsc::Receiver<Vec<u8>>,
        done: std::sync::mpsc::Receiver<Vec<u8>>,
        thread: std::thread::JoinHandle<Duration>,
    },
}

impl Compressor {
    fn start(threaded: bool) -> Compressor {
        if threaded {
            let (send, receive) = std::sync::mpsc::channel::<Job>();
            let (give_back, spare) = std::sync::mpsc::channel::<Vec<u8>>();
            let (deflated, done) = std::sync::mpsc::channel::<Vec<u8>>();
            let spawned = std::thread::Builder::new()
                .name("pdf-deflate".into())
                .spawn(move || {
                    let mut deflater = Deflater::new();
                    let mut spent = Duration::ZERO;
                    for job in receive {
                        let raw = match job {
                            Job::Raw(raw) => raw,
                            Job::Ready(data) => {
                                let _ = deflated.send(data);
                                continue;
                            }
                        };
                        let t = Instant::now();
                        let data = deflater.deflate(&raw);
                        spent += t.elapsed();
                        // The writer may be done already; then these go.
                        let _ = deflated.send(data);
                        let _ = give_back.send(raw);
                    }
                    spent
                });
            // No thread to be had: deflate here.
            if let Ok(thread) = spawned {
                return Compressor::There {
                    send,
                    spare,
                    done,
                    thread,
                };
            }
        }
        Compressor::Here {
            deflater: Deflater::new(),
            done: None,
            spent: Duration::ZERO,
            buffer: Vec::with_capacity(CONTENT_BUFFER),
        }
    }

    /// An empty buffer to write the next page into.
    pub(super) fn buffer(&mut self) -> Vec<u8> {
        match self {
            Compressor::Here { buffer, .. } => std::mem::take(buffer),
            Compressor::There { spare, .. } => spare
                .try_recv()
                .unwrap_or_else(|_| Vec::with_capacity(CONTENT_BUFFER)),
        }
    }

    /// Takes back a page's buffer that needed no deflating.
    pub(super) fn give_back(&mut self, raw: Vec<u8>) {
        if let Compressor::Here { buffer, .. } = self {
            *buffer = raw;
        }
    }

    fn push(&mut self, job: Job) {
        match (self, job) {
            (Compressor::Here { done, .. }, Job::Ready(data)) => *done = Some(data),
            (
                Compressor::Here {
                    deflater,
                    done,
                    spent,
                    buffer,
                },
                Job::Raw(raw),
            ) => {
                let t = Instant::now();
                *done = Some(deflater.deflate(&raw));
                *spent += t.elapsed();
                *buffer = raw;
            }
            // The thread only stops once the sender is dropped.
            (Compressor::There { send, .. }, job) => {
                let _ = send.send(job);
            }
        }
    }

    /// The next deflated stream, in the order pushed, if it is done.
    fn ready(&mut self) -> Option<Vec<u8>> {
        match self {
            Compressor::Here { done, .. } => done.take(),
            Compressor::There { done, .. } => done.try_recv().ok(),
        }
    }

    /// The streams not yet taken, in order, and the time spent deflating.
    fn finish(self) -> (Vec<Vec<u8>>, Duration) {
        match self {
            Compressor::Here { done, spent, .. } => (done.into_iter().collect(), spent),
            Compressor::There {
                send, done, thread, ..
            } => {
                drop(send);
                let spent = thread
                    .join()
                    .unwrap_or_else(|e| std::panic::resume_unwind(e));
                (done.into_iter().collect(), spent)
            }
        }
    }
}

/// Puts a page's deflated content stream `data` in the file as object `id`.
fn write_stream(objects: &mut Objects, hash: &mut StableHash, id: Ref, data: &[u8]) {
    hash.write(data);
    objects
        .direct(id)
        .stream(id, data)
        .filter(pdf_writer::Filter::FlateDecode);
}

fn internal(message: String) -> Diagnostics {
    Diagnostic::error(format!("internal error in the PDF writer: {message}")).into()
}

/// Checks the typesetter's references (pages, fonts) before writing, so
/// that a bad index is one clear error rather than a broken file.
fn validate(doc: &Document) -> StageResult<()> {
    if doc.pages.is_empty() {
        return Err(internal("the document has no pages".into()));
    }
    let n = doc.pages.len();
    let mut errors = Vec::new();
    for (index, page) in doc.pages.iter().enumerate() {
        if !(page.width.0 > 0.0 && page.height.0 > 0.0) {
            errors.push(format!("page {} has no area", index + 1));
        }
        for item in &page.items {
            match item {
                Item::Link(link) => {
                    if let Destination::Page { page: target, .. } = link.target {
                        if target >= n {
                            errors.push(format!(
                                "a link on page {} points to page {} of {n}",
                                index + 1,
                                target + 1
                            ));
                        }
                    }
                }
                Item::Text(run) if run.font.0 >= doc.fonts.len() => errors.push(format!(
                    "page {} uses font #{} of {}",
                    index + 1,
                    run.font.0,
                    doc.fonts.len()
                )),
                _ => {}
            }
        }
    }
    fn check_outline(entries: &[OutlineEntry], n: usize, errors: &mut Vec<String>) {
        for e in entries {
            if e.page >= n {
                errors.push(format!(
                    "outline entry “{}” points to page {} of {n}",
                    e.title,
                    e.page + 1
                ));
            }
            check_outline(&e.children, n, errors);
        }
    }
    check_outline(&doc.outline, n, &mut errors);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Diagnostics(
            errors
                .into_iter()
                .map(|m| Diagnostic::error(format!("internal error in the PDF writer: {m}")))
                .collect(),
        ))
    }
}
