//! The deduplicator: folds article records into copy clusters (`wirefold-dedup`'s
//! [`Index`]) and copy clusters into stories (its [`StoryIndex`]), and describes every change
//! as wire [`ClusterEvent`]s and [`StoryEvent`]s.
//!
//! [`Deduper`] is the one code path from an [`Article`] to events; the NATS worker
//! ([`worker`], on the fold [`runtime`]) and `wirefold cluster` ([`cluster::run`]) both go
//! through it, so what `wirefold cluster` measures is what the worker does. This module
//! does no IO.
//!
//! # From copy events to story events
//!
//! Every copy-cluster event of an article is followed by the story event it implies, in
//! order, as [`wirefold_dedup::layers`] routes it (`created` / `cluster_added` for a new
//! cluster, `updated` for a changed one, `cluster_removed` when one disappears, `merged`
//! when a copy merge folds stories together, or when a new cluster's story absorbs a
//! one-cluster story that now matches it).
//!
//! Each cluster event names the story its cluster is in after it (`story_id`).
//!
//! The story's headline is the canonical headline of its largest copy cluster: most
//! members, then the cluster that joined the story first; clusters whose canonical has no
//! headline are passed over. Events list at most 64 clusters, largest first;
//! `cluster_count` and `article_count` count all of them.

pub mod cluster;
pub mod runtime;
pub mod worker;

use std::collections::HashMap;

use wirefold_dedup::layers::{self, Step, StepKind};
use wirefold_dedup::story::{self, StoryId, StoryIndex, Text};
use wirefold_dedup::{ClusterId, Config, Doc, Event, EventKind, Index, MemberView, SnapshotError};
use wirefold_wire::time::{format_ms, parse_ms};
use wirefold_wire::{
    Article, ArticleRef, ClusterEvent, ClusterEventKind, ClusterMember, PubStatus, SCHEMA_VERSION,
    StoryCluster, StoryEvent, StoryEventKind,
};

/// Magic of a [`Deduper`] snapshot: copy index, story index, cluster summaries. Version 3:
/// the summaries no longer carry member counts (the story index's cluster weights are
/// them); an older snapshot is refused, and the fold is rebuilt from the stream.
const SNAPSHOT_MAGIC: &[u8; 8] = b"WFDEDUP3";

/// Settings of both levels.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FoldConfig {
    /// The copy-cluster index.
    pub copy: Config,
    /// The story index.
    pub story: story::Config,
}

impl FoldConfig {
    /// Defaults with one horizon for both levels: clusters and stories leave the indexes
    /// `secs` after their newest article.
    pub fn with_horizon_secs(secs: i64) -> Self {
        FoldConfig {
            copy: Config {
                horizon_secs: secs,
                ..Config::default()
            },
            story: story::Config {
                horizon_secs: secs,
                ..story::Config::default()
            },
        }
    }
}

/// How much of each story event [`Deduper::apply`] fills in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum EventDetail {
    /// Everything the wire schema carries (the worker publishes these).
    #[default]
    Full,
    /// Kind, story id, version, cause, `merged_from` and reason only: no headline, times,
    /// languages, cluster list or counts, and no per-cluster summaries are kept. For callers
    /// that only follow ids (`wirefold cluster`); listing a story's clusters on every
    /// article costs more than placing it.
    Ids,
}

/// What story events show of a copy cluster, kept from its last event (its member count is
/// its weight in the story index, [`StoryIndex::ranked`]).
#[derive(Debug, Clone, PartialEq)]
struct Summary {
    version: u64,
    canonical: ArticleRef,
}

/// The worker-side part of a snapshot: the newest time seen and the cluster summaries
/// (id, version, canonical), sorted by id so equal states give equal bytes.
#[derive(serde::Serialize, serde::Deserialize)]
struct Book {
    latest_ms: i64,
    clusters: Vec<(u64, u64, ArticleRef)>,
}

/// A [`Deduper`]'s snapshot state, copied by [`Deduper::snapshot_copy`].
#[derive(Debug)]
pub struct DeduperSnapshot {
    index: wirefold_dedup::IndexSnapshot,
    stories: story::StorySnapshot,
    latest_ms: i64,
    summaries: HashMap<u64, Summary>,
}

impl DeduperSnapshot {
    /// Appends the bytes [`Deduper::snapshot`] wrote when the copy was taken to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        let mut ids: Vec<u64> = self.summaries.keys().copied().collect();
        ids.sort_unstable();
        let book = Book {
            latest_ms: self.latest_ms,
            clusters: ids
                .iter()
                .map(|id| {
                    let s = &self.summaries[id];
                    (*id, s.version, s.canonical.clone())
                })
                .collect(),
        };
        let summaries = serde_json::to_vec(&book).expect("summaries serialize");
        let parts = [self.index.encode(), self.stories.encode(), summaries];
        out.reserve(SNAPSHOT_MAGIC.len() + parts.iter().map(|p| 8 + p.len()).sum::<usize>());
        out.extend_from_slice(SNAPSHOT_MAGIC);
        for part in parts {
            out.extend_from_slice(&(part.len() as u64).to_le_bytes());
            out.extend_from_slice(&part);
        }
    }
}

/// What one article did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Folded {
    /// The copy cluster the article is in now (for a withdrawal: the cluster it left; `None`
    /// for a withdrawal of an unknown item or an article dropped by a tombstone).
    pub cluster: Option<ClusterId>,
    /// The story of that cluster now (`None` when the cluster is gone or there is none).
    pub story: Option<StoryId>,
    /// Copy-cluster events, in order.
    pub clusters: Vec<ClusterEvent>,
    /// Story events, in order.
    pub stories: Vec<StoryEvent>,
}

/// The copy-cluster and story indexes with wire conversions around them.
#[derive(Debug)]
pub struct Deduper {
    index: Index,
    stories: StoryIndex,
    config: FoldConfig,
    /// Per live copy cluster, what story events list of it.
    summaries: HashMap<u64, Summary>,
    /// Newest time seen (ms): the arrival time of an article that carries no receive time,
    /// so an undated or old-dated article counts as arriving now rather than in 1970 or in
    /// its publication year, where the horizon would expire it at once. The worker always
    /// knows `received`; `wirefold cluster` input does not.
    latest_ms: i64,
    /// Articles applied since summaries of expired clusters were last dropped.
    since_prune: u64,
    /// How much of each story event is filled in.
    detail: EventDetail,
}

impl Deduper {
    /// An empty deduplicator.
    pub fn new(config: FoldConfig) -> Self {
        Deduper {
            index: Index::new(config.copy.clone()),
            stories: StoryIndex::new(config.story.clone()),
            config,
            summaries: HashMap::new(),
            latest_ms: 0,
            since_prune: 0,
            detail: EventDetail::Full,
        }
    }

    /// The same deduplicator with story events filled in to `detail` from now on.
    pub fn with_event_detail(mut self, detail: EventDetail) -> Self {
        self.detail = detail;
        self
    }

    /// Restores from a snapshot written by [`Deduper::snapshot`].
    pub fn restore(config: FoldConfig, bytes: &[u8]) -> Result<Self, SnapshotError> {
        let corrupt = |what: &str| SnapshotError::Corrupt(what.to_string());
        let rest = bytes
            .strip_prefix(SNAPSHOT_MAGIC.as_slice())
            .ok_or_else(|| corrupt("bad magic"))?;
        let mut parts = [&[][..]; 3];
        let mut rest = rest;
        for part in &mut parts {
            let (len, tail) = rest.split_at_checked(8).ok_or_else(|| corrupt("truncated"))?;
            let len = u64::from_le_bytes(len.try_into().map_err(|_| corrupt("truncated"))?);
            let len = usize::try_from(len).map_err(|_| corrupt("length"))?;
            let (p, tail) = tail
                .split_at_checked(len)
                .ok_or_else(|| corrupt("truncated part"))?;
            *part = p;
            rest = tail;
        }
        if !rest.is_empty() {
            return Err(corrupt("trailing bytes"));
        }
        let index = Index::restore(config.copy.clone(), parts[0])?;
        let stories = StoryIndex::restore(config.story.clone(), parts[1])?;
        let book: Book = serde_json::from_slice(parts[2]).map_err(|e| corrupt(&format!("summaries: {e}")))?;
        let latest_ms = book.latest_ms;
        let summaries = book
            .clusters
            .into_iter()
            .map(|(id, version, canonical)| (id, Summary { version, canonical }))
            .collect();
        Ok(Deduper {
            index,
            stories,
            config,
            summaries,
            latest_ms,
            since_prune: 0,
            detail: EventDetail::Full,
        })
    }

    /// Both indexes as bytes.
    pub fn snapshot(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.snapshot_copy().encode_into(&mut out);
        out
    }

    /// A copy of what [`Deduper::snapshot`] writes, taken between two articles, to encode
    /// on another thread while this deduplicator goes on folding.
    pub fn snapshot_copy(&self) -> DeduperSnapshot {
        DeduperSnapshot {
            index: self.index.snapshot_copy(),
            stories: self.stories.snapshot_copy(),
            latest_ms: self.latest_ms,
            summaries: self.summaries.clone(),
        }
    }

    /// Copy-index counters (members, clusters, merges, approximate heap bytes, ...).
    pub fn stats(&self) -> wirefold_dedup::Stats {
        self.index.stats()
    }

    /// Story-index counters.
    pub fn story_stats(&self) -> story::StoryStats {
        self.stories.stats()
    }

    /// The configuration.
    pub fn config(&self) -> &FoldConfig {
        &self.config
    }

    /// The copy comparisons verified for the last article applied, with their evidence and
    /// the copy rule's verdict (diagnostics: `wirefold explain`).
    pub fn verdicts(&self) -> Vec<wirefold_dedup::Verdict> {
        self.index.verdicts()
    }

    /// The story the last new copy cluster was compared with most closely, joined or not,
    /// and the similarity (diagnostics: `wirefold explain`).
    pub fn story_candidate(&self) -> Option<(StoryId, f32)> {
        self.stories.last_best()
    }

    /// The story copy cluster `cluster` is in now.
    pub fn story_of(&self, cluster: ClusterId) -> Option<StoryId> {
        self.stories.story_of(cluster.0)
    }

    /// Folds one article into both levels.
    pub fn apply(&mut self, article: &Article) -> Folded {
        let published_ms = article.firstcreated.as_deref().and_then(parse_ms);
        let received_ms = article
            .received
            .as_deref()
            .and_then(parse_ms)
            // Without a receive time (`wirefold cluster` input), input order is arrival
            // order: the article arrived no earlier than the newest time seen so far.
            .unwrap_or_else(|| self.latest_ms.max(published_ms.unwrap_or(0)));
        self.latest_ms = self.latest_ms.max(received_ms);
        let title = article.headline.as_deref().unwrap_or("");
        let doc = Doc {
            id: &article.id,
            uri: if article.uri.is_empty() {
                &article.id
            } else {
                &article.uri
            },
            title,
            body: &article.body_text,
            published_ms,
            received_ms,
            source: article.source.as_deref(),
            url: article.url.as_deref(),
            canceled: article.pubstatus == PubStatus::Canceled,
        };
        let t = wirefold_dedup::event_time(&doc, self.config.copy.horizon_secs.saturating_mul(1000));
        // What its story shows: when it was first published and when its latest version
        // was, as the item states them (an archive article shows its own date, where `t`
        // is held within the receive window), never after it was received.
        let shown_first = published_ms.unwrap_or(received_ms).min(received_ms);
        let shown_last = article
            .versioncreated
            .as_deref()
            .and_then(parse_ms)
            .or(published_ms)
            .unwrap_or(received_ms)
            .min(received_ms);
        let outcome = self.index.apply(&doc);
        let text = Text {
            title,
            body: &article.body_text,
            lang: article.language.as_deref(),
        };
        let mut folded = Folded {
            cluster: outcome.cluster,
            ..Default::default()
        };
        for ev in &outcome.events {
            let mut wire = to_wire(ev);
            // An item that says what it is (an agency correction or update) says so in the
            // event it causes: "correction" / "update", as a new version of a member or,
            // when its earlier versions never arrived, as a new member or cluster.
            if matches!(
                ev.kind,
                EventKind::MemberUpdated | EventKind::MemberAdded | EventKind::Created
            ) && wire.reason.is_none()
                && ev.cause.id == article.id
                && let Some(signal) = article.signal.as_deref()
            {
                wire.reason = Some(signal.to_string());
            }
            if self.detail == EventDetail::Full {
                self.remember(ev, &wire);
            }
            let step = layers::follow(&mut self.stories, ev, &text, t);
            if ev.member_count > 0 {
                // Story events rank copy clusters by members.
                self.stories.set_weight(ev.cluster.0, ev.member_count as u64);
            }
            if let Some(step) = step {
                if step.kind != StepKind::ClusterRemoved && ev.kind != EventKind::MemberRemoved {
                    self.stories.show(step.story, shown_first, shown_last);
                }
                let reason = match step.kind {
                    StepKind::Merged if ev.kind == EventKind::Merged => {
                        Some("their copy clusters merged".to_string())
                    }
                    // A new copy cluster joined and one-cluster stories now match the story
                    // (revisable placement, `StoryIndex::place`).
                    StepKind::Merged => Some("their only copy cluster matches it now".to_string()),
                    StepKind::ClusterRemoved | StepKind::Updated => wire.reason.clone(),
                    _ => None,
                };
                folded.stories.push(self.story_event(&step, &wire, reason, t));
            }
            wire.story_id = self.stories.story_of(ev.cluster.0).map(|s| s.to_string());
            folded.clusters.push(wire);
        }
        folded.story = outcome.cluster.and_then(|c| self.stories.story_of(c.0));
        self.since_prune += 1;
        if self.since_prune >= 4096 {
            self.prune();
        }
        folded
    }

    /// Keeps what story events list of the event's cluster.
    fn remember(&mut self, ev: &Event, wire: &ClusterEvent) {
        for gone in &ev.merged_from {
            self.summaries.remove(&gone.0);
        }
        match wire.members.first() {
            Some(canonical) if ev.member_count > 0 => {
                self.summaries.insert(
                    ev.cluster.0,
                    Summary {
                        version: ev.version,
                        canonical: canonical.article.clone(),
                    },
                );
            }
            _ => {
                self.summaries.remove(&ev.cluster.0);
            }
        }
    }

    /// Drops summaries of copy clusters that left past the horizon (silently, in both
    /// indexes, so the story index no longer knows them).
    fn prune(&mut self) {
        self.since_prune = 0;
        let stories = &self.stories;
        self.summaries.retain(|&c, _| stories.story_of(c).is_some());
    }

    fn story_event(&self, step: &Step, cause: &ClusterEvent, reason: Option<String>, t: i64) -> StoryEvent {
        let story = step.story;
        let kind = match step.kind {
            StepKind::Created => StoryEventKind::Created,
            StepKind::ClusterAdded => StoryEventKind::ClusterAdded,
            StepKind::ClusterRemoved => StoryEventKind::ClusterRemoved,
            StepKind::Merged => StoryEventKind::Merged,
            StepKind::Updated => StoryEventKind::Updated,
        };
        // Ids only: what `wirefold cluster` writes; the rest stays empty.
        let ids = StoryEvent {
            schema: SCHEMA_VERSION,
            kind,
            story_id: story.to_string(),
            version: step.version,
            cause: cause.cause.clone(),
            cause_cluster: cause.cluster_id.clone(),
            headline: None,
            first_seen: String::new(),
            updated: String::new(),
            languages: Vec::new(),
            clusters: Vec::new(),
            cluster_count: 0,
            article_count: 0,
            merged_from: step.absorbed.iter().map(StoryId::to_string).collect(),
            reason,
        };
        if self.detail == EventDetail::Ids {
            return ids;
        }
        // The first `cap` clusters of the story's ranking (members, then placed first): the
        // work is the same for a story of five clusters and one of fifty thousand.
        let cap = self.config.story.max_event_clusters.max(1);
        let listed: Vec<(u64, u64, &Summary)> = self
            .stories
            .ranked(story)
            .filter_map(|(c, members)| self.summaries.get(&c).map(|s| (c, members, s)))
            .take(cap)
            .collect();
        let headline = listed
            .iter()
            .find_map(|(_, _, s)| s.canonical.headline.clone().filter(|h| !h.trim().is_empty()));
        let clusters = listed
            .iter()
            .map(|&(c, members, s)| StoryCluster {
                id: ClusterId(c).to_string(),
                version: s.version,
                canonical: s.canonical.clone(),
                member_count: members,
            })
            .collect();
        let time = |ms: Option<i64>| format_ms(ms.unwrap_or(t)).unwrap_or_default();
        StoryEvent {
            headline,
            first_seen: time(self.stories.first_seen_ms(story)),
            updated: time(self.stories.updated_ms(story)),
            languages: self.stories.languages(story),
            clusters,
            cluster_count: self.stories.cluster_count(story) as u64,
            article_count: self.stories.weight(story),
            ..ids
        }
    }
}

/// The wire form of a core event (its `story_id` is filled in by [`Deduper::apply`]).
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
        story_id: None,
    }
}

fn article_ref(m: &MemberView) -> ArticleRef {
    ArticleRef {
        id: m.id.clone(),
        uri: m.uri.clone(),
        headline: Some(m.title.clone()).filter(|t| !t.is_empty()),
        source: m.source.clone(),
        url: m.url.clone(),
        firstcreated: m.published_ms.and_then(format_ms),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let mut d = Deduper::new(FoldConfig::default());
        let a = d.apply(&art("a", None)).cluster;
        let b = d.apply(&art("b", Some("2025-06-17T10:00:00Z"))).cluster;
        let c = d.apply(&art("c", None)).cluster;
        assert!(a.is_some());
        assert_eq!(a, b);
        assert_eq!(b, c);

        // Dated out of order, years apart (archive pages, dates read from the text): each
        // still meets its copy that arrives next.
        let mut d = Deduper::new(FoldConfig::default());
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
    fn stories_show_the_times_their_articles_state_not_the_receive_window() {
        let body = "The harbour authority said on Monday that the northern pier would close for \
                    repairs until March, after inspectors found cracks in two of its supports.\n\n\
                    Ferries will use the southern pier meanwhile, the authority said."
            .repeat(3);
        let art = |id: &str, uri: &str, first: &str, version: Option<&str>| Article {
            schema: SCHEMA_VERSION,
            id: id.into(),
            uri: uri.into(),
            headline: Some("Northern pier to close for repairs".into()),
            body_text: body.clone(),
            firstcreated: Some(first.into()),
            versioncreated: version.map(str::to_string),
            received: Some("2026-12-07T12:00:00Z".into()),
            ..Default::default()
        };
        let mut d = Deduper::new(FoldConfig::default());
        // An archive article ingested today: its story begins on the day it states, not at
        // the receive window's edge (today less 3.5 days) that its event time is held to.
        let o = d.apply(&art("a", "urn:pier", "2013-08-04T10:00:00Z", None));
        let ev = o.stories.last().expect("a story event");
        assert_eq!(ev.kind, StoryEventKind::Created);
        assert_eq!(
            (ev.first_seen.as_str(), ev.updated.as_str()),
            ("2013-08-04T10:00:00Z", "2013-08-04T10:00:00Z")
        );
        // Its correction, a later version of the same item: the story was updated then.
        let o = d.apply(&art(
            "a2",
            "urn:pier",
            "2013-08-04T10:00:00Z",
            Some("2013-08-05T08:30:00Z"),
        ));
        let ev = o.stories.last().expect("a story event");
        assert_eq!(
            (ev.first_seen.as_str(), ev.updated.as_str()),
            ("2013-08-04T10:00:00Z", "2013-08-05T08:30:00Z")
        );
        // A copy that claims a time after it was received shows the receive time.
        let o = d.apply(&art("b", "urn:other", "2027-01-01T00:00:00Z", None));
        let ev = o.stories.last().expect("a story event");
        assert_eq!(
            (ev.first_seen.as_str(), ev.updated.as_str()),
            ("2013-08-04T10:00:00Z", "2026-12-07T12:00:00Z")
        );
        // Ids-only events (what `wirefold cluster` writes) carry no times.
        let mut ids = Deduper::new(FoldConfig::default()).with_event_detail(EventDetail::Ids);
        let o = ids.apply(&art("a", "urn:pier", "2013-08-04T10:00:00Z", None));
        assert!(o.stories.iter().all(|e| e.first_seen.is_empty()));
    }

    #[test]
    fn ids_only_story_events_keep_every_id_of_full_ones() {
        let texts = [
            "The harbour bridge will reopen next week after engineers repaired the main span, \
             the city council of Portsmouth said on Monday.",
            "Portsmouth council said the harbour bridge reopens next week once the span repairs \
             by engineers are finished, officials said on Monday.",
            "A football match in the league final ended with the home side winning after extra \
             time in front of a full stadium in Leeds.",
        ];
        let mut full = Deduper::new(FoldConfig::default());
        let mut ids = Deduper::new(FoldConfig::default()).with_event_detail(EventDetail::Ids);
        for round in 0..3 {
            for (i, t) in texts.iter().enumerate() {
                let a = Article {
                    schema: SCHEMA_VERSION,
                    id: format!("a{round}-{i}"),
                    uri: format!("a{round}-{i}"),
                    firstcreated: Some("2025-06-17T10:00:00Z".into()),
                    body_text: t.repeat(round + 1),
                    ..Default::default()
                };
                let (f, d) = (full.apply(&a), ids.apply(&a));
                assert_eq!((f.cluster, f.story), (d.cluster, d.story));
                assert_eq!(f.clusters, d.clusters);
                let key = |e: &StoryEvent| {
                    (
                        e.kind,
                        e.story_id.clone(),
                        e.version,
                        e.cause_cluster.clone(),
                        e.merged_from.clone(),
                    )
                };
                let fk: Vec<_> = f.stories.iter().map(key).collect();
                let dk: Vec<_> = d.stories.iter().map(key).collect();
                assert!(!fk.is_empty());
                assert_eq!(fk, dk);
                assert!(
                    d.stories
                        .iter()
                        .all(|e| e.clusters.is_empty() && e.headline.is_none())
                );
                assert!(f.stories.iter().all(|e| !e.clusters.is_empty()));
            }
        }
    }

    #[test]
    fn identical_articles_share_a_cluster_and_events_name_them() {
        let mut d = Deduper::new(FoldConfig::default());
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
        let ev = o2.clusters.last().unwrap();
        assert_eq!(ev.kind, ClusterEventKind::MemberAdded);
        assert_eq!(ev.cluster_id, o1.cluster.unwrap().to_string());
        assert!(
            ev.members
                .iter()
                .any(|m| m.article.url.as_deref() == Some("file:///one.txt"))
        );
        assert!(ev.members.iter().any(|m| m.article.id == "two"));
    }

    fn story_article(id: &str, uri: &str, body: &str, canceled: bool) -> Article {
        Article {
            schema: SCHEMA_VERSION,
            id: id.into(),
            uri: uri.into(),
            headline: Some(format!("Headline {id}")),
            body_text: body.into(),
            received: Some("2025-06-17T10:00:00Z".into()),
            pubstatus: if canceled {
                PubStatus::Canceled
            } else {
                PubStatus::Usable
            },
            ..Default::default()
        }
    }

    #[test]
    fn agency_corrections_and_updates_say_so_in_the_update_events() {
        let body = "The harbour authority said on Monday that the northern pier would close for \
                    repairs until March, after inspectors found cracks in two of its supports.\n\n\
                    Ferries will use the southern pier meanwhile, the authority said."
            .repeat(3);
        let mut d = Deduper::new(FoldConfig::default());
        d.apply(&story_article("v1", "urn:pier", &body, false));
        let mut v2 = story_article("v2", "urn:pier", &format!("{body} Corrected figure."), false);
        v2.signal = Some("correction".into());
        let f = d.apply(&v2);
        assert_eq!(f.clusters[0].kind, ClusterEventKind::MemberUpdated);
        assert_eq!(f.clusters[0].reason.as_deref(), Some("correction"));
        assert_eq!(f.stories[0].reason.as_deref(), Some("correction"));
        let mut v3 = story_article("v3", "urn:pier", &body, false);
        v3.signal = Some("update".into());
        assert_eq!(d.apply(&v3).clusters[0].reason.as_deref(), Some("update"));
        // A correction whose first version never arrived is still one.
        let other = "The city council voted on Tuesday to extend the night bus service to the \
                     airport from April, citing demand from shift workers.\n\n\
                     The extension will cost about two million a year, officials said."
            .repeat(3);
        let mut first = story_article("k1", "urn:buses", &other, false);
        first.signal = Some("correction".into());
        let f = d.apply(&first);
        assert_eq!(
            (f.clusters[0].kind, f.clusters[0].reason.as_deref()),
            (ClusterEventKind::Created, Some("correction"))
        );
        // Without a signal a new version says nothing more than member_updated.
        let f = d.apply(&story_article("v4", "urn:pier", &body, false));
        assert_eq!(
            (f.clusters[0].kind, f.clusters[0].reason.as_deref()),
            (ClusterEventKind::MemberUpdated, None)
        );
        // A kill withdraws the member.
        let f = d.apply(&story_article("v5", "urn:pier", "", true));
        assert_eq!(f.clusters[0].kind, ClusterEventKind::MemberRemoved);
        assert_eq!(f.clusters[0].reason.as_deref(), Some("withdrawn"));
    }

    #[test]
    fn withdrawals_update_and_then_end_the_story() {
        let body = "The harbour authority said on Monday that the northern pier would close for \
                    repairs until March, after inspectors found cracks in two of its supports.\n\n\
                    Ferries will use the southern pier meanwhile, the authority said, and \
                    timetables will not change."
            .repeat(3);
        let mut d = Deduper::new(FoldConfig::default());
        let a = d.apply(&story_article("a1", "urn:a", &body, false));
        let b = d.apply(&story_article("b1", "urn:b", &body, false));
        assert_eq!(a.cluster, b.cluster);
        let s = a.story.expect("a story");
        assert_eq!(b.story, Some(s));
        assert_eq!(a.stories[0].kind, StoryEventKind::Created);
        assert_eq!(b.stories[0].kind, StoryEventKind::Updated);
        assert_eq!((b.stories[0].cluster_count, b.stories[0].article_count), (1, 2));
        assert_eq!(b.stories[0].headline.as_deref(), Some("Headline a1"));
        assert_eq!(b.clusters[0].story_id.as_deref(), Some(s.to_string().as_str()));

        // The canonical is withdrawn: the cluster lives on, the story is updated and its
        // headline follows the new canonical.
        let w = d.apply(&story_article("a2", "urn:a", "", true));
        assert_eq!(w.stories.len(), 1);
        let ev = &w.stories[0];
        assert_eq!(ev.kind, StoryEventKind::Updated);
        assert_eq!((ev.cluster_count, ev.article_count), (1, 1));
        assert_eq!(ev.headline.as_deref(), Some("Headline b1"));
        assert_eq!(ev.reason.as_deref(), Some("withdrawn"));

        // The last member is withdrawn: the cluster leaves the story, and the story ends.
        let w = d.apply(&story_article("b2", "urn:b", "", true));
        let ev = &w.stories[0];
        assert_eq!(ev.kind, StoryEventKind::ClusterRemoved);
        assert_eq!((ev.cluster_count, ev.article_count), (0, 0));
        assert_eq!(w.story, None);
        let versions: Vec<u64> = [&a, &b]
            .iter()
            .flat_map(|f| f.stories.iter().map(|e| e.version))
            .chain([3, ev.version])
            .collect();
        assert_eq!(versions, [1, 2, 3, 4]);
    }

    #[test]
    fn ten_thousand_copies_are_one_story_with_bounded_events() {
        let body = "Officials said the harbour bridge would reopen next week after engineers finished \
                    repairs to the main span, which was damaged by a barge in March.\n\n\
                    The council expects traffic to return to normal by the end of the month."
            .repeat(2);
        let mut d = Deduper::new(FoldConfig::default());
        let mut story = None;
        for i in 0..10_000 {
            let f = d.apply(&story_article(
                &format!("a{i}"),
                &format!("urn:{i}"),
                &body,
                false,
            ));
            let ev = f.stories.last().expect("a story event");
            assert_eq!(ev.clusters.len(), 1);
            assert_eq!(ev.article_count, i + 1);
            assert!(story.is_none_or(|s| f.story == Some(s)));
            story = f.story;
        }
        assert_eq!(d.story_stats().stories, 1);
    }

    /// A story event lists the largest copy clusters (most members, then placed first) up
    /// to the cap and counts all of them; its headline is the first listed one's.
    #[test]
    fn story_events_list_the_largest_clusters_and_count_all() {
        let reports = [
            "A magnitude 6.1 earthquake struck near the town of Bam in southern Iran on Friday, \
             killing at least 40 people and injuring hundreds, the Iranian Red Crescent said. \
             Rescue teams from Kerman province searched collapsed buildings through the night.",
            "Survivors of Friday's magnitude 6.1 earthquake near Bam in Iran's Kerman province \
             spent the night outdoors as aftershocks rattled the region. The Red Crescent raised \
             the death toll to 40 and said hundreds were injured when buildings collapsed.",
            "Iran's Red Crescent said at least 40 people died when a 6.1 magnitude quake hit Bam \
             in Kerman province on Friday. Hundreds were hurt and rescuers dug through the rubble \
             of collapsed homes until dawn.",
            "The death toll from Friday's earthquake in Bam, southern Iran, reached 40, the Red \
             Crescent said, as rescue teams in Kerman province kept searching collapsed buildings \
             for survivors of the magnitude 6.1 tremor.",
        ];
        let mut config = FoldConfig::default();
        config.story.max_event_clusters = 2;
        let mut d = Deduper::new(config);
        // Copies per report: 1, 3, 1, 2.
        let mut n = 0;
        let mut last = None;
        for (r, copies) in [(0, 1), (1, 3), (2, 1), (3, 2)] {
            for c in 0..copies {
                n += 1;
                let f = d.apply(&story_article(
                    &format!("r{r}c{c}"),
                    &format!("urn:{r}:{c}"),
                    reports[r],
                    false,
                ));
                last = Some(f);
            }
        }
        let f = last.expect("applied");
        let ev = f.stories.last().expect("a story event");
        let s = f.story.expect("a story").to_string();
        assert_eq!(ev.story_id, s);
        assert_eq!(d.story_stats().stories, 1, "one event, one story");
        assert_eq!((ev.cluster_count, ev.article_count), (4, n));
        let listed: Vec<(u64, &str)> = ev
            .clusters
            .iter()
            .map(|c| (c.member_count, c.canonical.id.as_str()))
            .collect();
        assert_eq!(listed, [(3, "r1c0"), (2, "r3c0")]);
        assert_eq!(ev.headline.as_deref(), Some("Headline r1c0"));
    }

    #[test]
    fn snapshot_round_trip_gives_the_same_events() {
        let docs: Vec<Article> = (0..40)
            .map(|i| {
                let topic = i % 4;
                let body = format!(
                    "Report {topic}: the council of district {topic} met on Monday about plan {topic}. "
                )
                .repeat(12 + topic);
                story_article(&format!("a{i}"), &format!("urn:{i}"), &body, false)
            })
            .collect();
        let mut straight = Deduper::new(FoldConfig::default());
        let want: Vec<Folded> = docs.iter().map(|a| straight.apply(a)).collect();
        let mut first = Deduper::new(FoldConfig::default());
        for a in &docs[..20] {
            first.apply(a);
        }
        // A copy taken at 20 encodes the state at 20 while the original folds on.
        let copy = first.snapshot_copy();
        let at_20 = first.snapshot();
        let mut went_on = Deduper::new(FoldConfig::default());
        for a in &docs[..20] {
            went_on.apply(a);
        }
        let copy_of_went_on = went_on.snapshot_copy();
        for a in &docs[20..30] {
            went_on.apply(a);
        }
        let mut copied = Vec::new();
        copy_of_went_on.encode_into(&mut copied);
        assert_eq!(copied, at_20);
        let mut copied = Vec::new();
        copy.encode_into(&mut copied);
        assert_eq!(copied, at_20);
        let mut restored = Deduper::restore(FoldConfig::default(), &copied).unwrap();
        let got: Vec<Folded> = docs[20..].iter().map(|a| restored.apply(a)).collect();
        assert_eq!(got, want[20..]);
        assert_eq!(restored.snapshot(), straight.snapshot());
        // Damaged bytes are refused, never a panic.
        let snap = first.snapshot();
        for cut in [0, 4, 8, 20, snap.len() / 2, snap.len() - 1] {
            assert!(
                Deduper::restore(FoldConfig::default(), &snap[..cut]).is_err(),
                "cut at {cut}"
            );
        }
    }
}
