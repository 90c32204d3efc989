//! The desk page in a real headless Chromium, driven over the DevTools protocol: the story
//! appears, a live update arrives without a reload (behind the "new" bar, rows never move
//! under the reader), the page recovers from a gateway restart without gaps, a link opens
//! the story it names (also one beyond the first page), older stories page in, refused
//! input is listed with its reasons, and no script error or console error happens. A screenshot is saved under `target/`.
//!
//! Chromium comes from `CHROMIUM_BIN`, else `chromium` on `PATH` (Debian's package; `.ci/run`
//! installs it). A missing browser fails the test with the install hint; it never skips.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64::Engine as _;
use futures::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;
use wirefold_bus::Bus;
use wirefold_gateway::{GatewayConfig, bind, run};
use wirefold_testkit::TestNats;
use wirefold_wire::{
    Article, ArticleRef, ClusterEvent, ClusterEventKind, ClusterMember, DeadLetter, PubStatus,
    SCHEMA_VERSION, StoryCluster, StoryEvent, StoryEventKind, subjects,
};

fn aref(id: &str, headline: Option<&str>) -> ArticleRef {
    ArticleRef {
        id: id.into(),
        uri: format!("urn:{id}"),
        headline: headline.map(Into::into),
        source: Some("Example Wire".into()),
        firstcreated: Some("2025-11-24T06:00:00Z".into()),
        ..Default::default()
    }
}

/// Member `i` of `cluster`: the canonical from "Example Wire", later copies from "Second
/// Outlet" (a story event names only the canonical's outlet).
fn member(cluster: &str, i: u64, headline: Option<&str>) -> ArticleRef {
    let mut a = aref(&format!("{cluster}-{i}"), headline);
    if i > 1 {
        a.source = Some("Second Outlet".into());
    }
    a
}

/// A story of one copy cluster of `members` articles; `headline` `None`: none of them
/// states one.
async fn publish_story(
    bus: &Bus,
    story: &str,
    version: u64,
    cluster: &str,
    headline: Option<&str>,
    members: u64,
) {
    let c = ClusterEvent {
        schema: SCHEMA_VERSION,
        kind: if members == 1 {
            ClusterEventKind::Created
        } else {
            ClusterEventKind::MemberAdded
        },
        cluster_id: cluster.into(),
        version: members,
        cause: aref(&format!("{cluster}-{members}"), headline),
        canonical: format!("{cluster}-1"),
        members: (1..=members)
            .map(|i| ClusterMember {
                article: member(cluster, i, headline),
                similarity: 1.0,
            })
            .collect(),
        merged_from: vec![],
        reason: None,
        story_id: Some(story.into()),
    };
    bus.publish(&subjects::cluster(c.kind, cluster), &c.msg_id(), &c)
        .await
        .unwrap();
    publish_story_event(bus, story, version, cluster, headline, members, &[]).await;
}

/// The story event of [`publish_story`]; with `merged_from`, a `merged` event folding those
/// stories into it.
async fn publish_story_event(
    bus: &Bus,
    story: &str,
    version: u64,
    cluster: &str,
    headline: Option<&str>,
    members: u64,
    merged_from: &[&str],
) {
    let s = StoryEvent {
        schema: SCHEMA_VERSION,
        kind: if !merged_from.is_empty() {
            StoryEventKind::Merged
        } else if version == 1 {
            StoryEventKind::Created
        } else {
            StoryEventKind::Updated
        },
        story_id: story.into(),
        version,
        cause: aref(&format!("{cluster}-{members}"), headline),
        cause_cluster: cluster.into(),
        headline: headline.map(Into::into),
        first_seen: "2025-11-24T06:00:00Z".into(),
        updated: "2025-11-24T07:00:00Z".into(),
        languages: vec!["en".into()],
        clusters: vec![StoryCluster {
            id: cluster.into(),
            version: members,
            canonical: aref(&format!("{cluster}-1"), headline),
            member_count: members,
        }],
        cluster_count: 1,
        article_count: members,
        merged_from: merged_from.iter().map(|m| m.to_string()).collect(),
        reason: None,
    };
    bus.publish(&subjects::story(s.kind, story), &s.msg_id(), &s)
        .await
        .unwrap();
}

/// A story whose one article states no headline, at most a slugline (AP's weather agate; a
/// plain-text wire): its article record, then its cluster and story events, as the pipeline
/// publishes them.
async fn publish_headless_story(bus: &Bus, story: &str, cluster: &str, slugline: Option<&str>, body: &str) {
    let id = format!("{cluster}-1");
    let article = Article {
        schema: SCHEMA_VERSION,
        id: id.clone(),
        uri: format!("urn:{id}"),
        slugline: slugline.map(str::to_string),
        source: Some("Example Wire".into()),
        body_text: body.into(),
        ..Default::default()
    };
    bus.publish(&subjects::article(Some("en")), &id, &article)
        .await
        .unwrap();
    publish_story(bus, story, 1, cluster, None, 1).await;
}

/// The story event of a copy of `cluster` withdrawn (an agency's kill); `last`: it was the
/// story's last copy, and the story ends.
async fn publish_withdrawal(bus: &Bus, story: &str, version: u64, cluster: &str, last: bool) {
    let s = StoryEvent {
        schema: SCHEMA_VERSION,
        kind: if last {
            StoryEventKind::ClusterRemoved
        } else {
            StoryEventKind::Updated
        },
        story_id: story.into(),
        version,
        cause: aref(&format!("{cluster}-1"), None),
        cause_cluster: cluster.into(),
        headline: None,
        first_seen: "2025-11-24T06:00:00Z".into(),
        updated: "2025-11-24T08:00:00Z".into(),
        languages: vec!["en".into()],
        clusters: if last {
            vec![]
        } else {
            vec![StoryCluster {
                id: cluster.into(),
                version: 3,
                canonical: aref(&format!("{cluster}-2"), Some("Still standing")),
                member_count: 1,
            }]
        },
        cluster_count: u64::from(!last),
        article_count: u64::from(!last),
        merged_from: vec![],
        reason: Some("withdrawn".into()),
    };
    bus.publish(&subjects::story(s.kind, story), &s.msg_id(), &s)
        .await
        .unwrap();
}

/// Stories `s<i>` of one article each, at `version`, headlined "Story number <i>" and
/// `tail`.
async fn publish_numbered(bus: &Bus, ids: std::ops::Range<u32>, version: u64, tail: &str) {
    for i in ids {
        let headline = format!("Story number {i}{tail}");
        publish_story(
            bus,
            &format!("s{i}"),
            version,
            &format!("c{i}"),
            Some(&headline),
            1,
        )
        .await;
    }
}

/// The article record of member 1 of `cluster`, under an agency's embargo until `until`.
async fn publish_embargoed(bus: &Bus, cluster: &str, until: &str) {
    publish_record(bus, cluster, Some(until), PubStatus::Usable).await;
}

/// The article record of member 1 of `cluster`.
async fn publish_record(bus: &Bus, cluster: &str, embargoed: Option<&str>, pubstatus: PubStatus) {
    let id = format!("{cluster}-1");
    let article = Article {
        schema: SCHEMA_VERSION,
        id: id.clone(),
        uri: format!("urn:{id}"),
        headline: Some("Embargoed".into()),
        source: Some("Example Wire".into()),
        body_text: "Results of the study, under embargo.".into(),
        embargoed: embargoed.map(str::to_string),
        pubstatus,
        ..Default::default()
    };
    bus.publish(&subjects::article(Some("en")), &id, &article)
        .await
        .unwrap();
}

/// The article record of member `n` of `cluster`: first published as [`aref`] says, its
/// current version at `versioncreated`.
async fn publish_updated_copy(bus: &Bus, cluster: &str, n: u64, versioncreated: &str) {
    let id = format!("{cluster}-{n}");
    let article = Article {
        schema: SCHEMA_VERSION,
        id: id.clone(),
        uri: format!("urn:{id}"),
        headline: Some("Updated copy".into()),
        body_text: "The text as updated.".into(),
        firstcreated: Some("2025-11-24T06:00:00Z".into()),
        versioncreated: Some(versioncreated.into()),
        ..Default::default()
    };
    bus.publish(&subjects::article(Some("en")), &id, &article)
        .await
        .unwrap();
}

/// A new version of member `n` of `cluster` that says it is a correction.
async fn publish_correction(bus: &Bus, story: &str, cluster: &str, n: u64, version: u64, headline: &str) {
    let c = ClusterEvent {
        schema: SCHEMA_VERSION,
        kind: ClusterEventKind::MemberUpdated,
        cluster_id: cluster.into(),
        version,
        cause: aref(&format!("{cluster}-{n}"), Some(headline)),
        canonical: format!("{cluster}-1"),
        members: (1..=n)
            .map(|i| ClusterMember {
                article: member(cluster, i, Some(headline)),
                similarity: 1.0,
            })
            .collect(),
        merged_from: vec![],
        reason: Some("correction".into()),
        story_id: Some(story.into()),
    };
    bus.publish(&subjects::cluster(c.kind, cluster), &c.msg_id(), &c)
        .await
        .unwrap();
}

async fn start_gateway(bus: &Bus, addr: &str) -> (String, CancellationToken, tokio::task::JoinHandle<()>) {
    start_gateway_with(
        bus,
        GatewayConfig {
            listen: addr.parse().unwrap(),
            ..GatewayConfig::default()
        },
    )
    .await
}

async fn start_gateway_with(
    bus: &Bus,
    config: GatewayConfig,
) -> (String, CancellationToken, tokio::task::JoinHandle<()>) {
    let bound = bind(config).await.unwrap();
    let addr = bound.local_addr().to_string();
    let stop = CancellationToken::new();
    let (b, s) = (bus.clone(), stop.clone());
    let task = tokio::spawn(async move { run(b, bound, s).await.unwrap() });
    (addr, stop, task)
}

/// Headless Chromium with a DevTools websocket; killed on drop.
struct Browser {
    child: Child,
    port: u16,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn chromium() -> String {
    if let Some(b) = std::env::var_os("CHROMIUM_BIN").filter(|b| !b.is_empty()) {
        return b.to_string_lossy().into_owned();
    }
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        if Command::new(name)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
        {
            return name.to_string();
        }
    }
    panic!(
        "no Chromium for the desk page test: install Debian's `chromium` (apt-get install chromium) or set CHROMIUM_BIN"
    );
}

impl Browser {
    fn start() -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let mut child = Command::new(chromium())
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--remote-debugging-port=0",
                "--window-size=1200,800",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            // Times on the page are the reader's local times: one zone for every machine.
            .env("TZ", "UTC")
            // Chromium's own temporary files (its singleton socket folder, which a killed
            // browser leaves behind) go with the profile.
            .env("TMPDIR", profile.path())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start chromium");
        let stderr = child.stderr.take().unwrap();
        let mut port = None;
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("DevTools listening on ws://127.0.0.1:").nth(1) {
                port = rest.split('/').next().and_then(|p| p.parse().ok());
                break;
            }
        }
        let port = port.expect("chromium printed no DevTools address");
        Browser {
            child,
            port,
            _profile: profile,
        }
    }

    /// Opens `url` in a new tab and connects to it.
    async fn open(&self, url: &str) -> Tab {
        let client = reqwest::Client::new();
        let body = client
            // The page's own query must reach the page, not DevTools' endpoint.
            .put(format!(
                "http://127.0.0.1:{}/json/new?{}",
                self.port,
                url.replace('&', "%26")
            ))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let target: Value =
            serde_json::from_str(&body).unwrap_or_else(|_| panic!("devtools /json/new: {body}"));
        let ws = target["webSocketDebuggerUrl"]
            .as_str()
            .expect("page websocket")
            .to_string();
        let (socket, _) = tokio_tungstenite::connect_async(ws)
            .await
            .expect("devtools websocket");
        let mut tab = Tab {
            socket,
            next_id: 0,
            problems: Vec::new(),
        };
        tab.call("Runtime.enable", json!({})).await;
        tab.call("Log.enable", json!({})).await;
        tab.call("Page.enable", json!({})).await;
        tab
    }
}

struct Tab {
    socket: tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    next_id: u64,
    /// Script exceptions and console errors seen so far.
    problems: Vec<String>,
}

impl Tab {
    fn note(&mut self, msg: &Value) {
        match msg["method"].as_str() {
            Some("Runtime.exceptionThrown") => self.problems.push(msg["params"].to_string()),
            Some("Runtime.consoleAPICalled") if msg["params"]["type"] == "error" => {
                self.problems.push(msg["params"].to_string())
            }
            // Network errors while the gateway restarts are expected; anything else is not.
            Some("Log.entryAdded")
                if msg["params"]["entry"]["level"] == "error"
                    && msg["params"]["entry"]["source"] != "network" =>
            {
                self.problems.push(msg["params"].to_string())
            }
            _ => {}
        }
    }

    async fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let msg = json!({"id": id, "method": method, "params": params}).to_string();
        self.socket.send(Message::Text(msg.into())).await.unwrap();
        loop {
            let m = tokio::time::timeout(Duration::from_secs(20), self.socket.next())
                .await
                .expect("devtools answered in time")
                .expect("devtools socket open")
                .unwrap();
            let Message::Text(t) = m else { continue };
            let v: Value = serde_json::from_str(&t).unwrap();
            if v["id"] == id {
                assert!(v.get("error").is_none(), "{method}: {v}");
                return v["result"].clone();
            }
            self.note(&v);
        }
    }

    async fn eval(&mut self, expr: &str) -> Value {
        let r = self
            .call(
                "Runtime.evaluate",
                json!({"expression": expr, "returnByValue": true}),
            )
            .await;
        r["result"]["value"].clone()
    }

    /// Presses a key (keydown with its text) in the page.
    async fn key(&mut self, key: &str, code: &str, vk: u32) {
        let ev =
            json!({"type": "keyDown", "key": key, "code": code, "text": key, "windowsVirtualKeyCode": vk});
        self.call("Input.dispatchKeyEvent", ev).await;
        let up = json!({"type": "keyUp", "key": key, "code": code, "windowsVirtualKeyCode": vk});
        self.call("Input.dispatchKeyEvent", up).await;
    }

    /// Waits until one new story waits behind the bar, then shows it (clicks the bar).
    async fn show_new(&mut self, what: &str) {
        self.until(
            what,
            "document.getElementById('newbar').textContent.startsWith('1 new')",
        )
        .await;
        self.eval("document.getElementById('newbar').click()").await;
    }

    /// Polls `expr` until it is true.
    async fn until(&mut self, what: &str, expr: &str) {
        for _ in 0..100 {
            if self.eval(expr).await == json!(true) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let text = self
            .eval("document.body.innerText + ' | active: ' + document.activeElement.outerHTML.slice(0, 300) + ' | details: ' + document.querySelectorAll('.detail').length")
            .await;
        panic!("{what}: not seen within 20 s; page text: {text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn desk_page_shows_stories_live_and_recovers_from_a_gateway_restart() {
    let nats = TestNats::start();
    let bus = nats.bus().await;
    // Its copy cluster holds a copy from a second outlet: the list names both outlets.
    publish_story(
        &bus,
        "s1",
        1,
        "c1",
        Some("Harbour bridge reopens after repairs"),
        2,
    )
    .await;
    let (addr, stop, task) = start_gateway(&bus, "127.0.0.1:0").await;
    let browser = Browser::start();
    let mut tab = browser.open(&format!("http://{addr}/")).await;
    tab.until(
        "the story on the page",
        "document.body.innerText.includes('Harbour bridge reopens after repairs')",
    )
    .await;
    tab.until(
        "the live indicator",
        "document.getElementById('conn').textContent === 'live'",
    )
    .await;
    tab.until(
        "both outlets on the row",
        "document.querySelector('li.story').innerText.includes('Example Wire, Second Outlet')",
    )
    .await;
    // One story, no older ones: no button for older stories.
    assert_eq!(
        tab.eval("getComputedStyle(document.getElementById('more')).display")
            .await,
        json!("none")
    );
    // The update time as a desk reads it, the instant kept in the markup.
    tab.until(
        "the update time",
        "document.querySelector('li.story time').dateTime === '2025-11-24T07:00:00Z' \
         && document.querySelector('li.story .meta').innerText.includes('updated 24 Nov 2025 07:00')",
    )
    .await;

    // A live update: a new story arrives and waits behind the bar; rows do not move.
    let rows_before = tab.eval("document.querySelectorAll('li.story').length").await;
    publish_story(
        &bus,
        "s2",
        1,
        "c2",
        Some("Council approves new ferry timetable"),
        1,
    )
    .await;
    tab.until(
        "the new-story bar",
        "document.getElementById('newbar').textContent.startsWith('1 new')",
    )
    .await;
    assert_eq!(
        tab.eval("document.querySelectorAll('li.story').length").await,
        rows_before
    );
    tab.eval("document.getElementById('newbar').click()").await;
    tab.until(
        "the new story at the top after the bar is clicked",
        "document.querySelector('li.story .hl').textContent === 'Council approves new ferry timetable'",
    )
    .await;

    // A story whose article states no headline arrives live: its row is named by the
    // agency's slugline, set as a slug, never "(no headline)".
    publish_headless_story(
        &bus,
        "s3",
        "c3",
        Some("BC-WEA--Global Weather-Fahrenheit"),
        "Minimum and maximum temperatures for the previous day.",
    )
    .await;
    tab.show_new("the headline-less story behind the bar").await;
    tab.until(
        "the slugline naming the story without a headline",
        "document.querySelector('li.story .hl').textContent === 'BC-WEA--Global Weather-Fahrenheit' \
         && document.querySelector('li.story .hl').classList.contains('slug')",
    )
    .await;
    // Neither headline nor slugline (a plain-text wire): the opening words of its text.
    publish_headless_story(
        &bus,
        "s5",
        "c5",
        None,
        "Voters in Turkmenistan began to cast their ballots at eight in the morning on Sunday.",
    )
    .await;
    tab.show_new("the story named by nothing but its text, behind the bar")
        .await;
    tab.until(
        "the opening words naming the story without headline or slugline",
        "document.querySelector('li.story .hl').textContent.startsWith('Voters in Turkmenistan began') \
         && document.querySelector('li.story .hl').classList.contains('lede')",
    )
    .await;

    // A headline in a script written right to left reads right to left, in its own row.
    publish_story(
        &bus,
        "s4",
        1,
        "c4",
        Some("راجر فیڈرر یو ایس اوپن کے سیمی فائنل میں پہنچ گئے"),
        1,
    )
    .await;
    tab.show_new("the Urdu story behind the bar").await;
    tab.until(
        "the Urdu headline right to left, the others left to right",
        "getComputedStyle(document.querySelector('li.story .hl')).direction === 'rtl' \
         && [...document.querySelectorAll('li.story .hl')].slice(1).every(h => getComputedStyle(h).direction === 'ltr')",
    )
    .await;

    // The gateway restarts; what happens meanwhile arrives after the page reconnects.
    stop.cancel();
    task.await.unwrap();
    publish_story(
        &bus,
        "s1",
        2,
        "c1",
        Some("Harbour bridge reopens after repairs"),
        2,
    )
    .await;
    publish_correction(&bus, "s1", "c1", 2, 3, "Harbour bridge reopens after repairs").await;
    let (_, stop, task) = start_gateway(&bus, &addr).await;
    tab.until(
        "the update after the restart",
        "document.getElementById('newbar').textContent.startsWith('1 new')",
    )
    .await;
    tab.until(
        "the live indicator again",
        "document.getElementById('conn').textContent === 'live'",
    )
    .await;
    // Keyboard: j focuses the first row, o opens it.
    tab.eval("document.getElementById('newbar').click()").await;
    // The live update names only the canonical's outlet; the row keeps the other one.
    tab.until(
        "both outlets on the row after a live update",
        "[...document.querySelectorAll('li.story')].some(r => r.innerText.includes('Harbour bridge') \
         && r.innerText.includes('Example Wire, Second Outlet'))",
    )
    .await;
    tab.key("j", "KeyJ", 74).await;
    tab.until(
        "the first row focused by j",
        "document.activeElement.classList.contains('story')",
    )
    .await;
    tab.key("o", "KeyO", 79).await;
    tab.until(
        "the opened story's clusters",
        "document.querySelectorAll('.detail .cluster').length > 0",
    )
    .await;
    // The member whose new version said it is a correction is marked as one, from the
    // event's reason (not from its headline).
    tab.until(
        "the correction tag on the corrected member",
        "[...document.querySelectorAll('.detail .member')].some(m => m.textContent.includes('correction')) \
         && [...document.querySelectorAll('.detail .tag.corr')].filter(t => t.textContent === 'correction').length === 1",
    )
    .await;

    // The story's history, newest first: each change with the copy that caused it.
    tab.until(
        "the story's history",
        "document.querySelector('.detail details.hist summary').textContent === 'History (2 events)' \
         && [...document.querySelectorAll('.detail .hist li')].map(l => l.textContent.split(' · ')[0]).join('|') === 'v2 updated|v1 created' \
         && document.querySelector('.detail .hist li').textContent.includes('Harbour bridge reopens after repairs · Example Wire')",
    )
    .await;

    let shot = tab.call("Page.captureScreenshot", json!({"format": "png"})).await;
    let png = base64::engine::general_purpose::STANDARD
        .decode(shot["data"].as_str().unwrap())
        .unwrap();
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("desk-page.png");
    std::fs::write(&path, png).unwrap();
    eprintln!("screenshot: {}", path.display());
    assert!(
        tab.problems.is_empty(),
        "script or console errors: {:#?}",
        tab.problems
    );
    stop.cancel();
    task.await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn desk_links_to_a_story_and_pages_through_older_ones() {
    let nats = TestNats::start();
    let bus = nats.bus().await;
    publish_story(
        &bus,
        "s1",
        1,
        "c1",
        Some("Harbour bridge reopens after repairs"),
        2,
    )
    .await;
    // More newer stories than the page's first 50 rows: s1 is not on the first page.
    publish_numbered(&bus, 100..155, 1, "").await;
    // s1's first copy is under an agency's embargo that has not passed.
    publish_embargoed(&bus, "c1", "2099-01-01T12:00:00Z").await;
    // Its second copy was updated three hours after it was first published.
    publish_updated_copy(&bus, "c1", 2, "2025-11-24T09:15:00Z").await;
    let (addr, stop, task) = start_gateway(&bus, "127.0.0.1:0").await;
    let browser = Browser::start();

    // A link to a story opens it, at the top, although the first page does not hold it.
    let mut tab = browser.open(&format!("http://{addr}/?story=s1")).await;
    tab.until(
        "the linked story opened at the top",
        "document.querySelector('li.story').dataset.id === 's1' \
         && document.querySelectorAll('li.story .detail .cluster').length === 1",
    )
    .await;
    // Its detail says when it began, when each copy was published, and when the updated
    // one was updated (the other says nothing of an update).
    tab.until(
        "the story's times and each member's",
        "document.querySelector('.detail .dmeta').innerText === 'first seen 24 Nov 2025 06:00 · updated 24 Nov 2025 07:00' \
         && [...document.querySelectorAll('.detail .member > span:not(.embargo):not(.upd) > time')].map(t => t.dateTime).join() === '2025-11-24T06:00:00Z,2025-11-24T06:00:00Z' \
         && [...document.querySelectorAll('.detail .member')].map(m => m.querySelector('.upd time')?.dateTime ?? '-').join() === '-,2025-11-24T09:15:00Z' \
         && document.querySelectorAll('.detail .member')[1].innerText.includes('updated 24 Nov 2025 09:15') \
         && document.querySelector('.detail .chead').innerText.endsWith('2 members')",
    )
    .await;
    assert_eq!(
        tab.eval("document.querySelectorAll('li.story').length").await,
        json!(51)
    );
    // Its row and its embargoed copy say so; the other copy does not.
    tab.until(
        "the embargo on the row and on the embargoed copy only",
        "document.querySelector('li.story .meta .embargo time').dateTime === '2099-01-01T12:00:00Z' \
         && document.querySelectorAll('.detail .member .embargo').length === 1 \
         && document.querySelector('.detail .member').innerText.includes('embargoed until 1 Jan 2099 12:00')",
    )
    .await;

    // Older stories, a page at a time; the linked one is not listed twice.
    tab.until(
        "the button for older stories",
        "getComputedStyle(document.getElementById('more')).display !== 'none'",
    )
    .await;
    tab.eval("document.getElementById('more').click()").await;
    tab.until(
        "the older stories below",
        "document.querySelectorAll('li.story').length === 56 \
         && document.querySelectorAll('li.story[data-id=\"s1\"]').length === 1 \
         && getComputedStyle(document.getElementById('more')).display === 'none'",
    )
    .await;
    // The gateway restarts keeping fewer events than were published meanwhile: the page
    // cannot resume, fetches the list again, and keeps it as deep as the reader had paged.
    stop.cancel();
    task.await.unwrap();
    publish_numbered(&bus, 100..130, 2, ", updated").await;
    let (_, stop, task) = start_gateway_with(
        &bus,
        GatewayConfig {
            listen: addr.parse().unwrap(),
            log_capacity: 10,
            ..GatewayConfig::default()
        },
    )
    .await;
    tab.until(
        "the list fetched again, as deep as it was",
        "[...document.querySelectorAll('li.story .hl')].some(h => h.textContent === 'Story number 100, updated') \
         && document.querySelectorAll('li.story').length === 56 \
         && getComputedStyle(document.getElementById('more')).display === 'none'",
    )
    .await;

    // Closing the story takes it out of the address; opening another puts that one in.
    tab.eval("document.querySelector('li.story[data-id=\"s1\"] .hl').click()")
        .await;
    tab.until(
        "the address without the story",
        "!location.search.includes('story=')",
    )
    .await;
    tab.eval("document.querySelector('li.story[data-id=\"s154\"] .hl').click()")
        .await;
    tab.until(
        "the address naming the story opened",
        "location.search === '?story=s154'",
    )
    .await;
    // The address opens the same view in another tab (here: with a filter kept).
    let mut other = browser.open(&format!("http://{addr}/?q=number&story=s154")).await;
    other
        .until(
            "the linked story open under the filter",
            "document.getElementById('q').value === 'number' \
             && document.querySelector('li.story[data-id=\"s154\"] .detail .cluster') !== null",
        )
        .await;

    // A link to a story merged into another opens that one, and says so.
    publish_story(&bus, "s2", 1, "c2", Some("Ferry timetable approved"), 1).await;
    publish_story_event(&bus, "s154", 2, "c154", Some("Story number 154"), 1, &["s2"]).await;
    let mut merged = browser.open(&format!("http://{addr}/?story=s2")).await;
    merged
        .until(
            "the story the linked one was merged into",
            "document.querySelector('li.story').dataset.id === 's154' \
             && document.querySelector('li.story .detail') !== null \
             && document.getElementById('notice').textContent.includes('s2 was merged into this one') \
             && location.search === '?story=s154'",
        )
        .await;
    // What the pipeline refused, newest first, with its reason.
    for (file, reason) in [
        ("a.xml", "not an article page"),
        ("b.xml", "XML nesting deeper than 64 levels"),
    ] {
        let dl = DeadLetter::new("fetcher", reason, b"<x>").with_origin(Some(&format!("/drop/{file}")));
        bus.publish(&subjects::dead_letter("fetcher"), file, &dl)
            .await
            .unwrap();
    }
    tab.eval("document.getElementById('refusedBtn').click()").await;
    tab.until(
        "the refused input, newest first, with reasons",
        "[...document.querySelectorAll('#refused tr.dead')].map(r => r.querySelector('.origin').textContent + ' ' + r.querySelector('.reason').textContent).join('|') \
         === '/drop/b.xml XML nesting deeper than 64 levels|/drop/a.xml not an article page'",
    )
    .await;
    tab.eval("document.getElementById('refusedBtn').click()").await;
    tab.until(
        "the panel closed again",
        "document.getElementById('refused').hidden",
    )
    .await;

    // A link to a story this gateway does not know (past the horizon) says so.
    let mut gone = browser.open(&format!("http://{addr}/?story=s999")).await;
    gone.until(
        "the notice for an unknown linked story",
        "document.getElementById('notice').textContent.includes('s999') && !location.search.includes('story=')",
    )
    .await;

    // Live: a story whose copy is under an embargo ahead is marked when shown; one whose
    // embargo has passed is not. (The merge above waits behind the bar first.)
    tab.show_new("the merged story's update behind the bar").await;
    publish_embargoed(&bus, "c7", "2099-06-01T00:00:00Z").await;
    publish_story(&bus, "s7", 1, "c7", Some("Study results under embargo"), 1).await;
    tab.show_new("the embargoed story behind the bar").await;
    tab.until(
        "the live story marked as under embargo",
        "document.querySelector('li.story[data-id=\"s7\"] .meta .embargo') !== null",
    )
    .await;
    publish_embargoed(&bus, "c8", "2001-06-01T00:00:00Z").await;
    publish_story(&bus, "s8", 1, "c8", Some("Study results released"), 1).await;
    tab.show_new("the story whose embargo passed, behind the bar")
        .await;
    tab.until(
        "the story whose embargo passed, unmarked",
        "document.querySelector('li.story').dataset.id === 's8' \
         && document.querySelector('li.story').querySelector('.embargo') === null \
         && document.querySelector('li.story[data-id=\"s7\"] .meta .embargo') !== null",
    )
    .await;

    // A copy the agency withholds for now says so.
    publish_record(&bus, "c9", None, PubStatus::Withheld).await;
    publish_story(&bus, "s9", 1, "c9", Some("Court case details withheld"), 1).await;
    tab.show_new("the story with a withheld copy, behind the bar")
        .await;
    tab.eval("document.querySelector('li.story[data-id=\"s9\"] .hl').click()")
        .await;
    tab.until(
        "the withheld copy marked",
        "[...document.querySelectorAll('li.story[data-id=\"s9\"] .detail .member .tag.gone')].map(t => t.textContent).join() === 'withheld'",
    )
    .await;

    // An agency's kill: a story that keeps other copies says how many were withdrawn; a
    // story whose last copy is withdrawn is struck through where it stands, at once.
    publish_story(&bus, "s11", 1, "c11", Some("Minister resigns"), 2).await;
    tab.show_new("the story that will lose a copy, behind the bar")
        .await;
    publish_withdrawal(&bus, "s11", 2, "c11", false).await;
    tab.show_new("the withdrawal behind the bar").await;
    tab.until(
        "the count of copies withdrawn on the row",
        "document.querySelector('li.story[data-id=\"s11\"] .meta').innerText.includes('1 copy withdrawn')",
    )
    .await;
    publish_story(&bus, "s12", 1, "c12", Some("Spy agency chief named"), 1).await;
    tab.show_new("the story that will be killed, behind the bar")
        .await;
    publish_withdrawal(&bus, "s12", 2, "c12", true).await;
    tab.until(
        "the killed story struck through in place",
        "document.querySelector('li.story').dataset.id === 's12' \
         && document.querySelector('li.story').classList.contains('killed') \
         && document.querySelector('li.story .meta').innerText.includes('withdrawn: no copy left') \
         && document.getElementById('newbar').textContent === ''",
    )
    .await;

    for t in [&tab, &other, &merged, &gone] {
        assert!(
            t.problems.is_empty(),
            "script or console errors: {:#?}",
            t.problems
        );
    }
    stop.cancel();
    task.await.unwrap();
}
