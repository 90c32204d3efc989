//! Evaluation harness for the story layer: runs the copy [`Index`] and the [`StoryIndex`]
//! over a JSONL corpus (or a folder of `*.txt` seeds) the way `wirefold cluster --final`
//! does (received = the newest time seen, `t = event_time(doc, horizon)`, every copy event
//! through `layers::follow`, the answer = the last story named for the article's final copy
//! cluster), prints each article's final copy cluster and story, scores them against
//! whatever gold the file carries, and times the story level.
//!
//! ```text
//! cargo run --release -p wirefold-dedup --example story_eval -- DATA.jsonl|SEEDS_DIR
//!     [--pairs PAIRS.jsonl] [--out PRED.jsonl] [--quiet] [--errors] [--limit N]
//!     [--set field=value]... [--bench] [--replay REPS] [--normalize] [--shuffle SEED] [--retime SEED]
//! ```
//!
//! Input lines are `{"id","title","text","published"?,"url"?|"uri"?}`; gold fields `story`,
//! `copy` (or `cluster`) are scored when present, `--pairs` scores `{a,b}` pairs that each
//! report one event (share of pairs in one story, B-cubed precision with each pair as its
//! own event). The item identity is `uri`, else `url`, else the id, as the normalizer sets
//! it. `wirefold cluster` first runs the texts through the normalizer (title line dropped
//! from the body, dateline and byline taken out); to measure exactly what it measures, feed
//! this tool normalised texts, or pass `--normalize` (the same `wirefold_extract::extract_text`
//! call `from_plain` makes). `--bench` times copy alone against copy + story with
//! `eval::bench_corpus` / `eval::bench_stories`; `--replay N` records the copy events once
//! and times the story level alone over them, best of N (steadier on a busy machine).
//! `--shuffle SEED` permutes the arrival order (seeded, deterministic; times stay as
//! published, received is still the newest seen): story placement depends on order, so an
//! accuracy change should also hold on a few shuffled orders, not only the file's order.
//! `--retime SEED` draws the clock again instead (each gold copy cluster keeps its
//! members' offsets and moves to a random start, then arrival follows the new times): the
//! file's own order is by time, and so is a feed's, which shuffling breaks.
//! `STORY_TRACE=1` prints each placement with its best candidate and similarity (`TRACE`),
//! the one-cluster stories it folded in (`ABSORB`), and every candidate scored with its
//! word, name, year and number cosines (-1: the cluster has none), time factor, clusters
//! placed and margin over its threshold (`CAND`). `--set absorb_extra=inf` turns the
//! revisable placement off.

use std::collections::HashMap;
use std::time::Instant;

use wirefold_dedup::eval::{CorpusDoc, bench_corpus, bench_stories, score};
use wirefold_dedup::layers::follow;
use wirefold_dedup::story::{self, StoryIndex, Text};
use wirefold_dedup::{Config, Doc, EventKind, Index, event_time};

struct Art {
    id: String,
    /// Item identity: `uri`, else `url`, else the id (as the normalizer sets it).
    uri: String,
    title: String,
    text: String,
    published: Option<i64>,
    gold_story: Option<String>,
    gold_copy: Option<String>,
}

/// What the normalizer's plain-text path (`from_plain`) makes of a title and text: the
/// headline and body the deduplicator sees.
fn normalize(a: &mut Art) {
    let title = Some(a.title.as_str()).filter(|t| !t.trim().is_empty());
    match wirefold_extract::extract_text(&a.text, title) {
        Ok(e) => {
            a.title = e.title.unwrap_or_default();
            a.text = e.body;
        }
        Err(_) => a.text = a.text.trim().to_string(),
    }
}

fn load(path: &str, limit: usize) -> Vec<Art> {
    let p = std::path::Path::new(path);
    if p.is_dir() {
        let mut files: Vec<_> = std::fs::read_dir(p)
            .expect("read seeds dir")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|f| f.extension().is_some_and(|x| x == "txt"))
            .collect();
        files.sort();
        return files
            .iter()
            .map(|f| Art {
                id: f.file_name().unwrap().to_string_lossy()[..3].to_string(),
                uri: f.file_name().unwrap().to_string_lossy()[..3].to_string(),
                title: String::new(),
                text: std::fs::read_to_string(f).expect("read seed"),
                published: None,
                gold_story: Some("seeds".into()),
                gold_copy: None,
            })
            .collect();
    }
    let text = std::fs::read_to_string(p).unwrap_or_else(|e| panic!("read {path}: {e}"));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .take(limit)
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("json line");
            let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
            Art {
                id: s("id").unwrap_or_default(),
                uri: s("uri")
                    .or_else(|| s("url"))
                    .or_else(|| s("id"))
                    .unwrap_or_default(),
                title: s("title").unwrap_or_default(),
                text: s("text").unwrap_or_default(),
                published: s("published").and_then(|p| wirefold_wire::time::parse_ms(&p)),
                gold_story: s("story"),
                gold_copy: s("copy").or_else(|| s("cluster")),
            }
        })
        .collect()
}

struct Run {
    copy: Vec<u64>,
    story: Vec<u64>,
    secs: f64,
    story_secs: f64,
    stats: Option<story::StoryStats>,
}

/// Runs both levels the way `Deduper::apply` does: received = the newest time seen (or
/// published when later), `t = event_time(doc, horizon)`, every copy event through
/// `layers::follow`. The final answer mirrors `cluster --final`: the last story named for
/// the article's final copy cluster, resolved through story merges.
fn run(arts: &[Art], scfg: &story::Config) -> Run {
    let cfg = Config::default();
    let horizon_ms = cfg.horizon_secs * 1000;
    let mut ix = Index::new(cfg);
    let mut st = StoryIndex::new(scfg.clone());
    let trace = std::env::var_os("STORY_TRACE").is_some();
    st.set_trace(trace);
    let mut latest = 0i64;
    let mut copy = Vec::with_capacity(arts.len());
    let mut story_secs = 0.0;
    let mut parent: HashMap<u64, u64> = HashMap::new();
    let mut story_parent: HashMap<u64, u64> = HashMap::new();
    // Last story named for each cluster (what `cluster --final` answers).
    let mut seen: HashMap<u64, u64> = HashMap::new();
    let t0 = Instant::now();
    for a in arts {
        let received = latest.max(a.published.unwrap_or(0));
        latest = received;
        let doc = Doc {
            id: &a.id,
            uri: &a.uri,
            title: &a.title,
            body: &a.text,
            published_ms: a.published,
            received_ms: received,
            ..Doc::default()
        };
        let t = event_time(&doc, horizon_ms);
        let out = ix.apply(&doc);
        let c = out.cluster.map(|c| c.0).unwrap_or(u64::MAX);
        copy.push(c);
        let s0 = Instant::now();
        let text = Text {
            title: &a.title,
            body: &a.text,
            lang: None,
        };
        for ev in &out.events {
            if ev.kind == EventKind::Merged {
                for f in &ev.merged_from {
                    parent.insert(f.0, ev.cluster.0);
                }
            }
            let step = follow(&mut st, ev, &text, t);
            if let Some(step) = &step {
                for g in &step.absorbed {
                    story_parent.insert(g.0, step.story.0);
                }
                if trace && ev.kind == EventKind::Created {
                    let (bs, bsim) = st
                        .last_best()
                        .map_or((String::new(), 0.0), |(s, x)| (s.to_string(), x));
                    eprintln!(
                        "TRACE\t{}\t{}\t{:?}\t{}\t{:.3}",
                        a.id, step.story, step.kind, bs, bsim
                    );
                    for g in &step.absorbed {
                        eprintln!("ABSORB\t{}\t{}\t{}", a.id, step.story, g);
                    }
                    for (cs, cos, tf, joins, margin) in st.last_candidates() {
                        eprintln!(
                            "CAND\t{}\t{}\t{:.3}\t{:.3}\t{:.3}\t{:.3}\t{:.3}\t{}\t{:.3}",
                            a.id, cs, cos[0], cos[1], cos[2], cos[3], tf, joins, margin
                        );
                    }
                }
            }
            if let Some(s) = st.story_of(ev.cluster.0) {
                seen.insert(ev.cluster.0, s.0);
            }
        }
        story_secs += s0.elapsed().as_secs_f64();
    }
    let secs = t0.elapsed().as_secs_f64();
    let find = |m: &HashMap<u64, u64>, mut c: u64| {
        while let Some(&p) = m.get(&c) {
            c = p;
        }
        c
    };
    let copy: Vec<u64> = copy.into_iter().map(|c| find(&parent, c)).collect();
    let story = copy
        .iter()
        .map(|&c| match st.story_of(c) {
            Some(s) => s.0,
            None => seen.get(&c).map_or(u64::MAX, |&s| find(&story_parent, s)),
        })
        .collect();
    Run {
        copy,
        story,
        secs,
        story_secs,
        stats: Some(st.stats()),
    }
}

/// CPU seconds this process has used (user + system, from `/proc/self/stat`; 0 where
/// that is missing): steadier than wall time on a machine shared with other work.
fn cpu_secs() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the parenthesised command: state is field 3, utime 14, stime 15.
    let rest = stat.rsplit_once(')').map_or("", |x| x.1);
    let f: Vec<f64> = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|x| x.parse().ok())
        .collect();
    f.iter().sum::<f64>() / 100.0
}

/// The story level alone, replayed over recorded copy events (best of `reps` runs, so
/// other load on the machine disturbs it less): wall seconds, CPU seconds, new clusters
/// placed.
fn story_replay(arts: &[Art], scfg: &story::Config, reps: usize) -> (f64, f64, u64) {
    let cfg = Config::default();
    let horizon_ms = cfg.horizon_secs * 1000;
    let mut ix = Index::new(cfg);
    let mut latest = 0i64;
    let mut rec = Vec::with_capacity(arts.len());
    for a in arts {
        let received = latest.max(a.published.unwrap_or(0));
        latest = received;
        let doc = Doc {
            id: &a.id,
            uri: &a.uri,
            title: &a.title,
            body: &a.text,
            published_ms: a.published,
            received_ms: received,
            ..Doc::default()
        };
        let t = event_time(&doc, horizon_ms);
        rec.push((t, ix.apply(&doc).events));
    }
    let mut best = f64::MAX;
    let mut best_cpu = f64::MAX;
    let mut placed = 0;
    for _ in 0..reps {
        let mut st = StoryIndex::new(scfg.clone());
        let t0 = Instant::now();
        let c0 = cpu_secs();
        for (a, (t, evs)) in arts.iter().zip(&rec) {
            let text = Text {
                title: &a.title,
                body: &a.text,
                lang: None,
            };
            for ev in evs {
                follow(&mut st, ev, &text, *t);
            }
        }
        best = best.min(t0.elapsed().as_secs_f64());
        best_cpu = best_cpu.min(cpu_secs() - c0);
        placed = st.stats().placed;
    }
    (best, best_cpu, placed)
}

/// Copy alone against copy + story on the same docs, in one run, through the shared
/// benchmark code.
fn bench(arts: &[Art], scfg: &story::Config) {
    let docs: Vec<CorpusDoc> = arts
        .iter()
        .map(|a| CorpusDoc {
            id: a.uri.clone(),
            title: a.title.clone(),
            text: a.text.clone(),
            published_ms: a.published,
        })
        .collect();
    let copy = bench_corpus(&docs, Config::default());
    let both = bench_stories(&docs, Config::default(), scfg.clone());
    let created = copy
        .assignment
        .iter()
        .collect::<std::collections::HashSet<_>>()
        .len();
    let new_clusters = created.max(1) as f64;
    eprintln!(
        "bench {} docs: copy alone {:.0}/s; copy+story {:.0}/s (ratio {:.3}); story {:.3}s = \
         {:.1} µs per new cluster ({} clusters); story {:.0} B/article, {} stories",
        docs.len(),
        copy.docs_per_s,
        both.docs_per_s,
        both.docs_per_s / copy.docs_per_s,
        both.story_secs,
        both.story_secs * 1e6 / new_clusters,
        created,
        both.story_bytes_per_doc,
        both.stories
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args
        .first()
        .expect("usage: story_eval DATA.jsonl|SEEDS_DIR [options]");
    let opt = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let flag = |name: &str| args.iter().any(|a| a == name);
    let limit = opt("--limit").and_then(|v| v.parse().ok()).unwrap_or(usize::MAX);
    let mut arts = load(path, limit);
    if let Some(seed) = opt("--shuffle").and_then(|v| v.parse().ok()) {
        shuffle(&mut arts, seed);
    }
    if let Some(seed) = opt("--retime").and_then(|v| v.parse().ok()) {
        retime(&mut arts, seed);
    }
    if flag("--normalize") {
        arts.iter_mut().for_each(normalize);
    }
    let mut scfg = story::Config::default();
    for (i, a) in args.iter().enumerate() {
        if a == "--set"
            && let Some(kv) = args.get(i + 1)
        {
            set(&mut scfg, kv);
        }
    }
    if let Some(reps) = opt("--replay").and_then(|v| v.parse().ok()) {
        let (secs, cpu, placed) = story_replay(&arts, &scfg, reps);
        eprintln!(
            "story replay (best of {reps}): {secs:.3}s wall, {cpu:.2}s CPU; {:.1} µs wall, {:.1} µs CPU per new cluster ({placed})",
            secs * 1e6 / placed.max(1) as f64,
            cpu * 1e6 / placed.max(1) as f64
        );
        if flag("--quiet") {
            return;
        }
    }
    if flag("--bench") {
        bench(&arts, &scfg);
        if flag("--quiet") {
            return;
        }
    }
    let r = run(&arts, &scfg);
    let n = arts.len() as f64;
    eprintln!(
        "{} articles: copy+story {:.3}s ({:.0}/s), story part {:.3}s ({:.2} µs/article)",
        arts.len(),
        r.secs,
        n / r.secs,
        r.story_secs,
        r.story_secs * 1e6 / n
    );
    if let Some(s) = &r.stats {
        eprintln!(
            "story stats: {s:?}; {:.0} heap bytes/article",
            s.heap_bytes as f64 / n
        );
    }
    if let Some(out) = opt("--out") {
        let mut buf = String::new();
        for (i, a) in arts.iter().enumerate() {
            buf.push_str(
                &serde_json::json!({
                    "id": a.id,
                    "copy": format!("c{:016x}", r.copy[i]),
                    "story": format!("s{:016x}", r.story[i]),
                })
                .to_string(),
            );
            buf.push('\n');
        }
        std::fs::write(&out, buf).expect("write --out");
    }
    if !flag("--quiet") && arts.len() <= 20 {
        for (i, a) in arts.iter().enumerate() {
            println!("{}\tc{:016x}\ts{:016x}", a.id, r.copy[i], r.story[i]);
        }
    }
    let gold: Vec<&str> = arts.iter().filter_map(|a| a.gold_story.as_deref()).collect();
    if gold.len() == arts.len() && !gold.is_empty() {
        let sc = score(&gold, &r.story);
        let nstories = r.story.iter().collect::<std::collections::HashSet<_>>().len();
        println!(
            "story: B3 P {:.4} R {:.4} F1 {:.4}; pairwise P {:.4} R {:.4} F1 {:.4}; stories {}",
            sc.b3_precision, sc.b3_recall, sc.b3_f1, sc.pair_precision, sc.pair_recall, sc.pair_f1, nstories
        );
        if flag("--errors") {
            errors(&arts, &r.story);
        }
    }
    let gc: Vec<&str> = arts.iter().filter_map(|a| a.gold_copy.as_deref()).collect();
    if gc.len() == arts.len() && !gc.is_empty() {
        let sc = score(&gc, &r.copy);
        println!("copy: B3 F1 {:.4}; pairwise F1 {:.4}", sc.b3_f1, sc.pair_f1);
        let mut inside: HashMap<u64, std::collections::HashSet<u64>> = HashMap::new();
        for (c, s) in r.copy.iter().zip(&r.story) {
            inside.entry(*c).or_default().insert(*s);
        }
        let split = inside.values().filter(|v| v.len() > 1).count();
        println!("copy clusters split across stories: {split}");
    }
    if let Some(pp) = opt("--pairs") {
        pairs(&arts, &r.story, &pp);
    }
}

fn errors(arts: &[Art], story: &[u64]) {
    let mut by_gold: HashMap<&str, HashMap<u64, usize>> = HashMap::new();
    let mut by_pred: HashMap<u64, HashMap<&str, usize>> = HashMap::new();
    for (a, &s) in arts.iter().zip(story) {
        let g = a.gold_story.as_deref().unwrap_or("");
        *by_gold.entry(g).or_default().entry(s).or_default() += 1;
        *by_pred.entry(s).or_default().entry(g).or_default() += 1;
    }
    let mut gs: Vec<_> = by_gold.into_iter().collect();
    gs.sort_by(|a, b| a.0.cmp(b.0));
    for (g, m) in gs {
        if m.len() > 1 {
            let mut v: Vec<_> = m.into_iter().collect();
            v.sort_by_key(|x| std::cmp::Reverse(x.1));
            println!("split {g}: {:?}", v.iter().map(|x| x.1).collect::<Vec<_>>());
        }
    }
    for (s, m) in by_pred {
        if m.len() > 1 {
            let mut v: Vec<_> = m.into_iter().collect();
            v.sort_by_key(|x| std::cmp::Reverse(x.1));
            println!("lumped s{s:016x}: {v:?}");
        }
    }
}

fn pairs(arts: &[Art], story: &[u64], path: &str) {
    let st: HashMap<&str, u64> = arts
        .iter()
        .map(|a| a.id.as_str())
        .zip(story.iter().copied())
        .collect();
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {path}: {e}"));
    let mut ev: HashMap<String, usize> = HashMap::new();
    let mut ps = Vec::new();
    for (i, l) in text.lines().filter(|l| !l.trim().is_empty()).enumerate() {
        let v: serde_json::Value = serde_json::from_str(l).expect("pair json");
        let a = v["a"].as_str().unwrap_or_default().to_string();
        let b = v["b"].as_str().unwrap_or_default().to_string();
        ev.insert(a.clone(), i);
        ev.insert(b.clone(), i);
        ps.push((a, b));
    }
    let together = ps
        .iter()
        .filter(|(a, b)| st.get(a.as_str()) == st.get(b.as_str()))
        .count();
    let mut members: HashMap<u64, Vec<&str>> = HashMap::new();
    for (d, s) in &st {
        if ev.contains_key(*d) {
            members.entry(*s).or_default().push(d);
        }
    }
    let mut prec = 0.0;
    let mut n = 0;
    for d in ev.keys() {
        let Some(s) = st.get(d.as_str()) else { continue };
        let m = &members[s];
        prec += m.iter().filter(|o| ev[**o] == ev[d]).count() as f64 / m.len() as f64;
        n += 1;
    }
    println!(
        "pairs: together {}/{} ({:.3}); B3 precision (pair = event) {:.3}",
        together,
        ps.len(),
        together as f64 / ps.len().max(1) as f64,
        prec / n.max(1) as f64
    );
}

/// `--shuffle SEED`: a seeded Fisher-Yates permutation of the arrival order (splitmix64),
/// so a change can be checked on other orders of the same articles, not only the file's.
fn shuffle(arts: &mut [Art], seed: u64) {
    let mut next = splitmix64(seed);
    for i in (1..arts.len()).rev() {
        let j = (next() % (i as u64 + 1)) as usize;
        arts.swap(i, j);
    }
}

/// `--retime SEED`: another draw of a generated set's clock, arrival still in time order.
/// Each gold copy cluster moves as a block (its members keep their offsets from its first
/// article) to a seeded random start within the span the originals' times cover; then
/// the articles are sorted by their new times. Unlike `--shuffle`, times and arrival
/// agree, as in a real feed (and as the data sets are written). Meant for generated sets
/// whose clock is synthetic (newscopy-dev); on a set with real dates (counter-dev) it
/// scatters one event's reports over the whole span.
fn retime(arts: &mut [Art], seed: u64) {
    use std::collections::HashMap;
    let mut next = splitmix64(seed ^ 0x5245_5449_4d45);
    // Each article's block: its gold copy cluster, or itself.
    let blocks: Vec<String> = arts
        .iter()
        .enumerate()
        .map(|(i, a)| a.gold_copy.clone().unwrap_or_else(|| format!("#{i}")))
        .collect();
    let mut first: HashMap<&str, i64> = HashMap::new();
    for (key, a) in blocks.iter().zip(arts.iter()) {
        let t = a.published.unwrap_or(0);
        first.entry(key).and_modify(|f| *f = (*f).min(t)).or_insert(t);
    }
    let lo = first.values().copied().min().unwrap_or(0);
    let hi = first.values().copied().max().unwrap_or(0);
    let mut keys: Vec<&str> = first.keys().copied().collect();
    keys.sort();
    let start: HashMap<&str, i64> = keys
        .into_iter()
        .map(|k| (k, lo + (next() % (hi - lo + 1) as u64) as i64))
        .collect();
    for (key, a) in blocks.iter().zip(arts.iter_mut()) {
        let t = a.published.unwrap_or(0);
        a.published = Some(start[key.as_str()] + (t - first[key.as_str()]));
    }
    arts.sort_by_key(|a| (a.published, a.id.clone()));
}

/// A seeded splitmix64 stream: the one generator of `--shuffle` and `--retime`.
fn splitmix64(seed: u64) -> impl FnMut() -> u64 {
    let mut z = seed;
    move || {
        z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut x = z;
        x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        x ^ (x >> 31)
    }
}

/// `--set field=value` (arrays as `a,b,c,d`): tuning without rebuilding.
fn set(c: &mut story::Config, kv: &str) {
    let (k, v) = kv.split_once('=').expect("--set key=value");
    let f = |v: &str| v.parse::<f32>().expect("number");
    let u = |v: &str| v.parse::<usize>().expect("integer");
    let arr_u = |v: &str| {
        let x: Vec<usize> = v.split(',').map(u).collect();
        [x[0], x[1], x[2], x[3]]
    };
    match k {
        "max_body_bytes" => c.max_body_bytes = u(v),
        "max_tokens" => c.max_tokens = u(v),
        "stem_chars" => c.stem_chars = u(v),
        "caseless_stem_chars" => c.caseless_stem_chars = u(v),
        "skeleton_stem_chars" => c.skeleton_stem_chars = u(v),
        "grace_days" => c.grace_days = f(v),
        "age_days" => c.age_days = f(v),
        "caseless_pairs" => c.caseless_pairs = v.parse().expect("0, 1 or 2"),
        "lead_tokens" => c.lead_tokens = u(v),
        "doc_terms" => c.doc_terms = arr_u(v),
        "story_terms" => c.story_terms = arr_u(v),
        "channel_weights" => {
            let x: Vec<f32> = v.split(',').map(f).collect();
            c.channel_weights = [x[0], x[1], x[2], x[3]];
        }
        "query_terms" => c.query_terms = u(v),
        "story_keys" => c.story_keys = u(v),
        "max_postings" => c.max_postings = u(v),
        "max_candidates" => c.max_candidates = u(v),
        "join_threshold" => c.join_threshold = f(v),
        "young_boost" => c.young_boost = f(v),
        "cased_extra" => c.cased_extra = f(v),
        "decay_days" => c.decay_days = f(v),
        "absorb_extra" => c.absorb_extra = f(v),
        "horizon_secs" => c.horizon_secs = v.parse().expect("integer"),
        "max_df_terms" => c.max_df_terms = u(v),
        _ => panic!("unknown story setting {k}"),
    }
}
