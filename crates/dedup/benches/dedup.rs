//! Criterion benchmarks of the dedup core: fingerprinting alone and the whole
//! `Index::apply` path (fingerprint, candidate search, verification, cluster update,
//! events) over a stream of news-length articles with copies.
//!
//! The corpus is `WIREFOLD_BENCH_CORPUS` (a `gen_corpus.py` JSONL; the first 5,000 lines)
//! when set, else 2,000 synthetic articles generated here. For the headline docs/s and
//! bytes/article figures on 100k articles use the `corpus` example (see BENCHMARKS-dedup.md).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use wirefold_dedup::eval::{CorpusDoc, bench_corpus};
use wirefold_dedup::{Config, text_similarity};

fn synthetic(n: usize) -> Vec<CorpusDoc> {
    let mut rng = wirefold_corpus::Rng::new(1);
    let mut rnd = move |m: u64| rng.below(m as usize) as u64;
    let syl = [
        "ka", "lo", "mi", "ran", "tu", "vek", "sor", "pla", "din", "gre", "hu", "jon", "bel", "cas",
    ];
    let mut stories: Vec<Vec<String>> = Vec::new();
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let copy = !stories.is_empty() && rnd(10) < 5;
        let paras = if copy {
            let s = &stories[stories.len() - 1 - rnd(stories.len().min(50) as u64) as usize];
            let keep = s.len() - rnd(4) as usize;
            s[..keep].to_vec()
        } else {
            let s: Vec<String> = (0..20)
                .map(|_| {
                    (0..33)
                        .map(|k| {
                            let w: String = (0..2 + rnd(2))
                                .map(|_| syl[rnd(syl.len() as u64) as usize])
                                .collect();
                            if k % 3 == 0 { format!("the {w}") } else { w }
                        })
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect();
            stories.push(s.clone());
            s
        };
        out.push(CorpusDoc {
            id: format!("d{}", out.len()),
            title: String::new(),
            text: paras.join("\n\n"),
            published_ms: None,
        });
    }
    out
}

fn corpus() -> Vec<CorpusDoc> {
    let Some(path) = std::env::var_os("WIREFOLD_BENCH_CORPUS") else {
        return synthetic(2_000);
    };
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    text.lines()
        .take(5_000)
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .map(|v| CorpusDoc {
            id: v["id"].to_string(),
            title: v["title"].as_str().unwrap_or("").to_string(),
            text: v["text"].as_str().unwrap_or("").to_string(),
            published_ms: None,
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let docs = corpus();
    let cfg = Config::default();
    let mut g = c.benchmark_group("dedup");
    g.sample_size(10);
    g.throughput(Throughput::Elements(docs.len() as u64));
    g.bench_function("fingerprint", |b| {
        b.iter(|| {
            docs.iter()
                .map(|d| text_similarity(&cfg, &d.text, "").sizes.0)
                .sum::<usize>()
        })
    });
    g.bench_function("apply_stream", |b| {
        b.iter(|| bench_corpus(&docs, cfg.clone()).clusters)
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
