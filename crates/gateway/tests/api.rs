//! The gateway against a real nats-server: events and articles are published on the
//! streams as the deduplicator and normalizer would, and the API, the event stream and the
//! page are checked over real HTTP.

use std::time::Duration;

use tokio_util::sync::CancellationToken;
use wirefold_bus::Bus;
use wirefold_gateway::{GatewayConfig, bind, run};
use wirefold_testkit::{TestNats, eventually};
use wirefold_wire::{
    Article, ArticleRef, ClusterEvent, ClusterEventKind, ClusterMember, SCHEMA_VERSION, StoryCluster,
    StoryEvent, StoryEventKind, subjects,
};

fn aref(id: &str) -> ArticleRef {
    ArticleRef {
        id: id.into(),
        uri: format!("urn:{id}"),
        headline: Some(format!("Harbour bridge {id}")),
        source: Some(format!("outlet-{id}")),
        ..Default::default()
    }
}

fn cluster_event(id: &str, version: u64, members: &[&str], story: &str) -> ClusterEvent {
    ClusterEvent {
        schema: SCHEMA_VERSION,
        kind: if version == 1 {
            ClusterEventKind::Created
        } else {
            ClusterEventKind::MemberAdded
        },
        cluster_id: id.into(),
        version,
        cause: aref(members[members.len() - 1]),
        canonical: members[0].into(),
        members: members
            .iter()
            .map(|m| ClusterMember {
                article: aref(m),
                similarity: 1.0,
            })
            .collect(),
        merged_from: vec![],
        reason: None,
        story_id: Some(story.into()),
    }
}

fn story_event(id: &str, version: u64, clusters: &[(&str, u64)], kind: StoryEventKind) -> StoryEvent {
    StoryEvent {
        schema: SCHEMA_VERSION,
        kind,
        story_id: id.into(),
        version,
        cause: aref("x"),
        cause_cluster: clusters[0].0.into(),
        headline: Some(format!("Story {id} about the harbour")),
        first_seen: "2025-11-24T06:00:00Z".into(),
        updated: "2025-11-24T07:00:00Z".into(),
        languages: vec!["en".into()],
        clusters: clusters
            .iter()
            .map(|(c, n)| StoryCluster {
                id: (*c).into(),
                version: *n,
                canonical: aref(&format!("{c}-canon")),
                member_count: *n,
            })
            .collect(),
        cluster_count: clusters.len() as u64,
        article_count: clusters.iter().map(|c| c.1).sum(),
        merged_from: vec![],
        reason: None,
    }
}

async fn publish_article(bus: &Bus, id: &str) {
    let a = Article {
        schema: SCHEMA_VERSION,
        id: id.into(),
        uri: format!("urn:{id}"),
        headline: Some(format!("Harbour bridge {id}")),
        body_text: format!("The harbour bridge reopened on Monday, said article {id}."),
        language: Some("en".into()),
        ..Default::default()
    };
    bus.publish(&subjects::article(Some("en")), id, &a).await.unwrap();
}

async fn publish_cluster(bus: &Bus, ev: &ClusterEvent) {
    bus.publish(&subjects::cluster(ev.kind, &ev.cluster_id), &ev.msg_id(), ev)
        .await
        .unwrap();
}

async fn publish_story(bus: &Bus, ev: &StoryEvent) {
    bus.publish(&subjects::story(ev.kind, &ev.story_id), &ev.msg_id(), ev)
        .await
        .unwrap();
}

struct Gateway {
    base: String,
    shutdown: CancellationToken,
    task: tokio::task::JoinHandle<()>,
}

async fn start(bus: &Bus, config: GatewayConfig) -> Gateway {
    let bound = bind(GatewayConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..config
    })
    .await
    .unwrap();
    let base = format!("http://{}", bound.local_addr());
    let shutdown = CancellationToken::new();
    let (b, s) = (bus.clone(), shutdown.clone());
    let task = tokio::spawn(async move { run(b, bound, s).await.unwrap() });
    let client = reqwest::Client::new();
    eventually(Duration::from_secs(10), || async {
        let r = client.get(format!("{base}/readyz")).send().await.ok()?;
        (r.status() == 200).then_some(())
    })
    .await
    .expect("gateway ready");
    Gateway { base, shutdown, task }
}

/// A gateway whose API asks for the token `s3cret`.
async fn start_with_token(bus: &Bus) -> Gateway {
    start(
        bus,
        GatewayConfig {
            api_token: Some("s3cret".into()),
            ..GatewayConfig::default()
        },
    )
    .await
}

/// Reads SSE events `(id, event, data)` until `n` arrived or `wait` passed.
async fn sse(url: &str, last_id: Option<&str>, n: usize, wait: Duration) -> Vec<(String, String, String)> {
    let mut req = reqwest::Client::new()
        .get(url)
        .header("accept", "text/event-stream");
    if let Some(id) = last_id {
        req = req.header("last-event-id", id);
    }
    let mut resp = req.send().await.unwrap();
    assert_eq!(resp.status(), 200, "{url}");
    let mut buf = String::new();
    let mut out = Vec::new();
    let deadline = tokio::time::Instant::now() + wait;
    while out.len() < n {
        let chunk = match tokio::time::timeout_at(deadline, resp.chunk()).await {
            Ok(Ok(Some(c))) => c,
            _ => break,
        };
        buf.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buf.find("\n\n") {
            let block: String = buf.drain(..end + 2).collect();
            let (mut id, mut ev, mut data) = (String::new(), String::from("message"), String::new());
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("id:") {
                    id = v.trim().to_string();
                } else if let Some(v) = line.strip_prefix("event:") {
                    ev = v.trim().to_string();
                } else if let Some(v) = line.strip_prefix("data:") {
                    data.push_str(v.trim_start());
                }
            }
            if !data.is_empty() {
                out.push((id, ev, data));
            }
        }
    }
    out
}

async fn get(url: &str) -> (u16, serde_json::Value) {
    let r = reqwest::get(url).await.unwrap();
    let status = r.status().as_u16();
    let body = r.text().await.unwrap();
    (
        status,
        serde_json::from_str(&body).unwrap_or_else(|_| panic!("{url} -> {status}: not JSON: {body}")),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_lists_stories_resumes_streams_and_refuses_bad_input() {
    let nats = TestNats::start();
    let bus = nats.bus().await;
    for a in ["a1", "a2", "b1"] {
        publish_article(&bus, a).await;
    }
    publish_cluster(&bus, &cluster_event("c1", 1, &["a1"], "s1")).await;
    publish_story(&bus, &story_event("s1", 1, &[("c1", 1)], StoryEventKind::Created)).await;
    publish_cluster(&bus, &cluster_event("c1", 2, &["a1", "a2"], "s1")).await;
    publish_story(&bus, &story_event("s1", 2, &[("c1", 2)], StoryEventKind::Updated)).await;
    // Something the gateway cannot decode: logged, counted, skipped.
    bus.publish(
        "wirefold.stories.updated.junk",
        "junk",
        &serde_json::json!({"schema": 99}),
    )
    .await
    .unwrap();
    publish_cluster(&bus, &cluster_event("c2", 1, &["b1"], "s2")).await;
    publish_story(&bus, &story_event("s2", 1, &[("c2", 1)], StoryEventKind::Created)).await;

    let gw = start(&bus, GatewayConfig::default()).await;
    let base = &gw.base;
    let (st, body) = get(&format!("{base}/healthz")).await;
    assert_eq!(st, 200, "{body}");

    // List: most recently changed first, paged with a cursor.
    let (st, list) = get(&format!("{base}/v1/stories")).await;
    assert_eq!(st, 200);
    let ids: Vec<&str> = list["stories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["s2", "s1"]);
    assert_eq!(list["stories"][1]["article_count"], 2);
    assert_eq!(
        list["stories"][1]["sources"],
        serde_json::json!(["outlet-a1", "outlet-a2"])
    );
    let (_, page1) = get(&format!("{base}/v1/stories?limit=1")).await;
    let cursor = page1["next_cursor"].as_str().expect("a next cursor").to_string();
    let (_, page2) = get(&format!("{base}/v1/stories?limit=1&cursor={cursor}")).await;
    assert_eq!(page2["stories"][0]["id"], "s1");
    assert!(page2["next_cursor"].is_null());
    let (_, found) = get(&format!("{base}/v1/stories?q=reopened+monday&lang=en")).await;
    assert_eq!(found["stories"].as_array().unwrap().len(), 2);
    let (_, none) = get(&format!("{base}/v1/stories?q=volcano")).await;
    assert!(none["stories"].as_array().unwrap().is_empty());
    // A source filter takes whole words of a source's name, in any case.
    let ids_for = |list: &serde_json::Value| -> Vec<String> {
        list["stories"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap().to_string())
            .collect()
    };
    for (filter, want) in [("Outlet-A2", vec!["s1"]), ("a2", vec!["s1"]), ("outl", vec![])] {
        let (_, by_source) = get(&format!("{base}/v1/stories?source={filter}")).await;
        assert_eq!(ids_for(&by_source), want, "source={filter}");
    }

    // Story, cluster, article.
    let (st, story) = get(&format!("{base}/v1/stories/s1")).await;
    assert_eq!(st, 200);
    assert_eq!(story["clusters"][0]["members"].as_array().unwrap().len(), 2);
    assert_eq!(story["history"].as_array().unwrap().len(), 2);
    let (_, cluster) = get(&format!("{base}/v1/clusters/c1")).await;
    assert_eq!(cluster["story_id"], "s1");
    assert_eq!(cluster["members"][1]["pubstatus"], "usable");
    let (_, article) = get(&format!("{base}/v1/articles/a2")).await;
    assert!(article["body_text"].as_str().unwrap().contains("reopened"));

    // Bad input.
    for path in [
        "/v1/stories/nope",
        "/v1/clusters/nope",
        "/v1/articles/nope",
        "/v1/nowhere",
    ] {
        let (st, body) = get(&format!("{base}{path}")).await;
        assert_eq!(st, 404, "{path}");
        assert!(body["error"].is_string());
    }
    let long = "x".repeat(2000);
    for q in [
        "cursor=%25%25%25".to_string(),
        "limit=0".into(),
        "limit=100000".into(),
        "since=yesterday".into(),
        format!("q={long}"),
    ] {
        let (st, body) = get(&format!("{base}/v1/stories?{q}")).await;
        assert_eq!(st, 400, "{q}: {body}");
    }
    let r = reqwest::Client::new()
        .get(format!("{base}/v1/events"))
        .header("last-event-id", "not-a-position")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);

    // Live stream: from the start, then resumed after a new event with Last-Event-ID.
    let first = sse(
        &format!("{base}/v1/events?after=0"),
        None,
        6,
        Duration::from_secs(5),
    )
    .await;
    assert_eq!(first.len(), 6, "{first:?}");
    assert!(first.iter().all(|(id, _, _)| !id.is_empty()));
    // The two streams are read concurrently: each keeps its own order, and how a replica
    // interleaves them is its own (positions make resuming independent of it).
    let of = |evs: &[(String, String, String)], prefix: &str| -> Vec<String> {
        evs.iter()
            .filter(|e| e.1.starts_with(prefix))
            .map(|e| e.1.clone())
            .collect()
    };
    assert_eq!(
        of(&first, "cluster."),
        ["cluster.created", "cluster.member_added", "cluster.created"]
    );
    assert_eq!(
        of(&first, "story."),
        ["story.created", "story.updated", "story.created"]
    );
    let last = first.last().unwrap().0.clone();
    publish_cluster(&bus, &cluster_event("c2", 2, &["b1", "a1"], "s2")).await;
    publish_story(&bus, &story_event("s2", 2, &[("c2", 2)], StoryEventKind::Updated)).await;
    let resumed = sse(
        &format!("{base}/v1/events"),
        Some(&last),
        2,
        Duration::from_secs(5),
    )
    .await;
    let mut names: Vec<&str> = resumed.iter().map(|e| e.1.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["cluster.member_added", "story.updated"]);
    let all = sse(
        &format!("{base}/v1/events?after=0"),
        None,
        8,
        Duration::from_secs(5),
    )
    .await;
    let joined: Vec<_> = first.iter().chain(&resumed).cloned().collect();
    assert_eq!(all, joined, "no gap, no repeat");
    let stories_only = sse(
        &format!("{base}/v1/events?after=0&kinds=story&story=s2"),
        None,
        2,
        Duration::from_secs(3),
    )
    .await;
    assert!(
        stories_only.iter().all(|e| e.1.starts_with("story.")),
        "{stories_only:?}"
    );
    assert_eq!(stories_only.len(), 2);

    // Every documented path answers without a server error.
    let (_, doc) = get(&format!("{base}/v1/openapi.json")).await;
    assert_eq!(doc["openapi"], "3.1.0");
    for path in doc["paths"].as_object().unwrap().keys() {
        if path == "/v1/events" {
            continue;
        }
        let url = format!("{base}{}", path.replace("{id}", "s1"));
        let st = reqwest::get(&url).await.unwrap().status();
        assert!(st.as_u16() < 500, "{url} -> {st}");
    }

    gw.shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(10), gw.task)
        .await
        .expect("gateway stops on shutdown")
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_guards_the_api_and_the_page_but_not_health() {
    let nats = TestNats::start();
    let bus = nats.bus().await;
    let gw = start_with_token(&bus).await;
    let base = &gw.base;
    let client = reqwest::Client::new();
    for path in ["/", "/v1/stories", "/v1/openapi.json"] {
        let r = client.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(r.status(), 401, "{path}");
        let r = client
            .get(format!("{base}{path}"))
            .bearer_auth("s3cret")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
    }
    let r = client
        .get(format!("{base}/v1/stories?access_token=s3cret"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        client
            .get(format!("{base}/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    gw.shutdown.cancel();
    let _ = gw.task.await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_merged_away_story_or_cluster_redirects_to_where_it_went() {
    let nats = TestNats::start();
    let bus = nats.bus().await;
    publish_cluster(&bus, &cluster_event("c1", 1, &["a1"], "s1")).await;
    publish_story(&bus, &story_event("s1", 1, &[("c1", 1)], StoryEventKind::Created)).await;
    publish_cluster(&bus, &cluster_event("c2", 1, &["a2"], "s2")).await;
    publish_story(&bus, &story_event("s2", 1, &[("c2", 1)], StoryEventKind::Created)).await;
    // The copy clusters merge (c1 into c2), and with them the stories (s1 into s2).
    let mut c = cluster_event("c2", 2, &["a2", "a1"], "s2");
    c.kind = ClusterEventKind::Merged;
    c.merged_from = vec!["c1".into()];
    publish_cluster(&bus, &c).await;
    let mut s = story_event("s2", 2, &[("c2", 2)], StoryEventKind::Merged);
    s.merged_from = vec!["s1".into()];
    publish_story(&bus, &s).await;
    let gw = start_with_token(&bus).await;
    let base = &gw.base;
    let manual = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for (old, new, path) in [("s1", "s2", "stories"), ("c1", "c2", "clusters")] {
        let r = manual
            .get(format!("{base}/v1/{path}/{old}?access_token=s3cret"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 301, "{path}/{old}");
        assert_eq!(
            r.headers()["location"],
            format!("{new}?access_token=s3cret").as_str()
        );
        let body: serde_json::Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
        assert_eq!(body["merged_into"], new);
        // A client that follows redirects gets the survivor (the token goes along).
        let (status, v) = get(&format!("{base}/v1/{path}/{old}?access_token=s3cret")).await;
        assert_eq!((status, v["id"].as_str()), (200, Some(new)), "{v}");
    }
    // Ids never seen are still 404.
    let (status, _) = get(&format!("{base}/v1/stories/s9?access_token=s3cret")).await;
    assert_eq!(status, 404);
    gw.shutdown.cancel();
    let _ = gw.task.await;
}

/// Found by Schemathesis against `/v1/openapi.json`: values the document allowed were
/// refused (cursors, times, positions, multi-byte text within `maxLength`), values it did
/// not allow were accepted (`limit=+5`, `since=2025-11-24garbage`), and a path id that is
/// not UTF-8 got a plain-text 400. The handlers and the document now agree.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parameters_are_accepted_exactly_as_the_openapi_document_says() {
    let nats = TestNats::start();
    let bus = nats.bus().await;
    for a in ["a1", "b1"] {
        publish_article(&bus, a).await;
    }
    publish_cluster(&bus, &cluster_event("c1", 1, &["a1"], "s1")).await;
    publish_story(&bus, &story_event("s1", 1, &[("c1", 1)], StoryEventKind::Created)).await;
    publish_cluster(&bus, &cluster_event("c2", 1, &["b1"], "s2")).await;
    publish_story(&bus, &story_event("s2", 1, &[("c2", 1)], StoryEventKind::Created)).await;
    let gw = start(&bus, GatewayConfig::default()).await;
    let base = &gw.base;
    let status = |path: String| async move {
        let r = reqwest::get(&path).await.unwrap();
        let st = r.status().as_u16();
        let body = r.text().await.unwrap();
        if !path.contains("/v1/events") || st != 200 {
            let v: serde_json::Value =
                serde_json::from_str(&body).unwrap_or_else(|_| panic!("{path} -> {st}: not JSON: {body}"));
            if st >= 400 {
                assert!(v["error"].is_string(), "{path}: {body}");
            }
        }
        st
    };

    // The cursor of a page matches the documented pattern and pages on.
    let (_, page1) = get(&format!("{base}/v1/stories?limit=1")).await;
    let cursor = page1["next_cursor"].as_str().unwrap().to_string();
    assert!(
        !cursor.is_empty() && cursor.len() <= 19 && cursor.bytes().all(|b| b.is_ascii_digit()),
        "{cursor}"
    );
    let (_, page2) = get(&format!("{base}/v1/stories?limit=1&cursor={cursor}")).await;
    assert_eq!(page2["stories"][0]["id"], "s1");

    let e_acute = "%C3%A9".repeat(300); // 300 characters, 600 bytes
    let long_e = "%C3%A9".repeat(513);
    let ok = [
        "/v1/stories?cursor=".to_string(),
        "/v1/stories?cursor=0".into(),
        "/v1/stories?cursor=9999999999999999999".into(),
        "/v1/stories?since=2025-11-24".into(),
        "/v1/stories?since=2025-11-24T06:00:00Z&until=2025-11-24T09:00:00.5%2B01:00".into(),
        "/v1/stories?since=&until=".into(),
        "/v1/stories?limit=200".into(),
        format!("/v1/stories?q={e_acute}"),
        "/v1/dead-letters?limit=1".into(),
    ];
    for path in ok {
        assert_eq!(status(format!("{base}{path}")).await, 200, "{path}");
    }
    // Within maxLength in characters: an unknown id, not a bad request.
    assert_eq!(status(format!("{base}/v1/stories/{e_acute}")).await, 404);
    let bad = [
        "/v1/stories?cursor=%2B1".to_string(),
        "/v1/stories?cursor=12345678901234567890".into(),
        "/v1/stories?cursor=djE6MQ".into(),
        "/v1/stories?since=2025-11-24garbage".into(),
        "/v1/stories?since=2025-11-24%2006:00:00Z".into(),
        "/v1/stories?since=2025-11-24T06:00:00".into(),
        "/v1/stories?since=2025-02-30".into(),
        "/v1/stories?until=%202025-11-24".into(),
        "/v1/stories?limit=%2B5".into(),
        "/v1/stories?limit=1.0".into(),
        "/v1/dead-letters?limit=%2B5".into(),
        format!("/v1/stories?q={long_e}"),
        "/v1/stories/%FF".into(),
        "/v1/clusters/%FF%FE".into(),
        "/v1/articles/%C3".into(),
        "/v1/events?after=%2B1-2".into(),
        "/v1/events?after=1-".into(),
        "/v1/events?after=".into(),
        "/v1/events?after=12345678901234567890-1".into(),
        "/v1/events?linger=%2B1".into(),
    ];
    for path in bad {
        assert_eq!(status(format!("{base}{path}")).await, 400, "{path}");
    }
    let r = reqwest::Client::new()
        .get(format!("{base}/v1/events?linger=1"))
        .header("last-event-id", "1-+1")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // A good position with a short linger: 200, and the stream ends by itself.
    let r = reqwest::get(format!("{base}/v1/events?after=0&linger=1"))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body = tokio::time::timeout(Duration::from_secs(10), r.text())
        .await
        .expect("a lingering stream ends")
        .unwrap();
    assert!(body.contains("event: story.created"), "{body}");

    // The document says so, and links list -> story -> cluster -> article.
    let (_, doc) = get(&format!("{base}/v1/openapi.json")).await;
    let params = doc["paths"]["/v1/stories"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let cursor_p = params.iter().find(|p| p["name"] == "cursor").unwrap();
    assert_eq!(cursor_p["schema"]["pattern"], "^[0-9]{0,19}$");
    assert_eq!(
        doc["paths"]["/v1/clusters/{id}"]["get"]["responses"]["200"]["links"]["GetArticle"]["operationId"],
        "getArticle"
    );

    gw.shutdown.cancel();
    let _ = gw.task.await;
}
