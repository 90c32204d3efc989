//! `wirefold bench gateway`: measures the gateway against a real nats-server holding a
//! synthetic newsroom (articles, copy clusters, stories published as the pipeline would,
//! with [`Bus::publish`]).
//!
//! 1. **Rebuild**: time from starting the gateway to `/readyz` 200, and the resident
//!    memory the read model added, per article.
//! 2. **List latency**: `wrk` (an external binary) with `concurrency` connections against
//!    `GET /v1/stories`, then against the same bytes served as a static response by a
//!    tiny axum server in this process (same HTTP stack), then `q` searches.
//! 3. **SSE fan-out**: `sse_clients` raw-TCP clients on `/v1/events?kinds=story`; `events`
//!    story events are published one by one; the latency of each event at each client is
//!    its receipt time minus the time its publish started.
//!
//! The result is one JSON object.

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use futures::StreamExt as _;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _};
use tokio_util::sync::CancellationToken;
use wirefold_bus::Bus;
use wirefold_corpus::Rng;
use wirefold_wire::{
    Article, ArticleRef, ClusterEvent, ClusterEventKind, ClusterMember, SCHEMA_VERSION, StoryCluster,
    StoryEvent, StoryEventKind, subjects,
};

use crate::{GatewayConfig, GatewayError, bind, run};

/// What to measure.
#[derive(Debug, Clone)]
pub struct BenchOptions {
    /// Articles published.
    pub articles: usize,
    /// Copy clusters they fall into.
    pub clusters: usize,
    /// Stories the clusters fall into.
    pub stories: usize,
    /// The `wrk` binary (`None`: skip the HTTP latency runs).
    pub wrk: Option<String>,
    /// `wrk` connections.
    pub concurrency: usize,
    /// `wrk` threads.
    pub threads: usize,
    /// Seconds per `wrk` run.
    pub duration_secs: u64,
    /// Live event stream clients.
    pub sse_clients: usize,
    /// Events published for the fan-out measurement.
    pub events: usize,
    /// Pause between those events.
    pub event_interval: Duration,
}

impl Default for BenchOptions {
    fn default() -> Self {
        BenchOptions {
            articles: 100_000,
            clusters: 40_000,
            stories: 15_000,
            wrk: Some("wrk".into()),
            concurrency: 200,
            threads: 2,
            duration_secs: 10,
            sse_clients: 1000,
            events: 200,
            event_interval: Duration::from_millis(20),
        }
    }
}

/// A word in 1 of 1000 articles (for the rare-word search).
const RARE: &str = "zeppelin";

/// 2,000 made-up words of two or three syllables.
fn vocabulary() -> Vec<String> {
    const SYL: [&str; 20] = [
        "ka", "lo", "mer", "tin", "sa", "ve", "dor", "pa", "ri", "gun", "el", "ost", "bra", "qui", "nu",
        "fa", "zor", "hel", "an", "wy",
    ];
    (0..2000)
        .map(|i| {
            let mut w = String::new();
            w.push_str(SYL[i % 20]);
            w.push_str(SYL[(i / 20) % 20]);
            if i >= 400 {
                w.push_str(SYL[(i / 400) % 20]);
            }
            w
        })
        .collect()
}

/// The word every third article or so has (searches that find a full page quickly).
fn common_word() -> String {
    vocabulary()[7].clone()
}

fn minute(i: usize) -> String {
    let t = 1_764_000_000_000i64 + i as i64 * 60_000;
    wirefold_wire::time::format_ms(t).unwrap_or_default()
}

fn article_ref(i: usize, headline: &str) -> ArticleRef {
    ArticleRef {
        id: format!("a{i}"),
        uri: format!("urn:bench:a{i}"),
        headline: Some(headline.to_string()),
        source: Some(format!("outlet-{}", i % 50)),
        url: Some(format!("https://outlet-{}.example/news/{i}", i % 50)),
        firstcreated: Some(minute(i)),
    }
}

fn headline(vocab: &[String], i: usize) -> String {
    let mut r = Rng::new(i as u64);
    (0..8)
        .map(|_| r.pick(vocab).as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Members of cluster `c`: articles `c`, `c + clusters`, `c + 2 * clusters`, ...
fn members(c: usize, o: &BenchOptions) -> Vec<usize> {
    (c..o.articles).step_by(o.clusters).collect()
}

/// Clusters of story `s`: `s`, `s + stories`, ...
fn story_clusters(s: usize, o: &BenchOptions) -> Vec<usize> {
    (s..o.clusters).step_by(o.stories).collect()
}

fn article(vocab: &[String], i: usize) -> Article {
    let mut r = Rng::new(i as u64 ^ 0x5eed_0000_0000);
    let mut body = String::with_capacity(1400);
    for k in 0..180usize {
        if k > 0 {
            body.push(if k.is_multiple_of(30) { '\n' } else { ' ' });
        }
        body.push_str(r.pick(vocab).as_str());
    }
    if i.is_multiple_of(1000) {
        body.push(' ');
        body.push_str(RARE);
    }
    Article {
        schema: SCHEMA_VERSION,
        id: format!("a{i}"),
        uri: format!("urn:bench:a{i}"),
        version: Some(1),
        headline: Some(headline(vocab, i)),
        firstcreated: Some(minute(i)),
        versioncreated: Some(minute(i)),
        language: Some("en".into()),
        source: Some(format!("outlet-{}", i % 50)),
        url: Some(format!("https://outlet-{}.example/news/{i}", i % 50)),
        body_text: body,
        received: Some(minute(i)),
        ..Default::default()
    }
}

fn cluster_event(vocab: &[String], c: usize, story: usize, o: &BenchOptions) -> ClusterEvent {
    let ms = members(c, o);
    let refs: Vec<ClusterMember> = ms
        .iter()
        .enumerate()
        .map(|(k, &i)| ClusterMember {
            article: article_ref(i, &headline(vocab, i)),
            similarity: if k == 0 { 1.0 } else { 0.93 },
        })
        .collect();
    ClusterEvent {
        schema: SCHEMA_VERSION,
        kind: ClusterEventKind::Created,
        cluster_id: format!("c{c}"),
        version: 1,
        cause: refs[refs.len() - 1].article.clone(),
        canonical: refs[0].article.id.clone(),
        members: refs,
        merged_from: vec![],
        reason: None,
        story_id: Some(format!("s{story}")),
    }
}

fn story_event(vocab: &[String], id: &str, s: usize, clusters: &[usize], o: &BenchOptions) -> StoryEvent {
    let cl: Vec<StoryCluster> = clusters
        .iter()
        .map(|&c| {
            let first = members(c, o)[0];
            StoryCluster {
                id: format!("c{c}"),
                version: 1,
                canonical: article_ref(first, &headline(vocab, first)),
                member_count: members(c, o).len() as u64,
            }
        })
        .collect();
    let articles: u64 = cl.iter().map(|c| c.member_count).sum();
    StoryEvent {
        schema: SCHEMA_VERSION,
        kind: StoryEventKind::Created,
        story_id: id.to_string(),
        version: 1,
        cause: cl[0].canonical.clone(),
        cause_cluster: cl[0].id.clone(),
        headline: cl[0].canonical.headline.clone(),
        first_seen: minute(s),
        updated: minute(s + 5),
        languages: vec!["en".into()],
        cluster_count: cl.len() as u64,
        article_count: articles,
        clusters: cl,
        merged_from: vec![],
        reason: None,
    }
}

/// Publishes the synthetic newsroom: articles, then cluster events, then story events.
async fn fill(bus: &Bus, o: &BenchOptions) -> Result<f64, GatewayError> {
    let vocab = Arc::new(vocabulary());
    let t = Instant::now();
    let v = vocab.clone();
    futures::stream::iter(0..o.articles)
        .map(|i| {
            let (bus, v) = (bus.clone(), v.clone());
            async move {
                let a = article(&v, i);
                bus.publish(&subjects::article(Some("en")), &a.id, &a).await
            }
        })
        .buffer_unordered(256)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<Vec<_>, _>>()?;
    futures::stream::iter(0..o.clusters)
        .map(|c| {
            let (bus, v) = (bus.clone(), v.clone());
            async move {
                let ev = cluster_event(&v, c, c % o.stories, o);
                bus.publish(&subjects::cluster(ev.kind, &ev.cluster_id), &ev.msg_id(), &ev)
                    .await
            }
        })
        .buffer_unordered(256)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<Vec<_>, _>>()?;
    futures::stream::iter(0..o.stories)
        .map(|s| {
            let (bus, v) = (bus.clone(), v.clone());
            async move {
                let ev = story_event(&v, &format!("s{s}"), s, &story_clusters(s, o), o);
                bus.publish(&subjects::story(ev.kind, &ev.story_id), &ev.msg_id(), &ev)
                    .await
            }
        })
        .buffer_unordered(256)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<Vec<_>, _>>()?;
    Ok(t.elapsed().as_secs_f64())
}

/// Resident set size of this process, in bytes (Linux; 0 elsewhere).
fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4096)
}

/// A bare HTTP/1.1 GET; returns the status and the body (for `Content-Length` bodies).
async fn http_get(addr: SocketAddr, path: &str) -> std::io::Result<(u16, Vec<u8>)> {
    let mut s = tokio::net::TcpStream::connect(addr).await?;
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n").as_bytes())
        .await?;
    let mut buf = Vec::new();
    tokio::io::AsyncReadExt::read_to_end(&mut s, &mut buf).await?;
    let head_end = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("no HTTP header"))?;
    let status = std::str::from_utf8(&buf[..head_end])
        .ok()
        .and_then(|h| h.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0);
    Ok((status, buf[head_end + 4..].to_vec()))
}

/// Runs `wrk` and reads requests/s and the latency percentiles off its report.
fn wrk(o: &BenchOptions, bin: &str, url: &str) -> Value {
    let out = std::process::Command::new(bin)
        .args([
            "-t",
            &o.threads.to_string(),
            "-c",
            &o.concurrency.to_string(),
            "-d",
            &format!("{}s", o.duration_secs),
            "--latency",
            url,
        ])
        .output();
    let text = match out {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).into_owned(),
        Ok(o) => return json!({"error": String::from_utf8_lossy(&o.stderr).trim().to_string()}),
        Err(e) => return json!({"error": format!("cannot run {bin}: {e}")}),
    };
    let ms = |v: &str| -> Option<f64> {
        let (num, unit) = v.split_at(v.find(|c: char| c.is_ascii_alphabetic())?);
        let n: f64 = num.parse().ok()?;
        Some(match unit {
            "us" => n / 1000.0,
            "ms" => n,
            "s" => n * 1000.0,
            "m" => n * 60_000.0,
            _ => return None,
        })
    };
    let mut r = json!({"url": url});
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        match f.as_slice() {
            ["50%", v] => r["p50_ms"] = json!(ms(v)),
            ["90%", v] => r["p90_ms"] = json!(ms(v)),
            ["99%", v] => r["p99_ms"] = json!(ms(v)),
            ["Requests/sec:", v] => r["requests_per_s"] = json!(v.parse::<f64>().ok()),
            ["Transfer/sec:", v] => r["transfer_per_s"] = json!(v),
            [n, "requests", "in", ..] => r["requests"] = json!(n.parse::<u64>().ok()),
            ["Non-2xx", "or", "3xx", "responses:", n] => r["non_2xx"] = json!(n.parse::<u64>().ok()),
            ["Socket", "errors:", rest @ ..] => r["socket_errors"] = json!(rest.join(" ")),
            _ => {}
        }
    }
    r
}

/// Serves `body` as `GET /v1/stories` with the gateway's HTTP stack; returns its address.
async fn static_server(body: axum::body::Bytes, shutdown: CancellationToken) -> std::io::Result<SocketAddr> {
    use axum::http::header;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = axum::Router::new().route(
        "/v1/stories",
        axum::routing::get(move || {
            let body = body.clone();
            async move { ([(header::CONTENT_TYPE, "application/json")], body) }
        }),
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(shutdown.cancelled_owned())
            .await;
    });
    Ok(addr)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let k = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[k.min(sorted.len() - 1)]
}

/// One live-stream client: connects, waits for the 200, then records when each
/// `sse-<n>` story event arrives.
async fn sse_client(
    addr: SocketAddr,
    want: usize,
    connected: tokio::sync::mpsc::Sender<bool>,
    deadline: tokio::time::Instant,
) -> Vec<(usize, Instant)> {
    let mut got = Vec::with_capacity(want);
    let Ok(mut s) = tokio::net::TcpStream::connect(addr).await else {
        let _ = connected.send(false).await;
        return got;
    };
    let req = "GET /v1/events?kinds=story HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n\r\n";
    if s.write_all(req.as_bytes()).await.is_err() {
        let _ = connected.send(false).await;
        return got;
    }
    let mut lines = tokio::io::BufReader::new(s).lines();
    let mut ok = false;
    if let Ok(Ok(Some(status))) = tokio::time::timeout_at(deadline, lines.next_line()).await {
        ok = status.split_whitespace().nth(1) == Some("200");
    }
    let _ = connected.send(ok).await;
    if !ok {
        return got;
    }
    const KEY: &str = "\"story_id\":\"sse-";
    while got.len() < want {
        let line = match tokio::time::timeout_at(deadline, lines.next_line()).await {
            Ok(Ok(Some(l))) => l,
            _ => break,
        };
        let now = Instant::now();
        if let Some(at) = line.find(KEY) {
            let rest = &line[at + KEY.len()..];
            if let Some(n) = rest.split('"').next().and_then(|n| n.parse().ok()) {
                got.push((n, now));
            }
        }
    }
    got
}

/// Runs the benchmark on `bus` (a nats-server with the wirefold topology and no data).
pub async fn bench(bus: &Bus, o: &BenchOptions) -> Result<Value, GatewayError> {
    // Every story needs a cluster and every cluster an article.
    let articles = o.articles.max(1);
    let clusters = o.clusters.clamp(1, articles);
    let o = &BenchOptions {
        articles,
        clusters,
        stories: o.stories.clamp(1, clusters),
        ..o.clone()
    };
    let rss_start = rss_bytes();
    let publish_secs = fill(bus, o).await?;
    let messages = o.articles + o.clusters + o.stories;
    let mut out = json!({
        "bench": "gateway",
        "articles": o.articles,
        "clusters": o.clusters,
        "stories": o.stories,
        "publish": {"messages": messages, "secs": publish_secs, "per_s": messages as f64 / publish_secs},
    });

    // 1. Rebuild.
    let rss_before = rss_bytes();
    let t = Instant::now();
    let bound = bind(GatewayConfig {
        listen: "127.0.0.1:0".parse().expect("address"),
        max_streams: o.sse_clients + 16,
        ..GatewayConfig::default()
    })
    .await?;
    let addr = bound.local_addr();
    let shutdown = CancellationToken::new();
    let gw = tokio::spawn(run(bus.clone(), bound, shutdown.clone()));
    loop {
        if let Ok((200, _)) = http_get(addr, "/readyz").await {
            break;
        }
        if gw.is_finished() {
            return Err(GatewayError::Listen {
                addr,
                source: std::io::Error::other("gateway stopped before it was ready"),
            });
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let rebuild_secs = t.elapsed().as_secs_f64();
    // Let the allocator settle, then read the resident size.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_ready = rss_bytes();
    out["rebuild"] = json!({
        "secs": rebuild_secs,
        "messages_per_s": messages as f64 / rebuild_secs,
        "rss_start_bytes": rss_start,
        "rss_before_gateway_bytes": rss_before,
        "rss_ready_bytes": rss_ready,
        "rss_growth_bytes": rss_ready.saturating_sub(rss_before),
        "rss_growth_per_article_bytes": rss_ready.saturating_sub(rss_before) as f64 / o.articles.max(1) as f64,
    });

    // 2. List latency against a static response of the same bytes.
    let (status, body) = http_get(addr, "/v1/stories")
        .await
        .map_err(|source| GatewayError::Listen { addr, source })?;
    let static_stop = CancellationToken::new();
    let static_addr = static_server(axum::body::Bytes::from(body.clone()), static_stop.clone())
        .await
        .map_err(|source| GatewayError::Listen { addr, source })?;
    out["list_response"] = json!({"status": status, "bytes": body.len()});
    if let Some(bin) = &o.wrk {
        let mut q = json!({});
        let common = common_word();
        for (name, path) in [
            ("common_word", format!("/v1/stories?q={common}")),
            ("rare_word", format!("/v1/stories?q={RARE}")),
            ("absent_word", "/v1/stories?q=nowhereword".to_string()),
            // Whole words of a source's name, in any case; one in no story checks them all.
            ("source", "/v1/stories?source=Outlet-7".to_string()),
            ("absent_source", "/v1/stories?source=nowhere".to_string()),
        ] {
            let (st, b) = http_get(addr, &path)
                .await
                .map_err(|source| GatewayError::Listen { addr, source })?;
            let n = serde_json::from_slice::<Value>(&b)
                .ok()
                .and_then(|v| v["stories"].as_array().map(Vec::len));
            // One request at a time first: the cost of the search itself.
            let mut alone = Vec::new();
            for _ in 0..20 {
                let t = Instant::now();
                let _ = http_get(addr, &path).await;
                alone.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            alone.sort_by(f64::total_cmp);
            let url = format!("http://{addr}{path}");
            let bin = bin.clone();
            let o2 = o.clone();
            let mut r = tokio::task::spawn_blocking(move || wrk(&o2, &bin, &url))
                .await
                .unwrap_or_else(|e| json!({"error": e.to_string()}));
            r["status"] = json!(st);
            r["stories_in_page"] = json!(n);
            r["alone_median_ms"] = json!(percentile(&alone, 0.5));
            q[name] = r;
        }
        let runs = [
            ("gateway", format!("http://{addr}/v1/stories")),
            ("static", format!("http://{static_addr}/v1/stories")),
        ];
        for (name, url) in runs {
            let bin = bin.clone();
            let o2 = o.clone();
            out[name] = tokio::task::spawn_blocking(move || wrk(&o2, &bin, &url))
                .await
                .unwrap_or_else(|e| json!({"error": e.to_string()}));
        }
        out["search"] = q;
        if let (Some(g), Some(s)) = (
            out["gateway"]["requests_per_s"].as_f64(),
            out["static"]["requests_per_s"].as_f64(),
        ) {
            out["gateway_vs_static_throughput"] = json!(g / s);
        }
    }
    static_stop.cancel();

    // 3. SSE fan-out.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60) + o.event_interval * o.events as u32;
    let (ctx, mut crx) = tokio::sync::mpsc::channel(o.sse_clients.max(1));
    let mut clients = Vec::with_capacity(o.sse_clients);
    for _ in 0..o.sse_clients {
        clients.push(tokio::spawn(sse_client(addr, o.events, ctx.clone(), deadline)));
    }
    drop(ctx);
    // Every client reports once, connected or not (they keep their sender while reading).
    let mut connected = 0usize;
    for _ in 0..o.sse_clients {
        match crx.recv().await {
            Some(ok) => connected += usize::from(ok),
            None => break,
        }
    }
    let sent: Arc<Vec<OnceLock<Instant>>> = Arc::new((0..o.events).map(|_| OnceLock::new()).collect());
    let vocab = vocabulary();
    let t = Instant::now();
    for n in 0..o.events {
        let s = n % o.stories.max(1);
        let ev = story_event(&vocab, &format!("sse-{n}"), s, &story_clusters(s, o)[..1], o);
        let _ = sent[n].set(Instant::now());
        bus.publish(&subjects::story(ev.kind, &ev.story_id), &ev.msg_id(), &ev)
            .await?;
        tokio::time::sleep(o.event_interval).await;
    }
    let publish_secs = t.elapsed().as_secs_f64();
    let mut lat = Vec::with_capacity(o.sse_clients * o.events);
    let mut complete = 0usize;
    for c in clients {
        let got = c.await.unwrap_or_default();
        complete += usize::from(got.len() == o.events);
        for (n, at) in got {
            if let Some(t0) = sent.get(n).and_then(OnceLock::get) {
                lat.push(at.saturating_duration_since(*t0).as_secs_f64() * 1000.0);
            }
        }
    }
    lat.sort_by(f64::total_cmp);
    out["sse"] = json!({
        "clients": o.sse_clients,
        "connected": connected,
        "clients_with_every_event": complete,
        "events": o.events,
        "event_interval_ms": o.event_interval.as_secs_f64() * 1000.0,
        "publish_secs": publish_secs,
        "deliveries": lat.len(),
        "deliveries_expected": o.sse_clients * o.events,
        "latency_p50_ms": percentile(&lat, 0.50),
        "latency_p99_ms": percentile(&lat, 0.99),
        "latency_max_ms": lat.last().copied(),
    });

    shutdown.cancel();
    let _ = tokio::time::timeout(Duration::from_secs(10), gw).await;
    Ok(out)
}
