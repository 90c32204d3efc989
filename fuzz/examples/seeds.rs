//! Writes starting corpora for the fuzz targets into `fuzz/corpus/<target>/`: real
//! snapshots (made here from generated articles, with the magic and checksum taken off as
//! the `snapshot` target expects), small feeds, sitemaps, envelopes, pages and the example
//! sources file. Run from `fuzz/`: `cargo +nightly run --release --example seeds`.

use std::path::Path;

use wirefold_dedup::story::{Config as StoryConfig, StoryIndex};
use wirefold_deduplicator::{Deduper, FoldConfig};
use wirefold_wire::{Article, SCHEMA_VERSION};

fn put(target: &str, name: &str, bytes: &[u8]) {
    let dir = Path::new("corpus").join(target);
    std::fs::create_dir_all(&dir).expect("corpus dir");
    std::fs::write(dir.join(name), bytes).expect("write seed");
}

fn with_pick(pick: u8, body: &[u8]) -> Vec<u8> {
    let mut v = vec![pick];
    v.extend_from_slice(body);
    v
}

/// The body between the 8-byte magic and the 8-byte checksum.
fn unframe(bytes: &[u8]) -> &[u8] {
    &bytes[8..bytes.len() - 8]
}

fn articles() -> Vec<Article> {
    let paras = [
        "The council approved the harbour budget on Tuesday after a long debate about transport.",
        "Residents of the district said the new bridge would cut journeys to the city centre.",
        "The mayor said work would start in the spring and finish within two years.",
        "Opposition members warned that costs could rise if steel prices kept climbing.",
    ];
    (0..12)
        .map(|i| Article {
            schema: SCHEMA_VERSION,
            id: format!("a{i}"),
            uri: format!("urn:seed:{}", i % 9),
            version: Some(1 + (i / 9) as u64),
            headline: Some(format!("Council approves harbour budget {}", i % 4)),
            firstcreated: Some(format!("2026-01-0{}T10:00:00Z", 1 + i % 5)),
            received: Some(format!("2026-01-0{}T10:00:00Z", 1 + i % 5)),
            body_text: paras[..2 + i % 3].join("\n\n") + &format!("\n\nStory number {}.", i % 4),
            ..Default::default()
        })
        .collect()
}

fn main() {
    let mut d = Deduper::new(FoldConfig::default());
    for (i, a) in articles().iter().enumerate() {
        d.apply(a);
        if i % 4 == 3 {
            let snap = d.snapshot();
            put("snapshot", &format!("dedup-{i}"), &with_pick(2, &snap));
        }
    }
    let ix = wirefold_dedup::Index::new(wirefold_dedup::Config::default());
    let st = StoryIndex::new(StoryConfig::default());
    put("snapshot", "index-empty", &with_pick(0, unframe(&ix.snapshot())));
    put("snapshot", "story-empty", &with_pick(1, unframe(&st.snapshot())));

    put("feed", "rss", br#"<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>T</title><link>https://news.example/</link><item><title>Harbour budget approved</title><link>https://news.example/a/1</link><guid>n:1</guid><pubDate>Tue, 02 Jan 2024 10:00:00 GMT</pubDate><dc:creator xmlns:dc="http://purl.org/dc/elements/1.1/">Jane Roe</dc:creator><description>Teaser</description><content:encoded><![CDATA[<p>Body one.</p><p>Body two.</p>]]></content:encoded></item></channel></rss>"#);
    put("feed", "atom", br#"<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><id>urn:f</id><updated>2024-01-02T10:00:00Z</updated><entry><title>Bridge</title><id>urn:e:1</id><link href="/a/2"/><updated>2024-01-02T10:00:00Z</updated><author><name>J</name></author><content type="html">&lt;p&gt;Text&lt;/p&gt;</content></entry></feed>"#);
    put("feed", "json", br#"{"version":"https://jsonfeed.org/version/1.1","title":"T","items":[{"id":"1","url":"https://news.example/a/3","title":"Storm","content_html":"<p>Rain.</p>","date_published":"2024-01-02T10:00:00Z"}]}"#);
    put("sitemap", "news", br#"<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>https://news.example/a/1</loc><lastmod>2024-01-02T10:00:00Z</lastmod><news:news><news:publication><news:name>Ex</news:name><news:language>en</news:language></news:publication><news:publication_date>2024-01-02T10:00:00Z</news:publication_date><news:title>Harbour</news:title></news:news></url></urlset>"#);
    put("sitemap", "index", br#"<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>https://news.example/s1.xml</loc><lastmod>2024-01-02</lastmod></sitemap></sitemapindex>"#);
    let nitf: &[u8] = br#"<?xml version="1.0"?><nitf><head><title>Harbour</title><docdata><doc-id id-string="AP-1"/><du-key version="3"/><date.issue norm="20240102T100000Z"/></docdata></head><body><body.head><hedline><hl1>Harbour budget</hl1></hedline><byline>By Jane Roe</byline></body.head><body.content><p>One.</p><p>Two.</p></body.content></body></nitf>"#;
    let g2: &[u8] = br#"<?xml version="1.0"?><newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:newsml:ex:1" version="2"><itemMeta><pubStatus qcode="stat:usable"/><versionCreated>2024-01-02T10:00:00Z</versionCreated></itemMeta><contentMeta><headline>Harbour</headline><language tag="en"/></contentMeta><contentSet><inlineXML contenttype="application/nitf+xml"><nitf><body><body.content><p>One.</p></body.content></body></nitf></inlineXML></contentSet></newsItem>"#;
    let ninjs: &[u8] = br#"{"uri":"urn:ex:1","version":"2","headline":"Harbour","body_text":"One.\n\nTwo.","pubstatus":"usable","firstcreated":"2024-01-02T10:00:00Z","language":"en","byline":"Jane Roe"}"#;
    let html: &[u8] = b"<!doctype html><html lang=\"en\"><head><title>Harbour | Ex</title><meta property=\"og:title\" content=\"Harbour\"><script type=\"application/ld+json\">{\"@type\":\"NewsArticle\",\"headline\":\"Harbour\",\"datePublished\":\"2024-01-02\"}</script></head><body><nav><a href=\"/\">Home</a></nav><article><h1>Harbour</h1><p class=\"byline\">By Jane Roe</p><p>The council approved the harbour budget on Tuesday after a long debate about transport and housing.</p><p>Residents said the new bridge would cut journeys.</p></article><footer>Copyright</footer></body></html>";
    let text: &[u8] = b"Harbour budget approved\n\nGENEVA (Reuters) - The council approved the harbour budget on Tuesday.\n\nResidents said the new bridge would cut journeys.";
    for (target, picks) in [("envelope", [0u8, 1, 2, 3]), ("push_body", [0, 1, 2, 3])] {
        put(target, "ninjs", &with_pick(picks[0], ninjs));
        put(target, "nitf", &with_pick(picks[1], nitf));
        put(target, "newsml-g2", &with_pick(picks[1], g2));
        put(
            target,
            "html",
            &with_pick(if target == "push_body" { picks[2] } else { picks[3] }, html),
        );
        put(
            target,
            "text",
            &with_pick(if target == "push_body" { picks[3] } else { picks[2] }, text),
        );
    }
    put("extract_html", "page", &with_pick(0, html));
    put("extract_html", "text", &with_pick(3, text));
    put(
        "sources_file",
        "example",
        &std::fs::read("../deploy/sources.example.toml").expect("deploy/sources.example.toml"),
    );
    println!("seeds written under fuzz/corpus/");
}
