//! Per-source fetch state in the JetStream KV bucket `wirefold_fetch_state` (validators,
//! fingerprints of items already published, counters, schedule) and per-source leases in
//! `wirefold_leases`, so a restarted or added fetcher neither refetches everything nor
//! republishes what was already sent, and two fetchers never poll one source at once.
//!
//! Every write is a compare-and-set on the KV revision: a fetcher that lost its lease and
//! finds the state changed under it drops its write (its publishes carried deterministic
//! `Nats-Msg-Id`s, so the stream holds them once anyway).

use std::collections::HashMap;
use std::time::Duration;

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use wirefold_bus::{Bus, KvBucket};
use wirefold_wire::subjects;

use crate::{FetchError, content_id, now_ms};

/// Counters kept with the state (and mirrored as Prometheus metrics).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counters {
    /// Polls that reached the server.
    pub fetches: u64,
    /// Polls answered 304 Not Modified.
    pub not_modified: u64,
    /// Documents published (new items and new versions).
    pub published: u64,
    /// Publishes the stream already had (a retried publish after a crash).
    pub duplicates: u64,
    /// Failed polls.
    pub errors: u64,
}

/// An item already published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seen {
    /// Fingerprint of the published version.
    pub fp: String,
    /// When it was last seen in the source (Unix ms); the oldest are forgotten first.
    pub at: i64,
}

/// Everything a fetcher remembers about one source.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceState {
    /// `ETag` of the last 200 response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// `Last-Modified` of the last 200 response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// Hash of the last body, to skip reparsing an unchanged feed served without validators.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_hash: Option<String>,
    /// Published items: hash of the item uri -> fingerprint.
    #[serde(default)]
    pub seen: HashMap<String, Seen>,
    /// Current polling interval (ms).
    #[serde(default)]
    pub interval_ms: u64,
    /// Earliest time of the next poll (Unix ms).
    #[serde(default)]
    pub next_poll_ms: i64,
    /// Last successful poll (Unix ms).
    #[serde(default)]
    pub last_success_ms: i64,
    /// Last attempt (Unix ms).
    #[serde(default)]
    pub last_attempt_ms: i64,
    /// Failures since the last success.
    #[serde(default)]
    pub consecutive_errors: u32,
    /// Message of the last failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// Counters.
    #[serde(default)]
    pub counters: Counters,
}

impl SourceState {
    /// The key of an item uri in [`SourceState::seen`].
    pub fn item_key(uri: &str) -> String {
        content_id(&[uri.as_bytes()])[..24].to_string()
    }

    /// Whether the item was published with this fingerprint already.
    pub fn is_seen(&self, uri: &str, fp: &str) -> bool {
        self.seen.get(&Self::item_key(uri)).is_some_and(|s| s.fp == fp)
    }

    /// Whether any version of the item was published.
    pub fn seen_any(&self, uri: &str) -> bool {
        self.seen.contains_key(&Self::item_key(uri))
    }

    /// Records a published version.
    pub fn mark(&mut self, uri: &str, fp: &str, now: i64) {
        self.seen.insert(
            Self::item_key(uri),
            Seen {
                fp: fp.to_string(),
                at: now,
            },
        );
    }

    /// Refreshes the last-seen time of an item still listed by the source.
    pub fn touch(&mut self, uri: &str, now: i64) {
        if let Some(s) = self.seen.get_mut(&Self::item_key(uri)) {
            s.at = now;
        }
    }

    /// Forgets the items seen longest ago beyond `max`.
    pub fn trim(&mut self, max: usize) {
        if self.seen.len() <= max {
            return;
        }
        let mut ats: Vec<i64> = self.seen.values().map(|s| s.at).collect();
        ats.sort_unstable();
        let cut = ats[self.seen.len() - max];
        let mut excess = self.seen.len() - max;
        self.seen.retain(|_, s| {
            if excess > 0 && s.at < cut {
                excess -= 1;
                false
            } else {
                true
            }
        });
        // Ties at the cut: drop arbitrary ones until within bounds.
        while self.seen.len() > max {
            let Some(k) = self.seen.iter().min_by_key(|(_, s)| s.at).map(|(k, _)| k.clone()) else {
                break;
            };
            self.seen.remove(&k);
        }
    }
}

/// The state store.
#[derive(Debug, Clone)]
pub struct StateStore {
    state: KvBucket,
    leases: KvBucket,
}

/// A state read together with its revision (0 when it did not exist).
#[derive(Debug, Clone)]
pub struct Versioned {
    /// The state.
    pub state: SourceState,
    /// KV revision, 0 for a new state.
    pub revision: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Lease {
    owner: String,
    expires_ms: i64,
}

fn lease_key(source: &str) -> String {
    format!("fetch.{}", subjects::token(source))
}

impl StateStore {
    /// Opens the buckets.
    pub async fn open(bus: &Bus) -> Result<StateStore, FetchError> {
        Ok(StateStore {
            state: bus.kv_bucket(subjects::FETCH_STATE_BUCKET).await?,
            leases: bus.kv_bucket(subjects::LEASES_BUCKET).await?,
        })
    }

    /// Reads a source's state; a missing state is the default with revision 0, an
    /// undecodable one is an error (never silently reset: that would republish).
    pub async fn load(&self, source: &str) -> Result<Versioned, FetchError> {
        match self.state.get(&subjects::token(source)).await? {
            None => Ok(Versioned {
                state: SourceState::default(),
                revision: 0,
            }),
            Some(e) => {
                let state = serde_json::from_slice(&e.value).map_err(|err| FetchError::Corrupt {
                    what: format!("fetch state of {source}"),
                    message: err.to_string(),
                })?;
                Ok(Versioned {
                    state,
                    revision: e.revision,
                })
            }
        }
    }

    /// Writes a state if it is still at `revision`; `Ok(false)` when another writer won.
    pub async fn save(&self, source: &str, state: &SourceState, revision: u64) -> Result<bool, FetchError> {
        let value = Bytes::from(serde_json::to_vec(state).map_err(|e| FetchError::Corrupt {
            what: "state".into(),
            message: e.to_string(),
        })?);
        let key = subjects::token(source);
        let done = if revision == 0 {
            self.state.create(&key, value).await?
        } else {
            self.state.update(&key, value, revision).await?
        };
        Ok(done.is_some())
    }

    /// Deletes a source's state.
    pub async fn forget(&self, source: &str) -> Result<(), FetchError> {
        self.state.delete(&subjects::token(source)).await?;
        Ok(())
    }

    /// Takes the lease on `source` for `ttl` when it is free, expired or already ours.
    pub async fn acquire(&self, source: &str, owner: &str, ttl: Duration) -> Result<bool, FetchError> {
        let key = lease_key(source);
        let now = now_ms();
        let value = |exp: i64| {
            Bytes::from(
                serde_json::to_vec(&Lease {
                    owner: owner.to_string(),
                    expires_ms: exp,
                })
                .unwrap_or_default(),
            )
        };
        let exp = now + ttl.as_millis() as i64;
        match self.leases.get(&key).await? {
            None => Ok(self.leases.create(&key, value(exp)).await?.is_some()),
            Some(e) => {
                let current: Option<Lease> = serde_json::from_slice(&e.value).ok();
                let free = current.is_none_or(|l| l.owner == owner || l.expires_ms <= now);
                if !free {
                    return Ok(false);
                }
                Ok(self.leases.update(&key, value(exp), e.revision).await?.is_some())
            }
        }
    }

    /// Gives the lease back when it is still ours.
    pub async fn release(&self, source: &str, owner: &str) -> Result<(), FetchError> {
        let key = lease_key(source);
        if let Some(e) = self.leases.get(&key).await?
            && serde_json::from_slice::<Lease>(&e.value).is_ok_and(|l| l.owner == owner)
        {
            let v = Bytes::from(
                serde_json::to_vec(&Lease {
                    owner: String::new(),
                    expires_ms: 0,
                })
                .unwrap_or_default(),
            );
            self.leases.update(&key, v, e.revision).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seen_items_are_versioned_and_bounded() {
        let mut s = SourceState::default();
        s.mark("u1", "a", 1);
        assert!(s.is_seen("u1", "a"));
        assert!(!s.is_seen("u1", "b"), "new fingerprint = new version");
        assert!(s.seen_any("u1") && !s.seen_any("u2"));
        for i in 0..10 {
            s.mark(&format!("x{i}"), "f", 10 + i);
        }
        s.touch("u1", 100);
        s.trim(5);
        assert_eq!(s.seen.len(), 5);
        assert!(s.seen_any("u1"), "recently seen items survive");
        assert!(s.seen_any("x9") && !s.seen_any("x0"));
    }
}
