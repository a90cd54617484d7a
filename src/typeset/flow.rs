//! The vertical flow: what composition hands to pagination.
//!
//! [`compose`](super::compose) turns a chapter into a list of [`Elem`]s:
//! unbreakable [`Slab`]s (a text line, a heading, a table row, an image)
//! separated by spaces that may or may not be page breaks, much like TeX's
//! vertical list. [`paginate`](super::paginate) cuts that list into pages
//! and the assembler shifts every slab's [`Piece`]s onto its page.
//!
//! A slab's coordinates are relative: x from the left edge of the text
//! block, y from the slab's top. The top of a slab is the baseline of what
//! came before it, so a text line of height `leading` has its own baseline
//! at its bottom; that is what keeps body lines on a baseline grid.
//!
//! The structure travels with the flow: the composer records the model's
//! blocks it sets as a tree of nodes of the flow's own ([`Flow::structure`],
//! a list of items, a cell, a formula…), each slab says which node its
//! content belongs to ([`Slab::node`]), and pieces inside a slab switch to
//! another ([`Piece::Node`]: a link's words, a list item's label, a table
//! cell). The assembler turns these into the frame's structure tree as it
//! lays the pages out (see [`tagging`](super::tagging)), so nothing is
//! derived twice.

use crate::diag::{Diagnostic, Span};
use crate::typeset::frame::{Item, Rect, StructKind, StructNode};
use crate::typeset::PdfSettings;
use crate::units::Pt;

/// Tolerance for comparing accumulated lengths.
pub(crate) const EPS: f64 = 1e-6;

/// The page and its text block, derived once from [`PdfSettings`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Geometry {
    pub page_width: Pt,
    pub page_height: Pt,
    pub margin_top: Pt,
    pub margin_inner: Pt,
    pub margin_outer: Pt,
    /// Width of the text block.
    pub measure: Pt,
    /// Body text size.
    pub size: Pt,
    /// Baseline-to-baseline distance of body text: the grid.
    pub leading: Pt,
    /// Distance from the top of the text block to the first baseline.
    pub topskip: Pt,
    /// Body lines per page.
    pub lines: usize,
    /// Font expansion of justified text (see [`PdfSettings::font_expansion`]).
    pub expansion: f64,
    /// Chapters open on rectos (see [`PdfSettings::chapters_on_recto`]).
    pub chapters_on_recto: bool,
    /// Colours of highlighted code (see [`PdfSettings::code_palette`]).
    pub code_palette: Option<crate::typeset::code_theme::Palette>,
    /// How links' web addresses are printed (see [`PdfSettings::link_urls`]).
    pub link_urls: crate::typeset::LinkUrls,
    /// The book runs right to left: its binding is on the right, so the
    /// margins mirror the other way (a recto's inner margin is its right).
    pub rtl: bool,
}

impl Geometry {
    /// Derives the text block; errors when the page leaves no room for text.
    pub fn new(s: &PdfSettings) -> Result<Geometry, Diagnostic> {
        let measure = s.page_width - s.margin_inner - s.margin_outer;
        let height = s.page_height - s.margin_top - s.margin_bottom;
        // The first baseline sits one body size below the top of the block,
        // so capitals of the first line touch the top margin (TeX's \topskip).
        let topskip = s.font_size;
        if s.font_size.0 <= 0.0 || s.leading.0 <= 0.0 {
            return Err(Diagnostic::error(
                "pdf font size and leading must be positive",
            ));
        }
        if measure < s.font_size * 4.0 || height < topskip {
            return Err(Diagnostic::error(format!(
                "the pdf margins leave no room for text ({:.0}pt × {:.0}pt text block)",
                measure.0, height.0
            ))
            .with_hint("make the page larger or the margins smaller in book.yaml's pdf section"));
        }
        let lines = ((height - topskip) / s.leading + EPS).floor() as usize + 1;
        Ok(Geometry {
            page_width: s.page_width,
            page_height: s.page_height,
            margin_top: s.margin_top,
            margin_inner: s.margin_inner,
            margin_outer: s.margin_outer,
            measure,
            size: s.font_size,
            leading: s.leading,
            topskip,
            lines,
            expansion: s.font_expansion,
            chapters_on_recto: s.chapters_on_recto,
            code_palette: s.code_palette,
            link_urls: s.link_urls,
            rtl: false,
        })
    }

    /// The "baseline before the first line" of a page: where the first
    /// slab's top goes.
    pub fn origin(&self) -> Pt {
        self.margin_top + self.topskip - self.leading
    }

    /// Room for slabs on a page, measured from [`Geometry::origin`].
    pub fn capacity(&self) -> Pt {
        self.leading * self.lines as f64
    }

    /// Baseline of the last grid line of a page.
    pub fn last_baseline(&self) -> Pt {
        self.origin() + self.capacity()
    }

    /// x of the text block's left edge on the page with this index
    /// (index 0 is a recto: its binding side is its left edge, or its
    /// right in a right-to-left book).
    pub fn left(&self, page_index: usize) -> Pt {
        if page_index.is_multiple_of(2) != self.rtl {
            self.margin_inner
        } else {
            self.margin_outer
        }
    }
}

/// Where a link goes, before page numbers are known.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum LinkRef {
    Uri(String),
    /// A heading or footnote id (unique in the book).
    Anchor(String),
    /// The start of a chapter.
    Chapter(usize),
}

/// Index into [`Flow::structure`]: a structure node of one flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct BlockId(pub u32);

/// The structure nodes of one flow (a chapter or the contents), in the
/// order the composer met them: each is a [`StructNode`] whose `parent` is
/// another node of the same flow (as a [`BlockId`]'s number), or `None`
/// for the flow's root (the chapter's Sect, the document for the
/// contents). Parents come before their children.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct FlowStructure {
    pub nodes: Vec<StructNode>,
}

impl FlowStructure {
    /// Adds a node of `kind` under `parent` (`None`: the flow's root).
    pub fn add(&mut self, kind: StructKind, parent: Option<BlockId>) -> BlockId {
        self.push(StructNode::new(
            kind,
            parent.map(|p| crate::typeset::frame::NodeId(p.0)),
        ))
    }

    /// Adds `node`, whose `parent` is a node of this flow or `None`.
    pub fn push(&mut self, node: StructNode) -> BlockId {
        self.nodes.push(node);
        BlockId(self.nodes.len() as u32 - 1)
    }

    pub fn get(&self, id: BlockId) -> Option<&StructNode> {
        self.nodes.get(id.0 as usize)
    }
}

/// Whom the pieces after a [`Piece::Node`] belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Owner {
    /// The slab's own node ([`Slab::node`]).
    Slab,
    Node(BlockId),
    /// Nobody: drawn for the page (leader dots, a repeated column).
    Artifact,
}

/// One thing drawn inside a slab, in slab coordinates.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Piece {
    Item(Item),
    Link {
        rect: Rect,
        target: LinkRef,
    },
    /// The pieces after this one, up to the next such piece, belong to
    /// this owner instead of the slab's node (inline structure: a link's
    /// words, a list label, a table cell).
    Node(Owner),
}

/// A line-level problem noticed while composing, kept with its slab so the
/// report can name the page it landed on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum IssueKind {
    Overfull(Pt),
    Loose(f64),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Issue {
    pub kind: IssueKind,
    pub span: Span,
}

/// What a slab is, for pagination rules, running heads and the report.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Role {
    /// Line `index` of the `count` lines of paragraph-like block `par`.
    Line {
        par: usize,
        index: usize,
        count: usize,
        hyphenated: bool,
    },
    /// A heading; level-1 headings open chapters and name running heads.
    Heading {
        level: u8,
        title: String,
    },
    /// The repeated head of table `table` (top rule, header row, rule).
    TableHead {
        table: usize,
    },
    /// A body row of table `table`.
    TableRow {
        table: usize,
    },
    Other,
}

/// An unbreakable piece of the vertical flow. A chapter's flow holds one
/// per line and the book's pages hold them until the PDF is written (a
/// 3,750-page paragraph has 144,000), so what few slabs have is kept
/// apart, in [`SlabMore`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Slab {
    /// How far the slab advances the flow.
    pub height: Pt,
    pub pieces: Vec<Piece>,
    pub role: Role,
    pub span: Span,
    /// Where the slab's content starts in the book, for the EPUB's page
    /// markers: the start of its block's span and the number of words of
    /// that block's running text before the slab. `None`: the slab starts
    /// its block (`span.start`, word 0) or has no place in the text.
    pub origin: Option<(u32, u32)>,
    /// The structure node of the flow its content belongs to; `None`:
    /// none was given (rules and space are artifacts; text gets a
    /// paragraph of its own).
    pub node: Option<BlockId>,
    /// For a justified line that is not its paragraph's last: the
    /// adjustment ratio of its spaces (see [`crate::typeset::paragraph::Line::ratio`]),
    /// which the layout report compares with its neighbours'.
    pub spacing: Option<f32>,
    /// Ids, note citations and problems, for the slabs that have any.
    more: Option<Box<SlabMore>>,
}

/// What a [`Slab`] seldom has.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct SlabMore {
    /// Ids that land on this slab, with the y a link should show at the top.
    pub anchors: Vec<(String, Pt)>,
    /// Footnotes (indices into [`Flow::notes`]) first cited on this slab.
    pub notes: Vec<usize>,
    pub issues: Vec<Issue>,
}

impl Slab {
    pub fn new(height: Pt, role: Role, span: Span) -> Slab {
        Slab {
            height,
            pieces: Vec::new(),
            role,
            span,
            origin: None,
            node: None,
            spacing: None,
            more: None,
        }
    }

    /// Ids that land on this slab, with the y a link should show at the top.
    pub fn anchors(&self) -> &[(String, Pt)] {
        self.more.as_ref().map_or(&[], |m| &m.anchors)
    }

    /// Footnotes (indices into [`Flow::notes`]) first cited on this slab.
    pub fn notes(&self) -> &[usize] {
        self.more.as_ref().map_or(&[], |m| &m.notes)
    }

    /// Line-level problems noticed while composing.
    pub fn issues(&self) -> &[Issue] {
        self.more.as_ref().map_or(&[], |m| &m.issues)
    }

    /// The anchors, notes and issues, to add to.
    pub fn more_mut(&mut self) -> &mut SlabMore {
        self.more.get_or_insert_with(Box::default)
    }

    /// Takes the anchors, notes and issues out.
    pub fn take_more(&mut self) -> SlabMore {
        self.more.take().map(|m| *m).unwrap_or_default()
    }

    /// An invisible slab that only takes room.
    pub fn space(height: Pt) -> Slab {
        Slab::new(height, Role::Other, Span::default())
    }

    /// Cuts a slab taller than `room` into slabs of at most `room` (a
    /// heading or table row taller than a page), at some of `cuts`: the
    /// slab's line baselines, in order (a line belongs above the cut at its
    /// own baseline, so the next slab's top is the baseline before its
    /// first line, as for any slab). Every piece goes to the slab holding
    /// its baseline (or middle); ids and note citations to the first. The
    /// role of a heading's parts but the last is [`Role::Other`], so a page
    /// may break between them (a table row's parts stay rows, so a page that opens
    /// with one repeats the table's head). A slab that fits is returned as
    /// it is.
    pub fn split_at(mut self, cuts: &[Pt], room: Pt) -> Vec<Slab> {
        if self.height <= room + Pt(EPS) {
            return vec![self];
        }
        // Choose cuts greedily: each slab as tall as fits.
        let mut chosen: Vec<Pt> = Vec::new();
        let mut top = Pt::ZERO;
        let mut k = 0;
        while self.height - top > room + Pt(EPS) {
            let mut best = None;
            while k < cuts.len() && cuts[k] - top <= room + Pt(EPS) {
                if cuts[k] > top + Pt(EPS) {
                    best = Some(cuts[k]);
                }
                k += 1;
            }
            let cut = match best.or_else(|| cuts.get(k).copied()) {
                Some(c) if c > top + Pt(EPS) && c < self.height - Pt(EPS) => c,
                _ => break,
            };
            chosen.push(cut);
            top = cut;
        }
        if chosen.is_empty() {
            return vec![self];
        }
        let mut bounds = vec![Pt(f64::NEG_INFINITY)];
        bounds.extend(chosen.iter().copied());
        bounds.push(Pt(f64::INFINITY));
        let tops: Vec<Pt> = std::iter::once(Pt::ZERO)
            .chain(chosen.iter().copied())
            .collect();
        let n = tops.len();
        let mut out: Vec<Slab> = (0..n)
            .map(|i| {
                let bottom = chosen.get(i).copied().unwrap_or(self.height);
                // A heading keeps what follows on its page: only its last
                // part may, or a page could never break inside it.
                let role = if i + 1 < n && matches!(self.role, Role::Heading { .. }) {
                    Role::Other
                } else {
                    self.role.clone()
                };
                let mut s = Slab::new(bottom - tops[i], role, self.span);
                s.node = self.node;
                if i == 0 {
                    s.origin = self.origin;
                }
                s
            })
            .collect();
        let chunk = |y: Pt| {
            bounds
                .windows(2)
                .position(|w| y > w[0] && y <= w[1])
                .unwrap_or(0)
        };
        // A tag has no place of its own: it goes with what follows it.
        let mut last_y = Pt::ZERO;
        let mut pieces: Vec<(Pt, Piece)> = Vec::with_capacity(self.pieces.len());
        for piece in self.pieces.into_iter().rev() {
            let y = match &piece {
                Piece::Item(Item::Tag(_)) | Piece::Node(_) => last_y,
                Piece::Item(Item::Text(run)) => run.baseline,
                Piece::Item(Item::Rect(r)) => r.y + r.height / 2.0,
                Piece::Item(Item::Image(img)) => img.y + img.height / 2.0,
                Piece::Item(Item::Link(l)) => l.rect.y + l.rect.height / 2.0,
                Piece::Link { rect, .. } => rect.y + rect.height / 2.0,
            };
            last_y = y;
            pieces.push((y, piece));
        }
        // Each part starts with the owner in force where its first piece
        // was: a cell's lines continued below a cut stay the cell's.
        let mut owner = Owner::Slab;
        let mut owners = vec![Owner::Slab; n];
        for (y, mut piece) in pieces.into_iter().rev() {
            let i = chunk(y);
            if let Piece::Node(o) = piece {
                owner = o;
                continue;
            }
            if owners[i] != owner {
                out[i].pieces.push(Piece::Node(owner));
                owners[i] = owner;
            }
            shift_piece(&mut piece, Pt::ZERO, -tops[i]);
            out[i].pieces.push(piece);
        }
        let more = self.more.take().map(|m| *m).unwrap_or_default();
        for (id, y) in more.anchors {
            let i = chunk(y.max(Pt(EPS)));
            out[i].more_mut().anchors.push((id, y - tops[i]));
        }
        if !more.notes.is_empty() || !more.issues.is_empty() {
            let first = out[0].more_mut();
            first.notes = more.notes;
            first.issues = more.issues;
        }
        out
    }
}

/// One element of the vertical flow.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Elem {
    /// Boxed: a chapter's flow holds a slab per line and a space between
    /// most lines, and a space is much smaller than a slab.
    Slab(Box<Slab>),
    /// Vertical space. When `breakable` and it follows a slab, a page may
    /// end here; spaces at the top of a page are dropped.
    Space { height: Pt, breakable: bool },
    /// Advance to the next line of the baseline grid (never a break).
    Snap,
}

impl Elem {
    /// A slab of the flow.
    pub fn slab(slab: Slab) -> Elem {
        Elem::Slab(Box::new(slab))
    }

    /// A legal page break with no space.
    pub fn brk() -> Elem {
        Elem::Space {
            height: Pt::ZERO,
            breakable: true,
        }
    }
}

/// A composed chapter (or the contents): the flow and what hangs off it.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Flow {
    pub elems: Vec<Elem>,
    /// Footnote bodies as note-sized slabs, by index in the chapter.
    pub notes: Vec<Vec<Slab>>,
    /// The head of each table, repeated when a table continues on a new page.
    pub table_heads: Vec<Slab>,
    /// The structure nodes the slabs point at.
    pub structure: FlowStructure,
    /// The Note node of each of [`Flow::notes`], by index.
    pub note_nodes: Vec<Option<BlockId>>,
}

/// Moves a frame item by (dx, dy).
pub(crate) fn shift_item(item: &mut Item, dx: Pt, dy: Pt) {
    match item {
        Item::Text(run) => {
            run.baseline += dy;
            if dx != Pt::ZERO {
                for g in &mut run.glyphs {
                    g.x += dx;
                }
            }
        }
        Item::Rect(r) => {
            r.x += dx;
            r.y += dy;
        }
        Item::Link(l) => {
            l.rect.x += dx;
            l.rect.y += dy;
        }
        Item::Image(img) => {
            img.x += dx;
            img.y += dy;
        }
        Item::Tag(_) => {}
    }
}

/// Moves a piece by (dx, dy).
pub(crate) fn shift_piece(piece: &mut Piece, dx: Pt, dy: Pt) {
    match piece {
        Piece::Item(item) => shift_item(item, dx, dy),
        Piece::Link { rect, .. } => {
            rect.x += dx;
            rect.y += dy;
        }
        Piece::Node(_) => {}
    }
}
