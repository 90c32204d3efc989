//! A leader lease in JetStream KV: at most one deduplicator is active; the others stand by
//! and take over when the active one stops renewing.
//!
//! The lease is a KV key whose value names the holder. Every change goes through
//! compare-and-set on the key's revision, so two processes can never both believe they
//! took it. A standby that sees the same revision for longer than the time-to-live takes
//! it over with a CAS on that revision. The holder renews every `ttl / 4` and treats the
//! lease as lost as soon as a renewal fails or `ttl / 2` passes without one; its writes to
//! the cluster stream are fenced on top of that (see `worker`).

use std::time::Duration;

use async_nats::jetstream::kv;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};

/// A held lease.
#[derive(Debug)]
pub struct Lease {
    kv: kv::Store,
    key: String,
    holder: String,
    revision: u64,
    ttl: Duration,
    renewed: Instant,
}

/// The lease could not be kept.
#[derive(Debug, thiserror::Error)]
#[error("lease {key} lost: {why}")]
pub struct LeaseLost {
    /// The key.
    pub key: String,
    /// Why.
    pub why: String,
}

/// Waits until `holder` holds `key`, or returns `None` when `shutdown` is cancelled.
pub async fn acquire(
    kv: &kv::Store,
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
        let value = bytes::Bytes::from(holder.to_string());
        let attempt = match kv.entry(key).await {
            Ok(None) => kv.create(key, value).await.ok(),
            Ok(Some(e)) if e.operation != kv::Operation::Put => kv.create(key, value).await.ok(),
            Ok(Some(e)) => match seen {
                Some((rev, since)) if rev == e.revision && since.elapsed() >= ttl => {
                    info!(key, previous = %String::from_utf8_lossy(&e.value), "lease expired, taking over");
                    kv.update(key, value, e.revision).await.ok()
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
            return Some(Lease {
                kv: kv.clone(),
                key: key.to_string(),
                holder: holder.to_string(),
                revision,
                ttl,
                renewed: Instant::now(),
            });
        }
        tokio::select! {
            _ = shutdown.cancelled() => return None,
            _ = tokio::time::sleep(ttl / 8) => {}
        }
    }
}

impl Lease {
    /// How often to renew.
    pub fn renew_every(&self) -> Duration {
        self.ttl / 4
    }

    /// Whether the lease can still be relied on for writes.
    pub fn valid(&self) -> bool {
        self.renewed.elapsed() < self.ttl / 2
    }

    /// Renews the lease with a CAS on the last revision.
    pub async fn renew(&mut self) -> Result<(), LeaseLost> {
        let value = bytes::Bytes::from(self.holder.clone());
        let fut = self.kv.update(&self.key, value, self.revision);
        match tokio::time::timeout(self.ttl / 4, fut).await {
            Ok(Ok(rev)) => {
                self.revision = rev;
                self.renewed = Instant::now();
                debug!(key = %self.key, rev, "lease renewed");
                Ok(())
            }
            Ok(Err(e)) => Err(self.lost(e.to_string())),
            Err(_) if self.valid() => Ok(()),
            Err(_) => Err(self.lost("renewal timed out".into())),
        }
    }

    /// Gives the lease up so a standby can take over at once.
    pub async fn release(self) {
        if let Err(e) = self
            .kv
            .delete_expect_revision(&self.key, Some(self.revision))
            .await
        {
            debug!(key = %self.key, error = %e, "lease release");
        } else {
            info!(key = %self.key, "lease released");
        }
    }

    fn lost(&self, why: String) -> LeaseLost {
        LeaseLost {
            key: self.key.clone(),
            why,
        }
    }
}
