//! What the rules look at, gathered once: the loaded book, the pictures it
//! uses (read from their file headers), and — only when a rule needs them —
//! the EPUB built in memory and the book typeset for print.

use std::path::{Path, PathBuf};

use crate::diag::{Location, Span};
use crate::model::{walk, BlockKind, InlineKind};
use crate::typeset::frame::{Document, Item};
use crate::LoadedBook;

/// A picture's file, as its header says.
#[derive(Debug, Clone, PartialEq)]
pub struct Picture {
    pub path: PathBuf,
    /// `png`, `jpeg`, `gif`, `webp`, `svg`…
    pub kind: String,
    pub width: u32,
    pub height: u32,
    pub bytes: u64,
}

impl Picture {
    /// Reads the header of an image file; `None` if it is not one.
    pub fn read(path: &Path) -> Option<Picture> {
        let bytes = std::fs::metadata(path).ok()?.len();
        let kind = if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("svg"))
        {
            return Some(Picture {
                path: path.to_path_buf(),
                kind: "svg".into(),
                width: 0,
                height: 0,
                bytes,
            });
        } else {
            use crate::source::image::ImageKind;
            let head = read_head(path)?;
            match crate::source::image::kind(&head) {
                Some(ImageKind::Png) => "png",
                Some(ImageKind::Jpeg) => "jpeg",
                Some(ImageKind::Gif) => "gif",
                Some(ImageKind::WebP) => "webp",
                Some(ImageKind::Svg) => "svg",
                None => "other",
            }
        };
        let (width, height) = crate::source::image::dimensions(path).unwrap_or((0, 0));
        Some(Picture {
            path: path.to_path_buf(),
            kind: kind.into(),
            width,
            height,
            bytes,
        })
    }

    pub fn is_raster_for_stores(&self) -> bool {
        matches!(self.kind.as_str(), "png" | "jpeg")
    }

    pub fn pixels(&self) -> u64 {
        u64::from(self.width) * u64::from(self.height)
    }
}

/// The first bytes of a file: enough for any image header.
fn read_head(path: &Path) -> Option<Vec<u8>> {
    use std::io::Read;
    let mut head = vec![0; 4096];
    let mut f = std::fs::File::open(path).ok()?;
    let n = f.read(&mut head).ok()?;
    head.truncate(n);
    Some(head)
}

/// One picture as the book uses it, where the Markdown names it.
#[derive(Debug, Clone)]
pub struct Use {
    pub picture: Picture,
    pub span: Span,
}

/// Every local picture of the book, once per place it is used.
pub fn pictures(loaded: &LoadedBook) -> Vec<Use> {
    let mut out = Vec::new();
    for chapter in &loaded.book.chapters {
        let notes = chapter.footnotes.iter().map(|n| &n.blocks);
        for blocks in std::iter::once(&chapter.blocks).chain(notes) {
            let found = std::cell::RefCell::new(Vec::new());
            walk(
                blocks,
                &mut |block| {
                    if let BlockKind::Image(img) = &block.kind {
                        if let Some(p) = &img.path {
                            found.borrow_mut().push((p.clone(), block.span));
                        }
                    }
                },
                &mut |inline| {
                    if let InlineKind::Image(img) = &inline.kind {
                        if let Some(p) = &img.path {
                            found.borrow_mut().push((p.clone(), inline.span));
                        }
                    }
                },
            );
            out.extend(found.into_inner().into_iter().filter_map(|(path, span)| {
                Some(Use {
                    picture: Picture::read(&path)?,
                    span,
                })
            }));
        }
    }
    out
}

/// Where a picture file is first used in the Markdown.
pub fn where_used(uses: &[Use], path: &Path, loaded: &LoadedBook) -> Option<Location> {
    uses.iter()
        .find(|u| u.picture.path == path)
        .map(|u| loaded.book.sources.locate(u.span))
}

/// A picture placed on a printed page.
#[derive(Debug, Clone)]
pub struct Placed {
    pub path: PathBuf,
    /// 0-based page.
    pub page: usize,
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    pub page_width: f64,
    pub page_height: f64,
}

/// The typeset book, as print rules need it.
#[derive(Debug, Clone)]
pub struct Print {
    pub pages: usize,
    pub placed: Vec<Placed>,
    /// Each font the pages use: its PostScript name and file bytes.
    pub fonts: Vec<(String, std::sync::Arc<Vec<u8>>, u32)>,
}

impl Print {
    pub fn from_document(doc: &Document) -> Print {
        let mut placed = Vec::new();
        let mut used = vec![false; doc.fonts.len()];
        for (i, page) in doc.pages.iter().enumerate() {
            for item in &page.items {
                match item {
                    Item::Image(img) => placed.push(Placed {
                        path: img.path.clone(),
                        page: i,
                        x: img.x.0,
                        y: img.y.0,
                        width: img.width.0,
                        height: img.height.0,
                        page_width: page.width.0,
                        page_height: page.height.0,
                    }),
                    Item::Text(run) => {
                        if let Some(u) = used.get_mut(run.font.0) {
                            *u = true;
                        }
                    }
                    _ => {}
                }
            }
        }
        let fonts = doc
            .fonts
            .iter()
            .zip(used)
            .filter(|(_, u)| *u)
            .map(|(f, _)| (f.postscript_name.clone(), f.bytes.clone(), f.index))
            .collect();
        Print {
            pages: doc.pages.len(),
            placed,
            fonts,
        }
    }
}

/// A font's embedding permission (OpenType OS/2 `fsType`): `Err` says why
/// it may not be embedded.
pub fn embedding(bytes: &[u8], index: u32) -> Result<(), &'static str> {
    use skrifa::raw::TableProvider;
    let Ok(font) = skrifa::FontRef::from_index(bytes, index) else {
        return Err("cannot be read as a font");
    };
    let Ok(os2) = font.os2() else {
        // No OS/2 table: no restriction is stated.
        return Ok(());
    };
    // Bits 0–3 are one value: 2 is "restricted license embedding".
    const RESTRICTED: u16 = 0x0002;
    const BITMAP_ONLY: u16 = 0x0200;
    let fs_type = os2.fs_type();
    if fs_type & 0x000F == RESTRICTED {
        Err("its licence forbids embedding (OS/2 fsType: restricted)")
    } else if fs_type & BITMAP_ONLY != 0 {
        Err("its licence allows embedding bitmaps only (OS/2 fsType)")
    } else {
        Ok(())
    }
}
