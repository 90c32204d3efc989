//! Evaluation helpers: cluster scoring against gold labels and a corpus benchmark.
//!
//! Pure functions, no IO: the caller loads the corpus. [`score`] computes the same pairwise
//! and B-cubed figures as `score_clusters.py`; [`bench_corpus`] runs docs through a fresh
//! [`Index`] in order and reports throughput, memory and the assignment, so a CLI
//! `bench dedup` subcommand, the examples and the tests share one code path. Timing uses
//! the monotonic clock and covers fingerprinting, candidate search, verification and
//! cluster update (event building included), nothing else.

use std::collections::HashMap;
use std::time::Instant;

use crate::{Config, Doc, Index};

/// Pairwise and B-cubed precision, recall and F1 of a clustering against gold labels.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Scores {
    /// Pairwise precision (1 when no pair was predicted).
    pub pair_precision: f64,
    /// Pairwise recall (1 when the gold has no pair).
    pub pair_recall: f64,
    /// Pairwise F1.
    pub pair_f1: f64,
    /// B-cubed precision.
    pub b3_precision: f64,
    /// B-cubed recall.
    pub b3_recall: f64,
    /// B-cubed F1.
    pub b3_f1: f64,
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) }
}

/// Scores predicted labels against gold labels, item by item (same length and order).
pub fn score<G: Eq + std::hash::Hash, P: Eq + std::hash::Hash>(gold: &[G], pred: &[P]) -> Scores {
    let n = gold.len().min(pred.len());
    let mut gid: HashMap<&G, usize> = HashMap::new();
    let mut pid: HashMap<&P, usize> = HashMap::new();
    let g: Vec<usize> = gold[..n]
        .iter()
        .map(|x| {
            let k = gid.len();
            *gid.entry(x).or_insert(k)
        })
        .collect();
    let p: Vec<usize> = pred[..n]
        .iter()
        .map(|x| {
            let k = pid.len();
            *pid.entry(x).or_insert(k)
        })
        .collect();
    let mut gs = vec![0u64; gid.len()];
    let mut ps = vec![0u64; pid.len()];
    let mut both: HashMap<(usize, usize), u64> = HashMap::new();
    for i in 0..n {
        gs[g[i]] += 1;
        ps[p[i]] += 1;
        *both.entry((g[i], p[i])).or_default() += 1;
    }
    let pairs = |c: u64| c * c.saturating_sub(1) / 2;
    let tp: u64 = both.values().map(|&c| pairs(c)).sum();
    let gp: u64 = gs.iter().map(|&c| pairs(c)).sum();
    let pp: u64 = ps.iter().map(|&c| pairs(c)).sum();
    let pair_precision = if pp == 0 { 1.0 } else { tp as f64 / pp as f64 };
    let pair_recall = if gp == 0 { 1.0 } else { tp as f64 / gp as f64 };
    let (mut bp, mut br) = (0.0, 0.0);
    for i in 0..n {
        let c = both[&(g[i], p[i])] as f64;
        bp += c / ps[p[i]] as f64;
        br += c / gs[g[i]] as f64;
    }
    let (bp, br) = if n == 0 {
        (1.0, 1.0)
    } else {
        (bp / n as f64, br / n as f64)
    };
    Scores {
        pair_precision,
        pair_recall,
        pair_f1: f1(pair_precision, pair_recall),
        b3_precision: bp,
        b3_recall: br,
        b3_f1: f1(bp, br),
    }
}

/// One article of a benchmark corpus.
#[derive(Debug, Clone, Default)]
pub struct CorpusDoc {
    /// Article id (also used as uri).
    pub id: String,
    /// Headline.
    pub title: String,
    /// Body text.
    pub text: String,
    /// Publication time in ms, when known.
    pub published_ms: Option<i64>,
}

impl CorpusDoc {
    /// The doc as the benchmarks apply it: its id is its uri, and without a publication
    /// time its position `i` in the corpus is its arrival time.
    fn doc(&self, i: usize) -> Doc<'_> {
        Doc {
            id: &self.id,
            uri: &self.id,
            title: &self.title,
            body: &self.text,
            published_ms: self.published_ms,
            received_ms: self.published_ms.unwrap_or(i as i64),
            ..Doc::default()
        }
    }
}

/// What [`bench_corpus`] measured.
#[derive(Debug, Clone, Default)]
pub struct BenchReport {
    /// Docs applied.
    pub docs: usize,
    /// Wall seconds inside `Index::apply`.
    pub secs: f64,
    /// Docs per second.
    pub docs_per_s: f64,
    /// Megabytes of body text per second.
    pub mb_per_s: f64,
    /// Approximate index heap bytes at the end.
    pub heap_bytes: usize,
    /// `heap_bytes / docs` (all docs are within the horizon unless published times say
    /// otherwise).
    pub bytes_per_doc: f64,
    /// Clusters at the end.
    pub clusters: usize,
    /// Final index counters.
    pub stats: crate::Stats,
    /// Events emitted.
    pub events: usize,
    /// Cluster of each doc, in input order (`ClusterId` as u64; 0 for dropped docs).
    pub assignment: Vec<u64>,
}

/// Fingerprints every doc's text with one reused fingerprinter (tokenize, fold, shingle,
/// sample: what [`Index::apply`] does before the candidate search) and returns the seconds
/// taken and the total count of keys kept (to compare two builds).
pub fn fingerprint_corpus(docs: &[CorpusDoc], config: &Config) -> (f64, usize) {
    let mut sk = crate::sketch::Sketcher::default();
    let mut keys = 0usize;
    let start = Instant::now();
    for d in docs {
        keys += config.fingerprint(&mut sk, &d.text).keys.len();
    }
    (start.elapsed().as_secs_f64(), keys)
}

/// Runs `docs` in order through a fresh index with `config` (one thread) and reports.
pub fn bench_corpus(docs: &[CorpusDoc], config: Config) -> BenchReport {
    let mut ix = Index::new(config);
    let mut assignment = Vec::with_capacity(docs.len());
    let mut events = 0usize;
    let mut bytes = 0usize;
    let start = Instant::now();
    for (i, d) in docs.iter().enumerate() {
        let doc = d.doc(i);
        bytes += d.text.len();
        let out = ix.apply(&doc);
        events += out.events.len();
        assignment.push(out.cluster.map_or(0, |c| c.0));
    }
    let secs = start.elapsed().as_secs_f64().max(1e-9);
    let st = ix.stats();
    BenchReport {
        docs: docs.len(),
        secs,
        docs_per_s: docs.len() as f64 / secs,
        mb_per_s: bytes as f64 / 1e6 / secs,
        heap_bytes: st.heap_bytes,
        bytes_per_doc: st.heap_bytes as f64 / docs.len().max(1) as f64,
        clusters: st.clusters,
        stats: st,
        events,
        assignment,
    }
}

/// What [`bench_stories`] measured: the copy and story levels together, with the story
/// level's own share timed apart.
#[derive(Debug, Clone, Default)]
pub struct StoryBenchReport {
    /// Docs applied.
    pub docs: usize,
    /// Wall seconds for both levels.
    pub secs: f64,
    /// Of which in the story level (routing and [`crate::story::StoryIndex`] calls).
    pub story_secs: f64,
    /// Docs per second through both levels.
    pub docs_per_s: f64,
    /// Approximate story-index heap bytes at the end.
    pub story_heap_bytes: usize,
    /// `story_heap_bytes / docs`.
    pub story_bytes_per_doc: f64,
    /// Live stories at the end.
    pub stories: usize,
    /// Story of each doc's cluster right after it was applied (0 when none).
    pub assignment: Vec<u64>,
}

/// Runs `docs` in order through a fresh copy index and story index (one thread), the way
/// the deduplicator does (through [`crate::layers::follow`]), and reports.
pub fn bench_stories(docs: &[CorpusDoc], config: Config, story: crate::story::Config) -> StoryBenchReport {
    let horizon_ms = config.horizon_secs.saturating_mul(1000);
    let mut ix = Index::new(config);
    let mut stories = crate::story::StoryIndex::new(story);
    let mut assignment = Vec::with_capacity(docs.len());
    let mut story_secs = 0.0;
    let start = Instant::now();
    for (i, d) in docs.iter().enumerate() {
        let doc = d.doc(i);
        let out = ix.apply(&doc);
        let s0 = Instant::now();
        let t = crate::event_time(&doc, horizon_ms);
        let text = crate::story::Text {
            title: &d.title,
            body: &d.text,
            lang: None,
        };
        for ev in &out.events {
            crate::layers::follow(&mut stories, ev, &text, t);
        }
        let s = out.cluster.and_then(|c| stories.story_of(c.0)).map_or(0, |s| s.0);
        story_secs += s0.elapsed().as_secs_f64();
        assignment.push(s);
    }
    let secs = start.elapsed().as_secs_f64().max(1e-9);
    let st = stories.stats();
    StoryBenchReport {
        docs: docs.len(),
        secs,
        story_secs,
        docs_per_s: docs.len() as f64 / secs,
        story_heap_bytes: st.heap_bytes,
        story_bytes_per_doc: st.heap_bytes as f64 / docs.len().max(1) as f64,
        stories: st.stories,
        assignment,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_match_hand_counts() {
        // gold {a,b,c} {d}; pred {a,b} {c,d}: tp=1 of pred 2, gold 3.
        let s = score(&["x", "x", "x", "y"], &[1, 1, 2, 2]);
        assert!((s.pair_precision - 0.5).abs() < 1e-9);
        assert!((s.pair_recall - 1.0 / 3.0).abs() < 1e-9);
        // B3 precision: a,b: 1; c: 1/2; d: 1/2 -> 0.75; recall: a,b: 2/3, c: 1/3, d: 1 -> 2/3.
        assert!((s.b3_precision - 0.75).abs() < 1e-9);
        assert!((s.b3_recall - 2.0 / 3.0).abs() < 1e-9);
        let perfect = score(&["a", "b", "b"], &["q", "r", "r"]);
        assert_eq!((perfect.pair_f1, perfect.b3_f1), (1.0, 1.0));
    }
}
