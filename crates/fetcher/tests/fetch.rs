//! Fetcher behaviour against real local HTTP servers and a real nats-server: conditional
//! GET, changed items, robots.txt, Retry-After, timeouts, redirects, private addresses,
//! body and decompression bounds, malformed feeds, drop folders, the push endpoint, two
//! fetchers sharing sources, restarts and the run-time registry. Every test asserts what
//! reached the raw stream.

mod support;

use std::time::Duration;

use support::{Route, Site, config, dead_letters, raw_docs, rss};
use tokio_util::sync::CancellationToken;
use wirefold_fetcher::{
    Fetcher, SourceSpec, SourceType, sources_add, sources_list, sources_pause, sources_remove,
};
use wirefold_testkit::TestNats;
use wirefold_wire::{FeedBody, PubStatus, SourceKind};

async fn state_of(bus: &wirefold_bus::Bus, name: &str) -> wirefold_fetcher::state::SourceState {
    sources_list(bus)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.spec.name == name)
        .expect("source listed")
        .state
}

fn spec(name: &str, kind: SourceType, url: &str) -> SourceSpec {
    SourceSpec {
        kind,
        ..SourceSpec::feed(name, url)
    }
}

#[tokio::test]
async fn conditional_get_and_changed_items() {
    let nats = TestNats::start();
    let bus = nats.bus().await;
    let site = Site::start().await;
    let items = [
        ("g1", "One", Some("<p>one</p>")),
        ("g2", "Two", Some("<p>two</p>")),
    ];
    site.set(
        "/etag.xml",
        Route {
            etag: Some("\"v1\"".into()),
            ..Route::ok("application/rss+xml", rss(&items))
        },
    );
    let lm = "Tue, 02 Jan 2024 10:00:00 GMT";
    site.set(
        "/lm.xml",
        Route {
            last_modified: Some(lm.into()),
            ..Route::ok("application/rss+xml", rss(&items[..1]))
        },
    );
    sources_add(&bus, spec("etag", SourceType::Feed, &site.url("/etag.xml")))
        .await
        .unwrap();
    sources_add(&bus, spec("lm", SourceType::Feed, &site.url("/lm.xml")))
        .await
        .unwrap();
    let f = Fetcher::new(&bus, config()).await.unwrap();

    f.poll_due().await.unwrap();
    let docs = raw_docs(&bus).await;
    assert_eq!(docs.len(), 3, "two items from one feed, one from the other");
    let one = docs.iter().find(|d| d.uri == "g1").unwrap();
    assert_eq!(one.kind, SourceKind::Feed);
    assert_eq!(one.source.as_deref(), Some("etag"));
    assert_eq!(one.content_type.as_deref(), Some("text/html"));
    assert_eq!(one.body.to_bytes().unwrap(), b"<p>one</p>");
    assert_eq!(one.hints.headline.as_deref(), Some("One"));
    assert_eq!(one.hints.firstcreated.as_deref(), Some("2024-01-02T10:00:00Z"));

    // Unchanged: the validators come back and the server answers 304.
    tokio::time::sleep(Duration::from_millis(20)).await;
    f.poll_due().await.unwrap();
    assert_eq!(
        site.hits("/etag.xml")
            .last()
            .unwrap()
            .get("if-none-match")
            .unwrap(),
        "\"v1\""
    );
    assert_eq!(
        site.hits("/lm.xml")
            .last()
            .unwrap()
            .get("if-modified-since")
            .unwrap(),
        lm
    );
    assert_eq!(raw_docs(&bus).await.len(), 3);
    let st = state_of(&bus, "etag").await;
    assert_eq!(
        (
            st.counters.fetches,
            st.counters.not_modified,
            st.counters.published
        ),
        (2, 1, 2)
    );

    // One item changes: a new version of the same item, the other is not republished.
    let changed = [
        ("g1", "One", Some("<p>one, corrected</p>")),
        ("g2", "Two", Some("<p>two</p>")),
    ];
    site.set(
        "/etag.xml",
        Route {
            etag: Some("\"v2\"".into()),
            ..Route::ok("application/rss+xml", rss(&changed))
        },
    );
    tokio::time::sleep(Duration::from_millis(20)).await;
    f.poll_due().await.unwrap();
    let docs = raw_docs(&bus).await;
    assert_eq!(docs.len(), 4);
    let versions: Vec<_> = docs
        .iter()
        .filter(|d| d.uri == "g1" && d.source.as_deref() == Some("etag"))
        .collect();
    assert_eq!(versions.len(), 2);
    assert_ne!(versions[0].id, versions[1].id);
    assert_eq!(versions[1].body.to_bytes().unwrap(), b"<p>one, corrected</p>");
    assert_eq!(versions[1].hints.feed_body, Some(FeedBody::Content));
}

#[tokio::test]
async fn summary_items_fetch_the_linked_page() {
    let nats = TestNats::start();
    let bus = nats.bus().await;
    let site = Site::start().await;
    site.set(
        "/feed.xml",
        Route::ok("application/rss+xml", rss(&[("s1", "Summary only", None)])),
    );
    site.set(
        "/article/s1",
        Route::ok(
            "text/html; charset=utf-8",
            "<html><body><p>full story</p></body></html>",
        ),
    );
    sources_add(&bus, spec("sum", SourceType::Feed, &site.url("/feed.xml")))
        .await
        .unwrap();
    Fetcher::new(&bus, config())
        .await
        .unwrap()
        .poll_due()
        .await
        .unwrap();
    let docs = raw_docs(&bus).await;
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0].uri, "s1");
    assert_eq!(docs[0].url.as_deref(), Some(site.url("/article/s1").as_str()));
    assert_eq!(
        docs[0].body.to_bytes().unwrap(),
        b"<html><body><p>full story</p></body></html>"
    );
    assert_eq!(docs[0].hints.headline.as_deref(), Some("Summary only"));
    assert_eq!(docs[0].hints.feed_body, None, "the page was read: a page");
    assert!(
        docs[0]
            .hints
            .byline
            .as_deref()
            .is_some_and(|b| b.contains("Jane Doe")),
        "{:?}",
        docs[0].hints
    );
}

/// Polls one source that is expected to fail and returns the recorded error.
async fn failing_source(
    site: &Site,
    path: &str,
    route: Option<Route>,
    cfg: wirefold_fetcher::FetcherConfig,
) -> (String, usize) {
    let nats = TestNats::start();
    let bus = nats.bus().await;
    if let Some(r) = route {
        site.set(path, r);
    }
    sources_add(&bus, spec("bad", SourceType::Feed, &site.url(path)))
        .await
        .unwrap();
    Fetcher::new(&bus, cfg).await.unwrap().poll_due().await.unwrap();
    assert!(raw_docs(&bus).await.is_empty(), "{path}: nothing published");
    let st = state_of(&bus, "bad").await;
    assert_eq!(st.consecutive_errors, 1, "{path}");
    (st.last_error.unwrap_or_default(), dead_letters(&bus).await.len())
}

#[tokio::test]
async fn unsafe_or_broken_sources_fail_with_reasons() {
    let site = Site::start().await;
    let feed = rss(&[("x", "X", Some("<p>x</p>"))]);
    let mut tight = config();
    tight.limits.max_body_bytes = 1 << 20;
    tight.limits.total_timeout = Duration::from_millis(400);
    let mut no_allow = config();
    no_allow.allow.clear();
    site.set("/loop-b", Route::redirect("/loop-a"));
    for i in 0..7 {
        site.set(
            &format!("/chain{i}"),
            Route::redirect(&format!("/chain{}", i + 1)),
        );
    }
    let cases: Vec<(&str, Option<Route>, wirefold_fetcher::FetcherConfig, &str)> = vec![
        (
            "/loop-a",
            Some(Route::redirect("/loop-b")),
            config(),
            "redirect loop",
        ),
        ("/chain0", None, config(), "more than 5 redirects"),
        (
            "/to-metadata",
            Some(Route::redirect("http://169.254.169.254/latest/meta-data")),
            config(),
            "link-local",
        ),
        (
            "/to-private",
            Some(Route::redirect("http://10.1.2.3/feed")),
            config(),
            "private",
        ),
        (
            "/plain",
            Some(Route::ok("application/rss+xml", feed.clone())),
            no_allow,
            "loopback",
        ),
        (
            "/slow",
            Some(Route {
                delay: Duration::from_secs(10),
                ..Route::ok("application/rss+xml", feed.clone())
            }),
            tight.clone(),
            "timed out",
        ),
        (
            "/huge",
            Some(Route {
                endless: Some(60 << 20),
                ..Route::ok("text/xml", "")
            }),
            tight.clone(),
            "exceeds the 1048576 byte limit",
        ),
        (
            "/bomb",
            Some(
                Route::ok("application/rss+xml", support::gzip_zeros(64 << 20))
                    .header("content-encoding", "gzip"),
            ),
            tight.clone(),
            "exceeds the 1048576 byte limit",
        ),
        (
            "/image",
            Some(Route::ok("image/png", "\u{89}PNG")),
            config(),
            "content type",
        ),
        ("/missing", None, config(), "http status 404"),
        (
            "/broken",
            Some(Route::ok(
                "application/rss+xml",
                "<rss version=\"2.0\"><channel><item><title>x</item>",
            )),
            config(),
            "malformed feed",
        ),
        (
            "/notfeed",
            Some(Route::ok("application/json", "{\"hello\": [1, 2")),
            config(),
            "malformed feed",
        ),
    ];
    for (path, route, cfg, want) in cases {
        let started = std::time::Instant::now();
        let (err, dlq) = failing_source(&site, path, route, cfg).await;
        assert!(err.contains(want), "{path}: {err:?} should mention {want:?}");
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "{path} took {:?}",
            started.elapsed()
        );
        let transient = path == "/slow";
        assert_eq!(
            dlq,
            usize::from(!transient),
            "{path}: dead letters for permanent errors only"
        );
    }
}

#[tokio::test]
async fn robots_txt_and_retry_after_are_honoured() {
    let nats = TestNats::start();
    let bus = nats.bus().await;
    let site = Site::start().await;
    site.set(
        "/robots.txt",
        Route::ok("text/plain", "User-agent: *\nDisallow: /private/\n"),
    );
    let feed = rss(&[("r", "R", Some("<p>r</p>"))]);
    site.set(
        "/private/feed.xml",
        Route::ok("application/rss+xml", feed.clone()),
    );
    site.set("/busy.xml", Route::status(429).header("retry-after", "120"));
    sources_add(
        &bus,
        spec("private", SourceType::Feed, &site.url("/private/feed.xml")),
    )
    .await
    .unwrap();
    sources_add(&bus, spec("busy", SourceType::Feed, &site.url("/busy.xml")))
        .await
        .unwrap();
    let f = Fetcher::new(&bus, config()).await.unwrap();
    let before = wirefold_fetcher::now_ms();
    f.poll_due().await.unwrap();
    assert!(
        site.hits("/private/feed.xml").is_empty(),
        "disallowed path never requested"
    );
    assert!(
        state_of(&bus, "private")
            .await
            .last_error
            .unwrap()
            .contains("robots.txt")
    );
    let busy = state_of(&bus, "busy").await;
    assert!(busy.last_error.as_deref().unwrap().contains("429"));
    assert!(
        busy.next_poll_ms >= before + 120_000,
        "next poll honours Retry-After"
    );
    tokio::time::sleep(Duration::from_millis(30)).await;
    f.poll_due().await.unwrap();
    assert_eq!(
        site.hits("/busy.xml").len(),
        1,
        "not asked again before Retry-After"
    );
    assert_eq!(site.hits("/robots.txt").len(), 1, "robots.txt cached");
    assert!(raw_docs(&bus).await.is_empty());
}

#[tokio::test]
async fn a_malformed_feed_does_not_stop_the_others() {
    let nats = TestNats::start();
    let bus = nats.bus().await;
    let site = Site::start().await;
    site.set(
        "/bad.xml",
        Route::ok("application/rss+xml", "<rss><channel><item>"),
    );
    site.set(
        "/good.xml",
        Route::ok("application/rss+xml", rss(&[("ok", "Ok", Some("<p>ok</p>"))])),
    );
    sources_add(&bus, spec("bad", SourceType::Feed, &site.url("/bad.xml")))
        .await
        .unwrap();
    sources_add(&bus, spec("good", SourceType::Feed, &site.url("/good.xml")))
        .await
        .unwrap();
    Fetcher::new(&bus, config())
        .await
        .unwrap()
        .poll_due()
        .await
        .unwrap();
    let docs = raw_docs(&bus).await;
    assert_eq!(docs.iter().map(|d| d.uri.as_str()).collect::<Vec<_>>(), ["ok"]);
    let dl = dead_letters(&bus).await;
    assert_eq!(dl.len(), 1);
    assert_eq!(dl[0].input_id.as_deref(), Some("bad"));
    assert!(dl[0].excerpt.starts_with("<rss>"), "{:?}", dl[0]);
    // The same failure recorded again later (a redelivered input) is stored once; another
    // reason for the same input is a dead letter of its own.
    let mut again = dl[0].clone();
    again.at = "2030-01-01T00:00:00.000Z".into();
    bus.dead_letter(again.clone()).await;
    assert_eq!(dead_letters(&bus).await.len(), 1);
    again.reason = format!("{} (another reason)", again.reason);
    bus.dead_letter(again).await;
    assert_eq!(dead_letters(&bus).await.len(), 2);
    let listed = sources_list(&bus).await.unwrap();
    let bad = listed.iter().find(|s| s.spec.name == "bad").unwrap();
    assert!(bad.to_string().contains("failing"), "{bad}");
}

#[tokio::test]
async fn a_restarted_fetcher_does_not_republish() {
    let nats = TestNats::start();
    let bus = nats.bus().await;
    let site = Site::start().await;
    // No validators: the restarted fetcher gets the full feed again.
    site.set(
        "/feed.xml",
        Route::ok(
            "application/rss+xml",
            rss(&[("a", "A", Some("<p>a</p>")), ("b", "B", Some("<p>b</p>"))]),
        ),
    );
    sources_add(&bus, spec("news", SourceType::Feed, &site.url("/feed.xml")))
        .await
        .unwrap();
    let mut cfg = config();
    cfg.fetcher_id = "first".into();
    Fetcher::new(&bus, cfg).await.unwrap().poll_due().await.unwrap();
    assert_eq!(raw_docs(&bus).await.len(), 2);

    // A new process (new id, new HTTP client, nothing in memory).
    tokio::time::sleep(Duration::from_millis(20)).await;
    let mut cfg = config();
    cfg.fetcher_id = "second".into();
    let second = Fetcher::new(&bus, cfg).await.unwrap();
    second.poll_due().await.unwrap();
    assert_eq!(site.hits("/feed.xml").len(), 2, "the feed was fetched again");
    let st = state_of(&bus, "news").await;
    assert_eq!(
        (st.counters.published, st.counters.duplicates),
        (2, 0),
        "nothing was even re-sent"
    );
    assert_eq!(raw_docs(&bus).await.len(), 2);

    site.set(
        "/feed.xml",
        Route::ok(
            "application/rss+xml",
            rss(&[
                ("a", "A", Some("<p>a</p>")),
                ("b", "B", Some("<p>b</p>")),
                ("c", "C", Some("<p>c</p>")),
            ]),
        ),
    );
    tokio::time::sleep(Duration::from_millis(20)).await;
    second.poll_due().await.unwrap();
    let uris: Vec<String> = raw_docs(&bus).await.into_iter().map(|d| d.uri).collect();
    assert_eq!(uris, ["a", "b", "c"]);
}

#[tokio::test]
async fn two_fetchers_share_sources_without_double_fetching() {
    let nats = TestNats::start();
    let bus = nats.bus().await;
    let site = Site::start().await;
    for i in 0..6 {
        let path = format!("/f{i}.xml");
        let items = [(format!("f{i}-a"), "A"), (format!("f{i}-b"), "B")];
        let items: Vec<(&str, &str, Option<&str>)> = items
            .iter()
            .map(|(g, t)| (g.as_str(), *t, Some("<p>x</p>")))
            .collect();
        // Slow enough that both fetchers are busy at the same time.
        site.set(
            &path,
            Route {
                delay: Duration::from_millis(150),
                ..Route::ok("application/rss+xml", rss(&items))
            },
        );
        let mut s = spec(&format!("feed{i}"), SourceType::Feed, &site.url(&path));
        s.min_interval_secs = Some(3600);
        sources_add(&bus, s).await.unwrap();
    }
    let run = |id: &str| {
        let mut cfg = config();
        cfg.fetcher_id = id.into();
        let bus = bus.clone();
        async move {
            let stop = CancellationToken::new();
            let h = tokio::spawn(wirefold_fetcher::run(bus, cfg, stop.clone()));
            (stop, h)
        }
    };
    let (stop1, h1) = run("fetcher-1").await;
    let (stop2, h2) = run("fetcher-2").await;
    let ok = wirefold_testkit::eventually(Duration::from_secs(10), || {
        let bus = bus.clone();
        async move { (raw_docs(&bus).await.len() == 12).then_some(()) }
    })
    .await;
    assert!(ok.is_some(), "all items published");
    tokio::time::sleep(Duration::from_millis(2500)).await; // past the busy-retry of the loser
    stop1.cancel();
    stop2.cancel();
    h1.await.unwrap().unwrap();
    h2.await.unwrap().unwrap();
    for i in 0..6 {
        assert_eq!(site.hits(&format!("/f{i}.xml")).len(), 1, "feed {i} fetched once");
    }
    let docs = raw_docs(&bus).await;
    assert_eq!(docs.len(), 12);
    let mut ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 12);
}

#[tokio::test]
async fn news_sitemaps_and_pages() {
    let nats = TestNats::start();
    let bus = nats.bus().await;
    let site = Site::start().await;
    site.set(
        "/sitemap.xml",
        Route::ok(
            "application/xml",
            format!(
                "<sitemapindex><sitemap><loc>{}</loc></sitemap></sitemapindex>",
                site.url("/news.xml")
            ),
        ),
    );
    let news = r#"<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>/p/1</loc><news:news><news:publication><news:name>N</news:name><news:language>fr</news:language></news:publication>
<news:publication_date>2024-01-02T10:00:00Z</news:publication_date><news:title>Premier</news:title></news:news></url>
<url><loc>/p/2</loc><lastmod>2024-01-03</lastmod></url></urlset>"#;
    site.set("/news.xml", Route::ok("application/xml", news));
    site.set("/p/1", Route::ok("text/html", "<p>one</p>"));
    site.set("/p/2", Route::ok("text/html", "<p>two</p>"));
    site.set("/live", Route::ok("text/html", "<p>live v1</p>"));
    sources_add(&bus, spec("sm", SourceType::Sitemap, &site.url("/sitemap.xml")))
        .await
        .unwrap();
    sources_add(&bus, spec("live", SourceType::Page, &site.url("/live")))
        .await
        .unwrap();
    let f = Fetcher::new(&bus, config()).await.unwrap();
    f.poll_due().await.unwrap();
    let docs = raw_docs(&bus).await;
    assert_eq!(docs.len(), 3);
    let p1 = docs.iter().find(|d| d.uri == site.url("/p/1")).unwrap();
    assert_eq!(p1.kind, SourceKind::Sitemap);
    assert_eq!(p1.hints.headline.as_deref(), Some("Premier"));
    assert_eq!(p1.hints.language.as_deref(), Some("fr"));
    assert_eq!(p1.hints.firstcreated.as_deref(), Some("2024-01-02T10:00:00Z"));
    assert!(
        docs.iter()
            .any(|d| d.kind == SourceKind::Page && d.body.to_bytes().unwrap() == b"<p>live v1</p>")
    );

    // Nothing changed: no page is fetched again. The live page changes: a new version.
    site.set("/live", Route::ok("text/html", "<p>live v2</p>"));
    tokio::time::sleep(Duration::from_millis(20)).await;
    f.poll_due().await.unwrap();
    assert_eq!(site.hits("/p/1").len(), 1);
    let docs = raw_docs(&bus).await;
    assert_eq!(docs.len(), 4);
    let live: Vec<_> = docs.iter().filter(|d| d.kind == SourceKind::Page).collect();
    assert_eq!((live[0].uri.as_str(), live.len()), (live[1].uri.as_str(), 2));
}

#[tokio::test]
async fn registry_add_pause_remove_at_run_time() {
    let nats = TestNats::start();
    let bus = nats.bus().await;
    let site = Site::start().await;
    site.set(
        "/a.xml",
        Route::ok("application/rss+xml", rss(&[("a1", "A", Some("<p>a</p>"))])),
    );
    site.set(
        "/b.xml",
        Route::ok("application/rss+xml", rss(&[("b1", "B", Some("<p>b</p>"))])),
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sources.toml");
    std::fs::write(
        &file,
        format!(
            "[[source]]\nname = \"a\"\nkind = \"feed\"\nurl = \"{}\"\n",
            site.url("/a.xml")
        ),
    )
    .unwrap();
    let mut cfg = config();
    cfg.sources_file = Some(file);
    let stop = CancellationToken::new();
    let worker = tokio::spawn(wirefold_fetcher::run(bus.clone(), cfg, stop.clone()));
    let got = |n: usize| {
        let bus = bus.clone();
        async move {
            wirefold_testkit::eventually(Duration::from_secs(5), || {
                let bus = bus.clone();
                async move { (raw_docs(&bus).await.len() >= n).then_some(()) }
            })
            .await
        }
    };
    assert!(got(1).await.is_some(), "source from the file polled");
    let mut b = spec("b", SourceType::Feed, &site.url("/b.xml"));
    b.paused = true;
    sources_add(&bus, b.clone()).await.unwrap();
    assert!(matches!(
        sources_add(&bus, b).await,
        Err(wirefold_fetcher::FetchError::SourceExists(_))
    ));
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(site.hits("/b.xml").is_empty(), "paused source not polled");
    sources_pause(&bus, "b", false).await.unwrap();
    assert!(got(2).await.is_some(), "resumed source picked up without restart");
    sources_remove(&bus, "a").await.unwrap();
    assert!(matches!(
        sources_remove(&bus, "a").await,
        Err(wirefold_fetcher::FetchError::UnknownSource(_))
    ));
    let names: Vec<String> = sources_list(&bus)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.spec.name)
        .collect();
    assert_eq!(names, ["b"]);
    tokio::time::sleep(Duration::from_millis(400)).await;
    let a_hits = site.hits("/a.xml").len();
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        site.hits("/a.xml").len(),
        a_hits,
        "removed source no longer polled"
    );
    stop.cancel();
    worker.await.unwrap().unwrap();
    assert_eq!(raw_docs(&bus).await.len(), 2);
}

#[tokio::test]
async fn drop_folder_waits_for_complete_files() {
    let nats = TestNats::start();
    let bus = nats.bus().await;
    let dir = tempfile::tempdir().unwrap();
    let drop = dir.path().join("wire");
    std::fs::create_dir(&drop).unwrap();
    let cfg = wirefold_fetcher::dropdir::DropConfig {
        dir: drop.clone(),
        scan: Duration::from_millis(20),
        settle: Duration::from_millis(300),
        max_bytes: 1 << 20,
    };
    let stop = CancellationToken::new();
    let watcher = tokio::spawn(wirefold_fetcher::dropdir::watch(bus.clone(), cfg, stop.clone()));

    // A slow writer: five chunks, 100 ms apart.
    let slow = drop.join("slow.txt");
    {
        use std::io::Write as _;
        let mut f = std::fs::File::create(&slow).unwrap();
        for i in 0..5 {
            write!(f, "paragraph {i} of a story written slowly.\n\n").unwrap();
            f.flush().unwrap();
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    // Rename-in: the .part file is never read, the renamed one is.
    let g2 = r#"<?xml version="1.0"?><newsItem guid="urn:agency:1" version="2"><itemMeta><pubStatus qcode="stat:withheld"/></itemMeta><contentMeta><headline>H</headline></contentMeta></newsItem>"#;
    std::fs::write(drop.join("item.xml.part"), g2).unwrap();
    std::fs::rename(drop.join("item.xml.part"), drop.join("item.xml")).unwrap();
    std::fs::write(
        drop.join("story.json"),
        r#"{"uri":"urn:ninjs:7","version":3,"type":"text","pubstatus":"canceled","body_text":"b"}"#,
    )
    .unwrap();
    std::fs::write(drop.join("broken.json"), "{\"uri\": ").unwrap();
    std::fs::write(drop.join("picture.txt"), b"\x89PNG\r\n\x1a\n\0\0\0").unwrap();
    // A feed file (an agency's Atom feed, a WordPress export): one document per entry,
    // read as polled feeds are; a feed without entries fails with the reason.
    std::fs::write(
        drop.join("agency.atom"),
        r#"<?xml version="1.0" encoding="utf-8"?>
<!-- exported -->
<feed xmlns="http://www.w3.org/2005/Atom"><title>Agency feed</title><id>urn:feed</id>
<updated>2015-01-30T02:40:56Z</updated>
<entry><id>urn:agency:e1</id><title>Fatal hit and run</title><updated>2015-01-30T02:40:56Z</updated>
<published>2015-01-30T00:33:06Z</published><author><name>Jane Doe</name></author>
<link href="https://agency.test/e1"/><content type="html">&lt;p&gt;Police are investigating.&lt;/p&gt;</content></entry>
<entry><id>urn:agency:e2</id><title>Second</title><updated>2015-01-30T03:00:00Z</updated>
<summary>Only a summary.</summary></entry>
</feed>"#,
    )
    .unwrap();
    std::fs::write(
        drop.join("empty.rss"),
        r#"<rss version="2.0"><channel><title>Nothing yet</title></channel></rss>"#,
    )
    .unwrap();

    let done = wirefold_testkit::eventually(Duration::from_secs(5), || {
        let bus = bus.clone();
        let drop = drop.clone();
        async move {
            let failed = std::fs::read_dir(drop.join("failed"))
                .map(|r| r.count())
                .unwrap_or(0);
            (raw_docs(&bus).await.len() == 5 && failed == 6).then_some(())
        }
    })
    .await;
    stop.cancel();
    watcher.await.unwrap().unwrap();
    assert!(
        done.is_some(),
        "three files and two feed entries published, three files failed with reasons"
    );
    let docs = raw_docs(&bus).await;
    let text = docs
        .iter()
        .find(|d| d.uri.ends_with("slow.txt"))
        .expect("slow file published");
    assert_eq!(
        String::from_utf8(text.body.to_bytes().unwrap())
            .unwrap()
            .matches("paragraph")
            .count(),
        5,
        "complete, once"
    );
    assert_eq!(text.kind, SourceKind::Drop);
    let item = docs.iter().find(|d| d.uri == "urn:agency:1").unwrap();
    assert_eq!(
        (item.version, item.hints.pubstatus),
        (Some(2), Some(PubStatus::Withheld))
    );
    let story = docs.iter().find(|d| d.uri == "urn:ninjs:7").unwrap();
    assert_eq!(
        (story.version, story.hints.pubstatus),
        (Some(3), Some(PubStatus::Canceled))
    );
    let e1 = docs
        .iter()
        .find(|d| d.uri == "urn:agency:e1")
        .expect("first entry");
    assert_eq!(
        (
            e1.kind,
            e1.url.as_deref(),
            e1.hints.headline.as_deref(),
            e1.hints.byline.as_deref(),
            e1.hints.firstcreated.as_deref(),
            e1.content_type.as_deref(),
        ),
        (
            SourceKind::Drop,
            Some("https://agency.test/e1"),
            Some("Fatal hit and run"),
            Some("Jane Doe"),
            Some("2015-01-30T00:33:06Z"),
            Some("text/html"),
        )
    );
    assert_eq!(
        String::from_utf8(e1.body.to_bytes().unwrap()).unwrap(),
        "<p>Police are investigating.</p>"
    );
    let e2 = docs
        .iter()
        .find(|d| d.uri == "urn:agency:e2")
        .expect("second entry");
    assert_eq!(
        String::from_utf8(e2.body.to_bytes().unwrap()).unwrap(),
        "Only a summary."
    );
    // Each says what of the item its body is, so the normalizer reads it as the item.
    assert_eq!(
        (e1.hints.feed_body, e2.hints.feed_body),
        (Some(FeedBody::Content), Some(FeedBody::Summary))
    );
    assert!(
        e2.url
            .as_deref()
            .is_some_and(|u| u.ends_with("done/agency.atom#item-2")),
        "{:?}",
        e2.url
    );
    assert!(drop.join("done/agency.atom").exists());
    let reason = std::fs::read_to_string(drop.join("failed/empty.rss.reason")).unwrap();
    assert!(reason.contains("a feed document with no items"), "{reason}");
    assert!(drop.join("done/slow.txt").exists() && drop.join("done/item.xml").exists());
    let reason = std::fs::read_to_string(drop.join("failed/broken.json.reason")).unwrap();
    assert!(reason.contains("malformed json"), "{reason}");
    assert!(
        std::fs::read_to_string(drop.join("failed/picture.txt.reason"))
            .unwrap()
            .contains("binary")
    );
    assert_eq!(
        std::fs::read_dir(&drop)
            .unwrap()
            .filter(|e| e.as_ref().unwrap().path().is_file())
            .count(),
        0
    );
}

#[tokio::test]
async fn ingest_reads_a_feed_file_as_its_items() {
    let nats = TestNats::start();
    let bus = nats.bus().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("export.xml"),
        r#"<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>A blog</title><link>https://blog.test/</link>
<item><title>First post</title><link>https://blog.test/first</link><guid>urn:blog:1</guid>
<content:encoded><![CDATA[<p>The first post's text.</p>]]></content:encoded></item>
<item><title>Second post</title><guid isPermaLink="false">urn:blog:2</guid><description>A teaser.</description></item>
</channel></rss>"#,
    )
    .unwrap();
    std::fs::write(dir.path().join("note.txt"), "A plain note.\n\nSecond paragraph.").unwrap();
    std::fs::write(
        dir.path().join("empty.atom"),
        r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title></feed>"#,
    )
    .unwrap();
    let report = wirefold_fetcher::files::ingest(&bus, &[dir.path().to_path_buf()], 1 << 20, None).await;
    assert_eq!(report.accepted.len(), 3, "{:?}", report.accepted);
    assert_eq!(report.rejected.len(), 1, "{:?}", report.rejected);
    assert!(
        report.rejected[0].path.ends_with("empty.atom")
            && report.rejected[0].reason.to_string().contains("no items"),
        "{:?}",
        report.rejected
    );
    let docs = raw_docs(&bus).await;
    let first = docs.iter().find(|d| d.uri == "urn:blog:1").expect("first item");
    assert_eq!(
        (first.kind, first.url.as_deref(), first.hints.headline.as_deref()),
        (
            SourceKind::File,
            Some("https://blog.test/first"),
            Some("First post")
        )
    );
    let second = docs.iter().find(|d| d.uri == "urn:blog:2").expect("second item");
    assert!(
        second
            .url
            .as_deref()
            .is_some_and(|u| u.starts_with("file://") && u.ends_with("export.xml#item-2")),
        "{:?}",
        second.url
    );
    assert!(docs.iter().any(|d| d.uri.ends_with("note.txt")));
}

#[tokio::test]
async fn ingest_names_the_outlet_it_is_told() {
    let nats = TestNats::start();
    let bus = nats.bus().await;
    let dir = tempfile::tempdir().unwrap();
    let note = dir.path().join("note.txt");
    std::fs::write(
        &note,
        "Mr Zelensky said the talks went well.\n\nSecond paragraph.",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("feed.xml"),
        r#"<?xml version="1.0"?><rss version="2.0"><channel><title>A feed</title>
<item><title>One</title><guid>urn:feed:1</guid><description>The item's text.</description></item>
</channel></rss>"#,
    )
    .unwrap();
    let plain = wirefold_fetcher::files::ingest(&bus, std::slice::from_ref(&note), 1 << 20, None).await;
    let told =
        wirefold_fetcher::files::ingest(&bus, &[dir.path().to_path_buf()], 1 << 20, Some(" RTÉ ")).await;
    assert_eq!(told.accepted.len(), 2, "{:?}", told.accepted);
    // The same file under a source is another document than without one.
    assert!(
        told.accepted
            .iter()
            .all(|(_, id, dup)| !dup && *id != plain.accepted[0].1)
    );
    let docs = raw_docs(&bus).await;
    let named: Vec<_> = docs
        .iter()
        .filter(|d| d.source.as_deref() == Some("RTÉ"))
        .collect();
    assert_eq!(named.len(), 2, "{docs:?}");
    assert!(named.iter().any(|d| d.uri == "urn:feed:1"));
    assert!(named.iter().any(|d| d.uri.ends_with("note.txt")));
    assert!(
        docs.iter()
            .any(|d| d.uri.ends_with("note.txt") && d.source.is_none())
    );
}

#[tokio::test]
async fn push_endpoint_accepts_and_refuses() {
    let nats = TestNats::start();
    let bus = nats.bus().await;
    let cfg = wirefold_fetcher::PushConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        token: "s3cret-token-for-tests".into(),
        max_body_bytes: 4096,
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/v1/push", listener.local_addr().unwrap());
    tokio::spawn(wirefold_fetcher::push::serve(
        bus.clone(),
        cfg,
        listener,
        CancellationToken::new(),
    ));
    let client = reqwest::Client::new();
    let ninjs = r#"{"uri":"urn:p:1","version":1,"type":"text","headline":"Pushed","pubstatus":"usable","body_text":"x"}"#;
    let cases: Vec<(Option<&str>, &str, String, u16, &str)> = vec![
        (None, "application/json", ninjs.into(), 401, "bearer"),
        (
            Some("wrong-token-wrong-token"),
            "application/json",
            ninjs.into(),
            401,
            "bearer",
        ),
        (
            Some("s3cret-token-for-tests"),
            "application/json",
            ninjs.into(),
            202,
            "",
        ),
        (
            Some("s3cret-token-for-tests"),
            "application/json",
            ninjs.into(),
            202,
            "duplicate",
        ),
        (
            Some("s3cret-token-for-tests"),
            "text/html",
            "<p>hello</p>".into(),
            202,
            "",
        ),
        // Items as JSON lines.
        (
            Some("s3cret-token-for-tests"),
            "application/x-ndjson",
            format!(
                "{}\n{}",
                ninjs.replace("urn:p:1", "urn:p:2"),
                ninjs.replace("urn:p:1", "urn:p:3")
            ),
            202,
            "",
        ),
        (
            Some("s3cret-token-for-tests"),
            "application/json",
            "{\"uri\": ".into(),
            400,
            "malformed json",
        ),
        (
            Some("s3cret-token-for-tests"),
            "image/png",
            "x".into(),
            415,
            "unsupported",
        ),
        (
            Some("s3cret-token-for-tests"),
            "text/plain",
            "a".repeat(5000),
            413,
            "exceeds",
        ),
        (
            Some("s3cret-token-for-tests"),
            "text/plain",
            "   ".into(),
            400,
            "empty",
        ),
    ];
    for (token, ct, body, status, want) in cases {
        let mut req = client.post(&url).header("content-type", ct).body(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status().as_u16(), status, "{ct} {want}");
        let v: serde_json::Value = serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap();
        if status == 202 {
            assert_eq!(v["accepted"], true);
            assert!(v["id"].as_str().is_some_and(|id| id.len() == 32));
            assert_eq!(v["duplicate"], want == "duplicate");
        } else {
            assert!(v["error"].as_str().unwrap().contains(want), "{v}");
        }
    }
    let docs = raw_docs(&bus).await;
    assert_eq!(docs.len(), 3);
    assert_eq!(
        (docs[0].uri.as_str(), docs[0].version, docs[0].kind),
        ("urn:p:1", Some(1), SourceKind::Push)
    );
    assert_eq!(docs[0].hints.headline.as_deref(), Some("Pushed"));
    assert!(docs[1].uri.starts_with("urn:wirefold:push:"));
    // JSON lines are one delivery; the normalizer reads its items (urn:p:2, urn:p:3).
    assert_eq!(docs[2].content_type.as_deref(), Some("application/json"));
    let items = wirefold_agency::read(&docs[2].body.to_bytes().unwrap())
        .unwrap()
        .expect("ninjs");
    let uris: Vec<_> = items.items.iter().filter_map(|i| i.uri.as_deref()).collect();
    assert_eq!(uris, ["urn:p:2", "urn:p:3"]);
}

/// Feeds and pushes carry agency documents through the same reader as drop folders: a
/// feed URL serving a NewsML-G2 item publishes it under its own `uri`; a pushed NITF keeps
/// its `doc-id`; a truncated NewsML-G2 is refused with the reason on both paths.
#[tokio::test]
async fn feed_urls_and_pushes_carry_wire_documents() {
    let nats = TestNats::start();
    let bus = nats.bus().await;
    let site = Site::start().await;
    let g2 = r#"<?xml version="1.0"?><newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:test:g2:1" version="3">
<itemMeta><itemClass qcode="ninat:text"/><pubStatus qcode="stat:usable"/></itemMeta>
<contentMeta><headline>Wire over HTTP</headline></contentMeta>
<contentSet><inlineXML contenttype="application/xhtml+xml"><html><body><p>Text.</p></body></html></inlineXML></contentSet></newsItem>"#;
    site.set("/wire.xml", Route::ok("application/xml", g2));
    site.set("/cut.xml", Route::ok("application/xml", &g2[..g2.len() / 2]));
    for (name, path) in [("wire", "/wire.xml"), ("cut", "/cut.xml")] {
        sources_add(&bus, spec(name, SourceType::Feed, &site.url(path)))
            .await
            .unwrap();
    }
    Fetcher::new(&bus, config())
        .await
        .unwrap()
        .poll_due()
        .await
        .unwrap();
    let docs = raw_docs(&bus).await;
    assert_eq!(docs.len(), 1, "{docs:?}");
    assert_eq!(docs[0].uri, "urn:test:g2:1");
    assert_eq!(docs[0].hints.headline.as_deref(), Some("Wire over HTTP"));
    let dl = dead_letters(&bus).await;
    assert_eq!(dl.len(), 1);
    assert!(dl[0].reason.contains("truncated xml"), "{:?}", dl[0]);
    assert!(
        state_of(&bus, "cut")
            .await
            .last_error
            .unwrap_or_default()
            .contains("truncated")
    );

    let cfg = wirefold_fetcher::PushConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        token: "s3cret-token-for-tests".into(),
        max_body_bytes: 1 << 16,
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/v1/push", listener.local_addr().unwrap());
    tokio::spawn(wirefold_fetcher::push::serve(
        bus.clone(),
        cfg,
        listener,
        CancellationToken::new(),
    ));
    let client = reqwest::Client::new();
    let push = |body: String| {
        client
            .post(&url)
            .bearer_auth("s3cret-token-for-tests")
            .header("content-type", "application/xml")
            .body(body)
            .send()
    };
    let nitf = r#"<nitf><head><title>SLUG</title><docdata><doc-id id-string="AGY-7"/><du-key version="2"/></docdata></head>
<body><body.head><hedline><hl1>Pushed NITF</hl1></hedline></body.head><body.content><p>Text.</p></body.content></body></nitf>"#;
    let r = push(nitf.into()).await.unwrap();
    assert_eq!(r.status(), 202);
    let r = push(g2[..g2.len() / 2].into()).await.unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("truncated xml"));
    let docs = raw_docs(&bus).await;
    let pushed = docs
        .iter()
        .find(|d| d.uri == "AGY-7")
        .expect("the pushed NITF under its doc-id");
    assert_eq!(pushed.version, Some(2));
    assert_eq!(pushed.hints.headline.as_deref(), Some("Pushed NITF"));

    // A pushed feed gives its items, as a dropped feed file does; a feed without items
    // is refused with the reason.
    let atom = r#"<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
<title>Agency feed</title><id>urn:feed</id><updated>2025-11-24T10:00:00Z</updated>
<entry><id>urn:agency:item:1</id><title>First pushed item</title><updated>2025-11-24T09:00:00Z</updated>
<content type="html">&lt;p&gt;The first item's text.&lt;/p&gt;</content></entry>
<entry><id>urn:agency:item:2</id><title>Second pushed item</title><updated>2025-11-24T09:30:00Z</updated>
<summary>The second item's summary.</summary></entry></feed>"#;
    let r = client
        .post(&url)
        .bearer_auth("s3cret-token-for-tests")
        .header("content-type", "application/atom+xml")
        .body(atom)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let v: serde_json::Value = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
    let uris: Vec<_> = v["items"]
        .as_array()
        .expect("one entry per item")
        .iter()
        .map(|i| i["uri"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(uris, ["urn:agency:item:1", "urn:agency:item:2"]);
    let docs = raw_docs(&bus).await;
    let first = docs
        .iter()
        .find(|d| d.uri == "urn:agency:item:1")
        .expect("the first item under its id");
    assert_eq!(first.kind, SourceKind::Push);
    assert_eq!(first.hints.headline.as_deref(), Some("First pushed item"));
    assert!(
        String::from_utf8(first.body.to_bytes().unwrap())
            .unwrap()
            .contains("first item's text")
    );
    let empty = r#"<rss version="2.0"><channel><title>Nothing yet</title></channel></rss>"#;
    let r = push(empty.into()).await.unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("no items"));
}
