//! Throughput probe: `speed DIR [ROUNDS]` extracts every `*.html` file of DIR (already
//! decompressed) ROUNDS times on one thread and prints pages/s and MB/s; `speed --text DIR
//! [ROUNDS]` does the same with `extract_text` on every `*.txt` file (the `wirefold cluster`
//! path). For profiling; the reported benchmark is `benches/extraction_vs_trafilatura.py`.

use std::time::Instant;
use wirefold_extract::{Input, extract, extract_text};

fn text_mode(dir: &str, rounds: usize) -> std::io::Result<()> {
    let mut texts = Vec::new();
    for e in std::fs::read_dir(dir)? {
        let p = e?.path();
        if p.extension().is_some_and(|x| x == "txt") {
            texts.push(std::fs::read_to_string(&p)?);
        }
    }
    let bytes: usize = texts.iter().map(String::len).sum();
    let start = Instant::now();
    let mut out = 0usize;
    for _ in 0..rounds {
        for t in &texts {
            out += extract_text(t, None).map(|e| e.body.len()).unwrap_or(0);
        }
    }
    let s = start.elapsed().as_secs_f64();
    let n = (texts.len() * rounds) as f64;
    println!(
        "{} texts x {rounds}: {:.2} us/article, {:.0} articles/s, {:.0} MB/s ({out} body bytes)",
        texts.len(),
        s * 1e6 / n,
        n / s,
        (bytes * rounds) as f64 / s / 1e6
    );
    Ok(())
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--text") {
        let dir = args.get(2).cloned().unwrap_or_else(|| ".".into());
        return text_mode(&dir, args.get(3).and_then(|r| r.parse().ok()).unwrap_or(20_000));
    }
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
