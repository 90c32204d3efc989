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

    /// A WordPress export: a published post, a draft, an image attachment, a page, and a
    /// post whose comment has a status of its own.
    pub(crate) const WXR: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Site</title><link>https://site.test</link><wp:wxr_version>1.2</wp:wxr_version>
<item><title>Council approves budget</title><link>https://site.test/budget</link><guid>https://site.test/?p=1</guid>
<content:encoded><![CDATA[<p>The council approved the budget.</p>]]></content:encoded><wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item>
<item><title>Draft</title><guid>https://site.test/?p=2</guid><content:encoded><![CDATA[<p>Not yet.</p>]]></content:encoded><wp:status>draft</wp:status><wp:post_type>post</wp:post_type></item>
<item><title>photo.jpg</title><guid>https://site.test/photo.jpg</guid><wp:status>inherit</wp:status><wp:post_type>attachment</wp:post_type></item>
<item><title>About us</title><guid>https://site.test/?page_id=4</guid><wp:status>publish</wp:status><wp:post_type>page</wp:post_type></item>
<item><title>Roads reopen</title><guid>https://site.test/?p=5</guid><content:encoded><![CDATA[<p>Roads reopened.</p>]]></content:encoded>
<wp:comment><wp:comment_id>1</wp:comment_id><wp:status>spam</wp:status></wp:comment><wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item>
</channel></rss>"#;

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
