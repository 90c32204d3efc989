//! Prints a digest of what the index makes of a JSONL corpus: the snapshot after all docs,
//! the cluster of each doc, and `text_similarity` of each doc with the one before it (which
//! covers every doc's full verification keys and paragraph tags). Two builds that print the
//! same digests fingerprint and cluster the corpus identically: the check for a change meant
//! to make the same computation cheaper.
//!
//! usage: cargo run --release -p wirefold-dedup --example fpcheck -- CORPUS.jsonl [--extract]

use wirefold_dedup::eval::{CorpusDoc, bench_corpus};
use wirefold_dedup::{Config, Index, text_similarity};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args.first().ok_or("usage: fpcheck CORPUS.jsonl [--extract]")?;
    let extract = args.iter().any(|a| a == "--extract");
    let text = std::fs::read_to_string(path)?;
    let mut docs = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line)?;
        let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
        let body = s("text");
        docs.push(CorpusDoc {
            id: v.get("id").map(|x| x.to_string()).unwrap_or_default(),
            title: s("title"),
            text: if extract {
                wirefold_extract::extract_text(&body, Some(&s("title"))).map_or(String::new(), |e| e.body)
            } else {
                body
            },
            published_ms: None,
        });
    }
    let cfg = Config::default();
    let mut sims = Vec::new();
    for w in docs.windows(2) {
        let s = text_similarity(&cfg, &w[0].text, &w[1].text);
        sims.push(format!("{s:?}"));
    }
    let sims = xxhash_rust::xxh3::xxh3_64(sims.join("\n").as_bytes());
    let rep = bench_corpus(&docs, cfg.clone());
    let assign: Vec<u8> = rep.assignment.iter().flat_map(|c| c.to_le_bytes()).collect();
    let mut ix = Index::new(cfg);
    for d in &docs {
        ix.apply(&wirefold_dedup::Doc {
            id: &d.id,
            uri: &d.id,
            title: &d.title,
            body: &d.text,
            received_ms: 1,
            ..Default::default()
        });
    }
    println!(
        "docs {} similarity {:016x} assignment {:016x} snapshot {:016x}",
        docs.len(),
        sims,
        xxhash_rust::xxh3::xxh3_64(&assign),
        xxhash_rust::xxh3::xxh3_64(&ix.snapshot())
    );
    Ok(())
}
