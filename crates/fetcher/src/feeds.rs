//! Feed parsing: RSS 0.9x/1.0/2.0, Atom and JSON Feed (through feed-rs) into the few
//! things the fetcher needs per item: a stable identity, a fingerprint that changes when
//! the item changes, the hints, and either full content or a link to fetch.
//!
//! Pure: bytes in, items out. Fetching linked pages is [`crate::poll`]'s job.

use std::time::Duration;

use wirefold_wire::{FeedBody, ItemHints};

use crate::{FetchError, content_id};

/// A parsed feed.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedFeed {
    /// The feed's `ttl` (RSS), as a freshness hint.
    pub ttl: Option<Duration>,
    /// Items in feed order.
    pub items: Vec<FeedItem>,
}

/// One feed item.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedItem {
    /// Stable identity: the guid/id when the feed gives one, else the link.
    pub uri: String,
    /// Changes when the item's content, title or dates change.
    pub fingerprint: String,
    /// The article link, absolute.
    pub link: Option<String>,
    /// Full content (`content:encoded`, Atom `content`, JSON `content_html`).
    pub content: Option<String>,
    /// Summary or description.
    pub summary: Option<String>,
    /// Headline, byline, dates, language.
    pub hints: ItemHints,
}

impl FeedItem {
    /// The item as a document without fetching its link: its full content, else its
    /// summary (or headline), as HTML, and its hints saying which of the two the body is.
    pub fn offline(&self) -> (Vec<u8>, ItemHints) {
        let mut hints = self.hints.clone();
        let body = match &self.content {
            Some(c) => {
                hints.feed_body = Some(FeedBody::Content);
                c.clone().into_bytes()
            }
            None => {
                hints.feed_body = Some(FeedBody::Summary);
                self.summary
                    .as_deref()
                    .or(self.hints.headline.as_deref())
                    .unwrap_or("")
                    .as_bytes()
                    .to_vec()
            }
        };
        (body, hints)
    }
}

/// Whether `bytes` are a feed document (an RSS, RDF or Atom root element, or a JSON Feed),
/// judged from the document's start: a file that is one gives its items, not a page.
pub fn looks_like_feed(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(64 * 1024)];
    let trimmed = head.trim_ascii_start();
    let trimmed = trimmed.strip_prefix(b"\xef\xbb\xbf").unwrap_or(trimmed);
    if trimmed.first() == Some(&b'{') {
        // JSON Feed names itself in `version` (a ninjs item never says jsonfeed.org: no
        // second parse of every ninjs file); read only when the whole file is JSON.
        if !head.windows(12).any(|w| w == b"jsonfeed.org") {
            return false;
        }
        return serde_json::from_slice::<serde_json::Value>(bytes).is_ok_and(|v| {
            v.get("version")
                .and_then(|v| v.as_str())
                .is_some_and(|v| v.contains("jsonfeed.org"))
        });
    }
    // The first element is the root; the walk stops there (text before it is an error).
    let head = String::from_utf8_lossy(trimmed);
    let mut root = None;
    let _ = crate::xml::walk(&head, |node| {
        if let crate::xml::Node::Start { name, .. } = node {
            root = Some(name);
        }
        false
    });
    matches!(root.as_deref(), Some("rss" | "feed" | "RDF"))
}

/// Which items of a WordPress export (WXR) are stories, per `<item>` in document order;
/// `None` when `bytes` are no WordPress export. An export is an RSS feed of everything a
/// site holds (posts, pages, attachments, menu items, drafts, trash): only a post
/// (`wp:post_type` `post`) that is published (`wp:status` `publish`) is a story. An item
/// that states neither is kept.
pub fn wordpress_posts(bytes: &[u8]) -> Option<Vec<bool>> {
    let head = &bytes[..bytes.len().min(8 * 1024)];
    if !head.windows(20).any(|w| w == b"wordpress.org/export") {
        return None;
    }
    let text = String::from_utf8_lossy(bytes);
    let mut out = Vec::new();
    let mut depth = 0usize;
    // The open item: its depth, post type and status.
    let mut item: Option<(usize, Option<String>, Option<String>)> = None;
    // The item field whose text comes next.
    let mut field: Option<&'static str> = None;
    crate::xml::walk(&text, |node| {
        match node {
            crate::xml::Node::Start { name, .. } => {
                depth += 1;
                match (&item, name.as_str()) {
                    (None, "item") => item = Some((depth, None, None)),
                    (Some((d, ..)), "post_type") if depth == d + 1 => field = Some("type"),
                    (Some((d, ..)), "status") if depth == d + 1 => field = Some("status"),
                    _ => field = None,
                }
            }
            crate::xml::Node::Text(t) => {
                if let (Some(f), Some((_, ty, st))) = (field, item.as_mut()) {
                    let slot = if f == "type" { ty } else { st };
                    slot.get_or_insert_with(String::new).push_str(&t);
                }
            }
            crate::xml::Node::End(name) => {
                field = None;
                if name == "item"
                    && item.as_ref().is_some_and(|(d, ..)| *d == depth)
                    && let Some((_, ty, st)) = item.take()
                {
                    let post = ty.as_deref().is_none_or(|t| t.trim() == "post");
                    let published = st.as_deref().is_none_or(|s| s.trim() == "publish");
                    out.push(post && published);
                }
                depth = depth.saturating_sub(1);
            }
        }
        true
    })
    .ok()?;
    Some(out)
}

/// The HTML of a WordPress export's post content as the site shows it: an export holds the
/// post as written, with the paragraphs as blank lines and the shortcodes that the site
/// renders on every view (`[dropcap]M[/dropcap]ost`, `[caption ...]<img> Text[/caption]`,
/// `[contact_form]` on a line of its own).
///
/// - Text between blank lines that does not open with a block element is a paragraph
///   (`<p>`), as WordPress's `wpautop` makes it;
/// - an enclosing shortcode gives its content (`[caption]`'s inside a `<figure>`, which
///   article extraction treats as a figure, not as prose);
/// - a self-closing one (`[gallery ids="4,5" /]`), or one that stands alone on its line
///   (`[contact_form]`), renders to nothing;
/// - `[[name]]` is WordPress's escape for a literal `[name]`;
/// - anything else in brackets stays: `[sic]`, `[1]`, `[the minister]` inside a sentence.
///
/// Nesting is followed 9 deep (what is inside stays as written); each tag costs one lookup
/// of its closing tag among those found in one pass, so a hostile post stays linear.
pub fn wordpress_content(html: &str) -> std::borrow::Cow<'_, str> {
    let rendered = shortcodes(html);
    if !rendered.contains("\n\n") && !rendered.contains("\r\n\r\n") {
        return rendered;
    }
    let text = rendered.replace("\r\n", "\n");
    let mut out = String::with_capacity(text.len() + 64);
    for chunk in text.split("\n\n") {
        let t = chunk.trim();
        if t.is_empty() || t == "<p></p>" {
            continue;
        }
        if opens_block(t) {
            out.push_str(t);
        } else {
            out.push_str("<p>");
            out.push_str(t);
            out.push_str("</p>");
        }
        out.push('\n');
    }
    out.into()
}

/// Whether `t` opens with a block element (or a comment), which `wpautop` leaves alone.
fn opens_block(t: &str) -> bool {
    let Some(rest) = t.strip_prefix('<') else {
        return false;
    };
    if rest.starts_with("!--") {
        return true;
    }
    let rest = rest.strip_prefix('/').unwrap_or(rest);
    let name: String = rest
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    AUTOP_BLOCKS.contains(&name.as_str())
}

/// The elements `wpautop` wraps in no paragraph (WordPress's block elements).
const AUTOP_BLOCKS: &[&str] = &[
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "table",
    "thead",
    "tbody",
    "tr",
    "td",
    "th",
    "blockquote",
    "figure",
    "figcaption",
    "pre",
    "hr",
    "section",
    "article",
    "aside",
    "header",
    "footer",
    "nav",
    "form",
    "iframe",
    "script",
    "style",
    "address",
];

/// [`wordpress_content`]'s shortcode rendering.
fn shortcodes(html: &str) -> std::borrow::Cow<'_, str> {
    if !html.contains('[') {
        return html.into();
    }
    // Offsets of every closing tag, by name.
    let mut closers: std::collections::HashMap<&str, Vec<usize>> = Default::default();
    for (at, _) in html.match_indices("[/") {
        if let Some(t) = shortcode_tag(&html[at..]).filter(|t| t.closing) {
            closers.entry(t.name).or_default().push(at);
        }
    }
    let mut out = String::with_capacity(html.len());
    render_shortcodes(html, 0, html.len(), &closers, 0, &mut out);
    out.into()
}

/// A shortcode tag at the start of `s`.
struct Tag<'a> {
    name: &'a str,
    closing: bool,
    self_closing: bool,
    len: usize,
}

/// Reads the tag `s` starts with (`[name attrs]`, `[name attrs /]`, `[/name]`); `None` when
/// it is no tag (a name starts with an ASCII letter and runs on letters, digits, `_` and
/// `-`; attributes stay on one line, hold no `[` and are under 1 KiB).
fn shortcode_tag(s: &str) -> Option<Tag<'_>> {
    let b = s.as_bytes();
    let closing = b.get(1) == Some(&b'/');
    let start = if closing { 2 } else { 1 };
    if !b.get(start)?.is_ascii_alphabetic() {
        return None;
    }
    let mut i = start;
    while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'-') {
        i += 1;
    }
    let name = &s[start..i];
    match *b.get(i)? {
        b']' => {
            return Some(Tag {
                name,
                closing,
                self_closing: false,
                len: i + 1,
            });
        }
        b' ' | b'\t' | b'/' if !closing => {}
        _ => return None,
    }
    let rest = &s[i..s.len().min(i + 1024)];
    let end = rest.find([']', '[', '\n'])?;
    if rest.as_bytes()[end] != b']' {
        return None;
    }
    Some(Tag {
        name,
        closing,
        self_closing: rest[..end].trim_end().ends_with('/'),
        len: i + end + 1,
    })
}

/// Whether `s[from..to]` is alone on its line (`<p>` and `</p>` around it allowed).
fn alone_on_line(s: &str, from: usize, to: usize) -> bool {
    let before = s[..from].rsplit('\n').next().unwrap_or("").trim();
    let after = s[to..].split('\n').next().unwrap_or("").trim();
    matches!(before, "" | "<p>") && matches!(after, "" | "</p>")
}

fn render_shortcodes(
    s: &str,
    mut at: usize,
    end: usize,
    closers: &std::collections::HashMap<&str, Vec<usize>>,
    depth: usize,
    out: &mut String,
) {
    while let Some(k) = s[at..end].find('[') {
        let open = at + k;
        out.push_str(&s[at..open]);
        at = open;
        // `[[name ...]]`: the tag, literally.
        if s[open..end].starts_with("[[")
            && let Some(t) = shortcode_tag(&s[open + 1..end])
            && s[open + 1 + t.len..end].starts_with(']')
        {
            out.push_str(&s[open + 1..open + 1 + t.len]);
            at = open + t.len + 2;
            continue;
        }
        let Some(t) = shortcode_tag(&s[open..end]) else {
            out.push('[');
            at += 1;
            continue;
        };
        let after = open + t.len;
        if t.closing || t.self_closing {
            // A closing tag whose opening was rendered already, or a self-closing one.
            at = after;
            continue;
        }
        let close = closers.get(t.name).and_then(|c| {
            let i = c.partition_point(|&x| x < after);
            c.get(i).copied().filter(|&x| x < end)
        });
        match close {
            Some(close) => {
                let figure = matches!(t.name, "caption" | "wp_caption");
                if figure {
                    out.push_str("<figure>");
                }
                if depth < 8 {
                    render_shortcodes(s, after, close, closers, depth + 1, out);
                } else {
                    // Deeper than any post nests: its content as written.
                    out.push_str(&s[after..close]);
                }
                if figure {
                    out.push_str("</figure>");
                }
                at = close + t.name.len() + 3;
            }
            None if alone_on_line(s, open, after) => at = after,
            _ => {
                out.push_str(&s[open..after]);
                at = after;
            }
        }
    }
    out.push_str(&s[at..end]);
}

/// Parses feed bytes; `base` resolves relative links.
pub fn parse_feed(bytes: &[u8], base: Option<&str>) -> Result<ParsedFeed, FetchError> {
    // No invented ids: feed-rs would hash link and title, or draw a random UUID when there
    // is no link, which would make the item new on every poll.
    let parser = feed_rs::parser::Builder::new()
        .base_uri(base)
        .id_generator(|_, _, _| String::new())
        .build();
    let feed = parser.parse(bytes).map_err(|e| FetchError::Malformed {
        what: "feed",
        message: e.to_string(),
    })?;
    let feed_lang = feed.language.clone();
    let items = feed
        .entries
        .into_iter()
        .map(|e| {
            let link = e
                .links
                .iter()
                .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
                .or_else(|| e.links.first())
                .map(|l| l.href.clone());
            let content = e
                .content
                .as_ref()
                .and_then(|c| c.body.clone())
                .filter(|b| !b.trim().is_empty());
            let summary = e
                .summary
                .as_ref()
                .map(|t| t.content.clone())
                .filter(|s| !s.trim().is_empty());
            let title = e
                .title
                .as_ref()
                .map(|t| t.content.trim().to_string())
                .filter(|t| !t.is_empty());
            let byline = {
                let names: Vec<&str> = e
                    .authors
                    .iter()
                    .filter_map(|p| p.name.as_deref().map(str::trim))
                    .filter(|n| !n.is_empty())
                    .collect();
                (!names.is_empty()).then(|| names.join(", "))
            };
            let rfc = |t: Option<chrono::DateTime<chrono::Utc>>| {
                t.and_then(|t| wirefold_wire::time::format_ms(t.timestamp_millis()))
            };
            let hints = ItemHints {
                headline: title,
                byline,
                firstcreated: rfc(e.published.or(e.updated)),
                versioncreated: rfc(e.updated.or(e.published)),
                language: e.language.clone().or_else(|| feed_lang.clone()),
                pubstatus: None,
                feed_body: None,
            };
            // Without a guid the link is the identity; without either, headline and text.
            let uri = if !e.id.trim().is_empty() {
                e.id.trim().to_string()
            } else if let Some(l) = &link {
                l.clone()
            } else {
                let h = hints.headline.as_deref().unwrap_or("");
                let t = summary.as_deref().or(content.as_deref()).unwrap_or("");
                format!("urn:wirefold:item:{}", content_id(&[h.as_bytes(), t.as_bytes()]))
            };
            let fingerprint = content_id(&[
                hints.headline.as_deref().unwrap_or("").as_bytes(),
                summary.as_deref().unwrap_or("").as_bytes(),
                content.as_deref().unwrap_or("").as_bytes(),
                hints.versioncreated.as_deref().unwrap_or("").as_bytes(),
                link.as_deref().unwrap_or("").as_bytes(),
            ]);
            FeedItem {
                uri,
                fingerprint,
                link,
                content,
                summary,
                hints,
            }
        })
        .collect();
    Ok(ParsedFeed {
        ttl: feed.ttl.map(|m| Duration::from_secs(u64::from(m) * 60)),
        items,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    const RSS: &str = r#"<?xml version="1.0"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>T</title><link>https://n.test/</link><ttl>15</ttl><language>en</language>
<item><title>Full one</title><link>https://n.test/a</link><guid>urn:n:a</guid>
  <dc:creator>Jane Doe</dc:creator><pubDate>Tue, 02 Jan 2024 10:00:00 GMT</pubDate>
  <description>short</description><content:encoded><![CDATA[<p>Full body</p>]]></content:encoded></item>
<item><title>Summary only</title><link>/b</link><description>teaser</description></item>
</channel></rss>"#;

    const ATOM: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><id>urn:a</id><updated>2024-01-02T10:00:00Z</updated>
<entry><title>Atom item</title><id>tag:n.test,2024:1</id><link href="https://n.test/x"/>
<updated>2024-01-02T11:00:00Z</updated><published>2024-01-02T09:00:00Z</published>
<author><name>Ann</name></author><summary>sum</summary></entry></feed>"#;

    const JSON: &str = r#"{"version":"https://jsonfeed.org/version/1.1","title":"J","items":[
{"id":"j1","url":"https://n.test/j1","title":"Json item","content_html":"<p>hi</p>","date_published":"2024-01-02T10:00:00Z"}]}"#;

    #[test]
    fn parses_the_three_families() {
        let rss = parse_feed(RSS.as_bytes(), Some("https://n.test/feed.xml")).unwrap();
        assert_eq!(rss.ttl, Some(Duration::from_secs(900)));
        assert_eq!(rss.items.len(), 2);
        let a = &rss.items[0];
        assert_eq!(a.uri, "urn:n:a");
        assert_eq!(a.content.as_deref(), Some("<p>Full body</p>"));
        assert_eq!(a.hints.headline.as_deref(), Some("Full one"));
        assert_eq!(a.hints.byline.as_deref(), Some("Jane Doe"));
        assert_eq!(a.hints.firstcreated.as_deref(), Some("2024-01-02T10:00:00Z"));
        assert_eq!(a.hints.language.as_deref(), Some("en"));
        let b = &rss.items[1];
        assert_eq!(
            b.uri, "https://n.test/b",
            "no guid: the resolved link is the identity"
        );
        assert!(b.content.is_none());
        assert_eq!(b.summary.as_deref(), Some("teaser"));

        let atom = parse_feed(ATOM.as_bytes(), None).unwrap();
        let x = &atom.items[0];
        assert_eq!(
            (x.uri.as_str(), x.link.as_deref()),
            ("tag:n.test,2024:1", Some("https://n.test/x"))
        );
        assert_eq!(x.hints.firstcreated.as_deref(), Some("2024-01-02T09:00:00Z"));
        assert_eq!(x.hints.versioncreated.as_deref(), Some("2024-01-02T11:00:00Z"));

        let json = parse_feed(JSON.as_bytes(), None).unwrap();
        assert_eq!(json.items[0].uri, "j1");
        assert_eq!(json.items[0].content.as_deref(), Some("<p>hi</p>"));
    }

    #[test]
    fn fingerprint_follows_content_not_order() {
        let one = parse_feed(RSS.as_bytes(), None).unwrap();
        let again = parse_feed(RSS.as_bytes(), None).unwrap();
        assert_eq!(one.items[0].fingerprint, again.items[0].fingerprint);
        let changed = parse_feed(RSS.replace("Full body", "Full body, corrected").as_bytes(), None).unwrap();
        assert_eq!(changed.items[0].uri, one.items[0].uri);
        assert_ne!(changed.items[0].fingerprint, one.items[0].fingerprint);
        assert_eq!(changed.items[1].fingerprint, one.items[1].fingerprint);
    }

    #[test]
    fn malformed_feeds_are_errors() {
        for bad in [
            "",
            "<rss version=\"2.0\"><channel><item><title>x</item>",
            "{\"version\": 3",
            "<html><body>no</body></html>",
            "just text",
        ] {
            assert!(
                matches!(
                    parse_feed(bad.as_bytes(), None),
                    Err(FetchError::Malformed { what: "feed", .. })
                ),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn feed_documents_are_told_from_others_by_their_root() {
        for feed in [
            RSS,
            "\u{feff}<?xml version=\"1.0\"?>\n<!-- export -->\n<!DOCTYPE rss>\n<rss version=\"2.0\"><channel/></rss>",
            "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title></feed>",
            "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"><channel/></rdf:RDF>",
            r#"{"version":"https://jsonfeed.org/version/1.1","title":"t","items":[]}"#,
        ] {
            assert!(looks_like_feed(feed.as_bytes()), "{feed}");
        }
        for other in [
            "<html><head><title>t</title></head><body><p>x</p></body></html>",
            "<?xml version=\"1.0\"?><newsItem guid=\"g\"/>",
            "<nitf><head><title>rss</title></head></nitf>",
            r#"{"uri":"u","type":"text","version":"1"}"#,
            "Plain text that mentions <rss> in passing.",
            "<rss",
            "",
        ] {
            assert!(!looks_like_feed(other.as_bytes()), "{other}");
        }
    }

    /// A WordPress export: a published post (with shortcodes), a draft, an image
    /// attachment, a page, and a post whose comment has a status of its own.
    pub(crate) const WXR: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Site</title><link>https://site.test</link><wp:wxr_version>1.2</wp:wxr_version>
<item><title>Council approves budget</title><link>https://site.test/budget</link><guid>https://site.test/?p=1</guid>
<content:encoded><![CDATA[<p>[dropcap]T[/dropcap]he council approved the budget.</p>
[contact_form]]]></content:encoded><wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item>
<item><title>Draft</title><guid>https://site.test/?p=2</guid><content:encoded><![CDATA[<p>Not yet.</p>]]></content:encoded><wp:status>draft</wp:status><wp:post_type>post</wp:post_type></item>
<item><title>photo.jpg</title><guid>https://site.test/photo.jpg</guid><wp:status>inherit</wp:status><wp:post_type>attachment</wp:post_type></item>
<item><title>About us</title><guid>https://site.test/?page_id=4</guid><wp:status>publish</wp:status><wp:post_type>page</wp:post_type></item>
<item><title>Roads reopen</title><guid>https://site.test/?p=5</guid><content:encoded><![CDATA[<p>Roads reopened.</p>]]></content:encoded>
<wp:comment><wp:comment_id>1</wp:comment_id><wp:status>spam</wp:status></wp:comment><wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item>
</channel></rss>"#;

    #[test]
    fn wordpress_shortcodes_render_as_the_site_shows_them() {
        let r = |s: &str| shortcodes(s).into_owned();
        assert_eq!(
            r("<strong>[dropcap]M[/dropcap]ysterium</strong> ist"),
            "<strong>Mysterium</strong> ist"
        );
        assert_eq!(
            r("Text.\n\n[contact_form]\n\nMore.\n<p>[gallery ids=\"4,5\"]</p>"),
            "Text.\n\n\n\nMore.\n<p></p>"
        );
        // Then the paragraphs: blank lines part them, block elements stay as they are.
        assert_eq!(
            wordpress_content(
                "[dropcap]T[/dropcap]ext.\r\n\r\n[contact_form]\n\n<h2>Sub</h2>\n\nMore\nlines.\n\n<p>[gallery]</p>"
            ),
            "<p>Text.</p>\n<h2>Sub</h2>\n<p>More\nlines.</p>\n"
        );
        assert_eq!(
            r(
                r#"[caption id="attachment_7" align="alignnone" width="300"]<img src="a.jpg"> The bridge.[/caption] Text"#
            ),
            r#"<figure><img src="a.jpg"> The bridge.</figure> Text"#
        );
        assert_eq!(r(r#"A [gallery ids="1,2" /] B"#), "A  B");
        // Brackets in prose stay; so does a bare tag inside a sentence.
        for prose in [
            "He said [sic] that.",
            "As reported [1], the [the minister] said.",
            "Call it [beta] for now.",
            "[Reuters] opens a line of its own? It has more.",
            "Unclosed [b",
            "[",
            "a [/ b]",
        ] {
            assert_eq!(r(prose), prose);
        }
        // The escape gives the literal tag; nesting renders inside out.
        assert_eq!(
            r("Use [[gallery]] to show pictures."),
            "Use [gallery] to show pictures."
        );
        assert_eq!(r("[b][i]x[/i] y[/b]"), "x y");
        assert!(matches!(
            wordpress_content("no brackets"),
            std::borrow::Cow::Borrowed(_)
        ));
        assert!(matches!(
            wordpress_content("<p>One.</p>\n<p>Two.</p>"),
            std::borrow::Cow::Borrowed(_)
        ));
        // Deep or hostile input: bounded work, every byte accounted for.
        let deep = "[a]".repeat(50) + "x" + &"[/a]".repeat(50);
        assert!(r(&deep).contains('x'));
        // Nine levels are rendered; what is inside the ninth stays as written.
        let open: String = (1..=10).map(|k| format!("[t{k}]")).collect();
        let close: String = (1..=10).rev().map(|k| format!("[/t{k}]")).collect();
        assert_eq!(r(&format!("{open}x{close}")), "[t10]x[/t10]");
        let many = "[a]y ".repeat(20_000) + "[/a]";
        assert_eq!(r(&many).matches('y').count(), 20_000);
    }

    proptest::proptest! {
        /// Post content made of shortcode-shaped pieces never panics, never grows a `[`,
        /// and content without brackets or blank lines comes back as it was.
        #[test]
        fn wordpress_content_of_any_post(pieces in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::strategy::Just("[".to_string()),
                proptest::strategy::Just("]".to_string()),
                proptest::strategy::Just("[/".to_string()),
                proptest::strategy::Just("[[".to_string()),
                proptest::strategy::Just("]]".to_string()),
                proptest::strategy::Just(" /]".to_string()),
                proptest::strategy::Just("\n\n".to_string()),
                proptest::strategy::Just("\r\n".to_string()),
                proptest::strategy::Just("<p>".to_string()),
                proptest::strategy::Just("caption".to_string()),
                proptest::strategy::Just("dropcap".to_string()),
                proptest::strategy::Just(" id=\"7\"".to_string()),
                "[a-z_ -]{0,6}",
                "\\PC{0,4}",
            ],
            0..60,
        )) {
            let post: String = pieces.concat();
            let out = wordpress_content(&post);
            proptest::prop_assert!(out.matches('[').count() <= post.matches('[').count());
            proptest::prop_assert!(out.len() <= 9 * post.len() + 8);
            if !post.contains('[') && !post.contains("\n\n") && !post.contains("\r\n\r\n") {
                proptest::prop_assert_eq!(out.as_ref(), post.as_str());
            }
        }
    }

    #[test]
    fn a_wordpress_export_is_read_for_its_published_posts() {
        assert_eq!(
            wordpress_posts(WXR.as_bytes()),
            Some(vec![true, false, false, false, true])
        );
        assert_eq!(wordpress_posts(RSS.as_bytes()), None);
    }

    #[test]
    fn offline_body_is_the_content_else_the_summary_else_the_headline() {
        let feed = parse_feed(RSS.as_bytes(), Some("https://n.test/")).unwrap();
        let (body, hints) = feed.items[0].offline();
        assert_eq!(
            (body.as_slice(), hints.feed_body),
            (&b"<p>Full body</p>"[..], Some(FeedBody::Content))
        );
        let (body, hints) = feed.items[1].offline();
        assert_eq!(
            (body.as_slice(), hints.feed_body),
            (&b"teaser"[..], Some(FeedBody::Summary))
        );
        let mut bare = feed.items[1].clone();
        bare.summary = None;
        assert_eq!(bare.offline().0, b"Summary only");
    }
}
