//! Times fingerprinting alone (tokenize, fold, shingle, sample) over a JSONL corpus, in
//! on-CPU time of the thread when Linux tells it (else wall time).
//!
//! usage: cargo run --release -p wirefold-dedup --example tokbench -- CORPUS.jsonl

/// On-CPU nanoseconds of this thread (Linux schedstat), to measure on a busy machine.
fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: tokbench CORPUS.jsonl")?;
    let text = std::fs::read_to_string(path)?;
    let docs: Vec<String> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .map(|v| v["text"].as_str().unwrap_or("").to_string())
        .collect();
    let cfg = wirefold_dedup::Config::default();
    let bytes: usize = docs.iter().map(String::len).sum();
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let c0 = thread_cpu_ns().unwrap_or(0);
        let mut shared = 0;
        for d in &docs {
            shared += wirefold_dedup::text_similarity(&cfg, d, "").sizes.0;
        }
        let s = thread_cpu_ns().map_or(t.elapsed().as_secs_f64(), |c| (c - c0) as f64 / 1e9);
        println!(
            "{} docs {:.3}s {:.0} docs/s {:.1} MB/s ({shared})",
            docs.len(),
            s,
            docs.len() as f64 / s,
            bytes as f64 / 1e6 / s
        );
    }
    Ok(())
}
