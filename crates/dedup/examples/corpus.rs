//! Runs a JSONL corpus (`{"id","title","text",published?,<label>?}` per line) through the
//! index in input order and prints throughput, bytes per article and, when the lines carry
//! a gold label, pairwise and B-cubed scores.
//!
//! usage: cargo run --release -p wirefold-dedup --example corpus -- CORPUS.jsonl
//!        [--label copy|cluster] [--shingle N] [--anchors N] [--containment F] [--boiler N]
//!        [--errors] [--extract] [--pairs PAIRS.jsonl]
//! `--extract` runs each text through `wirefold_extract::extract_text` first (not timed), as
//! `wirefold cluster` does.
//! `--pairs` reads labelled pairs (`{"a","b","label"}` lines, as `counter-dev.pairs.jsonl`)
//! and prints, per label, the share put in one copy cluster (what `copy-pairs` scores).
//! `--verdicts OUT.tsv` writes every verified comparison (a second run, untimed): new id,
//! other id, gold relation (the pair's label with `--pairs`, else `same`/`diff` by the gold
//! label), shared keys, keys of each, containment, cover, lead, copy, rule, segment pattern.
//! `--errors` lists wrongly joined and wrongly split gold pairs' ids (error analysis only).

use std::collections::HashMap;

use wirefold_dedup::Config;
use wirefold_dedup::eval::{CorpusDoc, bench_corpus, score};

/// On-CPU nanoseconds of this thread (Linux schedstat), to measure on a busy machine.
fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args
        .first()
        .ok_or("usage: corpus CORPUS.jsonl [--label L] [...]")?;
    let mut cfg = Config::default();
    let mut label = String::from("cluster");
    let mut errors = false;
    let mut extract = false;
    let mut pairs: Option<String> = None;
    let mut verdicts: Option<String> = None;
    let mut i = 1;
    while i < args.len() {
        let v = args.get(i + 1).cloned().unwrap_or_default();
        match args[i].as_str() {
            "--label" => label = v,
            "--shingle" => cfg.shingle_len = v.parse()?,
            "--arabic-shingle" => cfg.arabic_shingle_len = v.parse()?,
            "--anchors" => cfg.target_anchors = v.parse()?,
            "--containment" => cfg.min_containment = v.parse()?,
            "--rewrite" => cfg.rewrite_containment = v.parse()?,
            "--rewrite-cover" => cfg.rewrite_cover = v.parse()?,
            "--cover" => cfg.min_cover = v.parse()?,
            "--spread" => cfg.min_spread = v.parse()?,
            "--sure" => cfg.sure_containment = v.parse()?,
            "--longer" => cfg.longer_containment = v.parse()?,
            "--verify" => cfg.verify_keys = v.parse()?,
            "--boiler" => cfg.boilerplate_clusters = v.parse()?,
            "--event-members" => cfg.max_event_members = v.parse()?,
            "--reps" => cfg.max_indexed_per_cluster = v.parse()?,
            "--pairs" => pairs = Some(v),
            "--verdicts" => verdicts = Some(v),
            "--extract" => {
                extract = true;
                i -= 1;
            }
            "--errors" => {
                errors = true;
                i -= 1;
            }
            other => return Err(format!("unknown flag {other}").into()),
        }
        i += 2;
    }
    let text = std::fs::read_to_string(path)?;
    let mut docs = Vec::new();
    let mut gold = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line)?;
        let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
        let id = match v.get("id") {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(x) => x.to_string(),
            None => String::new(),
        };
        docs.push(CorpusDoc {
            id,
            title: s("title"),
            text: if extract {
                wirefold_extract::extract_text(&s("text"), Some(&s("title")))
                    .map_or(String::new(), |e| e.body)
            } else {
                s("text")
            },
            published_ms: wirefold_wire::time::parse_ms(&s("published")),
        });
        gold.push(v.get(&label).map(|x| x.to_string()));
    }
    let cpu0 = thread_cpu_ns();
    let rep = bench_corpus(&docs, cfg.clone());
    let cpu = thread_cpu_ns().zip(cpu0).map(|(b, a)| (b - a) as f64 / 1e9);
    if let Some(c) = cpu {
        println!(
            "thread cpu {:.3} s: {:.0} docs/s per core",
            c,
            rep.docs as f64 / c.max(1e-9)
        );
    }
    println!(
        "docs {} clusters {} events {} | {:.0} docs/s, {:.1} MB/s, {:.3} s | heap {} bytes, {:.0} bytes/doc",
        rep.docs,
        rep.clusters,
        rep.events,
        rep.docs_per_s,
        rep.mb_per_s,
        rep.secs,
        rep.heap_bytes,
        rep.bytes_per_doc
    );
    println!("{:?}", rep.stats);
    let pair_labels: HashMap<(String, String), String> = match &pairs {
        Some(p) => {
            let mut m = HashMap::new();
            for line in std::fs::read_to_string(p)?
                .lines()
                .filter(|l| !l.trim().is_empty())
            {
                let v: serde_json::Value = serde_json::from_str(line)?;
                let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
                m.insert((s("a"), s("b")), s("label"));
                m.insert((s("b"), s("a")), s("label"));
            }
            m
        }
        None => HashMap::new(),
    };
    if let Some(out) = verdicts {
        use std::io::Write;
        let gold_of: HashMap<&str, Option<&str>> = docs
            .iter()
            .map(|d| d.id.as_str())
            .zip(gold.iter().map(|g| g.as_deref()))
            .collect();
        let mut w = std::io::BufWriter::new(std::fs::File::create(out)?);
        let mut ix = wirefold_dedup::Index::new(cfg.clone());
        for (i, d) in docs.iter().enumerate() {
            let doc = wirefold_dedup::Doc {
                id: &d.id,
                uri: &d.id,
                title: &d.title,
                body: &d.text,
                published_ms: d.published_ms,
                received_ms: d.published_ms.unwrap_or(i as i64),
                ..Default::default()
            };
            ix.apply(&doc);
            for v in ix.verdicts() {
                let rel = match pair_labels.get(&(d.id.clone(), v.other.clone())) {
                    Some(l) => l.clone(),
                    None if pairs.is_some() => "-".into(),
                    None => match (gold_of.get(d.id.as_str()), gold_of.get(v.other.as_str())) {
                        (Some(Some(a)), Some(Some(b))) if a == b => "same".into(),
                        _ => "diff".into(),
                    },
                };
                writeln!(
                    w,
                    "{}\t{}\t{rel}\t{}\t{}\t{}\t{:.3}\t{:.3}\t{}\t{}\t{:?}\t{}",
                    d.id,
                    v.other,
                    v.shared,
                    v.keys.0,
                    v.keys.1,
                    v.containment,
                    v.cover,
                    u8::from(v.lead),
                    u8::from(v.rule.is_copy()),
                    v.rule,
                    v.pattern
                )?;
            }
        }
    }
    if let Some(p) = pairs {
        let at: HashMap<&str, u64> = docs
            .iter()
            .map(|d| d.id.as_str())
            .zip(rep.assignment.iter().copied())
            .collect();
        let mut tally: std::collections::BTreeMap<String, (usize, usize)> = Default::default();
        for line in std::fs::read_to_string(p)?
            .lines()
            .filter(|l| !l.trim().is_empty())
        {
            let v: serde_json::Value = serde_json::from_str(line)?;
            let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
            let e = tally.entry(s("label")).or_default();
            e.0 += 1;
            let (a, b) = (at.get(s("a").as_str()), at.get(s("b").as_str()));
            e.1 += usize::from(a.is_some() && a == b);
        }
        let parts: Vec<String> = tally
            .iter()
            .map(|(k, (n, t))| format!("{k} {t}/{n} ({:.3})", *t as f64 / (*n).max(1) as f64))
            .collect();
        println!("pairs together: {}", parts.join(", "));
    }
    if gold.iter().all(Option::is_some) && !gold.is_empty() {
        let g: Vec<&str> = gold.iter().map(|x| x.as_deref().unwrap_or("")).collect();
        let s = score(&g, &rep.assignment);
        println!(
            "{label}: pairwise P {:.4} R {:.4} F1 {:.4} | B3 P {:.4} R {:.4} F1 {:.4}",
            s.pair_precision, s.pair_recall, s.pair_f1, s.b3_precision, s.b3_recall, s.b3_f1
        );
        if errors {
            let mut by_pred: HashMap<u64, Vec<usize>> = HashMap::new();
            let mut by_gold: HashMap<&str, Vec<usize>> = HashMap::new();
            for (i, (&p, &gg)) in rep.assignment.iter().zip(&g).enumerate() {
                by_pred.entry(p).or_default().push(i);
                by_gold.entry(gg).or_default().push(i);
            }
            let mut fm: Vec<_> = by_pred
                .values()
                .filter(|v| v.iter().any(|&i| g[i] != g[v[0]]))
                .collect();
            fm.sort();
            for v in fm {
                let ids: Vec<String> = v.iter().map(|&i| format!("{}:{}", docs[i].id, g[i])).collect();
                println!("FALSE-JOIN {}", ids.join(" "));
            }
            let mut fs: Vec<_> = by_gold
                .values()
                .filter(|v| v.iter().any(|&i| rep.assignment[i] != rep.assignment[v[0]]))
                .collect();
            fs.sort();
            for v in fs {
                let ids: Vec<String> = v
                    .iter()
                    .map(|&i| format!("{}:{:x}", docs[i].id, rep.assignment[i]))
                    .collect();
                println!("SPLIT {}", ids.join(" "));
            }
        }
    }
    Ok(())
}
