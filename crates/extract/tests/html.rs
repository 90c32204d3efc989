//! Data-driven checks of `extract` on small hand-written pages: what the body keeps and
//! drops, metadata, the not-an-article gate.

use wirefold_extract::{Extracted, Input, PageKind, extract};

fn run(html: &str, url: &str) -> Extracted {
    match extract(&Input {
        bytes: html.as_bytes(),
        content_type: Some("text/html; charset=utf-8"),
        url: Some(url),
    }) {
        Ok(e) => e,
        Err(err) => panic!("extraction failed: {err}"),
    }
}

const P1: &str = "The United States and Ukraine sought on Monday to narrow the gaps in a peace plan to end the \
    war, after agreeing to modify a proposal that Kyiv and its allies saw as a wish list.";
const P2: &str = "Washington and Kyiv said in a joint statement they had drafted a refined peace framework after \
    talks in Geneva on Sunday, though there were no specifics.";
const P3: &str = "European allies, who were not involved in crafting the original plan, released a counter-proposal \
    that would ease some of the territorial concessions, diplomats said.";

fn article_page() -> String {
    format!(
        r##"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Talks narrow gaps | The Paper</title>
        <meta property="og:site_name" content="The Paper"><meta property="og:type" content="article">
        <meta property="article:published_time" content="2025-11-24T10:00:00-05:00">
        <meta name="author" content="Jane Doe"><link rel="canonical" href="https://paper.example/world/talks"></head>
        <body><a href="#main">Skip to main content</a><header><nav><a href="/">Home</a> <a href="/world">World</a></nav></header>
        <div id="cookie-banner">We use cookies to improve your experience. Accept all</div>
        <main><article><h1>Talks narrow gaps</h1><div class="byline">By Jane Doe</div>
        <figure><img src="x.jpg"><figcaption>A man walks past a building in Geneva. Photo: Someone/Agency</figcaption></figure>
        <div class="share-bar"><a href="#">Share on Facebook</a><a href="#">Tweet</a></div>
        <div class="article-body"><p>GENEVA (Reuters) - {P1}</p><p>{P2}</p>
        <aside class="related"><h3>Related</h3><ul><li><a href="/a">Another story about talks</a></li><li><a href="/b">And one more</a></li></ul></aside>
        <p>Read more: <a href="/explainer">Explained: what is in the plan?</a></p><p>{P3}</p>
        <div class="newsletter-signup"><p>Sign up for our daily newsletter to get the latest news in your inbox every morning.</p></div>
        </div></article>
        <section id="comments"><h2>Comments</h2><p>Great article, thanks for writing it, I learned a lot about the talks.</p></section>
        </main><footer><p>Copyright 2025 The Paper. All rights reserved.</p></footer></body></html>"##
    )
}

#[test]
fn article_body_without_chrome() {
    let e = run(&article_page(), "https://paper.example/world/talks?utm=x");
    let want = format!("{}\n\n{P2}\n\n{P3}", P1);
    assert_eq!(e.body, want);
    assert_eq!(e.dateline.as_deref(), Some("GENEVA"));
    assert_eq!(e.title.as_deref(), Some("Talks narrow gaps"));
    assert_eq!(e.byline.as_deref(), Some("Jane Doe"));
    assert_eq!(e.published.as_deref(), Some("2025-11-24T10:00:00-05:00"));
    assert_eq!(
        e.canonical_url.as_deref(),
        Some("https://paper.example/world/talks")
    );
    assert_eq!(e.site_name.as_deref(), Some("The Paper"));
    assert_eq!(e.language.as_deref(), Some("en"));
    assert_eq!(e.page_kind, PageKind::Article);
}

#[test]
fn listing_page_is_not_an_article() {
    let items: String = (0..12)
        .map(|i| format!("<article><h2><a href=\"/s{i}\">Story number {i} headline</a></h2><p>Short teaser {i}.</p></article>"))
        .collect();
    let html = format!(
        "<html><head><title>World news</title><meta property=\"og:type\" content=\"website\"></head><body>{items}</body></html>"
    );
    let e = run(&html, "https://paper.example/");
    assert_eq!(e.page_kind, PageKind::NotArticle);
}

#[test]
fn legacy_charset_and_text_dates() {
    let html = "<html><head><meta charset=\"windows-1252\"><title>Caf\u{e9}</title></head><body><article><h1>Caf\u{e9} culture returns</h1>\
        <p class=\"date\">Updated November 24, 2025 at 3:34 PM EST</p>\
        <p>The caf\u{e9}s of the old town reopened on Monday after a long closure, owners said, and customers queued from early morning.</p>\
        <p>City officials said the reopening was a sign that the local economy was recovering, though prices had risen sharply this year.</p>\
        </article></body></html>";
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(html);
    let e = extract(&Input {
        bytes: &bytes,
        content_type: None,
        url: None,
    })
    .map_err(|e| e.to_string());
    let e = e.unwrap_or_default();
    assert!(e.body.starts_with("The caf\u{e9}s of the old town"), "{}", e.body);
    assert_eq!(e.published.as_deref().map(|p| &p[..10]), Some("2025-11-24"));
}
