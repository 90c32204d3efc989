//! The fetcher worker ([`run`]): syncs the sources file into the registry, then every tick
//! picks the due, unpaused sources, takes each one's lease, polls it and saves its state;
//! alongside, drop folders are watched and the push endpoint served. On shutdown it stops
//! scheduling, lets in-flight polls finish within the grace period, then returns.
//!
//! Also the fetch benchmark ([`bench`]): feeds served on loopback to raw documents stored
//! in JetStream, against plain publishing of the same documents as the named peer.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use wirefold_bus::Bus;

use crate::config::{FetcherConfig, SourceSpec, SourcesFile};
use crate::dropdir::{self, DropConfig};
use crate::net::HttpClient;
use crate::polite::Polite;
use crate::poll::{self, Ctx};
use crate::state::StateStore;
use crate::{FetchError, now_ms, registry};

/// How long a fetcher waits before looking again at a source another fetcher holds.
const BUSY_RETRY_MS: i64 = 2_000;

/// Runs the fetcher until `shutdown` is cancelled (the workers' one shutdown shape).
pub async fn run(bus: Bus, config: FetcherConfig, shutdown: CancellationToken) -> Result<(), FetchError> {
    tracing::info!(config = ?config, "fetcher starting");
    if let Some(addr) = config.metrics_listen
        && let Err(e) = crate::metrics::install(Some(addr))
    {
        tracing::warn!(error = %e, "metrics exporter not installed");
    }
    if let Some(path) = &config.sources_file {
        let file = SourcesFile::load(path)?;
        registry::sources_sync(&bus, &file).await?;
    }
    let ctx = context(&bus, &config)?;
    let store = StateStore::open(&bus).await?;

    let mut side: JoinSet<Result<(), FetchError>> = JoinSet::new();
    for dir in &config.drop_dirs {
        let cfg = DropConfig {
            dir: dir.clone(),
            scan: config.drop_scan,
            settle: config.drop_settle,
            max_bytes: config.limits.max_document_bytes,
        };
        side.spawn(dropdir::watch(bus.clone(), cfg, shutdown.clone()));
    }
    if let Some(push) = config.push.clone() {
        let listener = tokio::net::TcpListener::bind(push.listen)
            .await
            .map_err(|source| FetchError::Listen {
                addr: push.listen.to_string(),
                source,
            })?;
        side.spawn(crate::push::serve(bus.clone(), push, listener, shutdown.clone()));
    }

    let mut specs: Vec<SourceSpec> = Vec::new();
    let mut refreshed: Option<tokio::time::Instant> = None;
    let mut next_check: HashMap<String, i64> = HashMap::new();
    let mut inflight: HashSet<String> = HashSet::new();
    let mut polls: JoinSet<(String, i64)> = JoinSet::new();
    let mut tick = tokio::time::interval(config.tick);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            biased;
            _ = shutdown.cancelled() => break,
            Some(done) = polls.join_next(), if !polls.is_empty() => {
                if let Ok((name, next)) = done {
                    inflight.remove(&name);
                    next_check.insert(name, next);
                }
                continue;
            }
            Some(ended) = side.join_next(), if !side.is_empty() => {
                match ended {
                    Ok(Err(e)) => tracing::error!(error = %e, "drop folder or push endpoint stopped"),
                    Err(e) => tracing::error!(error = %e, "drop folder or push task panicked"),
                    Ok(Ok(())) => {}
                }
                continue;
            }
            _ = tick.tick() => {}
        }
        if refreshed.is_none_or(|t| t.elapsed() >= config.registry_refresh) {
            match registry::load_specs(&bus).await {
                Ok(s) => {
                    specs = s;
                    refreshed = Some(tokio::time::Instant::now());
                }
                Err(e) => tracing::warn!(error = %e, "cannot read the source registry, keeping the last one"),
            }
        }
        let now = now_ms();
        for spec in &specs {
            if polls.len() >= config.concurrency.max(1) {
                break;
            }
            if spec.paused
                || inflight.contains(&spec.name)
                || next_check.get(&spec.name).is_some_and(|&t| t > now)
            {
                continue;
            }
            inflight.insert(spec.name.clone());
            let (ctx, store, spec, owner) = (
                ctx.clone(),
                store.clone(),
                spec.clone(),
                config.fetcher_id.clone(),
            );
            let ttl = config.limits.lease_ttl;
            polls.spawn(async move {
                let next = poll_task(&ctx, &store, &spec, &owner, ttl).await;
                (spec.name, next)
            });
        }
    }
    tracing::info!(in_flight = polls.len(), "fetcher stopping");
    if tokio::time::timeout(config.grace, async { while polls.join_next().await.is_some() {} })
        .await
        .is_err()
    {
        tracing::warn!("polls still running after the grace period, abandoning them");
        polls.abort_all();
    }
    if tokio::time::timeout(config.grace, async { while side.join_next().await.is_some() {} })
        .await
        .is_err()
    {
        side.abort_all();
    }
    tracing::info!("fetcher stopped");
    Ok(())
}

/// The shared poll context of a configuration.
pub(crate) fn context(bus: &Bus, config: &FetcherConfig) -> Result<Ctx, FetchError> {
    let http = HttpClient::new(&config.user_agent, &config.allow, config.limits.clone())?;
    let polite = Arc::new(Polite::new(http, &config.user_agent, config.respect_robots));
    Ok(Ctx {
        bus: bus.clone(),
        polite,
        limits: config.limits.clone(),
    })
}

/// A fetcher without its own loop: polls due sources on demand (`wirefold fetcher --once`,
/// tests, benchmarks). [`run`] is this plus a scheduler, drop folders and the push endpoint.
#[derive(Debug, Clone)]
pub struct Fetcher {
    bus: Bus,
    config: FetcherConfig,
    ctx: Ctx,
    store: StateStore,
}

impl Fetcher {
    /// Prepares HTTP client, politeness and state store.
    pub async fn new(bus: &Bus, config: FetcherConfig) -> Result<Fetcher, FetchError> {
        let ctx = context(bus, &config)?;
        let store = StateStore::open(bus).await?;
        Ok(Fetcher {
            bus: bus.clone(),
            config,
            ctx,
            store,
        })
    }

    /// Polls every unpaused registered source whose next poll is due (at most
    /// `concurrency` at once) and waits for all; returns how many were looked at.
    pub async fn poll_due(&self) -> Result<usize, FetchError> {
        let specs = registry::load_specs(&self.bus).await?;
        let sem = Arc::new(tokio::sync::Semaphore::new(self.config.concurrency.max(1)));
        let mut set = JoinSet::new();
        for spec in specs.into_iter().filter(|s| !s.paused) {
            let (ctx, store, sem) = (self.ctx.clone(), self.store.clone(), sem.clone());
            let (owner, ttl) = (self.config.fetcher_id.clone(), self.config.limits.lease_ttl);
            set.spawn(async move {
                let _permit = sem.acquire_owned().await;
                poll_task(&ctx, &store, &spec, &owner, ttl).await
            });
        }
        let mut n = 0;
        while set.join_next().await.is_some() {
            n += 1;
        }
        Ok(n)
    }
}

/// Leases, loads, polls (when due) and saves one source; returns when to look at it again.
pub(crate) async fn poll_task(
    ctx: &Ctx,
    store: &StateStore,
    spec: &SourceSpec,
    owner: &str,
    ttl: Duration,
) -> i64 {
    match store.acquire(&spec.name, owner, ttl).await {
        Ok(true) => {}
        Ok(false) => return now_ms() + BUSY_RETRY_MS,
        Err(e) => {
            tracing::warn!(source = %spec.name, error = %e, "cannot take lease");
            return now_ms() + BUSY_RETRY_MS;
        }
    }
    let result = async {
        let v = store.load(&spec.name).await?;
        if v.state.next_poll_ms > now_ms() {
            return Ok(v.state.next_poll_ms);
        }
        let before = v.state.clone();
        let mut st = v.state;
        // The error is recorded in the state (and dead-lettered when permanent).
        let _ = poll::poll_once(ctx, spec, &mut st, now_ms()).await;
        crate::metrics::record(&spec.name, &before, &st);
        if !store.save(&spec.name, &st, v.revision).await? {
            tracing::warn!(source = %spec.name, "fetch state changed under us (lease expired?), dropping our update");
        }
        Ok::<i64, FetchError>(st.next_poll_ms)
    }
    .await;
    if let Err(e) = store.release(&spec.name, owner).await {
        tracing::warn!(source = %spec.name, error = %e, "cannot release lease");
    }
    match result {
        Ok(next) => next,
        Err(e) => {
            tracing::warn!(source = %spec.name, error = %e, "poll task failed");
            now_ms() + BUSY_RETRY_MS
        }
    }
}

/// Numbers of one benchmark run.
#[derive(Debug, Clone)]
pub struct BenchReport {
    /// Feeds served.
    pub feeds: usize,
    /// Items stored in JetStream by the fetcher.
    pub items: u64,
    /// Wall time of the fetch run.
    pub fetch_secs: f64,
    /// Items per second through fetch, parse and publish.
    pub fetch_items_per_sec: f64,
    /// Items per second when publishing the same number of prepared documents directly
    /// (the peer: the bus alone).
    pub publish_only_items_per_sec: f64,
}

impl std::fmt::Display for BenchReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "feeds={} items={} fetch_secs={:.3} fetch_items_per_sec={:.0} publish_only_items_per_sec={:.0} ratio={:.2}",
            self.feeds,
            self.items,
            self.fetch_secs,
            self.fetch_items_per_sec,
            self.publish_only_items_per_sec,
            self.fetch_items_per_sec / self.publish_only_items_per_sec.max(1e-9)
        )
    }
}

/// Serves `feeds` RSS feeds of `items_per_feed` full-content items (about 3 KB each) on
/// loopback, polls each once through the real fetch path (lease, state, conditional GET,
/// parse, publish) with `concurrency` polls in flight, and times it; then publishes as many
/// prepared documents directly as the peer. Source names are unique per run.
pub async fn bench(
    bus: &Bus,
    feeds: usize,
    items_per_feed: usize,
    concurrency: usize,
) -> Result<BenchReport, FetchError> {
    use axum::extract::Path;
    use axum::routing::get;
    let n = items_per_feed;
    let app = axum::Router::new().route(
        "/feed/{i}",
        get(move |Path(i): Path<usize>| async move {
            (
                [(axum::http::header::CONTENT_TYPE, "application/rss+xml")],
                bench_feed(i, n),
            )
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|source| FetchError::Listen {
            addr: "127.0.0.1:0".into(),
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| FetchError::Listen {
        addr: "127.0.0.1:0".into(),
        source,
    })?;
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let run_id = format!("{:08x}", crate::schedule::random_u64() as u32);
    let mut config = FetcherConfig {
        allow: vec!["127.0.0.1".into()],
        respect_robots: false,
        ..Default::default()
    };
    config.limits.host_delay = Duration::ZERO;
    let ctx = context(bus, &config)?;
    let store = StateStore::open(bus).await?;
    let specs: Vec<SourceSpec> = (0..feeds)
        .map(|i| SourceSpec::feed(&format!("bench-{run_id}-{i}"), &format!("http://{addr}/feed/{i}")))
        .collect();
    let before = bus
        .stream_state(wirefold_wire::subjects::RAW_STREAM)
        .await?
        .messages;
    let start = std::time::Instant::now();
    let sem = Arc::new(tokio::sync::Semaphore::new(concurrency.max(1)));
    let mut set = JoinSet::new();
    for spec in specs {
        let (ctx, store, sem, owner) = (ctx.clone(), store.clone(), sem.clone(), config.fetcher_id.clone());
        set.spawn(async move {
            let _permit = sem.acquire_owned().await;
            poll_task(&ctx, &store, &spec, &owner, Duration::from_secs(60)).await
        });
    }
    while set.join_next().await.is_some() {}
    let fetch_secs = start.elapsed().as_secs_f64();
    let items = bus
        .stream_state(wirefold_wire::subjects::RAW_STREAM)
        .await?
        .messages
        .saturating_sub(before);
    server.abort();

    // The peer: the same number of documents of the same size, published directly.
    let total = feeds * items_per_feed;
    let body = bench_body(0, 0);
    let start = std::time::Instant::now();
    let mut set = JoinSet::new();
    let per = total.div_ceil(concurrency.max(1));
    for w in 0..concurrency.max(1) {
        let (bus, body, run_id) = (bus.clone(), body.clone(), run_id.clone());
        set.spawn(async move {
            for k in 0..per {
                let uri = format!("urn:wirefold:bench-peer:{w}:{k}");
                // The run id is the version key: every run's documents are new ones.
                let id = crate::raw_document_id("bench-peer", &uri, &run_id);
                let doc = wirefold_wire::RawDocument {
                    schema: wirefold_wire::SCHEMA_VERSION,
                    id: id.clone(),
                    uri,
                    version: None,
                    kind: wirefold_wire::SourceKind::Feed,
                    source: Some("bench-peer".into()),
                    url: None,
                    content_type: Some("text/html".into()),
                    received: crate::now_rfc3339(),
                    hints: Default::default(),
                    body: wirefold_wire::RawBody::Text(body.clone()),
                };
                bus.publish(&wirefold_wire::subjects::raw(doc.kind), &id, &doc)
                    .await?;
            }
            Ok::<(), wirefold_bus::BusError>(())
        });
    }
    while let Some(r) = set.join_next().await {
        if let Ok(Err(e)) = r {
            return Err(e.into());
        }
    }
    let publish_secs = start.elapsed().as_secs_f64();
    Ok(BenchReport {
        feeds,
        items,
        fetch_secs,
        fetch_items_per_sec: items as f64 / fetch_secs.max(1e-9),
        publish_only_items_per_sec: (per * concurrency.max(1)) as f64 / publish_secs.max(1e-9),
    })
}

fn bench_body(feed: usize, item: usize) -> String {
    let para = "The council voted on Tuesday to approve the new budget after a long debate about \
                transport, housing and the future of the harbour district. ";
    format!("<p>Feed {feed} item {item}.</p><p>{}</p>", para.repeat(20))
}

fn bench_feed(feed: usize, items: usize) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\"?><rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel><title>bench</title>",
    );
    for i in 0..items {
        s.push_str(&format!(
            "<item><title>Item {i} of feed {feed}</title><link>http://bench.invalid/{feed}/{i}</link><guid>bench:{feed}:{i}</guid>\
             <pubDate>Tue, 02 Jan 2024 10:00:00 GMT</pubDate><description>teaser</description>\
             <content:encoded><![CDATA[{}]]></content:encoded></item>",
            bench_body(feed, i)
        ));
    }
    s.push_str("</channel></rss>");
    s
}
