//! Throughput probe: `speed DIR [ROUNDS]` extracts every `*.html` file of DIR (already
//! decompressed) ROUNDS times on one thread and prints pages/s and MB/s. For profiling; the
//! reported benchmark is `benches/extraction_vs_trafilatura.py`.

use std::time::Instant;
use wirefold_extract::{Input, extract};

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let dir = args.get(1).cloned().unwrap_or_else(|| ".".into());
    let rounds: usize = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(5);
    let mut pages = Vec::new();
    for e in std::fs::read_dir(&dir)? {
        let p = e?.path();
        if p.extension().is_some_and(|x| x == "html") {
            pages.push(std::fs::read(&p)?);
        }
    }
    let bytes: usize = pages.iter().map(Vec::len).sum();
    let start = Instant::now();
    let mut words = 0usize;
    for _ in 0..rounds {
        for p in &pages {
            if let Ok(e) = extract(&Input {
                bytes: p,
                content_type: Some("text/html"),
                url: None,
            }) {
                words += e.body.len();
            }
        }
    }
    let s = start.elapsed().as_secs_f64();
    let n = (pages.len() * rounds) as f64;
    println!(
        "{} pages x {rounds}: {:.0} pages/s, {:.1} MB/s ({words} body bytes)",
        pages.len(),
        n / s,
        (bytes * rounds) as f64 / s / 1e6
    );
    Ok(())
}
