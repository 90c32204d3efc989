//! Sitemap parsing: `<urlset>` (with the Google News `news:` extension: publication date,
//! title, language) and `<sitemapindex>`. Pure; fetching the listed pages and child
//! sitemaps is [`crate::poll`]'s job.

use wirefold_wire::ItemHints;

use crate::FetchError;
use crate::xml::{self, Node};

/// What a sitemap document lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sitemap {
    /// Pages.
    Urls(Vec<SitemapUrl>),
    /// Child sitemaps (absolute URLs).
    Index(Vec<String>),
}

/// A page listed in a sitemap.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SitemapUrl {
    /// The page URL.
    pub loc: String,
    /// `lastmod`, as written.
    pub lastmod: Option<String>,
    /// Hints from the `news:news` element.
    pub hints: ItemHints,
}

impl SitemapUrl {
    /// What changes when the page is updated: `lastmod`, else the news publication date.
    pub fn fingerprint(&self) -> String {
        self.lastmod
            .clone()
            .or_else(|| self.hints.firstcreated.clone())
            .unwrap_or_default()
    }
}

/// Parses a sitemap or sitemap index.
pub fn parse_sitemap(bytes: &[u8]) -> Result<Sitemap, FetchError> {
    let malformed = |message: String| FetchError::Malformed {
        what: "sitemap",
        message,
    };
    let text = String::from_utf8_lossy(bytes);
    let mut root: Option<String> = None;
    let mut stack: Vec<String> = Vec::new();
    let mut urls = Vec::new();
    let mut children = Vec::new();
    let mut cur = SitemapUrl::default();
    let mut buf = String::new();
    xml::walk(&text, |node| {
        match node {
            Node::Start { name, .. } => {
                if root.is_none() {
                    root = Some(name.clone());
                }
                if name == "url" {
                    cur = SitemapUrl::default();
                }
                stack.push(name);
                buf.clear();
            }
            Node::Text(t) => buf.push_str(&t),
            Node::End(name) => {
                stack.pop();
                let parent = stack.last().map(String::as_str);
                let value = buf.trim().to_string();
                match (parent, name.as_str()) {
                    (Some("url"), "loc") => cur.loc = value,
                    (Some("url"), "lastmod") if !value.is_empty() => cur.lastmod = Some(value),
                    (Some("news"), "publication_date") => cur.hints.firstcreated = rfc3339(&value),
                    (Some("news"), "title") if !value.is_empty() => cur.hints.headline = Some(value),
                    (Some("publication"), "language") if !value.is_empty() => {
                        cur.hints.language = Some(value)
                    }
                    (Some("urlset"), "url") if !cur.loc.is_empty() => urls.push(std::mem::take(&mut cur)),
                    (Some("sitemap"), "loc") if !value.is_empty() => children.push(value),
                    _ => {}
                }
                buf.clear();
            }
        }
        true
    })
    .map_err(malformed)?;
    match root.as_deref() {
        Some("urlset") => Ok(Sitemap::Urls(urls)),
        Some("sitemapindex") => Ok(Sitemap::Index(children)),
        other => Err(malformed(format!(
            "root element {other:?} is neither urlset nor sitemapindex"
        ))),
    }
}

/// A W3C datetime (`2024-01-02`, `2024-01-02T10:00:00+01:00`, minutes without seconds) as
/// RFC 3339, when it parses (the time module's reader of wire times).
pub fn rfc3339(s: &str) -> Option<String> {
    wirefold_wire::time::rfc3339_from_wire(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn news_sitemap_and_index() {
        let news = r#"<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
 <url><loc>https://n.test/a?x=1&amp;y=2</loc>
  <news:news><news:publication><news:name>N</news:name><news:language>en</news:language></news:publication>
   <news:publication_date>2024-01-02T10:00:00+01:00</news:publication_date><news:title>Big &amp; news</news:title></news:news></url>
 <url><loc>https://n.test/b</loc><lastmod>2024-01-03</lastmod></url>
</urlset>"#;
        let Sitemap::Urls(urls) = parse_sitemap(news.as_bytes()).unwrap() else {
            panic!("urlset")
        };
        assert_eq!(urls.len(), 2);
        assert_eq!(urls[0].loc, "https://n.test/a?x=1&y=2");
        assert_eq!(urls[0].hints.headline.as_deref(), Some("Big & news"));
        assert_eq!(
            urls[0].hints.firstcreated.as_deref(),
            Some("2024-01-02T10:00:00+01:00")
        );
        assert_eq!(urls[0].hints.language.as_deref(), Some("en"));
        assert_eq!(urls[0].fingerprint(), "2024-01-02T10:00:00+01:00");
        assert_eq!(urls[1].fingerprint(), "2024-01-03");

        let index = "<sitemapindex><sitemap><loc>https://n.test/s1.xml</loc></sitemap><sitemap><loc>https://n.test/s2.xml</loc></sitemap></sitemapindex>";
        assert_eq!(
            parse_sitemap(index.as_bytes()).unwrap(),
            Sitemap::Index(vec![
                "https://n.test/s1.xml".into(),
                "https://n.test/s2.xml".into()
            ])
        );
        for bad in ["<html><body/></html>", "<urlset><url><loc>x</url>", "not xml"] {
            assert!(parse_sitemap(bad.as_bytes()).is_err(), "{bad}");
        }
    }

    #[test]
    fn dates() {
        for (s, want) in [
            ("2024-01-02", Some("2024-01-02T00:00:00Z")),
            ("2024-01-02T10:00Z", Some("2024-01-02T10:00:00Z")),
            ("2024-01-02T10:00:05.5Z", Some("2024-01-02T10:00:05.500Z")),
            ("yesterday", None),
        ] {
            assert_eq!(rfc3339(s).as_deref(), want, "{s}");
        }
    }
}
