//! The deduplicator worker: reads `wirefold.articles.>` in stream order, folds each article
//! into the copy and story indexes ([`Deduper`]) and publishes the resulting events on
//! `wirefold.clusters.<kind>.<cluster-id>` and `wirefold.stories.<kind>.<story-id>`.
//!
//! Everything about durability lives in the fold [`runtime`]: the lease
//! (only one deduplicator is active, others stand by), the position, snapshots (both
//! levels in one), replay after a restart, and fenced, pipelined publishing to both event
//! streams. This module only says what the fold is: an [`Article`] in, events out.

use std::time::Duration;

use tokio_util::sync::CancellationToken;
use wirefold_bus::{Bus, BusError, StreamMessage};
use wirefold_wire::{Article, subjects};

use crate::runtime::{self, Fold, Output, Settings, Spec};
use crate::{Deduper, DeduperSnapshot, FoldConfig};

/// Object name of the index snapshot.
pub const SNAPSHOT_OBJECT: &str = "index";
/// Lease key of the active deduplicator.
pub const LEASE_KEY: &str = "dedup";

/// Index of the cluster stream in the fold's outputs.
const CLUSTERS: usize = 0;
/// Index of the story stream in the fold's outputs.
const STORIES: usize = 1;

/// Settings of the deduplicator worker.
#[derive(Debug, Clone)]
pub struct DedupConfig {
    /// The copy and story indexes' settings.
    pub fold: FoldConfig,
    /// Write a snapshot after this many articles...
    pub snapshot_every: u64,
    /// ...or after this much time with unsnapshotted articles.
    pub snapshot_interval: Duration,
    /// Lease time-to-live: a standby takes over this long after the active one stops.
    pub lease_ttl: Duration,
    /// This process's name in the lease.
    pub holder: String,
}

impl Default for DedupConfig {
    fn default() -> Self {
        DedupConfig {
            fold: FoldConfig::default(),
            snapshot_every: 1000,
            snapshot_interval: Duration::from_secs(30),
            lease_ttl: Duration::from_secs(4),
            holder: format!("dedup-{}", std::process::id()),
        }
    }
}

/// What the runtime runs: the deduplicator as a fold.
impl Fold for Deduper {
    type Config = FoldConfig;
    type Snapshot = DeduperSnapshot;

    fn new(config: &FoldConfig) -> Self {
        Deduper::new(config.clone())
    }

    fn restore(config: &FoldConfig, bytes: &[u8]) -> Result<Self, String> {
        Deduper::restore(config.clone(), bytes).map_err(|e| e.to_string())
    }

    fn snapshot_copy(&self) -> DeduperSnapshot {
        Deduper::snapshot_copy(self)
    }

    fn encode(copy: &DeduperSnapshot, out: &mut Vec<u8>) {
        copy.encode_into(out)
    }

    fn apply(&mut self, input: &StreamMessage, out: &mut Vec<Output>) -> Result<(), String> {
        let article: Article = wirefold_wire::decode(&input.payload).map_err(|e| e.to_string())?;
        let folded = Deduper::apply(self, &article);
        metrics::counter!(metric::ARTICLES).increment(1);
        for ev in &folded.clusters {
            metrics::counter!(metric::EVENTS, "kind" => ev.kind.as_str()).increment(1);
            out.push(Output {
                stream: CLUSTERS,
                subject: subjects::cluster(ev.kind, &ev.cluster_id),
                msg_id: ev.msg_id(),
                payload: wirefold_wire::encode(ev),
            });
        }
        for ev in &folded.stories {
            metrics::counter!(metric::STORY_EVENTS, "kind" => ev.kind.as_str()).increment(1);
            out.push(Output {
                stream: STORIES,
                subject: subjects::story(ev.kind, &ev.story_id),
                msg_id: ev.msg_id(),
                payload: wirefold_wire::encode(ev),
            });
        }
        Ok(())
    }

    fn observe(&self) {
        let st = self.stats();
        metrics::gauge!(metric::CLUSTERS).set(st.clusters as f64);
        metrics::gauge!(metric::MEMBERS).set(st.members as f64);
        metrics::gauge!(metric::INDEX_BYTES).set(st.heap_bytes as f64);
        let ss = self.story_stats();
        metrics::gauge!(metric::STORIES).set(ss.stories as f64);
        metrics::gauge!(metric::STORY_INDEX_BYTES).set(ss.heap_bytes as f64);
    }
}

/// What the deduplicator reads and writes.
pub fn spec() -> Spec {
    Spec {
        name: LEASE_KEY,
        snapshot_object: SNAPSHOT_OBJECT,
        stage: "dedup",
        input: (subjects::ARTICLES_STREAM, subjects::ARTICLES_ALL),
        outputs: vec![subjects::CLUSTERS_STREAM, subjects::STORIES_STREAM],
    }
}

/// Runs until `shutdown` is cancelled: stands by until it holds the lease, then serves.
pub async fn run(bus: Bus, config: DedupConfig, shutdown: CancellationToken) -> Result<(), BusError> {
    let settings = Settings {
        snapshot_every: config.snapshot_every,
        snapshot_interval: config.snapshot_interval,
        lease_ttl: config.lease_ttl,
        holder: config.holder,
    };
    runtime::run::<Deduper>(bus, spec(), settings, config.fold, shutdown).await
}

/// Prometheus metric names of the deduplicator (the runtime's are in
/// [`runtime::metric`]).
pub mod metric {
    /// Counter: articles folded into the indexes (replays included).
    pub const ARTICLES: &str = "wirefold_dedup_articles_total";
    /// Counter: cluster events made, by `kind` (replays included).
    pub const EVENTS: &str = "wirefold_dedup_events_total";
    /// Counter: story events made, by `kind` (replays included).
    pub const STORY_EVENTS: &str = "wirefold_dedup_story_events_total";
    /// Gauge: live clusters in the index (at the last snapshot).
    pub const CLUSTERS: &str = "wirefold_dedup_clusters";
    /// Gauge: live members in the index (at the last snapshot).
    pub const MEMBERS: &str = "wirefold_dedup_members";
    /// Gauge: approximate copy-index heap bytes (at the last snapshot).
    pub const INDEX_BYTES: &str = "wirefold_dedup_index_bytes";
    /// Gauge: live stories (at the last snapshot).
    pub const STORIES: &str = "wirefold_dedup_stories";
    /// Gauge: approximate story-index heap bytes (at the last snapshot).
    pub const STORY_INDEX_BYTES: &str = "wirefold_dedup_story_index_bytes";
}
