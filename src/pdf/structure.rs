//! The structure tree of a tagged PDF (ISO 32000-1, 14.7): the frame's
//! [`StructTree`] with the pages' marked content as leaves.
//!
//! The content streams name the node of each marked-content id
//! ([`content`](super::content)); link annotations are known with the
//! node they sit in. Here every node that has content (or a descendant
//! with content) becomes a structure element, with its children in the
//! order their content first appears on the pages, which for a book is
//! the reading order; a link annotation becomes a Link element where it
//! appears, holding the annotation (or, when the node in force is a Link
//! node of the frame, that node holds it). The parent tree maps each page's
//! marked content and each annotation back to its element, as assistive
//! technology needs to go from what is on the page to the structure.

use pdf_writer::types::{StructRole, TableHeaderScope};
use pdf_writer::{Finish, Name, Ref, TextStr};

use super::file::Objects;
use crate::typeset::frame::{NodeId, StructKind, StructTree};

/// A link annotation to hang into the tree.
pub(super) struct TaggedLink {
    pub annot: Ref,
    /// The node the link's text belongs to.
    pub node: NodeId,
    /// Its key in the parent tree (its /StructParent).
    pub key: i32,
}

/// What the pages contribute to the tree.
pub(super) struct PageLeaves {
    pub page: Ref,
    /// The node of each marked-content id, by id.
    pub marks: Vec<NodeId>,
    pub links: Vec<TaggedLink>,
}

/// A child of a structure element.
enum Kid {
    Node(usize),
    /// Marked content `mcid` on page `page` (an index into the leaves).
    Content {
        page: usize,
        mcid: i32,
    },
    /// A Link element holding an annotation.
    Link {
        page: usize,
        annot: Ref,
        id: Ref,
    },
    /// An annotation held by this element itself (a Link node of the frame).
    Annot {
        page: usize,
        annot: Ref,
    },
}

/// The PDF name of a structure kind (the tag of its marked content too).
pub(super) fn role_name(kind: StructKind) -> &'static str {
    match kind {
        StructKind::Document => "Document",
        StructKind::Part => "Part",
        StructKind::Sect => "Sect",
        StructKind::Heading(1) => "H1",
        StructKind::Heading(2) => "H2",
        StructKind::Heading(3) => "H3",
        StructKind::Heading(4) => "H4",
        StructKind::Heading(5) => "H5",
        StructKind::Heading(_) => "H6",
        StructKind::P => "P",
        StructKind::L => "L",
        StructKind::LI => "LI",
        StructKind::Lbl => "Lbl",
        StructKind::LBody => "LBody",
        StructKind::Table => "Table",
        StructKind::TR => "TR",
        StructKind::TH { .. } => "TH",
        StructKind::TD => "TD",
        StructKind::Figure => "Figure",
        StructKind::Caption => "Caption",
        StructKind::Formula => "Formula",
        StructKind::Code => "Code",
        StructKind::BlockQuote => "BlockQuote",
        StructKind::Note => "Note",
        StructKind::Link => "Link",
        StructKind::TOC => "TOC",
        StructKind::TOCI => "TOCI",
        StructKind::Span => "Span",
    }
}

fn role(kind: StructKind) -> StructRole {
    match kind {
        StructKind::Document => StructRole::Document,
        StructKind::Part => StructRole::Part,
        StructKind::Sect => StructRole::Sect,
        StructKind::Heading(1) => StructRole::H1,
        StructKind::Heading(2) => StructRole::H2,
        StructKind::Heading(3) => StructRole::H3,
        StructKind::Heading(4) => StructRole::H4,
        StructKind::Heading(5) => StructRole::H5,
        StructKind::Heading(_) => StructRole::H6,
        StructKind::P => StructRole::P,
        StructKind::L => StructRole::L,
        StructKind::LI => StructRole::LI,
        StructKind::Lbl => StructRole::Lbl,
        StructKind::LBody => StructRole::LBody,
        StructKind::Table => StructRole::Table,
        StructKind::TR => StructRole::TR,
        StructKind::TH { .. } => StructRole::TH,
        StructKind::TD => StructRole::TD,
        StructKind::Figure => StructRole::Figure,
        StructKind::Caption => StructRole::Caption,
        StructKind::Formula => StructRole::Formula,
        StructKind::Code => StructRole::Code,
        StructKind::BlockQuote => StructRole::BlockQuote,
        StructKind::Note => StructRole::Note,
        StructKind::Link => StructRole::Link,
        StructKind::TOC => StructRole::TOC,
        StructKind::TOCI => StructRole::TOCI,
        StructKind::Span => StructRole::Span,
    }
}

/// Writes the structure elements and the StructTreeRoot; returns the
/// root's id. Page `i` has /StructParents `i`.
pub(super) fn write_tree(objects: &mut Objects, tree: &StructTree, leaves: &[PageLeaves]) -> Ref {
    let n = tree.nodes.len().max(1);
    let parent_of = |i: usize| -> usize {
        tree.nodes
            .get(i)
            .and_then(|node| node.parent)
            .map(|p| p.0 as usize)
            .filter(|&p| p < i)
            .unwrap_or(0)
    };
    let mut kids: Vec<Vec<Kid>> = (0..n).map(|_| Vec::new()).collect();
    let mut attached = vec![false; n];
    attached[0] = true;
    // Hangs node `i` (and its unattached ancestors) into the tree.
    let attach = |i: usize, kids: &mut Vec<Vec<Kid>>, attached: &mut Vec<bool>| {
        let mut chain = Vec::new();
        let mut at = i;
        while !attached[at] {
            chain.push(at);
            at = parent_of(at);
        }
        for &node in chain.iter().rev() {
            kids[parent_of(node)].push(Kid::Node(node));
            attached[node] = true;
        }
    };
    let valid = |node: NodeId| (node.0 as usize) < n;
    for (page, leaf) in leaves.iter().enumerate() {
        for (mcid, &node) in leaf.marks.iter().enumerate() {
            let node = if valid(node) { node.0 as usize } else { 0 };
            attach(node, &mut kids, &mut attached);
            kids[node].push(Kid::Content {
                page,
                mcid: mcid as i32,
            });
        }
        for link in &leaf.links {
            let node = if valid(link.node) {
                link.node.0 as usize
            } else {
                0
            };
            attach(node, &mut kids, &mut attached);
            let is_link = tree.nodes.get(node).map(|n| n.kind) == Some(StructKind::Link);
            if is_link {
                kids[node].push(Kid::Annot {
                    page,
                    annot: link.annot,
                });
            } else {
                let id = objects.alloc();
                kids[node].push(Kid::Link {
                    page,
                    annot: link.annot,
                    id,
                });
            }
        }
    }

    let root_id = objects.alloc();
    let ids: Vec<Option<Ref>> = attached
        .iter()
        .map(|&a| a.then(|| objects.alloc()))
        .collect();
    for (i, node_kids) in kids.iter().enumerate() {
        let Some(id) = ids[i] else { continue };
        let parent = if i == 0 {
            root_id
        } else {
            ids[parent_of(i)].unwrap_or(root_id)
        };
        let kind = tree.nodes.get(i).map_or(StructKind::Document, |n| n.kind);
        // The page of the first content: content there is written as a
        // bare MCID, elsewhere with its page.
        let home = node_kids.iter().find_map(|k| match k {
            Kid::Content { page, .. } => Some(*page),
            _ => None,
        });
        let mut elem = objects.small(id).struct_element(id);
        elem.kind(role(kind)).parent(parent);
        if let Some(page) = home {
            elem.page(leaves[page].page);
        }
        if let Some(node) = tree.nodes.get(i) {
            if let Some(alt) = &node.alt {
                elem.alt(TextStr(alt));
            }
            if let Some(lang) = &node.lang {
                elem.lang(TextStr(lang));
            }
            // Titles name the groups a reader navigates by; a heading's
            // text is its content already.
            if let (Some(title), StructKind::Document | StructKind::Part | StructKind::Sect) =
                (&node.title, kind)
            {
                elem.title(TextStr(title));
            }
        }
        if let StructKind::TH { row } = kind {
            elem.attributes().push().table().scope(if row {
                TableHeaderScope::Row
            } else {
                TableHeaderScope::Column
            });
        }
        // A lone kid is written bare (the common P of one marked-content
        // sequence: `/K 3`), which is shorter and what simple readers expect.
        match node_kids.as_slice() {
            [Kid::Content { page, mcid }] if Some(*page) == home => {
                elem.pair(Name(b"K"), *mcid);
            }
            [Kid::Node(k)] if ids[*k].is_some() => {
                elem.pair(Name(b"K"), ids[*k].unwrap_or(root_id));
            }
            [Kid::Link { id, .. }] => {
                elem.pair(Name(b"K"), *id);
            }
            _ => {
                let mut children = elem.children();
                for kid in node_kids {
                    match *kid {
                        Kid::Node(k) => {
                            if let Some(child) = ids[k] {
                                children.struct_element(child);
                            }
                        }
                        Kid::Content { page, mcid } if Some(page) == home => {
                            children.marked_content_id(mcid);
                        }
                        Kid::Content { page, mcid } => {
                            children
                                .marked_content_ref()
                                .page(leaves[page].page)
                                .marked_content_id(mcid);
                        }
                        Kid::Link { id, .. } => {
                            children.struct_element(id);
                        }
                        Kid::Annot { page, annot } => {
                            children.object_ref().object(annot).page(leaves[page].page);
                        }
                    }
                }
            }
        }
        elem.finish();
        for kid in node_kids {
            if let Kid::Link {
                page,
                annot,
                id: link,
            } = *kid
            {
                let mut elem = objects.small(link).struct_element(link);
                elem.kind(StructRole::Link).parent(id);
                elem.object_child().object(annot).page(leaves[page].page);
                elem.finish();
            }
        }
    }

    // The parent tree: each page's MCIDs and each annotation → element.
    let mut by_annot = std::collections::BTreeMap::new();
    for (node, node_kids) in kids.iter().enumerate() {
        for kid in node_kids {
            match kid {
                Kid::Link { annot, id, .. } => {
                    by_annot.insert(*annot, *id);
                }
                Kid::Annot { annot, .. } => {
                    if let Some(id) = ids[node] {
                        by_annot.insert(*annot, id);
                    }
                }
                _ => {}
            }
        }
    }
    let mut next_key = leaves.len() as i32;
    let mut root = objects.small(root_id).indirect(root_id).dict();
    root.pair(Name(b"Type"), Name(b"StructTreeRoot"));
    if let Some(doc) = ids[0] {
        root.pair(Name(b"K"), doc);
    }
    let mut parent_tree = root.insert(Name(b"ParentTree")).dict();
    let mut nums = parent_tree.insert(Name(b"Nums")).array();
    for (page, leaf) in leaves.iter().enumerate() {
        nums.item(page as i32);
        let mut refs = nums.push().array();
        for node in &leaf.marks {
            let node = if valid(*node) { node.0 as usize } else { 0 };
            if let Some(id) = ids[node] {
                refs.item(id);
            }
        }
        refs.finish();
    }
    for leaf in leaves {
        for link in &leaf.links {
            if let Some(id) = by_annot.get(&link.annot) {
                nums.item(link.key);
                nums.item(*id);
                next_key = next_key.max(link.key + 1);
            }
        }
    }
    nums.finish();
    parent_tree.finish();
    root.pair(Name(b"ParentTreeNextKey"), next_key);
    root.finish();
    root_id
}
