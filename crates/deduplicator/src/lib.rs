//! The deduplicator: folds article records into copy clusters with the `wirefold-dedup`
//! core and describes every change as a wire [`ClusterEvent`].
//!
//! [`Deduper`] is the one code path from an [`Article`] to cluster events; the NATS worker
//! ([`worker::run`]) and `wirefold cluster` ([`cluster::run`]) both go through it, so what
//! `wirefold cluster` measures is what the worker does. The worker adds durability
//! (snapshots plus replay) and a leader lease on top; this module does no IO.

pub mod cluster;
pub mod lease;
pub mod worker;

use wirefold_dedup::{ClusterId, Config, Doc, Event, EventKind, Index, MemberView, Outcome, SnapshotError};
use wirefold_wire::{
    Article, ArticleRef, ClusterEvent, ClusterEventKind, ClusterMember, PubStatus, SCHEMA_VERSION,
};

/// The copy-cluster index with wire conversions around it.
#[derive(Debug)]
pub struct Deduper {
    index: Index,
    config: Config,
    /// Newest time seen (ms): the arrival time of an article that carries no receive time,
    /// so an undated or old-dated article counts as arriving now rather than in 1970 or in
    /// its publication year, where the horizon would expire it at once. The worker always
    /// knows `received`; `wirefold cluster` input does not.
    latest_ms: i64,
}

impl Deduper {
    /// An empty deduplicator.
    pub fn new(config: Config) -> Self {
        Deduper {
            index: Index::new(config.clone()),
            config,
            latest_ms: 0,
        }
    }

    /// Restores from a snapshot written by [`Deduper::snapshot`].
    pub fn restore(config: Config, bytes: &[u8]) -> Result<Self, SnapshotError> {
        Ok(Deduper {
            index: Index::restore(config.clone(), bytes)?,
            config,
            latest_ms: 0,
        })
    }

    /// The index state as bytes.
    pub fn snapshot(&self) -> Vec<u8> {
        self.index.snapshot()
    }

    /// Index counters (members, clusters, merges, approximate heap bytes, ...).
    pub fn stats(&self) -> wirefold_dedup::Stats {
        self.index.stats()
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Folds one article into the index.
    pub fn apply(&mut self, article: &Article) -> Outcome {
        let published_ms = article.firstcreated.as_deref().and_then(parse_time_ms);
        let received_ms = article
            .received
            .as_deref()
            .and_then(parse_time_ms)
            // Without a receive time (`wirefold cluster` input), input order is arrival
            // order: the article arrived no earlier than the newest time seen so far.
            .unwrap_or_else(|| self.latest_ms.max(published_ms.unwrap_or(0)));
        self.latest_ms = self.latest_ms.max(received_ms);
        let doc = Doc {
            id: &article.id,
            uri: if article.uri.is_empty() {
                &article.id
            } else {
                &article.uri
            },
            title: article.headline.as_deref().unwrap_or(""),
            body: &article.body_text,
            published_ms,
            received_ms,
            source: article.source.as_deref(),
            url: article.url.as_deref(),
            canceled: article.pubstatus == PubStatus::Canceled,
        };
        self.index.apply(&doc)
    }
}

/// The wire form of a core event.
pub fn to_wire(ev: &Event) -> ClusterEvent {
    ClusterEvent {
        schema: SCHEMA_VERSION,
        kind: match ev.kind {
            EventKind::Created => ClusterEventKind::Created,
            EventKind::MemberAdded => ClusterEventKind::MemberAdded,
            EventKind::MemberUpdated => ClusterEventKind::MemberUpdated,
            EventKind::MemberRemoved => ClusterEventKind::MemberRemoved,
            EventKind::Merged => ClusterEventKind::Merged,
        },
        cluster_id: ev.cluster.to_string(),
        version: ev.version,
        cause: article_ref(&ev.cause),
        canonical: ev.canonical.clone(),
        members: ev
            .members
            .iter()
            .map(|m| ClusterMember {
                article: article_ref(m),
                similarity: m.similarity,
            })
            .collect(),
        merged_from: ev.merged_from.iter().map(ClusterId::to_string).collect(),
        reason: ev.reason.clone(),
    }
}

fn article_ref(m: &MemberView) -> ArticleRef {
    ArticleRef {
        id: m.id.clone(),
        uri: m.uri.clone(),
        title: Some(m.title.clone()).filter(|t| !t.is_empty()),
        source: m.source.clone(),
        url: m.url.clone(),
        published: m.published_ms.and_then(format_time_ms),
    }
}

/// Parses RFC 3339, or a bare `YYYY-MM-DD` date (midnight UTC), into Unix milliseconds.
pub fn parse_time_ms(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp_millis());
    }
    if let Ok(t) = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S") {
        return Some(t.and_utc().timestamp_millis());
    }
    chrono::NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc().timestamp_millis())
}

fn format_time_ms(ms: i64) -> Option<String> {
    chrono::DateTime::from_timestamp_millis(ms).map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        for (s, want) in [
            ("2025-11-24T10:00:00Z", Some(1_763_978_400_000)),
            ("2025-11-24T11:00:00+01:00", Some(1_763_978_400_000)),
            ("2025-11-24T10:00:00", Some(1_763_978_400_000)),
            ("2025-11-24", Some(1_763_942_400_000)),
            ("yesterday", None),
            ("", None),
        ] {
            assert_eq!(parse_time_ms(s), want, "{s}");
        }
        assert_eq!(
            format_time_ms(1_763_978_400_000).as_deref(),
            Some("2025-11-24T10:00:00Z")
        );
    }

    #[test]
    fn undated_articles_count_as_arriving_now_not_in_1970() {
        let body = "Officials said the harbour bridge would reopen next week after engineers finished \
                    repairs to the main span, which was damaged by a barge in March.\n\n\
                    The council expects traffic to return to normal by the end of the month, a \
                    spokeswoman said, adding that buses would use the bridge first.";
        let art = |id: &str, published: Option<&str>| Article {
            schema: SCHEMA_VERSION,
            id: id.into(),
            uri: id.into(),
            firstcreated: published.map(str::to_string),
            body_text: body.into(),
            ..Default::default()
        };
        // Undated first, dated next, undated again: all one story, whatever the order.
        let mut d = Deduper::new(Config::default());
        let a = d.apply(&art("a", None)).cluster;
        let b = d.apply(&art("b", Some("2025-06-17T10:00:00Z"))).cluster;
        let c = d.apply(&art("c", None)).cluster;
        assert!(a.is_some());
        assert_eq!(a, b);
        assert_eq!(b, c);

        // Dated out of order, years apart (archive pages, dates read from the text): each
        // still meets its copy that arrives next.
        let mut d = Deduper::new(Config::default());
        let x = d.apply(&art("x", Some("2025-06-17T10:00:00Z"))).cluster;
        let other = "Completely different words about a football match and its result in the league \
                     final, which the home side won after extra time in front of a full stadium.";
        let y = d
            .apply(&Article {
                body_text: other.into(),
                ..art("y", Some("2013-08-04T10:00:00Z"))
            })
            .cluster;
        let y2 = d
            .apply(&Article {
                body_text: other.into(),
                ..art("y2", Some("2013-08-04T12:00:00Z"))
            })
            .cluster;
        assert_ne!(x, y);
        assert_eq!(y, y2);
    }

    #[test]
    fn identical_articles_share_a_cluster_and_events_name_them() {
        let mut d = Deduper::new(Config::default());
        let body = "The quick brown fox jumps over the lazy dog near the river bank today. ".repeat(20);
        let a = |id: &str| Article {
            schema: SCHEMA_VERSION,
            id: id.into(),
            uri: format!("file:///{id}.txt"),
            url: Some(format!("file:///{id}.txt")),
            body_text: body.clone(),
            ..Default::default()
        };
        let o1 = d.apply(&a("one"));
        let o2 = d.apply(&a("two"));
        assert_eq!(o1.cluster, o2.cluster);
        let ev = to_wire(o2.events.last().unwrap());
        assert_eq!(ev.kind, ClusterEventKind::MemberAdded);
        assert_eq!(ev.cluster_id, o1.cluster.unwrap().to_string());
        assert!(
            ev.members
                .iter()
                .any(|m| m.article.url.as_deref() == Some("file:///one.txt"))
        );
        assert!(ev.members.iter().any(|m| m.article.id == "two"));
    }
}
