//! EPUB 3 writer: model + TOC (+ the PDF's page breaks) → `.epub` bytes.
//!
//! Place in the pipeline: after [`crate::toc`], beside the typesetter; it
//! reads the [`Book`] as it is and never looks at Markdown. Steps:
//! [`xhtml`] serializes each chapter (with [`notes`] for footnotes,
//! [`images`] for packaged pictures and
//! [`pagebreaks`] for print page markers); a first, measuring pass lets
//! [`layout`] split chapters that are too large and decide which file every
//! id lands in, then the real pass writes them. [`cover`] generates a cover
//! when none is configured, [`fonts`] subsets and embeds the book's fonts
//! on request, [`css`] packages what the user's stylesheet refers to,
//! [`nav`] writes nav.xhtml (contents, landmarks, page-list) and toc.ncx
//! from the shared [`Toc`], [`package`] hands everything to epub-builder
//! and completes the OPF (identifier, accessibility metadata…), and
//! [`ocf`] re-zips the result deterministically (mimetype first, fixed
//! timestamps), so two builds of the same book are byte-identical.

mod cache;
mod code;
mod cover;
mod css;
pub(crate) mod escape;
mod fonts;
mod images;
mod layout;
mod nav;
mod notes;
mod ocf;
mod package;
mod pagebreaks;
mod settings;
mod xhtml;

#[cfg(test)]
mod tests;

use std::collections::BTreeSet;
use std::path::PathBuf;

use crate::diag::{Diagnostic, Diagnostics, StageResult};
use crate::fonts::FontFiles;
use crate::labels::Label;
use crate::model::{Book, PageBreak};
use crate::toc::Toc;

pub use cache::Cache;
pub use cover::{cover_png, cover_svg, RASTER_SIZE};
use images::{extension_for, sniff_media_type, ImageStore};
use layout::{plan_parts, Layout};
use nav::{Landmark, PageTarget};
use package::{PackageInput, Resource, Role, SpineDoc};
use xhtml::{chapter_pages, chapter_title, page, BookContext};

/// Folio's own stylesheet, linked from every page as `stylesheet.css`.
const STYLESHEET: &str = include_str!("style.css");
/// Package name of the optional user stylesheet (linked after ours).
const EXTRA_STYLESHEET: &str = "extra.css";
/// Names of the pages Folio adds; chapter files never take them.
const TITLE_PAGE: &str = "titlepage.xhtml";
const COVER_PAGE: &str = "cover.xhtml";
const NAV_PAGE: &str = "nav.xhtml";

/// Resolved EPUB settings (from book.yaml's `epub` section).
#[derive(Debug, Clone, PartialEq)]
pub struct EpubSettings {
    /// Extra stylesheet appended after Folio's own (absolute path, checked to exist).
    pub stylesheet: Option<PathBuf>,
    /// Chapters whose XHTML would exceed [`SPLIT_THRESHOLD_BYTES`] are split
    /// into several files at headings of this level (2 = at every `##`).
    pub split_level: u8,
    /// Embed the book's fonts (subset to the glyphs used) in the EPUB.
    pub embed_fonts: bool,
    /// Deepest TOC level written to nav.xhtml and toc.ncx (for readers that
    /// show only two levels well); never deeper than the book's toc-depth.
    pub nav_depth: Option<u8>,
    /// The book's font files (the PDF's): the generated cover is set in
    /// them, and `embed_fonts` embeds them. `None` sets the cover in the
    /// reader's serif and embeds nothing.
    pub fonts: Option<FontFiles>,
    /// Where the cover finds fonts for what the book's faces lack.
    pub fallback: crate::fonts::FallbackSettings,
    /// Write the syntax classes of code (`code-theme` is not `none`).
    pub highlight: bool,
}

impl Default for EpubSettings {
    /// Book.yaml's defaults: no extra stylesheet, split at level 2, no
    /// embedded fonts, the full TOC depth, no font files.
    fn default() -> EpubSettings {
        EpubSettings {
            stylesheet: None,
            split_level: 2,
            embed_fonts: false,
            nav_depth: None,
            fonts: None,
            fallback: crate::fonts::FallbackSettings::default(),
            highlight: true,
        }
    }
}

/// Size above which a chapter file is split: Kindle's converter and older
/// Kobo and Adobe readers slow down or fail on XHTML files over ~300 KB.
pub const SPLIT_THRESHOLD_BYTES: usize = 200 * 1024;

/// Writes the book as EPUB 3 bytes, with the warnings met on the way
/// (dropped raw HTML, images that could not be packaged…) for the caller
/// to print. Errors (an unreadable cover or stylesheet) come back with any
/// warnings gathered before them.
///
/// `page_breaks` are the pages of Folio's PDF of the same book, in page
/// order: each becomes an `epub:type="pagebreak"` marker and an entry of
/// the page-list, so readers show print page numbers that match the PDF.
/// With none, no page-list is written.
pub fn write_epub(
    book: &Book,
    toc: &Toc,
    settings: &EpubSettings,
    page_breaks: &[PageBreak],
) -> StageResult<(Vec<u8>, Vec<Diagnostic>)> {
    prepare(book, toc, settings, &mut Cache::default())?.finish(page_breaks)
}

/// An EPUB with all that does not depend on the PDF's page breaks done
/// (stylesheets, the split of the chapters into files, the cover): what
/// [`write_epub`] does before it needs them, so a caller can do it while
/// the book is being typeset.
pub struct Prepared<'a> {
    /// What the last EPUB of the book made that this one can take, and
    /// where this one leaves what it makes (see [`Cache`]).
    cache: &'a mut Cache,
    book: &'a Book,
    toc: &'a Toc,
    settings: &'a EpubSettings,
    stylesheets: Vec<String>,
    embed: Option<&'a FontFiles>,
    resources: Vec<Resource>,
    images: ImageStore,
    layout: Layout,
    cover_image: Resource,
    cover_page: String,
    diags: Vec<Diagnostic>,
}

/// The first part of [`write_epub`]; [`Prepared::finish`] is the rest.
/// Errors come back with the warnings gathered before them. What `cache`
/// holds of an earlier EPUB of the book (chapters, cover, deflated files)
/// is taken where it is the same; the bytes are the same as without.
pub fn prepare<'a>(
    book: &'a Book,
    toc: &'a Toc,
    settings: &'a EpubSettings,
    cache: &'a mut Cache,
) -> StageResult<Prepared<'a>> {
    let mut diags = Vec::new();
    match prepare_parts(book, toc, settings, cache, &mut diags) {
        Ok(mut prepared) => {
            prepared.diags = diags;
            Ok(prepared)
        }
        Err(error) => {
            diags.push(error);
            Err(Diagnostics(diags))
        }
    }
}

impl Prepared<'_> {
    /// Writes the EPUB with `page_breaks` (see [`write_epub`]).
    pub fn finish(mut self, page_breaks: &[PageBreak]) -> StageResult<(Vec<u8>, Vec<Diagnostic>)> {
        let mut diags = std::mem::take(&mut self.diags);
        match build(self, page_breaks, &mut diags) {
            Ok(bytes) => Ok((bytes, diags)),
            Err(error) => {
                diags.push(error);
                Err(Diagnostics(diags))
            }
        }
    }
}

/// Output file name of every chapter: its slug reduced to URL- and
/// zip-safe characters, unique (ignoring case) and never one of Folio's
/// own page names. `taken` receives every name used, in lower case.
fn chapter_files(book: &Book, taken: &mut BTreeSet<String>) -> Vec<String> {
    taken.extend(
        [TITLE_PAGE, COVER_PAGE, NAV_PAGE]
            .iter()
            .map(|s| s.to_string()),
    );
    let mut files = Vec::new();
    for (i, chapter) in book.chapters.iter().enumerate() {
        let slug: String = chapter
            .slug
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        let slug = slug.trim_matches('-');
        let base = if slug.is_empty() {
            format!("chapter-{}", i + 1)
        } else {
            slug.to_string()
        };
        let mut name = format!("{base}.xhtml");
        let mut n = 2;
        while taken.contains(&name.to_ascii_lowercase()) {
            name = format!("{base}-{n}.xhtml");
            n += 1;
        }
        taken.insert(name.to_ascii_lowercase());
        files.push(name);
    }
    files
}

/// The title page: title, subtitle, authors and publisher.
fn title_page(book: &Book, stylesheets: &[String]) -> String {
    let meta = &book.meta;
    let mut body =
        String::from("<section epub:type=\"titlepage\" class=\"titlepage\">\n<h1 class=\"title\">");
    escape::push_text(&mut body, meta.title.trim());
    body.push_str("</h1>\n");
    if let Some(subtitle) = meta.subtitle.as_deref().filter(|s| !s.trim().is_empty()) {
        body.push_str("<p class=\"subtitle\">");
        escape::push_text(&mut body, subtitle.trim());
        body.push_str("</p>\n");
    }
    for author in meta.authors.iter().filter(|a| !a.trim().is_empty()) {
        body.push_str("<p class=\"author\">");
        escape::push_text(&mut body, author.trim());
        body.push_str("</p>\n");
    }
    if let Some(publisher) = meta.publisher.as_deref().filter(|s| !s.trim().is_empty()) {
        body.push_str("<p class=\"publisher\">");
        escape::push_text(&mut body, publisher.trim());
        body.push_str("</p>\n");
    }
    body.push_str("</section>\n");
    page(
        &meta.language,
        &meta.title,
        stylesheets,
        " epub:type=\"frontmatter\"",
        &body,
    )
}

/// The cover image as a resource and its page: the configured image, or
/// one generated from the title and authors so every book has a cover.
fn cover(
    book: &Book,
    settings: &EpubSettings,
    stylesheets: &[String],
) -> Result<(Resource, String), Diagnostic> {
    let (bytes, media_type) = match &book.meta.cover {
        Some(path) => {
            let bytes = crate::source::files::read(path)
                .map_err(|e| {
                    Diagnostic::error(format!("cannot read the cover image: {e}")).in_file(path)
                })?
                .to_vec();
            let media_type = sniff_media_type(&bytes, path).ok_or_else(|| {
                Diagnostic::error("the cover image is not PNG, JPEG, GIF, WebP or SVG")
                    .in_file(path)
                    .with_hint("convert it to JPEG or PNG")
            })?;
            (bytes, media_type)
        }
        None => {
            let svg = cover::cover_svg(&book.meta, settings.fonts.as_ref(), &settings.fallback);
            // Stores, Kindle conversion and most readers' libraries want a
            // raster cover; the SVG stays the fallback.
            match cover::cover_png(&svg) {
                Some(png) => (png, "image/png"),
                None => (svg.into_bytes(), "image/svg+xml"),
            }
        }
    };
    let href = format!("cover.{}", extension_for(media_type));
    let mut body = String::from(
        "<section epub:type=\"cover\" class=\"cover\">\n<img role=\"doc-cover\" src=\"",
    );
    escape::push_attr(&mut body, &href);
    body.push_str("\" alt=\"");
    escape::push_attr(
        &mut body,
        &format!(
            "{}: {}",
            book.meta.labels.get(Label::Cover),
            cover::cover_label(&book.meta)
        ),
    );
    body.push_str("\"/>\n</section>\n");
    let xhtml = page(
        &book.meta.language,
        &book.meta.title,
        stylesheets,
        " epub:type=\"frontmatter\"",
        &body,
    );
    Ok((
        Resource {
            href,
            media_type: media_type.to_string(),
            bytes,
        },
        xhtml,
    ))
}

fn prepare_parts<'a>(
    book: &'a Book,
    toc: &'a Toc,
    settings: &'a EpubSettings,
    cache: &'a mut Cache,
    diags: &mut Vec<Diagnostic>,
) -> Result<Prepared<'a>, Diagnostic> {
    let meta = &book.meta;
    let mut stylesheets = vec!["stylesheet.css".to_string()];
    let embed = match (&settings.fonts, settings.embed_fonts) {
        (Some(files), true) => {
            // After Folio's stylesheet (it overrides the generic families),
            // before the user's (which may override the embedded ones).
            stylesheets.push(fonts::FONT_STYLESHEET.into());
            Some(files)
        }
        (None, true) => {
            diags.push(Diagnostic::warning(
                "`epub.embed-fonts` is set but the book has no font files; no font is embedded",
            ));
            None
        }
        _ => None,
    };
    let mut resources = Vec::new();
    let mut images = ImageStore::default();
    if let Some(path) = &settings.stylesheet {
        let text = crate::source::files::read_to_string(path).map_err(|e| {
            Diagnostic::error(format!("cannot read the EPUB stylesheet: {e}")).in_file(path)
        })?;
        let (css, fonts) = css::package_stylesheet(&text, path, &mut images)?;
        resources.push(Resource {
            href: EXTRA_STYLESHEET.into(),
            media_type: "text/css".into(),
            bytes: css.into_bytes(),
        });
        resources.extend(fonts.into_iter().map(|f| Resource {
            href: f.href,
            media_type: f.media_type.into(),
            bytes: f.bytes,
        }));
        stylesheets.push(EXTRA_STYLESHEET.into());
    }
    if let Some(date) = meta
        .date
        .as_deref()
        .filter(|d| !package::is_w3c_date(d.trim()))
    {
        diags.push(
            Diagnostic::warning(format!(
                "publication date `{date}` is not YYYY, YYYY-MM or YYYY-MM-DD; it is left out of the EPUB"
            )),
        );
    }

    // Pass 1 measures every chapter unsplit; the plans then decide which
    // are split where, and pass 2 writes them with links into the right
    // part files. Images are registered in reading order by pass 1 already,
    // so their names do not depend on the split.
    let mut taken = BTreeSet::new();
    let bases = chapter_files(book, &mut taken);
    let plans = {
        let single = Layout::single(book, &bases);
        let ctx = BookContext {
            book,
            layout: &single,
            stylesheets: &stylesheets,
            highlight: settings.highlight,
        };
        let mut ignored = Vec::new();
        cache
            .measured
            .begin(book, &single, &stylesheets, settings.highlight);
        book.chapters
            .iter()
            .enumerate()
            .map(|(index, chapter)| {
                let measured = cache.measured.chapter(
                    book,
                    index,
                    &[],
                    &mut images,
                    &mut ignored,
                    |images, diags| chapter_pages(&ctx, index, &[], images, diags),
                );
                let total = measured.parts.iter().map(String::len).sum();
                plan_parts(
                    &chapter.blocks,
                    &measured.block_offsets,
                    total,
                    settings.split_level,
                    SPLIT_THRESHOLD_BYTES,
                )
            })
            .collect()
    };
    let layout = Layout::new(book, &bases, plans, &mut taken);
    let (cover_image, cover_page) = cache.cover(book, settings, &stylesheets, || {
        cover(book, settings, &stylesheets)
    })?;
    Ok(Prepared {
        cache,
        book,
        toc,
        settings,
        stylesheets,
        embed,
        resources,
        images,
        layout,
        cover_image,
        cover_page,
        diags: Vec::new(),
    })
}

/// The rest of [`write_epub`] after [`prepare`].
fn build(
    prepared: Prepared<'_>,
    page_breaks: &[PageBreak],
    diags: &mut Vec<Diagnostic>,
) -> Result<Vec<u8>, Diagnostic> {
    let Prepared {
        cache,
        book,
        toc,
        settings,
        stylesheets,
        embed,
        mut resources,
        mut images,
        layout,
        cover_image,
        cover_page,
        ..
    } = prepared;
    let meta = &book.meta;
    let ctx = BookContext {
        book,
        layout: &layout,
        stylesheets: &stylesheets,
        highlight: settings.highlight,
    };
    let mut spine = Vec::new();
    spine.push(SpineDoc {
        href: COVER_PAGE.into(),
        title: meta.labels.get(Label::Cover).into(),
        xhtml: cover_page,
        role: Role::Cover,
    });
    spine.push(SpineDoc {
        href: TITLE_PAGE.into(),
        title: meta.title.clone(),
        xhtml: title_page(book, &stylesheets),
        role: Role::TitlePage,
    });
    let mut marks = Vec::new();
    cache
        .written
        .begin(book, &layout, &stylesheets, settings.highlight);
    for (index, chapter) in book.chapters.iter().enumerate() {
        let written = cache.written.chapter(
            book,
            index,
            page_breaks,
            &mut images,
            diags,
            |images, diags| chapter_pages(&ctx, index, page_breaks, images, diags),
        );
        for (part, xhtml) in written.parts.into_iter().enumerate() {
            spine.push(SpineDoc {
                href: layout.file(index, part).unwrap_or_default().to_string(),
                title: chapter_title(book, chapter),
                xhtml,
                role: if index == 0 && part == 0 {
                    Role::BodyStart
                } else {
                    Role::Chapter
                },
            });
        }
        marks.extend(written.marks.into_iter().map(|m| (index, m)));
    }
    marks.sort_by_key(|(_, m)| m.seq);
    let pages: Vec<PageTarget> = marks
        .iter()
        .filter_map(|(chapter, m)| {
            let file = layout.file(*chapter, m.part)?;
            Some(PageTarget {
                label: m.label.clone(),
                href: format!("{file}#{}", escape::fragment(&m.id)),
            })
        })
        .collect();
    resources.extend(images.images.into_iter().map(|img| Resource {
        href: img.href,
        media_type: img.media_type.into(),
        bytes: img.bytes,
    }));

    // Heading of the contents page and label of its landmark.
    let toc_title = meta.labels.get(Label::Contents);
    let mut entries = nav::nav_entries(book, toc, &layout);
    if let Some(depth) = settings.nav_depth {
        nav::limit_depth(&mut entries, depth);
    }
    if entries.is_empty() {
        entries.push(nav::NavEntry {
            label: meta.title.clone(),
            href: TITLE_PAGE.into(),
            children: Vec::new(),
        });
    }
    let mut landmarks = vec![Landmark {
        kind: "cover",
        href: COVER_PAGE.into(),
        label: meta.labels.get(Label::Cover).into(),
    }];
    landmarks.push(Landmark {
        kind: "titlepage",
        href: TITLE_PAGE.into(),
        label: meta.labels.get(Label::TitlePage).into(),
    });
    landmarks.push(Landmark {
        kind: "toc",
        href: format!("{NAV_PAGE}#toc"),
        label: toc_title.into(),
    });
    landmarks.push(Landmark {
        kind: "bodymatter",
        href: layout.href(0, None).unwrap_or_else(|| TITLE_PAGE.into()),
        label: meta.labels.get(Label::Start).into(),
    });

    // Pictures beyond the cover (whose text the title page repeats).
    let has_images = resources.iter().any(|r| r.media_type.starts_with("image/"));
    let identifier = if meta.identifier.trim().is_empty() {
        format!(
            "urn:uuid:{}",
            uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, meta.title.as_bytes())
        )
    } else {
        meta.identifier.trim().to_string()
    };
    let accessibility = package::Accessibility {
        has_images,
        page_source: (!pages.is_empty()).then(|| format!("{identifier} (PDF)")),
    };
    let nav_xhtml = nav::nav_xhtml(
        &meta.language,
        toc_title,
        &stylesheets,
        &entries,
        &landmarks,
        &pages,
        meta.labels.get(Label::PageList),
    );
    if let Some(files) = embed {
        let chars = fonts::used_chars(
            spine
                .iter()
                .map(|d| d.xhtml.as_str())
                .chain([nav_xhtml.as_str()]),
        );
        let embedded = fonts::embed_fonts(files, &chars)?;
        diags.extend(embedded.warnings);
        resources.push(Resource {
            href: fonts::FONT_STYLESHEET.into(),
            media_type: "text/css".into(),
            bytes: embedded.css.into_bytes(),
        });
        resources.extend(embedded.resources);
    }
    let toc_ncx = nav::toc_ncx(
        &identifier,
        &meta.language,
        &meta.title,
        &meta.authors,
        &entries,
    );
    let entries = package::assemble(PackageInput {
        meta,
        identifier,
        toc_title: toc_title.to_string(),
        stylesheet: STYLESHEET,
        spine,
        resources,
        cover_image: Some(cover_image),
        nav_xhtml,
        toc_ncx,
        accessibility,
    })
    .map_err(|e| Diagnostic::error(format!("could not assemble the EPUB: {e}")))?;
    ocf::write_container_cached(&entries, meta.modified_epoch, &mut cache.container)
        .map_err(|e| Diagnostic::error(format!("could not write the EPUB container: {e}")))
}
