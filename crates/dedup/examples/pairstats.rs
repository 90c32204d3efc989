//! Error analysis of the copy rule: finds pairs of a labelled JSONL corpus that share text
//! (sampled word 6-grams of the raw text, independent of the index) and prints, per pair,
//! whether the gold labels agree and what [`wirefold_dedup::text_similarity`] says
//! (later doc as the new one). Diagnostics only; thresholds are not read from it.
//!
//! usage: cargo run --release -p wirefold-dedup --example pairstats -- CORPUS.jsonl
//!        [--label copy|cluster] [--extract] [--max-docs N]
//! Output lines: `gold_same containment spread shared small anchor_containment copy segments i j`.

use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args.first().ok_or("usage: pairstats CORPUS.jsonl")?;
    let mut label = String::from("cluster");
    let mut extract = false;
    let mut max_docs = usize::MAX;
    let mut i = 1;
    while i < args.len() {
        match args[i].as_str() {
            "--label" => {
                label = args.get(i + 1).cloned().unwrap_or_default();
                i += 1;
            }
            "--extract" => extract = true,
            "--max-docs" => {
                max_docs = args.get(i + 1).ok_or("--max-docs N")?.parse()?;
                i += 1;
            }
            other => return Err(format!("unknown flag {other}").into()),
        }
        i += 1;
    }
    let text = std::fs::read_to_string(path)?;
    let mut docs: Vec<(String, String)> = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()).take(max_docs) {
        let v: serde_json::Value = serde_json::from_str(line)?;
        let body = v.get("text").and_then(|x| x.as_str()).unwrap_or("").to_string();
        let body = if extract {
            let title = v.get("title").and_then(|x| x.as_str());
            wirefold_extract::extract_text(&body, title).map_or(String::new(), |e| e.body)
        } else {
            body
        };
        docs.push((v.get(&label).map(|x| x.to_string()).unwrap_or_default(), body));
    }
    let mut by_gram: HashMap<u64, Vec<usize>> = HashMap::new();
    let mut pairs: HashSet<(usize, usize)> = HashSet::new();
    for (j, (_, body)) in docs.iter().enumerate() {
        let words: Vec<String> = body
            .split_whitespace()
            .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase())
            .collect();
        let mut mine = HashSet::new();
        for w in words.windows(6) {
            let mut h = DefaultHasher::new();
            w.hash(&mut h);
            let h = h.finish();
            if h.is_multiple_of(8) && mine.insert(h) {
                let e = by_gram.entry(h).or_default();
                if e.len() < 200 {
                    for &i in e.iter() {
                        pairs.insert((i, j));
                    }
                }
                e.push(j);
            }
        }
    }
    let cfg = wirefold_dedup::Config::default();
    let mut pairs: Vec<_> = pairs.into_iter().collect();
    pairs.sort_unstable();
    for (i, j) in pairs {
        let s = wirefold_dedup::text_similarity(&cfg, &docs[i].1, &docs[j].1);
        println!(
            "{} {:.3} {} {} {} {:.3} {} {} {i} {j}",
            u8::from(docs[i].0 == docs[j].0),
            s.containment,
            s.spread,
            s.shared,
            s.sizes.0.min(s.sizes.1),
            s.anchor_containment,
            u8::from(s.copy),
            s.segments
        );
    }
    Ok(())
}
