//! A leader lease in a JetStream KV bucket: at most one process holds a key; the others
//! stand by and take over when the holder stops renewing.
//!
//! The lease is a KV key whose value names the holder. Every change goes through
//! compare-and-set on the key's revision, so two processes can never both believe they took
//! it. A standby that sees the same revision for a whole time-to-live takes it over with a
//! CAS on that revision.
//!
//! Once acquired, a keeper task renews the key every `ttl / 4`, independently of whatever
//! the holder is doing (a long snapshot encode or a slow publish never delays a renewal).
//! The holder asks [`Lease::valid`] before every write it must not make without the lease:
//! a lease is valid while the last renewal is less than `ttl / 2` old and the keeper has not
//! given up. A renewal that loses the CAS (someone else took the key) ends the lease at
//! once; failed or slow renewals are retried until `ttl / 2` has passed without one.
//! Writers fence their stream appends on top of this (see the deduplicator's runtime), so
//! a holder paused past its lease (SIGSTOP, a long GC-like stall) cannot append either.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::watch;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};

use crate::KvBucket;

/// The lease could not be kept.
#[derive(Debug, Clone, thiserror::Error)]
#[error("lease {key} lost: {why}")]
pub struct LeaseLost {
    /// The key.
    pub key: String,
    /// Why.
    pub why: String,
}

/// State shared between the holder and its keeper task.
#[derive(Debug)]
struct Shared {
    /// Reference point of `renewed_ms`.
    origin: Instant,
    /// Milliseconds after `origin` of the last successful renewal.
    renewed_ms: AtomicU64,
    /// Revision of the key after the last renewal.
    revision: AtomicU64,
    /// Set (once) by the keeper when it gives up, with the reason.
    lost: watch::Sender<Option<String>>,
}

impl Shared {
    fn since_renewal(&self) -> Duration {
        let renewed = Duration::from_millis(self.renewed_ms.load(Ordering::Acquire));
        self.origin.elapsed().saturating_sub(renewed)
    }

    fn mark_renewed(&self, revision: u64) {
        self.revision.store(revision, Ordering::Release);
        let ms = self.origin.elapsed().as_millis() as u64;
        self.renewed_ms.store(ms, Ordering::Release);
    }
}

/// A held lease, renewed in the background until released or lost.
#[derive(Debug)]
pub struct Lease {
    kv: KvBucket,
    key: String,
    ttl: Duration,
    shared: Arc<Shared>,
    lost_rx: watch::Receiver<Option<String>>,
    stop: CancellationToken,
    keeper: tokio::task::JoinHandle<()>,
}

impl Lease {
    /// Waits until `holder` holds `key`, or returns `None` when `shutdown` is cancelled.
    pub async fn acquire(
        kv: &KvBucket,
        key: &str,
        holder: &str,
        ttl: Duration,
        shutdown: &CancellationToken,
    ) -> Option<Lease> {
        let mut seen: Option<(u64, Instant)> = None;
        let mut announced = false;
        loop {
            if shutdown.is_cancelled() {
                return None;
            }
            let value = Bytes::from(holder.to_string());
            let attempt = match kv.get(key).await {
                Ok(None) => kv.create(key, value).await.ok().flatten(),
                // Our own name: a lease this process held and gave up on (a failed active
                // phase); nobody else can have renewed it, so take it back at once.
                Ok(Some(e)) if e.value == holder.as_bytes() => {
                    kv.update(key, value, e.revision).await.ok().flatten()
                }
                Ok(Some(e)) => match seen {
                    Some((rev, since)) if rev == e.revision && since.elapsed() >= ttl => {
                        info!(key, previous = %String::from_utf8_lossy(&e.value), "lease expired, taking over");
                        kv.update(key, value, e.revision).await.ok().flatten()
                    }
                    Some((rev, _)) if rev == e.revision => None,
                    _ => {
                        if !announced {
                            info!(key, holder = %String::from_utf8_lossy(&e.value), "standing by: lease held elsewhere");
                            announced = true;
                        }
                        seen = Some((e.revision, Instant::now()));
                        None
                    }
                },
                Err(e) => {
                    warn!(key, error = %e, "reading lease failed");
                    None
                }
            };
            if let Some(revision) = attempt {
                info!(key, holder, revision, "lease acquired");
                return Some(Lease::start(kv.clone(), key, holder, ttl, revision));
            }
            tokio::select! {
                _ = shutdown.cancelled() => return None,
                _ = tokio::time::sleep(ttl / 8) => {}
            }
        }
    }

    fn start(kv: KvBucket, key: &str, holder: &str, ttl: Duration, revision: u64) -> Lease {
        let (lost, lost_rx) = watch::channel(None);
        let shared = Arc::new(Shared {
            origin: Instant::now(),
            renewed_ms: AtomicU64::new(0),
            revision: AtomicU64::new(revision),
            lost,
        });
        let stop = CancellationToken::new();
        let keeper = tokio::spawn(keep(
            kv.clone(),
            key.to_string(),
            Bytes::from(holder.to_string()),
            ttl,
            shared.clone(),
            stop.clone(),
        ));
        Lease {
            kv,
            key: key.to_string(),
            ttl,
            shared,
            lost_rx,
            stop,
            keeper,
        }
    }

    /// Whether the lease can still be relied on for writes: renewed less than `ttl / 2`
    /// ago and not given up.
    pub fn valid(&self) -> bool {
        self.lost_rx.borrow().is_none() && self.shared.since_renewal() < self.ttl / 2
    }

    /// The error to return when [`Lease::valid`] says no.
    pub fn lost_error(&self) -> LeaseLost {
        let why = self
            .lost_rx
            .borrow()
            .clone()
            .unwrap_or_else(|| format!("not renewed for {:?}", self.shared.since_renewal()));
        LeaseLost {
            key: self.key.clone(),
            why,
        }
    }

    /// Resolves when the keeper gives the lease up (lost the CAS, or could not renew for
    /// `ttl / 2`).
    pub async fn lost(&self) -> LeaseLost {
        let mut rx = self.lost_rx.clone();
        let why = match rx.wait_for(Option::is_some).await {
            Ok(v) => v.clone().unwrap_or_default(),
            Err(_) => "lease keeper stopped".to_string(),
        };
        LeaseLost {
            key: self.key.clone(),
            why,
        }
    }

    /// Stops renewing and deletes the key at its revision, so a standby takes over at once.
    pub async fn release(mut self) {
        self.stop.cancel();
        let keeper = std::mem::replace(&mut self.keeper, tokio::spawn(async {}));
        let _ = keeper.await;
        if self.lost_rx.borrow().is_some() {
            return;
        }
        let revision = self.shared.revision.load(Ordering::Acquire);
        match self.kv.delete_at(&self.key, revision).await {
            Ok(()) => info!(key = %self.key, "lease released"),
            Err(e) => debug!(key = %self.key, error = %e, "lease release"),
        }
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// The keeper task: renews every `ttl / 4` until stopped or lost.
async fn keep(
    kv: KvBucket,
    key: String,
    value: Bytes,
    ttl: Duration,
    shared: Arc<Shared>,
    stop: CancellationToken,
) {
    let mut tick = tokio::time::interval(ttl / 4);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await;
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tick.tick() => {}
        }
        let revision = shared.revision.load(Ordering::Acquire);
        let why = match tokio::time::timeout(ttl / 4, kv.update(&key, value.clone(), revision)).await {
            Ok(Ok(Some(rev))) => {
                shared.mark_renewed(rev);
                debug!(key, rev, "lease renewed");
                continue;
            }
            Ok(Ok(None)) => Some("taken over by another holder".to_string()),
            Ok(Err(e)) => {
                warn!(key, error = %e, "lease renewal failed");
                (shared.since_renewal() >= ttl / 2).then(|| format!("renewal failed: {e}"))
            }
            Err(_) => {
                warn!(key, "lease renewal timed out");
                (shared.since_renewal() >= ttl / 2).then(|| "renewal timed out".to_string())
            }
        };
        if let Some(why) = why {
            warn!(key, %why, "lease lost");
            shared.lost.send_replace(Some(why));
            return;
        }
    }
}
