//! The near-duplicate core of wirefold: folds copies of one wire story into one copy cluster.
//!
//! It does no IO, no async and no serialization of wire types: callers hand it plain
//! [`Doc`]s and get back [`Outcome`]s holding internal [`Event`]s, which the deduplicator
//! worker and `wirefold cluster` turn into wire events. Given the same sequence of docs it
//! produces the same clusters and events, also after a [`Index::snapshot`] / [`Index::restore`]
//! round trip: that is what makes replay after a crash safe.
//!
//! # How a doc finds its cluster
//!
//! 1. The body is tokenized and folded ([`text`](crate::text): case, diacritics, UK/US
//!    spelling, transliteration endings, honorifics and stop words) and cut into shingles of
//!    [`Config::shingle_len`] content tokens that never cross a paragraph boundary.
//! 2. Shingle keys are sampled by value into about [`Config::target_anchors`] anchors
//!    ([`sketch`](crate::sketch)); two docs are compared on the coarser of their two sampling
//!    levels, which keeps estimates unbiased for a brief against a long original.
//! 3. The anchors are looked up in an inverted index holding only each cluster's canonical
//!    member and a few representatives (at most [`Config::max_indexed_per_cluster`]; a
//!    member is a representative only if it matched the canonical directly), so copies of
//!    copies cannot chain unrelated stories together. An anchor whose postings span
//!    [`Config::boilerplate_clusters`] or more clusters is boilerplate (agency trailers,
//!    copyright lines, site chrome) and is left out of both sides of every comparison.
//! 4. Anchors only find candidates (a low bar, [`Config::candidate_containment`]). Each
//!    candidate is verified on the verification keys ([`Config::verify_keys`], kept only by
//!    indexed members): it is a copy when the shared keys number at least
//!    [`Config::min_shared`] and the containment of the smaller doc reaches
//!    [`Config::sure_containment`], or [`Config::concentrated_containment`] with the shared
//!    keys in at least [`Config::spread_paras`] paragraphs or [`Config::min_coverage`] of the
//!    smaller doc's paragraphs, or [`Config::min_containment`] with both. A follow-up reusing
//!    a paragraph or two fails the spread tests; a brief or an edited copy passes them.
//!    Paragraphs of the new doc holding boilerplate anchors are left out. A match through
//!    a representative also needs [`Config::min_containment`] against the cluster's
//!    canonical member, so a follow-up that holds a whole lead-only brief of a story (but
//!    little else of it) does not join that story. The doc joins the
//!    best matching cluster. If it also matches other clusters, those are merged in only when their canonical members match each
//!    other, or when the doc contains both canonicals almost whole
//!    ([`Config::merge_containment`]); otherwise it stays a plain join.
//!
//! # Lifecycle rules
//!
//! * A doc whose `uri` (or `id` when `uri` is empty) is already indexed is a new version
//!   of that item: it replaces the old version in its cluster ([`EventKind::MemberUpdated`]).
//!   If the cluster has other members and the new version matches none of them, the item
//!   leaves ([`EventKind::MemberRemoved`], reason "updated version no longer matches") and
//!   is then placed like a new doc. A lone member stays in its cluster whatever it became.
//! * A withdrawal (`canceled`) removes the member ([`EventKind::MemberRemoved`], reason
//!   "withdrawn"; the cluster disappears with its last member) and leaves a tombstone for
//!   the uri: later docs with that uri are dropped (no cluster, no events) until the
//!   tombstone passes the horizon. A withdrawal for an unknown uri only leaves the tombstone.
//! * Docs with fewer than [`Config::min_tokens`] content tokens (empty, one word) get a
//!   singleton cluster and are never matched against.
//! * Clusters whose newest member is older than [`Config::horizon_secs`] before the newest
//!   event time seen leave the index silently. Event time is `published_ms` (clamped to at
//!   most a day after and at least half the horizon before `received_ms` when that is set),
//!   else `received_ms`: never the clock.
//! * Events list at most [`Config::max_event_members`] members (canonical first, then in
//!   join order), so a story republished 10,000 times costs O(cap) per event.
//! * The canonical member is the earliest by event time (for an updated item, the time of
//!   its first version), then the one with most content tokens, then the first to arrive. A member's similarity is the containment of the
//!   smaller of it and the canonical in the other, estimated from anchors.

pub mod eval;
pub mod layers;
mod postings;
mod sketch;
mod snapshot;
pub mod story;
mod text;

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use postings::{BuildMul, Postings};
use sketch::{Fingerprint, Sketcher, class_count, overlap};

const NIL: u32 = u32::MAX;

/// Tuning of the index. The defaults are what the accuracy tests and benchmarks use.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Seconds after which a cluster whose newest member is older than the newest doc seen
    /// leaves the index.
    pub horizon_secs: i64,
    /// Content tokens per shingle.
    pub shingle_len: usize,
    /// Anchors kept per doc (sampling adapts to length; a doc keeps between this and twice
    /// this many, fewer when it is short).
    pub target_anchors: usize,
    /// Content tokens read per doc at most: bounds the work on huge articles.
    pub max_tokens: usize,
    /// Docs with fewer content tokens get a singleton cluster and are not indexed.
    pub min_tokens: usize,
    /// Verification keys kept per doc (the anchors are a subset; a doc keeps between
    /// this and about 1.19 times this many, fewer when it is short). Only the members that
    /// represent a cluster in the index keep them all; others keep their anchors.
    pub verify_keys: usize,
    /// Share of the smaller doc's anchors a candidate must share before it is verified
    /// (a low bar: anchors only find candidates, they do not decide).
    pub candidate_containment: f32,
    /// Share of the smaller doc's verification keys that must be found in the other for a
    /// copy when the shared keys are spread: over at least [`Config::spread_paras`]
    /// paragraphs (or all of the smaller doc's) and [`Config::min_coverage`] of them.
    pub min_containment: f32,
    /// Share of the smaller doc's paragraphs that must hold shared keys for
    /// [`Config::min_containment`] to apply.
    pub min_coverage: f32,
    /// The bar when the shared keys span at least [`Config::spread_paras`] paragraphs but
    /// cover less of the smaller doc: what separates a follow-up that reuses a few
    /// paragraphs from a brief or a copy.
    pub concentrated_containment: f32,
    /// The bar whatever the spread (shared keys in one or two paragraphs, or no paragraph
    /// information, as when two stored members are compared).
    pub sure_containment: f32,
    /// Paragraphs (of the new doc) holding shared keys for the matches to count as spread.
    pub spread_paras: usize,
    /// Shared verification keys needed for a copy (or all of the smaller doc's, if fewer).
    pub min_shared: usize,
    /// A doc matching two clusters merges them when it contains both canonical members
    /// at least this much (or when the canonicals match each other).
    pub merge_containment: f32,
    /// An anchor indexed under this many distinct clusters is boilerplate and ignored.
    pub boilerplate_clusters: usize,
    /// Members of one cluster held in the inverted index (canonical included).
    pub max_indexed_per_cluster: usize,
    /// A direct match of the canonical becomes a representative when its anchor Jaccard
    /// with the canonical is below this (it brings material the canonical lacks).
    pub rep_novelty: f32,
    /// Members listed in one event at most.
    pub max_event_members: usize,
    /// Bytes of title, source and url kept per member at most (cut at a char boundary).
    pub max_field_bytes: usize,
}

impl Config {
    /// Fingerprints `text` with these shingle, sampling and token-budget settings.
    pub(crate) fn fingerprint(&self, sk: &mut Sketcher, text: &str) -> Fingerprint {
        sk.sketch(
            text,
            self.shingle_len,
            self.target_anchors,
            self.verify_keys,
            self.max_tokens,
        )
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            horizon_secs: 7 * 24 * 3600,
            shingle_len: 4,
            target_anchors: 48,
            max_tokens: 20_000,
            min_tokens: 8,
            verify_keys: 160,
            candidate_containment: 0.12,
            min_containment: 0.3,
            min_coverage: 0.6,
            concentrated_containment: 0.5,
            sure_containment: 0.8,
            spread_paras: 3,
            min_shared: 4,
            merge_containment: 0.8,
            boilerplate_clusters: 5,
            max_indexed_per_cluster: 4,
            rep_novelty: 0.8,
            max_event_members: 64,
            max_field_bytes: 1024,
        }
    }
}

/// One article version as the index sees it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Doc<'a> {
    /// Article version id.
    pub id: &'a str,
    /// Stable item identity; a doc whose uri was seen before is a new version of that item.
    /// Empty means "use `id`".
    pub uri: &'a str,
    /// Headline (may be empty). Shown in events, not used for matching.
    pub title: &'a str,
    /// Body text, paragraphs separated by newlines (blank lines or not).
    pub body: &'a str,
    /// Publication time, milliseconds since the Unix epoch, when known.
    pub published_ms: Option<i64>,
    /// Time the doc entered the pipeline (event time used for the horizon when
    /// `published_ms` is unknown), milliseconds since the Unix epoch.
    pub received_ms: i64,
    /// Outlet.
    pub source: Option<&'a str>,
    /// Where it can be read.
    pub url: Option<&'a str>,
    /// The item was withdrawn (ninjs `pubstatus: canceled`).
    pub canceled: bool,
}

/// Identifier of a copy cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClusterId(pub u64);

impl std::fmt::Display for ClusterId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "c{:016x}", self.0)
    }
}

/// What happened to a cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// A new cluster with its first member.
    Created,
    /// A new member joined.
    MemberAdded,
    /// A newer version replaced a member.
    MemberUpdated,
    /// A member was withdrawn or left.
    MemberRemoved,
    /// Other clusters were merged into this one.
    Merged,
}

/// A member as events show it.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberView {
    /// Article version id.
    pub id: String,
    /// Item identity.
    pub uri: String,
    /// Headline.
    pub title: String,
    /// Outlet.
    pub source: Option<String>,
    /// URL.
    pub url: Option<String>,
    /// Publication time in ms.
    pub published_ms: Option<i64>,
    /// Similarity to the canonical member, 0..=1 (containment of the smaller in the other).
    pub similarity: f32,
}

/// A change to a cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// What happened.
    pub kind: EventKind,
    /// The cluster.
    pub cluster: ClusterId,
    /// Per-cluster version, +1 per event.
    pub version: u64,
    /// The doc that caused it.
    pub cause: MemberView,
    /// Id of the canonical member (empty when the cluster lost its last member).
    pub canonical: String,
    /// Members after the event, canonical first, at most [`Config::max_event_members`].
    pub members: Vec<MemberView>,
    /// Members after the event, all of them (`members` may be capped).
    pub member_count: usize,
    /// For merges, the clusters folded in.
    pub merged_from: Vec<ClusterId>,
    /// Why, when not obvious.
    pub reason: Option<String>,
}

/// What the index did with one doc.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The copy cluster the doc is in now (for a withdrawal: the cluster it left; `None`
    /// for a withdrawal of an unknown item or a doc dropped by a tombstone).
    pub cluster: Option<ClusterId>,
    /// Events to publish, in order.
    pub events: Vec<Event>,
}

/// Errors restoring a snapshot.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// The bytes are not a snapshot of this format.
    #[error("corrupt dedup snapshot: {0}")]
    Corrupt(String),
    /// The snapshot was taken with fingerprint settings other than the given config's.
    #[error("dedup snapshot taken with other fingerprint settings: {0}")]
    ConfigMismatch(String),
}

/// Counters and sizes of an index.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Docs applied (all kinds).
    pub applied: u64,
    /// Live members.
    pub members: usize,
    /// Live clusters.
    pub clusters: usize,
    /// Members held in the inverted index.
    pub indexed: usize,
    /// Postings in the inverted index.
    pub postings: usize,
    /// Clusters merged into others.
    pub merges: u64,
    /// Clusters that left past the horizon.
    pub expired_clusters: u64,
    /// Docs dropped because their uri was withdrawn.
    pub dropped: u64,
    /// Approximate heap bytes held by the index.
    pub heap_bytes: usize,
}

/// A member's strings in one allocation: id, uri (unless equal to id), title, source, url.
#[derive(Debug, Clone)]
struct Fields {
    text: Box<str>,
    /// End offsets of id, uri, title and source in `text`; url runs to the end.
    ends: [u32; 4],
    /// Bit 0: uri is the id; bit 1: source present; bit 2: url present.
    flags: u8,
}

impl Fields {
    fn new(id: &str, uri: &str, title: &str, source: Option<&str>, url: Option<&str>, max: usize) -> Self {
        let (title, source, url) = (
            cut(title, max),
            source.map(|s| cut(s, max)),
            url.map(|s| cut(s, max)),
        );
        let same = uri == id;
        let uri = if same { "" } else { uri };
        let mut t = String::with_capacity(id.len() + uri.len() + title.len() + 16);
        let mut ends = [0u32; 4];
        for (k, part) in [id, uri, title, source.unwrap_or("")].iter().enumerate() {
            t.push_str(part);
            ends[k] = t.len() as u32;
        }
        t.push_str(url.unwrap_or(""));
        let flags = u8::from(same) | (u8::from(source.is_some()) << 1) | (u8::from(url.is_some()) << 2);
        Fields {
            text: t.into_boxed_str(),
            ends,
            flags,
        }
    }
    fn part(&self, k: usize) -> &str {
        let start = if k == 0 { 0 } else { self.ends[k - 1] as usize };
        let end = if k < 4 {
            self.ends[k] as usize
        } else {
            self.text.len()
        };
        self.text.get(start..end).unwrap_or("")
    }
    fn id(&self) -> &str {
        self.part(0)
    }
    fn uri(&self) -> &str {
        if self.flags & 1 != 0 {
            self.part(0)
        } else {
            self.part(1)
        }
    }
    fn title(&self) -> &str {
        self.part(2)
    }
    fn source(&self) -> Option<&str> {
        (self.flags & 2 != 0).then(|| self.part(3))
    }
    fn url(&self) -> Option<&str> {
        (self.flags & 4 != 0).then(|| self.part(4))
    }
}

#[derive(Debug, Clone)]
struct Member {
    seq: u64,
    f: Fields,
    published_ms: Option<i64>,
    time_ms: i64,
    ntok: u32,
    /// Sampling level of `keys`.
    level: u8,
    /// Sampling level of the anchors (the prefix of `keys` held in the inverted index).
    alevel: u8,
    /// Paragraphs giving shingles.
    npara: u16,
    /// Verification keys while the member is indexed, else only its anchors.
    keys: Box<[u32]>,
    similarity: f32,
    /// Matched the canonical directly when it joined (may represent the cluster).
    direct: bool,
    cluster: u32,
    slot: u32,
}

#[derive(Debug, Clone)]
struct Cluster {
    id: ClusterId,
    seq: u64,
    version: u64,
    /// Member indices in join order (member seq ascending).
    members: Vec<u32>,
    canonical: u32,
    /// Members in the inverted index.
    indexed: Vec<u32>,
    last_ms: i64,
}

#[derive(Debug, Clone, Copy)]
struct Match {
    cluster: u32,
    containment: f32,
    jaccard: f32,
    /// The verdict against the cluster's canonical member, when that one matched.
    direct: Option<(f32, f32)>,
}

/// A verified comparison of a doc (the query) with another.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Judged {
    shared: usize,
    /// Keys of the query and of the other at the common level (boilerplate left out).
    na: usize,
    nb: usize,
    /// Distinct paragraphs of the query holding shared keys (0 when unknown).
    spread: usize,
    /// Paragraphs of the doc with fewer paragraphs.
    paras: usize,
}

impl Judged {
    fn containment(&self) -> f32 {
        ratio(self.shared, self.na.min(self.nb))
    }
    fn jaccard(&self) -> f32 {
        ratio(self.shared, (self.na + self.nb).saturating_sub(self.shared))
    }
}

/// Compares query keys `q` (level `ql`, paragraph of each key in `qp` when known; keys of
/// paragraphs flagged in `skip` are left out) with keys `c` at level `cl`, at the coarser
/// level. Both key lists are ascending and distinct.
fn judge(q: &[u32], qp: Option<&[u16]>, ql: u8, skip: &[bool], c: &[u32], cl: u8, paras: usize) -> Judged {
    let level = ql.max(cl);
    let q = &q[..class_count(q, level)];
    let c = &c[..class_count(c, level)];
    let skipped_paras = skip.iter().filter(|&&b| b).count();
    let paras = paras.saturating_sub(skipped_paras).max(1);
    match qp {
        Some(qp) if skipped_paras == 0 && qp.len() >= q.len() => judge_merge(q, qp, c, paras),
        _ => judge_general(q, qp, skip, c, paras),
    }
}

/// [`judge`] with no paragraph left out (the common case): a merge whose steps do not
/// branch on how the two lists interleave (they are hashes: such a branch would go either
/// way at random).
fn judge_merge(q: &[u32], qp: &[u16], c: &[u32], paras: usize) -> Judged {
    let mut hit: [u64; 4] = [0; 4];
    let mut far: Vec<u16> = Vec::new();
    let (mut i, mut j, mut shared) = (0, 0, 0);
    while i < q.len() && j < c.len() {
        let (a, b, p) = (q[i], c[j], qp[i]);
        let eq = a == b;
        shared += usize::from(eq);
        let near = p < 256;
        hit[usize::from(p.min(255) >> 6)] |= u64::from(eq & near) << (p & 63);
        if eq && !near && !far.contains(&p) {
            far.push(p);
        }
        i += usize::from(a <= b);
        j += usize::from(b <= a);
    }
    Judged {
        shared,
        na: q.len(),
        nb: c.len(),
        spread: spread(&hit, &far),
        paras,
    }
}

/// Distinct paragraphs holding shared keys: those below 256 as bits of `hit`, the rest
/// listed in `far`.
fn spread(hit: &[u64; 4], far: &[u16]) -> usize {
    hit.iter().map(|w| w.count_ones() as usize).sum::<usize>() + far.len()
}

/// [`judge`] with paragraphs left out, or without paragraph tags.
fn judge_general(q: &[u32], qp: Option<&[u16]>, skip: &[bool], c: &[u32], paras: usize) -> Judged {
    let mut hit: [u64; 4] = [0; 4];
    let mut far: Vec<u16> = Vec::new();
    let (mut i, mut j) = (0, 0);
    let (mut shared, mut na, mut nb) = (0, 0, c.len());
    let skipped = |i: usize| {
        qp.and_then(|p| p.get(i))
            .is_some_and(|&p| skip.get(usize::from(p)) == Some(&true))
    };
    while i < q.len() {
        let s = skipped(i);
        na += usize::from(!s);
        while j < c.len() && c[j] < q[i] {
            j += 1;
        }
        if j < c.len() && c[j] == q[i] {
            j += 1;
            if s {
                nb -= 1;
            } else {
                shared += 1;
                if let Some(&p) = qp.and_then(|p| p.get(i)) {
                    if p < 256 {
                        hit[usize::from(p >> 6)] |= 1 << (p & 63);
                    } else if !far.contains(&p) {
                        far.push(p);
                    }
                }
            }
        }
        i += 1;
    }
    Judged {
        shared,
        na,
        nb,
        spread: spread(&hit, &far),
        paras,
    }
}

/// An [`Index`]'s snapshot state, copied by [`Index::snapshot_copy`]: only for encoding.
#[derive(Debug)]
pub struct IndexSnapshot(Index);

impl IndexSnapshot {
    /// The bytes [`Index::snapshot`] wrote when the copy was taken.
    pub fn encode(&self) -> Vec<u8> {
        snapshot::encode(&self.0)
    }
}

/// The copy-cluster index.
#[derive(Debug)]
pub struct Index {
    cfg: Config,
    members: Vec<Option<Member>>,
    free_members: Vec<u32>,
    clusters: Vec<Option<Cluster>>,
    free_clusters: Vec<u32>,
    /// Slot of the inverted index to member index (NIL when free).
    slots: Vec<u32>,
    /// Slot to the member's cluster (NIL when free): candidate search reads it for every
    /// posting, so it is kept dense here rather than behind the member.
    slot_cluster: Vec<u32>,
    free_slots: Vec<u32>,
    postings: Postings,
    by_uri: HashMap<u64, u32, BuildMul>,
    tombstones: HashMap<u64, i64, BuildMul>,
    expiry: BinaryHeap<Reverse<(i64, u64, u32)>>,
    now_ms: Option<i64>,
    next_cluster_seq: u64,
    next_member_seq: u64,
    stats: Stats,
    // Scratch, reused between calls.
    sketcher: Sketcher,
    counts: Vec<u32>,
    touched: Vec<u32>,
    boiler: Vec<bool>,
    list: Vec<u32>,
    heads: Vec<u32>,
}

fn uri_hash(uri: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(uri.as_bytes())
}

fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// The doc's time for the horizon and the canonical order: its publication time, trusted
/// within [received - horizon/2, received + 1 day]. An archive page or a date misread from
/// the text must not put an article outside the horizon on arrival, where it would expire
/// at once and its copies could never join it. The story layer uses the same time.
pub fn event_time(doc: &Doc<'_>, horizon_ms: i64) -> i64 {
    match doc.published_ms {
        Some(p) if doc.received_ms > 0 => p.clamp(
            doc.received_ms.saturating_sub(horizon_ms / 2),
            doc.received_ms.saturating_add(86_400_000),
        ),
        Some(p) => p,
        None => doc.received_ms,
    }
}

fn ratio(n: usize, d: usize) -> f32 {
    if d == 0 { 0.0 } else { n as f32 / d as f32 }
}

/// Containment of the smaller in the other and Jaccard, from anchors.
fn similarity(a: &[u32], la: u8, b: &[u32], lb: u8) -> (f32, f32) {
    let (n, na, nb) = overlap(a, la, b, lb);
    (ratio(n, na.min(nb)), ratio(n, na + nb - n))
}

impl Index {
    /// An empty index.
    pub fn new(config: Config) -> Self {
        Index {
            cfg: config,
            members: Vec::new(),
            free_members: Vec::new(),
            clusters: Vec::new(),
            free_clusters: Vec::new(),
            slots: Vec::new(),
            slot_cluster: Vec::new(),
            free_slots: Vec::new(),
            postings: Postings::default(),
            by_uri: HashMap::default(),
            tombstones: HashMap::default(),
            expiry: BinaryHeap::new(),
            now_ms: None,
            next_cluster_seq: 0,
            next_member_seq: 0,
            stats: Stats::default(),
            sketcher: Sketcher::default(),
            counts: Vec::new(),
            touched: Vec::new(),
            boiler: Vec::new(),
            list: Vec::new(),
            heads: Vec::new(),
        }
    }

    /// The configuration in use.
    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// Folds one doc into the index.
    pub fn apply(&mut self, doc: &Doc<'_>) -> Outcome {
        self.stats.applied += 1;
        let t = event_time(doc, self.cfg.horizon_secs.saturating_mul(1000));
        if self.now_ms.is_none_or(|n| t > n) {
            self.now_ms = Some(t);
        }
        self.expire();
        let uri = if doc.uri.is_empty() { doc.id } else { doc.uri };
        let uh = uri_hash(uri);
        let known = self
            .by_uri
            .get(&uh)
            .copied()
            .filter(|&m| self.member(m).f.uri() == uri);
        if doc.canceled {
            self.tombstones.insert(uh, t);
            return match known {
                Some(m) => {
                    let ci = self.member(m).cluster;
                    let id = self.cluster(ci).id;
                    let ev = self.remove_member(m, doc, "withdrawn");
                    Outcome {
                        cluster: Some(id),
                        events: vec![ev],
                    }
                }
                None => Outcome {
                    cluster: None,
                    events: Vec::new(),
                },
            };
        }
        if self.tombstones.contains_key(&uh) {
            self.stats.dropped += 1;
            return Outcome {
                cluster: None,
                events: Vec::new(),
            };
        }
        let fp = self.cfg.fingerprint(&mut self.sketcher, doc.body);
        match known {
            Some(m) => self.update(m, doc, fp, t),
            None => {
                let mut events = Vec::new();
                let ci = self.place_new(doc, fp, t, uh, None, &mut events);
                Outcome {
                    cluster: Some(self.cluster(ci).id),
                    events,
                }
            }
        }
    }

    /// Encodes the whole index (see the `snapshot` module docs for the format).
    pub fn snapshot(&self) -> Vec<u8> {
        snapshot::encode(self)
    }

    /// A copy of what [`Index::snapshot`] writes (clusters, members, tombstones, counters),
    /// without the inverted index and scratch that a restore rebuilds, so the snapshot can be
    /// encoded on another thread while this index goes on folding.
    pub fn snapshot_copy(&self) -> IndexSnapshot {
        let mut copy = Index::new(self.cfg.clone());
        copy.members = self.members.clone();
        copy.clusters = self.clusters.clone();
        copy.tombstones = self.tombstones.clone();
        copy.now_ms = self.now_ms;
        copy.next_cluster_seq = self.next_cluster_seq;
        copy.next_member_seq = self.next_member_seq;
        copy.stats = self.stats;
        IndexSnapshot(copy)
    }

    /// Decodes an index written by [`Index::snapshot`]. `config` must have the same
    /// fingerprint settings (shingle length, anchors, token limits) as when it was taken.
    pub fn restore(config: Config, bytes: &[u8]) -> Result<Self, SnapshotError> {
        snapshot::decode(config, bytes)
    }

    /// Current counters and sizes.
    pub fn stats(&self) -> Stats {
        let mut s = self.stats;
        s.members = self.members.len() - self.free_members.len();
        s.clusters = self.clusters.len() - self.free_clusters.len();
        s.indexed = self.slots.len() - self.free_slots.len();
        s.postings = self.postings.len();
        s.heap_bytes = self.heap_bytes();
        s
    }

    /// Approximate heap bytes held by the index (excluding scratch buffers).
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        let map_bytes = |cap: usize, entry: usize| {
            if cap == 0 {
                0
            } else {
                (cap * 8 / 7).next_power_of_two() * (entry + 1)
            }
        };
        let mut b = self.members.capacity() * size_of::<Option<Member>>()
            + self.clusters.capacity() * size_of::<Option<Cluster>>()
            + (self.slots.capacity()
                + self.slot_cluster.capacity()
                + self.free_slots.capacity()
                + self.free_members.capacity())
                * 4
            + self.free_clusters.capacity() * 4
            + self.postings.heap_bytes()
            + map_bytes(self.by_uri.capacity(), 12)
            + map_bytes(self.tombstones.capacity(), 16)
            + self.expiry.capacity() * size_of::<(i64, u64, u32)>();
        for m in self.members.iter().flatten() {
            // Allocator rounding: about 8 bytes per allocation beyond the payload.
            b += m.f.text.len() + 8;
            b += m.keys.len() * 4 + if m.keys.is_empty() { 0 } else { 8 };
        }
        for c in self.clusters.iter().flatten() {
            b += (c.members.capacity() + c.indexed.capacity()) * 4;
        }
        b
    }

    // ---- placement ------------------------------------------------------------------

    fn member(&self, m: u32) -> &Member {
        match self.members.get(m as usize) {
            Some(Some(x)) => x,
            _ => unreachable_member(),
        }
    }

    fn member_mut(&mut self, m: u32) -> &mut Member {
        match self.members.get_mut(m as usize) {
            Some(Some(x)) => x,
            _ => unreachable_member(),
        }
    }

    fn cluster(&self, c: u32) -> &Cluster {
        match self.clusters.get(c as usize) {
            Some(Some(x)) => x,
            _ => unreachable_cluster(),
        }
    }

    fn cluster_mut(&mut self, c: u32) -> &mut Cluster {
        match self.clusters.get_mut(c as usize) {
            Some(Some(x)) => x,
            _ => unreachable_cluster(),
        }
    }

    fn indexable(&self, fp: &Fingerprint) -> bool {
        fp.ntok as usize >= self.cfg.min_tokens && !fp.keys.is_empty()
    }

    /// Places a doc that is not (or no longer) a member: joins the best matching cluster
    /// (other than `skip`), merging where justified, or creates one. Returns the cluster.
    fn place_new(
        &mut self,
        doc: &Doc<'_>,
        fp: Fingerprint,
        t: i64,
        uh: u64,
        skip: Option<u32>,
        events: &mut Vec<Event>,
    ) -> u32 {
        let matches = if self.indexable(&fp) {
            self.find(&fp, NIL)
        } else {
            Vec::new()
        };
        let matches: Vec<Match> = matches.into_iter().filter(|m| Some(m.cluster) != skip).collect();
        let m = self.new_member(doc, fp, t, uh);
        let Some(best) = matches.first().copied() else {
            let ci = self.new_cluster(m, doc.id);
            events.push(self.event(ci, EventKind::Created, m, None, Vec::new()));
            return ci;
        };
        self.join(m, best.cluster, best.direct);
        events.push(self.event(best.cluster, EventKind::MemberAdded, m, None, Vec::new()));
        let mut survivor = best.cluster;
        for other in matches.iter().skip(1) {
            if let Some(reason) = self.merge_reason(m, survivor, other.cluster) {
                survivor = self.merge(survivor, other.cluster, m, reason, events);
            }
        }
        self.shrink_keys(m);
        survivor
    }

    /// Clusters the fingerprint matches as a copy, best first. `exclude` is a member that
    /// must not count (the old version of an updated item).
    ///
    /// Candidates come from the anchors with a low bar; each is then verified on the
    /// verification keys ([`Index::is_copy`]). Paragraphs of the query holding a
    /// boilerplate anchor are left out of the verification on both sides.
    fn find(&mut self, fp: &Fingerprint, exclude: u32) -> Vec<Match> {
        let bmax = self.cfg.boilerplate_clusters.max(2);
        self.boiler.clear();
        self.touched.clear();
        let anchors = fp.anchors();
        let mut distinct: Vec<u32> = Vec::with_capacity(bmax);
        self.postings.heads(anchors, &mut self.heads);
        for &head in &self.heads {
            self.list.clear();
            distinct.clear();
            let mut is_boiler = false;
            for s in self.postings.slots(head) {
                self.list.push(s);
                let ci = self.slot_cluster[s as usize];
                if ci == NIL {
                    continue;
                }
                if !distinct.contains(&ci) {
                    distinct.push(ci);
                    if distinct.len() >= bmax {
                        is_boiler = true;
                        break;
                    }
                }
            }
            self.boiler.push(is_boiler);
            if is_boiler {
                continue;
            }
            for &s in &self.list {
                let c = &mut self.counts[s as usize];
                if *c == 0 {
                    self.touched.push(s);
                }
                *c += 1;
            }
        }
        // Boilerplate anchors of the query, as a prefix count over its ascending anchors,
        // and the paragraphs holding them.
        let mut bpref = Vec::with_capacity(anchors.len() + 1);
        bpref.push(0u32);
        let mut skip: Vec<bool> = Vec::new();
        for (i, &b) in self.boiler.iter().enumerate() {
            bpref.push(bpref.last().copied().unwrap_or(0) + u32::from(b));
            if b {
                let p = usize::from(fp.paras[i]);
                if skip.len() <= p {
                    skip.resize(p + 1, false);
                }
                skip[p] = true;
            }
        }
        let touched = std::mem::take(&mut self.touched);
        let mut best: Vec<(u64, Match)> = Vec::new();
        for &s in &touched {
            let inter = std::mem::take(&mut self.counts[s as usize]) as usize;
            let mi = self.slots[s as usize];
            if mi == exclude {
                continue;
            }
            let b = self.member(mi);
            // Candidate test on anchors, at the coarser anchor level.
            let level = fp.alevel.max(b.alevel);
            let na_all = class_count(anchors, level);
            let na = na_all - bpref[na_all] as usize;
            let nb = class_count(&b.keys, level);
            let small = na.min(nb);
            if inter < 2.min(small).max(1) || ratio(inter, small) < self.cfg.candidate_containment {
                continue;
            }
            let np = usize::from(fp.npara.min(b.npara));
            let mut jd = judge(&fp.keys, Some(&fp.paras), fp.level, &skip, &b.keys, b.level, np);
            if !self.is_copy(&jd) && jd.nb < jd.na && jd.nb > 0 {
                // The candidate's own boilerplate may inflate its size: discount it (scaled
                // from its anchors), but only when that could change the verdict.
                let b_anchors = &b.keys[..class_count(&b.keys, b.alevel.max(level))];
                let bb = b_anchors
                    .iter()
                    .filter(|&&k| self.is_boilerplate(k, bmax))
                    .count();
                if bb > 0 {
                    let scale = class_count(&b.keys, fp.level.max(b.level)) as f32 / b_anchors.len() as f32;
                    let cut = ((bb as f32 * scale).round() as usize).min(jd.nb.saturating_sub(jd.shared));
                    jd.nb -= cut;
                }
            }
            if !self.is_copy(&jd) {
                continue;
            }
            let ci = b.cluster;
            // A match through a representative must also hold against the canonical member,
            // at the lowest containment bar: a follow-up that holds the whole of a lead-only
            // brief (a representative) but only a paragraph or two of the story itself is
            // not a copy of the story.
            let canon = self.cluster(ci).canonical;
            if canon != mi && canon != exclude {
                let c = self.member(canon);
                let np = usize::from(fp.npara.min(c.npara));
                let jc = judge(&fp.keys, Some(&fp.paras), fp.level, &skip, &c.keys, c.level, np);
                if jc.containment() < self.cfg.min_containment {
                    continue;
                }
            }
            let (c, j) = (jd.containment().min(1.0), jd.jaccard().min(1.0));
            let direct = (self.cluster(ci).canonical == mi).then_some((c, j));
            let seq = self.cluster(ci).seq;
            let cand = Match {
                cluster: ci,
                containment: c,
                jaccard: j,
                direct,
            };
            match best.iter_mut().find(|(_, m)| m.cluster == ci) {
                Some((_, m)) => {
                    if direct.is_some() {
                        m.direct = direct;
                    }
                    if (cand.containment, cand.jaccard) > (m.containment, m.jaccard) {
                        m.containment = c;
                        m.jaccard = j;
                    }
                }
                None => best.push((seq, cand)),
            }
        }
        self.touched = touched;
        self.touched.clear();
        best.sort_by(|(sa, a), (sb, b)| {
            b.containment
                .total_cmp(&a.containment)
                .then(b.jaccard.total_cmp(&a.jaccard))
                .then(sa.cmp(sb))
        });
        best.into_iter().map(|(_, m)| m).collect()
    }

    /// The copy rule: enough shared keys, and containment of the smaller doc above the bar
    /// for how spread the shared keys are over the query's paragraphs.
    fn is_copy(&self, j: &Judged) -> bool {
        let small = j.na.min(j.nb);
        if j.shared < self.cfg.min_shared.min(small).max(1) {
            return false;
        }
        let c = j.containment();
        let coverage = ratio(j.spread, j.paras);
        let wide = j.spread >= self.cfg.spread_paras;
        let covered = j.spread > 0 && coverage >= self.cfg.min_coverage;
        c >= self.cfg.sure_containment
            || ((wide || covered) && c >= self.cfg.concentrated_containment)
            || (wide && covered && c >= self.cfg.min_containment)
    }

    fn is_boilerplate(&self, key: u32, bmax: usize) -> bool {
        let mut distinct: Vec<u32> = Vec::with_capacity(bmax);
        for s in self.postings.get(key) {
            let ci = self.slot_cluster[s as usize];
            if ci != NIL && !distinct.contains(&ci) {
                distinct.push(ci);
                if distinct.len() >= bmax {
                    return true;
                }
            }
        }
        false
    }

    fn new_member(&mut self, doc: &Doc<'_>, fp: Fingerprint, t: i64, uh: u64) -> u32 {
        let max = self.cfg.max_field_bytes;
        let uri = if doc.uri.is_empty() { doc.id } else { doc.uri };
        let m = Member {
            seq: self.next_member_seq,
            f: Fields::new(doc.id, uri, doc.title, doc.source, doc.url, max),
            published_ms: doc.published_ms,
            time_ms: t,
            ntok: fp.ntok,
            level: fp.level,
            alevel: fp.alevel,
            npara: fp.npara,
            keys: if self.indexable(&fp) {
                fp.keys.into_boxed_slice()
            } else {
                Box::default()
            },
            similarity: 1.0,
            direct: false,
            cluster: NIL,
            slot: NIL,
        };
        self.next_member_seq += 1;
        let idx = match self.free_members.pop() {
            Some(i) => {
                self.members[i as usize] = Some(m);
                i
            }
            None => {
                self.members.push(Some(m));
                (self.members.len() - 1) as u32
            }
        };
        self.by_uri.insert(uh, idx);
        idx
    }

    fn new_cluster(&mut self, m: u32, first_id: &str) -> u32 {
        let seq = self.next_cluster_seq;
        self.next_cluster_seq += 1;
        let t = self.member(m).time_ms;
        let c = Cluster {
            id: ClusterId(sketch::fmix64(
                xxhash_rust::xxh3::xxh3_64(first_id.as_bytes()) ^ seq.wrapping_mul(0x9e37_79b9_7f4a_7c15),
            )),
            seq,
            version: 0,
            members: vec![m],
            canonical: m,
            indexed: Vec::new(),
            last_ms: t,
        };
        let ci = match self.free_clusters.pop() {
            Some(i) => {
                self.clusters[i as usize] = Some(c);
                i
            }
            None => {
                self.clusters.push(Some(c));
                (self.clusters.len() - 1) as u32
            }
        };
        {
            let mm = self.member_mut(m);
            mm.cluster = ci;
            mm.similarity = 1.0;
            mm.direct = true;
        }
        self.index_member(m);
        self.expiry.push(Reverse((t, seq, ci)));
        ci
    }

    /// Adds member `m` to cluster `ci`, updating canonical, similarities and the index.
    /// `direct` is the verdict of `m` against the canonical when it matched it.
    fn join(&mut self, m: u32, ci: u32, direct: Option<(f32, f32)>) {
        self.member_mut(m).cluster = ci;
        let t = self.member(m).time_ms;
        {
            let c = self.cluster_mut(ci);
            c.members.push(m);
            if t > c.last_ms {
                c.last_ms = t;
            }
        }
        let (last, seq) = (self.cluster(ci).last_ms, self.cluster(ci).seq);
        if last == t {
            self.expiry.push(Reverse((last, seq, ci)));
        }
        self.settle(ci, m, direct);
    }

    /// After member `m` of cluster `ci` arrived or changed: re-pick the canonical, refresh
    /// similarities and decide whether `m` represents the cluster in the index.
    fn settle(&mut self, ci: u32, m: u32, direct: Option<(f32, f32)>) {
        let old_canon = self.cluster(ci).canonical;
        let canon = if old_canon != m && self.better_canonical(m, old_canon) {
            m
        } else {
            old_canon
        };
        if canon != old_canon || old_canon == m {
            self.cluster_mut(ci).canonical = canon;
            self.refresh_similarities(ci);
            if canon != old_canon {
                self.member_mut(canon).direct = true;
                self.index_member(canon);
            }
        } else {
            let (c, j) = direct.unwrap_or_else(|| self.sim_to(m, canon));
            let mm = self.member_mut(m);
            mm.similarity = c;
            mm.direct = direct.is_some();
            let novel = j < self.cfg.rep_novelty;
            if self.member(m).direct && novel {
                self.index_member(m);
            }
        }
        self.trim_indexed(ci);
    }

    fn better_canonical(&self, a: u32, b: u32) -> bool {
        let (x, y) = (self.member(a), self.member(b));
        (x.time_ms, Reverse(x.ntok), x.seq) < (y.time_ms, Reverse(y.ntok), y.seq)
    }

    fn sim_to(&self, m: u32, canon: u32) -> (f32, f32) {
        let (a, b) = (self.member(m), self.member(canon));
        if m == canon {
            return (1.0, 1.0);
        }
        similarity(&a.keys, a.level, &b.keys, b.level)
    }

    fn refresh_similarities(&mut self, ci: u32) {
        let canon = self.cluster(ci).canonical;
        let ms = self.cluster(ci).members.clone();
        for m in ms {
            let (c, _) = self.sim_to(m, canon);
            self.member_mut(m).similarity = c;
        }
    }

    fn index_member(&mut self, m: u32) {
        let mm = self.member(m);
        if mm.slot != NIL || mm.keys.is_empty() || (mm.ntok as usize) < self.cfg.min_tokens {
            return;
        }
        let ci = mm.cluster;
        let slot = match self.free_slots.pop() {
            Some(s) => {
                self.slots[s as usize] = m;
                self.slot_cluster[s as usize] = ci;
                s
            }
            None => {
                self.slots.push(m);
                self.slot_cluster.push(ci);
                self.counts.push(0);
                (self.slots.len() - 1) as u32
            }
        };
        let keys = std::mem::take(&mut self.member_mut(m).keys);
        let alevel = self.member(m).alevel;
        let anchors = &keys[..class_count(&keys, alevel)];
        self.postings.touch(anchors);
        for &k in anchors {
            self.postings.insert(k, slot);
        }
        let mm = self.member_mut(m);
        mm.keys = keys;
        mm.slot = slot;
        let ci = mm.cluster;
        self.cluster_mut(ci).indexed.push(m);
    }

    fn unindex_member(&mut self, m: u32) {
        let slot = self.member(m).slot;
        if slot == NIL {
            return;
        }
        let keys = std::mem::take(&mut self.member_mut(m).keys);
        let alevel = self.member(m).alevel;
        let anchors = &keys[..class_count(&keys, alevel)];
        self.postings.touch(anchors);
        for &k in anchors {
            self.postings.remove(k, slot);
        }
        self.slots[slot as usize] = NIL;
        self.slot_cluster[slot as usize] = NIL;
        self.free_slots.push(slot);
        let mm = self.member_mut(m);
        mm.keys = keys;
        mm.slot = NIL;
        let ci = mm.cluster;
        if ci != NIL {
            self.cluster_mut(ci).indexed.retain(|&x| x != m);
        }
    }

    /// Keeps at most `max_indexed_per_cluster` indexed members: the canonical, then the
    /// earliest-joined representatives.
    fn trim_indexed(&mut self, ci: u32) {
        let max = self.cfg.max_indexed_per_cluster.max(1);
        if self.cluster(ci).indexed.len() <= max {
            return;
        }
        let canon = self.cluster(ci).canonical;
        let mut idx = self.cluster(ci).indexed.clone();
        idx.sort_by_key(|&m| (m != canon, self.member(m).seq));
        for &m in &idx[max..] {
            self.unindex_member(m);
            self.shrink_keys(m);
        }
    }

    /// A member out of the inverted index keeps only its anchors (memory).
    fn shrink_keys(&mut self, m: u32) {
        let mm = self.member_mut(m);
        if mm.slot != NIL || mm.level == mm.alevel {
            return;
        }
        let n = class_count(&mm.keys, mm.alevel);
        mm.keys = mm.keys[..n].into();
        mm.level = mm.alevel;
    }

    fn merge_reason(&self, m: u32, x: u32, y: u32) -> Option<String> {
        let (cx, cy) = (self.cluster(x).canonical, self.cluster(y).canonical);
        let (a, b) = (self.member(cx), self.member(cy));
        // No paragraph information for stored members: the concentrated bar applies.
        let np = usize::from(a.npara.min(b.npara));
        let jd = judge(&a.keys, None, a.level, &[], &b.keys, b.level, np);
        let cc = jd.containment();
        if self.is_copy(&jd) {
            return Some(format!("canonical members match (containment {cc:.2})"));
        }
        let (c1, _) = self.sim_to(m, cx);
        let (c2, _) = self.sim_to(m, cy);
        let mc = self.cfg.merge_containment;
        let (mm, am, bm) = (self.member(m), a, b);
        // "contains both": the new doc holds most of each canonical.
        let holds = |canon: &Member| {
            let (n, _, nc) = overlap(&mm.keys, mm.level, &canon.keys, canon.level);
            ratio(n, nc) >= mc
        };
        if c1 >= mc && c2 >= mc && holds(am) && holds(bm) {
            return Some(format!(
                "new member contains both canonical members ({c1:.2}, {c2:.2})"
            ));
        }
        None
    }

    /// Merges clusters `x` and `y`; the older survives. Returns the survivor.
    fn merge(&mut self, x: u32, y: u32, cause: u32, reason: String, events: &mut Vec<Event>) -> u32 {
        let (keep, gone) = if self.cluster(x).seq <= self.cluster(y).seq {
            (x, y)
        } else {
            (y, x)
        };
        let Some(g) = self.clusters[gone as usize].take() else {
            return keep;
        };
        self.free_clusters.push(gone);
        for &m in &g.members {
            let mm = self.member_mut(m);
            mm.cluster = keep;
            let slot = mm.slot;
            if slot != NIL {
                self.slot_cluster[slot as usize] = keep;
            }
        }
        let canon_g = g.canonical;
        let mut all: Vec<u32> = self.cluster(keep).members.clone();
        all.extend_from_slice(&g.members);
        all.sort_by_key(|&m| self.member(m).seq);
        {
            let k = self.cluster_mut(keep);
            k.members = all;
            k.indexed.extend_from_slice(&g.indexed);
            if g.last_ms > k.last_ms {
                k.last_ms = g.last_ms;
            }
        }
        let (last, seq) = (self.cluster(keep).last_ms, self.cluster(keep).seq);
        self.expiry.push(Reverse((last, seq, keep)));
        let canon_k = self.cluster(keep).canonical;
        if self.better_canonical(canon_g, canon_k) {
            self.cluster_mut(keep).canonical = canon_g;
        }
        self.refresh_similarities(keep);
        self.trim_indexed(keep);
        self.stats.merges += 1;
        events.push(self.event(keep, EventKind::Merged, cause, Some(reason), vec![g.id]));
        keep
    }

    /// A new version of known member `m`.
    fn update(&mut self, m: u32, doc: &Doc<'_>, fp: Fingerprint, t: i64) -> Outcome {
        let ci = self.member(m).cluster;
        let alone = self.cluster(ci).members.len() == 1;
        let stays = alone || self.still_matches(m, &fp);
        if !stays {
            let mut events = vec![self.remove_member(m, doc, "updated version no longer matches")];
            let uh = uri_hash(if doc.uri.is_empty() { doc.id } else { doc.uri });
            let nc = self.place_new(doc, fp, t, uh, Some(ci), &mut events);
            return Outcome {
                cluster: Some(self.cluster(nc).id),
                events,
            };
        }
        let was_indexed = self.member(m).slot != NIL;
        self.unindex_member(m);
        let max = self.cfg.max_field_bytes;
        let indexable = self.indexable(&fp);
        {
            let mm = self.member_mut(m);
            let uri = mm.f.uri().to_string();
            mm.f = Fields::new(doc.id, &uri, doc.title, doc.source, doc.url, max);
            mm.published_ms = doc.published_ms;
            // The item was first out at its earliest version's time (canonical ranking).
            mm.time_ms = mm.time_ms.min(t);
            mm.ntok = fp.ntok;
            mm.level = fp.level;
            mm.alevel = fp.alevel;
            mm.npara = fp.npara;
            mm.keys = if indexable {
                fp.keys.into_boxed_slice()
            } else {
                Box::default()
            };
        }
        {
            let c = self.cluster_mut(ci);
            if t > c.last_ms {
                c.last_ms = t;
            }
        }
        let (last, seq) = (self.cluster(ci).last_ms, self.cluster(ci).seq);
        self.expiry.push(Reverse((last, seq, ci)));
        // Re-pick the canonical among all members: the new version may be later or shorter.
        let members = self.cluster(ci).members.clone();
        let mut canon = members[0];
        for &x in &members[1..] {
            if self.better_canonical(x, canon) {
                canon = x;
            }
        }
        self.cluster_mut(ci).canonical = canon;
        self.refresh_similarities(ci);
        if was_indexed || canon == m {
            self.index_member(m);
        }
        if self.member(canon).slot == NIL {
            self.index_member(canon);
        }
        self.trim_indexed(ci);
        self.shrink_keys(m);
        let ev = self.event(ci, EventKind::MemberUpdated, m, None, Vec::new());
        Outcome {
            cluster: Some(self.cluster(ci).id),
            events: vec![ev],
        }
    }

    /// Whether a new version still matches another member of its cluster (canonical first,
    /// then representatives, then the first members in join order).
    fn still_matches(&self, m: u32, fp: &Fingerprint) -> bool {
        if !self.indexable(fp) {
            return false;
        }
        let c = self.cluster(ci_of(self, m));
        let order = std::iter::once(c.canonical)
            .chain(c.indexed.iter().copied())
            .chain(c.members.iter().copied());
        for x in order.filter(|&x| x != m).take(256) {
            let o = self.member(x);
            let np = usize::from(fp.npara.min(o.npara));
            let jd = judge(&fp.keys, Some(&fp.paras), fp.level, &[], &o.keys, o.level, np);
            if self.is_copy(&jd) {
                return true;
            }
        }
        false
    }

    /// Removes member `m` (withdrawn or left); the cause is `doc`. Drops the cluster with
    /// its last member.
    fn remove_member(&mut self, m: u32, doc: &Doc<'_>, reason: &str) -> Event {
        let ci = self.member(m).cluster;
        self.unindex_member(m);
        let uh = uri_hash(self.member(m).f.uri());
        self.by_uri.remove(&uh);
        let mut cause = self.view(m);
        cause.id = doc.id.into();
        if !doc.title.is_empty() {
            cause.title = doc.title.into();
        }
        self.members[m as usize] = None;
        self.free_members.push(m);
        let c = self.cluster_mut(ci);
        c.members.retain(|&x| x != m);
        c.version += 1;
        let (id, version) = (c.id, c.version);
        if c.members.is_empty() {
            self.clusters[ci as usize] = None;
            self.free_clusters.push(ci);
            return Event {
                kind: EventKind::MemberRemoved,
                cluster: id,
                version,
                cause,
                canonical: String::new(),
                members: Vec::new(),
                member_count: 0,
                merged_from: Vec::new(),
                reason: Some(reason.into()),
            };
        }
        if c.canonical == m {
            let members = c.members.clone();
            let mut canon = members[0];
            for &x in &members[1..] {
                if self.better_canonical(x, canon) {
                    canon = x;
                }
            }
            self.cluster_mut(ci).canonical = canon;
            self.refresh_similarities(ci);
            self.index_member(canon);
            self.trim_indexed(ci);
        }
        let mut ev = self.event_view(
            ci,
            EventKind::MemberRemoved,
            cause,
            Some(reason.into()),
            Vec::new(),
        );
        ev.version = version;
        ev
    }

    fn expire(&mut self) {
        let Some(now) = self.now_ms else { return };
        let cutoff = now.saturating_sub(self.cfg.horizon_secs.saturating_mul(1000));
        while let Some(&Reverse((last, seq, ci))) = self.expiry.peek() {
            if last >= cutoff {
                break;
            }
            self.expiry.pop();
            if last <= 0 {
                // No member of this cluster had a time (undated input to `wirefold cluster`;
                // the worker always knows `received`): the horizon cannot judge it. A dated
                // member joining later pushes a new entry that can.
                continue;
            }
            let live =
                matches!(self.clusters.get(ci as usize), Some(Some(c)) if c.seq == seq && c.last_ms == last);
            if !live {
                continue;
            }
            let Some(c) = self.clusters[ci as usize].take() else {
                continue;
            };
            self.free_clusters.push(ci);
            for &m in &c.members {
                self.member_mut(m).cluster = NIL;
                self.unindex_member(m);
                let uh = uri_hash(self.member(m).f.uri());
                if self.by_uri.get(&uh) == Some(&m) {
                    self.by_uri.remove(&uh);
                }
                self.members[m as usize] = None;
                self.free_members.push(m);
            }
            self.stats.expired_clusters += 1;
        }
        if self.stats.applied.is_multiple_of(1024) {
            self.tombstones.retain(|_, &mut t| t >= cutoff);
        }
    }

    // ---- events ---------------------------------------------------------------------

    fn view(&self, m: u32) -> MemberView {
        let x = self.member(m);
        MemberView {
            id: x.f.id().to_string(),
            uri: x.f.uri().to_string(),
            title: x.f.title().to_string(),
            source: x.f.source().map(str::to_string),
            url: x.f.url().map(str::to_string),
            published_ms: x.published_ms,
            similarity: x.similarity,
        }
    }

    fn event(
        &mut self,
        ci: u32,
        kind: EventKind,
        cause: u32,
        reason: Option<String>,
        merged_from: Vec<ClusterId>,
    ) -> Event {
        self.cluster_mut(ci).version += 1;
        let cause = self.view(cause);
        self.event_view(ci, kind, cause, reason, merged_from)
    }

    fn event_view(
        &self,
        ci: u32,
        kind: EventKind,
        cause: MemberView,
        reason: Option<String>,
        merged_from: Vec<ClusterId>,
    ) -> Event {
        let c = self.cluster(ci);
        let cap = self.cfg.max_event_members.max(1);
        let mut members = Vec::with_capacity(c.members.len().min(cap));
        members.push(self.view(c.canonical));
        for &m in &c.members {
            if members.len() >= cap {
                break;
            }
            if m != c.canonical {
                members.push(self.view(m));
            }
        }
        Event {
            kind,
            cluster: c.id,
            version: c.version,
            cause,
            canonical: self.member(c.canonical).f.id().to_string(),
            members,
            member_count: c.members.len(),
            merged_from,
            reason,
        }
    }
}

fn ci_of(ix: &Index, m: u32) -> u32 {
    ix.member(m).cluster
}

/// Similarity of two texts as the index would judge the second arriving after the first
/// (no boilerplate filtering, which needs an index): for diagnostics and tests.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Similarity {
    /// Shared verification keys at the common sampling level.
    pub shared: usize,
    /// Verification keys of the first and second text at that level.
    pub sizes: (usize, usize),
    /// Shared share of the smaller.
    pub containment: f32,
    /// Shared share of the union.
    pub jaccard: f32,
    /// Paragraphs of the second text holding shared keys.
    pub spread: usize,
    /// Paragraphs (giving shingles) of the text with fewer.
    pub paragraphs: usize,
    /// Containment estimated from the anchors alone (what candidate search sees).
    pub anchor_containment: f32,
    /// Whether the index would call the second a copy of the first.
    pub copy: bool,
}

/// Compares two bodies with `config`'s fingerprint settings and copy rule.
pub fn text_similarity(config: &Config, a: &str, b: &str) -> Similarity {
    let mut sk = Sketcher::default();
    let fa = config.fingerprint(&mut sk, a);
    let fb = config.fingerprint(&mut sk, b);
    let np = usize::from(fa.npara.min(fb.npara));
    let jd = judge(&fb.keys, Some(&fb.paras), fb.level, &[], &fa.keys, fa.level, np);
    let (n, na, nb) = overlap(fa.anchors(), fa.alevel, fb.anchors(), fb.alevel);
    let ix = Index::new(config.clone());
    let copy = ix.indexable(&fa) && ix.indexable(&fb) && ix.is_copy(&jd);
    Similarity {
        shared: jd.shared,
        sizes: (jd.nb, jd.na),
        containment: jd.containment(),
        jaccard: jd.jaccard(),
        spread: jd.spread,
        paragraphs: jd.paras,
        anchor_containment: ratio(n, na.min(nb)),
        copy,
    }
}

#[cold]
fn unreachable_member() -> ! {
    // Internal indices are kept consistent by construction; reaching this is a bug.
    panic!("dedup index: dangling member index")
}

#[cold]
fn unreachable_cluster() -> ! {
    panic!("dedup index: dangling cluster index")
}

/// Xorshift numbers for the crate's randomized tests (same seed, same sequence).
#[cfg(test)]
pub(crate) struct TestRng(pub u64);

#[cfg(test)]
impl TestRng {
    pub(crate) fn next(&mut self) -> u64 {
        let x = &mut self.0;
        *x ^= *x << 13;
        *x ^= *x >> 7;
        *x ^= *x << 17;
        *x
    }

    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_judge_matches_general() {
        let mut rng = TestRng(0x2545_f491_4f6c_dd1d);
        let mut rnd = |n: u64| rng.below(n);
        for _ in 0..5_000 {
            let span = 1 + rnd(400) as u32;
            let mut keys = |len: u64| {
                let mut v: Vec<u32> = (0..rnd(len)).map(|_| rnd(u64::from(span)) as u32).collect();
                v.sort_unstable();
                v.dedup();
                v
            };
            let (q, c) = (keys(300), keys(300));
            let para_span = if rnd(4) == 0 { 600 } else { 20 };
            let qp: Vec<u16> = (0..q.len()).map(|_| rnd(para_span) as u16).collect();
            let paras = 1 + rnd(30) as usize;
            let want = judge_general(&q, Some(&qp), &[], &c, paras);
            assert_eq!(judge_merge(&q, &qp, &c, paras), want);
            assert_eq!(judge(&q, Some(&qp), 0, &[false; 8], &c, 0, paras), want);
        }
    }
}
