//! The read model: stories, copy clusters, articles and the event log, rebuilt from the
//! streams. Pure: the stream readers in [`crate::feed`] hand it decoded messages with their
//! stream sequences, and the HTTP handlers read it. It keeps no other state.
//!
//! # Positions
//!
//! The event log interleaves two streams, `WIREFOLD_CLUSTERS` and `WIREFOLD_STORIES`. A
//! [`Pos`] is a pair of stream sequences, written `"<clusters>-<stories>"` (`"0"` is the
//! start). Every logged event carries the position after it; an event is *after* a
//! position when its own sequence is greater than the position's part for its stream. So a
//! client that resumes with the id of the last event it saw gets exactly the events it has
//! not seen, from any replica, however that replica interleaved the two streams.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::Arc;

use serde::Serialize;
use wirefold_wire::{Article, ArticleRef, ClusterEvent, PubStatus, StoryEvent};

/// Events kept in the log for resuming streams, at most.
pub const DEFAULT_LOG_CAPACITY: usize = 200_000;
/// Distinct words kept per article for `q` searches.
const WORDS_PER_ARTICLE: usize = 400;
/// Bytes of a slugline kept (for an article without a headline).
const MAX_SLUGLINE_BYTES: usize = 200;
/// Characters of the opening words kept for an article with neither headline nor slugline.
const LEDE_CHARS: usize = 120;
/// Ids merged away that the model still forwards (the oldest are forgotten first).
const MAX_FORWARDS: usize = 200_000;
/// Merges followed at most from one id (a chain of stories each folded into the next).
const MAX_HOPS: usize = 16;

/// Which stream an event came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// `WIREFOLD_CLUSTERS`.
    Cluster,
    /// `WIREFOLD_STORIES`.
    Story,
}

/// A position in the two event streams.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos {
    /// Last `WIREFOLD_CLUSTERS` sequence covered.
    pub clusters: u64,
    /// Last `WIREFOLD_STORIES` sequence covered.
    pub stories: u64,
}

impl std::fmt::Display for Pos {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.clusters, self.stories)
    }
}

impl std::str::FromStr for Pos {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        // Strict: `0` or two runs of 1 to 19 ASCII digits (no sign, no spaces), the
        // pattern the OpenAPI document gives.
        if s == "0" {
            return Ok(Pos::default());
        }
        let bad = || {
            let shown: String = s.chars().take(48).collect();
            format!("not an event position: {shown:?} (expected \"0\" or \"<n>-<n>\")")
        };
        let num = |p: &str| -> Result<u64, String> {
            if p.is_empty() || p.len() > 19 || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            p.parse().map_err(|_| bad())
        };
        let (c, st) = s.split_once('-').ok_or_else(bad)?;
        Ok(Pos {
            clusters: num(c)?,
            stories: num(st)?,
        })
    }
}

impl Pos {
    /// Whether an event of `source` with stream sequence `seq` comes after this position.
    pub fn before(&self, source: Source, seq: u64) -> bool {
        match source {
            Source::Cluster => seq > self.clusters,
            Source::Story => seq > self.stories,
        }
    }
}

/// Some events after a position are no longer in the log: the client must refetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotRetained;

/// One event of the log, ready to send.
#[derive(Debug, Clone)]
pub struct Logged {
    /// Its stream.
    pub source: Source,
    /// Its stream sequence.
    pub seq: u64,
    /// The position after it (its SSE id).
    pub pos: Pos,
    /// SSE event name: `cluster.<kind>` or `story.<kind>`.
    pub name: String,
    /// The story it concerns (for filtering).
    pub story: Option<String>,
    /// The event as stored (JSON).
    pub data: Arc<str>,
}

/// A history entry of a story or a cluster.
#[derive(Debug, Clone, Serialize)]
pub struct History {
    /// Version after the event.
    pub version: u64,
    /// Event kind.
    pub kind: String,
    /// Article that caused it.
    pub cause: String,
    /// Its headline, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headline: Option<String>,
    /// Its outlet, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// When it was first published, when known (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub firstcreated: Option<String>,
    /// Why, when the event says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Position of the event.
    pub position: String,
}

impl History {
    fn of(version: u64, kind: &str, cause: &ArticleRef, reason: &Option<String>, pos: Pos) -> Self {
        History {
            version,
            kind: kind.to_string(),
            cause: cause.id.clone(),
            headline: cause.headline.clone(),
            source: cause.source.clone(),
            firstcreated: cause.firstcreated.clone(),
            reason: reason.clone(),
            position: pos.to_string(),
        }
    }
}

/// What the model keeps of an article.
#[derive(Debug, Clone)]
pub struct ArticleInfo {
    /// `WIREFOLD_ARTICLES` sequence (the record is read back from the stream on request).
    pub seq: u64,
    /// Item version.
    pub version: Option<u64>,
    /// Publication status.
    pub pubstatus: PubStatus,
    /// Hashes of its distinct words, sorted (for `q`).
    words: Box<[u32]>,
    /// What names it on the desk when it states no headline (kept only then).
    stand_in: Option<StandIn>,
    /// The time before which it must not be published, when the agency set one (ninjs
    /// `embargoed`), as stated, and in Unix ms.
    embargoed: Option<(Box<str>, i64)>,
    /// When this version was published (ninjs `versioncreated`), kept only when it is later
    /// than the article's first publication: the copy was updated or corrected since.
    versioncreated: Option<Box<str>>,
}

/// What names an article that states no headline.
#[derive(Debug, Clone)]
enum StandIn {
    /// The agency's slugline (ninjs `slugline`).
    Slugline(Box<str>),
    /// Else the opening words of its text, cut at a word and ending in "…".
    Lede(Box<str>),
}

impl StandIn {
    /// From an article record: `None` when it states a headline, or has nothing to show.
    fn of(a: &Article) -> Option<StandIn> {
        if a.headline.as_deref().is_some_and(|h| !h.trim().is_empty()) {
            return None;
        }
        if let Some(s) = a.slugline.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            return Some(StandIn::Slugline(Box::from(
                &s[..s.floor_char_boundary(MAX_SLUGLINE_BYTES)],
            )));
        }
        // The characters of `lede` counted as it grows.
        let (mut lede, mut chars, mut cut) = (String::new(), 0, false);
        for w in a.body_text.split_whitespace() {
            let n = w.chars().count();
            if chars + 1 + n > LEDE_CHARS {
                if lede.is_empty() {
                    // One word longer than the whole allowance.
                    lede.extend(w.chars().take(LEDE_CHARS));
                }
                cut = true;
                break;
            }
            if !lede.is_empty() {
                lede.push(' ');
                chars += 1;
            }
            lede.push_str(w);
            chars += n;
        }
        if lede.is_empty() {
            return None;
        }
        if cut {
            lede.push('\u{2026}');
        }
        Some(StandIn::Lede(lede.into_boxed_str()))
    }

    fn slugline(&self) -> Option<&str> {
        match self {
            StandIn::Slugline(s) => Some(s),
            StandIn::Lede(_) => None,
        }
    }

    fn lede(&self) -> Option<&str> {
        match self {
            StandIn::Lede(s) => Some(s),
            StandIn::Slugline(_) => None,
        }
    }
}

#[derive(Debug)]
struct StoryState {
    latest: StoryEvent,
    /// Stream sequence of its latest event: the listing order.
    seq: u64,
    history: Vec<History>,
    /// Hashes of the words of its headline and its clusters' canonical headlines, sorted
    /// (for `q`; computed when the event is applied, not on every search).
    head_words: Box<[u32]>,
    /// `latest.updated` in Unix ms (for `since`/`until`).
    updated_ms: Option<i64>,
    /// Its events that withdrew a copy (an agency's kill), those of stories folded into it
    /// included.
    withdrawn: u64,
}

/// Sorted, distinct hashes of the words of `texts`.
fn word_hashes<'a>(texts: impl Iterator<Item = &'a str>) -> Box<[u32]> {
    let mut ws: Vec<u32> = texts.flat_map(words).map(|w| word_hash(&w)).collect();
    ws.sort_unstable();
    ws.dedup();
    ws.into_boxed_slice()
}

#[derive(Debug)]
struct ClusterState {
    latest: ClusterEvent,
    history: Vec<History>,
}

/// A story as lists show it.
#[derive(Debug, Clone, Serialize)]
pub struct StorySummary {
    /// Story id.
    pub id: String,
    /// Its version.
    pub version: u64,
    /// Headline.
    pub headline: Option<String>,
    /// When no copy cluster states a headline: the agency's slugline of the first listed
    /// cluster's canonical article that has one (ninjs `slugline`), which names the story on
    /// a desk instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slugline: Option<String>,
    /// When no copy cluster states a headline and none of their canonical articles a
    /// slugline: the opening words of the first listed one's text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lede: Option<String>,
    /// First article's time.
    pub first_seen: String,
    /// Latest article's time.
    pub updated: String,
    /// Languages.
    pub languages: Vec<String>,
    /// Outlets of its articles.
    pub sources: Vec<String>,
    /// Copy clusters.
    pub cluster_count: u64,
    /// Articles.
    pub article_count: u64,
    /// The latest embargo of its articles (ninjs `embargoed`), when one of them has one:
    /// a desk marks the story while that time lies ahead (the model keeps no clock).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub embargoed: Option<String>,
    /// Copies withdrawn from it (agency kills), when any were.
    #[serde(skip_serializing_if = "is_zero")]
    pub withdrawn: u64,
}

/// An article's `versioncreated` when it says the copy changed after it was first
/// published: it must be a time, at least a minute after `firstcreated` (a first version
/// states the same moment, or seconds apart); with no readable `firstcreated` it stands.
fn later_version(firstcreated: Option<&str>, versioncreated: Option<&str>) -> Option<Box<str>> {
    let v = versioncreated?;
    let v_ms = wirefold_wire::time::parse_ms(v)?;
    match firstcreated.and_then(wirefold_wire::time::parse_ms) {
        Some(f_ms) if v_ms - f_ms < 60_000 => None,
        _ => Some(v.into()),
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// A member of a cluster as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct MemberView {
    /// The article.
    #[serde(flatten)]
    pub article: ArticleRef,
    /// Item version, when the article record says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
    /// Its slugline, when it states no headline (ninjs `slugline`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slugline: Option<String>,
    /// The opening words of its text, when it states neither headline nor slugline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lede: Option<String>,
    /// The time before which it must not be published, when the agency set one (ninjs
    /// `embargoed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub embargoed: Option<String>,
    /// When its current version was published (ninjs `versioncreated`), when that is later
    /// than its first publication (`firstcreated`): the copy was updated since.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub versioncreated: Option<String>,
    /// Publication status.
    pub pubstatus: PubStatus,
    /// Similarity to the canonical member.
    pub similarity: f32,
}

/// A copy cluster with its members and history.
#[derive(Debug, Clone, Serialize)]
pub struct ClusterView {
    /// Cluster id.
    pub id: String,
    /// Its version.
    pub version: u64,
    /// Its story.
    pub story_id: Option<String>,
    /// Canonical member.
    pub canonical: Option<ArticleRef>,
    /// Members, canonical first (at most the 64 the last event lists).
    pub members: Vec<MemberView>,
    /// All members.
    pub member_count: usize,
    /// Every event of the cluster: versions, updates, corrections, withdrawals.
    pub history: Vec<History>,
}

/// A story with its clusters and history.
#[derive(Debug, Clone, Serialize)]
pub struct StoryView {
    /// The summary fields.
    #[serde(flatten)]
    pub summary: StorySummary,
    /// Its copy clusters, largest first.
    pub clusters: Vec<ClusterView>,
    /// Every event of the story.
    pub history: Vec<History>,
}

/// Filters of the story list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Words that must all appear in the story's headlines or bodies (lower-cased).
    pub words: Vec<String>,
    /// Language.
    pub lang: Option<String>,
    /// Outlet or agency ([`SourceFilter`]).
    pub source: Option<SourceFilter>,
    /// Updated at or after (ms).
    pub since_ms: Option<i64>,
    /// Updated at or before (ms).
    pub until_ms: Option<i64>,
}

/// An outlet or agency to filter stories by: a source whose name holds it as whole words,
/// in any case ("reuters" takes "Reuters" and "reuters.com", "ap" takes "AP" but not
/// "Apple Daily"); a spelling of a known agency also takes the short name wire items carry
/// for it (`wirefold_wire::agencies`: "associated press" takes "AP").
#[derive(Debug, Clone)]
pub struct SourceFilter {
    want: String,
    /// The agency's short name, lower-cased, when it differs from `want`.
    agency: Option<String>,
}

impl SourceFilter {
    /// The filter for `query`; `None` when it is blank.
    pub fn new(query: &str) -> Option<Self> {
        let want = query.trim().to_lowercase();
        if want.is_empty() {
            return None;
        }
        let agency = wirefold_wire::agencies::short_name(&want)
            .map(str::to_lowercase)
            .filter(|a| *a != want);
        Some(SourceFilter { want, agency })
    }

    /// Whether a source named `name` passes.
    pub fn matches(&self, name: &str) -> bool {
        source_matches(name, &self.want) || self.agency.as_deref().is_some_and(|a| source_matches(name, a))
    }
}

/// The read model.
#[derive(Debug)]
pub struct Model {
    stories: HashMap<String, StoryState>,
    /// Latest story-event sequence -> story id: most recently changed last.
    order: BTreeMap<u64, String>,
    clusters: HashMap<String, ClusterState>,
    articles: HashMap<String, ArticleInfo>,
    /// Story and cluster ids merged away -> the id they were folded into, so a link or a
    /// tool holding an old id finds where its coverage went.
    forwards: HashMap<String, String>,
    /// Those ids, oldest first (for the bound).
    forward_order: VecDeque<String>,
    log: VecDeque<Logged>,
    log_capacity: usize,
    /// Position after the first event dropped from the log (events at or before it are gone).
    dropped_through: Pos,
    pos: Pos,
    articles_seq: u64,
    /// Stream messages that could not be decoded and were skipped.
    pub undecodable: u64,
}

impl Default for Model {
    fn default() -> Self {
        Model::new(DEFAULT_LOG_CAPACITY)
    }
}

/// Hash of a lower-cased word (FNV-1a, 32 bits).
fn word_hash(w: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in w.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// Lower-cased words (runs of alphanumerics) of `text`.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

impl Model {
    /// An empty model keeping at most `log_capacity` events for resuming streams.
    pub fn new(log_capacity: usize) -> Self {
        Model {
            stories: HashMap::new(),
            order: BTreeMap::new(),
            clusters: HashMap::new(),
            articles: HashMap::new(),
            forwards: HashMap::new(),
            forward_order: VecDeque::new(),
            log: VecDeque::new(),
            log_capacity: log_capacity.max(1),
            dropped_through: Pos::default(),
            pos: Pos::default(),
            articles_seq: 0,
            undecodable: 0,
        }
    }

    /// Position after the last event applied.
    pub fn pos(&self) -> Pos {
        self.pos
    }

    /// Last `WIREFOLD_ARTICLES` sequence applied.
    pub fn articles_seq(&self) -> u64 {
        self.articles_seq
    }

    /// Counts.
    pub fn counts(&self) -> (usize, usize, usize) {
        (self.stories.len(), self.clusters.len(), self.articles.len())
    }

    /// Decodes a stream message; one that cannot be decoded is counted and skipped.
    fn decode<T: wirefold_wire::Versioned + for<'de> serde::Deserialize<'de>>(
        &mut self,
        payload: &[u8],
    ) -> Option<T> {
        let doc = wirefold_wire::decode(payload).ok();
        if doc.is_none() {
            self.undecodable += 1;
        }
        doc
    }

    /// Applies an article record stored at `seq`.
    pub fn apply_article(&mut self, seq: u64, payload: &[u8]) {
        self.articles_seq = self.articles_seq.max(seq);
        let Some(a) = self.decode::<Article>(payload) else {
            return;
        };
        let mut ws: Vec<u32> = words(a.headline.as_deref().unwrap_or(""))
            .chain(words(&a.body_text))
            .map(|w| word_hash(&w))
            .collect();
        ws.sort_unstable();
        ws.dedup();
        ws.truncate(WORDS_PER_ARTICLE);
        self.articles.insert(
            a.id.clone(),
            ArticleInfo {
                seq,
                version: a.version,
                pubstatus: a.pubstatus,
                words: ws.into_boxed_slice(),
                stand_in: StandIn::of(&a),
                embargoed: a.embargoed.as_deref().and_then(|e| {
                    let ms = wirefold_wire::time::parse_ms(e)?;
                    Some((e.into(), ms))
                }),
                versioncreated: later_version(a.firstcreated.as_deref(), a.versioncreated.as_deref()),
            },
        );
    }

    /// Applies a cluster event stored at `seq`; returns what to log, or `None` when it
    /// could not be decoded (counted, skipped).
    pub fn apply_cluster(&mut self, seq: u64, payload: &[u8]) -> Option<Logged> {
        self.pos.clusters = self.pos.clusters.max(seq);
        let ev: ClusterEvent = self.decode(payload)?;
        let h = History::of(ev.version, ev.kind.as_str(), &ev.cause, &ev.reason, self.pos);
        for gone in &ev.merged_from {
            self.clusters.remove(gone);
            self.forward(gone, &ev.cluster_id);
        }
        let story = ev.story_id.clone();
        let name = format!("cluster.{}", ev.kind.as_str());
        let id = ev.cluster_id.clone();
        if ev.members.is_empty() {
            self.clusters.remove(&id);
        } else {
            let st = self.clusters.entry(id).or_insert_with(|| ClusterState {
                latest: ev.clone(),
                history: Vec::new(),
            });
            st.latest = ev;
            st.history.push(h);
        }
        Some(self.log(Source::Cluster, seq, name, story, payload))
    }

    /// Applies a story event stored at `seq`.
    pub fn apply_story(&mut self, seq: u64, payload: &[u8]) -> Option<Logged> {
        self.pos.stories = self.pos.stories.max(seq);
        let ev: StoryEvent = self.decode(payload)?;
        let h = History::of(ev.version, ev.kind.as_str(), &ev.cause, &ev.reason, self.pos);
        let mut withdrawn = u64::from(ev.reason.as_deref() == Some("withdrawn"));
        for gone in &ev.merged_from {
            if let Some(old) = self.stories.remove(gone) {
                self.order.remove(&old.seq);
                withdrawn += old.withdrawn;
            }
            self.forward(gone, &ev.story_id);
        }
        let name = format!("story.{}", ev.kind.as_str());
        let id = ev.story_id.clone();
        if ev.cluster_count == 0 {
            if let Some(old) = self.stories.remove(&id) {
                self.order.remove(&old.seq);
            }
        } else {
            let head_words = word_hashes(
                ev.headline
                    .as_deref()
                    .into_iter()
                    .chain(ev.clusters.iter().filter_map(|c| c.canonical.headline.as_deref())),
            );
            let updated_ms = wirefold_wire::time::parse_ms(&ev.updated);
            let st = self.stories.entry(id.clone()).or_insert_with(|| StoryState {
                latest: ev.clone(),
                seq,
                history: Vec::new(),
                head_words: Box::default(),
                updated_ms: None,
                withdrawn: 0,
            });
            self.order.remove(&st.seq);
            st.seq = seq;
            st.latest = ev;
            st.head_words = head_words;
            st.updated_ms = updated_ms;
            st.withdrawn += withdrawn;
            st.history.push(h);
            self.order.insert(seq, id.clone());
        }
        Some(self.log(Source::Story, seq, name, Some(id), payload))
    }

    fn log(
        &mut self,
        source: Source,
        seq: u64,
        name: String,
        story: Option<String>,
        payload: &[u8],
    ) -> Logged {
        let logged = Logged {
            source,
            seq,
            pos: self.pos,
            name,
            story,
            data: Arc::from(String::from_utf8_lossy(payload).as_ref()),
        };
        if self.log.len() >= self.log_capacity
            && let Some(old) = self.log.pop_front()
        {
            self.dropped_through = old.pos;
        }
        self.log.push_back(logged.clone());
        logged
    }

    /// The logged events after `after`, or [`NotRetained`] when some of them are no
    /// longer kept.
    pub fn events_after(&self, after: Pos) -> Result<Vec<Logged>, NotRetained> {
        let gone = self.dropped_through;
        if (gone.clusters > after.clusters || gone.stories > after.stories) && gone != Pos::default() {
            return Err(NotRetained);
        }
        Ok(self
            .log
            .iter()
            .filter(|e| after.before(e.source, e.seq))
            .cloned()
            .collect())
    }

    fn summary(&self, st: &StoryState) -> StorySummary {
        let ev = &st.latest;
        let mut sources = BTreeSet::new();
        let mut embargoed: Option<&(Box<str>, i64)> = None;
        for c in &ev.clusters {
            if let Some(cl) = self.clusters.get(&c.id) {
                for m in &cl.latest.members {
                    if let Some(s) = &m.article.source {
                        sources.insert(s.clone());
                    }
                    if let Some(e) = self
                        .articles
                        .get(&m.article.id)
                        .and_then(|a| a.embargoed.as_ref())
                        && embargoed.is_none_or(|x| e.1 > x.1)
                    {
                        embargoed = Some(e);
                    }
                }
            } else if let Some(s) = &c.canonical.source {
                sources.insert(s.clone());
            }
        }
        // No headline: the first listed canonical's slugline, else the first one's opening
        // words.
        let stand_in = |pick: fn(&StandIn) -> Option<&str>| {
            ev.clusters
                .iter()
                .find_map(|c| pick(self.articles.get(&c.canonical.id)?.stand_in.as_ref()?))
                .map(str::to_string)
        };
        let slugline = ev
            .headline
            .is_none()
            .then(|| stand_in(StandIn::slugline))
            .flatten();
        let lede = (ev.headline.is_none() && slugline.is_none())
            .then(|| stand_in(StandIn::lede))
            .flatten();
        StorySummary {
            id: ev.story_id.clone(),
            version: ev.version,
            headline: ev.headline.clone(),
            slugline,
            lede,
            first_seen: ev.first_seen.clone(),
            updated: ev.updated.clone(),
            languages: ev.languages.clone(),
            sources: sources.into_iter().collect(),
            cluster_count: ev.cluster_count,
            article_count: ev.article_count,
            embargoed: embargoed.map(|e| e.0.to_string()),
            withdrawn: st.withdrawn,
        }
    }

    /// Whether the story has an article from outlet `source` (as its summary's `sources`).
    fn has_source(&self, st: &StoryState, source: &SourceFilter) -> bool {
        st.latest.clusters.iter().any(|c| match self.clusters.get(&c.id) {
            Some(cl) => cl
                .latest
                .members
                .iter()
                .any(|m| m.article.source.as_deref().is_some_and(|n| source.matches(n))),
            None => c.canonical.source.as_deref().is_some_and(|n| source.matches(n)),
        })
    }

    /// Whether a story passes the filter; `hashes` are those of `f.words`. Allocates
    /// nothing: a `q` search over every story costs lookups and binary searches only.
    fn matches(&self, st: &StoryState, f: &Filter, hashes: &[u32]) -> bool {
        if let Some(l) = &f.lang
            && !st.latest.languages.iter().any(|x| language_matches(x, l))
        {
            return false;
        }
        if let Some(since) = f.since_ms
            && st.updated_ms.is_none_or(|u| u < since)
        {
            return false;
        }
        if let Some(until) = f.until_ms
            && st.updated_ms.is_none_or(|u| u > until)
        {
            return false;
        }
        if let Some(s) = &f.source
            && !self.has_source(st, s)
        {
            return false;
        }
        // Every word in a headline of the story or in one of its articles.
        hashes.iter().all(|h| {
            st.head_words.binary_search(h).is_ok()
                || st.latest.clusters.iter().any(|c| {
                    self.clusters.get(&c.id).is_some_and(|cl| {
                        cl.latest.members.iter().any(|m| {
                            self.articles
                                .get(&m.article.id)
                                .is_some_and(|a| a.words.binary_search(h).is_ok())
                        })
                    })
                })
        })
    }

    /// Stories most recently changed first, after the story-event sequence `before` (the
    /// cursor), at most `limit`; returns them and the cursor of the next page.
    pub fn list(&self, f: &Filter, before: Option<u64>, limit: usize) -> (Vec<StorySummary>, Option<u64>) {
        let hashes: Vec<u32> = f.words.iter().map(|w| word_hash(w)).collect();
        let mut out = Vec::new();
        let range = match before {
            Some(b) => self.order.range(..b),
            None => self.order.range(..),
        };
        let mut last = None;
        for (&seq, id) in range.rev() {
            let Some(st) = self.stories.get(id) else { continue };
            if !self.matches(st, f, &hashes) {
                continue;
            }
            if out.len() == limit {
                return (out, last);
            }
            out.push(self.summary(st));
            last = Some(seq);
        }
        (out, None)
    }

    fn forward(&mut self, from: &str, to: &str) {
        if from == to {
            return;
        }
        if self.forwards.insert(from.to_string(), to.to_string()).is_none() {
            self.forward_order.push_back(from.to_string());
        }
        while self.forward_order.len() > MAX_FORWARDS {
            if let Some(old) = self.forward_order.pop_front() {
                self.forwards.remove(&old);
            }
        }
    }

    /// Where a story or cluster id that was merged away went: the live id its merges lead
    /// to (`live` says which ids are live). `None` when `id` was never merged away or its
    /// trail ends at an id no longer live.
    fn forwarded(&self, id: &str, live: impl Fn(&str) -> bool) -> Option<&str> {
        let mut at = self.forwards.get(id)?;
        for _ in 0..MAX_HOPS {
            if live(at) {
                return Some(at);
            }
            at = self.forwards.get(at)?;
        }
        None
    }

    /// The live story that story `id` was merged into (through any number of merges).
    pub fn story_merged_into(&self, id: &str) -> Option<&str> {
        self.forwarded(id, |s| self.stories.contains_key(s))
    }

    /// The live copy cluster that cluster `id` was merged into.
    pub fn cluster_merged_into(&self, id: &str) -> Option<&str> {
        self.forwarded(id, |c| self.clusters.contains_key(c))
    }

    /// One story with its clusters and history.
    pub fn story(&self, id: &str) -> Option<StoryView> {
        let st = self.stories.get(id)?;
        let clusters = st
            .latest
            .clusters
            .iter()
            .filter_map(|c| self.cluster(&c.id))
            .collect();
        Some(StoryView {
            summary: self.summary(st),
            clusters,
            history: st.history.clone(),
        })
    }

    /// One copy cluster with its members and history.
    pub fn cluster(&self, id: &str) -> Option<ClusterView> {
        let st = self.clusters.get(id)?;
        let ev = &st.latest;
        let members = ev
            .members
            .iter()
            .map(|m| {
                let info = self.articles.get(&m.article.id);
                MemberView {
                    article: m.article.clone(),
                    version: info.and_then(|a| a.version),
                    slugline: info
                        .and_then(|a| a.stand_in.as_ref()?.slugline())
                        .map(str::to_string),
                    lede: info.and_then(|a| a.stand_in.as_ref()?.lede()).map(str::to_string),
                    embargoed: info.and_then(|a| Some(a.embargoed.as_ref()?.0.to_string())),
                    versioncreated: info.and_then(|a| a.versioncreated.as_deref().map(str::to_string)),
                    pubstatus: info.map(|a| a.pubstatus).unwrap_or_default(),
                    similarity: m.similarity,
                }
            })
            .collect();
        Some(ClusterView {
            id: ev.cluster_id.clone(),
            version: ev.version,
            story_id: ev.story_id.clone(),
            canonical: ev.members.first().map(|m| m.article.clone()),
            members,
            member_count: ev.members.len(),
            history: st.history.clone(),
        })
    }

    /// Where article `id` is stored.
    pub fn article(&self, id: &str) -> Option<&ArticleInfo> {
        self.articles.get(id)
    }
}

/// Whether the source `name` passes the filter `want` (lower case): `want` appears in it,
/// ignoring case, from a word's start to a word's end. Allocates nothing.
fn source_matches(name: &str, want: &str) -> bool {
    if want.is_empty() {
        return true;
    }
    if name.is_ascii() && want.is_ascii() {
        // Bytes: a scan over every story's sources stays cheap.
        let (n, w) = (name.as_bytes(), want.as_bytes());
        if n.len() < w.len() {
            return false;
        }
        return (0..=n.len() - w.len()).any(|i| {
            n[i].to_ascii_lowercase() == w[0]
                && (i == 0 || !n[i - 1].is_ascii_alphanumeric())
                && n[i..i + w.len()].eq_ignore_ascii_case(w)
                && n.get(i + w.len()).is_none_or(|c| !c.is_ascii_alphanumeric())
        });
    }
    let mut prev_word = false;
    for (i, c) in name.char_indices() {
        let starts_word = !prev_word;
        prev_word = c.is_alphanumeric();
        if !starts_word {
            continue;
        }
        // Compare lower-cased characters from here; the match must end at a word's end.
        if let Some(end) = lower_prefix_end(&name[i..], want)
            && name[i + end..]
                .chars()
                .next()
                .is_none_or(|n| !n.is_alphanumeric())
        {
            return true;
        }
    }
    false
}

/// Where in `s` the characters whose lower case spells `want` end, when they do.
fn lower_prefix_end(s: &str, want: &str) -> Option<usize> {
    let mut want = want.chars();
    for (j, c) in s.char_indices() {
        for l in c.to_lowercase() {
            if want.next() != Some(l) {
                return None;
            }
        }
        if want.as_str().is_empty() {
            return Some(j + c.len_utf8());
        }
    }
    None
}

/// Whether a story language `tag` passes the `lang` filter `want`: the same tag (any case),
/// or a tag of that language when the filter names the language alone (`en` takes `en-GB`
/// and `en-US`; `en-GB` takes only `en-GB`).
fn language_matches(tag: &str, want: &str) -> bool {
    tag.eq_ignore_ascii_case(want)
        || tag.len() > want.len()
            && tag.as_bytes()[want.len()] == b'-'
            && tag[..want.len()].eq_ignore_ascii_case(want)
            && !want.contains('-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_filter_takes_whole_words_in_any_case() {
        for (name, want, pass) in [
            ("Thomson Reuters", "reuters", true),
            ("reuters.com", "reuters", true),
            ("REUTERS", "reuters", true),
            ("AP", "ap", true),
            ("Apple Daily", "ap", false),
            ("The Associated Press", "associated press", true),
            ("The Associated Press", "associated pr", false),
            ("Press Association", "press association", true),
            (
                "\u{391}\u{3a0}\u{395}-\u{39c}\u{3a0}\u{395}",
                "\u{3b1}\u{3c0}\u{3b5}",
                true,
            ),
            ("dpa", "dpa-afx", false),
            ("tca/dpa", "dpa", true),
            ("dpa-AFX", "afx", true),
            ("ap", "ap", true),
            ("a", "ap", false),
            ("M\u{fc}nchner Merkur", "m\u{fc}nchner", true),
            // A spelling of a known agency takes its short name too.
            ("AP", "Associated Press", true),
            ("AP", "the associated press", true),
            ("Reuters", "Thomson Reuters", true),
            ("AFP", "agence france-presse", true),
            ("Apple Daily", "associated press", false),
            ("AFP", "press", false),
        ] {
            let f = SourceFilter::new(want).expect("not blank");
            assert_eq!(f.matches(name), pass, "{name} / {want}");
        }
    }

    #[test]
    fn a_language_filter_takes_its_regions() {
        assert!(language_matches("en", "en"));
        assert!(language_matches("en-GB", "en"));
        assert!(language_matches("en-GB", "EN"));
        assert!(language_matches("en-GB", "en-gb"));
        assert!(!language_matches("en-US", "en-GB"));
        assert!(!language_matches("en", "en-GB"));
        assert!(!language_matches("eng", "en"));
        assert!(!language_matches("fi-FI", "en"));
    }
    use wirefold_wire::{ClusterEventKind, ClusterMember, SCHEMA_VERSION, StoryCluster, StoryEventKind};

    /// The record of article `id` (text "Text."), with what `fill` sets.
    fn record(id: &str, fill: impl FnOnce(&mut Article)) -> Vec<u8> {
        let mut a = Article {
            schema: SCHEMA_VERSION,
            id: id.into(),
            uri: id.into(),
            body_text: "Text.".into(),
            ..Default::default()
        };
        fill(&mut a);
        wirefold_wire::encode(&a)
    }

    fn cev(id: &str, version: u64, members: &[&str], story: &str) -> Vec<u8> {
        let r = |a: &str| ArticleRef {
            id: a.into(),
            uri: a.into(),
            headline: Some(format!("Headline of {a}")),
            ..Default::default()
        };
        wirefold_wire::encode(&ClusterEvent {
            schema: SCHEMA_VERSION,
            kind: if version == 1 {
                ClusterEventKind::Created
            } else {
                ClusterEventKind::MemberAdded
            },
            cluster_id: id.into(),
            version,
            cause: r(members[members.len() - 1]),
            canonical: members[0].into(),
            members: members
                .iter()
                .map(|m| ClusterMember {
                    article: r(m),
                    similarity: 1.0,
                })
                .collect(),
            merged_from: vec![],
            reason: None,
            story_id: Some(story.into()),
        })
    }

    fn sev(id: &str, version: u64, clusters: &[(&str, u64)], updated: &str) -> Vec<u8> {
        wirefold_wire::encode(&StoryEvent {
            schema: SCHEMA_VERSION,
            kind: StoryEventKind::Updated,
            story_id: id.into(),
            version,
            cause: ArticleRef::default(),
            cause_cluster: clusters[0].0.into(),
            headline: Some(format!("Story {id}")),
            first_seen: "2025-11-24T06:00:00Z".into(),
            updated: updated.into(),
            languages: vec!["en".into()],
            clusters: clusters
                .iter()
                .map(|(c, n)| StoryCluster {
                    id: (*c).into(),
                    version: 1,
                    canonical: ArticleRef {
                        id: format!("{c}-a"),
                        source: Some("wire".into()),
                        ..Default::default()
                    },
                    member_count: *n,
                })
                .collect(),
            cluster_count: clusters.len() as u64,
            article_count: clusters.iter().map(|c| c.1).sum(),
            merged_from: vec![],
            reason: None,
        })
    }

    /// A story event that folds `from` into `id`.
    fn merged(id: &str, version: u64, cluster: &str, from: &[&str]) -> Vec<u8> {
        let mut ev: StoryEvent =
            wirefold_wire::decode(&sev(id, version, &[(cluster, 1)], "2025-11-24T07:00:00Z")).unwrap();
        ev.kind = StoryEventKind::Merged;
        ev.merged_from = from.iter().map(|f| f.to_string()).collect();
        wirefold_wire::encode(&ev)
    }

    #[test]
    fn ids_merged_away_lead_to_the_story_or_cluster_they_went_into() {
        let mut m = Model::new(100);
        for (i, s) in ["a", "b", "c"].iter().enumerate() {
            m.apply_story(
                i as u64 + 1,
                &sev(s, 1, &[(&format!("c{s}"), 1)], "2025-11-24T07:00:00Z"),
            );
        }
        // b into a, then a into c: both old ids lead to c.
        m.apply_story(4, &merged("a", 2, "ca", &["b"]));
        assert_eq!(m.story_merged_into("b"), Some("a"));
        m.apply_story(5, &merged("c", 2, "cc", &["a"]));
        assert_eq!(m.story_merged_into("b"), Some("c"));
        assert_eq!(m.story_merged_into("a"), Some("c"));
        assert!(m.story("a").is_none() && m.story("c").is_some());
        // Live and unknown ids are not forwarded.
        assert_eq!(m.story_merged_into("c"), None);
        assert_eq!(m.story_merged_into("zz"), None);
        // A trail that ends at a story no longer live leads nowhere.
        let mut gone: StoryEvent =
            wirefold_wire::decode(&sev("c", 3, &[("cc", 1)], "2025-11-24T08:00:00Z")).unwrap();
        gone.cluster_count = 0;
        gone.clusters.clear();
        m.apply_story(6, &wirefold_wire::encode(&gone));
        assert_eq!(m.story_merged_into("b"), None);

        // Clusters the same way.
        m.apply_cluster(1, &cev("k1", 1, &["x"], "s"));
        let mut ev: ClusterEvent = wirefold_wire::decode(&cev("k2", 2, &["y", "x"], "s")).unwrap();
        ev.kind = ClusterEventKind::Merged;
        ev.merged_from = vec!["k1".into()];
        m.apply_cluster(2, &wirefold_wire::encode(&ev));
        assert_eq!(m.cluster_merged_into("k1"), Some("k2"));
        assert_eq!(m.cluster_merged_into("k2"), None);
    }

    #[test]
    fn a_story_carries_the_latest_embargo_of_its_articles() {
        let mut m = Model::new(100);
        let art =
            |id: &str, embargoed: Option<&str>| record(id, |a| a.embargoed = embargoed.map(str::to_string));
        m.apply_article(1, &art("x", Some("2030-01-01T10:00:00Z")));
        m.apply_article(2, &art("y", Some("2030-01-02T10:00:00+02:00")));
        m.apply_article(3, &art("z", None));
        m.apply_article(4, &art("w", Some("not a time")));
        m.apply_cluster(1, &cev("k1", 3, &["x", "y", "z"], "s"));
        m.apply_cluster(2, &cev("k2", 1, &["w"], "t"));
        m.apply_story(1, &sev("s", 1, &[("k1", 3)], "2025-11-24T07:00:00Z"));
        m.apply_story(2, &sev("t", 1, &[("k2", 1)], "2025-11-24T07:00:00Z"));
        let s = m.story("s").unwrap();
        assert_eq!(s.summary.embargoed.as_deref(), Some("2030-01-02T10:00:00+02:00"));
        let members: Vec<_> = s.clusters[0]
            .members
            .iter()
            .map(|x| x.embargoed.clone())
            .collect();
        assert_eq!(
            members,
            [
                Some("2030-01-01T10:00:00Z".to_string()),
                Some("2030-01-02T10:00:00+02:00".to_string()),
                None
            ]
        );
        // A time that cannot be read is no embargo to show.
        assert_eq!(m.story("t").unwrap().summary.embargoed, None);
    }

    #[test]
    fn a_member_says_when_its_copy_was_updated() {
        let mut m = Model::new(100);
        let art = |id: &str, first: Option<&str>, version: Option<&str>| {
            record(id, |a| {
                a.firstcreated = first.map(str::to_string);
                a.versioncreated = version.map(str::to_string);
            })
        };
        // Updated hours later; a first version stating its moment again (seconds apart, in
        // another zone); no version time; an unreadable one; a version time alone.
        m.apply_article(
            1,
            &art(
                "a",
                Some("2025-11-24T07:00:00Z"),
                Some("2025-11-24T10:30:00+01:00"),
            ),
        );
        m.apply_article(
            2,
            &art(
                "b",
                Some("2025-11-24T07:00:00Z"),
                Some("2025-11-24T08:00:20+01:00"),
            ),
        );
        m.apply_article(3, &art("c", Some("2025-11-24T07:00:00Z"), None));
        m.apply_article(4, &art("d", Some("2025-11-24T07:00:00Z"), Some("late morning")));
        m.apply_article(5, &art("e", None, Some("2025-11-24T09:00:00Z")));
        m.apply_cluster(1, &cev("k1", 5, &["a", "b", "c", "d", "e"], "s"));
        m.apply_story(1, &sev("s", 1, &[("k1", 5)], "2025-11-24T07:00:00Z"));
        let s = m.story("s").unwrap();
        let got: Vec<_> = s.clusters[0]
            .members
            .iter()
            .map(|x| x.versioncreated.as_deref())
            .collect();
        assert_eq!(
            got,
            [
                Some("2025-11-24T10:30:00+01:00"),
                None,
                None,
                None,
                Some("2025-11-24T09:00:00Z")
            ]
        );
        let json = serde_json::to_value(&s.clusters[0].members[0]).unwrap();
        assert_eq!(json["versioncreated"], "2025-11-24T10:30:00+01:00");
        assert!(
            serde_json::to_value(&s.clusters[0].members[1])
                .unwrap()
                .get("versioncreated")
                .is_none()
        );
    }

    #[test]
    fn withdrawn_copies_are_counted_per_story_and_carried_by_merges() {
        let mut m = Model::new(100);
        let withdrawal = |id: &str, version: u64| {
            let mut ev: StoryEvent =
                wirefold_wire::decode(&sev(id, version, &[("k", 1)], "2025-11-24T08:00:00Z")).unwrap();
            ev.reason = Some("withdrawn".into());
            wirefold_wire::encode(&ev)
        };
        m.apply_story(1, &sev("a", 1, &[("k", 2)], "2025-11-24T07:00:00Z"));
        m.apply_story(2, &sev("b", 1, &[("j", 1)], "2025-11-24T07:00:00Z"));
        m.apply_story(3, &withdrawal("a", 2));
        m.apply_story(4, &withdrawal("b", 2));
        m.apply_story(5, &withdrawal("b", 3));
        assert_eq!(m.story("a").unwrap().summary.withdrawn, 1);
        assert_eq!(m.story("b").unwrap().summary.withdrawn, 2);
        m.apply_story(6, &merged("a", 3, "k", &["b"]));
        assert_eq!(m.story("a").unwrap().summary.withdrawn, 3);
        // Not listed when none were.
        m.apply_story(7, &sev("c", 1, &[("i", 1)], "2025-11-24T07:00:00Z"));
        let json = serde_json::to_value(m.story("c").unwrap().summary).unwrap();
        assert!(json.get("withdrawn").is_none(), "{json}");
    }

    #[test]
    fn forwards_are_bounded_and_cycles_end() {
        let mut m = Model::new(100);
        for i in 0..(MAX_FORWARDS + 10) {
            m.forward(&format!("old{i}"), "live");
        }
        assert_eq!(m.forwards.len(), MAX_FORWARDS);
        assert_eq!(m.forward_order.len(), MAX_FORWARDS);
        assert!(!m.forwards.contains_key("old0") && m.forwards.contains_key("old10"));
        // Two ids pointing at each other (never live) end after the hop limit.
        m.forward("p", "q");
        m.forward("q", "p");
        assert_eq!(m.story_merged_into("p"), None);
    }

    #[test]
    fn a_story_without_a_headline_is_named_by_its_slugline() {
        let art = |id: &str, headline: Option<&str>, slugline: Option<&str>| {
            record(id, |a| {
                a.headline = headline.map(str::to_string);
                a.slugline = slugline.map(str::to_string);
                a.body_text = "Minimum and maximum temperatures.".into();
            })
        };
        let mut m = Model::new(100);
        m.apply_article(1, &art("c1-a", None, Some("  BC-WEA--Global Weather ")));
        m.apply_article(2, &art("c2-a", Some("Storm warning"), Some("BC-Storm")));
        m.apply_article(3, &art("c3-a", None, None));
        let mut ev: StoryEvent =
            serde_json::from_slice(&sev("s1", 1, &[("c3", 1), ("c1", 1)], "2025-11-24T06:00:00Z")).unwrap();
        ev.headline = None;
        m.apply_story(1, &wirefold_wire::encode(&ev));
        let (list, _) = m.list(&Filter::default(), None, 10);
        // The first listed cluster whose canonical has a slugline (c3's has none).
        assert_eq!(list[0].headline, None);
        assert_eq!(list[0].slugline.as_deref(), Some("BC-WEA--Global Weather"));
        // A story with a headline shows the headline only.
        m.apply_story(2, &sev("s2", 1, &[("c2", 1)], "2025-11-24T07:00:00Z"));
        let s2 = m.story("s2").unwrap().summary;
        assert_eq!(
            (s2.headline.as_deref(), s2.slugline.as_deref()),
            (Some("Story s2"), None)
        );
        let json = serde_json::to_value(m.story("s1").unwrap().summary).unwrap();
        assert_eq!(json["slugline"], "BC-WEA--Global Weather");
        assert!(serde_json::to_value(&s2).unwrap().get("slugline").is_none());
        // A member without a headline shows its slugline; one with a headline does not.
        m.apply_cluster(1, &cev("c1", 1, &["c1-a"], "s1"));
        let c1 = m.cluster("c1").unwrap();
        assert_eq!(c1.members[0].slugline.as_deref(), Some("BC-WEA--Global Weather"));
        m.apply_cluster(2, &cev("c2", 1, &["c2-a"], "s2"));
        assert_eq!(m.cluster("c2").unwrap().members[0].slugline, None);
        // Kept within bounds.
        m.apply_article(4, &art("c4-a", None, Some(&"\u{e9}".repeat(500))));
        let kept = m.articles["c4-a"].stand_in.as_ref().and_then(StandIn::slugline);
        assert!(kept.unwrap().len() <= MAX_SLUGLINE_BYTES);

        // Neither headline nor slugline anywhere: the opening words of the first listed
        // canonical's text, cut at a word, name the story and the member.
        let mut ev: StoryEvent =
            serde_json::from_slice(&sev("s3", 1, &[("c3", 1)], "2025-11-24T08:00:00Z")).unwrap();
        ev.headline = None;
        m.apply_story(3, &wirefold_wire::encode(&ev));
        let s3 = m.story("s3").unwrap().summary;
        assert_eq!(
            (s3.slugline.as_deref(), s3.lede.as_deref()),
            (None, Some("Minimum and maximum temperatures."))
        );
        assert!(serde_json::to_value(&s2).unwrap().get("lede").is_none());
        m.apply_cluster(3, &cev("c3", 1, &["c3-a"], "s3"));
        let c3 = m.cluster("c3").unwrap();
        assert_eq!(
            c3.members[0].lede.as_deref(),
            Some("Minimum and maximum temperatures.")
        );
        let long = record("c5-a", |a| {
            a.body_text =
                "Voters in Turkmenistan began to cast their ballots at eight in the morning local time on \
                        Sunday in the country's fourth parliamentary election, said reports from Ashgabat."
                    .into();
        });
        m.apply_article(5, &long);
        let lede = m.articles["c5-a"]
            .stand_in
            .as_ref()
            .and_then(StandIn::lede)
            .unwrap();
        assert_eq!(
            lede,
            "Voters in Turkmenistan began to cast their ballots at eight in the morning local time on Sunday in the \
             country's fourth\u{2026}"
        );
        assert!(lede.chars().count() <= LEDE_CHARS + 1);
        // A record with a headline keeps no stand-in at all.
        assert!(m.articles["c2-a"].stand_in.is_none());
    }

    #[test]
    fn positions_parse_and_order_events() {
        assert_eq!("0".parse::<Pos>().unwrap(), Pos::default());
        assert_eq!(
            "12-7".parse::<Pos>().unwrap(),
            Pos {
                clusters: 12,
                stories: 7
            }
        );
        for bad in [
            "",
            "x",
            "1-",
            "-1",
            "1-2-3",
            "99999999999999999999999-1",
            "+1-2",
            " 1-2",
            "1-2 ",
            "1-+2",
            "12345678901234567890-1",
            &"9".repeat(60),
        ] {
            assert!(bad.parse::<Pos>().is_err(), "{bad:?}");
        }
        let p: Pos = "3-2".parse().unwrap();
        assert!(p.before(Source::Cluster, 4));
        assert!(!p.before(Source::Cluster, 3));
        assert!(p.before(Source::Story, 3));
    }

    #[test]
    fn resume_gets_exactly_the_events_after_the_position() {
        let mut m = Model::new(100);
        m.apply_cluster(1, &cev("c1", 1, &["a"], "s1"));
        m.apply_story(1, &sev("s1", 1, &[("c1", 1)], "2025-11-24T06:00:00Z"));
        let mid = m.pos();
        m.apply_cluster(2, &cev("c1", 2, &["a", "b"], "s1"));
        m.apply_story(2, &sev("s1", 2, &[("c1", 2)], "2025-11-24T07:00:00Z"));
        let after = m.events_after(mid).unwrap();
        assert_eq!(
            after.iter().map(|e| (e.source, e.seq)).collect::<Vec<_>>(),
            [(Source::Cluster, 2), (Source::Story, 2)]
        );
        assert_eq!(m.events_after(Pos::default()).unwrap().len(), 4);
        // A garbage message is counted and skipped; the position still moves.
        assert!(m.apply_story(3, b"{not json").is_none());
        assert_eq!(m.undecodable, 1);
        assert_eq!(m.pos().stories, 3);
    }

    #[test]
    fn a_full_log_says_reset_for_positions_it_no_longer_holds() {
        let mut m = Model::new(2);
        for seq in 1..=4 {
            m.apply_cluster(seq, &cev("c1", seq, &["a"], "s1"));
        }
        assert!(m.events_after(Pos::default()).is_err());
        assert_eq!(
            m.events_after(Pos {
                clusters: 2,
                stories: 0
            })
            .unwrap()
            .len(),
            2
        );
    }

    #[test]
    fn list_orders_by_latest_change_and_pages_stably() {
        let mut m = Model::new(100);
        for (i, s) in ["s1", "s2", "s3"].iter().enumerate() {
            let c = format!("c{i}");
            m.apply_cluster(i as u64 + 1, &cev(&c, 1, &["a"], s));
            m.apply_story(i as u64 + 1, &sev(s, 1, &[(&c, 1)], "2025-11-24T06:00:00Z"));
        }
        let (page, cursor) = m.list(&Filter::default(), None, 2);
        assert_eq!(
            page.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
            ["s3", "s2"]
        );
        // s1 changes while the reader pages: it moves to the top, the next page is stable.
        m.apply_story(4, &sev("s1", 2, &[("c0", 1)], "2025-11-24T08:00:00Z"));
        let (rest, end) = m.list(&Filter::default(), cursor, 2);
        assert!(rest.is_empty(), "{rest:?}");
        assert_eq!(end, None);
        let (all, _) = m.list(&Filter::default(), None, 10);
        assert_eq!(all[0].id, "s1");
        let f = Filter {
            since_ms: wirefold_wire::time::parse_ms("2025-11-24T07:00:00Z"),
            ..Default::default()
        };
        assert_eq!(m.list(&f, None, 10).0.len(), 1);
        let f = Filter {
            words: vec!["nowhere".into()],
            ..Default::default()
        };
        assert!(m.list(&f, None, 10).0.is_empty());
        let f = Filter {
            words: vec!["story".into(), "s2".into()],
            ..Default::default()
        };
        assert_eq!(m.list(&f, None, 10).0[0].id, "s2");
    }
}
