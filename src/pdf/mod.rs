//! PDF emission: positioned pages → PDF bytes via printpdf (and its lopdf
//! document for the outline, page labels and `/Lang`). The only module that
//! knows the PDF library.
//!
//! printpdf builds the document skeleton — catalog, page tree, page boxes
//! and link annotations. Everything that has to be exact or fast is then
//! done on its lopdf document:
//!
//! - [`fonts`]: glyph usage → subset fonts (`subsetter`) embedded as CID
//!   fonts with /W and ToUnicode;
//! - [`content`] and [`text`]: each page's content stream, written straight
//!   to bytes (printpdf's op-by-op path allocates per glyph; a 600-page book
//!   has over a million glyphs) and deflated once, on a second thread while
//!   the next page is written; each page's runs are freed once written;
//! - [`images`]: PNG/JPEG XObjects; [`links`]: link annotations;
//! - [`outline`]: the nested bookmark tree; [`metadata`]: Info, XMP, page
//!   labels, /Lang, /ID;
//! - [`serialize`]: the bytes, with the small objects in object streams.
//!
//! Output is deterministic: no clock, no random ids, objects numbered in
//! creation order, the file /ID hashed from the identifier and content,
//! the same bytes on one thread or two.

mod content;
mod encoding;
mod fonts;
mod images;
mod links;
mod metadata;
mod outline;
mod serialize;
mod text;

#[cfg(test)]
mod tests;

use std::time::{Duration, Instant};

use lopdf::{Dictionary, Object, ObjectId};

use crate::diag::{Diagnostic, Diagnostics, StageResult};
use crate::typeset::frame::{Destination, Document, Item, OutlineEntry};
use encoding::{text_string, Deflater, StableHash};

use fonts::FontSet;
use images::ImageSet;

/// The PDF version written: UTF-16 text strings, XMP metadata and /Lang
/// need 1.4; nothing here needs more than 1.7.
const PDF_VERSION: &str = "1.7";

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
    /// Everything else: document skeleton, annotations, outline,
    /// metadata, and serializing the objects.
    pub objects: Duration,
}

/// Writes a laid-out document as PDF bytes. ([`write_pdf_timed`] takes
/// the document instead of a copy, and frees it as it goes.)
pub fn write_pdf(doc: &Document) -> StageResult<Vec<u8>> {
    write_pdf_timed(doc.clone(), 0).map(|(bytes, _)| bytes)
}

/// [`write_pdf`], also saying where the time went. Each page's text runs
/// and rules are dropped once its content stream is written, so a long
/// book's glyphs are gone before the file is put together. With `threads`
/// other than 1 (0: as many as there are cores), content streams are
/// deflated on a second thread while the next pages are written; the
/// bytes are the same.
pub fn write_pdf_timed(mut doc: Document, threads: usize) -> StageResult<(Vec<u8>, Timings)> {
    let doc = &mut doc;
    let threads = match threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let started = Instant::now();
    let mut timings = Timings::default();
    validate(doc)?;
    let images = ImageSet::load(doc)?;

    let mut pdf = skeleton(doc);
    pdf.version = PDF_VERSION.to_string();
    let page_ids: Vec<ObjectId> = pdf.page_iter().collect();
    if page_ids.len() != doc.pages.len() {
        return Err(internal(format!(
            "printpdf wrote {} pages instead of {}",
            page_ids.len(),
            doc.pages.len()
        )));
    }
    // Shared by every page; filled once the fonts are known.
    let resources_id = pdf.new_object_id();

    let mut hash = StableHash::new();
    hash.write(doc.info.identifier.as_bytes());
    hash.write(doc.info.title.as_bytes());
    let mut content_ids = Vec::with_capacity(page_ids.len());
    let mut compressor = Compressor::start(threads > 1);
    let mut pages_done = Ok(());
    // Everything that reads the items (checks, images, link annotations)
    // has run; from here on, the pages keep their size and anchors.
    let page_items: Vec<Vec<Item>> = doc
        .pages
        .iter_mut()
        .map(|p| std::mem::take(&mut p.items))
        .collect();
    let doc: &Document = doc;
    let mut fonts = FontSet::new(doc);
    for ((items, page), &page_id) in page_items.into_iter().zip(&doc.pages).zip(&page_ids) {
        let t0 = Instant::now();
        let mut buf = compressor.buffer();
        let written = content::write_page(&mut buf, page.height, &items, &mut fonts, &images);
        drop(items);
        if let Err(e) = written {
            pages_done = Err(e);
            break;
        }
        timings.content += t0.elapsed();
        compressor.push(buf);
        // The stream's number is taken now, so objects are numbered as
        // if it were added here; it is filled in once deflated.
        let content_id = pdf.new_object_id();
        content_ids.push(content_id);
        let dict = pdf
            .get_dictionary_mut(page_id)
            .map_err(|e| internal(format!("page object missing: {e}")))?;
        dict.set("Contents", Object::Reference(content_id));
        dict.set("Resources", Object::Reference(resources_id));
        let annots = match dict.remove(b"Annots") {
            Some(Object::Array(annots)) => annots,
            _ => Vec::new(),
        };
        // printpdf writes annotations inline; ISO 32000 wants indirect
        // references (and /P, the page they are on).
        let mut refs = Vec::with_capacity(annots.len());
        for annot in annots {
            match annot {
                Object::Dictionary(mut annot) => {
                    annot.set("P", Object::Reference(page_id));
                    refs.push(Object::Reference(pdf.add_object(annot)));
                }
                other => refs.push(other),
            }
        }
        if !refs.is_empty() {
            pdf.get_dictionary_mut(page_id)
                .map_err(|e| internal(format!("page object missing: {e}")))?
                .set("Annots", Object::Array(refs));
        }
    }
    let threaded = matches!(compressor, Compressor::There { .. });
    let waited = Instant::now();
    let (streams, compression) = compressor.finish();
    pages_done?;
    timings.compression = compression;
    // What this thread spent on deflating: all of it, or the wait for the
    // other thread to finish.
    let deflating_here = if threaded {
        waited.elapsed()
    } else {
        compression
    };
    let mut content_bytes = 0;
    for (id, data) in content_ids.into_iter().zip(streams) {
        hash.write(&data);
        content_bytes += data.len();
        let mut dict = Dictionary::new();
        dict.set("Filter", Object::Name(b"FlateDecode".to_vec()));
        let stream = lopdf::Stream::new(dict, data).with_compression(false);
        pdf.objects.insert(id, Object::Stream(stream));
    }

    let mut resources = Dictionary::new();
    let t0 = Instant::now();
    let font_dict = fonts.finish(&mut pdf, &mut hash)?;
    timings.fonts = t0.elapsed();
    if !font_dict.is_empty() {
        resources.set("Font", Object::Reference(pdf.add_object(font_dict)));
    }
    if !images.is_empty() {
        let xobjects = images.write(&mut pdf);
        resources.set("XObject", Object::Reference(pdf.add_object(xobjects)));
    }
    pdf.objects
        .insert(resources_id, Object::Dictionary(resources));

    let pages: Vec<(ObjectId, f64)> = page_ids
        .iter()
        .zip(&doc.pages)
        .map(|(&id, page)| (id, page.height.0))
        .collect();
    let outline = outline::write_outline(&mut pdf, &doc.outline, &pages);
    let dests = links::named_destinations(doc, &pages).map(|tree| pdf.add_object(tree));
    let document_id = hash.finish();
    finish_catalog(&mut pdf, doc, outline, dests, document_id)?;
    let info_id = pdf.add_object(metadata::info_dict(&doc.info));
    pdf.trailer.set("Info", Object::Reference(info_id));
    pdf.trailer.set("ID", metadata::file_id(document_id));

    // Content dominates the file; fonts, images and objects add the rest.
    let out = serialize::save(&pdf, &mut Deflater::new(), content_bytes + 256 * 1024);
    // Freeing the document's thousands of small dictionaries takes longer
    // than writing them; nothing needs to wait for it.
    let _ = std::thread::Builder::new()
        .name("pdf-free".into())
        .spawn(move || drop(pdf));
    timings.objects = started
        .elapsed()
        .saturating_sub(timings.content + deflating_here + timings.fonts);
    Ok((out, timings))
}

/// The pages' content streams deflated, in order, and the time it took.
type Deflated = (Vec<Vec<u8>>, Duration);

/// Deflates the pages' content streams in order, on a thread of its own
/// when asked, so that writing page n+1 overlaps deflating page n.
enum Compressor {
    Here {
        deflater: Deflater,
        done: Deflated,
        buffer: Vec<u8>,
    },
    /// Raw streams go to the thread, which returns them deflated (in
    /// order: one thread works through one queue) and sends the emptied
    /// buffers back for the next pages.
    There {
        send: std::sync::mpsc::Sender<Vec<u8>>,
        spare: std::sync::mpsc::Receiver<Vec<u8>>,
        thread: std::thread::JoinHandle<Deflated>,
    },
}

impl Compressor {
    fn start(threaded: bool) -> Compressor {
        if threaded {
            let (send, receive) = std::sync::mpsc::channel::<Vec<u8>>();
            let (give_back, spare) = std::sync::mpsc::channel::<Vec<u8>>();
            let spawned = std::thread::Builder::new()
                .name("pdf-deflate".into())
                .spawn(move || {
                    let mut deflater = Deflater::new();
                    let mut done: Deflated = (Vec::new(), Duration::ZERO);
                    for raw in receive {
                        let t = Instant::now();
                        done.0.push(deflater.deflate(&raw));
                        done.1 += t.elapsed();
                        // The writer may be done already; then the buffer goes.
                        let _ = give_back.send(raw);
                    }
                    done
                });
            // No thread to be had: deflate here.
            if let Ok(thread) = spawned {
                return Compressor::There {
                    send,
                    spare,
                    thread,
                };
            }
        }
        Compressor::Here {
            deflater: Deflater::new(),
            done: (Vec::new(), Duration::ZERO),
            buffer: Vec::with_capacity(CONTENT_BUFFER),
        }
    }

    /// An empty buffer to write the next page into.
    fn buffer(&mut self) -> Vec<u8> {
        match self {
            Compressor::Here { buffer, .. } => std::mem::take(buffer),
            Compressor::There { spare, .. } => spare
                .try_recv()
                .unwrap_or_else(|_| Vec::with_capacity(CONTENT_BUFFER)),
        }
    }

    fn push(&mut self, raw: Vec<u8>) {
        match self {
            Compressor::Here {
                deflater,
                done,
                buffer,
            } => {
                let t = Instant::now();
                done.0.push(deflater.deflate(&raw));
                done.1 += t.elapsed();
                *buffer = raw;
            }
            // The thread only stops once the sender is dropped.
            Compressor::There { send, .. } => {
                let _ = send.send(raw);
            }
        }
    }

    /// The deflated streams in the order pushed, and the time spent.
    fn finish(self) -> Deflated {
        match self {
            Compressor::Here { done, .. } => done,
            Compressor::There { send, thread, .. } => {
                drop(send);
                thread
                    .join()
                    .unwrap_or_else(|e| std::panic::resume_unwind(e))
            }
        }
    }
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

/// printpdf's part: the catalog, page tree and pages with their boxes and
/// link annotations (content and resources are filled in afterwards).
fn skeleton(doc: &Document) -> lopdf::Document {
    use printpdf::{PdfPage, PdfSaveOptions, Pt as PdfPt, Rect as PdfRect};
    let mut skeleton = printpdf::PdfDocument::new(&doc.info.title);
    skeleton.pages = doc
        .pages
        .iter()
        .map(|page| {
            let bbox = PdfRect::from_wh(PdfPt(page.width.0 as f32), PdfPt(page.height.0 as f32));
            PdfPage {
                media_box: bbox.clone(),
                trim_box: bbox.clone(),
                crop_box: bbox,
                ops: links::link_ops(page, doc),
            }
        })
        .collect();
    let options = PdfSaveOptions {
        optimize: false,
        subset_fonts: false,
        secure: true,
        image_optimization: None,
    };
    // printpdf only warns about text and colour ops, and the skeleton has none.
    let mut warnings = Vec::new();
    skeleton.to_lopdf_document(&options, &mut warnings)
}

/// Catalog entries printpdf does not write (or writes differently).
fn finish_catalog(
    pdf: &mut lopdf::Document,
    doc: &Document,
    outline: Option<ObjectId>,
    dests: Option<ObjectId>,
    document_id: u128,
) -> StageResult<()> {
    let labels = metadata::page_labels(&doc.page_labels, doc.pages.len());
    let xmp_id = pdf.add_object(metadata::xmp_stream(&doc.info, document_id));
    let catalog = pdf
        .catalog_mut()
        .map_err(|e| internal(format!("no catalog: {e}")))?;
    match outline {
        Some(id) => {
            catalog.set("Outlines", Object::Reference(id));
            catalog.set("PageMode", Object::Name(b"UseOutlines".to_vec()));
        }
        None => catalog.set("PageMode", Object::Name(b"UseNone".to_vec())),
    }
    if let Some(labels) = labels {
        catalog.set("PageLabels", labels);
    }
    if let Some(dests) = dests {
        let mut names = Dictionary::new();
        names.set("Dests", Object::Reference(dests));
        catalog.set("Names", names);
    }
    if !doc.info.language.is_empty() {
        catalog.set("Lang", text_string(&doc.info.language));
    }
    catalog.set("Metadata", Object::Reference(xmp_id));
    let mut prefs = Dictionary::new();
    // Show the book's title, not the file name, in the window title.
    prefs.set("DisplayDocTitle", true);
    catalog.set("ViewerPreferences", prefs);
    Ok(())
}
