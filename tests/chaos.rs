//! A small chaos test of the whole pipeline, in separate processes, under a minute.
//!
//! A real nats-server; two `wirefold normalizer` and two `wirefold dedup` processes. Raw
//! documents are ingested in batches (the real `ingest` path) while, on a schedule drawn
//! from a fixed seed, a random worker is SIGKILLed and started again every few hundred
//! milliseconds, and once the deduplicator holding the lease is frozen with SIGSTOP past
//! its lease and resumed. Once all is quiet it checks:
//!
//! - every raw document gave exactly one article record, and nothing was dead-lettered;
//! - no cluster or story event was stored twice, and per-cluster and per-story versions
//!   run 1, 2, 3, ... with no gap;
//! - the stored cluster and story events are exactly those one undisturbed deduplicator
//!   makes from the stored article stream (the faults changed nothing downstream);
//! - the final copy clusters equal those of an undisturbed run over the documents in the
//!   order they were ingested (the faults changed nothing an editor sees).
//!
//! The shared `../shared/checks/chaos` is the long version (thousands of articles, the
//! server killed too); this one runs in the test suite.

use std::collections::{BTreeSet, HashMap};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures::StreamExt as _;
use wirefold_bus::Bus;
use wirefold_corpus::Words;
use wirefold_deduplicator::Deduper;
use wirefold_testkit::TestNats;
use wirefold_wire::{Article, ClusterEvent, DeadLetter, RawDocument, StoryEvent, subjects};

const WIREFOLD: &str = env!("CARGO_BIN_EXE_wirefold");
/// Lease time-to-live of the deduplicators (seconds).
const LEASE_TTL: u64 = 2;

/// Plain-text articles: originals, and copies of recent ones (a paragraph rewritten, a
/// boilerplate line added) in between.
fn corpus(rng: &mut Words, n: usize) -> Vec<String> {
    let mut originals: Vec<Vec<String>> = Vec::new();
    let mut out = Vec::new();
    for i in 0..n {
        let paras = if originals.len() > 2 && rng.below(3) == 0 {
            let k = originals.len() - 1 - rng.below(originals.len().min(20));
            let mut copy = originals[k].clone();
            let p = rng.below(copy.len());
            copy[p] = (0..3).map(|_| rng.sentence(14)).collect::<Vec<_>>().join(" ");
            copy.push("Copyright Example Wire. All rights reserved.".into());
            copy
        } else {
            let paras: Vec<String> = (0..8)
                .map(|_| (0..3).map(|_| rng.sentence(14)).collect::<Vec<_>>().join(" "))
                .collect();
            originals.push(paras.clone());
            paras
        };
        out.push(format!("Headline number {i}\n\n{}", paras.join("\n\n")));
    }
    out
}

/// Every message of a stream, decoded, in stream order.
async fn stream_docs<T: wirefold_wire::Versioned + for<'de> serde::Deserialize<'de>>(
    bus: &Bus,
    stream: &str,
    filter: &str,
) -> Vec<T> {
    let last = bus.stream_state(stream).await.expect("stream state").last_seq;
    let mut out = Vec::new();
    if last == 0 {
        return out;
    }
    let mut msgs = bus.read_ordered(stream, filter, 1).await.expect("ordered read");
    while let Some(m) = tokio::time::timeout(Duration::from_secs(10), msgs.next())
        .await
        .expect("stream read stalled")
    {
        let m = m.expect("stream message");
        out.push(wirefold_wire::decode(&m.payload).expect("decode stored message"));
        if m.sequence >= last {
            break;
        }
    }
    out
}

fn spawn_worker(url: &str, name: &str) -> Child {
    let mut cmd = Command::new(WIREFOLD);
    if name.starts_with('n') {
        // A short ack wait, so documents a killed normalizer held come back soon.
        cmd.args(["normalizer", "--nats-url", url, "--extract-timeout-secs", "1"]);
    } else {
        let ttl = LEASE_TTL.to_string();
        cmd.args([
            "dedup",
            "--nats-url",
            url,
            "--snapshot-every",
            "40",
            "--lease-ttl-secs",
            &ttl,
            "--holder",
            name,
        ]);
    }
    cmd.env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn wirefold worker")
}

fn signal(pid: u32, sig: &str) {
    let _ = Command::new("kill").args([sig, &pid.to_string()]).status();
}

/// Final copy cluster of each article, as a partition (sets of article ids).
fn partition(events: &[ClusterEvent]) -> BTreeSet<BTreeSet<String>> {
    let mut live: HashMap<String, String> = HashMap::new();
    for ev in events {
        for m in &ev.members {
            live.insert(m.article.id.clone(), ev.cluster_id.clone());
        }
    }
    let mut groups: HashMap<String, BTreeSet<String>> = HashMap::new();
    for (a, c) in live {
        groups.entry(c).or_default().insert(a);
    }
    groups.into_values().collect()
}

/// Each id's versions, in stored order, must be 1, 2, 3, ...
fn assert_contiguous<'a>(what: &str, versions: impl Iterator<Item = (&'a str, u64)>) {
    let mut next: HashMap<&str, u64> = HashMap::new();
    for (id, v) in versions {
        let want = next.entry(id).or_insert(1);
        assert_eq!(v, *want, "{what} {id}: version {v} stored where {want} was due");
        *want += 1;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workers_killed_and_a_leader_frozen_during_ingest_lose_and_repeat_nothing() {
    const SEED: u64 = 0x5eed_c4a0_5eed_c4a0;
    const DOCS: usize = 300;
    const BATCH: usize = 25;
    let started = Instant::now();
    let mut rng = Words::new(SEED);
    let nats = TestNats::start();
    let bus = nats.bus().await;
    let url = nats.url();
    let dir = tempfile::tempdir().unwrap();
    let texts = corpus(&mut rng, DOCS);
    let mut batches = Vec::new();
    for (b, chunk) in texts.chunks(BATCH).enumerate() {
        let d = dir.path().join(format!("b{b:02}"));
        std::fs::create_dir(&d).unwrap();
        for (i, t) in chunk.iter().enumerate() {
            std::fs::write(d.join(format!("{:04}.txt", b * BATCH + i)), t).unwrap();
        }
        batches.push(d);
    }

    let names = ["n1", "n2", "d1", "d2"];
    let mut workers: HashMap<&str, Child> = names.iter().map(|&n| (n, spawn_worker(&url, n))).collect();
    let leases = bus.kv_bucket(subjects::LEASES_BUCKET).await.unwrap();
    let mut kills = 0;
    let mut frozen: Option<(u32, Instant)> = None;
    let freeze_at = batches.len() / 2;
    let mut kill = |workers: &mut HashMap<&str, Child>, rng: &mut Words, frozen: Option<(u32, Instant)>| {
        let name = names[rng.below(names.len())];
        let child = workers.get_mut(name).unwrap();
        if frozen.is_some_and(|(pid, _)| pid == child.id()) {
            return;
        }
        child.kill().unwrap();
        child.wait().unwrap();
        *child = spawn_worker(&url, name);
        kills += 1;
    };
    for (b, batch) in batches.iter().enumerate() {
        // The batch goes in while a worker is killed: documents are in flight.
        let ingest = {
            let (bus, batch) = (bus.clone(), batch.clone());
            tokio::spawn(async move { wirefold_fetcher::files::ingest(&bus, &[batch], 1 << 20, None).await })
        };
        tokio::time::sleep(Duration::from_millis(rng.below(40) as u64)).await;
        kill(&mut workers, &mut rng, frozen);
        let report = ingest.await.unwrap();
        assert!(report.rejected.is_empty(), "ingest refused {:?}", report.rejected);
        if b == freeze_at {
            // Freeze the deduplicator that holds the lease past its lease; it is resumed
            // below, after a standby has taken over.
            let holder = leases
                .get("dedup")
                .await
                .unwrap()
                .map(|e| String::from_utf8_lossy(&e.value).into_owned());
            if let Some(h) = holder.as_deref().and_then(|h| workers.get(h)) {
                signal(h.id(), "-STOP");
                frozen = Some((h.id(), Instant::now()));
            }
        }
        // Another kill at a seeded moment while the workers catch up, every other batch.
        tokio::time::sleep(Duration::from_millis(50 + rng.below(250) as u64)).await;
        if rng.below(2) == 0 {
            kill(&mut workers, &mut rng, frozen);
        }
        if let Some((pid, at)) = frozen
            && at.elapsed() > Duration::from_secs(2 * LEASE_TTL + 1)
        {
            signal(pid, "-CONT");
            frozen = None;
        }
    }
    if let Some((pid, at)) = frozen {
        tokio::time::sleep(Duration::from_secs(2 * LEASE_TTL + 1).saturating_sub(at.elapsed())).await;
        signal(pid, "-CONT");
    }
    assert!(kills >= batches.len(), "only {kills} kills");

    // Quiet: every raw document has its article and its cluster event, and nothing moves.
    let raw: Vec<RawDocument> = stream_docs(&bus, subjects::RAW_STREAM, subjects::RAW_ALL).await;
    assert_eq!(raw.len(), DOCS, "raw documents stored");
    let deadline = Instant::now() + Duration::from_secs(45);
    let (mut last, mut still) = ((0, 0, 0), 0);
    while still < 8 {
        assert!(
            Instant::now() < deadline,
            "the pipeline did not settle (articles, cluster and story seqs: {last:?})"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
        let now = (
            bus.stream_state(subjects::ARTICLES_STREAM)
                .await
                .unwrap()
                .messages,
            bus.stream_state(subjects::CLUSTERS_STREAM)
                .await
                .unwrap()
                .last_seq,
            bus.stream_state(subjects::STORIES_STREAM).await.unwrap().last_seq,
        );
        // Two seconds without a change, every article stored, and the last cluster event
        // caused by the last article (every article causes at least one).
        let caught_up = match bus.get_message(subjects::CLUSTERS_STREAM, now.1).await {
            Ok(Some(m)) => {
                let articles_last = bus
                    .stream_state(subjects::ARTICLES_STREAM)
                    .await
                    .unwrap()
                    .last_seq;
                m.header(wirefold_bus::ARTICLE_SEQ_HEADER) == Some(articles_last.to_string().as_str())
            }
            _ => false,
        };
        still = if now == last && now.0 >= DOCS as u64 && caught_up {
            still + 1
        } else {
            0
        };
        last = now;
    }
    let articles: Vec<Article> = stream_docs(&bus, subjects::ARTICLES_STREAM, subjects::ARTICLES_ALL).await;
    let clusters: Vec<ClusterEvent> =
        stream_docs(&bus, subjects::CLUSTERS_STREAM, subjects::CLUSTERS_ALL).await;
    let stories: Vec<StoryEvent> = stream_docs(&bus, subjects::STORIES_STREAM, subjects::STORIES_ALL).await;
    let dead: Vec<DeadLetter> = stream_docs(&bus, subjects::DLQ_STREAM, subjects::DLQ_ALL).await;
    for (_, mut child) in workers {
        signal(child.id(), "-CONT");
        child.kill().unwrap();
        child.wait().unwrap();
    }

    // Every raw document gave exactly one article; nothing was dead-lettered.
    assert!(
        dead.is_empty(),
        "dead letters: {:?}",
        dead.first().map(|d| &d.reason)
    );
    let raw_ids: BTreeSet<&str> = raw.iter().map(|r| r.id.as_str()).collect();
    let article_ids: BTreeSet<&str> = articles.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(raw_ids.len(), DOCS, "raw documents stored twice");
    assert_eq!(articles.len(), article_ids.len(), "article records stored twice");
    assert_eq!(
        article_ids, raw_ids,
        "raw documents without an article (or the reverse)"
    );

    // No event twice, no version skipped.
    assert_contiguous(
        "cluster",
        clusters.iter().map(|e| (e.cluster_id.as_str(), e.version)),
    );
    assert_contiguous("story", stories.iter().map(|e| (e.story_id.as_str(), e.version)));

    // Exactly what one undisturbed deduplicator makes of the stored article stream.
    let mut undisturbed = Deduper::new(Default::default());
    let (mut want_clusters, mut want_stories) = (Vec::new(), Vec::new());
    for a in &articles {
        let f = undisturbed.apply(a);
        want_clusters.extend(f.clusters);
        want_stories.extend(f.stories);
    }
    let ckey = |e: &ClusterEvent| {
        (
            e.cluster_id.clone(),
            e.version,
            e.kind.as_str(),
            e.cause.id.clone(),
        )
    };
    let skey = |e: &StoryEvent| (e.story_id.clone(), e.version, e.kind.as_str(), e.cause.id.clone());
    assert_eq!(
        clusters.iter().map(ckey).collect::<Vec<_>>(),
        want_clusters.iter().map(ckey).collect::<Vec<_>>(),
        "cluster events differ from an undisturbed deduplicator's over the same articles"
    );
    assert_eq!(
        stories.iter().map(skey).collect::<Vec<_>>(),
        want_stories.iter().map(skey).collect::<Vec<_>>(),
        "story events differ from an undisturbed deduplicator's over the same articles"
    );

    // The final copy clusters equal an undisturbed run's over the ingest order.
    let by_id: HashMap<&str, &Article> = articles.iter().map(|a| (a.id.as_str(), a)).collect();
    let mut quiet_run = Deduper::new(Default::default());
    let mut quiet_events = Vec::new();
    for r in &raw {
        quiet_events.extend(quiet_run.apply(by_id[r.id.as_str()]).clusters);
    }
    let got = partition(&clusters);
    assert_eq!(
        got,
        partition(&quiet_events),
        "final copy clusters differ from an undisturbed run"
    );
    assert!(got.iter().any(|g| g.len() > 1), "the corpus must contain copies");
    eprintln!(
        "chaos: {DOCS} documents, {kills} worker kills, 1 leader frozen for {} s, {} cluster events, {} clusters, {:.1} s",
        2 * LEASE_TTL + 1,
        clusters.len(),
        got.len(),
        started.elapsed().as_secs_f64()
    );
}
