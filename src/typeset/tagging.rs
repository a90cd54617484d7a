//! Logical structure of the assembled pages: the frame's [`StructTree`]
//! from the structure the composer recorded with each flow.
//!
//! Part of assembly. The composer gives each flow (a chapter, the
//! contents) a [`FlowStructure`] mirroring the model's blocks, and each
//! slab and piece the node its content belongs to (see
//! [`flow`](super::flow)). As pages are assembled in order, this module
//! turns a flow's nodes into the frame's, each when its first content is
//! placed (so the tree is in reading order and holds only what is on the
//! pages): a Sect per chapter (titled) holding the chapter's nodes, the
//! contents as its H1 and a TOC. Two things are placed by rule rather
//! than by where their content is drawn: a note's Note follows the block
//! that cites it (its text is at the foot of the page), and a table row
//! brings all its cells (an empty one keeps the columns in place), a list
//! item its label and body in that order.
//! Running heads, folios, rules and repeated table heads are artifacts;
//! text of a slab that names no node (the title page) is a P of its own.

use crate::typeset::flow::{BlockId, FlowStructure, Owner};
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

/// A flow's structure and the Note node of each of its notes.
#[derive(Debug, Clone, Default)]
pub(crate) struct FlowNodes {
    pub structure: FlowStructure,
    pub notes: Vec<Option<BlockId>>,
}

/// Which flow's nodes are being placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Current {
    None,
    Contents,
    Chapter(usize),
}

/// Builds the structure tree while pages are assembled in order.
#[derive(Debug)]
pub(crate) struct Tagger {
    tree: StructTree,
    chapters: Vec<FlowNodes>,
    contents: FlowNodes,
    current: Current,
    /// The frame's node of the current flow's root.
    root: NodeId,
    /// The frame's node of each of the current flow's nodes, once placed.
    map: Vec<Option<NodeId>>,
}

impl Tagger {
    /// A tagger for a book whose chapters' flows had `chapters` and whose
    /// contents had `contents`.
    pub fn new(chapters: Vec<FlowNodes>, contents: FlowNodes) -> Tagger {
        Tagger {
            tree: StructTree::new(),
            chapters,
            contents,
            current: Current::None,
            root: StructTree::ROOT,
            map: Vec::new(),
        }
    }

    /// The finished tree.
    pub fn finish(self) -> StructTree {
        self.tree
    }

    /// Starts a page: a chapter's first page opens its Sect (titled
    /// `title`).
    pub fn page(&mut self, page: PageRole, title: &dyn Fn() -> String) {
        let want = match page {
            PageRole::Chapter(c) => Current::Chapter(c),
            PageRole::Contents => Current::Contents,
            PageRole::Front | PageRole::Blank => Current::None,
        };
        if want == self.current {
            return;
        }
        self.current = want;
        self.root = match want {
            Current::Chapter(_) => {
                let mut sect = StructNode::new(StructKind::Sect, Some(StructTree::ROOT));
                sect.title = Some(title());
                self.tree.push(sect)
            }
            Current::Contents | Current::None => StructTree::ROOT,
        };
        let len = self.flow().map_or(0, |f| f.structure.nodes.len());
        self.map.clear();
        self.map.resize(len, None);
    }

    fn flow(&self) -> Option<&FlowNodes> {
        match self.current {
            Current::Chapter(c) => self.chapters.get(c),
            Current::Contents => Some(&self.contents),
            Current::None => None,
        }
    }

    /// The tag of a slab's content: its node's, an artifact for a
    /// repeated table head, a P of its own when it names no node.
    pub fn slab(&mut self, place: SlabPlace, node: Option<BlockId>) -> Tag {
        if place == SlabPlace::Repeated {
            return Tag::Artifact(ArtifactKind::Pagination);
        }
        match node.and_then(|n| self.node(n)) {
            Some(id) => Tag::Node(id),
            None => Tag::Node(self.tree.add(StructKind::P, self.root)),
        }
    }

    /// The tag of the pieces after a [`Piece::Node`](super::flow::Piece)
    /// of a slab tagged `slab`.
    pub fn owner(&mut self, owner: Owner, slab: Tag) -> Tag {
        match (slab, owner) {
            // A repeated head is all artifact.
            (Tag::Artifact(ArtifactKind::Pagination), _) | (_, Owner::Slab) => slab,
            (_, Owner::Artifact) => Tag::Artifact(ArtifactKind::Layout),
            (_, Owner::Node(n)) => self.node(n).map_or(slab, Tag::Node),
        }
    }

    /// The frame's node of the current flow's node `local`, added (with
    /// its ancestors) when first needed; a table row adds all its cells,
    /// a list item its label and body.
    fn node(&mut self, local: BlockId) -> Option<NodeId> {
        let i = local.0 as usize;
        if let Some(&Some(id)) = self.map.get(i) {
            return Some(id);
        }
        let node = self.flow()?.structure.get(local)?;
        let parent_local = node.parent.map(|p| BlockId(p.0));
        let parent = match parent_local {
            Some(p) if p < local => self.node(p).unwrap_or(self.root),
            _ => self.root,
        };
        // Adding the parent may have added this node (a row's cells).
        if let Some(&Some(id)) = self.map.get(i) {
            return Some(id);
        }
        Some(self.place(local, parent))
    }

    /// Adds the frame's node for `local` under `parent`.
    fn place(&mut self, local: BlockId, parent: NodeId) -> NodeId {
        let i = local.0 as usize;
        let (mut copy, cells) = {
            let Some(structure) = self.flow().map(|f| &f.structure) else {
                return parent;
            };
            let Some(node) = structure.get(local) else {
                return parent;
            };
            // A row's cells, and a list item's label and body, follow it in
            // the flow's structure: they come in that order.
            let cells: Vec<BlockId> = if matches!(node.kind, StructKind::TR | StructKind::LI) {
                (i + 1..structure.nodes.len())
                    .take_while(|&j| structure.nodes[j].parent == Some(NodeId(local.0)))
                    .map(|j| BlockId(j as u32))
                    .collect()
            } else {
                Vec::new()
            };
            (node.clone(), cells)
        };
        copy.parent = Some(parent);
        let id = self.tree.push(copy);
        if let Some(slot) = self.map.get_mut(i) {
            *slot = Some(id);
        }
        for cell in cells {
            self.place(cell, id);
        }
        id
    }

    /// Places the Notes of `notes` (indices into the flow's notes) first
    /// cited by a slab tagged `at`, right after the citing block (inside
    /// it when it is a cell, list body or note holding its text itself),
    /// unless placed already.
    pub fn cite(&mut self, notes: &[usize], at: Tag) {
        let Tag::Node(at) = at else {
            return;
        };
        for &k in notes {
            let Some(local) = self.flow().and_then(|f| f.notes.get(k).copied().flatten()) else {
                continue;
            };
            if self.map.get(local.0 as usize).is_some_and(Option::is_some) {
                continue;
            }
            let parent = self.note_host(at);
            self.place(local, parent);
        }
    }

    /// Where a Note cited by node `at` goes: `at` itself when it may hold
    /// it, else the nearest ancestor that may (the Note then follows the
    /// child it is cited from).
    fn note_host(&self, at: NodeId) -> NodeId {
        let mut node = at;
        loop {
            let Some(n) = self.tree.get(node) else {
                return self.root;
            };
            if holds_notes(n.kind) {
                return node;
            }
            match n.parent {
                Some(p) => node = p,
                None => return self.root,
            }
        }
    }

    /// A Figure for an inline image with alt text `alt`, inside the node
    /// of `tag` (its paragraph, a link).
    pub fn figure(&mut self, tag: Tag, alt: &str) -> Tag {
        let parent = match tag {
            Tag::Node(id) => id,
            Tag::Artifact(_) => self.root,
        };
        let mut node = StructNode::new(StructKind::Figure, Some(parent));
        node.alt = Some(alt.to_string());
        Tag::Node(self.tree.push(node))
    }

    /// The kind of the frame's node `id`.
    pub fn kind(&self, id: NodeId) -> Option<StructKind> {
        self.tree.get(id).map(|n| n.kind)
    }
}

/// Whether a node of `kind` may have a Note among its children: grouping
/// and block containers may, and so may cells and list bodies (a Note is
/// an inline element); a paragraph or heading is followed by it instead,
/// and tables, rows, lists and items hold only their parts.
fn holds_notes(kind: StructKind) -> bool {
    matches!(
        kind,
        StructKind::Document
            | StructKind::Part
            | StructKind::Sect
            | StructKind::Div
            | StructKind::BlockQuote
            | StructKind::Note
            | StructKind::LBody
            | StructKind::TD
            | StructKind::TH { .. }
    )
}
