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
//! 1. The body is tokenized and folded (module `text`: Unicode letters in any
//!    script, case, compatibility forms, diacritics and harakat, Arabic-script letter
//!    variants, invisible joiners and marks, digits of other scripts, UK/US spelling,
//!    honorifics, and function words of English and the other languages wires come in;
//!    scripts written without spaces give a token per character) and cut into shingles of
//!    [`Config::shingle_len`] content tokens ([`Config::arabic_shingle_len`] for a doc
//!    mostly in Arabic script) that never cross a paragraph boundary. Each shingle is
//!    tagged with its *segment*: a paragraph, or a piece of 32 shingles of
//!    a long one, so a text written as one paragraph is seen in pieces too.
//! 2. Shingle keys are sampled by value into about [`Config::target_anchors`] anchors
//!    (module `sketch`); two docs are compared on the coarser of their two sampling
//!    levels, which keeps estimates unbiased for a brief against a long original.
//! 3. The anchors are looked up in an inverted index holding only each cluster's canonical
//!    member and a few representatives (at most [`Config::max_indexed_per_cluster`]; a
//!    member is a representative only if it matched the canonical directly), so copies of
//!    copies cannot chain unrelated stories together. An anchor whose postings span
//!    [`Config::boilerplate_clusters`] or more clusters is boilerplate (agency trailers,
//!    copyright lines, site chrome); segments of the new doc where such anchors are at
//!    least half the anchors are left out of both sides of every comparison.
//! 4. Anchors only find candidates (a low bar, [`Config::candidate_containment`]). Each
//!    candidate is verified on the verification keys ([`Config::verify_keys`], kept only by
//!    indexed members) by the copy rule ([`Rule`]), which looks at how much of the smaller
//!    doc is shared and at where the shared text lies in the new doc: its *shared
//!    segments* are those with a quarter of their keys shared. When they hold under
//!    [`Config::min_cover`] of the new doc, the shared text is a minority block of it (a
//!    follow-up quoting an earlier story, two outlets rewriting one release): no copy,
//!    unless the new doc is a longer version of the other (it opens with it and holds
//!    [`Config::longer_containment`] of it). Otherwise it is a copy when
//!    [`Config::min_containment`] of the smaller doc is shared and the shared text runs
//!    through [`Config::min_spread`] of the new doc's segments (or is nearly all of one of
//!    the two: an article quoting a few long paragraphs of another holds over half of its
//!    text in a quarter of its own paragraphs), or, reworded,
//!    [`Config::rewrite_containment`] with shared segments holding
//!    [`Config::rewrite_cover`] of the new doc. A match through a representative also
//!    needs [`Config::rewrite_containment`] against the cluster's canonical member, so a
//!    follow-up that holds a whole lead-only brief of a story (but little else of it) does
//!    not join that story. The doc joins the best matching cluster, and the join event's
//!    `reason` says which rule held ([`Rule::describe`]); [`Index::verdicts`] lists every
//!    comparison of the last doc with its evidence. If it also matches other clusters,
//!    those are merged in only when their canonical members match each other (at
//!    [`Config::sure_containment`], as stored members keep no positions), when the doc
//!    contains both canonicals almost whole ([`Config::merge_containment`]), or when it
//!    overlaps both canonicals as a version would ([`Config::chain_jaccard`]) and they
//!    share [`Config::rewrite_containment`] of their text (chained edits: a heavily edited
//!    copy that arrived before the version linking it to its story); otherwise it stays a
//!    plain join.
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
//!   its first version; for an archive copy, whose event time is held at the receive
//!   window's edge, its stated publication time), then the one with most content tokens,
//!   then the first to arrive. A member's similarity is the containment of the
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
    /// Content tokens per shingle in a doc written mostly in Arabic script (Arabic, Urdu,
    /// Persian). Newspapers there reword agency copy throughout (COUNTER: a wholly
    /// derived text keeps under a fifth of the agency text's 4-token shingles as often as
    /// not, and two fifths of its 2-token ones), so shorter shingles are the evidence that
    /// survives; docs in two scripts never match, so two lengths never meet.
    pub arabic_shingle_len: usize,
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
    /// copy (when the shared text is not a minority block of the new doc).
    pub min_containment: f32,
    /// The lower bar for a reworded copy, whose shared segments must then hold at least
    /// [`Config::rewrite_cover`] of the new doc.
    pub rewrite_containment: f32,
    /// Share of the new doc's keys in its shared segments for [`Config::rewrite_containment`].
    pub rewrite_cover: f32,
    /// Share of the new doc's keys in its shared segments under which the shared text is a
    /// minority block of it: not a copy, unless the new doc is a longer version of the other.
    pub min_cover: f32,
    /// Share of the new doc's segments holding any shared text that a copy by
    /// [`Config::min_containment`] needs, unless [`Config::sure_containment`] of the smaller
    /// doc is shared or its shared segments hold [`Config::rewrite_cover`] of the new doc:
    /// text shared in a few of the new doc's paragraphs, however long, is another article
    /// quoting this one (a minority block by paragraphs).
    pub min_spread: f32,
    /// Share of the smaller doc in the other for two stored members, whose positions are
    /// not kept.
    pub sure_containment: f32,
    /// Share of the smaller doc in the new one when the new one is a longer version (it
    /// opens with the other's text; the rest is its own).
    pub longer_containment: f32,
    /// Shared verification keys needed for a copy (or all of the smaller doc's, if fewer).
    pub min_shared: usize,
    /// A doc matching two clusters merges them when it contains both canonical members
    /// at least this much (or when the canonicals match each other).
    pub merge_containment: f32,
    /// Jaccard similarity (anchors) of a new doc with both canonical members for the
    /// clusters it matched to merge as chained edits, when the canonicals share
    /// [`Config::rewrite_containment`] of the smaller one.
    pub chain_jaccard: f32,
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
            self.arabic_shingle_len,
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
            arabic_shingle_len: 2,
            target_anchors: 48,
            max_tokens: 20_000,
            min_tokens: 8,
            verify_keys: 160,
            candidate_containment: 0.12,
            min_containment: 0.5,
            rewrite_containment: 0.35,
            rewrite_cover: 0.75,
            min_cover: 0.5,
            min_spread: 0.5,
            sure_containment: 0.8,
            longer_containment: 0.8,
            min_shared: 4,
            merge_containment: 0.8,
            chain_jaccard: 0.3,
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

/// One verified comparison of a doc with an indexed member ([`Index::verdicts`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// Id of the member compared with.
    pub other: String,
    /// Shared verification keys at the common sampling level.
    pub shared: usize,
    /// Keys of the doc and of the member at that level (boilerplate left out).
    pub keys: (usize, usize),
    /// Shared share of the smaller.
    pub containment: f32,
    /// Share of the doc's keys in its shared segments.
    pub cover: f32,
    /// Segments of the doc holding shared keys.
    pub spread: usize,
    /// Segments of the doc holding keys.
    pub segments: usize,
    /// The doc opens with shared text.
    pub lead: bool,
    /// Shared and total keys of each of the doc's segments ("-" when left out as
    /// boilerplate), in text order: where in the doc the shared text lies.
    pub pattern: String,
    /// The copy rule's verdict and reason.
    pub rule: Rule,
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

impl Member {
    /// When it was first out, for the canonical order: its stated publication time when that
    /// is older than its event time (an archive copy, whose event time is held at the
    /// receive window's edge: copies of an old story keep the order they were published in,
    /// not the milliseconds between their arrivals), else its event time.
    fn first_out(&self) -> i64 {
        self.published_ms.map_or(self.time_ms, |p| p.min(self.time_ms))
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
    nseg: u16,
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
    /// Why the best comparison with the cluster was a copy.
    rule: Rule,
    /// The verdict against the cluster's canonical member, when that one matched.
    direct: Option<(f32, f32)>,
}

/// A verified comparison of a doc (the query) with another: the evidence the copy rule
/// decides on.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Judged {
    shared: usize,
    /// Keys of the query and of the other at the common level (boilerplate left out).
    na: usize,
    nb: usize,
    /// Where the shared keys lie in the query is known (not when two stored members are
    /// compared).
    placed: bool,
    /// Segments of the query holding keys, and holding shared keys.
    qsegs: usize,
    spread: usize,
    /// Keys of the query in its shared segments: those where at least a quarter of the
    /// keys (and two, or the one) are shared. What share of the new doc is shared text, counted
    /// whole where a segment was reworded but kept, and not at all where a stray phrase
    /// matched.
    covered: usize,
    /// The query's first segment holds two shared keys or more: it opens with shared
    /// text, if reworded.
    lead: bool,
}

impl Judged {
    fn containment(&self) -> f32 {
        ratio(self.shared, self.na.min(self.nb))
    }
    fn jaccard(&self) -> f32 {
        ratio(self.shared, (self.na + self.nb).saturating_sub(self.shared))
    }
    /// Share of the query in its shared segments.
    fn cover(&self) -> f32 {
        ratio(self.covered, self.na)
    }
}

/// Why the copy rule said yes or no: the `reason` of a join event, and of a verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Yes: most of the smaller doc is in the other, and the shared text is most of the new
    /// doc.
    Contained,
    /// Yes: a reworded copy: less of the smaller doc survives word for word, but shared
    /// text runs through nearly all of the new doc.
    Reworded,
    /// Yes: the new doc is a longer version of the other: it holds nearly all of it and
    /// opens with it.
    Longer,
    /// Yes: two stored members (no positions) sharing nearly all of the smaller.
    Sure,
    /// No: too few shared keys.
    TooLittle,
    /// No: the shared text is a minority block of the new doc (a follow-up quoting an
    /// earlier story, two rewrites of one release).
    MinorityBlock,
    /// No: too little of the smaller doc is shared.
    Below,
}

impl Rule {
    /// Whether the rule joins the two docs.
    pub fn is_copy(self) -> bool {
        matches!(self, Rule::Contained | Rule::Reworded | Rule::Longer | Rule::Sure)
    }

    /// A short English explanation.
    pub fn describe(self) -> &'static str {
        match self {
            Rule::Contained => {
                "copy: most of the smaller text is in the other and most of the new text is shared"
            }
            Rule::Reworded => "copy: reworded, with shared text running through nearly all of the new text",
            Rule::Longer => "copy: the new text is a longer version that opens with nearly all of the other",
            Rule::Sure => "copy: nearly all of the smaller text is in the other",
            Rule::TooLittle => "not a copy: too little shared text",
            Rule::MinorityBlock => "not a copy: the shared text is a minority block of the new text",
            Rule::Below => "not a copy: too little of the smaller text is shared",
        }
    }
}

/// Compares query keys `q` (level `ql`, segment of each key in `qs` when known; keys of
/// segments flagged in `skip` are left out) with keys `c` at level `cl`, at the coarser
/// level. Both key lists are ascending and distinct. `eq` and `per` are scratch.
#[allow(clippy::too_many_arguments)]
fn judge(
    q: &[u32],
    qs: Option<&[u16]>,
    ql: u8,
    skip: &[bool],
    c: &[u32],
    cl: u8,
    eq: &mut Vec<bool>,
    per: &mut Vec<(u32, u32)>,
) -> Judged {
    let level = ql.max(cl);
    let q = &q[..class_count(q, level)];
    let c = &c[..class_count(c, level)];
    // A merge whose steps do not branch on how the two lists interleave (they are hashes:
    // such a branch would go either way at random).
    eq.clear();
    eq.resize(q.len(), false);
    let (mut i, mut j) = (0, 0);
    while i < q.len() && j < c.len() {
        let (a, b) = (q[i], c[j]);
        eq[i] = a == b;
        i += usize::from(a <= b);
        j += usize::from(b <= a);
    }
    let shared_all = eq.iter().filter(|&&e| e).count();
    let Some(qs) = qs.filter(|qs| qs.len() >= q.len()) else {
        return Judged {
            shared: shared_all,
            na: q.len(),
            nb: c.len(),
            ..Judged::default()
        };
    };
    let top = qs[..q.len()].iter().copied().max().map_or(0, usize::from);
    per.clear();
    per.resize(top + 1, (0, 0));
    let (mut na, mut nb, mut shared) = (0, c.len(), 0);
    for (&p, &e) in qs.iter().zip(eq.iter()) {
        let p = usize::from(p);
        if skip.get(p) == Some(&true) {
            // Left out on both sides.
            nb -= usize::from(e);
            continue;
        }
        na += 1;
        shared += usize::from(e);
        per[p].0 += 1;
        per[p].1 += u32::from(e);
    }
    let mut jd = Judged {
        shared,
        na,
        nb,
        placed: true,
        ..Judged::default()
    };
    let mut first = true;
    for &(n, h) in per.iter().filter(|(n, _)| *n > 0) {
        // (Two shared keys, so that one stray phrase does not count; one when the segment
        // has only one at this sampling level.)
        let solid = h >= 2.min(n) && 4 * h >= n;
        jd.qsegs += 1;
        jd.spread += usize::from(h > 0);
        jd.covered += if solid { n as usize } else { 0 };
        if first {
            // A reworded lead keeps a few shingles; a new one (a follow-up's) none.
            jd.lead = h >= 2;
            first = false;
        }
    }
    jd
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
    /// Scratch of [`judge`].
    scratch: (Vec<bool>, Vec<(u32, u32)>),
    /// The comparisons verified for the last doc: member, evidence, verdict.
    judged: Vec<(u32, Judged, Rule)>,
    /// The last doc's keys, their segments, its level and its skipped segments, to detail
    /// [`Index::verdicts`].
    last_query: (Vec<u32>, Vec<u16>, u8, Vec<bool>),
    boiler: Vec<bool>,
    list: Vec<u32>,
    heads: Vec<u32>,
}

fn uri_hash(uri: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(uri.as_bytes())
}

/// At most `max` bytes of `s`, cut at a char boundary.
fn cut(s: &str, max: usize) -> &str {
    &s[..s.floor_char_boundary(max)]
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
            judged: Vec::new(),
            scratch: Default::default(),
            last_query: Default::default(),
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

    /// The comparisons verified for the last doc applied (candidates that passed the
    /// anchor test), with their evidence and verdict: for diagnostics and `explain`.
    pub fn verdicts(&self) -> Vec<Verdict> {
        self.judged
            .iter()
            .filter_map(|&(m, j, rule)| {
                let x = self.members.get(m as usize)?.as_ref()?;
                Some(Verdict {
                    other: x.f.id().to_string(),
                    shared: j.shared,
                    keys: (j.na, j.nb),
                    containment: j.containment(),
                    cover: j.cover(),
                    spread: j.spread,
                    segments: j.qsegs,
                    lead: j.lead,
                    pattern: self.pattern(x),
                    rule,
                })
            })
            .collect()
    }

    /// Shared and total keys of each segment of the last query (skipped ones as `-`),
    /// compared with member `x` at the common level: "3/5 0/4 - 2/2".
    fn pattern(&self, x: &Member) -> String {
        let (keys, segs, level, skip) = &self.last_query;
        let level = (*level).max(x.level);
        let n = class_count(keys, level);
        let mut per: Vec<(u32, u32)> = Vec::new();
        for (i, &k) in keys[..n].iter().enumerate() {
            let p = usize::from(segs.get(i).copied().unwrap_or(0));
            if per.len() <= p {
                per.resize(p + 1, (0, 0));
            }
            per[p].1 += 1;
            per[p].0 += u32::from(x.keys[..class_count(&x.keys, level)].binary_search(&k).is_ok());
        }
        per.iter()
            .enumerate()
            .filter(|(_, (_, t))| *t > 0)
            .map(|(p, (h, t))| {
                if skip.get(p) == Some(&true) {
                    "-".to_string()
                } else {
                    format!("{h}/{t}")
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
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
        let why = format!("{} (containment {:.2})", best.rule.describe(), best.containment);
        events.push(self.event(best.cluster, EventKind::MemberAdded, m, Some(why), Vec::new()));
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
        self.judged.clear();
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
        // and the segments made of them: those where they are at least half the anchors
        // (a trailer or a line of site chrome is a segment of its own; a phrase many
        // stories share, such as a title and a name, does not make its prose boilerplate).
        let mut bpref = Vec::with_capacity(anchors.len() + 1);
        bpref.push(0u32);
        let mut skip: Vec<bool> = Vec::new();
        if self.boiler.contains(&true) {
            let mut tally: Vec<(u32, u32)> = Vec::new();
            for (i, &b) in self.boiler.iter().enumerate() {
                let p = usize::from(fp.segs[i]);
                if tally.len() <= p {
                    tally.resize(p + 1, (0, 0));
                }
                tally[p].0 += 1;
                tally[p].1 += u32::from(b);
            }
            skip = tally.iter().map(|&(n, b)| b > 0 && 2 * b >= n).collect();
        }
        for &b in &self.boiler {
            bpref.push(bpref.last().copied().unwrap_or(0) + u32::from(b));
        }
        {
            let q = &mut self.last_query;
            q.0.clone_from(&fp.keys);
            q.1.clone_from(&fp.segs);
            q.2 = fp.level;
            q.3.clone_from(&skip);
        }
        let touched = std::mem::take(&mut self.touched);
        let (mut eq, mut per) = std::mem::take(&mut self.scratch);
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
            let mut jd = judge(
                &fp.keys,
                Some(&fp.segs),
                fp.level,
                &skip,
                &b.keys,
                b.level,
                &mut eq,
                &mut per,
            );
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
            let rule = self.rule(&jd);
            let ci = b.cluster;
            self.judged.push((mi, jd, rule));
            if !rule.is_copy() {
                continue;
            }
            // A match through a representative must also hold against the canonical member,
            // at the lowest containment bar: a follow-up that holds the whole of a lead-only
            // brief (a representative) but only a paragraph or two of the story itself is
            // not a copy of the story.
            let canon = self.cluster(ci).canonical;
            if canon != mi && canon != exclude {
                let c = self.member(canon);
                let jc = judge(
                    &fp.keys,
                    Some(&fp.segs),
                    fp.level,
                    &skip,
                    &c.keys,
                    c.level,
                    &mut eq,
                    &mut per,
                );
                if jc.containment() < self.cfg.rewrite_containment {
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
                rule,
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
                        m.rule = rule;
                    }
                }
                None => best.push((seq, cand)),
            }
        }
        self.touched = touched;
        self.touched.clear();
        self.scratch = (eq, per);
        best.sort_by(|(sa, a), (sb, b)| {
            b.containment
                .total_cmp(&a.containment)
                .then(b.jaccard.total_cmp(&a.jaccard))
                .then(sa.cmp(sb))
        });
        best.into_iter().map(|(_, m)| m).collect()
    }

    /// The copy rule. Enough shared keys first. Then, where the shared text lies in the new
    /// doc: when it is a minority block of it (under [`Config::min_cover`] of its keys in
    /// shared segments), it is not a copy, unless the new doc is the longer one, opens with
    /// the other's text and holds enough of it ([`Config::longer_containment`]): a later,
    /// longer version (a follow-up opens with its own news). Otherwise it is a copy when
    /// the smaller doc is mostly in the other ([`Config::min_containment`]) and the shared
    /// text is in [`Config::min_spread`] of the new doc's segments, unless it is nearly all
    /// of the smaller doc ([`Config::sure_containment`]) or of the new doc
    /// ([`Config::rewrite_cover`]): else it is a minority block by paragraphs. Or, reworded,
    /// when less survives word for word ([`Config::rewrite_containment`]) but the shared
    /// segments hold nearly all of the new doc ([`Config::rewrite_cover`]) and twice
    /// [`Config::min_shared`] keys are shared (a short doc's few keys are weak evidence). Two stored
    /// members (no positions) need [`Config::sure_containment`].
    fn rule(&self, j: &Judged) -> Rule {
        let small = j.na.min(j.nb);
        if j.shared < self.cfg.min_shared.min(small).max(1) {
            return Rule::TooLittle;
        }
        let c = j.containment();
        if !j.placed {
            return if c >= self.cfg.sure_containment {
                Rule::Sure
            } else {
                Rule::Below
            };
        }
        let cover = j.cover();
        if cover < self.cfg.min_cover {
            return if j.na > j.nb && j.lead && c >= self.cfg.longer_containment {
                Rule::Longer
            } else {
                Rule::MinorityBlock
            };
        }
        if c >= self.cfg.min_containment {
            let spread = ratio(j.spread, j.qsegs);
            if spread >= self.cfg.min_spread
                || c >= self.cfg.sure_containment
                || cover >= self.cfg.rewrite_cover
            {
                Rule::Contained
            } else {
                Rule::MinorityBlock
            }
        } else if c >= self.cfg.rewrite_containment
            && cover >= self.cfg.rewrite_cover
            && j.shared >= 2 * self.cfg.min_shared
        {
            Rule::Reworded
        } else {
            Rule::Below
        }
    }

    fn is_copy(&self, j: &Judged) -> bool {
        self.rule(j).is_copy()
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
            nseg: fp.nseg,
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
        (x.first_out(), Reverse(x.ntok), x.seq) < (y.first_out(), Reverse(y.ntok), y.seq)
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
        // No positions for stored members: the sure bar applies.
        let jd = judge(
            &a.keys,
            None,
            a.level,
            &[],
            &b.keys,
            b.level,
            &mut Vec::new(),
            &mut Vec::new(),
        );
        let cc = jd.containment();
        if self.is_copy(&jd) {
            return Some(format!("canonical members match (containment {cc:.2})"));
        }
        let (c1, j1) = self.sim_to(m, cx);
        let (c2, j2) = self.sim_to(m, cy);
        // Chained edits: the new doc passed the copy rule against both clusters, overlaps
        // each canonical as a version of it would (not a much longer roundup holding both),
        // and the canonicals share text too. A heavily edited copy that arrived before the
        // version linking it to its story is folded in, as it would have joined had it
        // arrived after.
        let cj = self.cfg.chain_jaccard;
        if j1 >= cj && j2 >= cj && cc >= self.cfg.rewrite_containment {
            return Some(format!(
                "new member is a copy of both, whose canonical members share text ({j1:.2}, {j2:.2}; {cc:.2})"
            ));
        }
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
            mm.nseg = fp.nseg;
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
        let (mut eq, mut per) = (Vec::new(), Vec::new());
        for x in order.filter(|&x| x != m).take(256) {
            let o = self.member(x);
            let jd = judge(
                &fp.keys,
                Some(&fp.segs),
                fp.level,
                &[],
                &o.keys,
                o.level,
                &mut eq,
                &mut per,
            );
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
    /// Segments of the second text holding shared keys.
    pub spread: usize,
    /// Segments of the second text holding keys.
    pub segments: usize,
    /// Share of the second text's keys in its shared segments.
    pub cover: f32,
    /// The second text opens with shared text.
    pub lead: bool,
    /// The copy rule's reason.
    pub rule: Rule,
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
    let jd = judge(
        &fb.keys,
        Some(&fb.segs),
        fb.level,
        &[],
        &fa.keys,
        fa.level,
        &mut Vec::new(),
        &mut Vec::new(),
    );
    let (n, na, nb) = overlap(fa.anchors(), fa.alevel, fb.anchors(), fb.alevel);
    let ix = Index::new(config.clone());
    let rule = if ix.indexable(&fa) && ix.indexable(&fb) {
        ix.rule(&jd)
    } else {
        Rule::TooLittle
    };
    Similarity {
        shared: jd.shared,
        sizes: (jd.nb, jd.na),
        containment: jd.containment(),
        jaccard: jd.jaccard(),
        spread: jd.spread,
        segments: jd.qsegs,
        cover: jd.cover(),
        lead: jd.lead,
        anchor_containment: ratio(n, na.min(nb)),
        copy: rule.is_copy(),
        rule,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// [`judge`] against a plain count over sets.
    #[test]
    fn judge_counts_like_sets() {
        let mut rng = wirefold_corpus::Rng::new(1);
        let mut rnd = |n: u64| rng.below(n as usize) as u64;
        let (mut eq, mut per) = (Vec::new(), Vec::new());
        for _ in 0..3_000 {
            let span = 1 + rnd(400) as u32;
            let mut keys = |len: u64| {
                let mut v: Vec<u32> = (0..rnd(len)).map(|_| rnd(u64::from(span)) as u32).collect();
                v.sort_unstable();
                v.dedup();
                v
            };
            let (q, c) = (keys(300), keys(300));
            let nseg = 1 + rnd(20);
            let qs: Vec<u16> = (0..q.len()).map(|_| rnd(nseg) as u16).collect();
            let skip: Vec<bool> = (0..nseg).map(|_| rnd(6) == 0).collect();
            let got = judge(&q, Some(&qs), 0, &skip, &c, 0, &mut eq, &mut per);
            let kept: Vec<usize> = (0..q.len()).filter(|&i| !skip[usize::from(qs[i])]).collect();
            let hit = |i: usize| c.binary_search(&q[i]).is_ok();
            let shared = kept.iter().filter(|&&i| hit(i)).count();
            let dropped = (0..q.len())
                .filter(|&i| skip[usize::from(qs[i])] && hit(i))
                .count();
            assert_eq!(
                (got.shared, got.na, got.nb),
                (shared, kept.len(), c.len() - dropped)
            );
            let (mut covered, mut spread) = (0, 0);
            for p in 0..nseg as u16 {
                let n = kept.iter().filter(|&&i| qs[i] == p).count();
                let h = kept.iter().filter(|&&i| qs[i] == p && hit(i)).count();
                spread += usize::from(h > 0);
                if h >= 2.min(n) && 4 * h >= n {
                    covered += n;
                }
            }
            assert_eq!((got.covered, got.spread), (covered, spread));
            let plain = judge(&q, None, 0, &[], &c, 0, &mut eq, &mut per);
            assert_eq!(plain.shared, (0..q.len()).filter(|&i| hit(i)).count());
            assert!(!plain.placed);
        }
    }
}
