//! Stories: groups of copy clusters that report one news event.
//!
//! The copy [`Index`](crate::Index) folds copies of one text; a [`StoryIndex`] sits above it
//! and groups the copy clusters that cover one event, independently written articles
//! included. It is pure and deterministic like the copy index: no IO, no async, no clock
//! (time comes only from the callers' `time_ms`), no serde. The same sequence of calls gives
//! the same stories, ids and versions, also across a [`StoryIndex::snapshot`] /
//! [`StoryIndex::restore`] round trip.
//!
//! # Features
//!
//! A copy cluster is described once, by the text of its first article ([`Text`]): the title
//! (left out when the body starts with it) and at most [`Config::max_body_bytes`] bytes /
//! [`Config::max_tokens`] tokens of the body. The tokenizer is language-neutral: a token is
//! a run of letters (`char::is_alphabetic`, lower-cased, combining marks ignored) or a run of
//! digits (any script's decimal digits, read as ASCII; `3.5` and `1,200` stay one number);
//! scripts written without spaces (Han, kana, Thai, Lao, Khmer, Myanmar) give overlapping
//! character bigrams. There is no stop-word list: common words are weighed down by their
//! document frequency. The terms of the first [`Config::lead_tokens`] tokens (of the title,
//! and of the body) count twice: the lede names the event. The tokens feed four channels,
//! each a separate TF-IDF vector:
//!
//! * **content words**: every letter token of two or more characters and the CJK bigrams.
//!   Words of scripts with case are cut to [`Config::stem_chars`] characters (0 = whole
//!   words), words of other scripts without case (Devanagari, Hebrew...) to
//!   [`Config::caseless_stem_chars`]: a crude stemmer for scripts with rich affixing, where
//!   an agency text and a newspaper rewrite of it inflect the same words differently.
//!   Words of the Arabic script (Urdu, Arabic, Persian) are read as their consonant
//!   skeleton: letter variants folded as the copy tokenizer folds them (Arabic, Urdu and
//!   Persian keyboards' yeh, kaf and heh), hamza and madda forms as their base letter, and
//!   the long-vowel letters (alef, waw, yeh, yeh barree) after a word's first letter left
//!   out. Short vowels are not written in that script, and the long ones are where
//!   spellings of one word or name differ most, above all names from other languages
//!   ("رنگنا" and "رنگانا" for Rangana, "آسٹریلیا" and "اسٹرلیا"). Skeletons are cut to
//!   [`Config::skeleton_stem_chars`] letters;
//! * **names**: in scripts with case, each capitalised token and each pair of adjacent
//!   capitalised tokens separated only by spaces or a hyphen ("Peter Capaldi", "United
//!   States"). Scripts without case have no capitals to find names by, so there (with
//!   [`Config::caseless_pairs`]) every pair of adjacent words fills the channel instead:
//!   document frequency leaves the rare pairs (names, set phrases of the event) on top;
//! * **years**: four-digit numbers from 1800 to 2100;
//! * **numbers**: every other number (leading zeros dropped).
//!
//! Document frequencies are learned incrementally over the clusters placed (every distinct
//! term of the prefix counts once; an open-addressing table), `idf = ln(1 + N / df)`; a
//! term's weight is `(1 + ln tf) * idf`. Each cluster keeps only its top
//! [`Config::doc_terms`] terms per channel; each channel vector is L2-normalised. When the
//! frequency table holds more than [`Config::max_df_terms`] terms all counts (and N) are
//! halved and terms at zero dropped, so memory stays bounded on an endless stream. A text
//! with no names or numbers is simply matched on its words (the missing channels leave the
//! mean); an empty or letterless text starts a story of its own.
//!
//! # Similarity and decisions
//!
//! A story is a centroid: the sum of its clusters' normalised vectors, stored as idf-free
//! term mass with a cached idf (refreshed when N has grown by a quarter since the story last
//! refreshed) and pruned to its top [`Config::story_terms`] per channel. The similarity of a
//! new cluster to a story is the weighted mean of the per-channel cosines,
//! `sum_c a_c cos_c / sum_c a_c` over the channels the new cluster has
//! ([`Config::channel_weights`]; a year or number the story never mentions lowers the
//! score; numbers and years alone never link: two word or name terms must be shared, and a
//! capitalised word is both, so one shared common word such as "test" links nothing), times a
//! time factor. The time factor is `1 / (1 + gap / decay)`, where `gap` is
//! how far `time_ms` lies outside the story's first-seen..updated span less
//! [`Config::grace_days`] (same- and next-day coverage is free) and `decay` is
//! [`Config::decay_days`], times `1 / (1 + age / age_days)`, where `age` is how far
//! `time_ms` lies past the story's first article, again less the grace
//! ([`Config::age_days`]): a story cannot chain on for weeks through daily follow-ups that
//! each resemble the previous day's. This is centroid linkage: a cluster is compared with
//! the story as a whole, never with single members, so an article that mentions two events
//! cannot chain them together, and stories only merge when the copy index merges copy
//! clusters ([`StoryIndex::merge_clusters`]).
//!
//! Candidates come from an inverted index: each story is indexed under the top
//! [`Config::story_keys`] terms of its centroid; a new cluster looks up its top
//! [`Config::query_terms`] terms (terms indexed under more than [`Config::max_postings`]
//! stories are skipped as too common), and the [`Config::max_candidates`] stories sharing
//! most of them are scored exactly. Each candidate asks for a similarity of
//! [`Config::join_threshold`]; for a cluster with capitalised names it asks
//! [`Config::cased_extra`] more plus [`Config::young_boost`] divided by the clusters placed
//! in the story so far. A young story is one or two single articles, the noisiest thing to
//! compare with, and in scripts with case the shared names of two sibling events (the same
//! club, the same office, the same actor) make their texts look alike: most wrong merges of
//! sibling events start with the second event's first article joining the first event's
//! one-article story, after which the centroid carries both. Scripts without case match on
//! words and word pairs, whose cosines run lower, and keep the plain threshold. The cluster
//! joins the candidate with the largest margin over its own threshold when that margin is
//! not negative, else it starts a story. Ties go to the older story.
//!
//! # Revisable placement of one-cluster stories
//!
//! A first decision is taken on one article and is often wrong in the careful direction:
//! two reports of one event that share little each start a story. So a placement is
//! revisable while a story holds a single cluster: after a new cluster joins story `T`, the
//! one-cluster story that shared most of the new cluster's query terms (among its candidates;
//! at most one is re-checked) is scored against the grown `T`, its centroid (= its
//! cluster's vector) taken as the cluster. When it clears the threshold a cluster with
//! capitalised names would ask of `T` now (young-story extra included, whatever the script:
//! a second chance asks more than a first placement) plus [`Config::absorb_extra`], it folds
//! into `T` like a story merge ([`Placement::absorbed`]; the worker emits a `merged` story
//! event caused by the new cluster). Only single-cluster stories are revised, so a wrong
//! revision moves one cluster, and stories of two or more clusters never merge except
//! through copy merges. The candidate comes from the lookup the placement made anyway,
//! so the revision costs one centroid comparison per join. It is deterministic and needs
//! no new state (the snapshot format is unchanged). On newscopy-dev it raises story
//! recall (B-cubed 0.887 to 0.934 in file order) and the mean B-cubed F1 over the file
//! order and six shuffled orders from 0.870 to 0.887; it does not separate sibling events
//! that the first placements lumped (see BENCHMARKS.md, Stories).
//!
//! Nothing depends on the headline alone: the title is just more text, and a cluster whose
//! first article has no title (a plain-text feed) is placed on its body.
//!
//! # Lifecycle
//!
//! Like the copy index, a cluster whose newest activity ([`StoryIndex::place`],
//! [`StoryIndex::touch`], [`StoryIndex::merge_clusters`]) is older than
//! [`Config::horizon_secs`] before the newest time seen leaves silently; a story leaves with
//! its last cluster, and coverage beyond the horizon starts a new story. Also like the copy
//! index, a cluster whose newest activity time is <= 0 (undated input to `wirefold
//! cluster`) never expires: the horizon cannot judge it, so an undated article and a dated
//! copy of it that arrives later stay in one story; the first dated activity puts the
//! cluster under the horizon. A removed (withdrawn) or expired cluster's terms stay in its
//! story's centroid (the story still reports that event); a story whose last cluster is
//! removed is gone. Memory is bounded per story (centroid and keys capped) and per cluster
//! (a map entry and an expiry entry), so 10,000 copies of one article in one copy cluster
//! cost one cluster, and 10,000 copy clusters of one text one story with a capped centroid.
//!
//! The times a story shows ([`StoryIndex::first_seen_ms`], [`StoryIndex::updated_ms`]) are
//! not the times it is matched by: the caller widens them with each article's own times
//! ([`StoryIndex::show`]; the deduplicator gives when the article was first published and
//! when its latest version was, never after it was received), so a story of archive
//! articles shows their dates while its event times stay in the receive window. A story
//! nobody showed a time for shows its event times.
//!
//! # Ranking
//!
//! Each story keeps its clusters ranked by a weight the caller sets
//! ([`StoryIndex::set_weight`]; the deduplicator gives the member count), heaviest first,
//! ties to the cluster placed first, and the sum of the weights. Placements, copy merges,
//! story folds, removals and expiry keep the ranking, in O(log n) per cluster moved, so an
//! event listing a story's largest clusters ([`StoryIndex::ranked`]) costs the same for a
//! story of five clusters and one of fifty thousand (a running story in a busy week). The
//! ranking is the one record of which clusters a story has: taking one out is O(log n),
//! and [`StoryIndex::clusters_of`] (placement order) sorts a copy of it on demand.

use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeSet, BinaryHeap, HashMap};

use smallvec::SmallVec;
use unicode_normalization::char::{decompose_compatible, is_combining_mark};

use crate::SnapshotError;
use crate::postings::BuildMul;
use crate::snapshot::{R, W};
use crate::text::fold_letter;

type Map<K, V> = HashMap<K, V, BuildMul>;
/// The stories indexed under a term. Most terms key one to four stories: those lists live
/// in the map's entry itself (as large as a `Vec`), so a lookup costs one cache miss, not
/// two.
type Posting = SmallVec<[u32; 4]>;

/// Channels: content words, names, years, other numbers (the top two bits of a term).
const CHANNELS: usize = 4;
const WORD: u32 = 0;
const NAME: u32 = 1;
const YEAR: u32 = 2;
const NUM: u32 = 3;
/// Word and name terms a cluster shares with a story at least to be scored against it.
const MIN_SHARED_TERMS: u32 = 2;
const DAY_MS: f64 = 86_400_000.0;
/// One-cluster stories re-checked after a join at most (see `absorb_singletons`).
const ABSORB_CANDIDATES: usize = 1;
/// Languages kept per story at most, and bytes per language tag.
const MAX_LANGS: usize = 16;
const MAX_LANG_BYTES: usize = 35;

fn channel(t: u32) -> usize {
    (t >> 30) as usize
}

/// Story index settings; `Default` is what the tests and benchmarks use.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Seconds after which a cluster whose newest activity is older than the newest time
    /// seen leaves (same as the copy clusters' horizon).
    pub horizon_secs: i64,
    /// Clusters a story event lists at most (for the callers building events; the index
    /// itself keeps all of them).
    pub max_event_clusters: usize,
    /// Bytes of body read per cluster at most (cut at a char boundary): the lede carries
    /// the event, and this bounds the work on long articles.
    pub max_body_bytes: usize,
    /// Tokens read per cluster at most (title included).
    pub max_tokens: usize,
    /// Content words are cut to this many characters (0: whole words).
    pub stem_chars: usize,
    /// Words of scripts without case (Devanagari, Hebrew, ...) are cut to this many
    /// characters (0: whole words): a crude stemmer for scripts with rich affixing.
    pub caseless_stem_chars: usize,
    /// Words of the Arabic script (Urdu, Arabic, Persian) are read as their consonant
    /// skeleton (see the module docs) and cut to this many letters of it (0: whole
    /// skeletons).
    pub skeleton_stem_chars: usize,
    /// Pairs of adjacent words of scripts without case fill the names channel (which
    /// capitalised runs fill in scripts with case).
    pub caseless_pairs: u8,
    /// Terms of the first this many tokens (of the title, and of the body) count twice:
    /// the lede names the event.
    pub lead_tokens: usize,
    /// Terms a cluster keeps per channel (content words, names, years, numbers).
    pub doc_terms: [usize; CHANNELS],
    /// Terms a story centroid keeps per channel (pruned when 1.5 times over).
    pub story_terms: [usize; CHANNELS],
    /// Weight of each channel's cosine in the similarity.
    pub channel_weights: [f32; CHANNELS],
    /// Terms of a new cluster looked up in the inverted index.
    pub query_terms: usize,
    /// Terms of a story's centroid under which the story is indexed.
    pub story_keys: usize,
    /// Terms indexed under more stories than this are skipped in candidate search.
    pub max_postings: usize,
    /// Candidate stories scored exactly per new cluster.
    pub max_candidates: usize,
    /// Extra similarity a young story asks of a cluster with capitalised names: its
    /// threshold is `join_threshold + cased_extra + young_boost / clusters placed in the
    /// story` (a story of one article compares two single articles, the noisiest case, and
    /// shared names make sibling events look alike).
    pub young_boost: f32,
    /// Extra similarity asked of clusters with capitalised names (their names channel
    /// raises every similarity; scripts without case match on words and word pairs).
    pub cased_extra: f32,
    /// Similarity a new cluster needs to join a story (clusters with capitalised names ask
    /// [`Config::cased_extra`] and [`Config::young_boost`] more).
    pub join_threshold: f32,
    /// Days of gap between a cluster and a story's span that are free (same- and next-day
    /// coverage).
    pub grace_days: f32,
    /// Days of gap beyond the grace that halve the similarity.
    pub decay_days: f32,
    /// Days past the grace since the story's first article that halve the similarity
    /// (0: off): a story does not chain on forever through daily follow-ups.
    pub age_days: f32,
    /// Distinct terms in the document-frequency table before counts are halved.
    pub max_df_terms: usize,
    /// After a new cluster joins a story, the one-cluster story that shared most of its
    /// query terms folds into that story when its cluster now clears, against the grown
    /// story, the threshold a cluster with capitalised names asks plus this much
    /// (`f32::INFINITY`: never). See the module docs.
    pub absorb_extra: f32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            horizon_secs: 7 * 24 * 3600,
            max_event_clusters: 64,
            max_body_bytes: 3000,
            max_tokens: 300,
            stem_chars: 0,
            caseless_stem_chars: 4,
            skeleton_stem_chars: 3,
            caseless_pairs: 1,
            lead_tokens: 80,
            doc_terms: [40, 20, 4, 8],
            story_terms: [96, 40, 8, 16],
            channel_weights: [1.0, 1.0, 0.3, 0.25],
            query_terms: 32,
            story_keys: 48,
            max_postings: 64,
            max_candidates: 4,
            young_boost: 0.08,
            cased_extra: 0.015,
            join_threshold: 0.135,
            grace_days: 1.5,
            decay_days: 1.0,
            age_days: 2.0,
            max_df_terms: 1 << 20,
            absorb_extra: 0.06,
        }
    }
}

impl Config {
    /// Stem lengths of words with case, without case, and in the Arabic script.
    fn stems(&self) -> [usize; 3] {
        [
            self.stem_chars,
            self.caseless_stem_chars,
            self.skeleton_stem_chars,
        ]
    }

    /// The settings that shape stored features: a snapshot only restores under the same.
    fn feature_settings(&self) -> Vec<u64> {
        let mut v = vec![
            self.max_body_bytes as u64,
            self.max_tokens as u64,
            self.stem_chars as u64,
            self.caseless_stem_chars as u64,
            self.skeleton_stem_chars as u64,
            u64::from(self.caseless_pairs),
            self.lead_tokens as u64,
            self.story_keys as u64,
            self.max_df_terms as u64,
        ];
        v.extend(self.doc_terms.iter().map(|&x| x as u64));
        v.extend(self.story_terms.iter().map(|&x| x as u64));
        v
    }
}

/// Identifier of a story.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StoryId(pub u64);

impl std::fmt::Display for StoryId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "s{:016x}", self.0)
    }
}

/// Text of a copy cluster's first article.
#[derive(Debug, Clone, Copy, Default)]
pub struct Text<'a> {
    /// Headline (may be empty).
    pub title: &'a str,
    /// Body text.
    pub body: &'a str,
    /// Language tag, when known (listed by [`StoryIndex::languages`], not used to match).
    pub lang: Option<&'a str>,
}

/// Where [`StoryIndex::place`] put a cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct Placement {
    /// The story the cluster is in now.
    pub story: StoryId,
    /// The story was created for this cluster.
    pub created: bool,
    /// Similarity to the story joined (0 when created).
    pub similarity: f32,
    /// One-cluster stories folded into the joined story right after the join (their
    /// cluster belongs to it now; the stories are gone), in the order met.
    pub absorbed: Vec<StoryId>,
}

/// Stories folded into one by [`StoryIndex::merge_clusters`].
#[derive(Debug, Clone, PartialEq)]
pub struct StoryMerge {
    /// The surviving story.
    pub story: StoryId,
    /// The stories folded into it (they no longer exist), in the order met.
    pub absorbed: Vec<StoryId>,
}

/// Counters and sizes of a story index.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StoryStats {
    /// Live stories.
    pub stories: usize,
    /// Live copy clusters.
    pub clusters: usize,
    /// Stories absorbed by merges.
    pub merges: u64,
    /// Clusters that left past the horizon.
    pub expired: u64,
    /// Approximate heap bytes held.
    pub heap_bytes: usize,
    /// Clusters placed with [`StoryIndex::place`].
    pub placed: u64,
    /// Stories created.
    pub created: u64,
    /// Stories that left past the horizon (with their last cluster).
    pub expired_stories: u64,
    /// Distinct terms in the document-frequency table.
    pub df_terms: usize,
    /// Postings (story, term) in the inverted index.
    pub postings: usize,
}

/// One centroid term: idf-free mass and the idf cached at the last refresh.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Ent {
    term: u32,
    mass: f32,
    idf: f32,
}

/// One term of a new cluster.
#[derive(Debug, Clone, Copy)]
struct DocTerm {
    term: u32,
    /// Normalised weight (per channel).
    w: f32,
    /// `w / idf`: what the centroid accumulates.
    mass: f32,
    idf: f32,
}

impl DocTerm {
    /// What the term adds to a centroid.
    fn ent(&self) -> Ent {
        Ent {
            term: self.term,
            mass: self.mass,
            idf: self.idf,
        }
    }
}

#[derive(Debug, Clone)]
struct Story {
    id: StoryId,
    /// Creation order: the tie-break, independent of slots.
    seq: u64,
    version: u64,
    /// Event times (bounded by the receive time: matching and the horizon).
    first_ms: i64,
    updated_ms: i64,
    /// What its events show as first seen and updated ([`StoryIndex::show`]); `(i64::MAX,
    /// i64::MIN)` until a caller shows a time.
    shown: (i64, i64),
    langs: Vec<Box<str>>,
    /// Centroid, sorted by term.
    cent: Vec<Ent>,
    /// Per-channel L2 norm of the centroid's weights (mass * idf).
    norm: [f32; CHANNELS],
    /// N at the last idf refresh.
    idf_n: u64,
    /// Terms the story is indexed under, sorted.
    keys: Vec<u32>,
    /// Clusters placed into the story so far (how young it is).
    joins: u64,
    /// Its clusters by rank: weight descending, then placed first (see
    /// [`StoryIndex::ranked`]).
    ranked: BTreeSet<Rank>,
    /// Sum of its clusters' weights.
    weight: u64,
}

/// A cluster's place in its story's ranking: (weight descending, placement order, key).
type Rank = (Reverse<u64>, u64, u64);

#[derive(Debug, Clone, Copy)]
struct Clu {
    story: u32,
    last_ms: i64,
    seq: u64,
    /// What the caller ranks it by ([`StoryIndex::set_weight`]; 1 when placed).
    weight: u64,
}

impl Clu {
    fn rank(&self, key: u64) -> Rank {
        (Reverse(self.weight), self.seq, key)
    }
}

/// A [`StoryIndex`]'s snapshot state, copied by [`StoryIndex::snapshot_copy`]: only for
/// encoding.
#[derive(Debug)]
pub struct StorySnapshot(StoryIndex);

impl StorySnapshot {
    /// The bytes [`StoryIndex::snapshot`] wrote when the copy was taken.
    pub fn encode(&self) -> Vec<u8> {
        self.0.snapshot()
    }
}

/// The story index: places copy clusters into stories. See the module docs.
#[derive(Debug)]
pub struct StoryIndex {
    cfg: Config,
    stories: Vec<Option<Story>>,
    /// Each slot's story's `seq` (fixed for the story's life), apart from the stories so
    /// that ranking candidates does not touch every candidate story.
    slot_seq: Vec<u64>,
    free: Vec<u32>,
    by_id: Map<u64, u32>,
    clusters: Map<u64, Clu>,
    /// `(last_ms, seq, key)`, one entry per live cluster (stale ones re-pushed lazily).
    expiry: BinaryHeap<Reverse<(i64, u64, u64)>>,
    /// Term to story slots.
    postings: Map<u32, Posting>,
    df: DfTable,
    n_docs: u64,
    now_ms: Option<i64>,
    next_story: u64,
    next_cluster: u64,
    merges: u64,
    expired: u64,
    expired_stories: u64,
    placed: u64,
    created: u64,
    // Scratch, not state.
    scratch_terms: Vec<u32>,
    /// (term, raw weight, 1 + ln tf, idf) of the cluster being placed.
    scratch_raw: Vec<(u32, f32, f32, f32)>,
    scratch_part: Vec<(u64, f32, f32)>,
    /// Term counting table (all zero between calls) and the distinct terms counted.
    scratch_count: Vec<u64>,
    /// Distinct terms counted, with their slot in the counting table.
    scratch_distinct: Vec<(u32, u32)>,
    /// The distinct terms alone (for the frequency table's prefetch).
    scratch_terms2: Vec<u32>,
    /// Query terms and candidates of the cluster being placed.
    scratch_query: Vec<u64>,
    scratch_cands: Vec<(u32, u64, u32)>,
    /// The previous centroid of the story being joined (its buffer is reused).
    scratch_cent: Vec<Ent>,
    /// The cluster being scored as a lookup table (empty outside scoring) and its channels.
    doc_tab: Vec<(u32, f32)>,
    doc_has: [bool; CHANNELS],
    hits: Vec<u32>,
    touched: Vec<u32>,
    /// Best candidate of the last new cluster placed, joined or not (diagnostics).
    last_best: Option<(StoryId, f32)>,
    /// The cluster being placed has capitalised names.
    cased: bool,
    /// One-cluster stories among the candidates of the cluster being placed, most shared
    /// query terms first (at most [`ABSORB_CANDIDATES`]): what
    /// [`StoryIndex::absorb_singletons`] re-checks after the join.
    single_cands: Vec<u32>,
    /// Record every scored candidate (evaluation tools only; off by default).
    trace: bool,
    /// Scored candidates of the last placement when tracing: story, per-channel cosines
    /// (-1 where the cluster lacks the channel), time factor, clusters placed, margin.
    trace_cands: Vec<(StoryId, [f32; CHANNELS], f32, u64, f32)>,
}

/// Document frequencies: open addressing over `(term << 32) | count` slots (count 0 =
/// empty), linear probing, at most half full. Terms are hashes already, so their low bits
/// pick the slot.
#[derive(Debug, Default, Clone)]
struct DfTable {
    slots: Vec<u64>,
    len: usize,
}

impl DfTable {
    fn mask(&self) -> usize {
        self.slots.len() - 1
    }

    fn home(&self, t: u32) -> usize {
        (t.wrapping_mul(0x9e37_79b1) as usize ^ t as usize) & self.mask()
    }

    fn find(&self, t: u32) -> usize {
        let mut i = self.home(t);
        loop {
            let v = self.slots[i];
            if v as u32 == 0 || (v >> 32) as u32 == t {
                return i;
            }
            i = (i + 1) & self.mask();
        }
    }

    fn len(&self) -> usize {
        self.len
    }

    fn get(&self, t: u32) -> u32 {
        if self.slots.is_empty() {
            return 0;
        }
        self.slots[self.find(t)] as u32
    }

    /// Loads the home slots of `terms` so that the misses overlap (a prefetch without
    /// `unsafe`); the result only keeps the loads alive.
    fn touch(&self, terms: &[u32]) -> u64 {
        if self.slots.is_empty() {
            return 0;
        }
        let mut acc = 0u64;
        for &t in terms {
            acc = acc.wrapping_add(self.slots[self.home(t)]);
        }
        std::hint::black_box(acc)
    }

    fn reserve(&mut self, n: usize) {
        let want = (n.max(8) * 2).next_power_of_two();
        if self.slots.len() < want {
            let old = std::mem::replace(&mut self.slots, vec![0; want]);
            for v in old {
                if v as u32 != 0 {
                    let i = self.find((v >> 32) as u32);
                    self.slots[i] = v;
                }
            }
        }
    }

    /// Counts one more document with `t`; returns the new count.
    fn bump(&mut self, t: u32) -> u32 {
        if (self.len + 1) * 2 > self.slots.len() {
            self.reserve(self.len + 1);
        }
        let i = self.find(t);
        let v = self.slots[i];
        let c = (v as u32).saturating_add(1);
        if v as u32 == 0 {
            self.len += 1;
        }
        self.slots[i] = (u64::from(t) << 32) | u64::from(c);
        c
    }

    fn set(&mut self, t: u32, c: u32) {
        if (self.len + 1) * 2 > self.slots.len() {
            self.reserve(self.len + 1);
        }
        let i = self.find(t);
        if self.slots[i] as u32 == 0 {
            self.len += 1;
        }
        self.slots[i] = (u64::from(t) << 32) | u64::from(c);
    }

    fn iter(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.slots
            .iter()
            .filter(|v| **v as u32 != 0)
            .map(|v| ((v >> 32) as u32, *v as u32))
    }

    /// Halves every count, dropping terms at zero (rebuilds the table).
    fn halve(&mut self) {
        let kept: Vec<(u32, u32)> = self.iter().map(|(t, c)| (t, c / 2)).filter(|x| x.1 > 0).collect();
        self.slots.clear();
        self.len = 0;
        self.reserve(kept.len());
        for (t, c) in kept {
            self.set(t, c);
        }
    }
}

/// `1 + ln tf`, from a table for small counts.
fn tf_weight(n: usize) -> f32 {
    const T: [f32; 9] = [
        0.0,
        1.0,
        1.693_147_2,
        2.098_612_3,
        2.386_294_4,
        2.609_438,
        2.791_759_5,
        2.945_910_3,
        3.079_441_5,
    ];
    match T.get(n) {
        Some(&x) => x,
        None => 1.0 + (n as f32).ln(),
    }
}

/// Slot of a term in a power-of-two lookup table.
fn slot_of_term(t: u32, mask: usize) -> usize {
    (t.wrapping_mul(0x9e37_79b1) >> 7) as usize & mask
}

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn idf(n: u64, df: u32) -> f32 {
    (1.0 + n as f32 / df.max(1) as f32).ln()
}

fn norms(cent: &[Ent]) -> [f32; CHANNELS] {
    let mut n = [0f32; CHANNELS];
    for e in cent {
        let w = e.mass * e.idf;
        n[channel(e.term)] += w * w;
    }
    n.map(f32::sqrt)
}

/// A sort key that orders by weight, larger first (in `f32::total_cmp`'s order), then by
/// term: one integer comparison instead of a float comparison and a tie-break.
fn by_weight(w: f32, term: u32) -> u64 {
    let b = w.to_bits();
    let ascending = if b >> 31 == 1 { !b } else { b | 0x8000_0000 };
    (u64::from(!ascending) << 32) | u64::from(term)
}

impl StoryIndex {
    /// An empty index.
    pub fn new(config: Config) -> Self {
        StoryIndex {
            cfg: config,
            stories: Vec::new(),
            slot_seq: Vec::new(),
            free: Vec::new(),
            by_id: Map::default(),
            clusters: Map::default(),
            expiry: BinaryHeap::new(),
            postings: Map::default(),
            df: DfTable::default(),
            n_docs: 0,
            now_ms: None,
            next_story: 0,
            next_cluster: 0,
            merges: 0,
            expired: 0,
            expired_stories: 0,
            placed: 0,
            created: 0,
            scratch_terms: Vec::new(),
            scratch_raw: Vec::new(),
            scratch_part: Vec::new(),
            scratch_count: Vec::new(),
            scratch_distinct: Vec::new(),
            scratch_terms2: Vec::new(),
            scratch_query: Vec::new(),
            scratch_cands: Vec::new(),
            scratch_cent: Vec::new(),
            doc_tab: Vec::new(),
            doc_has: [false; CHANNELS],
            hits: Vec::new(),
            touched: Vec::new(),
            last_best: None,
            cased: false,
            single_cands: Vec::new(),
            trace: false,
            trace_cands: Vec::new(),
        }
    }

    /// The settings.
    pub fn config(&self) -> &Config {
        &self.cfg
    }

    fn story(&self, slot: u32) -> &Story {
        self.stories[slot as usize].as_ref().expect("live story slot")
    }

    fn story_mut(&mut self, slot: u32) -> &mut Story {
        self.stories[slot as usize].as_mut().expect("live story slot")
    }

    fn slot_of(&self, story: StoryId) -> Option<u32> {
        self.by_id.get(&story.0).copied()
    }

    /// A new copy cluster (key = the copy index's `ClusterId.0`) with its first article at
    /// event time `time_ms`: joins the best matching live story or starts one. A cluster
    /// already known is only touched (similarity 1).
    pub fn place(&mut self, cluster: u64, text: &Text<'_>, time_ms: i64) -> Placement {
        self.advance(time_ms);
        if self.clusters.contains_key(&cluster) {
            let story = self.touch(cluster, time_ms).expect("known cluster");
            return Placement {
                story,
                created: false,
                similarity: 1.0,
                absorbed: Vec::new(),
            };
        }
        self.placed += 1;
        let doc = self.features(text);
        self.last_best = None;
        let best = self.best_story(&doc, time_ms);
        let seq = self.next_cluster;
        self.next_cluster += 1;
        let (slot, created, similarity) = match best {
            Some((slot, sim)) => {
                self.join(slot, &doc);
                (slot, false, sim)
            }
            None => (self.create(&doc, time_ms), true, 0.0),
        };
        self.story_mut(slot).joins += 1;
        let lang = text.lang;
        let c = Clu {
            story: slot,
            last_ms: time_ms,
            seq,
            weight: 1,
        };
        let s = self.story_mut(slot);
        s.ranked.insert(c.rank(cluster));
        s.weight += c.weight;
        s.first_ms = s.first_ms.min(time_ms);
        s.updated_ms = s.updated_ms.max(time_ms);
        if let Some(l) = lang {
            add_lang(&mut s.langs, l);
        }
        let id = s.id;
        self.clusters.insert(cluster, c);
        self.expiry.push(Reverse((time_ms, seq, cluster)));
        let absorbed = if created {
            Vec::new()
        } else {
            self.absorb_singletons(slot)
        };
        Placement {
            story: id,
            created,
            similarity,
            absorbed,
        }
    }

    /// An existing cluster got an article (new member or new version) at `time_ms`:
    /// refreshes activity times. `None` when the cluster is unknown (e.g. its story
    /// expired): the caller then calls [`StoryIndex::place`] with the article's text.
    pub fn touch(&mut self, cluster: u64, time_ms: i64) -> Option<StoryId> {
        self.advance(time_ms);
        let c = self.clusters.get_mut(&cluster)?;
        let (was, seq) = (c.last_ms, c.seq);
        c.last_ms = c.last_ms.max(time_ms);
        let slot = c.story;
        if was <= 0 && c.last_ms > 0 {
            // Undated so far, so out of the expiry queue: the horizon can judge it now.
            self.expiry.push(Reverse((time_ms, seq, cluster)));
        }
        let s = self.story_mut(slot);
        s.updated_ms = s.updated_ms.max(time_ms);
        Some(s.id)
    }

    /// Copy clusters `from` were merged into copy cluster `into`: every story holding one
    /// of them merges into one. The survivor is `into`'s story, or when `into` is unknown
    /// the story of the first known key of `from`. The `from` keys stop existing (their
    /// features are already in the stories' centroids, which fold into the survivor's) and
    /// `into` is in the survivor afterwards. `None` when none of the keys is known.
    pub fn merge_clusters(&mut self, into: u64, from: &[u64], time_ms: i64) -> Option<StoryMerge> {
        self.advance(time_ms);
        let mut involved: Vec<u32> = Vec::new();
        if let Some(c) = self.clusters.get(&into) {
            involved.push(c.story);
        }
        for k in from {
            if *k == into {
                continue;
            }
            if let Some(c) = self.clusters.get(k)
                && !involved.contains(&c.story)
            {
                involved.push(c.story);
            }
        }
        let &survivor = involved.first()?;
        let mut last = time_ms;
        for &k in from {
            if k == into {
                continue;
            }
            if let Some(c) = self.clusters.remove(&k) {
                last = last.max(c.last_ms);
                let s = self.story_mut(c.story);
                s.ranked.remove(&c.rank(k));
                s.weight -= c.weight;
            }
        }
        match self.clusters.get_mut(&into) {
            Some(c) => {
                let was = c.last_ms;
                c.last_ms = c.last_ms.max(last);
                if was <= 0 && c.last_ms > 0 {
                    self.expiry.push(Reverse((c.last_ms, c.seq, into)));
                }
            }
            None => {
                let seq = self.next_cluster;
                self.next_cluster += 1;
                let c = Clu {
                    story: survivor,
                    last_ms: last,
                    seq,
                    weight: 1,
                };
                self.clusters.insert(into, c);
                self.expiry.push(Reverse((last, seq, into)));
                let s = self.story_mut(survivor);
                s.ranked.insert(c.rank(into));
                s.weight += c.weight;
            }
        }
        let mut absorbed = Vec::new();
        for &slot in &involved[1..] {
            absorbed.push(self.fold(survivor, slot));
        }
        self.merges += absorbed.len() as u64;
        {
            let s = self.story_mut(survivor);
            s.updated_ms = s.updated_ms.max(time_ms);
        }
        if !absorbed.is_empty() {
            self.refresh(survivor, false);
        }
        Some(StoryMerge {
            story: self.story(survivor).id,
            absorbed,
        })
    }

    /// Folds story `slot` into story `survivor` (clusters, times, languages, centroid,
    /// placements; the survivor is refreshed by the caller) and returns the id of the
    /// story that is gone.
    fn fold(&mut self, survivor: u32, slot: u32) -> StoryId {
        let gone = self.stories[slot as usize].take().expect("live story");
        self.free.push(slot);
        self.by_id.remove(&gone.id.0);
        self.unindex(slot, &gone.keys);
        for &(_, _, k) in &gone.ranked {
            if let Some(c) = self.clusters.get_mut(&k) {
                c.story = survivor;
            }
        }
        let s = self.story_mut(survivor);
        s.weight += gone.weight;
        if s.ranked.len() < gone.ranked.len() {
            let mut bigger = gone.ranked;
            bigger.append(&mut s.ranked);
            s.ranked = bigger;
        } else {
            let mut smaller = gone.ranked;
            s.ranked.append(&mut smaller);
        }
        s.first_ms = s.first_ms.min(gone.first_ms);
        s.updated_ms = s.updated_ms.max(gone.updated_ms);
        s.shown = (s.shown.0.min(gone.shown.0), s.shown.1.max(gone.shown.1));
        for l in &gone.langs {
            add_lang(&mut s.langs, l);
        }
        s.cent = merge_cent(&s.cent, &gone.cent);
        s.joins += gone.joins;
        gone.id
    }

    /// A copy cluster disappeared (its last member was withdrawn): removes it. Returns its
    /// story and whether that story is now empty (then the story is gone too).
    pub fn remove_cluster(&mut self, cluster: u64) -> Option<(StoryId, bool)> {
        let c = self.clusters.remove(&cluster)?;
        Some(self.detach(&c, cluster))
    }

    /// Takes cluster `cluster` (already out of the cluster map, where it was `c`) out of
    /// its story.
    fn detach(&mut self, c: &Clu, cluster: u64) -> (StoryId, bool) {
        let slot = c.story;
        let s = self.story_mut(slot);
        s.ranked.remove(&c.rank(cluster));
        s.weight -= c.weight;
        let (id, empty) = (s.id, s.ranked.is_empty());
        if empty {
            let gone = self.stories[slot as usize].take().expect("live story");
            self.free.push(slot);
            self.by_id.remove(&gone.id.0);
            self.unindex(slot, &gone.keys);
        }
        (id, empty)
    }

    /// The story of a live cluster.
    pub fn story_of(&self, cluster: u64) -> Option<StoryId> {
        self.clusters.get(&cluster).map(|c| self.story(c.story).id)
    }

    /// The story's live clusters in the order they were placed (empty for an unknown
    /// story). O(k log k) in the story's clusters: [`StoryIndex::ranked`] and
    /// [`StoryIndex::cluster_count`] are the cheap reads.
    pub fn clusters_of(&self, story: StoryId) -> Vec<u64> {
        let Some(s) = self.slot_of(story) else {
            return Vec::new();
        };
        let mut placed: Vec<(u64, u64)> = self.story(s).ranked.iter().map(|&(_, seq, k)| (seq, k)).collect();
        placed.sort_unstable();
        placed.into_iter().map(|(_, k)| k).collect()
    }

    /// How many live clusters the story has (0 for an unknown story).
    pub fn cluster_count(&self, story: StoryId) -> usize {
        self.slot_of(story).map_or(0, |s| self.story(s).ranked.len())
    }

    /// Sets what copy cluster `cluster` is ranked by in its story (the deduplicator gives
    /// its member count; a placed cluster starts at 1). Unknown clusters are ignored.
    /// O(log n) in the story's clusters.
    pub fn set_weight(&mut self, cluster: u64, weight: u64) {
        let Some(c) = self.clusters.get_mut(&cluster) else {
            return;
        };
        if c.weight == weight {
            return;
        }
        let old = c.rank(cluster);
        let was = c.weight;
        c.weight = weight;
        let (new, slot) = (c.rank(cluster), c.story);
        let s = self.story_mut(slot);
        s.ranked.remove(&old);
        s.ranked.insert(new);
        s.weight = s.weight - was + weight;
    }

    /// The story's live clusters with their weights, heaviest first, ties to the cluster
    /// placed first (in any story): the order story events list them in. Taking the first
    /// `n` costs O(n + log k) whatever the story's size k. Empty for an unknown story.
    pub fn ranked(&self, story: StoryId) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.slot_of(story)
            .into_iter()
            .flat_map(move |s| self.story(s).ranked.iter().map(|&(Reverse(w), _, k)| (k, w)))
    }

    /// Sum of the weights of the story's clusters (0 for an unknown story).
    pub fn weight(&self, story: StoryId) -> u64 {
        self.slot_of(story).map_or(0, |s| self.story(s).weight)
    }

    /// Bumps and returns the story's event version (1 for the first event; only grows;
    /// kept in snapshots; a merge's survivor keeps its own). 0 for an unknown story.
    pub fn next_version(&mut self, story: StoryId) -> u64 {
        match self.slot_of(story) {
            Some(slot) => {
                let s = self.story_mut(slot);
                s.version += 1;
                s.version
            }
            None => 0,
        }
    }

    /// Widens the times the story shows ([`StoryIndex::first_seen_ms`],
    /// [`StoryIndex::updated_ms`]) to take in an article's: `first_ms` when it was first
    /// published, `last_ms` when its latest version was. These are for people and never
    /// match or expire anything, so they need no bounds: an archive article ingested today
    /// shows its own date, where its event time (`time_ms` of [`StoryIndex::place`]) is
    /// held within the receive window. A span only widens: a withdrawn article's times stay.
    pub fn show(&mut self, story: StoryId, first_ms: i64, last_ms: i64) {
        if let Some(slot) = self.slot_of(story) {
            let s = self.story_mut(slot);
            s.shown = (s.shown.0.min(first_ms), s.shown.1.max(last_ms.max(first_ms)));
        }
    }

    /// The span [`StoryIndex::show`]n, else (nothing shown) its clusters' event times.
    fn shown_span(&self, story: StoryId) -> Option<(i64, i64)> {
        self.slot_of(story).map(|s| {
            let s = self.story(s);
            if s.shown.0 <= s.shown.1 {
                s.shown
            } else {
                (s.first_ms, s.updated_ms)
            }
        })
    }

    /// When the story's coverage began: the earliest time [`StoryIndex::show`]n, else
    /// (nothing shown) the first event time of its clusters.
    pub fn first_seen_ms(&self, story: StoryId) -> Option<i64> {
        self.shown_span(story).map(|s| s.0)
    }

    /// When the story last changed: the latest time [`StoryIndex::show`]n, else (nothing
    /// shown) the latest event time of its clusters.
    pub fn updated_ms(&self, story: StoryId) -> Option<i64> {
        self.shown_span(story).map(|s| s.1)
    }

    /// The story's languages (sorted, deduplicated, from [`Text::lang`] of its clusters;
    /// at most 16).
    pub fn languages(&self, story: StoryId) -> Vec<String> {
        match self.slot_of(story) {
            Some(s) => self.story(s).langs.iter().map(|l| l.to_string()).collect(),
            None => Vec::new(),
        }
    }

    /// The best candidate story of the last new cluster placed and its similarity, whether
    /// it joined or not (for evaluation tools).
    #[doc(hidden)]
    pub fn last_best(&self) -> Option<(StoryId, f32)> {
        self.last_best
    }

    /// Turns on recording of every scored candidate (evaluation tools; off by default).
    #[doc(hidden)]
    pub fn set_trace(&mut self, on: bool) {
        self.trace = on;
    }

    /// When tracing: the candidates scored for the last new cluster placed, as (story,
    /// per-channel cosines with -1 where the cluster lacks the channel, time factor,
    /// clusters placed in the story, margin over its threshold).
    #[doc(hidden)]
    pub fn last_candidates(&self) -> &[(StoryId, [f32; 4], f32, u64, f32)] {
        &self.trace_cands
    }

    /// Counters and sizes.
    pub fn stats(&self) -> StoryStats {
        let mut heap = self.stories.capacity() * std::mem::size_of::<Option<Story>>()
            + self.slot_seq.capacity() * 8
            + self.free.capacity() * 4
            + self.by_id.capacity() * 13
            + self.clusters.capacity() * (8 + std::mem::size_of::<Clu>() + 1)
            + self.expiry.capacity() * 24
            + self.postings.capacity() * (4 + std::mem::size_of::<Posting>() + 1)
            + self.df.slots.capacity() * 8;
        let mut postings = 0;
        for v in self.postings.values() {
            if v.spilled() {
                heap += v.capacity() * 4;
            }
            postings += v.len();
        }
        heap += self.single_cands.capacity() * 4;
        for s in self.stories.iter().flatten() {
            // A B-tree entry of 24 bytes in nodes about two-thirds full, with their edges.
            heap += s.ranked.len() * 40
                + s.cent.capacity() * std::mem::size_of::<Ent>()
                + s.keys.capacity() * 4
                + s.langs.iter().map(|l| l.len() + 16).sum::<usize>();
        }
        StoryStats {
            stories: self.by_id.len(),
            clusters: self.clusters.len(),
            merges: self.merges,
            expired: self.expired,
            heap_bytes: heap,
            placed: self.placed,
            created: self.created,
            expired_stories: self.expired_stories,
            df_terms: self.df.len(),
            postings,
        }
    }

    // ---- time ----

    fn advance(&mut self, t: i64) {
        if self.now_ms.is_none_or(|n| t > n) {
            self.now_ms = Some(t);
        }
        let Some(now) = self.now_ms else { return };
        let cutoff = now.saturating_sub(self.cfg.horizon_secs.saturating_mul(1000));
        while let Some(&Reverse((ms, seq, key))) = self.expiry.peek() {
            if ms >= cutoff {
                break;
            }
            self.expiry.pop();
            let Some(c) = self.clusters.get(&key).copied() else {
                continue;
            };
            if c.seq != seq || c.last_ms <= 0 {
                // Stale, or undated (like the copy index, the horizon cannot judge a
                // cluster with no dated activity; a dated touch pushes a new entry).
                continue;
            }
            if c.last_ms >= cutoff {
                self.expiry.push(Reverse((c.last_ms, seq, key)));
                continue;
            }
            self.clusters.remove(&key);
            self.expired += 1;
            if self.detach(&c, key).1 {
                self.expired_stories += 1;
            }
        }
    }

    // ---- features ----

    fn features(&mut self, text: &Text<'_>) -> Vec<DocTerm> {
        if self.df.len() > self.cfg.max_df_terms {
            self.halve_df();
        }
        let mut terms = std::mem::take(&mut self.scratch_terms);
        terms.clear();
        let body = prefix(text.body, self.cfg.max_body_bytes);
        let title = text.title.trim();
        let mut budget = self.cfg.max_tokens;
        let mut cased = 0usize;
        if !title.is_empty() && !body.trim_start().starts_with(title) {
            budget -= tokenize(
                title,
                self.cfg.stems(),
                self.cfg.caseless_pairs,
                self.cfg.lead_tokens,
                budget,
                &mut terms,
                &mut cased,
            );
        }
        tokenize(
            body,
            self.cfg.stems(),
            self.cfg.caseless_pairs,
            self.cfg.lead_tokens,
            budget,
            &mut terms,
            &mut cased,
        );
        self.cased = cased > 0;
        self.n_docs += 1;
        let n = self.n_docs;
        // Term counts in a small open-addressing table (cheaper than sorting every token):
        // `(term << 32) | count` slots, cleared again below.
        let need = (terms.len() * 2).next_power_of_two().max(64);
        if self.scratch_count.len() < need {
            self.scratch_count = vec![0; need];
        }
        let mask = need - 1;
        let mut distinct = std::mem::take(&mut self.scratch_distinct);
        distinct.clear();
        {
            let table = &mut self.scratch_count[..need];
            for &t in &terms {
                let mut i = (t.wrapping_mul(0x9e37_79b1) >> 7) as usize & mask;
                loop {
                    let v = table[i];
                    if v as u32 == 0 {
                        table[i] = (u64::from(t) << 32) | 1;
                        distinct.push((t, i as u32));
                        break;
                    }
                    if (v >> 32) as u32 == t {
                        table[i] = v + 1;
                        break;
                    }
                    i = (i + 1) & mask;
                }
            }
        }
        let mut just_terms = std::mem::take(&mut self.scratch_terms2);
        just_terms.clear();
        just_terms.extend(distinct.iter().map(|x| x.0));
        self.df.touch(&just_terms);
        self.scratch_terms2 = just_terms;
        // (term, raw weight, 1 + ln tf, idf)
        let mut raw = std::mem::take(&mut self.scratch_raw);
        raw.clear();
        // idf by document frequency for this N (most terms are rare: few logarithms).
        let mut memo = [0f32; 256];
        for &(t, slot) in &distinct {
            let count = self.scratch_count[slot as usize] as u32;
            let tf = tf_weight(count as usize);
            let df = self.df.bump(t);
            let idf = match memo.get_mut(df as usize) {
                Some(m) if *m > 0.0 => *m,
                Some(m) => {
                    *m = idf(n, df);
                    *m
                }
                None => idf(n, df),
            };
            raw.push((t, tf * idf, tf, idf));
        }
        // Clear the count table (every used slot holds a distinct term).
        for &(_, slot) in &distinct {
            self.scratch_count[slot as usize] = 0;
        }
        self.scratch_distinct = distinct;
        self.scratch_terms = terms;
        let mut out = Vec::with_capacity(raw.len().min(self.cfg.doc_terms.iter().sum()));
        let mut part = std::mem::take(&mut self.scratch_part);
        for ch in 0..CHANNELS {
            // (weight order key, which ends in the term; 1 + ln tf; idf)
            part.clear();
            part.extend(
                raw.iter()
                    .filter(|x| channel(x.0) == ch)
                    .map(|&(t, w, tf, idf)| (by_weight(w, t), tf, idf)),
            );
            let cap = self.cfg.doc_terms[ch];
            if part.len() > cap && cap > 0 {
                part.select_nth_unstable_by_key(cap - 1, |x| x.0);
            }
            part.truncate(cap);
            part.sort_unstable_by_key(|x| x.0 as u32);
            let norm = part.iter().map(|x| (x.1 * x.2) * (x.1 * x.2)).sum::<f32>().sqrt();
            if norm > 0.0 {
                for &(key, tf, idf) in part.iter() {
                    out.push(DocTerm {
                        term: key as u32,
                        w: tf * idf / norm,
                        mass: tf / norm,
                        idf,
                    });
                }
            }
        }
        self.scratch_part = part;
        self.scratch_raw = raw;
        out
    }

    fn halve_df(&mut self) {
        self.df.halve();
        self.n_docs /= 2;
        for s in self.stories.iter_mut().flatten() {
            s.idf_n /= 2;
        }
    }

    // ---- matching ----

    /// Per-channel cosines of the cluster with the story's centroid (0 where the story has
    /// nothing in the channel), which channels the cluster has, and how many word and name
    /// terms the two share.
    fn cosines(&self, doc: &[DocTerm], s: &Story) -> ([f32; CHANNELS], [bool; CHANNELS], u32) {
        let mut dot = [0f32; CHANNELS];
        let mut shared = [0u32; CHANNELS];
        let mut has = [false; CHANNELS];
        if self.doc_tab.is_empty() {
            // Merge join (the cluster's terms are not in the lookup table).
            let (mut i, mut j) = (0, 0);
            let c = &s.cent;
            while i < doc.len() && j < c.len() {
                match doc[i].term.cmp(&c[j].term) {
                    Ordering::Less => i += 1,
                    Ordering::Greater => j += 1,
                    Ordering::Equal => {
                        dot[channel(doc[i].term)] += doc[i].w * c[j].mass * c[j].idf;
                        shared[channel(doc[i].term)] += 1;
                        i += 1;
                        j += 1;
                    }
                }
            }
            for d in doc {
                has[channel(d.term)] = true;
            }
        } else {
            // Probe the cluster's lookup table with each centroid term (in term order, so
            // the sums are the merge join's).
            let mask = self.doc_tab.len() - 1;
            for e in &s.cent {
                let mut i = slot_of_term(e.term, mask);
                loop {
                    let (t, w) = self.doc_tab[i];
                    if w == 0.0 {
                        break;
                    }
                    if t == e.term {
                        dot[channel(t)] += w * e.mass * e.idf;
                        shared[channel(t)] += 1;
                        break;
                    }
                    i = (i + 1) & mask;
                }
            }
            has = self.doc_has;
        }
        let mut cos = [0f32; CHANNELS];
        for ch in 0..CHANNELS {
            if s.norm[ch] > 0.0 {
                cos[ch] = (dot[ch] / s.norm[ch]).min(1.0);
            }
        }
        (cos, has, shared[WORD as usize] + shared[NAME as usize])
    }

    /// Centroid similarity (without time) and the time factor.
    fn similarity(&self, doc: &[DocTerm], s: &Story, time_ms: i64) -> (f32, f32) {
        let (cos, has, shared) = self.cosines(doc, s);
        let (mut num, mut den) = (0f32, 0f32);
        for ch in 0..CHANNELS {
            if has[ch] {
                let a = self.cfg.channel_weights[ch];
                den += a;
                num += a * cos[ch];
            }
        }
        if den <= 0.0 || shared < MIN_SHARED_TERMS {
            // Nothing but numbers and years in common: no link (two reports of different
            // events may share "40 dead" or "6.1"). Nor one word or name alone: two short
            // texts ("F1 Test", "single image test") that share one word are no story.
            return (0.0, 0.0);
        }
        (num / den, self.time_factor(s, time_ms))
    }

    /// Similarity a cluster (with capitalised names or not) needs to join a story in which
    /// `joins` clusters were placed.
    fn threshold(&self, cased: bool, joins: u64) -> f32 {
        if cased {
            self.cfg.join_threshold + self.cfg.cased_extra + self.cfg.young_boost / joins.max(1) as f32
        } else {
            self.cfg.join_threshold
        }
    }

    fn time_factor(&self, s: &Story, time_ms: i64) -> f32 {
        let gap = if time_ms < s.first_ms {
            s.first_ms - time_ms
        } else {
            time_ms.saturating_sub(s.updated_ms).max(0)
        };
        let gap = (gap as f64 - f64::from(self.cfg.grace_days) * DAY_MS).max(0.0);
        let decay = 1.0 / (1.0 + gap / (f64::from(self.cfg.decay_days.max(1e-3)) * DAY_MS));
        let mut f = decay;
        if self.cfg.age_days > 0.0 {
            let age = (time_ms.saturating_sub(s.first_ms) as f64 - f64::from(self.cfg.grace_days) * DAY_MS)
                .max(0.0);
            f /= 1.0 + age / (f64::from(self.cfg.age_days) * DAY_MS);
        }
        f as f32
    }

    fn best_story(&mut self, doc: &[DocTerm], time_ms: i64) -> Option<(u32, f32)> {
        self.trace_cands.clear();
        self.single_cands.clear();
        if doc.is_empty() {
            return None;
        }
        // The cluster's terms in a lookup table for scoring (weights are > 0; 0 = empty).
        let size = (doc.len() * 4).next_power_of_two();
        self.doc_tab.clear();
        self.doc_tab.resize(size, (0, 0.0));
        self.doc_has = [false; CHANNELS];
        for d in doc {
            let mut i = slot_of_term(d.term, size - 1);
            while self.doc_tab[i].1 != 0.0 {
                i = (i + 1) & (size - 1);
            }
            self.doc_tab[i] = (d.term, d.w);
            self.doc_has[channel(d.term)] = true;
        }
        let mut q = std::mem::take(&mut self.scratch_query);
        q.clear();
        q.extend(
            doc.iter()
                .map(|d| by_weight(d.w * self.cfg.channel_weights[channel(d.term)], d.term)),
        );
        let nq = self.cfg.query_terms.min(q.len());
        if nq == 0 {
            self.doc_tab.clear();
            self.scratch_query = q;
            return None;
        }
        if q.len() > nq {
            q.select_nth_unstable(nq - 1);
            q.truncate(nq);
        }
        if self.hits.len() < self.stories.len() {
            self.hits.resize(self.stories.len(), 0);
        }
        self.touched.clear();
        // All lookups first (independent loads, so their cache misses overlap), then the
        // counting over the lists found.
        let lists: Vec<&[u32]> = q
            .iter()
            .filter_map(|&key| self.postings.get(&(key as u32)))
            .filter(|l| l.len() <= self.cfg.max_postings)
            .map(|l| l.as_slice())
            .collect();
        for list in lists {
            for &slot in list {
                let h = &mut self.hits[slot as usize];
                if *h == 0 {
                    self.touched.push(slot);
                }
                *h += 1;
            }
        }
        self.scratch_query = q;
        let mut cands = std::mem::take(&mut self.scratch_cands);
        cands.clear();
        cands.extend(
            self.touched
                .iter()
                .map(|&slot| (self.hits[slot as usize], self.slot_seq[slot as usize], slot)),
        );
        for &slot in &self.touched {
            self.hits[slot as usize] = 0;
        }
        cands.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        if self.cfg.absorb_extra.is_finite() {
            for &(_, _, slot) in cands.iter() {
                if self.single_cands.len() >= ABSORB_CANDIDATES {
                    break;
                }
                let st = self.story(slot);
                if st.joins == 1 && st.ranked.len() == 1 {
                    self.single_cands.push(slot);
                }
            }
        }
        cands.truncate(self.cfg.max_candidates);
        let mut best: Option<(f32, u64, u32, f32)> = None;
        for &(_, seq, slot) in &cands {
            let s = self.story(slot);
            let (cs, decay) = self.similarity(doc, s, time_ms);
            let sim = cs * decay;
            let s = self.story(slot);
            let margin = sim - self.threshold(self.cased, s.joins);
            if self.trace {
                let (mut cos, has, _) = self.cosines(doc, s);
                for ch in 0..CHANNELS {
                    if !has[ch] {
                        cos[ch] = -1.0;
                    }
                }
                self.trace_cands.push((s.id, cos, decay, s.joins, margin));
            }
            if best.is_none_or(|(bm, bseq, _, _)| margin > bm || (margin == bm && seq < bseq)) {
                best = Some((margin, seq, slot, sim));
            }
        }
        self.scratch_cands = cands;
        self.last_best = best.map(|(_, _, slot, sim)| (self.story(slot).id, sim));
        self.doc_tab.clear();
        best.filter(|b| b.0 >= 0.0).map(|(_, _, slot, sim)| (slot, sim))
    }

    /// Revisable placement: story `slot` just grew by a cluster. Each one-cluster story
    /// kept from that cluster's candidates ([`StoryIndex::single_cands`]) whose cluster
    /// now clears, against the grown story, the threshold a cluster with capitalised names
    /// asks plus [`Config::absorb_extra`] folds into it, like a story merge. Returns the
    /// stories folded in.
    fn absorb_singletons(&mut self, slot: u32) -> Vec<StoryId> {
        let mut absorbed = Vec::new();
        if !self.cfg.absorb_extra.is_finite() {
            return absorbed;
        }
        let singles = std::mem::take(&mut self.single_cands);
        let mut doc = Vec::new();
        for &o in &singles {
            if o == slot {
                continue;
            }
            // The one-cluster story's centroid is its cluster's vector (L2-normalised per
            // channel again, as idfs may have been refreshed).
            let x = self.story(o);
            doc.clear();
            doc.extend(
                x.cent
                    .iter()
                    .filter(|e| x.norm[channel(e.term)] > 0.0)
                    .map(|e| DocTerm {
                        term: e.term,
                        w: e.mass * e.idf / x.norm[channel(e.term)],
                        mass: e.mass,
                        idf: e.idf,
                    }),
            );
            let t = self.story(slot);
            let (cs, decay) = self.similarity(&doc, t, x.first_ms);
            // A second chance asks more than a first placement: the threshold of a cluster
            // with capitalised names (young-story extra included) whatever the script.
            if cs * decay < self.threshold(true, t.joins) + self.cfg.absorb_extra {
                continue;
            }
            absorbed.push(self.fold(slot, o));
        }
        self.single_cands = singles;
        self.single_cands.clear();
        if !absorbed.is_empty() {
            self.merges += absorbed.len() as u64;
            self.refresh(slot, false);
        }
        absorbed
    }

    // ---- story updates ----

    fn create(&mut self, doc: &[DocTerm], time_ms: i64) -> u32 {
        let seq = self.next_story;
        self.next_story += 1;
        self.created += 1;
        let id = StoryId(splitmix(seq ^ 0x5354_4f52_5953_0000));
        let cent: Vec<Ent> = doc.iter().map(DocTerm::ent).collect();
        let story = Story {
            id,
            seq,
            version: 0,
            first_ms: time_ms,
            updated_ms: time_ms,
            shown: (i64::MAX, i64::MIN),
            langs: Vec::new(),
            norm: norms(&cent),
            cent,
            idf_n: self.n_docs,
            keys: Vec::new(),
            joins: 0,
            ranked: BTreeSet::new(),
            weight: 0,
        };
        let slot = match self.free.pop() {
            Some(s) => {
                self.stories[s as usize] = Some(story);
                self.slot_seq[s as usize] = seq;
                s
            }
            None => {
                self.stories.push(Some(story));
                self.slot_seq.push(seq);
                (self.stories.len() - 1) as u32
            }
        };
        self.by_id.insert(id.0, slot);
        self.reindex(slot);
        slot
    }

    fn join(&mut self, slot: u32, doc: &[DocTerm]) {
        let mut out = std::mem::take(&mut self.scratch_cent);
        out.clear();
        let s = self.stories[slot as usize].as_mut().expect("live story slot");
        // The cluster's idfs are the newer.
        merge_cent_into(&mut out, &s.cent, doc, DocTerm::ent, true);
        self.scratch_cent = std::mem::replace(&mut s.cent, out);
        self.refresh(slot, false);
    }

    /// Refreshes idfs when due, prunes, recomputes norms and reindexes.
    fn refresh(&mut self, slot: u32, force_idf: bool) {
        let n = self.n_docs;
        let caps = self.cfg.story_terms;
        let mut cent = std::mem::take(&mut self.story_mut(slot).cent);
        let idf_n = self.story(slot).idf_n;
        if force_idf || n > idf_n + idf_n / 4 + 8 {
            // Most terms are rare: few logarithms.
            let mut memo = [0f32; 256];
            for e in &mut cent {
                let df = self.df.get(e.term).max(1);
                e.idf = match memo.get_mut(df as usize) {
                    Some(m) if *m > 0.0 => *m,
                    Some(m) => {
                        *m = idf(n, df);
                        *m
                    }
                    None => idf(n, df),
                };
            }
            self.story_mut(slot).idf_n = n;
        }
        let mut counts = [0usize; CHANNELS];
        for e in &cent {
            counts[channel(e.term)] += 1;
        }
        if (0..CHANNELS).any(|c| counts[c] > caps[c] + caps[c] / 2) {
            let mut start = 0;
            let mut kept = Vec::with_capacity(cent.len());
            while start < cent.len() {
                let ch = channel(cent[start].term);
                let mut end = start;
                while end < cent.len() && channel(cent[end].term) == ch {
                    end += 1;
                }
                let part = &cent[start..end];
                let cap = caps[ch];
                if part.len() > cap {
                    if cap > 0 {
                        // The `cap` heaviest, kept in term order: those whose order key is at
                        // most the cap-th smallest (keys end in the term, so no two are equal).
                        let mut keys = std::mem::take(&mut self.scratch_query);
                        keys.clear();
                        keys.extend(part.iter().map(|e| by_weight(e.mass * e.idf, e.term)));
                        let (_, &mut kth, _) = keys.select_nth_unstable(cap - 1);
                        kept.extend(part.iter().filter(|e| by_weight(e.mass * e.idf, e.term) <= kth));
                        self.scratch_query = keys;
                    }
                } else {
                    kept.extend_from_slice(part);
                }
                start = end;
            }
            cent = kept;
        }
        let s = self.story_mut(slot);
        s.norm = norms(&cent);
        s.cent = cent;
        self.reindex(slot);
    }

    /// Indexes the story under the top [`Config::story_keys`] terms of its centroid.
    fn reindex(&mut self, slot: u32) {
        let mut top = std::mem::take(&mut self.scratch_query);
        top.clear();
        let s = self.story(slot);
        // The centroid is in term order, so the keys taken from it in that order are too.
        let weight = |e: &Ent| {
            let ch = channel(e.term);
            (s.norm[ch] > 0.0)
                .then(|| by_weight(self.cfg.channel_weights[ch] * e.mass * e.idf / s.norm[ch], e.term))
        };
        top.extend(s.cent.iter().filter_map(weight));
        let k = self.cfg.story_keys.min(top.len());
        let mut keys: Vec<u32> = Vec::with_capacity(k);
        if top.len() > k && k > 0 {
            let (_, &mut kth, _) = top.select_nth_unstable(k - 1);
            keys.extend(
                s.cent
                    .iter()
                    .filter(|e| weight(e).is_some_and(|w| w <= kth))
                    .map(|e| e.term),
            );
        } else if k > 0 {
            keys.extend(top.iter().map(|&key| key as u32));
        }
        self.scratch_query = top;
        let old = std::mem::take(&mut self.story_mut(slot).keys);
        let (mut i, mut j) = (0, 0);
        while i < old.len() || j < keys.len() {
            let ord = match (old.get(i), keys.get(j)) {
                (Some(a), Some(b)) => a.cmp(b),
                (Some(_), None) => Ordering::Less,
                _ => Ordering::Greater,
            };
            match ord {
                Ordering::Less => {
                    self.unpost(old[i], slot);
                    i += 1;
                }
                Ordering::Greater => {
                    self.postings.entry(keys[j]).or_default().push(slot);
                    j += 1;
                }
                Ordering::Equal => {
                    i += 1;
                    j += 1;
                }
            }
        }
        self.story_mut(slot).keys = keys;
    }

    fn unpost(&mut self, term: u32, slot: u32) {
        if let Some(list) = self.postings.get_mut(&term) {
            if let Some(p) = list.iter().position(|&s| s == slot) {
                list.swap_remove(p);
            }
            if list.is_empty() {
                self.postings.remove(&term);
            }
        }
    }

    fn unindex(&mut self, slot: u32, keys: &[u32]) {
        for &t in keys {
            self.unpost(t, slot);
        }
    }

    // ---- snapshot ----

    /// A versioned binary snapshot of everything that decides future placements and
    /// versions: `"WFSTSNAP"`, a format version byte, the feature settings, the clock,
    /// counters, the document-frequency table (sorted by term), the stories in creation
    /// order with their clusters, centroids, keys and placement counts, then an 8-byte
    /// little-endian xxh3 checksum. The inverted index, id map and expiry queue are rebuilt
    /// on restore.
    pub fn snapshot(&self) -> Vec<u8> {
        self.encode(FORMAT)
    }

    /// The snapshot in `format` ([`FORMAT`], or 4 for tests of reading older snapshots).
    fn encode(&self, format: u8) -> Vec<u8> {
        let mut w = W(Vec::with_capacity(
            64 + self.df.len() * 5 + self.by_id.len() * 600,
        ));
        w.0.extend_from_slice(MAGIC);
        w.0.push(format);
        let settings = self.cfg.feature_settings();
        w.u(settings.len() as u64);
        for v in settings {
            w.u(v);
        }
        match self.now_ms {
            Some(t) => {
                w.0.push(1);
                w.i(t);
            }
            None => w.0.push(0),
        }
        for v in [
            self.n_docs,
            self.next_story,
            self.next_cluster,
            self.merges,
            self.expired,
            self.expired_stories,
            self.placed,
            self.created,
        ] {
            w.u(v);
        }
        let mut df: Vec<(u32, u32)> = self.df.iter().collect();
        df.sort_unstable();
        w.u(df.len() as u64);
        let mut prev = 0u32;
        for (t, c) in df {
            w.u(u64::from(t - prev));
            w.u(u64::from(c));
            prev = t;
        }
        let mut order: Vec<&Story> = self.stories.iter().flatten().collect();
        order.sort_unstable_by_key(|s| s.seq);
        w.u(order.len() as u64);
        for s in order {
            w.u(s.id.0);
            w.u(s.seq);
            w.u(s.version);
            w.i(s.first_ms);
            w.i(s.updated_ms);
            if format >= 5 {
                w.i(s.shown.0);
                w.i(s.shown.1);
            }
            w.u(s.idf_n);
            w.u(s.langs.len() as u64);
            for l in &s.langs {
                w.s(l);
            }
            w.u(s.ranked.len() as u64);
            for &(_, _, k) in &s.ranked {
                let c = &self.clusters[&k];
                w.u(k);
                w.i(c.last_ms);
                w.u(c.seq);
                w.u(c.weight);
            }
            w.u(s.cent.len() as u64);
            let mut prev = 0u32;
            for e in &s.cent {
                w.u(u64::from(e.term - prev));
                w.u(u64::from(e.mass.to_bits()));
                w.u(u64::from(e.idf.to_bits()));
                prev = e.term;
            }
            w.u(s.keys.len() as u64);
            let mut prev = 0u32;
            for &k in &s.keys {
                w.u(u64::from(k - prev));
                prev = k;
            }
            w.u(s.joins);
        }
        let sum = xxhash_rust::xxh3::xxh3_64(&w.0);
        w.0.extend_from_slice(&sum.to_le_bytes());
        w.0
    }

    /// A copy of what [`StoryIndex::snapshot`] writes (stories, clusters, frequencies,
    /// counters), without the postings and scratch that a restore rebuilds, so the snapshot
    /// can be encoded on another thread while this index goes on placing.
    pub fn snapshot_copy(&self) -> StorySnapshot {
        let mut copy = StoryIndex::new(self.cfg.clone());
        copy.stories = self.stories.clone();
        copy.clusters = self.clusters.clone();
        copy.df = self.df.clone();
        // Only its size is read, to size the encoding buffer.
        copy.by_id = self.by_id.clone();
        copy.now_ms = self.now_ms;
        copy.n_docs = self.n_docs;
        copy.next_story = self.next_story;
        copy.next_cluster = self.next_cluster;
        copy.merges = self.merges;
        copy.expired = self.expired;
        copy.expired_stories = self.expired_stories;
        copy.placed = self.placed;
        copy.created = self.created;
        StorySnapshot(copy)
    }

    /// Restores a [`StoryIndex::snapshot`]. Never panics on bad bytes: anything off is
    /// [`SnapshotError::Corrupt`]; a snapshot taken with other feature settings (body
    /// budget, term caps, stemming, keys, frequency table size) is
    /// [`SnapshotError::ConfigMismatch`].
    pub fn restore(config: Config, bytes: &[u8]) -> Result<Self, SnapshotError> {
        decode(config, bytes)
    }
}

const MAGIC: &[u8; 8] = b"WFSTSNAP";
/// The format written. Format 4 (before shown times) is still read: its stories show
/// their event times until an article widens them.
const FORMAT: u8 = 5;

fn corrupt(what: &str) -> SnapshotError {
    SnapshotError::Corrupt(format!("story snapshot: {what}"))
}

fn decode(cfg: Config, bytes: &[u8]) -> Result<StoryIndex, SnapshotError> {
    if bytes.len() < MAGIC.len() + 1 + 8 {
        return Err(corrupt("too short"));
    }
    let (body, sum) = bytes.split_at(bytes.len() - 8);
    let mut s8 = [0u8; 8];
    s8.copy_from_slice(sum);
    if xxhash_rust::xxh3::xxh3_64(body) != u64::from_le_bytes(s8) {
        return Err(corrupt("checksum mismatch"));
    }
    if &body[..8] != MAGIC {
        return Err(corrupt("bad magic"));
    }
    let format = body[8];
    if format != FORMAT && format != 4 {
        return Err(corrupt("unknown format version"));
    }
    let mut r = R { b: body, at: 9 };
    let want = cfg.feature_settings();
    let n = r.count()?;
    let mut got = Vec::with_capacity(n);
    for _ in 0..n {
        got.push(r.u()?);
    }
    if got != want {
        return Err(SnapshotError::ConfigMismatch(format!(
            "story feature settings {got:?}, config has {want:?}"
        )));
    }
    let mut ix = StoryIndex::new(cfg);
    ix.now_ms = match r.byte()? {
        0 => None,
        1 => Some(r.i()?),
        _ => return Err(corrupt("bad option tag")),
    };
    ix.n_docs = r.u()?;
    ix.next_story = r.u()?;
    ix.next_cluster = r.u()?;
    ix.merges = r.u()?;
    ix.expired = r.u()?;
    ix.expired_stories = r.u()?;
    ix.placed = r.u()?;
    ix.created = r.u()?;
    let term = |r: &mut R<'_>, prev: u32, first: bool| -> Result<u32, SnapshotError> {
        let d = r.u32()?;
        if !first && d == 0 {
            return Err(corrupt("terms not increasing"));
        }
        prev.checked_add(d).ok_or_else(|| corrupt("term out of range"))
    };
    let n = r.count()?;
    ix.df.reserve(n.min(1 << 24));
    let mut prev = 0;
    for i in 0..n {
        let t = term(&mut r, prev, i == 0)?;
        let c = r.u32()?;
        if c == 0 {
            return Err(corrupt("zero document frequency"));
        }
        ix.df.set(t, c);
        prev = t;
    }
    let n = r.count()?;
    let mut last_seq = None;
    for _ in 0..n {
        let id = StoryId(r.u()?);
        let seq = r.u()?;
        if last_seq.is_some_and(|p| seq <= p) || seq >= ix.next_story {
            return Err(corrupt("story sequence out of order"));
        }
        last_seq = Some(seq);
        let version = r.u()?;
        let first_ms = r.i()?;
        let updated_ms = r.i()?;
        let shown = if format >= 5 {
            (r.i()?, r.i()?)
        } else {
            (first_ms, updated_ms)
        };
        let idf_n = r.u()?;
        let nl = r.count()?;
        if nl > MAX_LANGS {
            return Err(corrupt("too many languages"));
        }
        let mut langs = Vec::with_capacity(nl);
        for _ in 0..nl {
            langs.push(r.s()?);
        }
        let slot = ix.stories.len() as u32;
        let nc = r.count()?;
        if nc == 0 {
            return Err(corrupt("story without clusters"));
        }
        let mut ranked = BTreeSet::new();
        let mut weight = 0u64;
        for _ in 0..nc {
            let key = r.u()?;
            let last_ms = r.i()?;
            let cseq = r.u()?;
            if cseq >= ix.next_cluster {
                return Err(corrupt("cluster sequence out of range"));
            }
            let c = Clu {
                story: slot,
                last_ms,
                seq: cseq,
                weight: r.u()?,
            };
            weight = weight
                .checked_add(c.weight)
                .ok_or_else(|| corrupt("cluster weights overflow"))?;
            if ix.clusters.insert(key, c).is_some() {
                return Err(corrupt("cluster in two places"));
            }
            ranked.insert(c.rank(key));
            ix.expiry.push(Reverse((last_ms, cseq, key)));
        }
        let ne = r.count()?;
        let mut cent = Vec::with_capacity(ne);
        let mut prev = 0;
        for i in 0..ne {
            let t = term(&mut r, prev, i == 0)?;
            let mass = f32::from_bits(r.u32()?);
            let idf = f32::from_bits(r.u32()?);
            if !mass.is_finite() || !idf.is_finite() {
                return Err(corrupt("weight not finite"));
            }
            cent.push(Ent { term: t, mass, idf });
            prev = t;
        }
        let nk = r.count()?;
        let mut keys = Vec::with_capacity(nk);
        let mut prev = 0;
        for i in 0..nk {
            let t = term(&mut r, prev, i == 0)?;
            keys.push(t);
            prev = t;
        }
        let joins = r.u()?;
        if ix.by_id.insert(id.0, slot).is_some() {
            return Err(corrupt("duplicate story id"));
        }
        for &k in &keys {
            ix.postings.entry(k).or_default().push(slot);
        }
        ix.slot_seq.push(seq);
        ix.stories.push(Some(Story {
            id,
            seq,
            version,
            first_ms,
            updated_ms,
            shown,
            langs,
            norm: norms(&cent),
            cent,
            idf_n,
            keys,
            joins,
            ranked,
            weight,
        }));
    }
    if r.at != body.len() {
        return Err(corrupt("trailing bytes"));
    }
    Ok(ix)
}

fn add_lang(langs: &mut Vec<Box<str>>, l: &str) {
    let l = prefix(l.trim(), MAX_LANG_BYTES);
    if l.is_empty() {
        return;
    }
    if let Err(p) = langs.binary_search_by(|x| (**x).cmp(l))
        && langs.len() < MAX_LANGS
    {
        langs.insert(p, l.into());
    }
}

fn merge_cent(a: &[Ent], b: &[Ent]) -> Vec<Ent> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    merge_cent_into(&mut out, a, b, |e| *e, false);
    out
}

/// Merges two term-sorted term lists into `out` (sorted): the masses of a term in both add
/// up, and its idf is `b`'s when `idf_from_b`, else `a`'s.
fn merge_cent_into<T>(out: &mut Vec<Ent>, a: &[Ent], b: &[T], ent: impl Fn(&T) -> Ent, idf_from_b: bool) {
    out.reserve(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (x, y) = (a[i], ent(&b[j]));
        match x.term.cmp(&y.term) {
            Ordering::Less => {
                out.push(x);
                i += 1;
            }
            Ordering::Greater => {
                out.push(y);
                j += 1;
            }
            Ordering::Equal => {
                out.push(Ent {
                    term: x.term,
                    mass: x.mass + y.mass,
                    idf: if idf_from_b { y.idf } else { x.idf },
                });
                i += 1;
                j += 1;
            }
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend(b[j..].iter().map(ent));
}

/// At most `max` bytes of `s`, cut at a char boundary.
fn prefix(s: &str, max: usize) -> &str {
    &s[..s.floor_char_boundary(max)]
}

// ---- tokenizer ----

const K: u64 = 0x517c_c1b7_2722_0a95;

fn step(h: u64, c: u32) -> u64 {
    fold(h, u64::from(c))
}

/// One step of the hash chain: numbers and bigrams step per character, words per block of
/// eight bytes of their lower-cased UTF-8 (so an ASCII word costs one or two steps).
fn fold(h: u64, block: u64) -> u64 {
    (h.rotate_left(5) ^ block).wrapping_mul(K)
}

/// How many of the eight bytes of `w` (little-endian, first byte lowest), counted from the
/// first, are ASCII letters.
fn ascii_letters(w: u64) -> u32 {
    const HI: u64 = 0x8080_8080_8080_8080;
    let y = (w | 0x2020_2020_2020_2020) & 0x7f7f_7f7f_7f7f_7f7f;
    // `y >= 'a'` and `y <= 'z'` per byte, without carries between bytes (y <= 0x7f).
    let ge = (y + 0x1f1f_1f1f_1f1f_1f1f) & HI;
    let le = !(y + 0x0505_0505_0505_0505) & HI;
    let letters = ge & le & !w;
    (!letters & HI).trailing_zeros() / 8
}

/// The ASCII letters that open the eight bytes at `bytes[i..]` (zeros past the end of the
/// text), lower-cased, in the low bytes of the first value (little-endian, the rest zero),
/// and how many there are (0 to 8).
fn letter_block(bytes: &[u8], i: usize) -> (u64, u32) {
    let w = match bytes.get(i..i + 8) {
        Some(chunk) => u64::from_le_bytes(chunk.try_into().expect("eight bytes")),
        None => {
            let mut buf = [0u8; 8];
            let rest = bytes.get(i..).unwrap_or_default();
            buf[..rest.len()].copy_from_slice(rest);
            u64::from_le_bytes(buf)
        }
    };
    let k = ascii_letters(w);
    let keep = if k == 8 { u64::MAX } else { (1u64 << (8 * k)) - 1 };
    ((w | 0x2020_2020_2020_2020) & keep, k)
}

/// ASCII bytes that are neither letters nor digits: they only separate tokens.
const SEPARATORS: [bool; 256] = {
    let mut c = [false; 256];
    let mut b = 0;
    while b < 128 {
        c[b] = !(b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    c
};

/// A term: two channel bits over 30 hash bits.
fn term(ch: u32, h: u64) -> u32 {
    // Every hash here ends in a multiplication (`fold`), so its high bits are mixed; one
    // more with the channel in the top byte separates the channels.
    let x = (h ^ (u64::from(ch) << 56)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    ((x >> 34) as u32) | (ch << 30)
}

/// Letters of the Arabic script (and its presentation forms), whose words are read as
/// consonant skeletons.
fn arabic_script(c: char) -> bool {
    matches!(c as u32, 0x0600..=0x06FF | 0x0750..=0x077F | 0x08A0..=0x08FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF)
}

/// Scripts written without spaces between words: read as character bigrams.
fn unspaced(c: char) -> bool {
    matches!(c as u32,
        0x0E00..=0x0EFF      // Thai, Lao
        | 0x1000..=0x109F    // Myanmar
        | 0x1780..=0x17FF    // Khmer
        | 0x3040..=0x30FF    // kana
        | 0x3400..=0x4DBF    // Han ext. A
        | 0x4E00..=0x9FFF    // Han
        | 0xF900..=0xFAFF    // Han compatibility
        | 0x20000..=0x2FA1F) // Han ext. B..
}

/// Combining marks, joiners and the Arabic tatweel (a stretch of the baseline) that do not
/// break a word (and are not hashed).
fn ignorable(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F
        | 0x0610..=0x061A
        | 0x0640
        | 0x064B..=0x065F
        | 0x0670
        | 0x06D6..=0x06ED
        | 0x200B..=0x200D
        | 0x00AD)
}

/// The value of a decimal digit of any common script.
fn digit(c: char) -> Option<u32> {
    if c.is_ascii_digit() {
        return Some(c as u32 - '0' as u32);
    }
    if c.is_ascii() || !c.is_numeric() {
        return None;
    }
    let u = c as u32;
    const ZEROS: [u32; 17] = [
        0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66, 0xE50, 0xED0,
        0x1040, 0x17E0, 0xFF10,
    ];
    ZEROS.iter().find(|&&z| (z..z + 10).contains(&u)).map(|&z| u - z)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    None,
    Word,
    Num,
}

/// Tokenizer state over one text.
struct Tok<'o> {
    out: &'o mut Vec<u32>,
    /// Stem length for words with case, words without, and words of the Arabic script.
    stems: [usize; 3],
    /// Stem length of the current word.
    stem: usize,
    /// Terms of the first `lead` tokens count twice.
    lead: usize,
    tokens: usize,
    kind: Kind,
    /// Hash of the current number (digits as values), or of the current word's full
    /// blocks of eight lower-cased bytes (the rest waits in `acc`).
    h: u64,
    /// The current word's bytes not yet folded into `h` (first byte lowest), and how many.
    acc: u64,
    nacc: u32,
    /// Hash of the current word's first `stem` chars.
    h_stem: u64,
    nchars: usize,
    cap: bool,
    value: u64,
    dotted: bool,
    /// A '.' or ',' after digits, waiting to see whether a digit follows.
    pending: Option<char>,
    /// Unspaced run: previous char and run length.
    cjk_prev: Option<char>,
    cjk_len: usize,
    /// The previous capitalised word, for name pairs.
    prev_name: Option<u64>,
    /// The current word is in a script without case.
    caseless: bool,
    /// The current word is in the Arabic script: read as its consonant skeleton.
    skeleton: bool,
    /// Pairs of adjacent caseless words go to the names channel.
    pairs: bool,
    /// The previous caseless word, for those pairs.
    prev_plain: Option<u64>,
    /// Channel of those pairs.
    pair_channel: u32,
    /// Capitalised names seen (shared across the title and body).
    cased: &'o mut usize,
    /// Only spaces or a hyphen (or the dot of an initial) since the previous word.
    clean_gap: bool,
    last_len1: bool,
}

impl Tok<'_> {
    fn start_word(&mut self) {
        self.kind = Kind::Word;
        self.h = 0;
        self.acc = 0;
        self.nacc = 0;
        self.h_stem = 0;
        self.nchars = 0;
    }

    /// Appends `k` (1 to 8) bytes of a word, given in the low bytes of `piece`.
    fn push_bytes(&mut self, piece: u64, k: u32) {
        let free = 8 - self.nacc;
        if k < free {
            self.acc |= piece << (8 * self.nacc);
            self.nacc += k;
        } else {
            self.h = fold(self.h, self.acc | piece << (8 * self.nacc));
            self.acc = piece.checked_shr(8 * free).unwrap_or(0);
            self.nacc = k - free;
        }
    }

    /// Appends one character of a word (lower-cased) and counts it.
    fn push_char(&mut self, c: char) {
        if self.skeleton && !c.is_ascii() {
            // Hamza and madda forms as their base letter (what compatibility decomposition
            // gives, without its cost for the common letters).
            let base = match c {
                '\u{622}' | '\u{623}' | '\u{625}' => '\u{627}',
                '\u{624}' => '\u{648}',
                '\u{626}' => '\u{64a}',
                '\u{6c0}' => '\u{6d5}',
                '\u{6c2}' => '\u{6c1}',
                '\u{6d3}' => '\u{6d2}',
                '\u{fb50}'.. => {
                    // Presentation forms.
                    decompose_compatible(c, |d| {
                        if d.is_alphabetic() && !is_combining_mark(d) {
                            self.push_skeleton(d);
                        }
                    });
                    return;
                }
                _ => c,
            };
            self.push_skeleton(base);
            return;
        }
        self.push_letter(c);
    }

    /// Appends a base letter of an Arabic-script word to its skeleton: letter variants
    /// folded, the long-vowel letters (alef, waw, yeh, yeh barree) after the first left out.
    fn push_skeleton(&mut self, c: char) {
        let c = fold_letter(c);
        if self.nchars == 0 || !matches!(c, '\u{627}' | '\u{648}' | '\u{6cc}' | '\u{6d2}') {
            self.push_letter(c);
        }
    }

    /// Appends one letter of a word (lower-cased) and counts it.
    fn push_letter(&mut self, c: char) {
        if c.is_ascii() {
            self.push_bytes(u64::from(c.to_ascii_lowercase() as u8), 1);
        } else {
            for l in c.to_lowercase() {
                let mut buf = [0u8; 4];
                for &b in l.encode_utf8(&mut buf).as_bytes() {
                    self.push_bytes(u64::from(b), 1);
                }
            }
        }
        self.nchars += 1;
        if self.nchars == self.stem {
            self.h_stem = self.word_hash();
        }
    }

    /// Appends the run of ASCII letters at `bytes[i..]` to the current word, eight bytes at
    /// a time; returns the index after it.
    fn ascii_letters_from(&mut self, bytes: &[u8], mut i: usize) -> usize {
        loop {
            let (w, k) = letter_block(bytes, i);
            if k == 0 {
                return i;
            }
            self.push_bytes(w, k);
            self.nchars += k as usize;
            i += k as usize;
            if k < 8 {
                return i;
            }
        }
    }

    /// The current word's hash: the folded blocks and the partial one.
    fn word_hash(&self) -> u64 {
        fold(self.h, self.acc)
    }

    fn emit(&mut self, t: u32) {
        self.out.push(t);
        if self.tokens < self.lead {
            self.out.push(t);
        }
    }

    /// Emits the terms of a word of `n` characters whose hash is `hw` (`h`: of its stem).
    #[inline(always)]
    fn end_word(&mut self, n: usize, hw: u64, h: u64) {
        self.tokens += 1;
        if n >= 2 {
            self.emit(term(WORD, h));
        }
        if self.cap {
            if n >= 2 {
                self.emit(term(NAME, hw));
                *self.cased += 1;
            }
            if let Some(p) = self.prev_name
                && self.clean_gap
            {
                let pair = step(p, 0x20).wrapping_add(hw.rotate_left(17));
                self.emit(term(NAME, pair));
            }
            self.prev_name = Some(hw);
        } else {
            self.prev_name = None;
        }
        if self.caseless && self.pairs {
            if let Some(p) = self.prev_plain
                && self.clean_gap
            {
                let pair = step(p, 0x20).wrapping_add(hw.rotate_left(17));
                self.emit(term(self.pair_channel, pair));
            }
            self.prev_plain = Some(hw);
        } else {
            self.prev_plain = None;
        }
        self.clean_gap = true;
        self.last_len1 = n == 1;
    }

    fn end_token(&mut self) {
        match self.kind {
            Kind::Word => {
                let n = self.nchars;
                let hw = self.word_hash();
                let h = if self.stem > 0 && n > self.stem {
                    self.h_stem
                } else {
                    hw
                };
                self.end_word(n, hw, h);
            }
            Kind::Num => {
                self.tokens += 1;
                if self.nchars == 0 {
                    self.h = step(0, 1); // all zeros
                }
                let year = !self.dotted && self.nchars == 4 && (1800..=2100).contains(&self.value);
                self.emit(term(if year { YEAR } else { NUM }, self.h));
                self.prev_name = None;
                self.prev_plain = None;
                self.clean_gap = false;
            }
            Kind::None => {}
        }
        self.kind = Kind::None;
    }

    fn end_cjk(&mut self) {
        if self.cjk_len == 1
            && let Some(p) = self.cjk_prev
        {
            self.emit(term(WORD, step(0, p as u32)));
        }
        self.cjk_prev = None;
        self.cjk_len = 0;
    }

    fn separator(&mut self, c: char) {
        match c {
            ' ' | '\t' | '\u{a0}' | '-' => {}
            '.' if self.last_len1 => {}
            _ => self.clean_gap = false,
        }
    }

    fn flush_pending(&mut self) {
        if let Some(p) = self.pending.take() {
            self.separator(p);
        }
    }

    fn char(&mut self, c: char) {
        if self.kind == Kind::Word && c.is_ascii_alphabetic() {
            // The common case: a word goes on (no number or unspaced run is pending).
            self.push_char(c);
            return;
        }
        if let Some(d) = digit(c) {
            if self.cjk_len > 0 {
                self.end_cjk();
            }
            if self.kind == Kind::Word {
                self.end_token();
            }
            if self.kind == Kind::Num {
                if self.pending == Some('.') {
                    self.h = step(self.h, '.' as u32);
                    self.dotted = true;
                }
                self.pending = None;
            } else {
                self.flush_pending();
                self.kind = Kind::Num;
                self.h = 0;
                self.nchars = 0;
                self.value = 0;
                self.dotted = false;
            }
            if d == 0 && self.nchars == 0 {
                return;
            }
            self.h = step(self.h, d + 1);
            self.nchars += 1;
            self.value = self.value.saturating_mul(10).saturating_add(u64::from(d));
            return;
        }
        if self.kind == Kind::Num && self.pending.is_none() && c == '.' {
            self.pending = Some(c);
            return;
        }
        if !c.is_ascii() && ignorable(c) {
            return;
        }
        if !c.is_ascii() && unspaced(c) {
            self.end_token();
            self.flush_pending();
            self.prev_name = None;
            self.prev_plain = None;
            if let Some(p) = self.cjk_prev {
                self.emit(term(WORD, step(step(0, p as u32), c as u32)));
                self.tokens += 1;
            }
            self.cjk_prev = Some(c);
            self.cjk_len += 1;
            return;
        }
        if self.cjk_len > 0 {
            self.end_cjk();
        }
        if c.is_alphabetic() {
            if self.kind == Kind::Num {
                self.end_token();
            }
            self.flush_pending();
            if self.kind == Kind::None {
                self.start_word();
                self.cap = c.is_uppercase();
                self.caseless = !self.cap && !c.is_lowercase();
                self.skeleton = self.caseless && arabic_script(c);
                self.stem = self.stems[if self.skeleton {
                    2
                } else {
                    usize::from(self.caseless)
                }];
            }
            self.push_char(c);
            return;
        }
        self.end_token();
        self.flush_pending();
        self.separator(c);
    }
}

/// Tokenizes `text` into channel terms appended to `out`; returns the tokens read (at most
/// `max_tokens`).
fn tokenize(
    text: &str,
    stem: [usize; 3],
    pairs: u8,
    lead: usize,
    max_tokens: usize,
    out: &mut Vec<u32>,
    cased: &mut usize,
) -> usize {
    let mut t = Tok {
        out,
        stems: stem,
        stem: 0,
        lead,
        tokens: 0,
        kind: Kind::None,
        h: 0,
        acc: 0,
        nacc: 0,
        h_stem: 0,
        nchars: 0,
        cap: false,
        value: 0,
        dotted: false,
        pending: None,
        cjk_prev: None,
        cjk_len: 0,
        prev_name: None,
        caseless: false,
        skeleton: false,
        pairs: pairs > 0,
        prev_plain: None,
        pair_channel: if pairs == 2 { WORD } else { NAME },
        cased,
        clean_gap: false,
        last_len1: false,
    };
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() && t.tokens < max_tokens {
        let b = bytes[i];
        if b.is_ascii_alphabetic() && t.kind == Kind::None && t.cjk_len == 0 && t.pending.is_none() {
            // An ASCII word starts (as `char` starts one).
            t.cap = b.is_ascii_uppercase();
            t.caseless = false;
            t.skeleton = false;
            t.stem = t.stems[0];
            if t.stem > 0 {
                // A stem to read a letter at a time: the letters follow below.
                t.start_word();
                continue;
            }
            // The whole run of ASCII letters at once, eight bytes at a time, in registers
            // (the same blocks `push_bytes` folds).
            let start = i;
            let mut h = 0u64;
            let (part, k) = loop {
                let (w, k) = letter_block(bytes, i);
                i += k as usize;
                if k < 8 {
                    break (w, k);
                }
                h = fold(h, w);
            };
            if bytes.get(i).is_none_or(|&c| c < 0x80) {
                // An ASCII byte after it (or the end of the text) ends the word as `char`
                // would; the separators up to the next letter or digit only mark the gap
                // (no number or unspaced run is pending after a word).
                let hw = fold(h, part);
                t.end_word(i - start, hw, hw);
                while let Some(&c) = bytes.get(i)
                    && SEPARATORS[usize::from(c)]
                {
                    t.separator(c as char);
                    i += 1;
                }
            } else {
                // A non-ASCII byte may continue the word ("café"): `char` takes it from
                // the word so far.
                t.start_word();
                t.h = h;
                t.acc = part;
                t.nacc = k;
                t.nchars = i - start;
            }
        } else if b.is_ascii_alphabetic() && t.kind == Kind::Word {
            if t.stem > t.nchars {
                // A stem is still being read: a letter at a time.
                t.push_char(b as char);
                i += 1;
                continue;
            }
            i = t.ascii_letters_from(bytes, i);
        } else if b == b' ' && t.kind == Kind::Word {
            // A space after a word (what `char` does there: no number or unspaced run is
            // pending inside a word, and a space keeps the gap clean).
            t.end_token();
            i += 1;
        } else if b < 0x80 {
            t.char(b as char);
            i += 1;
        } else {
            let c = text[i..].chars().next().expect("char boundary");
            t.char(c);
            i += c.len_utf8();
        }
    }
    if t.tokens < max_tokens {
        t.end_token();
        t.end_cjk();
    }
    t.tokens.min(max_tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(s: &str) -> Vec<u32> {
        let mut v = Vec::new();
        tokenize(s, [0, 0, 0], 0, 0, 1000, &mut v, &mut 0);
        v
    }

    fn count(v: &[u32], ch: u32) -> usize {
        v.iter().filter(|&&t| channel(t) == ch as usize).count()
    }

    #[test]
    fn format_4_snapshots_restore_showing_their_event_times() {
        let mut ix = StoryIndex::new(Config::default());
        let text = Text {
            title: "Harbour bridge reopens",
            body: "Engineers finished repairs to the Portsmouth harbour bridge on Monday.",
            lang: None,
        };
        let a = ix.place(1, &text, 5_000).story;
        ix.show(a, 1_000, 2_000);
        let old = StoryIndex::restore(Config::default(), &ix.encode(4)).expect("format 4 reads");
        assert_eq!(
            (old.first_seen_ms(a), old.updated_ms(a)),
            (Some(5_000), Some(5_000))
        );
        let new = StoryIndex::restore(Config::default(), &ix.encode(FORMAT)).expect("reads");
        assert_eq!(
            (new.first_seen_ms(a), new.updated_ms(a)),
            (Some(1_000), Some(2_000))
        );
        assert!(StoryIndex::restore(Config::default(), &ix.encode(3)).is_err());
    }

    /// A word's hash by its definition: eight-byte blocks of its lower-cased UTF-8.
    fn word_ref(word: &str) -> u64 {
        let bytes: Vec<u8> = word.to_lowercase().into_bytes();
        let mut h = 0;
        let mut blocks = bytes.chunks_exact(8);
        for b in blocks.by_ref() {
            h = fold(h, u64::from_le_bytes(b.try_into().unwrap()));
        }
        let mut last = [0u8; 8];
        last[..blocks.remainder().len()].copy_from_slice(blocks.remainder());
        fold(h, u64::from_le_bytes(last))
    }

    #[test]
    fn ascii_letter_runs() {
        let run = |s: &[u8]| ascii_letters(u64::from_le_bytes(s.try_into().unwrap()));
        assert_eq!(run(b"abcdefgh"), 8);
        assert_eq!(run(b"ABCDEFGH"), 8);
        assert_eq!(run(b"abc defg"), 3);
        assert_eq!(run(b" bcdefgh"), 0);
        assert_eq!(run(b"zZ@[`{09"), 2);
        assert_eq!(run(b"a\xc3\xa9bcdef"), 1);
        for b in 0..=255u8 {
            let w = u64::from_le_bytes([b, b' ', 0, 0, 0, 0, 0, 0]);
            assert_eq!(ascii_letters(w), u32::from(b.is_ascii_alphabetic()), "{b}");
        }
    }

    #[test]
    fn word_hash_does_not_depend_on_the_path() {
        // The same words read in blocks (long text after them), near the end of the text,
        // through the per-character path (non-ASCII letters), and with stems pending.
        for w in [
            "a",
            "Ab",
            "Abcdefg",
            "Abcdefgh",
            "Abcdefghi",
            "Internationalisation",
            "Abcdefghijklmnop",
            "Mañana",
            "Abcdefghñ",
            "Abcdefghijklmnopé",
            "Größenwahnsinnig",
            "naïveté",
        ] {
            let want = term(WORD, word_ref(w));
            let tail = terms(w);
            let long = terms(&format!("{w} {}", "and so on ".repeat(4)));
            let lead = terms(&format!("(( {w}"));
            if w.chars().count() >= 2 {
                assert_eq!(tail[0], want, "{w} at the end");
                assert_eq!(long[0], want, "{w} before more text");
                assert_eq!(lead[0], want, "{w} after punctuation");
            } else {
                assert!(tail.is_empty(), "{w}");
            }
        }
        // A stem of 4 characters is the hash of the first four.
        let mut v = Vec::new();
        tokenize(
            "Abcdefghijk and more text here",
            [4, 4, 4],
            0,
            0,
            10,
            &mut v,
            &mut 0,
        );
        assert_eq!(v[0], term(WORD, word_ref("abcd")));
    }

    #[test]
    fn channels_from_english() {
        let v = terms("Peter Capaldi was named on 4 August 2013, ending 3.5 years.");
        // names: peter, capaldi, "peter capaldi", august
        assert_eq!(count(&v, NAME), 4, "{v:?}");
        assert_eq!(count(&v, YEAR), 1);
        assert_eq!(count(&v, NUM), 2);
        assert!(v.contains(&term(NAME, word_ref("capaldi"))));
    }

    #[test]
    fn case_and_digits_fold() {
        let a = terms("geneva 2025");
        let b = terms("GENEVA ٢٠٢٥");
        assert_eq!(a[0], b[0]);
        assert_eq!(a.last(), b.last());
    }

    #[test]
    fn unspaced_scripts_give_bigrams() {
        let v = terms("東京都で地震");
        assert_eq!(count(&v, WORD), 5);
        assert_eq!(terms("地"), vec![term(WORD, step(0, '地' as u32))]);
    }

    #[test]
    fn urdu_splits_digits_from_letters() {
        let v = terms("نیویارک۔05ستمبر");
        assert_eq!(count(&v, NUM), 1);
        assert_eq!(count(&v, WORD), 2);
        assert_eq!(count(&v, NAME), 0);
    }

    #[test]
    fn arabic_script_words_are_read_as_skeletons() {
        let stems = |s: &str, n: usize| {
            let mut v = Vec::new();
            tokenize(s, [0, 0, n], 0, 0, 1000, &mut v, &mut 0);
            v
        };
        // Two spellings of one name (Rangana), Arabic and Urdu keyboards' yeh, kaf and
        // heh, and hamza and madda forms give one term.
        assert_eq!(terms("رنگنا"), terms("رنگانا"));
        assert_eq!(terms("كيلي"), terms("کیلی"));
        assert_eq!(terms("هيراته"), terms("ہیراتہ"));
        assert_eq!(terms("آسٹریلیا"), terms("اسٹرلیا"));
        assert_eq!(terms("سوئٹزرلینڈ"), terms("سوئیٹزرلینڈ"));
        assert_eq!(
            terms("\u{fedb}\u{fe98}\u{fe8e}\u{fe8f}"),
            terms("کتاب"),
            "presentation forms"
        );
        assert_eq!(terms("كـتاب"), terms("کتاب"), "tatweel");
        // A first letter stays; the skeleton is cut to the stem length.
        assert_ne!(terms("امن"), terms("من"));
        assert_eq!(stems("کرکٹ", 3), stems("کرکٹر", 3));
        assert_ne!(stems("کرکٹ", 0), stems("کرکٹر", 0));
        // Other scripts without case keep their letters and their own stem length.
        assert_ne!(terms("नमस्ते"), terms("नमस्त"));
        assert_eq!(count(&terms("Karachi کراچی"), WORD), 2);
    }

    #[test]
    fn token_budget_is_kept() {
        let text = "word ".repeat(1000);
        let mut v = Vec::new();
        assert_eq!(tokenize(&text, [0, 0, 0], 0, 0, 10, &mut v, &mut 0), 10);
        assert_eq!(v.len(), 10);
    }
}
