//! `wirefold bench pipeline`: generated plain-text articles and HTML pages through the
//! whole pipeline on one machine, beside the bus alone storing the same bytes.
//!
//! An embedded nats-server (as `wirefold up` runs it) and, in this process, the normalizer
//! and the deduplicator with their default settings. Raw documents are published as a
//! fetcher would (`Nats-Msg-Id` = a content id, pipelined publishes); a reader on
//! `WIREFOLD_CLUSTERS` takes the stored cluster events in stream order, and an article's
//! latency is the time from the start of its raw document's publish to the arrival of the
//! first stored cluster event it caused. Phases, in this order, on the same server:
//!
//! 1. plain text at full speed (publishes in a sliding window);
//! 2. HTML pages at full speed;
//! 3. plain text at a fixed rate;
//! 4. HTML pages at the same fixed rate.
//!
//! A phase's throughput is its articles over the time from its first publish to its last
//! article's event. Then the workers and the server stop, a fresh server with the same
//! topology starts, and the **bus alone** stores the same bytes of each full-speed phase,
//! raw document, article record and cluster events per article, under the same subjects and
//! message ids, into the three streams (same window): the rate the bus sustains for that
//! work with nothing else running. The pipeline also stores story events, which the
//! bus-alone run leaves out (the peer is three streams).
//!
//! Generated text is English-like prose from a fixed vocabulary with a deterministic seed;
//! about a third of the articles are copies of a recent one (a paragraph rewritten and a
//! boilerplate line added, or cut short), so the deduplicator merges as well as creates.
//! The result is one JSON object.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use futures::StreamExt as _;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use wirefold_bus::server::{NatsServer, ServerOptions};
use wirefold_bus::{Bus, PendingAck};
use wirefold_corpus::News;
use wirefold_wire::{RawBody, RawDocument, SCHEMA_VERSION, SourceKind, subjects};

use crate::cmd::connect;

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Plain-text articles of the full-speed phase.
    pub articles: usize,
    /// HTML pages of the full-speed phase.
    pub html: usize,
    /// Articles per second of the fixed-rate phases.
    pub rate: f64,
    /// Seconds each fixed-rate phase lasts.
    pub rate_secs: f64,
    /// Raw documents sent and not yet acknowledged, at most, at full speed (and in the
    /// bus-alone run).
    pub window: usize,
    /// Seed of the generated text.
    pub seed: u64,
    /// The normalizer's documents in hand at once (1: the one-at-a-time loop it replaced).
    pub normalizer_in_flight: usize,
    /// The deduplicator's snapshot period in articles (its default when `None`).
    pub snapshot_every: Option<u64>,
}

/// One phase's documents, as published.
struct Phase {
    name: &'static str,
    docs: Vec<RawDocument>,
    rate: Option<f64>,
}

/// What a phase measured.
struct Measured {
    secs: f64,
    publish_secs: f64,
    latencies_ms: Vec<f64>,
    missing: usize,
    /// Sequences of the articles and cluster events stored during the phase.
    articles_after: u64,
    clusters_after: u64,
    articles_upto: u64,
    clusters_upto: u64,
}

/// Runs the benchmark and returns its report.
pub async fn run(opts: &Options) -> anyhow::Result<Value> {
    let load_before = load_average();
    let mut news = News::new(opts.seed);
    let run_id = format!("{:016x}", opts.seed ^ wirefold_wire::time::now_ms() as u64);
    let n_rate = (opts.rate * opts.rate_secs).round().max(1.0) as usize;
    let phases = vec![
        Phase {
            name: "text_full_speed",
            docs: documents(&mut news, &run_id, "t", opts.articles, false),
            rate: None,
        },
        Phase {
            name: "html_full_speed",
            docs: documents(&mut news, &run_id, "h", opts.html, true),
            rate: None,
        },
        Phase {
            name: "text_fixed_rate",
            docs: documents(&mut news, &run_id, "tr", n_rate, false),
            rate: Some(opts.rate),
        },
        Phase {
            name: "html_fixed_rate",
            docs: documents(&mut news, &run_id, "hr", n_rate, true),
            rate: Some(opts.rate),
        },
    ];

    let dir = tempfile::tempdir()?;
    let mut server = start_server(dir.path()).await?;
    let bus = connect(server.url(), "wirefold-bench").await?;
    let shutdown = CancellationToken::new();
    let mut workers = tokio::task::JoinSet::new();
    {
        let (bus, s) = (bus.clone(), shutdown.clone());
        let cfg = wirefold_normalizer::worker::NormalizerConfig {
            in_flight: opts.normalizer_in_flight.max(1),
            ..Default::default()
        };
        workers.spawn(async move {
            wirefold_normalizer::worker::run(bus, cfg, s)
                .await
                .map_err(anyhow::Error::from)
        });
    }
    let mut dedup_config = wirefold_deduplicator::worker::DedupConfig {
        holder: "bench".into(),
        ..Default::default()
    };
    if let Some(n) = opts.snapshot_every {
        dedup_config.snapshot_every = n.max(1);
    }
    let snapshot_every = dedup_config.snapshot_every;
    {
        let (bus, s) = (bus.clone(), shutdown.clone());
        workers.spawn(async move {
            wirefold_deduplicator::worker::run(bus, dedup_config, s)
                .await
                .map_err(anyhow::Error::from)
        });
    }
    let mut report = serde_json::Map::new();
    let mut measured = Vec::new();
    for phase in &phases {
        if phase.docs.is_empty() {
            measured.push(None);
            continue;
        }
        let m = measure(&bus, phase, opts.window).await?;
        report.insert(phase.name.to_string(), summary(phase, &m));
        measured.push(Some(m));
    }
    // The bytes each full-speed phase stored, in stream order, for the bus-alone run.
    let mut replays = Vec::new();
    for (phase, m) in phases.iter().zip(&measured) {
        if let (None, Some(m)) = (phase.rate, m) {
            replays.push((phase.name, stored_bytes(&bus, phase, m).await?));
        }
    }
    shutdown.cancel();
    while let Some(done) = workers.join_next().await {
        done??;
    }
    bus.drain().await;
    tokio::task::spawn_blocking(move || server.stop()).await?;
    drop(dir);

    // The bus alone, on a fresh server with the same topology.
    let dir = tempfile::tempdir()?;
    let mut server = start_server(dir.path()).await?;
    let bus = connect(server.url(), "wirefold-bench-peer").await?;
    for (name, msgs) in &replays {
        let (secs, articles, messages) = bus_alone(&bus, msgs, opts.window).await?;
        let rate = articles as f64 / secs.max(1e-9);
        let pipeline = report[*name]["articles_per_s"].as_f64().unwrap_or(0.0);
        report.insert(
            format!("{name}_bus_alone"),
            json!({
                "articles": articles,
                "messages": messages,
                "secs": secs,
                "articles_per_s": rate,
                "pipeline_ratio": pipeline / rate.max(1e-9),
            }),
        );
    }
    bus.drain().await;
    tokio::task::spawn_blocking(move || server.stop()).await?;
    drop(dir);
    report.insert("bench".into(), json!("pipeline"));
    report.insert("window".into(), json!(opts.window));
    report.insert("normalizer_in_flight".into(), json!(opts.normalizer_in_flight));
    report.insert("snapshot_every".into(), json!(snapshot_every));
    report.insert("load_average_before".into(), json!(load_before));
    report.insert("load_average_after".into(), json!(load_average()));
    Ok(Value::Object(report))
}

async fn start_server(dir: &std::path::Path) -> anyhow::Result<NatsServer> {
    let opts = ServerOptions {
        store_dir: dir.to_path_buf(),
        port: None,
        max_payload: 8 << 20,
    };
    tokio::task::spawn_blocking(move || NatsServer::start(opts))
        .await?
        .context("cannot start an embedded nats-server for the benchmark")
}

/// Publishes a phase's documents and waits for the cluster event of each.
async fn measure(bus: &Bus, phase: &Phase, window: usize) -> anyhow::Result<Measured> {
    let articles_after = bus.stream_state(subjects::ARTICLES_STREAM).await?.last_seq;
    let clusters_after = bus.stream_state(subjects::CLUSTERS_STREAM).await?.last_seq;
    let sent: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let n = phase.docs.len();
    // The reader: stored cluster events in stream order, from this phase on.
    let mut events = bus
        .read_ordered(
            subjects::CLUSTERS_STREAM,
            subjects::CLUSTERS_ALL,
            clusters_after + 1,
        )
        .await?;
    let reader = {
        let sent = sent.clone();
        tokio::spawn(async move {
            let mut latencies = HashMap::with_capacity(n);
            let mut last = None;
            let idle = Duration::from_secs(60);
            while latencies.len() < n {
                let Ok(next) = tokio::time::timeout(idle, events.next()).await else {
                    break;
                };
                let Some(Ok(m)) = next else {
                    break;
                };
                let now = Instant::now();
                let Ok(ev) = serde_json::from_slice::<Cause>(&m.payload) else {
                    continue;
                };
                let started = sent.lock().expect("sent map").get(&ev.cause.id).copied();
                if let Some(t) = started
                    && !latencies.contains_key(&ev.cause.id)
                {
                    latencies.insert(ev.cause.id, now.duration_since(t).as_secs_f64() * 1e3);
                    last = Some(now);
                }
            }
            (latencies, last)
        })
    };
    let start = Instant::now();
    let mut pending: VecDeque<PendingAck> = VecDeque::new();
    let mut tick = phase.rate.map(|r| {
        let mut t = tokio::time::interval(Duration::from_secs_f64(1.0 / r.max(0.001)));
        t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
        t
    });
    for doc in &phase.docs {
        if let Some(t) = tick.as_mut() {
            t.tick().await;
        }
        let mut doc = doc.clone();
        doc.received = wirefold_wire::time::now_rfc3339();
        let payload = wirefold_wire::encode(&doc);
        sent.lock()
            .expect("sent map")
            .insert(doc.id.clone(), Instant::now());
        let ack = bus
            .publish_pipelined(&subjects::raw(doc.kind), &doc.id, &[], None, payload)
            .await?;
        pending.push_back(ack);
        // Acks come in order; nothing waits on them but a full window.
        while pending.len() >= window.max(1) {
            if let Some(p) = pending.pop_front() {
                p.wait().await?;
            }
        }
    }
    for p in pending {
        p.wait().await?;
    }
    let publish_secs = start.elapsed().as_secs_f64();
    let (latencies, last) = reader.await?;
    let secs = last.map_or(0.0, |l| l.duration_since(start).as_secs_f64());
    let articles_upto = bus.stream_state(subjects::ARTICLES_STREAM).await?.last_seq;
    let clusters_upto = bus.stream_state(subjects::CLUSTERS_STREAM).await?.last_seq;
    let mut latencies_ms: Vec<f64> = latencies.into_values().collect();
    latencies_ms.sort_by(f64::total_cmp);
    Ok(Measured {
        secs,
        publish_secs,
        missing: n - latencies_ms.len(),
        latencies_ms,
        articles_after,
        clusters_after,
        articles_upto,
        clusters_upto,
    })
}

#[derive(serde::Deserialize)]
struct Cause {
    cause: CauseId,
}

#[derive(serde::Deserialize)]
struct CauseId {
    id: String,
}

fn summary(phase: &Phase, m: &Measured) -> Value {
    let n = phase.docs.len();
    let bytes: usize = phase.docs.iter().map(|d| d.body.len()).sum();
    let q = |p: f64| {
        if m.latencies_ms.is_empty() {
            return Value::Null;
        }
        let i = ((m.latencies_ms.len() as f64 * p).ceil() as usize).clamp(1, m.latencies_ms.len()) - 1;
        json!((m.latencies_ms[i] * 100.0).round() / 100.0)
    };
    json!({
        "articles": n,
        "mean_body_bytes": bytes / n.max(1),
        "target_rate": phase.rate,
        "secs": m.secs,
        "publish_secs": m.publish_secs,
        "articles_per_s": (n - m.missing) as f64 / m.secs.max(1e-9),
        "latency_ms": { "p50": q(0.50), "p90": q(0.90), "p99": q(0.99), "max": q(1.0) },
        "without_event": m.missing,
        "articles_stored": m.articles_upto - m.articles_after,
        "cluster_events_stored": m.clusters_upto - m.clusters_after,
    })
}

/// A message to store again: subject, message id, payload.
type Stored = (String, String, Vec<u8>);

/// Per raw document of a phase: the raw document, its article and its cluster events.
async fn stored_bytes(bus: &Bus, phase: &Phase, m: &Measured) -> anyhow::Result<Vec<Vec<Stored>>> {
    let mut per: HashMap<String, Vec<Stored>> = HashMap::new();
    for doc in &phase.docs {
        per.insert(
            doc.id.clone(),
            vec![(
                subjects::raw(doc.kind),
                doc.id.clone(),
                wirefold_wire::encode(doc),
            )],
        );
    }
    for seq in m.articles_after + 1..=m.articles_upto {
        let Some(msg) = bus.get_message(subjects::ARTICLES_STREAM, seq).await? else {
            continue;
        };
        let a: wirefold_wire::Article = wirefold_wire::decode(&msg.payload)?;
        if let Some(v) = per.get_mut(&a.id) {
            v.push((msg.subject, a.id.clone(), msg.payload.to_vec()));
        }
    }
    for seq in m.clusters_after + 1..=m.clusters_upto {
        let Some(msg) = bus.get_message(subjects::CLUSTERS_STREAM, seq).await? else {
            continue;
        };
        let ev: wirefold_wire::ClusterEvent = wirefold_wire::decode(&msg.payload)?;
        if let Some(v) = per.get_mut(&ev.cause.id) {
            v.push((msg.subject, ev.msg_id(), msg.payload.to_vec()));
        }
    }
    Ok(phase.docs.iter().filter_map(|d| per.remove(&d.id)).collect())
}

/// Stores the same messages with the same ids and subjects, per article in order,
/// pipelined in a window. Returns seconds, articles and messages.
async fn bus_alone(
    bus: &Bus,
    per_article: &[Vec<Stored>],
    window: usize,
) -> anyhow::Result<(f64, usize, usize)> {
    let start = Instant::now();
    let mut pending: VecDeque<PendingAck> = VecDeque::new();
    let mut messages = 0;
    for msgs in per_article {
        for (subject, id, payload) in msgs {
            pending.push_back(
                bus.publish_pipelined(subject, id, &[], None, payload.clone())
                    .await?,
            );
            messages += 1;
            while pending.len() >= window.max(1) {
                if let Some(p) = pending.pop_front() {
                    p.wait().await?;
                }
            }
        }
    }
    for p in pending {
        p.wait().await?;
    }
    Ok((start.elapsed().as_secs_f64(), per_article.len(), messages))
}

/// The 1-, 5- and 15-minute load averages, when the system says.
fn load_average() -> Option<[f64; 3]> {
    let s = std::fs::read_to_string("/proc/loadavg").ok()?;
    let mut it = s.split_whitespace().map(|x| x.parse::<f64>().ok());
    Some([it.next()??, it.next()??, it.next()??])
}

/// `n` raw documents of `news`, plain text or HTML pages, with ids unique to this run.
fn documents(news: &mut News, run_id: &str, tag: &str, n: usize, html: bool) -> Vec<RawDocument> {
    (0..n)
        .map(|i| {
            let (headline, paras) = news.article();
            let (body, content_type, url) = if html {
                let url = format!("https://bench.example/{tag}/{i}.html");
                (page(&headline, &paras, &url, i), "text/html; charset=utf-8", url)
            } else {
                let url = format!("file:///bench/{tag}/{i}.txt");
                (
                    format!("{headline}\n\n{}", paras.join("\n\n")),
                    "text/plain; charset=utf-8",
                    url,
                )
            };
            // The run id is the version key: every run's documents are new ones.
            let id = wirefold_fetcher::raw_document_id("", &url, run_id);
            RawDocument {
                schema: SCHEMA_VERSION,
                id,
                uri: url.clone(),
                version: None,
                kind: if html { SourceKind::Page } else { SourceKind::File },
                source: None,
                url: Some(url),
                content_type: Some(content_type.into()),
                received: String::new(),
                hints: Default::default(),
                body: RawBody::Text(body),
            }
        })
        .collect()
}

/// A news page around the article: head metadata, navigation, related links, footer.
fn page(headline: &str, paras: &[String], url: &str, i: usize) -> String {
    let mut s = String::with_capacity(8192);
    s.push_str("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">");
    s.push_str(&format!(
        "<title>{headline} | The Bench Herald</title><link rel=\"canonical\" href=\"{url}\">\
         <meta property=\"og:title\" content=\"{headline}\"><meta property=\"og:site_name\" content=\"The Bench Herald\">\
         <meta name=\"author\" content=\"Staff Reporter\">\
         <script type=\"application/ld+json\">{{\"@context\":\"https://schema.org\",\"@type\":\"NewsArticle\",\
         \"headline\":\"{headline}\",\"datePublished\":\"2026-01-{:02}T{:02}:00:00Z\",\"author\":{{\"@type\":\"Person\",\"name\":\"Staff Reporter\"}}}}</script>",
        1 + i % 28,
        i % 24
    ));
    s.push_str("<style>body{font-family:serif}.nav a{margin:0 4px}</style></head><body>");
    s.push_str("<header><div class=\"logo\">The Bench Herald</div><nav class=\"nav\">");
    for section in [
        "World", "Politics", "Business", "Sport", "Culture", "Science", "Opinion",
    ] {
        s.push_str(&format!("<a href=\"/{}\">{section}</a>", section.to_lowercase()));
    }
    s.push_str("</nav><form><input name=\"q\" placeholder=\"Search\"></form></header><main><article>");
    s.push_str(&format!(
        "<h1>{headline}</h1><p class=\"byline\">By Staff Reporter</p><time datetime=\"2026-01-{:02}\">January {}</time>",
        1 + i % 28,
        1 + i % 28
    ));
    for p in paras {
        s.push_str("<p>");
        s.push_str(p);
        s.push_str("</p>");
    }
    s.push_str("</article><aside class=\"related\"><h2>Most read</h2><ul>");
    for k in 0..6 {
        s.push_str(&format!(
            "<li><a href=\"/story/{}\">Another headline number {k} today</a></li>",
            i + k
        ));
    }
    s.push_str(
        "</ul></aside></main><footer><p>Copyright The Bench Herald. All rights reserved.</p>\
                <a href=\"/privacy\">Privacy</a> <a href=\"/terms\">Terms</a></footer></body></html>",
    );
    s
}
