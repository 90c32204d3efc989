//! The deduplicator worker: reads `wirefold.articles.>` in stream order, folds each article
//! into the index and publishes the resulting cluster events on
//! `wirefold.clusters.<kind>.<cluster-id>`.
//!
//! Durability. The index is a deterministic function of the article sequence it has seen,
//! so the worker keeps its own position instead of a durable consumer: it snapshots the
//! index with the stream sequence it covers into the object store, and after a restart
//! restores the snapshot and replays the articles after it. Every event is published with
//! the sequence of the article that caused it (header `Wirefold-Article-Seq`) and the
//! `Nats-Msg-Id` `<cluster>:<version>`. On start the worker reads the last event in the
//! cluster stream: articles up to that one are replayed silently (their events are
//! stored), that one is replayed with publishing (the stream drops what was already
//! stored by its message id), and later ones are processed normally. Nothing is lost,
//! nothing is stored twice, and cluster ids are the same as in an uninterrupted run.
//!
//! Scale-out. Only the holder of the `dedup` lease (see `lease`) is active; others stand
//! by. Publishes are fenced with `Nats-Expected-Last-Sequence` on the cluster stream, so a
//! former leader that has not noticed it lost the lease cannot append anything.

use std::time::Duration;

use futures::StreamExt as _;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::{error, info, warn};
use wirefold_bus::{ARTICLE_SEQ_HEADER, Bus, BusError};
use wirefold_dedup::Config;
use wirefold_wire::{Article, DeadLetter, SCHEMA_VERSION, subjects};

use crate::lease::{self, Lease, LeaseLost};
use crate::{Deduper, to_wire};

/// Object name of the index snapshot.
const SNAPSHOT_OBJECT: &str = "index";
/// Magic prefix of a snapshot object: format tag, then the article sequence it covers.
const SNAPSHOT_MAGIC: &[u8; 8] = b"WFSNAP1\n";

/// Settings of the deduplicator worker.
#[derive(Debug, Clone)]
pub struct DedupConfig {
    /// The core's settings.
    pub core: Config,
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
            core: Config::default(),
            snapshot_every: 1000,
            snapshot_interval: Duration::from_secs(30),
            lease_ttl: Duration::from_secs(4),
            holder: format!("dedup-{}", std::process::id()),
        }
    }
}

/// Why the active phase ended.
#[derive(Debug, thiserror::Error)]
pub enum DedupError {
    /// NATS failed.
    #[error(transparent)]
    Bus(#[from] BusError),
    /// The lease was lost; go back to standby.
    #[error(transparent)]
    Lost(#[from] LeaseLost),
}

/// Runs until `shutdown` is cancelled: stands by until it holds the lease, then serves.
pub async fn run(bus: Bus, config: DedupConfig, shutdown: CancellationToken) -> Result<(), BusError> {
    let kv = bus.kv(subjects::LEASES_BUCKET).await?;
    loop {
        let Some(lease) = lease::acquire(&kv, "dedup", &config.holder, config.lease_ttl, &shutdown).await
        else {
            return Ok(());
        };
        match serve(&bus, &config, lease, &shutdown).await {
            Ok(()) => {
                info!("deduplicator stopped");
                return Ok(());
            }
            Err(DedupError::Lost(e)) => warn!(error = %e, "no longer active, standing by"),
            Err(DedupError::Bus(e)) => {
                error!(error = %e, "deduplicator failed, retrying");
                tokio::select! {
                    _ = shutdown.cancelled() => return Ok(()),
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                }
            }
        }
    }
}

/// Position of the event stream: last stream sequence and the article sequence of the
/// last stored event.
async fn event_position(bus: &Bus) -> Result<(u64, u64), BusError> {
    let state = bus.stream_state(subjects::CLUSTERS_STREAM).await?;
    if state.last_seq == 0 {
        return Ok((0, 0));
    }
    let last_article = match bus.get_message(subjects::CLUSTERS_STREAM, state.last_seq).await? {
        Some(m) => m
            .headers
            .get(ARTICLE_SEQ_HEADER)
            .and_then(|v| v.as_str().parse::<u64>().ok())
            .unwrap_or(0),
        None => 0,
    };
    Ok((state.last_seq, last_article))
}

async fn serve(
    bus: &Bus,
    config: &DedupConfig,
    mut lease: Lease,
    shutdown: &CancellationToken,
) -> Result<(), DedupError> {
    let (mut dedup, snap_seq) = load_snapshot(bus, &config.core).await?;
    let (mut events_seq, published_through) = event_position(bus).await?;
    let articles = bus.stream_state(subjects::ARTICLES_STREAM).await?;
    if snap_seq + 1 < articles.first_seq {
        warn!(
            snap_seq,
            first = articles.first_seq,
            "articles before the stream's first message expired; replay starts there"
        );
    }
    info!(
        snapshot_seq = snap_seq,
        published_through,
        articles_last = articles.last_seq,
        "deduplicator active"
    );
    let mut messages = bus
        .ordered_from(subjects::ARTICLES_STREAM, subjects::ARTICLES_ALL, snap_seq + 1)
        .await?;
    let mut done_seq = snap_seq;
    let mut snapshotted = snap_seq;
    let mut last_snapshot = Instant::now();
    let mut renew = tokio::time::interval(lease.renew_every());
    renew.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let msg = tokio::select! {
            biased;
            _ = shutdown.cancelled() => break,
            _ = renew.tick() => {
                lease.renew().await?;
                if done_seq > snapshotted && last_snapshot.elapsed() >= config.snapshot_interval {
                    save_snapshot(bus, &dedup, done_seq).await;
                    snapshotted = done_seq;
                    last_snapshot = Instant::now();
                }
                continue;
            }
            next = messages.next() => match next {
                Some(Ok(m)) => m,
                Some(Err(e)) => {
                    warn!(error = %e, "article stream error, resubscribing");
                    messages = bus.ordered_from(subjects::ARTICLES_STREAM, subjects::ARTICLES_ALL, done_seq + 1).await?;
                    continue;
                }
                None => {
                    messages = bus.ordered_from(subjects::ARTICLES_STREAM, subjects::ARTICLES_ALL, done_seq + 1).await?;
                    continue;
                }
            },
        };
        let seq = msg.info().map(|i| i.stream_sequence).unwrap_or(done_seq + 1);
        if seq <= done_seq {
            continue;
        }
        let article: Article = match wirefold_wire::decode(&msg.payload) {
            Ok(a) => a,
            Err(e) => {
                if seq > published_through {
                    metrics::counter!(metric::DEAD_LETTERS).increment(1);
                    bus.dead_letter(dead_letter(&msg.subject, &msg.payload, e.to_string()))
                        .await;
                }
                done_seq = seq;
                continue;
            }
        };
        let outcome = dedup.apply(&article);
        metrics::counter!(metric::ARTICLES).increment(1);
        if seq >= published_through {
            for ev in &outcome.events {
                let wire = to_wire(ev);
                let subject = subjects::cluster(wire.kind, &wire.cluster_id);
                let headers = [(ARTICLE_SEQ_HEADER, seq.to_string())];
                // The event of the article last seen in the stream may be stored already:
                // publish it by message id only and let the stream drop the duplicate.
                let fence = (seq > published_through).then_some(events_seq);
                loop {
                    if !lease.valid() {
                        return Err(LeaseLost {
                            key: "dedup".into(),
                            why: "not renewed in time".into(),
                        }
                        .into());
                    }
                    match bus
                        .publish_with(&subject, &wire.msg_id(), &headers, fence, &wire)
                        .await
                    {
                        Ok(ack) => {
                            events_seq = events_seq.max(ack.sequence);
                            if !ack.duplicate {
                                metrics::counter!(metric::EVENTS, "kind" => wire.kind.as_str()).increment(1);
                            }
                            break;
                        }
                        Err(BusError::Publish {
                            fenced: true,
                            message,
                            ..
                        }) => {
                            return Err(LeaseLost {
                                key: "dedup".into(),
                                why: format!("write fenced: {message}"),
                            }
                            .into());
                        }
                        Err(e) => {
                            warn!(error = %e, seq, "publishing cluster event failed, retrying");
                            tokio::select! {
                                _ = shutdown.cancelled() => return Ok(()),
                                _ = tokio::time::sleep(Duration::from_millis(500)) => {}
                            }
                            lease.renew().await?;
                        }
                    }
                }
            }
            if seq == published_through {
                events_seq = bus.stream_state(subjects::CLUSTERS_STREAM).await?.last_seq;
            }
        }
        done_seq = seq;
        if done_seq - snapshotted >= config.snapshot_every {
            save_snapshot(bus, &dedup, done_seq).await;
            snapshotted = done_seq;
            last_snapshot = Instant::now();
        }
    }
    if done_seq > snapshotted {
        save_snapshot(bus, &dedup, done_seq).await;
    }
    lease.release().await;
    Ok(())
}

async fn load_snapshot(bus: &Bus, core: &Config) -> Result<(Deduper, u64), BusError> {
    use tokio::io::AsyncReadExt as _;
    let store = bus.snapshots().await?;
    let mut object = match store.get(SNAPSHOT_OBJECT).await {
        Ok(o) => o,
        Err(e) => {
            info!(reason = %e, "no snapshot, starting from the beginning of the article stream");
            return Ok((Deduper::new(core.clone()), 0));
        }
    };
    let mut bytes = Vec::new();
    if let Err(e) = object.read_to_end(&mut bytes).await {
        warn!(error = %e, "snapshot unreadable, rebuilding from the article stream");
        return Ok((Deduper::new(core.clone()), 0));
    }
    match decode_snapshot(core, &bytes) {
        Ok((d, seq)) => {
            info!(seq, bytes = bytes.len(), "snapshot restored");
            Ok((d, seq))
        }
        Err(why) => {
            warn!(%why, "snapshot corrupt, rebuilding from the article stream");
            Ok((Deduper::new(core.clone()), 0))
        }
    }
}

fn decode_snapshot(core: &Config, bytes: &[u8]) -> Result<(Deduper, u64), String> {
    let rest = bytes.strip_prefix(SNAPSHOT_MAGIC.as_slice()).ok_or("bad magic")?;
    let (seq, index) = rest.split_at_checked(8).ok_or("truncated header")?;
    let seq = u64::from_le_bytes(seq.try_into().map_err(|_| "truncated header")?);
    let d = Deduper::restore(core.clone(), index).map_err(|e| e.to_string())?;
    Ok((d, seq))
}

/// Prometheus metric names of the deduplicator.
pub mod metric {
    /// Counter: articles folded into the index (replays included).
    pub const ARTICLES: &str = "wirefold_dedup_articles_total";
    /// Counter: cluster events stored, by `kind`.
    pub const EVENTS: &str = "wirefold_dedup_events_total";
    /// Counter: articles dead-lettered.
    pub const DEAD_LETTERS: &str = "wirefold_dedup_dead_letters_total";
    /// Gauge: live clusters in the index (at the last snapshot).
    pub const CLUSTERS: &str = "wirefold_dedup_clusters";
    /// Gauge: live members in the index (at the last snapshot).
    pub const MEMBERS: &str = "wirefold_dedup_members";
    /// Gauge: approximate index heap bytes (at the last snapshot).
    pub const INDEX_BYTES: &str = "wirefold_dedup_index_bytes";
    /// Gauge: last article stream sequence folded in (at the last snapshot).
    pub const SNAPSHOT_SEQ: &str = "wirefold_dedup_snapshot_seq";
}

async fn save_snapshot(bus: &Bus, dedup: &Deduper, seq: u64) {
    let st = dedup.stats();
    metrics::gauge!(metric::CLUSTERS).set(st.clusters as f64);
    metrics::gauge!(metric::MEMBERS).set(st.members as f64);
    metrics::gauge!(metric::INDEX_BYTES).set(st.heap_bytes as f64);
    metrics::gauge!(metric::SNAPSHOT_SEQ).set(seq as f64);
    let mut bytes = Vec::with_capacity(16);
    bytes.extend_from_slice(SNAPSHOT_MAGIC);
    bytes.extend_from_slice(&seq.to_le_bytes());
    bytes.extend_from_slice(&dedup.snapshot());
    let store = match bus.snapshots().await {
        Ok(s) => s,
        Err(e) => {
            warn!(error = %e, "cannot open snapshot store");
            return;
        }
    };
    let size = bytes.len();
    match store.put(SNAPSHOT_OBJECT, &mut bytes.as_slice()).await {
        Ok(_) => info!(seq, bytes = size, "snapshot saved"),
        Err(e) => warn!(error = %e, seq, "snapshot not saved; replay will be longer"),
    }
}

fn dead_letter(subject: &str, payload: &[u8], reason: String) -> DeadLetter {
    DeadLetter {
        schema: SCHEMA_VERSION,
        stage: "dedup".into(),
        reason,
        subject: Some(subject.to_string()),
        input_id: None,
        origin: None,
        input_bytes: payload.len() as u64,
        excerpt: wirefold_wire::excerpt(payload, 512),
        at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
    }
}
