//! Times fingerprinting alone (tokenize, fold, shingle, sample; one reused fingerprinter,
//! as in the index) over a JSONL corpus, in on-CPU time of the thread when Linux tells it (else wall time).
//!
//! usage: cargo run --release -p wirefold-dedup --example tokbench -- CORPUS.jsonl

use wirefold_dedup::eval::{CorpusDoc, fingerprint_corpus};

/// On-CPU nanoseconds of this thread (Linux schedstat), to measure on a busy machine.
fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: tokbench CORPUS.jsonl")?;
    let text = std::fs::read_to_string(path)?;
    let docs: Vec<CorpusDoc> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .map(|v| CorpusDoc {
            text: v["text"].as_str().unwrap_or("").to_string(),
            ..CorpusDoc::default()
        })
        .collect();
    let cfg = wirefold_dedup::Config::default();
    let bytes: usize = docs.iter().map(|d| d.text.len()).sum();
    for _ in 0..3 {
        let c0 = thread_cpu_ns();
        let (wall, keys) = fingerprint_corpus(&docs, &cfg);
        let s = match (c0, thread_cpu_ns()) {
            (Some(a), Some(b)) => (b - a) as f64 / 1e9,
            _ => wall,
        };
        println!(
            "{} docs {:.3}s {:.0} docs/s {:.1} MB/s ({keys} keys)",
            docs.len(),
            s,
            docs.len() as f64 / s,
            bytes as f64 / 1e6 / s
        );
    }
    Ok(())
}
