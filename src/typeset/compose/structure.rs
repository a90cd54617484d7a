//! Composition, structure nodes: what the composer records of the
//! book's structure as it sets it (the node new blocks go under, leaf
//! and group nodes, headings, formulas) and how slabs are given to their
//! node, for the PDF's structure tree.

use super::*;

impl Composer<'_> {
    /// Starts a flow of its own (the contents): nodes from here on go to
    /// a fresh structure.
    pub fn begin_flow(&mut self) {
        self.flow = Flow::default();
        self.place = Place::default();
    }

    /// The structure built since [`Composer::begin_flow`].
    pub fn take_structure(&mut self) -> FlowStructure {
        std::mem::take(&mut self.flow.structure)
    }

    /// Adds a node of `kind` to the flow's structure under `parent`.
    pub fn add_node(&mut self, kind: StructKind, parent: Option<BlockId>) -> BlockId {
        self.flow.structure.add(kind, parent)
    }

    /// Node `id` of the flow's structure, to set its properties.
    pub fn structure_mut(&mut self, id: BlockId) -> &mut StructNode {
        let i = id.0 as usize;
        &mut self.flow.structure.nodes[i]
    }

    /// Makes `container` the node new blocks go under (`bare`: it holds
    /// one paragraph whose text is its own); returns what to restore.
    pub(super) fn enter(&mut self, container: Option<BlockId>, bare: bool) -> Place {
        std::mem::replace(
            &mut self.place,
            Place {
                container,
                bare,
                block: container,
            },
        )
    }

    pub(super) fn leave(&mut self, saved: Place) {
        self.place = saved;
    }

    /// A node of `kind` under the current container, which inline nodes
    /// then go under.
    pub(super) fn leaf(&mut self, kind: StructKind) -> BlockId {
        let id = match self.place.container {
            Some(container) if kind == StructKind::P && self.place.bare => container,
            container => self.flow.structure.add(kind, container),
        };
        self.place.block = Some(id);
        id
    }

    /// A container node of `kind` under the current container.
    pub(crate) fn group(&mut self, kind: StructKind) -> BlockId {
        self.flow.structure.add(kind, self.place.container)
    }

    /// An inline node of `kind` inside `outer`'s node, or else the block
    /// being set.
    pub fn inline_node(&mut self, kind: StructKind, outer: &Marking) -> BlockId {
        let parent = outer.node.or(self.place.block).or(self.place.container);
        self.flow.structure.add(kind, parent)
    }

    /// Whether `lang` names a language other than that of the text
    /// around (the book's, or an enclosing division's).
    pub(super) fn other_language(&self, lang: &Option<String>) -> bool {
        let Some(lang) = lang else {
            return false;
        };
        let around = self.lang.as_deref().unwrap_or(&self.book.meta.language);
        !lang.trim().is_empty() && !lang.trim().eq_ignore_ascii_case(around)
    }

    /// A heading node of `level` titled `title`, under the current
    /// container.
    pub(super) fn heading_node(&mut self, level: u8, title: &str) -> BlockId {
        let id = self.leaf(StructKind::Heading(level.clamp(1, 6)));
        self.structure_mut(id).title = Some(normalize(title));
        id
    }

    /// A Formula node for TeX source `tex` (its alt text), under the
    /// current container, for a display formula's slabs to belong to
    /// (whatever draws the formula, its pieces are the Formula's when its
    /// slabs are claimed with it).
    pub(crate) fn formula(&mut self, tex: &str) -> BlockId {
        let id = self.leaf(StructKind::Formula);
        self.structure_mut(id).alt = Some(collapse_ws(tex));
        id
    }
}

/// Gives the slabs from `out[start..]` that belong to no node yet to
/// `node`: what a block set is its own, unless a block inside it claimed
/// it first.
pub(crate) fn claim(out: &mut [Elem], start: usize, node: BlockId) {
    for e in out.iter_mut().skip(start) {
        if let Elem::Slab(slab) = e {
            slab.node.get_or_insert(node);
        }
    }
}

/// [`claim`] for slabs.
pub(crate) fn claim_slabs(slabs: &mut [Slab], node: BlockId) {
    for slab in slabs {
        slab.node.get_or_insert(node);
    }
}
