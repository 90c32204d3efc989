//! A small, bounded XML tree over quick-xml, for the agency readers: local names
//! (namespace prefixes dropped, so a document without its `xmlns`, like TT's NewsML-G2,
//! reads the same), attributes, text with the five XML entities and character references
//! resolved.
//!
//! Bounds: nesting deeper than [`MAX_DEPTH`] and more than [`MAX_NODES`] nodes are
//! errors, and a DTD that declares an internal general entity (`<!ENTITY name "value">`)
//! is refused outright (quick-xml never expands them, but a document that relies on them
//! cannot be read faithfully and is the classic entity-expansion bomb). Parameter entities
//! and external declarations are DTD plumbing, never fetched or expanded, and are let
//! through: NewsML 1.2 carries `<!ENTITY % nitf SYSTEM "nitf-3-0.dtd"> %nitf;` as
//! boilerplate (SDA-ATS, Kyodo). An undeclared entity reference is kept as literal text,
//! except a few HTML ones NITF producers use (`&nbsp;`, dashes, quotes). A document that
//! ends inside an element is [`XmlError::Truncated`].

use quick_xml::events::Event;
use wirefold_extract::LINE_BREAK as BREAK;

/// Deepest element nesting accepted.
pub const MAX_DEPTH: usize = 256;
/// Most elements and text nodes accepted in one document.
pub const MAX_NODES: usize = 2_000_000;

/// Why a document is not readable XML.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    /// Not well-formed.
    #[error("malformed xml at byte {at}: {message}")]
    Malformed {
        /// Byte offset where the reader stopped.
        at: u64,
        /// quick-xml's message.
        message: String,
    },
    /// The document ends inside an element: cut off in transit.
    #[error("truncated xml: the document ends inside <{open}> ({depth} elements left open)")]
    Truncated {
        /// Innermost open element.
        open: String,
        /// How many elements were open.
        depth: usize,
    },
    /// Nesting deeper than [`MAX_DEPTH`].
    #[error("xml nested deeper than {MAX_DEPTH} elements")]
    TooDeep,
    /// More nodes than [`MAX_NODES`].
    #[error("xml holds more than {MAX_NODES} nodes")]
    TooManyNodes,
    /// A DTD with entity declarations.
    #[error("xml declares entities in its DTD (entity expansion is refused)")]
    Entities,
    /// No root element.
    #[error("xml has no root element")]
    Empty,
}

/// One element.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct El {
    /// Local name, prefix dropped.
    pub name: String,
    /// Attributes as (local name, value).
    pub attrs: Vec<(String, String)>,
    /// Children in document order.
    pub kids: Vec<Kid>,
}

/// A child of an element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kid {
    /// An element.
    El(El),
    /// Text or CDATA, entities resolved.
    Text(String),
}

fn local(name: &str) -> String {
    name.rsplit(':').next().unwrap_or(name).to_string()
}

fn entity(name: &str) -> Option<&'static str> {
    Some(match name {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        "nbsp" => "\u{a0}",
        "mdash" => "\u{2014}",
        "ndash" => "\u{2013}",
        "hellip" => "\u{2026}",
        "lsquo" => "\u{2018}",
        "rsquo" => "\u{2019}",
        "ldquo" => "\u{201c}",
        "rdquo" => "\u{201d}",
        "bull" => "\u{2022}",
        "copy" => "\u{a9}",
        "pound" => "\u{a3}",
        "euro" => "\u{20ac}",
        "deg" => "\u{b0}",
        _ => return None,
    })
}

/// Parses `text` into its root element.
pub fn parse(text: &str) -> Result<El, XmlError> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack: Vec<El> = Vec::new();
    let mut root: Option<El> = None;
    let mut nodes = 0usize;
    let malformed = |r: &quick_xml::Reader<&[u8]>, m: String| XmlError::Malformed {
        at: r.buffer_position(),
        message: m,
    };
    loop {
        let ev = match reader.read_event() {
            Ok(ev) => ev,
            Err(e) => {
                // quick-xml reports an unclosed tag or comment at the end as a syntax error:
                // that is a cut-off document too.
                if matches!(e, quick_xml::Error::Syntax(_))
                    && let Some(top) = stack.last()
                {
                    return Err(XmlError::Truncated {
                        open: top.name.clone(),
                        depth: stack.len(),
                    });
                }
                return Err(malformed(&reader, e.to_string()));
            }
        };
        nodes += 1;
        if nodes > MAX_NODES {
            return Err(XmlError::TooManyNodes);
        }
        match ev {
            Event::DocType(d) if declares_internal_entity(d[..].as_bytes()) => {
                return Err(XmlError::Entities);
            }
            Event::Start(s) | Event::Empty(s) if stack.is_empty() && root.is_some() => {
                let _ = s;
                return Err(malformed(&reader, "more than one root element".into()));
            }
            Event::Start(s) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(XmlError::TooDeep);
                }
                stack.push(El {
                    name: local(s.name().as_ref()),
                    attrs: attrs(&s).map_err(|m| malformed(&reader, m))?,
                    kids: Vec::new(),
                });
            }
            Event::Empty(s) => {
                let el = El {
                    name: local(s.name().as_ref()),
                    attrs: attrs(&s).map_err(|m| malformed(&reader, m))?,
                    kids: Vec::new(),
                };
                match stack.last_mut() {
                    Some(p) => p.kids.push(Kid::El(el)),
                    None => root = Some(el),
                }
            }
            Event::End(e) => {
                let Some(el) = stack.pop() else {
                    return Err(malformed(&reader, "closing tag without an open element".into()));
                };
                if el.name != local(e.name().as_ref()) {
                    return Err(malformed(
                        &reader,
                        format!("</{}> closes <{}>", local(e.name().as_ref()), el.name),
                    ));
                }
                match stack.last_mut() {
                    Some(p) => p.kids.push(Kid::El(el)),
                    None => root = Some(el),
                }
            }
            Event::Text(t) => {
                let s = t.xml10_content().into_owned();
                push_text(&mut stack, &s, &reader)?;
            }
            Event::CData(c) => {
                let s = c.xml10_content().into_owned();
                push_text(&mut stack, &s, &reader)?;
            }
            Event::GeneralRef(r) => {
                let s = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => {
                        let name = r.xml10_content();
                        entity(&name).map_or_else(|| format!("&{name};"), str::to_string)
                    }
                };
                push_text(&mut stack, &s, &reader)?;
            }
            Event::Eof => {
                if let Some(top) = stack.last() {
                    return Err(XmlError::Truncated {
                        open: top.name.clone(),
                        depth: stack.len(),
                    });
                }
                return root.ok_or(XmlError::Empty);
            }
            _ => {}
        }
    }
}

fn push_text(stack: &mut [El], s: &str, reader: &quick_xml::Reader<&[u8]>) -> Result<(), XmlError> {
    match stack.last_mut() {
        Some(p) => {
            if let Some(Kid::Text(prev)) = p.kids.last_mut() {
                prev.push_str(s);
            } else {
                p.kids.push(Kid::Text(s.to_string()));
            }
            Ok(())
        }
        None if s.trim().is_empty() => Ok(()),
        None => Err(XmlError::Malformed {
            at: reader.buffer_position(),
            message: "text outside the root element".into(),
        }),
    }
}

/// The attributes of a start tag as (local name, unescaped and normalised value).
pub fn attrs(s: &quick_xml::events::BytesStart<'_>) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for a in s.attributes() {
        let a = a.map_err(|e| e.to_string())?;
        let v = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| e.to_string())?
            .into_owned();
        out.push((local(a.key.as_ref()), v));
    }
    Ok(out)
}

/// Collapses runs of whitespace to one space and trims.
pub fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl El {
    /// The value of attribute `name`.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Child elements.
    pub fn elements(&self) -> impl Iterator<Item = &El> {
        self.kids.iter().filter_map(|k| match k {
            Kid::El(e) => Some(e),
            Kid::Text(_) => None,
        })
    }

    /// Child elements named `name`.
    pub fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a El> + 'a {
        // (both borrows live as long as the iterator)
        self.elements().filter(move |e| e.name == name)
    }

    /// The first child element named `name`.
    pub fn child(&self, name: &str) -> Option<&El> {
        self.elements().find(|e| e.name == name)
    }

    /// The first descendant (depth first, document order) named `name`.
    pub fn find(&self, name: &str) -> Option<&El> {
        for e in self.elements() {
            if e.name == name {
                return Some(e);
            }
            if let Some(f) = e.find(name) {
                return Some(f);
            }
        }
        None
    }

    /// Every descendant named `name`, in document order (not below a match).
    pub fn find_all<'a>(&'a self, name: &str, out: &mut Vec<&'a El>) {
        for e in self.elements() {
            if e.name == name {
                out.push(e);
            } else {
                e.find_all(name, out);
            }
        }
    }

    /// All text below this element, whitespace collapsed.
    pub fn text(&self) -> String {
        let mut s = String::new();
        self.raw_text_into(&mut s);
        collapse(&s)
    }

    /// All text below this element as it stands.
    pub fn raw_text(&self) -> String {
        let mut s = String::new();
        self.raw_text_into(&mut s);
        s
    }

    fn raw_text_into(&self, s: &mut String) {
        for k in &self.kids {
            match k {
                Kid::Text(t) => s.push_str(t),
                Kid::El(e) => {
                    // Words of adjacent elements must not run together.
                    if !s.is_empty() && !s.ends_with(char::is_whitespace) && !listed(INLINE, &e.name) {
                        s.push(' ');
                    }
                    e.raw_text_into(s);
                }
            }
        }
    }

    /// The text of the first child named `name`, when not blank.
    pub fn child_text(&self, name: &str) -> Option<String> {
        self.child(name).map(El::text).filter(|t| !t.is_empty())
    }
}

/// Whether a DTD declares a general entity with a value of its own (`<!ENTITY lol
/// "lol">`), the one kind whose references would expand inside the text. Parameter
/// entities (`<!ENTITY % nitf SYSTEM "...">`) and external entities (`SYSTEM` / `PUBLIC`)
/// are never fetched or expanded here.
fn declares_internal_entity(dtd: &[u8]) -> bool {
    let mut rest = dtd;
    while let Some(at) = rest.windows(8).position(|w| w == b"<!ENTITY") {
        rest = &rest[at + 8..];
        let after = rest.trim_ascii_start();
        if after.starts_with(b"%") {
            continue;
        }
        // The name, then the definition.
        let name_end = after
            .iter()
            .position(u8::is_ascii_whitespace)
            .unwrap_or(after.len());
        let def = after[name_end..].trim_ascii_start();
        if !(def.starts_with(b"SYSTEM") || def.starts_with(b"PUBLIC")) {
            return true;
        }
    }
    false
}

/// The text of markup with its tags left out, character by character (no parsing: for
/// fragments that are not well-formed, for escaped markup sent as text, and for measuring
/// text cheaply). A tag other than an inline one (`<b>`, `<a>`, `<span>`, ...) separates
/// words, and the content of `script` and `style` elements is not text.
pub fn drop_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    // Inside a `script` or `style` element: the name of its end tag.
    let mut skip_until: Option<String> = None;
    while let Some(open) = rest.find('<') {
        if skip_until.is_none() {
            out.push_str(&rest[..open]);
        }
        let Some(close) = rest[open..].find('>') else {
            rest = "";
            break;
        };
        let tag = &rest[open + 1..open + close];
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        match &skip_until {
            Some(end) if tag.starts_with('/') && name == *end => skip_until = None,
            Some(_) => {}
            None if !tag.starts_with('/') && (name == "script" || name == "style") => {
                skip_until = Some(name);
            }
            None if !listed(INLINE, &name) => out.push(' '),
            None => {}
        }
        rest = &rest[open + close + 1..];
    }
    if skip_until.is_none() {
        out.push_str(rest);
    }
    out
}

/// Whether `name` is in a list of element names, whatever its case: some producers write
/// HTML-like markup in capitals (TT's `<P>`).
fn listed(list: &[&str], name: &str) -> bool {
    list.iter().any(|l| l.eq_ignore_ascii_case(name))
}

/// Elements that sit inside a line of text (NITF, XHTML): no break around them.
const INLINE: &[&str] = &[
    "a",
    "b",
    "i",
    "em",
    "strong",
    "span",
    "u",
    "sub",
    "sup",
    "person",
    "org",
    "location",
    "chron",
    "money",
    "num",
    "object.title",
    "event",
    "function",
    "virtloc",
    "classifier",
    "q",
    "pronounce",
    "copyrite",
    "copyrite.year",
    "copyrite.holder",
    "city",
    "state",
    "region",
    "country",
    "alt-code",
    "abbr",
    "cite",
    "code",
    "small",
    "big",
    "tt",
    "byttl",
    "story.date",
    "lang",
];

/// Elements that start a new paragraph of body text.
const BLOCK: &[&str] = &[
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hl1",
    "hl2",
    "li",
    "dt",
    "dd",
    "tr",
    "blockquote",
    "pre",
    "block",
    "section",
    "article",
    "table",
    "ul",
    "ol",
    "dl",
    "bq",
    "credit",
    "body.content",
    "body",
    "caption",
    "figcaption",
    "nitf-table",
];

/// Elements whose content is not body text.
const SKIP: &[&str] = &[
    // An XHTML body's `<header>` holds the headline, slugline, date and byline, which the
    // item states in fields of their own; `<footer>` holds notes and credits.
    "header",
    "footer",
    "script",
    "style",
    "head",
    "media",
    "media-reference",
    "media-metadata",
    "media-object",
    "object",
    "img",
    "iframe",
    "embed",
    "video",
    "audio",
    "figure",
    "note",
    "ed-msg",
    "table-reference",
    "nitf-table-metadata",
    "fn",
    "body.head",
    "body.end",
];

/// The body text of a content element (NITF `body.content`, an XHTML `body`, a NewsML
/// `DataContent`): one paragraph per block element, blank line between paragraphs, inline
/// markup flattened, media, notes and an XHTML `<header>` / `<footer>` left out.
pub fn paragraphs(el: &El) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    walk_blocks(el, &mut cur, &mut out);
    flush(&mut cur, &mut out);
    out.join("\n\n")
}

/// The paragraphs of a text laid out in lines by hand (a `<pre>` block, a NewsML 1.x
/// `DataContent` without markup): a blank line ends a paragraph, and lines are joined
/// where the text was wrapped at its widest line, not in a list or a table
/// ([`wirefold_extract::line_paragraphs`]).
pub fn line_paragraphs_of(text: &str) -> Vec<String> {
    let width = wirefold_extract::widest_line(text.lines());
    wirefold_extract::line_paragraphs(text.lines(), width)
}

fn flush(cur: &mut String, out: &mut Vec<String>) {
    if cur.contains(BREAK) {
        // Lines ended by `<br>`: some agencies (AAP) end every wrapped line so, others set
        // an address, a line-up or results lines with them. The width they were wrapped at
        // is the block's longest line (one long line elsewhere, a line-up's, says nothing of
        // how this block was wrapped).
        let lines: Vec<String> = cur.split(BREAK).map(collapse).collect();
        let width = wirefold_extract::widest_line(lines.iter().map(String::as_str));
        out.extend(wirefold_extract::line_paragraphs(
            lines.iter().map(String::as_str),
            width,
        ));
    } else if let Some(paras) = indented_paragraphs(cur) {
        out.extend(paras);
    } else {
        let p = collapse(cur);
        if !p.is_empty() {
            out.push(p);
        }
    }
    cur.clear();
}

/// A block of plain text laid out the old wire way (Reuters in a single `<p>`): a line
/// indented by a paragraph indent (a tab, or three to five spaces) starts a paragraph,
/// lines flush left go on it. Only when both kinds of line are there (a pretty-printer
/// indents every line alike), and deeper indentation is the markup's nesting.
fn indented_paragraphs(block: &str) -> Option<Vec<String>> {
    let indented = |l: &str| {
        let spaces = l.len() - l.trim_start_matches(' ').len();
        l.starts_with('\t') || (3..=5).contains(&spaces) && !l[spaces..].is_empty()
    };
    let lines: Vec<&str> = block.split('\n').collect();
    let rest = lines.get(1..)?;
    let starts = rest
        .iter()
        .filter(|l| indented(l) && !l.trim().is_empty())
        .count();
    let flush_left = rest
        .iter()
        .filter(|l| !l.trim().is_empty() && !l.starts_with([' ', '\t']))
        .count();
    if starts < 2 || flush_left == 0 {
        return None;
    }
    let mut out = Vec::new();
    let mut para = String::new();
    for (i, l) in lines.iter().enumerate() {
        if i > 0 && (indented(l) || l.trim().is_empty()) {
            let p = collapse(&para);
            if !p.is_empty() {
                out.push(p);
            }
            para.clear();
        }
        para.push(' ');
        para.push_str(l);
    }
    let p = collapse(&para);
    if !p.is_empty() {
        out.push(p);
    }
    Some(out)
}

fn walk_blocks(el: &El, cur: &mut String, out: &mut Vec<String>) {
    for k in &el.kids {
        match k {
            Kid::Text(t) => cur.push_str(t),
            Kid::El(e) if listed(SKIP, &e.name) => {}
            // A line break ends a line (see `flush`).
            Kid::El(e) if e.name.eq_ignore_ascii_case("br") => cur.push(BREAK),
            // Preformatted text: its lines are laid out by hand.
            Kid::El(e) if e.name.eq_ignore_ascii_case("pre") => {
                flush(cur, out);
                out.extend(line_paragraphs_of(&e.raw_text()));
            }
            Kid::El(e) if e.name == "td" || e.name == "th" => {
                cur.push(' ');
                walk_blocks(e, cur, out);
                cur.push(' ');
            }
            Kid::El(e) if listed(BLOCK, &e.name) => {
                flush(cur, out);
                walk_blocks(e, cur, out);
                flush(cur, out);
            }
            Kid::El(e) => {
                if !listed(INLINE, &e.name) {
                    cur.push(' ');
                }
                walk_blocks(e, cur, out);
                // A dateline marked up as such ends where the story begins, whether or
                // not the markup leaves a space ("<span class="dateline">BUENOS AIRES
                // (AP)</span>Argentine President ...").
                if e.attr("class")
                    .is_some_and(|c| c.split_whitespace().any(|c| c == "dateline"))
                {
                    cur.push(' ');
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_bounds() {
        let el = parse("<?xml version='1.0'?><a:x xmlns:a='u' k='1 &amp; 2'><p>One <b>two</b>&nbsp;3</p><p>Four</p></a:x>")
            .unwrap();
        assert_eq!(el.name, "x");
        assert_eq!(el.attr("k"), Some("1 & 2"));
        assert_eq!(paragraphs(&el), "One two\u{a0}3\n\nFour".replace('\u{a0}', " "));
        assert!(
            matches!(parse("<a><b>cut"), Err(XmlError::Truncated { .. })),
            "{:?}",
            parse("<a><b>cut")
        );
        assert!(matches!(parse("<a><b></a>"), Err(XmlError::Malformed { .. })));
        // An XHTML body: the header's headline and slugline are not body text, and a
        // dateline span ends before the story starts.
        let xhtml = parse(
            r#"<body><header><ul class="slugline"><li>Business</li></ul><h1>Head</h1></header>
            <section class="main"><p><span class="dateline">BUENOS AIRES <span class="credit">(AP)</span></span>Argentine
            President <b>Milei</b>.</p><p><span class="dateline">London (dpa) - </span>Text.</p></section>
            <footer><p>Credits</p></footer></body>"#,
        )
        .unwrap();
        let caps = parse(
            "<BODY><TEXT><INGRESS><P>Lead.</P></INGRESS><P>One <B>two</B>.</P><P>Three.</P></TEXT></BODY>",
        )
        .unwrap();
        assert_eq!(paragraphs(&caps), "Lead.\n\nOne two.\n\nThree.");
        assert_eq!(
            paragraphs(&xhtml),
            "BUENOS AIRES (AP) Argentine President Milei.\n\nLondon (dpa) - Text."
        );
        let deep = format!("{}{}", "<d>".repeat(MAX_DEPTH + 1), "</d>".repeat(MAX_DEPTH + 1));
        assert_eq!(parse(&deep), Err(XmlError::TooDeep));
        let bomb = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><lolz>&lol2;</lolz>"#;
        assert_eq!(parse(bomb), Err(XmlError::Entities));
        // NewsML 1.2's boilerplate parameter entity and an external entity are DTD plumbing:
        // read, nothing fetched, an external reference kept as it stands.
        let newsml = "<?xml version=\"1.0\"?>\n<!DOCTYPE NewsML PUBLIC \"urn:newsml:iptc.org:20031010:NewsMLv1.2.dtd:1\" \"NewsML-1.2.dtd\"\n\
                      [<!ENTITY % nitf SYSTEM \"nitf-3-0.dtd\"> %nitf; <!ENTITY logo SYSTEM \"logo.gif\" NDATA gif>]>\n\
                      <NewsML><p>One &amp; &logo; two</p></NewsML>";
        assert_eq!(paragraphs(&parse(newsml).unwrap()), "One & &logo; two");
        let hidden = r#"<!DOCTYPE a [<!ENTITY % p SYSTEM "x.dtd"> <!ENTITY  x   "boom">]><a>&x;</a>"#;
        assert_eq!(parse(hidden), Err(XmlError::Entities));
        assert_eq!(parse("  "), Err(XmlError::Empty));
    }

    #[test]
    fn old_wire_layout_in_one_block_is_paragraphs() {
        // Reuters' layout in a single <p>: indented lines start paragraphs.
        let el = parse(
            "<body><p>(Adds detail)\n    * Spot gold may edge up\n    * Investors eye the Fed\n\n    By Jane Doe\n    Jan 30 (Reuters) - Gold rose on Tuesday on safe\nhaven demand.\n    Second paragraph\ngoes on here.</p></body>",
        )
        .unwrap();
        assert_eq!(
            paragraphs(&el),
            "(Adds detail)\n\n* Spot gold may edge up\n\n* Investors eye the Fed\n\nBy Jane Doe\n\nJan 30 (Reuters) - Gold rose on Tuesday on safe haven demand.\n\nSecond paragraph goes on here."
        );
        // Pretty-printed markup indents every line alike: one paragraph.
        let el = parse(
            "<body><p>\n      A paragraph that a pretty-printer\n      wrapped over lines.\n    </p></body>",
        )
        .unwrap();
        assert_eq!(
            paragraphs(&el),
            "A paragraph that a pretty-printer wrapped over lines."
        );
    }

    #[test]
    fn breaks_and_preformatted_lines_keep_rows_and_join_wrapped_prose() {
        // AAP ends every wrapped line with <br/>: one paragraph. A line-up's lines stay lines.
        let el = parse(
            "<body><p>Blake Ferguson has been named to make his top grade return at<br/>centre in the \
             Sydney Roosters NRL trial against Manly on Saturday.</p> \
             <p>International Match<br/>Mexico v Panama<br/>Mexico: Talavera, M. Herrera, I. Jimenez, \
             Torres Nilo, Rivas, Jonathan, Guemez, Esquivel, Aquino, R. Jimenez, Vela.</p></body>",
        )
        .unwrap();
        assert_eq!(
            paragraphs(&el),
            "Blake Ferguson has been named to make his top grade return at centre in the Sydney \
             Roosters NRL trial against Manly on Saturday.\n\nInternational Match\n\nMexico v Panama\n\n\
             Mexico: Talavera, M. Herrera, I. Jimenez, Torres Nilo, Rivas, Jonathan, Guemez, Esquivel, \
             Aquino, R. Jimenez, Vela."
        );
        // A standings table in <pre>: a row per line, columns collapsed.
        let el = parse(
            "<body><p>The standings:</p><pre>\n \
             W   L   Pct\nTampa Bay    73  52  .584\n\
             Cleveland    73  51  .589\n</pre></body>",
        )
        .unwrap();
        assert_eq!(
            paragraphs(&el),
            "The standings:\n\nW L Pct\n\nTampa Bay 73 52 .584\n\nCleveland 73 51 .589"
        );
    }
}
