//! By hand, not in CI: builds a deduplicator index of N articles (default 1,000,000, made
//! by cycling a JSONL corpus from `../shared/tools/gen_corpus.py` under new ids), then,
//! while holding the `dedup` lease on a real nats-server, writes the runtime's snapshot
//! three times the way the worker does (encoded on the blocking pool, uploaded from a task)
//! and samples `Lease::valid` every 10 ms. Prints one JSON line per snapshot: size, encode
//! and upload seconds, and whether the lease stayed valid throughout.
//!
//! ```sh
//! python3 ../shared/tools/gen_corpus.py --n 100000 --seed 7 --out target/bench/corpus-100000-seed7.jsonl
//! NATS_SERVER_BIN=target/ci-tools/bin/nats-server cargo run --release -p wirefold-deduplicator \
//!     --example snapshot_lease -- target/bench/corpus-100000-seed7.jsonl 1000000
//! ```

use std::io::BufRead as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use wirefold_bus::lease::Lease;
use wirefold_deduplicator::runtime::{encode_copy, upload_snapshot};
use wirefold_deduplicator::{Deduper, FoldConfig};
use wirefold_testkit::TestNats;
use wirefold_wire::{Article, SCHEMA_VERSION, subjects};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut args = std::env::args().skip(1);
    let corpus = args.next().expect("usage: snapshot_lease CORPUS.jsonl [N]");
    let n: usize = args.next().map(|s| s.parse().expect("N")).unwrap_or(1_000_000);
    let lines: Vec<serde_json::Value> =
        std::io::BufReader::new(std::fs::File::open(&corpus).expect("corpus"))
            .lines()
            .map_while(Result::ok)
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(&l).expect("corpus line"))
            .collect();
    assert!(!lines.is_empty(), "empty corpus");
    let started = Instant::now();
    let mut d = Deduper::new(FoldConfig::default());
    // 100 ms apart: a million articles span 28 hours, well inside the 7-day horizon.
    let t0 = 1_750_000_000_000i64;
    for i in 0..n {
        let l = &lines[i % lines.len()];
        let round = i / lines.len();
        let s = |k: &str| l[k].as_str().unwrap_or("").to_string();
        let id = format!("{}-r{round}", s("id"));
        let t = wirefold_wire::time::format_ms(t0 + i as i64 * 100).unwrap();
        let mut text = s("text");
        if round > 0 {
            // Later rounds are new articles, not copies: every word gets a round suffix, so
            // their shingles are new and they make clusters of their own.
            text = text
                .split('\n')
                .map(|p| {
                    p.split(' ')
                        .map(|w| format!("{w}r{round}"))
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect::<Vec<_>>()
                .join("\n");
        }
        d.apply(&Article {
            schema: SCHEMA_VERSION,
            uri: id.clone(),
            id,
            headline: Some(s("title")),
            body_text: text,
            firstcreated: Some(t.clone()),
            received: Some(t),
            ..Default::default()
        });
    }
    let st = d.stats();
    let ss = d.story_stats();
    eprintln!(
        "built {n} articles in {:.1}s: {} clusters, {} stories, copy index {} MB, story index {} MB",
        started.elapsed().as_secs_f64(),
        st.clusters,
        ss.stories,
        st.heap_bytes >> 20,
        ss.heap_bytes >> 20
    );

    let nats = TestNats::start();
    let bus = nats.bus().await;
    let kv = bus.kv_bucket(subjects::LEASES_BUCKET).await.unwrap();
    let ttl = Duration::from_secs(4);
    let stop = tokio_util::sync::CancellationToken::new();
    let lease = Arc::new(
        Lease::acquire(&kv, "dedup", "snapshot-bench", ttl, &stop)
            .await
            .unwrap(),
    );
    let invalid = Arc::new(AtomicU64::new(0));
    let samples = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let monitor = {
        let (lease, invalid, samples, done) = (lease.clone(), invalid.clone(), samples.clone(), done.clone());
        tokio::spawn(async move {
            while !done.load(Ordering::Relaxed) {
                samples.fetch_add(1, Ordering::Relaxed);
                if !lease.valid() {
                    invalid.fetch_add(1, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
    };
    let fold = d;
    for round in 1..=3 {
        let copying = Instant::now();
        let copy = fold.snapshot_copy();
        let copy_secs = copying.elapsed().as_secs_f64();
        let (bytes, encode) = encode_copy::<Deduper>(copy, n as u64).await;
        let up = Instant::now();
        upload_snapshot(&bus, "dedup", "index", n as u64, &bytes).await;
        let upload = up.elapsed();
        println!(
            "{}",
            serde_json::json!({
                "round": round,
                "articles": n,
                "snapshot_bytes": bytes.len(),
                "copy_secs": copy_secs,
                "encode_secs": encode.as_secs_f64(),
                "upload_secs": upload.as_secs_f64(),
                "lease_samples": samples.load(Ordering::Relaxed),
                "lease_invalid_samples": invalid.load(Ordering::Relaxed),
                "lease_valid": lease.valid(),
            })
        );
    }
    done.store(true, Ordering::Relaxed);
    monitor.await.unwrap();
    assert_eq!(
        invalid.load(Ordering::Relaxed),
        0,
        "the lease lapsed while snapshots were written"
    );
    drop(fold);
    Arc::try_unwrap(lease).expect("one owner").release().await;
}
