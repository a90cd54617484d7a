//! Logical structure from the assembled pages: which structure node each
//! slab's items belong to.
//!
//! Part of assembly. The composer already says what a slab is (a line of
//! paragraph `par`, a heading, a table row: [`Role`]); this module turns
//! that into the [`StructTree`] of the frame and the [`Tag`] marks in each
//! page's items: a Sect per chapter, headings, paragraphs (lines of the
//! same paragraph share one P across pages), notes, tables (one row a TR
//! with a single cell until the composer reports cells), figures with
//! their alt text, and the contents as TOC / TOCI. Running heads, folios,
//! rules and repeated table heads are artifacts.

use crate::typeset::flow::{Piece, Role};
use crate::typeset::frame::{ArtifactKind, NodeId, StructKind, StructNode, StructTree, Tag};

/// What a page is, as far as structure goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PageRole {
    /// Title page and its verso: loose paragraphs under the root.
    Front,
    Contents,
    Chapter(usize),
    Blank,
}

/// Where a slab sits on its page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SlabPlace {
    Body,
    Note,
    /// A table head repeated on a continuation page.
    Repeated,
}

/// Builds the structure tree while pages are assembled in order.
#[derive(Debug)]
pub(crate) struct Tagger {
    tree: StructTree,
    /// The chapter whose Sect is open.
    sect: Option<(usize, NodeId)>,
    toc: Option<NodeId>,
    /// The block the previous slab's text belonged to, so the lines of a
    /// paragraph (or the slabs of a table or contents entry) share a node.
    open: Option<(BlockKey, NodeId)>,
    /// The open table, by (chapter, table index).
    table: Option<((usize, usize), NodeId)>,
}

/// Identifies the block a slab belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum BlockKey {
    Par {
        chapter: usize,
        note: bool,
        par: usize,
    },
    /// A contents entry, by the target of its link.
    TocEntry(String),
}

impl Default for Tagger {
    fn default() -> Tagger {
        Tagger {
            tree: StructTree::new(),
            sect: None,
            toc: None,
            open: None,
            table: None,
        }
    }
}

impl Tagger {
    /// The finished tree.
    pub fn finish(self) -> StructTree {
        self.tree
    }

    /// The node under which a page's blocks go, opening a chapter's Sect
    /// (titled `title`) or the contents' TOC when the page starts one.
    fn container(&mut self, page: PageRole, title: &dyn Fn() -> String) -> NodeId {
        match page {
            PageRole::Front | PageRole::Blank => StructTree::ROOT,
            PageRole::Contents => *self
                .toc
                .get_or_insert_with(|| self.tree.add(StructKind::TOC, StructTree::ROOT)),
            PageRole::Chapter(chapter) => match self.sect {
                Some((c, id)) if c == chapter => id,
                _ => {
                    let mut node = StructNode::new(StructKind::Sect, Some(StructTree::ROOT));
                    node.title = Some(title());
                    let id = self.tree.push(node);
                    self.sect = Some((chapter, id));
                    self.open = None;
                    self.table = None;
                    id
                }
            },
        }
    }

    /// The tag of a slab's text (and links), creating its node when the
    /// slab starts a block. `title` names a chapter's Sect.
    pub fn slab(
        &mut self,
        page: PageRole,
        place: SlabPlace,
        role: &Role,
        pieces: &[Piece],
        title: &dyn Fn() -> String,
    ) -> Tag {
        if place == SlabPlace::Repeated {
            return Tag::Artifact(ArtifactKind::Pagination);
        }
        let parent = self.container(page, title);
        let chapter = match page {
            PageRole::Chapter(c) => c,
            _ => usize::MAX,
        };
        match role {
            Role::Heading { level, title } => {
                self.open = None;
                // The contents' own title sits before its TOC, not in it.
                let parent = if page == PageRole::Contents {
                    StructTree::ROOT
                } else {
                    parent
                };
                let mut node =
                    StructNode::new(StructKind::Heading((*level).clamp(1, 6)), Some(parent));
                node.title = Some(title.clone());
                Tag::Node(self.tree.push(node))
            }
            Role::Line { par, .. } => {
                let key = BlockKey::Par {
                    chapter,
                    note: place == SlabPlace::Note,
                    par: *par,
                };
                let kind = if place == SlabPlace::Note {
                    StructKind::Note
                } else {
                    StructKind::P
                };
                Tag::Node(self.block(key, kind, parent))
            }
            Role::TableHead { table } | Role::TableRow { table } => {
                self.open = None;
                let key = (chapter, *table);
                let table_node = match self.table {
                    Some((k, id)) if k == key => id,
                    _ => {
                        let id = self.tree.add(StructKind::Table, parent);
                        self.table = Some((key, id));
                        id
                    }
                };
                let row = self.tree.add(StructKind::TR, table_node);
                let cell = if matches!(role, Role::TableHead { .. }) {
                    StructKind::TH { row: false }
                } else {
                    StructKind::TD
                };
                Tag::Node(self.tree.add(cell, row))
            }
            Role::Other if page == PageRole::Contents => {
                let target = pieces.iter().find_map(|p| match p {
                    Piece::Link { target, .. } => Some(format!("{target:?}")),
                    _ => None,
                });
                match target {
                    Some(t) => {
                        Tag::Node(self.block(BlockKey::TocEntry(t), StructKind::TOCI, parent))
                    }
                    None => {
                        self.open = None;
                        Tag::Node(self.tree.add(StructKind::TOCI, parent))
                    }
                }
            }
            Role::Other => {
                self.open = None;
                Tag::Node(self.tree.add(StructKind::P, parent))
            }
        }
    }

    /// The node of block `key`: the open one if the previous slab had the
    /// same key, else a new node of `kind` under `parent`.
    fn block(&mut self, key: BlockKey, kind: StructKind, parent: NodeId) -> NodeId {
        match &self.open {
            Some((k, id)) if *k == key => *id,
            _ => {
                let id = self.tree.add(kind, parent);
                self.open = Some((key, id));
                id
            }
        }
    }

    /// A Figure for an image placed in a slab tagged `slab`, inside the
    /// slab's node (an inline image sits in its paragraph; a figure's slab
    /// gets a P of its own that holds it).
    pub fn figure(&mut self, slab: Tag, alt: &str) -> Tag {
        let parent = match slab {
            Tag::Node(id) => id,
            Tag::Artifact(_) => StructTree::ROOT,
        };
        let mut node = StructNode::new(StructKind::Figure, Some(parent));
        node.alt = Some(alt.to_string());
        Tag::Node(self.tree.push(node))
    }
}
