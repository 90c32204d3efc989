//! Simple agency XML: a document in none of the IPTC formats whose elements name the
//! item's parts plainly, as in-house wire layouts do (Canadian Press's `Publish` with
//! `Headline`, `Byline` and `ContentText`; Ritzau's `RBNews` with `headline`, `strapline`
//! and `content`). Element names are matched whatever their case: a body element
//! (`ContentText`, `content`, `body`, `BodyText`, `text`, `story`...), a headline
//! (`Headline`, `HeadLine`, `title`), a byline, an item id (`NewsID`, `guid`, `uri`,
//! `ItemId`), a publish date, a version, a slugline (`slugline`, `strapline`) and the
//! supplier (`provider`, `origin`, `agency`, `distributor`, `copyrightholder`). A body
//! of escaped markup is read as HTML.
//!
//! Only a document with a body of at least [`MIN_BODY`] characters is an item: anything
//! else (a fixtures table, a settings file, a bare list of values) gives `None`, and
//! [`crate::read`] refuses it with the reason rather than let a page reader make an article
//! of its text nodes. Web pages and feeds (`html`, `rss`, `feed`, RDF, sitemaps) never
//! come here.

use crate::tree::{El, Kid, drop_tags, paragraphs};
use crate::{Body, Document, Format, Item, apply_headline_signal, date, nonblank, text_or_html};

/// Characters of body text an item needs at least.
pub const MIN_BODY: usize = 80;
/// Entries of a list read at most (the rest are left out, and said so).
pub const MAX_ITEMS: usize = 1000;
/// Elements searched at most, and how deep.
const MAX_SEEN: usize = 4096;
const MAX_DEPTH: usize = 8;

const BODY: &[&str] = &[
    "contenttext",
    "content",
    "body",
    "bodytext",
    "body_text",
    "storytext",
    "story",
    "text",
];
const HEADLINE: &[&str] = &["headline", "head_line", "title"];
const BYLINE: &[&str] = &["byline", "by_line", "author"];
const ID: &[&str] = &["newsid", "guid", "uri", "itemid", "storyid"];
const PUBLISHED: &[&str] = &[
    "firstcreated",
    "publishdate",
    "pubdate",
    "published",
    "publicationdate",
    "date",
];
const VERSION: &[&str] = &["version", "revision"];
const SLUG: &[&str] = &["slugline", "slug", "strapline", "keyword"];
/// The supplier of the item (Ritzau's `origin`, "/ritzau/" or "Via Ritzau").
const PROVIDER: &[&str] = &["provider", "origin", "agency", "distributor", "copyrightholder"];

/// Roots that are web pages, feeds or sitemaps, not wire items.
const NOT_ITEMS: &[&str] = &[
    "html",
    "rss",
    "feed",
    "rdf",
    "urlset",
    "sitemapindex",
    "opml",
    "svg",
];

/// Whether a root element may be a simple agency layout (not a page, feed or sitemap).
pub fn may_be(root: &str) -> bool {
    !NOT_ITEMS.iter().any(|n| n.eq_ignore_ascii_case(root))
}

/// Reads a simple agency layout; `None` when the document has no body of an item. A root
/// whose children repeat one element that holds an item (a feed of `RBNews`) gives an item
/// per child, each read on its own; otherwise the root is one item.
pub fn read(root: &El) -> Option<Document> {
    // The list may sit under a response wrapper: the first element, breadth first, whose
    // children repeat one element holding an item.
    let mut els: Vec<&El> = vec![root];
    collect(root, 2, &mut els);
    for parent in els {
        let mut groups: Vec<(&str, Vec<&El>)> = Vec::new();
        for c in parent.elements() {
            match groups.iter_mut().find(|(n, _)| *n == c.name) {
                Some((_, v)) => v.push(c),
                None => groups.push((&c.name, vec![c])),
            }
        }
        for (_, members) in groups.iter().filter(|(_, v)| v.len() >= 2) {
            let read = &members[..members.len().min(MAX_ITEMS)];
            let items: Vec<Item> = read.iter().filter_map(|m| item(m)).collect();
            if items.len() >= 2 {
                let mut problems = Vec::new();
                if items.len() < read.len() {
                    problems.push(format!(
                        "{} of {} entries hold no body of an item",
                        read.len() - items.len(),
                        read.len()
                    ));
                }
                if members.len() > read.len() {
                    problems.push(format!(
                        "{} entries after the first {MAX_ITEMS} left out",
                        members.len() - read.len()
                    ));
                }
                return Some(Document {
                    format: Format::SimpleXml,
                    items,
                    problems,
                });
            }
        }
    }
    Some(Document {
        format: Format::SimpleXml,
        items: vec![item(root)?],
        problems: Vec::new(),
    })
}

/// One item from an element and what is below it.
fn item(root: &El) -> Option<Item> {
    let mut els: Vec<&El> = Vec::new();
    collect(root, 0, &mut els);
    let named = |names: &[&str]| -> Vec<&El> {
        names
            .iter()
            .flat_map(|n| {
                els.iter()
                    .filter(move |e| e.name.eq_ignore_ascii_case(n))
                    .copied()
            })
            .collect()
    };
    // The body: the longest text among the body elements.
    let (body, len) = named(BODY).into_iter().map(body_of).max_by_key(|(_, len)| *len)?;
    if len < MIN_BODY {
        return None;
    }
    let first_text = |names: &[&str], max: usize| {
        named(names)
            .into_iter()
            .map(El::text)
            .find(|t| !t.is_empty() && t.chars().count() <= max)
    };
    let mut it = Item {
        headline: first_text(HEADLINE, 400),
        byline: first_text(BYLINE, 200),
        uri: first_text(ID, 300),
        firstcreated: named(PUBLISHED).into_iter().find_map(|e| date(&e.text())),
        version: named(VERSION).into_iter().find_map(|e| e.text().parse().ok()),
        slugline: first_text(SLUG, 200),
        provider: named(PROVIDER)
            .into_iter()
            .find_map(|e| crate::provider_name(&e.text())),
        language: nonblank(root.attr("lang").map(str::to_string)),
        body,
        ..Default::default()
    };
    it.versioncreated = it.firstcreated.clone();
    apply_headline_signal(&mut it);
    Some(it)
}

/// Elements in breadth order, bounded in number and depth.
fn collect<'a>(el: &'a El, depth: usize, out: &mut Vec<&'a El>) {
    let mut level: Vec<&El> = vec![el];
    for _ in depth..MAX_DEPTH {
        let mut next = Vec::new();
        for e in level {
            for k in &e.kids {
                if let Kid::El(c) = k {
                    if out.len() >= MAX_SEEN {
                        return;
                    }
                    out.push(c);
                    next.push(c);
                }
            }
        }
        if next.is_empty() {
            return;
        }
        level = next;
    }
}

/// A body element's text (escaped markup as HTML) and its length in characters, markup
/// left out.
fn body_of(el: &El) -> (Body, usize) {
    let has_children = el.kids.iter().any(|k| matches!(k, Kid::El(_)));
    if has_children {
        let text = paragraphs(el);
        let len = text.chars().count();
        return (Body::Text(text), len);
    }
    let raw = el.raw_text();
    let body = text_or_html(raw.trim().to_string());
    let len = match &body {
        Body::Html(h) => drop_tags(h).chars().filter(|c| !c.is_whitespace()).count(),
        Body::Text(t) => t.chars().filter(|c| !c.is_whitespace()).count(),
        Body::None => 0,
    };
    (body, len)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(xml: &str) -> Option<Document> {
        read(&crate::tree::parse(xml).unwrap())
    }

    #[test]
    fn in_house_layouts_read_by_their_element_names() {
        // Canadian Press: flags and codes around a headline, a byline and escaped HTML.
        let cp = doc(
            r#"<Publish><Reschedule>false</Reschedule><PublishID>20329823</PublishID><ContentItem>
            <Byline>Mark Kennedy</Byline><Headline>Review: Documentary holds little spark</Headline>
            <Headline2>Review: Documentary holds little spark</Headline2>
            <ContentText>&lt;p&gt;For proof that a star cannot save every film he touches, look no further than this one, a documentary about electric racing.&lt;/p&gt;&lt;p&gt;Second.&lt;/p&gt;</ContentText>
            </ContentItem></Publish>"#,
        )
        .unwrap();
        let it = &cp.items[0];
        assert_eq!(cp.format, Format::SimpleXml);
        assert_eq!(
            it.headline.as_deref(),
            Some("Review: Documentary holds little spark")
        );
        assert_eq!(it.byline.as_deref(), Some("Mark Kennedy"));
        assert!(
            matches!(&it.body, Body::Html(h) if h.starts_with("<p>For proof")),
            "{:?}",
            it.body
        );
        // Ritzau: a nil headline, a strapline, an id, a date and a version.
        let rb = doc(
            r#"<RBNews><NewsID>9a6955fc</NewsID><PublishDate>2018-01-30T17:32:18.397</PublishDate>
            <strapline>NU/FLASH-U</strapline><headline/><version>1</version>
            <content>&lt;p&gt;Hollandske forskere har i årevis lavet forsøg på både mennesker og dyr med udstødningsgas fra dieselbiler, fortæller forskerne.&lt;/p&gt;</content>
            </RBNews>"#,
        )
        .unwrap();
        let it = &rb.items[0];
        assert_eq!(it.headline, None);
        assert_eq!((it.uri.as_deref(), it.version), (Some("9a6955fc"), Some(1)));
        assert_eq!(it.slugline.as_deref(), Some("NU/FLASH-U"));
        assert_eq!(it.firstcreated.as_deref().map(|d| &d[..10]), Some("2018-01-30"));
        // A feed of such items: one item each, nothing mixed between them.
        let entry = |h: &str, by: &str, body: &str| {
            format!("<RBNews><headline>{h}</headline><byLine>{by}</byLine><content>{body}</content></RBNews>")
        };
        let long = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore.";
        let feed = doc(&format!(
            "<Response><Result><error>0</error><List>{}{}{}</List></Result></Response>",
            entry("First", "", long),
            entry("Second", "Ann Roe", &format!("{long} {long}")),
            entry("Third", "Bo Li", "short")
        ))
        .unwrap();
        let heads: Vec<_> = feed
            .items
            .iter()
            .map(|i| (i.headline.as_deref(), i.byline.as_deref()))
            .collect();
        assert_eq!(heads, [(Some("First"), None), (Some("Second"), Some("Ann Roe"))]);
        assert_eq!(feed.problems, ["1 of 3 entries hold no body of an item"]);
        // A list is read up to MAX_ITEMS entries, and says what it left out.
        let many = format!("<List>{}</List>", entry("H", "", long).repeat(MAX_ITEMS + 5));
        let many = doc(&many).unwrap();
        assert_eq!(many.items.len(), MAX_ITEMS);
        assert_eq!(many.problems, ["5 entries after the first 1000 left out"]);
        // No body of an item: left to the caller.
        assert!(doc("<Response><Fixtures><Team ID='1' Name='A'/></Fixtures></Response>").is_none());
        assert!(doc("<settings><text>short</text></settings>").is_none());
        assert!(!may_be("html") && !may_be("RDF") && may_be("Publish"));
    }
}
