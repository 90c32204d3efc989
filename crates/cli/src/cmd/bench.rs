//! `wirefold bench dedup|fetch|gateway|pipeline`: throughput benchmarks of the real code paths, printed as
//! one JSON object so scripts (and BENCHMARKS.md) can put them beside a peer's numbers.
//!
//! `dedup` times `wirefold_dedup::eval::bench_corpus` (fingerprinting, candidate search,
//! verification, cluster update; not the JSON parsing) over a JSONL corpus on one thread,
//! then `bench_stories` (the same plus the story level) over the same corpus in the same
//! run, and reports both throughputs and the story level's share.
//! `fetch` runs `wirefold_fetcher::bench` (feeds served on loopback, stored in JetStream)
//! against `NATS_URL` or an embedded nats-server in a temporary directory.
//! `gateway` runs `wirefold_gateway::bench::bench` (a synthetic newsroom published to an
//! embedded nats-server; rebuild time, list latency with `wrk` beside a static response,
//! SSE fan-out latency).
//! `pipeline` runs [`pipeline::run`]: generated articles and pages through the whole
//! pipeline on an embedded nats-server, beside the bus alone storing the same bytes.

mod pipeline;

use std::io::BufRead as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use wirefold_bus::server::{NatsServer, ServerOptions};
use wirefold_dedup::eval::CorpusDoc;

use super::connect;

/// Flags of `bench`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    what: What,
}

impl Args {
    /// Whether this is `bench pipeline` (run like the pipeline's processes).
    pub fn is_pipeline(&self) -> bool {
        matches!(self.what, What::Pipeline { .. })
    }
}

#[derive(Debug, Clone, clap::Subcommand)]
enum What {
    /// The dedup core over a JSONL corpus (`{"id","title","text"}` lines, e.g. from
    /// ../shared/tools/gen_corpus.py): articles per second and index bytes per article.
    Dedup {
        /// The corpus.
        #[arg(long)]
        input: PathBuf,
        /// Use only the first N articles.
        #[arg(long)]
        n: Option<usize>,
        /// Gold label to score against when the lines carry one (e.g. `cluster`, `copy`).
        #[arg(long)]
        label: Option<String>,
    },
    /// The fetcher: items per second from loopback feeds to raw documents in JetStream,
    /// beside publishing the same documents directly.
    Fetch {
        /// NATS server URL; without it an embedded nats-server runs in a temp directory.
        #[arg(long, env = crate::env::NATS_URL)]
        nats_url: Option<String>,
        /// Feeds served.
        #[arg(long, default_value_t = 50)]
        feeds: usize,
        /// Items per feed.
        #[arg(long, default_value_t = 100)]
        items: usize,
        /// Polls in flight at once.
        #[arg(long, default_value_t = 8)]
        concurrency: usize,
    },
    /// The gateway: read-model rebuild time and memory, `GET /v1/stories` latency under
    /// load (with `wrk`) beside a static response of the same bytes, and SSE fan-out
    /// latency, over a synthetic newsroom in an embedded nats-server.
    Gateway {
        /// Articles published.
        #[arg(long, default_value_t = 100_000)]
        articles: usize,
        /// Copy clusters they fall into.
        #[arg(long, default_value_t = 40_000)]
        clusters: usize,
        /// Stories the clusters fall into.
        #[arg(long, default_value_t = 15_000)]
        stories: usize,
        /// The `wrk` binary; `none` skips the HTTP latency runs.
        #[arg(long, default_value = "wrk")]
        wrk: String,
        /// Connections of each `wrk` run.
        #[arg(long, default_value_t = 200)]
        concurrency: usize,
        /// Threads of each `wrk` run.
        #[arg(long, default_value_t = 2)]
        threads: usize,
        /// Seconds of each `wrk` run.
        #[arg(long, default_value_t = 10)]
        duration: u64,
        /// Live event stream clients.
        #[arg(long, default_value_t = 1000)]
        sse_clients: usize,
        /// Events published for the fan-out measurement.
        #[arg(long, default_value_t = 200)]
        events: usize,
        /// Milliseconds between those events.
        #[arg(long, default_value_t = 20)]
        event_interval_ms: u64,
    },
    /// The whole pipeline on an embedded nats-server (normalizer and deduplicator in this
    /// process): generated plain-text articles and HTML pages at full speed and at a fixed
    /// rate; articles/s and latency from raw publish to stored cluster event, beside the
    /// bus alone storing the same bytes in the three streams.
    Pipeline {
        /// Plain-text articles at full speed.
        #[arg(long, default_value_t = 20_000)]
        articles: usize,
        /// HTML pages at full speed.
        #[arg(long, default_value_t = 3_000)]
        html: usize,
        /// Articles per second of the fixed-rate phases (plain text, then HTML).
        #[arg(long, default_value_t = 200.0)]
        rate: f64,
        /// Seconds each fixed-rate phase lasts.
        #[arg(long, default_value_t = 15.0)]
        rate_secs: f64,
        /// Raw documents sent and not yet acknowledged at full speed, at most.
        #[arg(long, default_value_t = 256)]
        window: usize,
        /// Seed of the generated text.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The normalizer's documents in hand at once (1 gives the one-at-a-time loop).
        #[arg(long, default_value_t = wirefold_normalizer::worker::DEFAULT_IN_FLIGHT)]
        normalizer_in_flight: usize,
        /// The deduplicator's snapshot period in articles (default: the worker's).
        #[arg(long)]
        snapshot_every: Option<u64>,
    },
}

/// Runs a benchmark.
pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.what {
        What::Dedup { input, n, label } => {
            tokio::task::spawn_blocking(move || dedup(&input, n, label.as_deref())).await??;
        }
        What::Fetch {
            nats_url,
            feeds,
            items,
            concurrency,
        } => fetch(nats_url, feeds, items, concurrency).await?,
        What::Gateway {
            articles,
            clusters,
            stories,
            wrk,
            concurrency,
            threads,
            duration,
            sse_clients,
            events,
            event_interval_ms,
        } => {
            let opts = wirefold_gateway::bench::BenchOptions {
                articles,
                clusters: clusters.max(1),
                stories: stories.max(1),
                wrk: (wrk != "none").then_some(wrk),
                concurrency,
                threads,
                duration_secs: duration,
                sse_clients,
                events,
                event_interval: std::time::Duration::from_millis(event_interval_ms),
            };
            gateway(&opts).await?;
        }
        What::Pipeline {
            articles,
            html,
            rate,
            rate_secs,
            window,
            seed,
            normalizer_in_flight,
            snapshot_every,
        } => {
            let opts = pipeline::Options {
                articles,
                html,
                rate,
                rate_secs,
                window,
                seed,
                normalizer_in_flight,
                snapshot_every,
            };
            println!("{}", pipeline::run(&opts).await?);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn dedup(input: &PathBuf, n: Option<usize>, label: Option<&str>) -> anyhow::Result<()> {
    let file = std::fs::File::open(input).with_context(|| format!("cannot open {}", input.display()))?;
    let mut docs = Vec::new();
    let mut gold = Vec::new();
    for line in std::io::BufReader::with_capacity(1 << 20, file).lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        if n.is_some_and(|n| docs.len() >= n) {
            break;
        }
        let v: serde_json::Value = serde_json::from_str(&line).context("corpus line is not JSON")?;
        let s = |k: &str| match &v[k] {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Null => String::new(),
            other => other.to_string(),
        };
        docs.push(CorpusDoc {
            id: s("id"),
            title: s("title"),
            text: s("text"),
            published_ms: v["published"].as_str().and_then(wirefold_wire::time::parse_ms),
        });
        if let Some(l) = label {
            gold.push(s(l));
        }
    }
    anyhow::ensure!(!docs.is_empty(), "{} holds no articles", input.display());
    let r = wirefold_dedup::eval::bench_corpus(&docs, wirefold_dedup::Config::default());
    let st = wirefold_dedup::eval::bench_stories(
        &docs,
        wirefold_dedup::Config::default(),
        wirefold_dedup::story::Config::default(),
    );
    let mut out = serde_json::json!({
        "bench": "dedup",
        "articles": r.docs,
        "secs": r.secs,
        "articles_per_s": r.docs_per_s,
        "mb_per_s": r.mb_per_s,
        "index_bytes": r.heap_bytes,
        "bytes_per_article": r.bytes_per_doc,
        "clusters": r.clusters,
        "events": r.events,
        "copy_and_story": {
            "secs": st.secs,
            "articles_per_s": st.docs_per_s,
            "story_secs": st.story_secs,
            "story_share_of_time": st.story_secs / st.secs,
            "throughput_vs_copy_alone": st.docs_per_s / r.docs_per_s,
            "story_index_bytes": st.story_heap_bytes,
            "story_bytes_per_article": st.story_bytes_per_doc,
            "stories": st.stories,
        },
    });
    if label.is_some() {
        let s = wirefold_dedup::eval::score(&gold, &r.assignment);
        out["pairwise"] = serde_json::json!({"p": s.pair_precision, "r": s.pair_recall, "f1": s.pair_f1});
        out["bcubed_f1"] = serde_json::json!(s.b3_f1);
    }
    println!("{out}");
    Ok(())
}

async fn fetch(
    nats_url: Option<String>,
    feeds: usize,
    items: usize,
    concurrency: usize,
) -> anyhow::Result<()> {
    // The server's store directory lives as long as the server.
    let mut store = None;
    let mut server = None;
    let url = match nats_url {
        Some(u) => u,
        None => {
            let dir = tempfile::tempdir()?;
            let opts = ServerOptions {
                store_dir: dir.path().to_path_buf(),
                port: None,
                max_payload: 8 << 20,
            };
            let s = tokio::task::spawn_blocking(move || NatsServer::start(opts))
                .await?
                .context("cannot start an embedded nats-server for the benchmark")?;
            let url = s.url().to_string();
            server = Some(s);
            store = Some(dir);
            url
        }
    };
    let bus = connect(&url, "wirefold-bench").await?;
    let r = wirefold_fetcher::bench(&bus, feeds, items, concurrency).await?;
    println!(
        "{}",
        serde_json::json!({
            "bench": "fetch",
            "feeds": r.feeds,
            "items": r.items,
            "fetch_secs": r.fetch_secs,
            "fetch_items_per_s": r.fetch_items_per_sec,
            "publish_only_items_per_s": r.publish_only_items_per_sec,
            "ratio": r.fetch_items_per_sec / r.publish_only_items_per_sec.max(1e-9),
        })
    );
    bus.drain().await;
    if let Some(mut s) = server {
        tokio::task::spawn_blocking(move || s.stop()).await?;
    }
    drop(store);
    Ok(())
}

async fn gateway(opts: &wirefold_gateway::bench::BenchOptions) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let server_opts = ServerOptions {
        store_dir: dir.path().to_path_buf(),
        port: None,
        max_payload: 8 << 20,
    };
    let mut server = tokio::task::spawn_blocking(move || NatsServer::start(server_opts))
        .await?
        .context("cannot start an embedded nats-server for the benchmark")?;
    let bus = connect(server.url(), "wirefold-bench").await?;
    let r = wirefold_gateway::bench::bench(&bus, opts).await;
    bus.drain().await;
    tokio::task::spawn_blocking(move || server.stop()).await?;
    drop(dir);
    println!("{}", r?);
    Ok(())
}
