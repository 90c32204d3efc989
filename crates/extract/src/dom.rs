//! A small, forgiving HTML parser: a tokenizer and a simplified tree builder that fill an arena.
//!
//! It is not the WHATWG algorithm: it keeps what article extraction needs (elements, the
//! attributes we read, text with character references decoded, the document title, JSON-LD
//! blocks) and applies the handful of implied-end-tag rules that matter for real pages (`<p>`,
//! `<li>`, table cells, headings). Scripts, styles, SVG, templates and `<noscript>` never
//! enter the tree. Nesting is capped at [`MAX_DEPTH`]: deeper elements are attached flat, so
//! a page nested 100,000 deep costs linear time and no recursion. Every walk over the arena
//! elsewhere in the crate is iterative.

use crate::entities;
use std::borrow::Cow;

/// "No node" in the arena links.
pub(crate) const NONE: u32 = u32::MAX;
/// Deepest element nesting kept; elements below this are attached to the deepest open one.
pub(crate) const MAX_DEPTH: usize = 256;
/// High bit of a text range start: the text lives in the decoded buffer, not in the source.
const DECODED: u32 = 1 << 31;

/// Element kinds the extractor distinguishes; everything else is [`Tag::Other`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[allow(missing_docs)]
pub(crate) enum Tag {
    Document,
    Text,
    Other,
    A,
    Abbr,
    Address,
    Article,
    Aside,
    Audio,
    B,
    Blockquote,
    Br,
    Button,
    Canvas,
    Caption,
    Center,
    Cite,
    Code,
    Dd,
    Details,
    Dialog,
    Div,
    Dl,
    Dt,
    Em,
    Embed,
    Fieldset,
    Figcaption,
    Figure,
    Font,
    Footer,
    Form,
    H1,
    H2,
    H3,
    H4,
    H5,
    H6,
    Header,
    Hr,
    I,
    Iframe,
    Img,
    Input,
    Label,
    Li,
    Link,
    Main,
    Mark,
    Menu,
    Meta,
    Nav,
    Object,
    Ol,
    Option,
    P,
    Picture,
    Pre,
    Q,
    S,
    Section,
    Select,
    Small,
    Source,
    Span,
    Strong,
    Sub,
    Summary,
    Sup,
    Table,
    Tbody,
    Td,
    Tfoot,
    Th,
    Thead,
    Time,
    Tr,
    U,
    Ul,
    Video,
    Wbr,
    // Never in the tree, only seen by the tokenizer.
    Html,
    Head,
    Body,
    Script,
    Style,
    Title,
    Textarea,
    Noscript,
    Svg,
    Math,
    Template,
    Xmp,
    Noembed,
    Noframes,
    Base,
    Area,
    Col,
    Param,
    Track,
}

impl Tag {
    fn from_name(name: &[u8]) -> Tag {
        let Some(k) = pack(name) else {
            return Tag::Other;
        };
        match TAG_KEYS.binary_search(&k) {
            Ok(i) => TAGS[i].1,
            Err(_) => Tag::Other,
        }
    }

    fn is_void(self) -> bool {
        matches!(
            self,
            Tag::Br
                | Tag::Hr
                | Tag::Img
                | Tag::Input
                | Tag::Link
                | Tag::Meta
                | Tag::Source
                | Tag::Wbr
                | Tag::Embed
                | Tag::Base
                | Tag::Area
                | Tag::Col
                | Tag::Param
                | Tag::Track
        )
    }

    /// Phrasing (inline) content: does not break a paragraph when rendered.
    pub(crate) fn is_inline(self) -> bool {
        matches!(
            self,
            Tag::Text
                | Tag::A
                | Tag::Abbr
                | Tag::B
                | Tag::Cite
                | Tag::Code
                | Tag::Em
                | Tag::Font
                | Tag::I
                | Tag::Label
                | Tag::Mark
                | Tag::Q
                | Tag::S
                | Tag::Small
                | Tag::Span
                | Tag::Strong
                | Tag::Sub
                | Tag::Sup
                | Tag::Time
                | Tag::U
                | Tag::Wbr
                | Tag::Img
                | Tag::Br
                | Tag::Other
                | Tag::Input
                | Tag::Button
                | Tag::Picture
                | Tag::Source
        )
    }

    pub(crate) fn is_heading(self) -> bool {
        matches!(self, Tag::H1 | Tag::H2 | Tag::H3 | Tag::H4 | Tag::H5 | Tag::H6)
    }

    /// Start tags that close an open `<p>`.
    fn closes_p(self) -> bool {
        matches!(
            self,
            Tag::Address
                | Tag::Article
                | Tag::Aside
                | Tag::Blockquote
                | Tag::Center
                | Tag::Details
                | Tag::Dialog
                | Tag::Div
                | Tag::Dl
                | Tag::Fieldset
                | Tag::Figcaption
                | Tag::Figure
                | Tag::Footer
                | Tag::Form
                | Tag::H1
                | Tag::H2
                | Tag::H3
                | Tag::H4
                | Tag::H5
                | Tag::H6
                | Tag::Header
                | Tag::Hr
                | Tag::Main
                | Tag::Menu
                | Tag::Nav
                | Tag::Ol
                | Tag::P
                | Tag::Pre
                | Tag::Section
                | Tag::Summary
                | Tag::Table
                | Tag::Ul
                | Tag::Li
                | Tag::Dd
                | Tag::Dt
        )
    }

    /// Elements whose content the tokenizer reads as raw text up to the matching end tag.
    fn is_raw(self) -> bool {
        matches!(
            self,
            Tag::Script
                | Tag::Style
                | Tag::Title
                | Tag::Textarea
                | Tag::Noscript
                | Tag::Svg
                | Tag::Math
                | Tag::Template
                | Tag::Xmp
                | Tag::Noembed
                | Tag::Noframes
                | Tag::Iframe
        )
    }

    fn is_table_boundary(self) -> bool {
        matches!(self, Tag::Table | Tag::Td | Tag::Th | Tag::Caption)
    }
}

/// [`TAGS`]' packed keys, in the same order: a name is looked up by comparing integers.
static TAG_KEYS: [u128; TAGS.len()] = packed_keys(TAGS);

/// Known element names, sorted by their packed key (see [`pack`]).
const TAGS: &[(&[u8], Tag)] = &[
    (b"a", Tag::A),
    (b"b", Tag::B),
    (b"i", Tag::I),
    (b"p", Tag::P),
    (b"q", Tag::Q),
    (b"s", Tag::S),
    (b"u", Tag::U),
    (b"h1", Tag::H1),
    (b"h2", Tag::H2),
    (b"h3", Tag::H3),
    (b"h4", Tag::H4),
    (b"h5", Tag::H5),
    (b"h6", Tag::H6),
    (b"dd", Tag::Dd),
    (b"td", Tag::Td),
    (b"th", Tag::Th),
    (b"li", Tag::Li),
    (b"dl", Tag::Dl),
    (b"ol", Tag::Ol),
    (b"ul", Tag::Ul),
    (b"em", Tag::Em),
    (b"br", Tag::Br),
    (b"hr", Tag::Hr),
    (b"tr", Tag::Tr),
    (b"dt", Tag::Dt),
    (b"sub", Tag::Sub),
    (b"pre", Tag::Pre),
    (b"img", Tag::Img),
    (b"svg", Tag::Svg),
    (b"col", Tag::Col),
    (b"xmp", Tag::Xmp),
    (b"sup", Tag::Sup),
    (b"wbr", Tag::Wbr),
    (b"nav", Tag::Nav),
    (b"div", Tag::Div),
    (b"area", Tag::Area),
    (b"meta", Tag::Meta),
    (b"head", Tag::Head),
    (b"code", Tag::Code),
    (b"time", Tag::Time),
    (b"base", Tag::Base),
    (b"cite", Tag::Cite),
    (b"math", Tag::Math),
    (b"link", Tag::Link),
    (b"mark", Tag::Mark),
    (b"html", Tag::Html),
    (b"form", Tag::Form),
    (b"span", Tag::Span),
    (b"main", Tag::Main),
    (b"abbr", Tag::Abbr),
    (b"font", Tag::Font),
    (b"menu", Tag::Menu),
    (b"body", Tag::Body),
    (b"thead", Tag::Thead),
    (b"embed", Tag::Embed),
    (b"aside", Tag::Aside),
    (b"table", Tag::Table),
    (b"title", Tag::Title),
    (b"style", Tag::Style),
    (b"track", Tag::Track),
    (b"label", Tag::Label),
    (b"small", Tag::Small),
    (b"param", Tag::Param),
    (b"video", Tag::Video),
    (b"audio", Tag::Audio),
    (b"tfoot", Tag::Tfoot),
    (b"input", Tag::Input),
    (b"tbody", Tag::Tbody),
    (b"source", Tag::Source),
    (b"iframe", Tag::Iframe),
    (b"figure", Tag::Figure),
    (b"strong", Tag::Strong),
    (b"dialog", Tag::Dialog),
    (b"option", Tag::Option),
    (b"button", Tag::Button),
    (b"header", Tag::Header),
    (b"center", Tag::Center),
    (b"footer", Tag::Footer),
    (b"canvas", Tag::Canvas),
    (b"object", Tag::Object),
    (b"select", Tag::Select),
    (b"script", Tag::Script),
    (b"noembed", Tag::Noembed),
    (b"article", Tag::Article),
    (b"picture", Tag::Picture),
    (b"section", Tag::Section),
    (b"caption", Tag::Caption),
    (b"details", Tag::Details),
    (b"address", Tag::Address),
    (b"summary", Tag::Summary),
    (b"textarea", Tag::Textarea),
    (b"template", Tag::Template),
    (b"noframes", Tag::Noframes),
    (b"fieldset", Tag::Fieldset),
    (b"noscript", Tag::Noscript),
    (b"blockquote", Tag::Blockquote),
    (b"figcaption", Tag::Figcaption),
];

/// [`ATTRS`]' packed keys, in the same order.
static ATTR_KEYS: [u128; ATTRS.len()] = packed_keys(ATTRS);

/// Attribute names read by the extractor, sorted by packed key.
const ATTRS: &[(&[u8], AttrKind)] = &[
    (b"id", AttrKind::Id),
    (b"rel", AttrKind::Rel),
    (b"role", AttrKind::Role),
    (b"name", AttrKind::Name),
    (b"type", AttrKind::Type),
    (b"href", AttrKind::Href),
    (b"lang", AttrKind::Lang),
    (b"style", AttrKind::Style),
    (b"value", AttrKind::Value),
    (b"class", AttrKind::Class),
    (b"hidden", AttrKind::Hidden),
    (b"charset", AttrKind::Charset),
    (b"content", AttrKind::Content),
    (b"datetime", AttrKind::Datetime),
    (b"itemtype", AttrKind::Itemtype),
    (b"itemprop", AttrKind::Itemprop),
    (b"property", AttrKind::Property),
    (b"http-equiv", AttrKind::HttpEquiv),
    (b"data-testid", AttrKind::DataTestid),
    (b"aria-hidden", AttrKind::AriaHidden),
];

/// A name of up to 16 bytes, lowercased and packed little-endian into an integer, for cheap
/// lookups; `None` for longer names.
fn pack(name: &[u8]) -> Option<u128> {
    if name.len() > 16 {
        return None;
    }
    let mut buf = [0u8; 16];
    for (d, s) in buf.iter_mut().zip(name) {
        *d = s.to_ascii_lowercase();
    }
    Some(u128::from_le_bytes(buf))
}

/// [`pack`] for the (already lowercase) table names, at compile time.
const fn pack_const(name: &[u8]) -> u128 {
    let mut buf = [0u8; 16];
    let mut i = 0;
    while i < name.len() && i < buf.len() {
        buf[i] = name[i];
        i += 1;
    }
    u128::from_le_bytes(buf)
}

/// The packed keys of a name table, in its order.
const fn packed_keys<T, const N: usize>(table: &[(&[u8], T)]) -> [u128; N] {
    let mut keys = [0u128; N];
    let mut i = 0;
    while i < N {
        keys[i] = pack_const(table[i].0);
        i += 1;
    }
    keys
}

/// The attributes the extractor reads; all others are skipped by the tokenizer.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[allow(missing_docs)]
pub(crate) enum AttrKind {
    Class,
    Id,
    Itemprop,
    Property,
    Name,
    Content,
    /// `value`: some saved pages (DOM round-trips such as Mercury's) keep `<meta>` content here.
    Value,
    Rel,
    Href,
    Datetime,
    Type,
    Charset,
    HttpEquiv,
    Lang,
    Role,
    Style,
    Hidden,
    AriaHidden,
    Itemtype,
    DataTestid,
}

impl AttrKind {
    fn from_name(name: &[u8]) -> Option<AttrKind> {
        let k = pack(name)?;
        ATTR_KEYS.binary_search(&k).ok().map(|i| ATTRS[i].1)
    }
}

#[derive(Clone, Copy, Debug)]
struct Attr {
    kind: AttrKind,
    start: u32,
    end: u32,
}

/// One arena node: an element or a text run.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Node {
    /// Element kind, or [`Tag::Text`].
    pub tag: Tag,
    /// Parent index ([`NONE`] for the document).
    pub parent: u32,
    /// First child or [`NONE`].
    pub first_child: u32,
    /// Last child or [`NONE`].
    pub last_child: u32,
    /// Next sibling or [`NONE`].
    pub next: u32,
    /// Text: range start (with [`DECODED`] flag); element: first attribute index.
    a: u32,
    /// Text: range end; element: one past the last attribute index.
    b: u32,
}

/// A parsed page. Node 0 is the document; nodes are stored in document order, so a node's
/// descendants always have larger indices than the node.
pub(crate) struct Dom<'s> {
    src: &'s str,
    /// All nodes, document order.
    pub nodes: Vec<Node>,
    attrs: Vec<Attr>,
    decoded: String,
    /// The first `<title>`, decoded.
    pub title: Option<String>,
    /// `lang` of `<html>`.
    pub html_lang: Option<String>,
    /// Raw contents of `<script type="application/ld+json">` blocks.
    pub ld_json: Vec<&'s str>,
    /// `<meta>` elements.
    pub metas: Vec<u32>,
    /// `<link>` elements.
    pub links: Vec<u32>,
}

impl<'s> Dom<'s> {
    /// Parses `src`; never fails and never recurses.
    pub(crate) fn parse(src: &'s str) -> Dom<'s> {
        let mut b = Builder {
            dom: Dom {
                src,
                nodes: Vec::with_capacity(src.len() / 40 + 16),
                attrs: Vec::with_capacity(src.len() / 100 + 16),
                decoded: String::new(),
                title: None,
                html_lang: None,
                ld_json: Vec::new(),
                metas: Vec::new(),
                links: Vec::new(),
            },
            stack: Vec::with_capacity(64),
        };
        b.dom.nodes.push(Node {
            tag: Tag::Document,
            parent: NONE,
            first_child: NONE,
            last_child: NONE,
            next: NONE,
            a: 0,
            b: 0,
        });
        b.run();
        b.dom
    }

    /// The whole source text.
    pub(crate) fn source(&self) -> &'s str {
        self.src
    }

    /// Text of a text node (empty for elements).
    pub(crate) fn text(&self, id: u32) -> &str {
        let n = &self.nodes[id as usize];
        if n.tag != Tag::Text {
            return "";
        }
        if n.a & DECODED != 0 {
            self.decoded
                .get((n.a & !DECODED) as usize..n.b as usize)
                .unwrap_or("")
        } else {
            self.src.get(n.a as usize..n.b as usize).unwrap_or("")
        }
    }

    /// Raw (undecoded) value of an attribute.
    fn attr_raw(&self, id: u32, kind: AttrKind) -> Option<&'s str> {
        let n = &self.nodes[id as usize];
        if n.tag == Tag::Text || n.tag == Tag::Document {
            return None;
        }
        let attrs = self.attrs.get(n.a as usize..n.b as usize)?;
        let a = attrs.iter().find(|a| a.kind == kind)?;
        self.src.get(a.start as usize..a.end as usize)
    }

    /// Decoded value of an attribute.
    pub(crate) fn attr(&self, id: u32, kind: AttrKind) -> Option<Cow<'s, str>> {
        let raw = self.attr_raw(id, kind)?;
        if raw.contains('&') {
            let mut s = String::with_capacity(raw.len());
            decode_into(raw, &mut s, true);
            Some(Cow::Owned(s))
        } else {
            Some(Cow::Borrowed(raw))
        }
    }

    /// Whether the element has the attribute at all.
    pub(crate) fn has_attr(&self, id: u32, kind: AttrKind) -> bool {
        self.attr_raw(id, kind).is_some()
    }

    /// Children of a node.
    pub(crate) fn children(&self, id: u32) -> Children<'_, 's> {
        Children {
            dom: self,
            next: self.nodes[id as usize].first_child,
        }
    }

    /// One past the last descendant of `id` (descendants are the contiguous range `id+1..end`).
    pub(crate) fn subtree_end(&self, id: u32) -> u32 {
        let mut cur = id;
        loop {
            let n = &self.nodes[cur as usize];
            if n.next != NONE {
                return n.next;
            }
            if n.parent == NONE {
                return self.nodes.len() as u32;
            }
            cur = n.parent;
        }
    }

    /// Tag of a node.
    pub(crate) fn tag(&self, id: u32) -> Tag {
        self.nodes[id as usize].tag
    }

    /// Collapsed text of a subtree (single spaces, trimmed), for short elements such as headings.
    pub(crate) fn inner_text(&self, id: u32, limit: usize) -> String {
        self.inner_text_skipping(id, limit, None)
    }

    /// [`Dom::inner_text`] without the text of `skip` elements inside (a heading's `<time>`:
    /// the date shown with a headline is not part of it).
    pub(crate) fn inner_text_skipping(&self, id: u32, limit: usize, skip: Option<Tag>) -> String {
        let mut out = String::new();
        let end = self.subtree_end(id);
        let mut i = id;
        while i < end && out.len() < limit {
            let n = &self.nodes[i as usize];
            if i > id && skip == Some(n.tag) {
                i = self.subtree_end(i);
                continue;
            }
            if n.tag == Tag::Text {
                push_collapsed(&mut out, self.text(i));
            } else if !n.tag.is_inline() && !out.ends_with(' ') && !out.is_empty() || n.tag == Tag::Br {
                out.push(' ');
            }
            i += 1;
        }
        let t = out.trim();
        if t.len() == out.len() { out } else { t.to_string() }
    }
}

/// Appends `s` with whitespace runs collapsed to one space (no leading space on an empty `out`).
pub(crate) fn push_collapsed(out: &mut String, s: &str) {
    let mut space = out.is_empty() || out.ends_with([' ', '\n']);
    let mut run_start = 0;
    for (i, c) in s.char_indices() {
        if c.is_whitespace() {
            if run_start < i {
                out.push_str(&s[run_start..i]);
                space = false;
            }
            if !space {
                out.push(' ');
                space = true;
            }
            run_start = i + c.len_utf8();
        }
    }
    if run_start < s.len() {
        out.push_str(&s[run_start..]);
    }
}

/// Iterator over the children of a node.
pub(crate) struct Children<'d, 's> {
    dom: &'d Dom<'s>,
    next: u32,
}

impl Iterator for Children<'_, '_> {
    type Item = u32;
    fn next(&mut self) -> Option<u32> {
        if self.next == NONE {
            return None;
        }
        let id = self.next;
        self.next = self.dom.nodes[id as usize].next;
        Some(id)
    }
}

struct Builder<'s> {
    dom: Dom<'s>,
    stack: Vec<u32>,
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

impl<'s> Builder<'s> {
    fn current(&self) -> u32 {
        self.stack.last().copied().unwrap_or(0)
    }

    fn append(&mut self, node: Node) -> u32 {
        let id = self.dom.nodes.len() as u32;
        let parent = node.parent as usize;
        self.dom.nodes.push(node);
        let last = self.dom.nodes[parent].last_child;
        if last == NONE {
            self.dom.nodes[parent].first_child = id;
        } else {
            self.dom.nodes[last as usize].next = id;
        }
        self.dom.nodes[parent].last_child = id;
        id
    }

    fn run(&mut self) {
        let src = self.dom.src;
        let b = src.as_bytes();
        let mut i = 0usize;
        while i < b.len() {
            let lt = match memchr::memchr(b'<', &b[i..]) {
                Some(k) => i + k,
                None => b.len(),
            };
            if lt > i {
                self.text(i, lt);
            }
            if lt >= b.len() {
                break;
            }
            let next = b.get(lt + 1).copied().unwrap_or(0);
            if next.is_ascii_alphabetic() {
                i = self.start_tag(lt);
            } else if next == b'/' {
                let n2 = b.get(lt + 2).copied().unwrap_or(0);
                if n2.is_ascii_alphabetic() {
                    let mut j = lt + 2;
                    while j < b.len() && !is_ws(b[j]) && b[j] != b'>' && b[j] != b'/' {
                        j += 1;
                    }
                    let tag = Tag::from_name(&b[lt + 2..j]);
                    i = skip_past(b, j, b'>');
                    self.end_tag(tag);
                } else {
                    i = skip_past(b, lt + 2, b'>');
                }
            } else if next == b'!' {
                if b[lt..].starts_with(b"<!--") {
                    i = match memchr::memmem::find(&b[lt + 4..], b"-->") {
                        Some(k) => lt + 4 + k + 3,
                        None => b.len(),
                    };
                    // "<!-->" and "<!--->" are complete (empty) comments.
                    if b[lt + 4..].starts_with(b">") {
                        i = lt + 5;
                    } else if b[lt + 4..].starts_with(b"->") {
                        i = lt + 6;
                    }
                } else {
                    i = skip_past(b, lt + 2, b'>');
                }
            } else if next == b'?' {
                i = skip_past(b, lt + 2, b'>');
            } else {
                // A lone '<' is text.
                self.text(lt, lt + 1);
                i = lt + 1;
            }
        }
    }

    fn text(&mut self, start: usize, end: usize) {
        let raw = &self.dom.src[start..end];
        let parent = self.current();
        let ptag = self.dom.nodes[parent as usize].tag;
        if raw.bytes().all(is_ws)
            && matches!(
                ptag,
                Tag::Document | Tag::Ul | Tag::Ol | Tag::Table | Tag::Tbody | Tag::Thead | Tag::Tr | Tag::Dl
            )
        {
            return;
        }
        // Merge with a preceding text sibling only when both come straight from the source.
        let (a, bnd) = if raw.contains('&') {
            let s = self.dom.decoded.len();
            decode_into(raw, &mut self.dom.decoded, false);
            ((s as u32) | DECODED, self.dom.decoded.len() as u32)
        } else {
            (start as u32, end as u32)
        };
        self.append(Node {
            tag: Tag::Text,
            parent,
            first_child: NONE,
            last_child: NONE,
            next: NONE,
            a,
            b: bnd,
        });
    }

    /// Parses a start tag at `lt`; returns the position after it (and after raw content).
    fn start_tag(&mut self, lt: usize) -> usize {
        let b = self.dom.src.as_bytes();
        let mut j = lt + 1;
        while j < b.len() && !is_ws(b[j]) && b[j] != b'>' && b[j] != b'/' {
            j += 1;
        }
        let tag = Tag::from_name(&b[lt + 1..j]);
        let attr_start = self.dom.attrs.len();
        let mut self_closing = false;
        // Attributes.
        loop {
            while j < b.len() && (is_ws(b[j]) || b[j] == b'/') {
                self_closing = b[j] == b'/';
                j += 1;
            }
            if j >= b.len() {
                break;
            }
            if b[j] == b'>' {
                j += 1;
                break;
            }
            self_closing = false;
            let ns = j;
            j += 1;
            while j < b.len() && !is_ws(b[j]) && b[j] != b'>' && b[j] != b'/' && b[j] != b'=' {
                j += 1;
            }
            let name = &b[ns..j];
            let mut k = j;
            while k < b.len() && is_ws(b[k]) {
                k += 1;
            }
            let (vs, ve);
            if k < b.len() && b[k] == b'=' {
                k += 1;
                while k < b.len() && is_ws(b[k]) {
                    k += 1;
                }
                if k < b.len() && (b[k] == b'"' || b[k] == b'\'') {
                    let q = b[k];
                    vs = k + 1;
                    ve = match memchr::memchr(q, &b[vs..]) {
                        Some(e) => vs + e,
                        None => b.len(),
                    };
                    j = (ve + 1).min(b.len());
                } else {
                    vs = k;
                    let mut e = k;
                    while e < b.len() && !is_ws(b[e]) && b[e] != b'>' {
                        e += 1;
                    }
                    ve = e;
                    j = e;
                }
            } else {
                vs = j;
                ve = j;
            }
            if (tag != Tag::Other || name.len() <= 12)
                && let Some(kind) = AttrKind::from_name(name)
            {
                // Keep the first occurrence only, as browsers do.
                if !self.dom.attrs[attr_start..].iter().any(|a| a.kind == kind) {
                    self.dom.attrs.push(Attr {
                        kind,
                        start: vs as u32,
                        end: ve as u32,
                    });
                }
            }
        }
        let attr_end = self.dom.attrs.len();
        if tag.is_raw() {
            // An empty element written the XML way (XHTML in a wire item: `<title />`) holds
            // nothing; read as raw text it would swallow the document up to an end tag that
            // never comes.
            if matches!(tag, Tag::Svg | Tag::Math | Tag::Title | Tag::Textarea) && self_closing {
                self.dom.attrs.truncate(attr_start);
                return j;
            }
            let (content_end, after) = find_end_tag(b, j, tag_name(tag));
            let content = &self.dom.src[j.min(content_end)..content_end];
            match tag {
                Tag::Title if self.dom.title.is_none() => {
                    let mut s = String::with_capacity(content.len());
                    decode_into(content, &mut s, false);
                    self.dom.title = Some(s);
                }
                Tag::Script => {
                    let is_ld = self.dom.attrs[attr_start..attr_end].iter().any(|a| {
                        a.kind == AttrKind::Type
                            && self.dom.src[a.start as usize..a.end as usize]
                                .to_ascii_lowercase()
                                .contains("ld+json")
                    });
                    if is_ld {
                        self.dom.ld_json.push(content);
                    }
                }
                _ => {}
            }
            self.dom.attrs.truncate(attr_start);
            return after;
        }
        match tag {
            Tag::Html => {
                if self.dom.html_lang.is_none()
                    && let Some(a) = self.dom.attrs[attr_start..attr_end]
                        .iter()
                        .find(|a| a.kind == AttrKind::Lang)
                {
                    self.dom.html_lang = Some(self.dom.src[a.start as usize..a.end as usize].to_string());
                }
                self.dom.attrs.truncate(attr_start);
                return j;
            }
            Tag::Head | Tag::Body => {
                self.dom.attrs.truncate(attr_start);
                return j;
            }
            _ => {}
        }
        self.implied_end_tags(tag);
        let parent = self.current();
        let id = self.append(Node {
            tag,
            parent,
            first_child: NONE,
            last_child: NONE,
            next: NONE,
            a: attr_start as u32,
            b: attr_end as u32,
        });
        match tag {
            Tag::Meta => self.dom.metas.push(id),
            Tag::Link => self.dom.links.push(id),
            _ => {}
        }
        if !tag.is_void() && self.stack.len() < MAX_DEPTH {
            self.stack.push(id);
        }
        j
    }

    /// Pops the stack down to and including the nearest `tag`, searching no further than a
    /// node for which `stop` holds. Returns whether it popped.
    fn pop_to(&mut self, tag: Tag, stop: impl Fn(Tag) -> bool) -> bool {
        for k in (0..self.stack.len()).rev() {
            let t = self.dom.nodes[self.stack[k] as usize].tag;
            if t == tag {
                self.stack.truncate(k);
                return true;
            }
            if stop(t) {
                return false;
            }
        }
        false
    }

    fn implied_end_tags(&mut self, tag: Tag) {
        if tag.closes_p() {
            self.pop_to(Tag::P, |t| {
                t.is_table_boundary() || t == Tag::Button || !t.is_inline() && t != Tag::P
            });
        }
        match tag {
            Tag::Li => {
                self.pop_to(Tag::Li, |t| {
                    matches!(t, Tag::Ul | Tag::Ol | Tag::Menu) || t.is_table_boundary()
                });
            }
            Tag::Dt | Tag::Dd => {
                let stop = |t: Tag| t == Tag::Dl || t.is_table_boundary();
                if !self.pop_to(Tag::Dd, stop) {
                    self.pop_to(Tag::Dt, stop);
                }
            }
            Tag::Option
                if self.stack.last().map(|&s| self.dom.nodes[s as usize].tag) == Some(Tag::Option) =>
            {
                self.stack.pop();
            }
            Tag::Td | Tag::Th => {
                let stop = |t: Tag| matches!(t, Tag::Table | Tag::Tr);
                if !self.pop_to(Tag::Td, stop) {
                    self.pop_to(Tag::Th, stop);
                }
            }
            Tag::Tr => {
                self.pop_to(Tag::Tr, |t| t == Tag::Table);
            }
            Tag::Tbody | Tag::Thead | Tag::Tfoot => {
                let stop = |t: Tag| t == Tag::Table;
                let _ = self.pop_to(Tag::Tbody, stop) || self.pop_to(Tag::Thead, stop);
            }
            Tag::A => {
                self.pop_to(Tag::A, |t| !t.is_inline());
            }
            t if t.is_heading() => {
                if let Some(&top) = self.stack.last()
                    && self.dom.nodes[top as usize].tag.is_heading()
                {
                    self.stack.pop();
                }
            }
            _ => {}
        }
    }

    fn end_tag(&mut self, tag: Tag) {
        match tag {
            Tag::Html | Tag::Head | Tag::Body => {}
            Tag::Br => {
                let parent = self.current();
                self.append(Node {
                    tag: Tag::Br,
                    parent,
                    first_child: NONE,
                    last_child: NONE,
                    next: NONE,
                    a: 0,
                    b: 0,
                });
            }
            Tag::Other => {
                // Unknown names all map to Other: only close one that is on top.
                if self.stack.last().map(|&s| self.dom.nodes[s as usize].tag) == Some(Tag::Other) {
                    self.stack.pop();
                }
            }
            t if t.is_inline() => {
                self.pop_to(t, |x| !x.is_inline());
            }
            Tag::Table => {
                self.pop_to(Tag::Table, |_| false);
            }
            Tag::Td | Tag::Th | Tag::Tr | Tag::Tbody | Tag::Thead | Tag::Tfoot | Tag::Caption => {
                self.pop_to(tag, |x| x == Tag::Table);
            }
            Tag::Li => {
                self.pop_to(tag, |x| matches!(x, Tag::Ul | Tag::Ol) || x.is_table_boundary());
            }
            t => {
                self.pop_to(t, |x| x.is_table_boundary());
            }
        }
    }
}

fn tag_name(tag: Tag) -> &'static [u8] {
    match tag {
        Tag::Script => b"script",
        Tag::Style => b"style",
        Tag::Title => b"title",
        Tag::Textarea => b"textarea",
        Tag::Noscript => b"noscript",
        Tag::Svg => b"svg",
        Tag::Math => b"math",
        Tag::Template => b"template",
        Tag::Xmp => b"xmp",
        Tag::Noembed => b"noembed",
        Tag::Noframes => b"noframes",
        Tag::Iframe => b"iframe",
        _ => b"",
    }
}

/// Position just past the next `c` at or after `from`, or the end.
fn skip_past(b: &[u8], from: usize, c: u8) -> usize {
    if from >= b.len() {
        return b.len();
    }
    match memchr::memchr(c, &b[from..]) {
        Some(k) => from + k + 1,
        None => b.len(),
    }
}

/// Finds `</name` (any case) at or after `from`: returns (content end, position after `>`).
fn find_end_tag(b: &[u8], from: usize, name: &[u8]) -> (usize, usize) {
    let mut p = from;
    while p < b.len() {
        let k = match memchr::memchr(b'<', &b[p..]) {
            Some(k) => p + k,
            None => break,
        };
        let after = k + 2 + name.len();
        if b.get(k + 1) == Some(&b'/')
            && after <= b.len()
            && b[k + 2..after].eq_ignore_ascii_case(name)
            && b.get(after).is_none_or(|&c| is_ws(c) || c == b'>' || c == b'/')
        {
            return (k, skip_past(b, after, b'>'));
        }
        p = k + 1;
    }
    (b.len(), b.len())
}

/// Windows-1252 meanings of the C1 range, as HTML numeric references use them.
const C1: [u32; 32] = [
    0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152,
    0x8D, 0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161,
    0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
];

/// Appends `raw` to `out` with character references decoded.
pub(crate) fn decode_into(raw: &str, out: &mut String, in_attr: bool) {
    let b = raw.as_bytes();
    let mut last = 0;
    let mut i = 0;
    while let Some(k) = memchr::memchr(b'&', &b[i..]) {
        let amp = i + k;
        out.push_str(&raw[last..amp]);
        let (rep_len, ok) = decode_ref(&raw[amp + 1..], out, in_attr);
        if ok {
            last = amp + 1 + rep_len;
        } else {
            out.push('&');
            last = amp + 1;
        }
        i = last;
    }
    out.push_str(&raw[last..]);
}

/// Decodes one reference after '&'; returns (bytes consumed, whether it was one).
fn decode_ref(s: &str, out: &mut String, in_attr: bool) -> (usize, bool) {
    let b = s.as_bytes();
    if b.first() == Some(&b'#') {
        let (hex, start) = match b.get(1) {
            Some(b'x') | Some(b'X') => (true, 2),
            _ => (false, 1),
        };
        let mut j = start;
        let mut v: u32 = 0;
        while j < b.len() {
            let d = match (hex, b[j]) {
                (_, c @ b'0'..=b'9') => (c - b'0') as u32,
                (true, c @ b'a'..=b'f') => (c - b'a' + 10) as u32,
                (true, c @ b'A'..=b'F') => (c - b'A' + 10) as u32,
                _ => break,
            };
            v = v.saturating_mul(if hex { 16 } else { 10 }).saturating_add(d);
            j += 1;
        }
        if j == start {
            return (0, false);
        }
        if b.get(j) == Some(&b';') {
            j += 1;
        }
        let v = if (0x80..0xA0).contains(&v) {
            C1[(v - 0x80) as usize]
        } else {
            v
        };
        out.push(char::from_u32(v).filter(|&c| c != '\0').unwrap_or('\u{FFFD}'));
        return (j, true);
    }
    let mut j = 0;
    while j < b.len() && j < 32 && b[j].is_ascii_alphanumeric() {
        j += 1;
    }
    if j == 0 {
        return (0, false);
    }
    let name = &s[..j];
    if b.get(j) == Some(&b';') {
        if let Some(rep) = entities::lookup(name) {
            out.push_str(rep);
            return (j + 1, true);
        }
        return (0, false);
    }
    // Legacy references without ';' (only the common ones, and not inside URLs' query strings).
    if in_attr && matches!(b.get(j), Some(b'=')) {
        return (0, false);
    }
    let rep = match name {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "nbsp" => "\u{a0}",
        "copy" => "\u{a9}",
        "reg" => "\u{ae}",
        _ => return (0, false),
    };
    out.push_str(rep);
    (j, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(html: &str) -> Vec<String> {
        let d = Dom::parse(html);
        (0..d.nodes.len() as u32)
            .filter(|&i| d.tag(i) == Tag::Text)
            .map(|i| d.text(i).to_string())
            .collect()
    }

    #[test]
    fn every_known_name_is_found_in_any_case() {
        // Binary search needs the tables sorted by key, with no name twice.
        for keys in [&TAG_KEYS[..], &ATTR_KEYS[..]] {
            assert!(
                keys.windows(2).all(|w| w[0] < w[1]),
                "a name table is out of order"
            );
        }
        for &(name, tag) in TAGS {
            assert_eq!(Tag::from_name(name), tag, "{}", String::from_utf8_lossy(name));
            assert_eq!(Tag::from_name(&name.to_ascii_uppercase()), tag);
        }
        for &(name, kind) in ATTRS {
            assert_eq!(AttrKind::from_name(name), Some(kind));
            assert_eq!(AttrKind::from_name(&name.to_ascii_uppercase()), Some(kind));
        }
        assert_eq!(Tag::from_name(b"blink"), Tag::Other);
        assert_eq!(Tag::from_name(b"a-very-long-custom-element"), Tag::Other);
        assert_eq!(AttrKind::from_name(b"onclick"), None);
    }

    #[test]
    fn decodes_references() {
        let cases = [
            ("a &amp; b", "a & b"),
            ("&lt;p&gt;", "<p>"),
            ("caf&eacute; &#233; &#xE9;", "café é é"),
            ("&#146;s", "\u{2019}s"),
            ("AT&T &unknown; &", "AT&T &unknown; &"),
            ("&nbsp;x", "\u{a0}x"),
            ("&#0;", "\u{fffd}"),
            ("&#99999999999;", "\u{fffd}"),
        ];
        for (input, want) in cases {
            let mut s = String::new();
            decode_into(input, &mut s, false);
            assert_eq!(s, want, "{input}");
        }
    }

    #[test]
    fn an_empty_title_written_the_xml_way_swallows_nothing() {
        let d = Dom::parse(
            "<html xmlns=\"http://www.w3.org/1999/xhtml\"><head><title /></head><body><p>Text.</p></body></html>",
        );
        assert_eq!(d.title, None);
        let text = crate::body::item_text(&d);
        assert!(text.contains("Text."), "{text}");
    }

    #[test]
    fn skips_raw_text_and_keeps_title_and_ld() {
        let html = "<html lang=en><head><title>T &amp; U</title><script>var a='<p>x</p>';</script>\
            <script type=\"application/ld+json\">{\"a\":1}</script><style>p{}</style></head>\
            <body><p>Hello<svg><text>no</text></svg> world</p><noscript><p>n</p></noscript></body></html>";
        let d = Dom::parse(html);
        assert_eq!(d.title.as_deref(), Some("T & U"));
        assert_eq!(d.ld_json, vec!["{\"a\":1}"]);
        assert_eq!(d.html_lang.as_deref(), Some("en"));
        assert_eq!(texts(html), vec!["Hello", " world"]);
    }

    #[test]
    fn implied_paragraph_ends() {
        let d = Dom::parse("<div><p>one<p>two<ul><li>a<li>b</ul></div>");
        let div = d.children(0).next().unwrap_or(NONE);
        let kids: Vec<Tag> = d.children(div).map(|c| d.tag(c)).collect();
        assert_eq!(kids, vec![Tag::P, Tag::P, Tag::Ul]);
    }

    #[test]
    fn deep_nesting_is_capped() {
        let html = "<div>".repeat(100_000) + "deep" + &"</div>".repeat(100_000);
        let d = Dom::parse(&html);
        assert_eq!(texts(&html), vec!["deep"]);
        // Depth of the text node is bounded.
        let text = (0..d.nodes.len() as u32)
            .find(|&i| d.tag(i) == Tag::Text)
            .unwrap_or(0);
        let mut depth = 0;
        let mut cur = text;
        while d.nodes[cur as usize].parent != NONE {
            cur = d.nodes[cur as usize].parent;
            depth += 1;
        }
        assert!(depth <= MAX_DEPTH + 1, "depth {depth}");
    }

    #[test]
    fn unterminated_constructs_do_not_hang() {
        for html in [
            "<p>a<!-- never",
            "<script>x",
            "<div class=\"x",
            "<a href='",
            "</",
            "<",
            "&#x",
            "<!",
            "<?x",
        ] {
            let _ = Dom::parse(html);
        }
    }
}
